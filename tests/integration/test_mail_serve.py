"""`ticketing serve` runs the mail channel: the IMAP poll job and the LMTP listener, end to end."""

from __future__ import annotations

import asyncio
import os
import time

import httpx

from tests.imap_server import PASSWORD
from tests.integration.test_imap_poller import imap_desks
from tests.integration.test_lmtp import lmtp_send
from tests.integration.test_sla_processes import _env, _free_ports, _read, _start_server, _stop_server, _wait_ready
from tests.mailbuilder import make_mail
from ticketing.db.tables import InboundMail, Ticket


async def test_serve_polls_the_inbox_and_listens_for_lmtp(settings, container, dovecot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    user = f"serve-{os.getpid()}-{time.monotonic_ns()}@example.test"
    dovecot.append(user, make_mail(subject="By IMAP", sender="imap-sender@example.test"))
    http_port, lmtp_port = _free_ports(2)
    env = _env(
        settings,
        TICKETING_DESKS=str(imap_desks(tmp_path / "desks.toml", dovecot.port, user)),
        TICKETING_IMAP_PASSWORD_RELIA=PASSWORD,
        TICKETING_LMTP_PORT=str(lmtp_port),
        TICKETING_SECRET_KEY=settings.secret_key or "",
    )
    proc, port, log = _start_server(http_port, env, tmp_path / "serve.log")
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            await _wait_ready(http, proc, port, log)
        deadline = time.monotonic() + 30
        while await Ticket.count() < 1:
            assert time.monotonic() < deadline, f"the poll job stored nothing:\n{_read(log)}"
            await asyncio.sleep(0.2)
        replies = await asyncio.to_thread(
            lmtp_send,
            lmtp_port,
            ["privacy@relia-group.com"],
            make_mail(subject="By LMTP", sender="lmtp-sender@example.test"),
        )
        assert replies["privacy@relia-group.com"][0] == 250, replies
        assert await Ticket.count() == 2
        sources = sorted(r["source"] for r in await InboundMail.select(InboundMail.source))
        assert sources == ["imap", "lmtp"]
        assert all("\\Seen" in flags for flags in dovecot.flags(user).values())
        assert PASSWORD not in _read(log)  # secrets never reach the log
    finally:
        _stop_server(proc, log)
