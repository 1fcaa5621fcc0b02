"""services/notifications: one function per emails/ folder, and each folder renders, in ja and en under
StrictUndefined, from what its function returns (plus the envelope the builders add)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from ticketing.container import load_desks
from ticketing.domain.intake import NewTicket, RequesterIn
from ticketing.domain.mail import MailKind
from ticketing.domain.ticket import Ticket
from ticketing.domain.tickets import Category, Channel, Language, RequestType, State
from ticketing.mail.rendering import JinjaMailRenderer
from ticketing.services import notifications
from ticketing.settings import BUNDLED_DESKS

RENDERER = JinjaMailRenderer()
DESKS = load_desks(BUNDLED_DESKS)


@dataclass(frozen=True)
class Omitted:
    filename: str
    size: int
    why: str


def _ticket(state: State) -> Ticket:
    return Ticket(
        id=1,
        reference="RCS-2026-000045",
        desk="rext-cs",
        state=state,
        category=Category.REQUEST,
        language=Language.JA,
        subject="s",
        request_types=(RequestType.DISCLOSURE,),
    )


def _context(kind: MailKind, desk_slug: str) -> dict[str, Any]:
    desk = DESKS[desk_slug]
    if kind is MailKind.TICKET_RECEIVED:
        new = NewTicket(
            desk_slug,
            Channel.WEB,
            Category.REQUEST,
            (RequestType.DISCLOSURE,),
            "s",
            "m",
            Language.JA,
            RequesterIn("n", "a@example.test", None, None),
        )
        return notifications.ticket_received(desk, new)
    if kind is MailKind.AGENT_REPLY:
        return notifications.agent_reply("We have your letter.")
    if kind in notifications.STATUS_MAIL:
        return notifications.STATUS_MAIL[kind](desk, _ticket(State.TRIAGE), _ticket(State.AWAITING_DOCUMENTS), "")
    if kind is MailKind.MAIL_TOO_LARGE:
        return notifications.mail_too_large(desk, [Omitted("a.pdf", 30 * 1024 * 1024, "too_large")])
    if kind is MailKind.DELIVERY_FAILED:
        return notifications.delivery_failed(
            desk,
            "RCS-2026-000045",
            "s",
            ["a@example.test"],
            "agent-reply",
            "https://desk.example.test/app/tickets/RCS-2026-000045",
        )
    return notifications.CONTEXTS[kind](
        desk,
        reference="RCS-2026-000045",
        subject="s",
        category="request",
        state="triage",
        clock="resolution",
        stage="80%",
        target="5 business days",
        target_amount=5,
        target_unit="business_days",
        due_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
        left_minutes=120,
        assignee=None,
        ticket_url="https://desk.example.test/app/tickets/RCS-2026-000045",
    )


def test_every_folder_is_a_kind_with_its_function() -> None:
    assert set(RENDERER.kinds()) == {k.value for k in MailKind} == {k.value for k in notifications.CONTEXTS}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("desk", ["relia", "rext-cs"])
@pytest.mark.parametrize("kind", list(MailKind))
def test_each_folder_renders_from_its_function(kind: MailKind, desk: str, language: str) -> None:
    envelope = {
        "desk": DESKS[desk],
        "reference": "RCS-2026-000045",
        "status_url": "https://x.test/status/t",
        "recipient_name": "Agent",
    }
    rendered = RENDERER.render(kind, language, {**envelope, **_context(kind, desk)})
    assert rendered.subject.strip() and "\n" not in rendered.subject
    assert rendered.text.strip()
