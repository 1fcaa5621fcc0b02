"""The status page's rules without a database: how long a link works, which messages a requester
sees, how staff are named, what the desk waits for; the setting and the desks-file option behind them;
and the page catalogs for the texts the page builds from codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from babel.messages.pofile import read_po

from ticketing.desks_file import load_desks
from ticketing.domain.desks import FEE_INSTRUMENTS, StaffNames, parse_desks
from ticketing.domain.documents import Checklist, Gap
from ticketing.domain.errors import ConfigError, ValidationFailed
from ticketing.domain.requests import Case, FeeState, TicketRequest
from ticketing.domain.status_page import FeeDue, link_expires_at, shown_to_requester, staff_label, waiting_for
from ticketing.domain.tickets import SETTLED, Channel, RequestType, State
from ticketing.resources import BUNDLED_DESKS
from ticketing.services.requester_portal import EMPTY_REPLY, clean_text
from ticketing.settings import Settings
from ticketing.web.i18n import LOCALE_DIR
from ticketing.web.status import REPLIES_THROTTLED

AT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
DESKS = load_desks(BUNDLED_DESKS)


# The link's life --------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(State))
def test_a_link_expires_only_once_the_ticket_settled(state: State) -> None:
    until = link_expires_at(state, AT, 90)
    assert until == (AT + timedelta(days=90) if state in SETTLED else None)
    assert link_expires_at(state, None, 90) is None  # never settled


def test_the_setting_defaults_to_ninety_days_and_names_itself_when_bad() -> None:
    assert Settings().status_link_days_after_close == 90
    assert Settings.from_env({"TICKETING_STATUS_LINK_DAYS_AFTER_CLOSE": "30"}).status_link_days_after_close == 30
    assert Settings.from_env({"TICKETING_STATUS_LINK_DAYS_AFTER_CLOSE": "0"}).status_link_days_after_close == 0
    for bad in ("-1", "ninety", "1.5", "36501", "١٢"):
        with pytest.raises(ConfigError) as raised:
            Settings.from_env({"TICKETING_STATUS_LINK_DAYS_AFTER_CLOSE": bad})
        assert raised.value.where == "TICKETING_STATUS_LINK_DAYS_AFTER_CLOSE"


# Messages -------------------------------------------------------------------------------------------------

SHOWN = [
    # direction, channel, kind, by_staff, shown
    ("inbound", "email", "normal", False, True),  # the requester's mail
    ("inbound", "web", "normal", False, True),  # the form, or a reply from the status page
    ("outbound", "email", "normal", True, True),  # the desk's reply
    ("outbound", "note", "normal", True, False),  # an internal note
    ("inbound", "email", "auto", False, False),  # robot mail (auto-replies, lists)
    ("inbound", "email", "bounce", False, False),  # a delivery failure
    ("inbound", "phone", "normal", True, False),  # a call an agent logged, in the agent's words
    ("inbound", "post", "normal", True, False),  # a letter an agent logged
    ("inbound", "walk_in", "normal", True, False),
    ("inbound", "api", "normal", True, False),  # a ticket staff entered for someone
    ("inbound", "web", "normal", True, False),  # staff typing on someone's behalf is no requester message
    ("outbound", "web", "normal", True, False),
]


@pytest.mark.parametrize(("direction", "channel", "kind", "by_staff", "shown"), SHOWN)
def test_which_messages_a_requester_sees(direction: str, channel: str, kind: str, by_staff: bool, shown: bool) -> None:
    assert shown_to_requester(direction, channel, kind, by_staff=by_staff) is shown


@pytest.mark.parametrize(
    ("names", "display_name", "label"),
    [
        (StaffNames.DESK, "Taro Yamada", None),
        (StaffNames.FIRST_NAME, "Taro Yamada", "Taro"),
        (StaffNames.FIRST_NAME, "山田 太郎", "山田"),
        (StaffNames.FIRST_NAME, "  Hanako  ", "Hanako"),
        (StaffNames.FIRST_NAME, "", None),  # no name on file: "the desk", never the address
        (StaffNames.FIRST_NAME, "agent@relia.test", None),
    ],
)
def test_how_staff_are_named(names: StaffNames, display_name: str, label: str | None) -> None:
    assert staff_label(names, display_name) == label


# What the desk waits for -------------------------------------------------------------------------------------


def disclosure(fee_state: FeeState = FeeState.PENDING) -> TicketRequest:
    return TicketRequest(RequestType.DISCLOSURE, 1000, "postage_stamps", fee_state)


def test_a_request_waits_for_its_documents_and_fee() -> None:
    case = Case(requests=(disclosure(),), checklist=Checklist((Gap.FORM_MISSING,), (Gap.ID_EXPIRED,)))
    waiting = waiting_for(DESKS["relia"], State.AWAITING_DOCUMENTS, Channel.POST, AT, case)
    assert waiting.documents == (Gap.FORM_MISSING, Gap.ID_EXPIRED) and not waiting.documents_asked
    assert waiting.fee == FeeDue(1000, "postage_stamps", FeeState.PENDING)
    assert not waiting.formal_request and waiting.anything


def test_a_request_by_a_channel_the_desk_does_not_take_waits_for_the_formal_request() -> None:
    case = Case(requests=(disclosure(FeeState.OK),))
    waiting = waiting_for(DESKS["rext-cs"], State.TRIAGE, Channel.WEB, None, case)  # APPI Art. 37(1): by post
    assert waiting.formal_request and waiting.fee is None
    assert not waiting_for(DESKS["rext-cs"], State.TRIAGE, Channel.WEB, AT, case).formal_request  # the letter came


@pytest.mark.parametrize("state", [FeeState.SHORT, FeeState.WRONG_INSTRUMENT, FeeState.EXPIRED_INSTRUMENT])
def test_a_payment_that_did_not_pass_is_still_waited_for(state: FeeState) -> None:
    case = Case(requests=(disclosure(state), TicketRequest(RequestType.CORRECTION)))
    fee = waiting_for(DESKS["relia"], State.FEE_CHECK, Channel.POST, AT, case).fee
    assert fee is not None and fee.state is state


def test_documents_asked_for_without_a_checklist_and_nothing_once_settled() -> None:
    plain = waiting_for(DESKS["relia"], State.AWAITING_DOCUMENTS, Channel.EMAIL, None, Case())
    assert plain.documents_asked and plain.documents == () and not plain.formal_request
    assert not waiting_for(DESKS["relia"], State.IN_PROGRESS, Channel.EMAIL, None, Case()).anything
    case = Case(requests=(disclosure(),), checklist=Checklist((Gap.ID_MISSING,)))
    for state in SETTLED:
        assert not waiting_for(DESKS["relia"], state, Channel.WEB, None, case).anything


# The reply's text --------------------------------------------------------------------------------------------


def test_a_reply_is_trimmed_and_normalised() -> None:
    assert clean_text("  Hello\r\nthere\t!  \n") == "Hello\nthere\t!"
    assert clean_text("Cafe\u0301") == "Café"  # NFC
    for bad, key in (("a\x00b", "This value contains"), ("x" * 20_001, "This value is too long")):
        with pytest.raises(ValidationFailed) as raised:
            clean_text(bad)
        assert raised.value.errors["message"].startswith(key)


# The desks-file option ------------------------------------------------------------------------------------------


def desk(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "Desk",
        "language": "en",
        "timezone": "Asia/Tokyo",
        "reference_prefix": "DSK",
        "inbox": "privacy@desk.test",
        "manager_title": "CPO",
        "hours": {"mon": ["09:00-17:00"]},
    }
    return base | extra


def test_staff_names_on_the_status_page_are_a_desk_option() -> None:
    assert {d.staff_names_on_status_page for d in DESKS.values()} == {StaffNames.DESK}
    assert parse_desks({"desks": {"d": desk()}}, "x.toml")["d"].staff_names_on_status_page is StaffNames.DESK
    named = parse_desks({"desks": {"d": desk(staff_names_on_status_page="first_name")}}, "x.toml")
    assert named["d"].staff_names_on_status_page is StaffNames.FIRST_NAME
    for bad in ("full_name", 1, ["desk"]):
        with pytest.raises(ConfigError) as raised:
            parse_desks({"desks": {"d": desk(staff_names_on_status_page=bad)}}, "x.toml")
        assert raised.value.where == "x.toml: desks.d.staff_names_on_status_page"


# The catalogs ----------------------------------------------------------------------------------------------------


def catalog(lang: str) -> dict[str, str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=lang) if m.id and isinstance(m.id, str)}


def test_the_texts_the_page_builds_from_codes_are_in_both_catalogs() -> None:
    keys = {EMPTY_REPLY, REPLIES_THROTTLED}
    keys |= {f"gap:{g.value}" for g in Gap}
    keys |= {f"instrument:{i}" for i in FEE_INSTRUMENTS}
    keys |= {f"fee_note:{s.value}" for s in (FeeState.SHORT, FeeState.WRONG_INSTRUMENT, FeeState.EXPIRED_INSTRUMENT)}
    ja, en = catalog("ja"), catalog("en")
    assert sorted(k for k in keys if not ja.get(k, "").strip()) == []
    assert sorted(k for k in keys if k not in en) == []
    assert sorted(k for k in keys if ":" in k and not en.get(k, "").strip()) == []  # codes need English words
