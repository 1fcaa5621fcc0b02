"""Staff pages of the mail channel: the inbound-mail log for managers, mail on the ticket page."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_staff_pages import logged_in
from tests.mailbuilder import make_mail
from ticketing.services.mail_ports import MailSource

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
MALFORMED = (CORPUS / "malformed-no-from.eml").read_bytes()
QUOTED = (CORPUS / "reply-quoted-en.eml").read_bytes()


async def test_the_mail_log_page_is_for_managers_of_the_desk(client, container, make_staff) -> None:
    manager = await make_staff("manager@relia.test", ["relia"], role="manager")
    await container.mail.ingest("relia", MALFORMED, MailSource("pipe"))
    await logged_in(client, manager)
    page = await client.get("/app/mail")
    assert page.status_code == 200 and "quarantined" in page.text and "no usable sender" in page.text
    assert page.headers["cache-control"] == "no-store"
    client.cookies.clear()
    agent = await make_staff("agent@relia.test", ["relia"])
    await logged_in(client, agent)
    page = await client.get("/app/mail")
    assert "You manage no desk" in page.text and "no usable sender" not in page.text


async def test_the_ticket_page_folds_quoted_history_and_shows_flags(client, container, relia_agent) -> None:
    created = await container.mail.ingest("relia", QUOTED, MailSource("pipe"))
    stranger = make_mail(
        sender="mallory@example.test", subject=f"[{created.ticket}] let me in", body="<script>alert(1)</script>"
    )
    linked = await container.mail.ingest("relia", stranger, MailSource("pipe"))
    await logged_in(client, relia_agent)
    page = (await client.get(f"/app/tickets/{created.ticket}")).text
    assert '<details><summary class="muted">Quoted history and signature</summary>' in page
    other = (await client.get(f"/app/tickets/{linked.ticket}")).text
    assert "needs review" in other and created.ticket in other
    assert "<script>alert(1)</script>" not in other and "&lt;script&gt;" in other
