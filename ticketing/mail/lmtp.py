"""An LMTP receiver (RFC 2033) an MTA delivers the desk inboxes to; it runs on the service's own loop.

LMTP answers once per recipient after DATA: 250 when the message is stored (or was already), 451
when storing failed for now (database down, disk full), so the MTA keeps it and retries. aiosmtpd's
LMTP sends its own post-DATA errors (message too big, line too long) as one line whatever the
number of recipients, which puts a client out of step; DeskLmtp repeats them once per recipient.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.lmtp import LMTP

from ticketing.services.mail_intake import MailIntake
from ticketing.services.mail_ports import MailSource

log = logging.getLogger(__name__)
PER_RECIPIENT_ERRORS = ("552 Error: Too much mail data", "500 Line too long")


class DeskLmtp(LMTP):
    line_length_limit = 65536  # real mail has lines longer than RFC 5321's 998; refusing them loses mail

    async def push(self, status: Any) -> None:
        envelope = getattr(self, "envelope", None)
        if (
            isinstance(status, str)
            and status.startswith(PER_RECIPIENT_ERRORS)
            and envelope is not None
            and len(envelope.rcpt_tos) > 1
        ):
            status = "\r\n".join([status] * len(envelope.rcpt_tos))
        await super().push(status)


class LmtpHandler:
    def __init__(self, intake: MailIntake) -> None:
        self.intake = intake

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.intake.desk_for_address(address) is None:
            return f"550 5.1.1 <{address}>: no desk inbox at this address"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or b"")
        replies = []
        for rcpt in envelope.rcpt_tos:
            desk = self.intake.desk_for_address(rcpt)
            if desk is None:
                replies.append(f"550 5.1.1 <{rcpt}>: no desk inbox at this address")
                continue
            try:
                result = await self.intake.ingest(desk.slug, raw, MailSource("lmtp"))
            except Exception as exc:  # never raise into aiosmtpd: it would answer once for all recipients
                log.exception("lmtp: storing a message for %s failed", desk.slug)
                replies.append(f"451 4.3.0 <{rcpt}> not stored ({type(exc).__name__}); try again later")
                continue
            ticket = f" {result.ticket}" if result.ticket else ""
            replies.append(f"250 2.0.0 <{rcpt}> {result.action}{ticket}")
        return "\r\n".join(replies)


class LmtpServer:
    """The listening socket; start() and stop() on the running loop."""

    def __init__(self, intake: MailIntake, host: str, port: int, *, max_bytes: int) -> None:
        self.handler = LmtpHandler(intake)
        self.host = host
        self.port = port
        self.max_bytes = max_bytes
        self._server: asyncio.base_events.Server | None = None
        self._sessions: list[DeskLmtp] = []

    def _session(self) -> DeskLmtp:
        session = DeskLmtp(self.handler, hostname="ticketing", data_size_limit=self.max_bytes, decode_data=False)
        self._sessions = [s for s in self._sessions if s.transport is not None and not s.transport.is_closing()]
        self._sessions.append(session)
        return session

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._session, self.host, self.port)
        log.info("lmtp: listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for session in self._sessions:  # Python 3.11's Server.close() leaves open sessions alone
            if session.transport is not None:
                session.transport.close()
        await self._server.wait_closed()
        self._server = None
