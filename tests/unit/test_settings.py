"""Settings (issue 10): one place for defaults, derived values wherever Settings is built, and an
engine that takes everything from the Settings it is given."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from ticketing.db import engine
from ticketing.domain.errors import ConfigError
from ticketing.resources import BUNDLED_DESKS
from ticketing.settings import Settings, SmtpSettings


def test_from_env_with_nothing_set_is_the_dataclass_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}) == Settings()
    assert Settings().data_dir == tmp_path / "var"  # README: ./var, made absolute once
    assert Settings().desks_file == BUNDLED_DESKS


def test_from_env_overrides_only_what_is_set() -> None:
    settings = Settings.from_env({"TICKETING_SLA_SWEEP_SECONDS": "5", "TICKETING_SMTP_HOST": "relay.test"})
    default = Settings()
    assert settings.sla_sweep_seconds == 5
    assert settings.smtp == SmtpSettings("relay.test")  # port 25, no login, no STARTTLS: SmtpSettings' defaults
    changed = {f.name for f in dataclasses.fields(Settings) if getattr(settings, f.name) != getattr(default, f.name)}
    assert changed == {"sla_sweep_seconds", "smtp"}


def test_from_env_reads_every_variable() -> None:
    env = {
        "TICKETING_DATABASE_URL": "postgresql://db.test/ticketing",
        "TICKETING_DATA_DIR": "/srv/ticketing",
        "TICKETING_BASE_URL": "https://desk.example/",
        "TICKETING_SECRET_KEY": "k" * 40,
        "TICKETING_SMTP_HOST": "relay.test",
        "TICKETING_SMTP_PORT": "587",
        "TICKETING_SMTP_USERNAME": "mailer",
        "TICKETING_SMTP_PASSWORD": "pw",
        "TICKETING_SMTP_STARTTLS": "yes",
        "TICKETING_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1",
        "TICKETING_IMAP_PASSWORD_REXT_CS": "imap-pw",
        "TICKETING_LMTP_PORT": "2424",
        "TICKETING_OUTBOX_INTERVAL_SECONDS": "0.5",
    }
    s = Settings.from_env(env)
    assert s.database_url == "postgresql://db.test/ticketing" and s.is_postgres
    assert s.data_dir == Path("/srv/ticketing") and s.sqlite_path == Path("/srv/ticketing/ticketing.sqlite")
    assert s.base_url == "https://desk.example" and s.secure_cookies
    assert s.smtp == SmtpSettings("relay.test", 587, "mailer", "pw", starttls=True)
    assert s.trusted_proxies == ("10.0.0.0/8", "192.0.2.1")
    assert s.imap_passwords == {"rext-cs": "imap-pw"}
    assert (s.lmtp_port, s.outbox_interval_seconds, s.secret_key) == (2424, 0.5, "k" * 40)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TICKETING_DATABASE_URL", "mysql://x"),
        ("TICKETING_SMTP_PORT", "smtp"),
        ("TICKETING_LMTP_PORT", "70000"),
        ("TICKETING_SLA_SWEEP_SECONDS", "0"),
        ("TICKETING_TRUSTED_PROXIES", "somewhere"),
    ],
)
def test_bad_variables_name_themselves(name: str, value: str) -> None:
    env = {name: value, "TICKETING_SMTP_HOST": "relay.test"}
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    assert raised.value.where == name


def test_a_relative_data_dir_is_made_absolute_when_the_settings_are_built(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"TICKETING_DATA_DIR": "data/../var"})
    monkeypatch.chdir("/")
    assert settings.data_dir == tmp_path / "var"  # where it was built, whatever the working directory later
    assert settings.sqlite_path.is_absolute() and settings.attachments_dir.is_absolute()


@pytest.mark.parametrize("build", [Settings, Settings.from_env], ids=["direct", "from_env"])
def test_secure_cookies_follow_the_base_url_however_settings_are_built(build: object) -> None:
    def make(base_url: str) -> Settings:
        if build is Settings:
            return Settings(base_url=base_url)
        return Settings.from_env({"TICKETING_BASE_URL": base_url})

    assert make("https://desk.example/").secure_cookies
    assert make("https://desk.example/").base_url == "https://desk.example"
    assert not make("http://127.0.0.1:8000").secure_cookies
    assert dataclasses.replace(Settings(), base_url="https://desk.example").secure_cookies
    assert Settings(secure_cookies=True).secure_cookies  # TLS ended in front of a plain-http base URL


def test_missing_state(tmp_path: Path) -> None:
    data = tmp_path / "var"
    sqlite = Settings(data_dir=data)
    assert sqlite.missing_state() == f"no data directory at {data}"
    data.mkdir()
    assert sqlite.missing_state() == f"no database at {data / 'ticketing.sqlite'}"
    sqlite.sqlite_path.touch()
    assert sqlite.missing_state() == f"no secret key at {data / 'secret_key'} (and TICKETING_SECRET_KEY is unset)"
    assert Settings(data_dir=data, secret_key="k" * 40).missing_state() is None
    sqlite.resolved_secret_key()
    assert sqlite.missing_state() is None
    postgres = Settings(data_dir=tmp_path / "pg", database_url="postgresql://db.test/x", secret_key="k" * 40)
    (tmp_path / "pg").mkdir()
    assert postgres.missing_state() is None  # no SQLite file needed


def test_the_engine_comes_from_the_settings_not_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TICKETING_DATABASE_URL", "postgresql://postgres@127.0.0.1:9/elsewhere")
    monkeypatch.setenv("TICKETING_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setattr(engine, "_current", None)
    with pytest.raises(engine.EngineNotBound):
        engine.current_engine()  # never one guessed from the environment
    bound = engine.bind(Settings(data_dir=tmp_path / "here"))
    assert isinstance(bound, SQLiteEngine) and engine.current_engine() is bound
    assert bound.path == str(tmp_path / "here" / "ticketing.sqlite")
    assert not (tmp_path / "elsewhere").exists()
    source = Path(engine.__file__).read_text()
    source = source.replace('os.environ["PICCOLO_CONF"] = ', "")  # Piccolo's own variable, written for its runner
    assert "os.environ" not in source and "getenv" not in source and "from_env" not in source


def test_the_timing_dummy_hash_is_made_on_first_use_not_at_import() -> None:
    code = (
        "import ticketing.services.accounts as a; print(a._dummy_hash.cache_info().currsize); "
        "a._dummy_hash(); print(a._dummy_hash.cache_info().currsize)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True)
    assert r.stdout.split() == ["0", "1"]
