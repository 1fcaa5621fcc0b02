"""Desk definitions and the validation of a desks file's parsed contents."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from holidays.registry import EntityLoader

from ticketing.domain.calendar import CalendarSpec, OpeningWindow, RecurringClosure
from ticketing.domain.errors import ConfigError
from ticketing.domain.mail_config import ImapAccount, MailRules, parse_imap, parse_mail_rules
from ticketing.domain.procedure import Procedure, Validity, parse_procedure, parse_validities
from ticketing.domain.reply_templates import ReplyTemplate, parse_reply_templates
from ticketing.domain.sla import (
    DEFAULT_POLICIES,
    DEFAULT_STAGES,
    ClockKind,
    Escalation,
    Target,
    parse_escalation,
    parse_policies,
)
from ticketing.domain.tickets import FEE_ALLOWED, Category, Channel, Language, RequestType

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
WINDOW_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
CLOSURE_RE = re.compile(r"^(\d{2})-(\d{2})\.\.(\d{2})-(\d{2})$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FEE_INSTRUMENTS = frozenset({"postage_stamps", "postal_money_order", "bank_transfer", "cash"})
DOCUMENT_KINDS = frozenset({"request_form", "identity", "authority"})

# The holidays package's country codes, without importing its 500 country modules (list_supported_countries
# does): a tenth of a second of every start, the mail pipe's included.
_COUNTRY_CODES = frozenset(EntityLoader.get_country_codes())


class StaffNames(StrEnum):
    """How the requester's status page names the staff member who wrote a reply."""

    DESK = "desk"  # "the desk": no name at all (the default)
    FIRST_NAME = "first_name"  # the first word of the staff member's display name, else "the desk"


@dataclass(frozen=True, slots=True)
class RequestTypeRule:
    channels: frozenset[Channel]
    fee_yen: int = 0
    fee_instrument: str | None = None
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccreditedOrg:
    name: str
    short_name: str
    office: str = ""
    postal_address: str = ""
    phone: str = ""
    hours: str = ""  # as the organisation states them, for people
    # When the organisation is open to receive an answer (APPI Art. 53 inquiries): JUAS 10:00-16:00
    # on weekdays, closed on holidays and over the new year. An answer due on a date is due by its close.
    opening: Mapping[int, tuple[OpeningWindow, ...]] = field(default_factory=dict)
    closures: tuple[RecurringClosure, ...] = ()

    def calendar_spec(self, timezone: str) -> CalendarSpec | None:
        if not self.opening:
            return None
        return CalendarSpec(timezone=timezone, hours=self.opening, closures=self.closures)


@dataclass(frozen=True, slots=True)
class Desk:
    slug: str
    name: str
    company: str
    language: Language
    timezone: str
    reference_prefix: str
    inbox: str
    manager_title: str
    hours: Mapping[int, tuple[OpeningWindow, ...]]  # weekday (Mon=0) -> windows
    closures: tuple[RecurringClosure, ...] = ()
    phone: str = ""
    postal_address: str = ""
    request_types: Mapping[RequestType, RequestTypeRule] = field(default_factory=dict)
    document_validity: Mapping[str, Validity] = field(default_factory=dict)
    procedure: Procedure = field(default_factory=Procedure)
    policy_url: str = ""  # the published privacy policy, linked from the public form (APPI Art. 21(2))
    accredited_org: AccreditedOrg | None = None
    joint_use: Mapping[str, str] = field(default_factory=dict)
    holiday_country: str = "JP"
    closed_dates: frozenset[date] = frozenset()
    open_dates: Mapping[date, tuple[OpeningWindow, ...]] = field(default_factory=dict)
    policies: Mapping[Category, Mapping[ClockKind, Target]] = field(default_factory=lambda: DEFAULT_POLICIES)
    escalation: Escalation = field(default_factory=lambda: Escalation(DEFAULT_STAGES))
    mail: MailRules = field(default_factory=MailRules)
    imap: ImapAccount | None = None
    staff_names_on_status_page: StaffNames = StaffNames.DESK
    reply_templates: tuple[ReplyTemplate, ...] = ()  # canned replies per language (domain/reply_templates.py)

    @property
    def inbox_domain(self) -> str:
        return self.inbox.rsplit("@", 1)[1]

    @property
    def weekday_hours(self) -> tuple[tuple[str, str], ...]:
        """("9:30", "12:00") pairs when Monday to Friday share their windows and the weekend is closed
        (how both seed desks state their hours); () when the week is shaped otherwise."""
        days = [tuple(self.hours.get(d, ())) for d in range(7)]
        if any(days[5:]) or len(set(days[:5])) != 1 or not days[0]:
            return ()
        return tuple((_hhmm(w.start), "24:00" if w.end == time.max else _hhmm(w.end)) for w in days[0])

    @property
    def addresses(self) -> frozenset[str]:
        """Every address that delivers to this desk (the inbox and its aliases), lower-case."""
        return frozenset({self.inbox, *self.mail.aliases})

    def calendar_spec(self) -> CalendarSpec:
        return CalendarSpec(
            timezone=self.timezone,
            hours=self.hours,
            closures=self.closures,
            closed_dates=self.closed_dates,
            open_dates=self.open_dates,
            holiday_country=self.holiday_country,
        )


