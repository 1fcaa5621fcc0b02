"""SLA policies and the ladder from the desks file, and the pure clock arithmetic (pause, resume, fire)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ticketing.container import load_desks
from ticketing.domain.calendar import BusinessCalendar
from ticketing.domain.clocks import fire_due, pause, resume, start_clocks, stop
from ticketing.domain.errors import ConfigError
from ticketing.domain.sla import (
    DEFAULT_STAGES,
    ClockKind,
    Notify,
    Pause,
    Target,
    Unit,
    parse_escalation,
    parse_policies,
    parse_target,
)
from ticketing.domain.tickets import Category
from ticketing.settings import BUNDLED_DESKS

DESKS = load_desks(BUNDLED_DESKS)
RELIA = BusinessCalendar(DESKS["relia"].calendar_spec())


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


@pytest.mark.parametrize(
    ("raw", "target"),
    [
        ("240 business minutes", Target(240, Unit.BUSINESS_MINUTES)),
        ("4 business hours", Target(240, Unit.BUSINESS_MINUTES)),
        ("1 business day", Target(1, Unit.BUSINESS_DAYS)),
        ("10 business days", Target(10, Unit.BUSINESS_DAYS)),
        ("14 calendar days", Target(14, Unit.CALENDAR_DAYS)),
    ],
)
def test_targets_are_read_from_words(raw: str, target: Target) -> None:
    assert parse_target(raw, "x") == target


@pytest.mark.parametrize(
    "raw", ["240", "ten business days", "0 business days", "3 calendar hours", 5, "-1 business days"]
)
def test_bad_targets_name_the_key(raw: object) -> None:
    with pytest.raises(ConfigError) as err:
        parse_target(raw, "desks.relia.policies.complaint.resolution")
    assert str(err.value).startswith("desks.relia.policies.complaint.resolution:")


def test_bundled_policies_match_the_issue_examples() -> None:
    relia = DESKS["relia"].policies
    assert relia[Category.COMPLAINT] == {
        ClockKind.FIRST_RESPONSE: Target(240, Unit.BUSINESS_MINUTES),
        ClockKind.RESOLUTION: Target(10, Unit.BUSINESS_DAYS),
    }
    assert relia[Category.REQUEST][ClockKind.STATUTORY] == Target(14, Unit.CALENDAR_DAYS)
    assert DESKS["rext-cs"].escalation.stages == DEFAULT_STAGES


@pytest.mark.parametrize(
    ("table", "key", "problem"),
    [
        ({"complaint": {"first_response": "14 calendar days"}}, "complaint.first_response", "cannot use"),
        ({"request": {"statutory": "10 business days"}}, "request.statutory", "cannot use"),
        ({"gossip": {"first_response": "1 business day"}}, "gossip", "unknown category"),
        ({"complaint": {"lunch": "1 business day"}}, "complaint.lunch", "unknown clock"),
        ({"complaint": "fast"}, "complaint", "must be a table"),
    ],
)
def test_invalid_policies_are_refused(table: dict[str, object], key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_policies(table, "f.toml: desks.relia.policies")
    assert err.value.where == f"f.toml: desks.relia.policies.{key}"
    assert problem in err.value.problem


def test_a_request_always_keeps_its_statutory_clock() -> None:
    policies = parse_policies({"request": {"first_response": "2 business days"}}, "p")
    assert policies[Category.REQUEST][ClockKind.STATUTORY] == Target(14, Unit.CALENDAR_DAYS)


def test_custom_ladder_and_its_errors() -> None:
    ladder = parse_escalation(
        {
            "second_level": ["board@relia.test"],
            "stages": [
                {"at": "75%", "notify": "assignee"},
                {"at": "100%", "notify": "managers"},
                {"after_breach": "2 business days", "notify": "second_level"},
            ],
        },
        "e",
    )
    assert [s.key for s in ladder.stages] == ["75%", "100%", "breach+2bd"]
    assert ladder.second_level == ("board@relia.test",)
    assert ladder.stages[2].notify is Notify.SECOND_LEVEL
    for bad, needle in [
        ({"stages": [{"at": "80%", "notify": "assignee"}, {"at": "50%", "notify": "assignee"}]}, "increasing"),
        ({"stages": [{"at": "150%", "notify": "assignee"}]}, "percentage"),
        ({"stages": [{"at": "50%", "notify": "ceo"}]}, "notify"),
        ({"stages": [{"at": "50%", "after_breach": "1 business day", "notify": "managers"}]}, "exactly one"),
        ({"stages": [{"after_breach": "3 calendar days", "notify": "managers"}]}, "business days"),
        ({"second_level": "cpo"}, "e-mail"),
    ]:
        with pytest.raises(ConfigError) as err:
            parse_escalation(bad, "e")
        assert needle in str(err.value), (bad, str(err.value))


def complaint_clock(at: datetime):  # type: ignore[no-untyped-def]
    desk = DESKS["relia"]
    clocks = start_clocks(
        RELIA,
        desk="relia",
        category="complaint",
        targets=desk.policies[Category.COMPLAINT],
        stages=desk.escalation.stages,
        at=at,
    )
    return next(c for c in clocks if c.kind is ClockKind.FIRST_RESPONSE)


def test_fire_due_waits_while_the_desk_is_closed() -> None:
    clock = complaint_clock(jst("2026-11-24T10:00"))
    at_lunch = fire_due(RELIA, clock, (), jst("2026-11-24T12:30"))
    assert at_lunch.firings == () and at_lunch.clock.next_fire_at == jst("2026-11-24T13:00")
    opened = fire_due(RELIA, clock, (), jst("2026-11-24T13:00"))
    assert [f.stage.key for f in opened.firings] == ["50%"] and opened.clock.next_stage == 1
    assert opened.clock.next_fire_at == jst("2026-11-24T14:12")


def test_pause_and_resume_move_due_by_the_paused_business_time() -> None:
    clock = complaint_clock(jst("2026-11-24T10:00"))  # due Tue 15:00
    paused = pause(clock)
    assert paused.due_at is None and paused.next_fire_at is None
    # Paused over lunch only (11:30-13:30): 30 + 30 business minutes -> due 16:00.
    resumed = resume(RELIA, paused, [Pause(jst("2026-11-24T11:30"), jst("2026-11-24T13:30"))])
    assert resumed.due_at == jst("2026-11-24T16:00")
    # An open pause leaves the clock without a due instant.
    assert resume(RELIA, paused, [Pause(jst("2026-11-24T11:30"), None)]).due_at is None


def test_stop_records_a_breach_only_when_late() -> None:
    clock = complaint_clock(jst("2026-11-24T10:00"))
    assert stop(clock, jst("2026-11-24T14:59")).breached_at is None
    assert stop(clock, jst("2026-11-24T15:01")).breached_at == jst("2026-11-24T15:00")
