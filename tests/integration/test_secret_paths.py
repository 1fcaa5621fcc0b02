"""A status page's token opens the page: it never reaches a log line, whatever goes wrong."""

from __future__ import annotations

import logging

from tests.integration.test_contact_form import open_form
from tests.integration.test_security_input import HEADERS, multipart
from ticketing.web.requests import loggable_path


def test_the_token_of_a_status_path_is_masked():
    assert loggable_path("/status/abc.DEF_123") == "/status/<token>"
    assert loggable_path("/status/abc/extra") == "/status/<token>/extra"
    assert loggable_path("/app/tickets/REL-2026-000001") == "/app/tickets/REL-2026-000001"


async def test_an_unreadable_reply_on_a_status_page_logs_no_token(client, caplog):
    token = "sEcReT-tOkEn-1234567890"
    csrf = await open_form(client)  # the CSRF cookie; its token goes in the body
    body = multipart(("_csrf_token", csrf.encode(), None), ("message", b"\xff\xfe not utf-8", None))
    caplog.clear()
    with caplog.at_level(logging.INFO):
        r = await client.post(f"/status/{token}", content=body, headers=HEADERS)
    assert r.status_code == 400, r.text
    assert "refused POST /status/<token>: unreadable form data" in caplog.text  # the line was written
    assert token not in caplog.text