def _str(table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{where}.{key}", "is required")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key}", f"must be a non-empty string, got {value!r}")
    return value.strip()


def _clock(hh: str, mm: str, where: str) -> time:
    h, m = int(hh), int(mm)
    if h == 24 and m == 0:
        return time.max
    if h > 23 or m > 59:
        raise ConfigError(where, f"{hh}:{mm} is not a time of day")
    return time(h, m)


def _windows(windows: Any, where: str) -> tuple[OpeningWindow, ...]:
    if not isinstance(windows, list):
        raise ConfigError(where, 'must be a list of "HH:MM-HH:MM" strings')
    parsed: list[OpeningWindow] = []
    for raw in windows:
        match = WINDOW_RE.fullmatch(raw) if isinstance(raw, str) else None
        if match is None:
            raise ConfigError(where, f'{raw!r} is not "HH:MM-HH:MM"')
        start = _clock(match.group(1), match.group(2), where)
        end = _clock(match.group(3), match.group(4), where)
        if end <= start:
            raise ConfigError(where, f"{raw!r} ends before it starts")
        if parsed and start < parsed[-1].end:
            raise ConfigError(where, f"{raw!r} overlaps or is out of order")
        parsed.append(OpeningWindow(start, end))
    return tuple(parsed)


def _hours(table: Any, where: str) -> dict[int, tuple[OpeningWindow, ...]]:
    if not isinstance(table, Mapping):
        raise ConfigError(where, 'must be a table of weekday = ["HH:MM-HH:MM", ...]')
    result: dict[int, tuple[OpeningWindow, ...]] = {}
    for day, windows in table.items():
        if day not in WEEKDAYS:
            raise ConfigError(f"{where}.{day}", f"unknown weekday; use one of {', '.join(WEEKDAYS)}")
        result[WEEKDAYS.index(day)] = _windows(windows, f"{where}.{day}")
    if not any(result.values()):
        raise ConfigError(where, "the desk is never open")
    return result


