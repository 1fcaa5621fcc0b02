"""What the ticket page shows of the request workflow, and the staff pages' language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request

from ticketing.domain.decisions import DecisionStatus, Outcome
from ticketing.domain.documents import DocumentKind
from ticketing.domain.errors import DomainError, ValidationFailed
from ticketing.domain.fees import Instrument
from ticketing.domain.forwarding import Basis
from ticketing.domain.incidents import duties
from ticketing.domain.procedure import RequesterKind
from ticketing.domain.referrals import InquiryOutcome, Referral, ReferralKind, inquiry_clock_of
from ticketing.domain.requests import NoticeMethod
from ticketing.domain.staff import MANAGER_ROLES, Role
from ticketing.domain.tickets import TRANSITIONS, Action, RequestType, State
from ticketing.services.ports import Principal, TicketDetail
from ticketing.services.requests import CLASSIFIABLE, LoggedChannel
from ticketing.web.i18n import LANGUAGES, translations

LANG_COOKIE = "staff_lang"


def staff_language(request: Request[Any, Any, Any]) -> str:
    """?lang= (remembered in a cookie by the page), then the cookie, then the browser's first choice."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGUAGES:
        return str(asked)
    accept = request.headers.get("accept-language", "")
    return "ja" if accept.strip().lower().startswith("ja") else "en"


def _messages(error: DomainError | None, gettext: Any) -> list[str]:
    """The refusal's messages in the page's language (those the catalog has; the rest as they are)."""
    if error is None:
        return []
    texts = list(error.errors.values()) if isinstance(error, ValidationFailed) else [str(error)]
    return [gettext(t) for t in texts]


def case_context(
    t: TicketDetail, desk: Any, principal: Principal, lang: str, *, error: DomainError | None = None
) -> dict[str, Any]:
    """The ticket page's context: the ticket, its case, and the choices each form offers."""
    zone = ZoneInfo(desk.timezone)
    state = State(t.summary.state)
    role = principal.roles.get(t.summary.desk)
    manager = role is not None and Role(role) in MANAGER_ROLES

    def local(at: datetime | None) -> str:
        return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""

    gettext = translations(lang).gettext

    def answer_by(referral: Referral) -> str:
        """When the answer must reach the organisation: its clock's due instant."""
        clock = inquiry_clock_of(referral, t.clocks, running=False)
        return local(clock.due_at) if clock is not None else ""

    def label(kind: str, value: object) -> str:
        """A vocabulary value in words: the catalog's "kind:value", else the value spelled out."""
        key = f"{kind}:{value}"
        said = gettext(key)
        return said if said != key else str(value).replace("_", " ")

    return {
        "_": gettext,
        "label": label,
        "answer_by": answer_by,
        "lang": lang,
        "principal": principal,
        "t": t,
        "case": t.case,
        "desk": desk,
        "local": local,
        "zone": desk.timezone,
        "errors": _messages(error, gettext),
        "manager": manager,
        "actions": sorted(a.value for (s, a) in TRANSITIONS if s is state and a is not Action.REQUESTER_REPLIED),
        "classifiable": state in CLASSIFIABLE,
        "request_types": [r.value for r in (desk.request_types or RequestType)],
        "requester_kinds": [k.value for k in RequesterKind],
        "document_kinds": [k.value for k in DocumentKind if k is not DocumentKind.MY_NUMBER_CARD_BACK],
        "instruments": [i.value for i in Instrument],
        "outcomes": [o.value for o in Outcome],
        "channels": [c.value for c in LoggedChannel],
        "notice_methods": [m.value for m in NoticeMethod],
        "referral_kinds": [k.value for k in ReferralKind],
        "inquiry_outcomes": [o.value for o in InquiryOutcome],
        "pending": DecisionStatus.PENDING,
        "bases": [b.value for b in Basis],
        "incident_duties": duties(t.case.incident) if t.case.incident else (),
        "user_id": principal.user_id,
    }


__all__ = ["LANG_COOKIE", "case_context", "staff_language"]
