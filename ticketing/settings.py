"""Settings: the one place the environment is read."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticketing.domain.errors import ConfigError
from ticketing.resources import BUNDLED_DESKS


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service is configured with; the defaults here are the only ones (README.md, Command line).

    `data_dir` is made absolute when the settings are built (relative to the working directory of
    that moment), so every later use, and every error message, names the same folder.
    `secure_cookies` is on whenever `base_url` is https (it can be forced on for plain http too).
    """

    data_dir: Path = Path("var")
    database_url: str | None = None
    desks_file: Path = BUNDLED_DESKS
    smtp: SmtpSettings | None = None
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = field(default=None, repr=False)
    scheduler_enabled: bool = True
    outbox_interval_seconds: float = 2.0
    sla_sweep_seconds: float = 60.0
    leader_poll_seconds: float = 2.0
    form_rate_limit_per_minute: int = 10  # POSTs of the public form per client and minute (per process)
    signin_rate_limit_per_minute: int = 20  # POSTs to /login and /logout per client and minute (per process)
    form_submissions_per_client_hour: int = 5  # public-form tickets per client address (all processes)
    form_acks_per_address_hour: int = 3  # acknowledgements of form tickets per e-mail address
    # Reverse proxies whose X-Forwarded-For / -Proto are believed (IPs or CIDR ranges); none by default.
    trusted_proxies: tuple[str, ...] = ()
    metrics_from: tuple[str, ...] = ("127.0.0.1", "::1")  # addresses and ranges that may read /metrics
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 5
    secure_cookies: bool = False
    # IMAP passwords per desk slug, from TICKETING_IMAP_PASSWORD_<SLUG> ("rext-cs" -> REXT_CS).
    imap_passwords: Mapping[str, str] = field(default_factory=dict, repr=False)
    imap_lease_seconds: float = 120.0  # a poller that died holds its mailbox at most this long
    lmtp_host: str = "127.0.0.1"
    lmtp_port: int | None = None  # set: `serve` also listens for LMTP deliveries from the MTA
    # A requester's status link stops working this many days after the ticket was settled (closed,
    # responded, withdrawn ...); reopening the ticket brings it back.
    status_link_days_after_close: int = 90

    def __post_init__(self) -> None:
        # abspath, not resolve(): the folder named as given (no symlinks followed), `..` folded.
        object.__setattr__(self, "data_dir", Path(os.path.abspath(self.data_dir)))
        object.__setattr__(self, "desks_file", Path(os.path.abspath(self.desks_file)))
        base_url = self.base_url.rstrip("/")
        object.__setattr__(self, "base_url", base_url)
        if base_url.startswith("https://"):
            object.__setattr__(self, "secure_cookies", True)

    @property
    def is_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "ticketing.sqlite"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def raw_mail_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def secret_key_path(self) -> Path:
        return self.data_dir / "secret_key"

    def resolved_secret_key(self) -> str:
        """The signing key: configured, or generated once into the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.secret_key_path
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key

    def missing_state(self) -> str | None:
        """What a command that must not create state would have to create, else None.

        Only `serve` and `migrate` may create the data dir, the SQLite database and the secret key;
        anything else (an MTA pipe run from another folder, a cron job) finding none of them is
        pointed at the wrong data dir, and would otherwise start a second, empty service there.
        """
        if not self.data_dir.is_dir():
            return f"no data directory at {self.data_dir}"
        if not self.is_postgres and not self.sqlite_path.exists():
            return f"no database at {self.sqlite_path}"
        if not self.secret_key and not self.secret_key_path.exists():
            return f"no secret key at {self.secret_key_path} (and TICKETING_SECRET_KEY is unset)"
        return None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read TICKETING_* variables (README.md, Command line); what is unset keeps the dataclass default."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(f"TICKETING_{name}")
            return value if value not in (None, "") else None

        def seconds(name: str) -> float | None:
            raw = get(name)
            if raw is None:
                return None
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not 0.1 <= value <= 3600:
                raise ConfigError(f"TICKETING_{name}", f"must be a number of seconds from 0.1 to 3600, got {raw!r}")
            return value

        def port(name: str) -> int | None:
            raw = get(name)
            if raw is None:
                return None
            if not raw.isdigit() or not 0 < int(raw) < 65536:
                raise ConfigError(f"TICKETING_{name}", f"must be a port number, got {raw!r}")
            return int(raw)

        def days(name: str) -> int | None:
            raw = get(name)
            if raw is None:
                return None
            if not (raw.isascii() and raw.isdigit()) or int(raw) > 36500:
                raise ConfigError(f"TICKETING_{name}", f"must be a whole number of days from 0 to 36500, got {raw!r}")
            return int(raw)

        db_url = get("DATABASE_URL")
        if db_url and not db_url.startswith(("postgresql://", "postgres://")):
            raise ConfigError("TICKETING_DATABASE_URL", "must be a postgresql:// URL (unset means SQLite)")
        smtp = None
        if host := get("SMTP_HOST"):
            smtp_given: dict[str, Any] = {
                "port": port("SMTP_PORT"),
                "username": get("SMTP_USERNAME"),
                "password": get("SMTP_PASSWORD"),
            }
            if (starttls := get("SMTP_STARTTLS")) is not None:
                smtp_given["starttls"] = starttls.lower() in {"1", "true", "yes", "on"}
            smtp = SmtpSettings(host, **{k: v for k, v in smtp_given.items() if v is not None})
        passwords = {
            name[len("TICKETING_IMAP_PASSWORD_") :].lower().replace("_", "-"): value
            for name, value in env.items()
            if name.startswith("TICKETING_IMAP_PASSWORD_") and value
        }
        proxies = get("TRUSTED_PROXIES")
        metrics_from = get("METRICS_FROM")
        given: dict[str, Any] = {
            "data_dir": get("DATA_DIR"),
            "database_url": db_url,
            "desks_file": get("DESKS"),
            "smtp": smtp,
            "base_url": get("BASE_URL"),
            "secret_key": get("SECRET_KEY"),
            "outbox_interval_seconds": seconds("OUTBOX_INTERVAL_SECONDS"),
            "sla_sweep_seconds": seconds("SLA_SWEEP_SECONDS"),
            "leader_poll_seconds": seconds("LEADER_POLL_SECONDS"),
            "imap_lease_seconds": seconds("IMAP_LEASE_SECONDS"),
            "trusted_proxies": _proxies(proxies) if proxies is not None else None,
            "metrics_from": _proxies(metrics_from, "TICKETING_METRICS_FROM") if metrics_from is not None else None,
            "imap_passwords": passwords or None,
            "lmtp_host": get("LMTP_HOST"),
            "lmtp_port": port("LMTP_PORT"),
            "status_link_days_after_close": days("STATUS_LINK_DAYS_AFTER_CLOSE"),
        }
        for path_key in ("data_dir", "desks_file"):
            if given[path_key] is not None:
                given[path_key] = Path(given[path_key])
        return cls(**{k: v for k, v in given.items() if v is not None})


def _proxies(raw: str, name: str = "TICKETING_TRUSTED_PROXIES") -> tuple[str, ...]:
    """Comma-separated IP addresses or CIDR ranges (TICKETING_TRUSTED_PROXIES, TICKETING_METRICS_FROM)."""
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(name, f"{item!r} is not an IP address or CIDR range") from None
    return items