def _date(raw: str, where: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(where, f"{raw!r} is not a date (YYYY-MM-DD)") from None


def parse_closed_dates(raw: Any, where: str) -> frozenset[date]:
    """One-off closures: "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" (inclusive)."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ConfigError(where, 'must be a list of "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" strings')
    days: set[date] = set()
    for item in raw:
        first_raw, dots, last_raw = item.partition("..")
        try:
            first = date.fromisoformat(first_raw.strip())
            last = date.fromisoformat(last_raw.strip()) if dots else first  # "2026-08-13.." is a typo
        except ValueError:
            raise ConfigError(where, f'{item!r} is not "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD"') from None
        if last < first or (last - first).days > 366:
            raise ConfigError(where, f"{item!r} is not a range of at most a year")
        days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return frozenset(days)


def parse_open_dates(raw: Any, where: str) -> dict[date, tuple[OpeningWindow, ...]]:
    """One-off openings (or changed hours): "YYYY-MM-DD" = ["HH:MM-HH:MM", ...]; wins over closures."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(where, 'must be a table of "YYYY-MM-DD" = ["HH:MM-HH:MM", ...]')
    return {_date(k, f"{where}.{k}"): _windows(v, f"{where}.{k}") for k, v in raw.items()}


def _closures(raw: Any, where: str) -> tuple[RecurringClosure, ...]:
    if raw is None:
        return (RecurringClosure((12, 29), (1, 3)),)  # docs/business-time.md default year-end closure
    if not isinstance(raw, list):
        raise ConfigError(where, 'must be a list of "MM-DD..MM-DD" strings')
    result = []
    for item in raw:
        match = CLOSURE_RE.match(item) if isinstance(item, str) else None
        if match is None:
            raise ConfigError(where, f'{item!r} is not "MM-DD..MM-DD"')
        start = (int(match.group(1)), int(match.group(2)))
        end = (int(match.group(3)), int(match.group(4)))
        for month, day in (start, end):
            try:
                date(2024, month, day)  # a leap year, so 02-29 is allowed
            except ValueError:
                raise ConfigError(where, f"{item!r} has an impossible date") from None
        result.append(RecurringClosure(start, end))
    return tuple(result)


def _request_types(table: Any, where: str) -> dict[RequestType, RequestTypeRule]:
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError(where, "must be a table keyed by request type")
    rules: dict[RequestType, RequestTypeRule] = {}
    for key, rule in table.items():
        here = f"{where}.{key}"
        try:
            kind = RequestType(key)
        except ValueError:
            raise ConfigError(here, f"unknown request type; use one of {', '.join(RequestType)}") from None
        if not isinstance(rule, Mapping):
            raise ConfigError(here, "must be a table")
        channels_raw = rule.get("channels", [c.value for c in Channel])
        try:
            channels = frozenset(Channel(c) for c in channels_raw)
        except (ValueError, TypeError):
            raise ConfigError(f"{here}.channels", f"{channels_raw!r}: use {', '.join(Channel)}") from None
        fee = rule.get("fee_yen", 0)
        if not isinstance(fee, int) or isinstance(fee, bool) or fee < 0:
            raise ConfigError(f"{here}.fee_yen", f"must be a whole number of yen >= 0, got {fee!r}")
        if fee and kind not in FEE_ALLOWED:
            # APPI Art. 38: no fee may be charged for correction, suspension or stop of provision.
            raise ConfigError(f"{here}.fee_yen", "APPI Art. 38 allows a fee only for notification and disclosure")
        instrument = rule.get("fee_instrument")
        if instrument is not None and instrument not in FEE_INSTRUMENTS:
            raise ConfigError(f"{here}.fee_instrument", f"use one of {', '.join(sorted(FEE_INSTRUMENTS))}")
        documents = rule.get("documents", [])
        if not isinstance(documents, list) or any(d not in DOCUMENT_KINDS for d in documents):
            raise ConfigError(f"{here}.documents", f"use a list of {', '.join(sorted(DOCUMENT_KINDS))}")
        rules[kind] = RequestTypeRule(channels, fee, instrument, tuple(documents))
    return rules


def _hhmm(t: time) -> str:
    return f"{t.hour}:{t.minute:02d}"


def parse_desk(slug: str, table: Any, where: str) -> Desk:
    """Validate one `[desks.<slug>]` table."""
    if not SLUG_RE.match(slug):
        raise ConfigError(where, "desk slugs are lower-case letters, digits and '-'")
    if not isinstance(table, Mapping):
        raise ConfigError(where, "must be a table")
    language_raw = _str(table, "language", where)
    try:
        language = Language(language_raw)
    except ValueError:
        raise ConfigError(f"{where}.language", f"{language_raw!r}: use ja or en") from None
    tz = _str(table, "timezone", where)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}.timezone", f"{tz!r} is not an IANA time zone") from None
    prefix = _str(table, "reference_prefix", where)
    if not re.fullmatch(r"[A-Z]{2,6}", prefix):
        raise ConfigError(f"{where}.reference_prefix", "must be 2-6 upper-case letters")
    inbox = _str(table, "inbox", where)
    if not EMAIL_RE.match(inbox):
        raise ConfigError(f"{where}.inbox", f"{inbox!r} is not an e-mail address")
    org = table.get("accredited_org")
    accredited = None
    if org is not None:
        if not isinstance(org, Mapping):
            raise ConfigError(f"{where}.accredited_org", "must be a table")
        accredited = AccreditedOrg(
            name=_str(org, "name", f"{where}.accredited_org"),
            short_name=_str(org, "short_name", f"{where}.accredited_org"),
            office=_str(org, "office", f"{where}.accredited_org", required=False),
            postal_address=_str(org, "postal_address", f"{where}.accredited_org", required=False),
            phone=_str(org, "phone", f"{where}.accredited_org", required=False),
            hours=_str(org, "hours", f"{where}.accredited_org", required=False),
            opening=_hours(org["opening"], f"{where}.accredited_org.opening") if "opening" in org else {},
            closures=_closures(org.get("closures", []), f"{where}.accredited_org.closures"),
        )
    joint_use = table.get("joint_use", {})
    if not isinstance(joint_use, Mapping):
        raise ConfigError(f"{where}.joint_use", "must be a table")
    if "hours" not in table:
        raise ConfigError(f"{where}.hours", "is required")
    return Desk(
        slug=slug,
        name=_str(table, "name", where),
        company=_str(table, "company", where, required=False) or _str(table, "name", where),
        language=language,
        timezone=tz,
        reference_prefix=prefix,
        inbox=inbox.lower(),
        manager_title=_str(table, "manager_title", where),
        hours=_hours(table["hours"], f"{where}.hours"),
        closures=_closures(table.get("closures"), f"{where}.closures"),
        phone=_str(table, "phone", where, required=False),
        policy_url=_str(table, "policy_url", where, required=False),
        postal_address=_str(table, "postal_address", where, required=False),
        request_types=_request_types(table.get("request_types"), f"{where}.request_types"),
        document_validity=parse_validities(table.get("documents"), f"{where}.documents"),
        procedure=parse_procedure(table.get("procedure"), table.get("requesters"), where),
        accredited_org=accredited,
        joint_use={str(k): str(v) for k, v in joint_use.items()},
        holiday_country=_holiday_country(table.get("holidays", "JP"), f"{where}.holidays"),
        closed_dates=parse_closed_dates(table.get("closed_dates"), f"{where}.closed_dates"),
        open_dates=parse_open_dates(table.get("open_dates"), f"{where}.open_dates"),
        policies=parse_policies(table.get("policies"), f"{where}.policies"),
        escalation=parse_escalation(table.get("escalation"), f"{where}.escalation"),
        mail=parse_mail_rules(table.get("mail"), f"{where}.mail"),
        imap=parse_imap(table.get("imap"), f"{where}.imap"),
        staff_names_on_status_page=_staff_names(table.get("staff_names_on_status_page"), where),
        reply_templates=parse_reply_templates(table.get("reply_templates"), f"{where}.reply_templates"),
    )


