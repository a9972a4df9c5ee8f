"""`.env.example` lists every setting of `Settings` under its env name with its default, and nothing stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from booktutor.config import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
# `# NAME=value   # meaning`; values are written without spaces (lists as compact JSON).
_ASSIGNMENT = re.compile(r"^#\s*([A-Z][A-Z0-9_]*)=(\S*)(?:\s+#.*)?$")
# Listed for convenience but read by their libraries from the environment, not by Settings.
EXTERNAL = {"LANGSMITH_TRACING", "LANGSMITH_API_KEY", "LANGSMITH_PROJECT", "PROMETHEUS_MULTIPROC_DIR"}


def env_names(name: str, field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    if isinstance(alias, str):
        return [alias]
    return [f"{Settings.model_config.get('env_prefix', '')}{name}".upper()]


def listed() -> dict[str, str]:
    entries: dict[str, str] = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text(encoding="utf-8").splitlines(), start=1):
        match = _ASSIGNMENT.match(line)
        if match is None:
            assert not re.match(r"^#\s*BOOKTUTOR_\w+\s*=", line), f"line {number} is not `# NAME=value  # meaning`"
            continue
        assert match[1] not in entries, f"{match[1]} is listed twice"
        entries[match[1]] = match[2]
    return entries


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_listed_with_its_default(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    field = Settings.model_fields[name]
    entries = listed()
    present = [env for env in env_names(name, field) if env in entries]
    assert len(present) == 1, f"{name}: list exactly one of {env_names(name, field)} in .env.example"
    default = field.get_default(call_default_factory=True)
    value = entries[present[0]]
    if value == "":
        assert default is None, f"{present[0]} is listed empty but defaults to {default!r}"
        return
    monkeypatch.setenv(present[0], value)
    assert getattr(Settings(_env_file=None), name) == default, f"{present[0]}={value} is not the default"


def test_nothing_stale_is_listed() -> None:
    known = {env for name, field in Settings.model_fields.items() for env in env_names(name, field)}
    assert not {name for name in EXTERNAL if name.startswith("BOOKTUTOR_")}
    stale = set(listed()) - known - EXTERNAL
    assert not stale, f"not settings: {sorted(stale)}"
