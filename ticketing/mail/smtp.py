"""SMTP transport (aiosmtplib)."""

from __future__ import annotations

import base64
from datetime import datetime

import aiosmtplib

from ticketing.domain.mail import OutgoingMail
from ticketing.mail.addresses import wire_address
from ticketing.mail.compose import compose
from ticketing.services.outbox import DeliveryError
from ticketing.settings import SmtpSettings

# Replies that say the relay set-up is wrong (credentials, TLS), not the message: a 5xx here is not
# the message's fault, so the row is retried (and fails only after max_attempts) instead of failing
# every queued mail for good during a credential rotation.
RELAY_SETUP_CODES = frozenset({530, 534, 535, 538})
RELAY_ERRORS = (aiosmtplib.SMTPAuthenticationError, aiosmtplib.SMTPHeloError, aiosmtplib.SMTPConnectResponseError)


class SmtpTransport:
    def __init__(self, settings: SmtpSettings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def _redact(self, text: str) -> str:
        """Error texts end up in logs and on the outbox row: never with the password in them."""
        secret = self.settings.password
        if secret:
            forms = {secret, base64.b64encode(secret.encode()).decode()}
            for form in sorted(forms, key=len, reverse=True):
                text = text.replace(form, "***")
        return text

    async def send(self, mail: OutgoingMail, sent_at: datetime) -> None:
        try:
            await self._send(mail, sent_at)
        except DeliveryError as exc:
            raise DeliveryError(self._redact(str(exc)), permanent=exc.permanent) from None

    async def _send(self, mail: OutgoingMail, sent_at: datetime) -> None:
        s = self.settings
        recipient = wire_address(mail.to_addr)
        try:
            errors, _ = await aiosmtplib.send(
                compose(mail, sent_at),
                sender=mail.from_addr,
                recipients=[recipient],
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                start_tls=s.starttls,
                use_tls=False,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            permanent = all(r.code >= 500 for r in exc.recipients)
            raise DeliveryError(f"recipient refused: {refused}", permanent=permanent) from None
        except aiosmtplib.SMTPNotSupported as exc:
            if not recipient.isascii():  # a non-ASCII local part needs SMTPUTF8, and this relay will never offer it
                raise DeliveryError(f"cannot send to {mail.to_addr!r}: {exc}", permanent=True) from None
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        except RELAY_ERRORS as exc:
            raise DeliveryError(f"relay refused us: SMTP {exc.code}: {exc.message}") from None
        except aiosmtplib.SMTPResponseException as exc:
            permanent = exc.code >= 500 and exc.code not in RELAY_SETUP_CODES
            raise DeliveryError(f"SMTP {exc.code}: {exc.message}", permanent=permanent) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Connection refused, timeouts, TLS trouble, no AUTH offered: temporary, retried with backoff.
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        except ValueError as exc:
            # aiosmtplib refuses an address it cannot put on the wire (e.g. non-ASCII without SMTPUTF8).
            raise DeliveryError(f"cannot send to {mail.to_addr!r}: {exc}", permanent=True) from None
        if errors:
            refused = "; ".join(f"{addr}: {code} {msg}" for addr, (code, msg) in errors.items())
            raise DeliveryError(f"recipient refused: {refused}", permanent=True)