def _staff_names(raw: Any, where: str) -> StaffNames:
    if raw is None:
        return StaffNames.DESK
    try:
        return StaffNames(raw)
    except ValueError:
        use = " or ".join(f'"{n.value}"' for n in StaffNames)
        raise ConfigError(f"{where}.staff_names_on_status_page", f"{raw!r}: use {use}") from None


def _holiday_country(raw: Any, where: str) -> str:
    """A country code known to the holidays package ("JP"), or "" for no public holidays."""
    if raw == "":
        return ""
    if not isinstance(raw, str) or raw.upper() not in _COUNTRY_CODES:
        raise ConfigError(where, f'{raw!r} is not a country code the holidays package knows (e.g. "JP"), or ""')
    return raw.upper()


def parse_desks(data: Mapping[str, Any], source: str) -> dict[str, Desk]:
    """Validate a whole desks file; `source` names the file in error messages."""
    desks = data.get("desks")
    if not isinstance(desks, Mapping) or not desks:
        raise ConfigError(f"{source}: desks", "at least one [desks.<slug>] table is required")
    result = {slug: parse_desk(slug, table, f"{source}: desks.{slug}") for slug, table in desks.items()}
    seen: set[tuple[str, str]] = set()
    for desk in result.values():
        pairs = [("reference_prefix", desk.reference_prefix)] + [("inbox", a) for a in sorted(desk.addresses)]
        for key, value in pairs:
            if (key, value) in seen:
                raise ConfigError(f"{source}: desks.{desk.slug}.{key}", f"{value!r} is used by another desk")
            seen.add((key, value))
    return result
