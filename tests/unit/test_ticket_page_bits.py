"""Small pieces of the ticket page: spans for people, the download header, the timeline's order,
presence modes and the version check's error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ticketing.domain.errors import STALE_CHANGE, StaleChange
from ticketing.domain.presence import PresenceMode, presence_mode
from ticketing.services.ports import EventView, MessageView
from ticketing.services.ticket_workspace import timeline
from ticketing.web.i18n import translations
from ticketing.web.ticket_pages import content_disposition
from ticketing.web.ticket_view import duration

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes", "days", "en", "ja"),
    [
        (35, False, "35 min", "35分"),
        (-35, False, "35 min", "35分"),
        (130, False, "2 h 10 min", "2時間10分"),
        (60 * 50, False, "50 h 0 min", "50時間0分"),
        (60 * 50, True, "2 d 2 h", "2日2時間"),
    ],
)
def test_a_span_reads_as_people_say_it(minutes: int, days: bool, en: str, ja: str) -> None:
    assert duration(minutes, translations("en").gettext, days=days) == en
    assert duration(minutes, translations("ja").gettext, days=days) == ja


def test_a_download_is_an_attachment_with_the_utf8_name() -> None:
    header = content_disposition("開示請求書.pdf")
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E9%96%8B%E7%A4%BA%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf" in header
    assert content_disposition('a"b\\c;d.txt').startswith('attachment; filename="a_b_c_d.txt"')
    assert "\r" not in content_disposition("x\r\nSet-Cookie: y.txt") and "\n" not in content_disposition("x\ny")


def test_the_timeline_is_in_time_order_and_leaves_out_events_that_only_mark_a_message() -> None:
    letter = MessageView("inbound", "post", None, "", "A letter", T0 - timedelta(days=2))
    mail = MessageView("inbound", "email", "a@example.test", "", "Hello", T0)
    reply = MessageView("outbound", "email", None, "", "Answer", T0 + timedelta(hours=1))
    created = EventView(T0, "requester", "created", None, "received", "")
    replied = EventView(T0 + timedelta(hours=1), "agent@x.test", "replied", None, None, "")
    moved = EventView(T0 + timedelta(hours=2), "agent@x.test", "triage", "received", "triage", "why")
    entries = timeline([mail, reply, letter], [created, replied, moved])
    assert [e.message.text if e.message else e.event.action for e in entries if e.message or e.event] == [
        "A letter",
        "Hello",
        "created",
        "Answer",
        "triage",
    ]


def test_presence_modes_and_the_stale_error() -> None:
    assert presence_mode("replying") is PresenceMode.REPLYING
    assert presence_mode(None) is PresenceMode.VIEWING and presence_mode("typing") is PresenceMode.VIEWING
    error = StaleChange("REL-2026-000001", 3, 4)
    assert str(error) == STALE_CHANGE and error.current == 4
    assert translations("ja").gettext(STALE_CHANGE) != STALE_CHANGE
