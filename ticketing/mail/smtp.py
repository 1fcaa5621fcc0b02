"""SMTP transport (aiosmtplib)."""

from __future__ import annotations

from datetime import datetime

import aiosmtplib

from ticketing.domain.mail import OutgoingMail
from ticketing.mail.compose import compose
from ticketing.services.outbox import DeliveryError
from ticketing.settings import SmtpSettings


class SmtpTransport:
    def __init__(self, settings: SmtpSettings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout

    async def send(self, mail: OutgoingMail, sent_at: datetime) -> None:
        s = self.settings
        try:
            errors, _ = await aiosmtplib.send(
                compose(mail, sent_at),
                sender=mail.from_addr,
                recipients=[mail.to_addr],
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                start_tls=s.starttls,
                use_tls=False,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise DeliveryError(f"recipient refused: {codes}", permanent=all(c >= 500 for c in codes)) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Connection refused, timeouts, TLS trouble: temporary, retried with backoff. The message
            # names the exception class only, so no credentials ever reach the log.
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        if errors:
            raise DeliveryError(f"recipient refused: {errors}", permanent=True)
