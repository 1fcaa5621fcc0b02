"""Settings: the one place the environment is read."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 5
    secure_cookies: bool = False
    # IMAP passwords per desk slug, from TICKETING_IMAP_PASSWORD_<SLUG> ("rext-cs" -> REXT_CS).
    imap_passwords: Mapping[str, str] = field(default_factory=dict, repr=False)
    imap_lease_seconds: float = 120.0  # a poller that died holds its mailbox at most this long
    lmtp_host: str = "127.0.0.1"
    lmtp_port: int | None = None  # set: `serve` also listens for LMTP deliveries from the MTA

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

    def resolved_secret_key(self) -> str:
        """The signing key: configured, or generated once into the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read TICKETING_* variables (DESIGN.md §3)."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(f"TICKETING_{name}")
            return value if value not in (None, "") else None

        smtp = None
        if host := get("SMTP_HOST"):
            port_raw = get("SMTP_PORT") or "25"
            if not port_raw.isdigit():
                raise ConfigError("TICKETING_SMTP_PORT", f"must be a port number, got {port_raw!r}")
            smtp = SmtpSettings(
                host=host,
                port=int(port_raw),
                username=get("SMTP_USERNAME"),
                password=get("SMTP_PASSWORD"),
                starttls=(get("SMTP_STARTTLS") or "false").lower() in {"1", "true", "yes", "on"},
            )
        db_url = get("DATABASE_URL")
        if db_url and not db_url.startswith(("postgresql://", "postgres://")):
            raise ConfigError("TICKETING_DATABASE_URL", "must be a postgresql:// URL (unset means SQLite)")
        base_url = (get("BASE_URL") or "http://127.0.0.1:8000").rstrip("/")

        def seconds(name: str, default: float) -> float:
            raw = get(name)
            if raw is None:
                return default
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not 0.1 <= value <= 3600:
                raise ConfigError(f"TICKETING_{name}", f"must be a number of seconds from 0.1 to 3600, got {raw!r}")
            return value

        passwords = {
            name[len("TICKETING_IMAP_PASSWORD_"):].lower().replace("_", "-"): value
            for name, value in env.items() if name.startswith("TICKETING_IMAP_PASSWORD_") and value
        }
        lmtp_port = None
        if raw_port := get("LMTP_PORT"):
            if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
                raise ConfigError("TICKETING_LMTP_PORT", f"must be a port number, got {raw_port!r}")
            lmtp_port = int(raw_port)
        return cls(
            trusted_proxies=_proxies(get("TRUSTED_PROXIES")),
            imap_passwords=passwords,
            lmtp_host=get("LMTP_HOST") or "127.0.0.1",
            lmtp_port=lmtp_port,
            data_dir=Path(get("DATA_DIR") or "var"),
            database_url=db_url,
            desks_file=Path(get("DESKS") or BUNDLED_DESKS),
            smtp=smtp,
            base_url=base_url,
            secret_key=get("SECRET_KEY"),
            secure_cookies=base_url.startswith("https://"),
            outbox_interval_seconds=seconds("OUTBOX_INTERVAL_SECONDS", 2.0),
            sla_sweep_seconds=seconds("SLA_SWEEP_SECONDS", 60.0),
            leader_poll_seconds=seconds("LEADER_POLL_SECONDS", 2.0),
            imap_lease_seconds=seconds("IMAP_LEASE_SECONDS", 120.0),
        )


def _proxies(raw: str | None) -> tuple[str, ...]:
    """TICKETING_TRUSTED_PROXIES: comma-separated IP addresses or CIDR ranges."""
    if raw is None:
        return ()
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError("TICKETING_TRUSTED_PROXIES", f"{item!r} is not an IP address or CIDR range") from None
    return items
