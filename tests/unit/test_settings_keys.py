"""Provider keys are read with the BOOKTUTOR_ prefix as well as under the SDKs' own names."""

from __future__ import annotations

import pytest

from booktutor.config import Settings


@pytest.mark.parametrize("name", ["OPENAI_API_KEY", "COHERE_API_KEY", "GEMINI_API_KEY"])
def test_a_provider_key_is_read_with_or_without_the_prefix(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    field = name.lower()
    monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(f"BOOKTUTOR_{name}", "prefixed")
    assert getattr(Settings(_env_file=None), field).get_secret_value() == "prefixed"

    monkeypatch.delenv(f"BOOKTUTOR_{name}")
    monkeypatch.setenv(name, "plain")
    assert getattr(Settings(_env_file=None), field).get_secret_value() == "plain"

    monkeypatch.setenv(f"BOOKTUTOR_{name}", "prefixed")
    assert getattr(Settings(_env_file=None), field).get_secret_value() == "prefixed"
