"""A desk's mail settings from the desks file: limits, loop protection, and the IMAP inbox to poll."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ticketing.domain.errors import ConfigError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MailRules:
    """Limits on inbound mail and on the automatic mail we send back."""

    max_message_bytes: int = 25 * MiB  # larger messages are stored whole but their attachments are not taken
    max_attachment_bytes: int = 10 * MiB
    max_attachments: int = 20
    auto_reply_daily_cap: int = 10  # automatic replies to one address per 24 hours (loop backstop)
    aliases: tuple[str, ...] = ()  # other addresses of this desk (LMTP routing, own-mail loop detection)


@dataclass(frozen=True, slots=True)
class ImapAccount:
    """The desk inbox the poller reads. The password comes from TICKETING_IMAP_PASSWORD_<SLUG>."""

    host: str
    port: int
    username: str
    security: str = "tls"  # tls (implicit, port 993) | none (plain text: a server on this host only)
    mailbox: str = "INBOX"
    processed_mailbox: str = ""  # move processed mail here; empty: flag it \\Seen and leave it
    poll_seconds: float = 30.0
    max_fetch_bytes: int = 50 * MiB  # larger messages stay on the server, logged for a manager

    def key(self, desk: str) -> str:
        return f"{desk}:{self.username}@{self.host}:{self.port}/{self.mailbox}"


def _int(table: Mapping[str, Any], key: str, where: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{where}.{key}", f"must be a whole number from {low} to {high}, got {value!r}")
    return value


def parse_mail_rules(raw: Any, where: str) -> MailRules:
    if raw is None:
        return MailRules()
    if not isinstance(raw, Mapping):
        raise ConfigError(where, "must be a table")
    known = {"max_message_bytes", "max_attachment_bytes", "max_attachments", "auto_reply_daily_cap", "aliases"}
    for key in raw:
        if key not in known:
            raise ConfigError(f"{where}.{key}", f"unknown key; use {', '.join(sorted(known))}")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and EMAIL_RE.match(a) for a in aliases):
        raise ConfigError(f"{where}.aliases", "must be a list of e-mail addresses")
    return MailRules(
        max_message_bytes=_int(raw, "max_message_bytes", where, 25 * MiB, 64 * 1024, 1024 * MiB),
        max_attachment_bytes=_int(raw, "max_attachment_bytes", where, 10 * MiB, 1024, 1024 * MiB),
        max_attachments=_int(raw, "max_attachments", where, 20, 0, 1000),
        auto_reply_daily_cap=_int(raw, "auto_reply_daily_cap", where, 10, 0, 10_000),
        aliases=tuple(a.lower() for a in aliases),
    )


def parse_imap(raw: Any, where: str) -> ImapAccount | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ConfigError(where, "must be a table")
    for key in ("host", "username"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f"{where}.{key}", "is required (a non-empty string)")
    security = raw.get("security", "tls")
    if security not in ("tls", "none"):
        # aioimaplib has no STARTTLS: implicit TLS (imaps, 993) is what servers offer alongside it anyway.
        raise ConfigError(f"{where}.security", f"use tls (implicit TLS, usually port 993) or none, got {security!r}")
    mailbox = raw.get("mailbox", "INBOX")
    processed = raw.get("processed_mailbox", "")
    for key, value in (("mailbox", mailbox), ("processed_mailbox", processed)):
        if not isinstance(value, str) or any(c in value for c in '\r\n"'):
            raise ConfigError(f"{where}.{key}", "must be a mailbox name")
    if processed and processed == mailbox:
        raise ConfigError(f"{where}.processed_mailbox", "must differ from mailbox")
    poll = raw.get("poll_seconds", 30)
    if not isinstance(poll, int | float) or isinstance(poll, bool) or not 1 <= poll <= 3600:
        raise ConfigError(f"{where}.poll_seconds", f"must be 1 to 3600 seconds, got {poll!r}")
    return ImapAccount(
        host=raw["host"].strip(),
        port=_int(raw, "port", where, 993 if security == "tls" else 143, 1, 65535),
        username=raw["username"].strip(),
        security=security,
        mailbox=mailbox or "INBOX",
        processed_mailbox=processed,
        poll_seconds=float(poll),
        max_fetch_bytes=_int(raw, "max_fetch_bytes", where, 50 * MiB, 64 * 1024, 2048 * MiB),
    )
