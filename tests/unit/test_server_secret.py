"""The server secret that signs guest tokens: made once under the data dir, read once per process."""

from __future__ import annotations

import uuid
from pathlib import Path

from booktutor.config import Settings
from booktutor.security import issue_guest_token, read_guest_token, server_secret


def _settings(data_dir: Path, **extra) -> Settings:
    return Settings(data_dir=data_dir, _env_file=None, **extra)


def test_the_secret_is_made_once_and_kept_under_the_data_dir(tmp_path: Path) -> None:
    secret = server_secret(_settings(tmp_path / "a"))
    stored = tmp_path / "a" / "secret_key"
    assert stored.read_text().strip() == secret and len(secret) >= 48
    assert stored.stat().st_mode & 0o777 == 0o600
    assert server_secret(_settings(tmp_path / "a")) == secret
    assert server_secret(_settings(tmp_path / "b")) != secret  # each data dir its own


def test_the_file_is_read_once_per_process(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("first-secret\n")
    assert server_secret(_settings(tmp_path)) == "first-secret"
    (tmp_path / "secret_key").unlink()  # a request no longer touches the file
    assert server_secret(_settings(tmp_path)) == "first-secret"
    assert not (tmp_path / "secret_key").exists()


def test_a_configured_secret_wins_and_signs_tokens(tmp_path: Path) -> None:
    settings = _settings(tmp_path, secret_key="configured-secret-of-enough-length-for-hs256")
    assert server_secret(settings) == "configured-secret-of-enough-length-for-hs256"
    assert not (tmp_path / "secret_key").exists()
    user = uuid.uuid4()
    assert read_guest_token(issue_guest_token(user, server_secret(settings)), server_secret(settings)) == user
