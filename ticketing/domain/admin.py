"""Who may manage which staff accounts, and the rules that keep every desk administrable.

The reasoning, in one place:

- **An admin acts on the desks where they are admin, and only there.** Memberships are per desk, so
  an admin adds, changes and removes memberships of their own desks only; another desk's
  memberships of the same user are not theirs to see or change (the pages show only how many there
  are, so the admin knows the account reaches further than their desks).
- **Granting needs authority over everything granted; taking away needs one shared desk.** An API
  token, or reactivating an account, gives access on every desk the user belongs to. If the admin of
  one desk could mint a token for a user who also works another desk, they could read that other
  desk's tickets as that user: so creating a token and reactivating need the admin to administer
  every desk of the user. Revoking a token, deactivating, or naming an agent only narrows or
  describes access, so one shared desk is enough (a leaving agent must be stoppable by any of their
  desks' admins), and the change is on the log that every desk of the user's admins reads.
- **No desk is left without an active admin** (APPI Art. 23, security control measures: somebody
  must always be able to change who holds access, and to take it away). A change that would leave
  a desk with no active admin (demoting or removing its last admin, deactivating the last active
  admin of any desk of the user) is refused.
- **An admin does not lock themselves out**: they cannot deactivate themselves, nor give up their
  own last admin membership (they would lose these pages in the middle of their work; another admin
  can do it for them).

Pure functions only: the store reads the facts inside its transaction, these decide.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ticketing.domain.errors import Conflict, Forbidden, ValidationFailed
from ticketing.domain.staff import Role


class AdminAction(StrEnum):
    """What an audit-log event records of the admin pages (desk settings add their own codes)."""

    USER_ADDED = "user_added"
    MEMBERSHIP_ADDED = "membership_added"
    ROLE_CHANGED = "role_changed"
    MEMBERSHIP_REMOVED = "membership_removed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    DISPLAY_NAME_SET = "display_name_set"
    TOKEN_CREATED = "token_created"  # noqa: S105
    TOKEN_REVOKED = "token_revoked"  # noqa: S105


# Refusals: msgids of the page catalogs (web/locale), with %(name)s placeholders for their params.
ADMINS_ONLY = "Only a desk's admins may manage its users."
NOT_YOUR_DESK = "You are not an admin of this desk."
NOT_YOUR_USER = "No such user on the desks you administer."
GRANT_NEEDS_ALL_DESKS = (
    "This user also belongs to desks you do not administer: only an admin of all their desks may do this."
)
LAST_ADMIN = "The desk %(desk)s would be left without an active admin. Make someone else its admin first."
OWN_LAST_ADMIN = "This is your last admin membership: another admin must change it."
SELF_DEACTIVATION = "You cannot deactivate your own account: another admin must do it."
ALREADY_MEMBER = "This user already belongs to the desk %(desk)s; change their role there instead."
NOT_A_MEMBER = "This user does not belong to the desk %(desk)s."
UNKNOWN_ROLE = "Choose agent, manager or admin."
DISPLAY_NAME_TOO_LONG = "A display name has at most 200 characters."
DISPLAY_NAME_CONTROL = "A display name cannot contain line breaks or control characters."
TOKEN_NOT_FOUND = "No such API token of this user."  # noqa: S105
TOKEN_ALREADY_REVOKED = "This API token is revoked already."  # noqa: S105
INACTIVE_USER = "This account is deactivated: reactivate it first."

MAX_DISPLAY_NAME = 200  # staff_user.display_name is Varchar(200)


@dataclass
class AdminRefused(Conflict):
    """A change refused by a rule above (409): `what` is the msgid, `params` fill its placeholders."""

    params: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.what % dict(self.params) if self.params else self.what


def administered(roles: Mapping[str, str]) -> frozenset[str]:
    """The desks where these roles make their holder an admin."""
    return frozenset(desk for desk, role in roles.items() if role == Role.ADMIN)


def require_admin(roles: Mapping[str, str]) -> frozenset[str]:
    """The caller's admin desks; an agent or manager everywhere is refused (403)."""
    desks = administered(roles)
    if not desks:
        raise Forbidden(ADMINS_ONLY)
    return desks


def require_desk(admin_desks: frozenset[str], desk: str) -> None:
    if desk not in admin_desks:
        raise Forbidden(NOT_YOUR_DESK)


def may_see(admin_desks: frozenset[str], user_roles: Mapping[str, str]) -> bool:
    """A user is an admin's to see (and to narrow) when they share at least one desk."""
    return not admin_desks.isdisjoint(user_roles)


def may_grant(admin_desks: frozenset[str], user_roles: Mapping[str, str]) -> bool:
    """A token or a reactivation reaches every desk of the user: the admin must administer them all."""
    return bool(user_roles) and set(user_roles) <= admin_desks


def parse_role(raw: str) -> Role:
    try:
        return Role(raw.strip())
    except ValueError:
        raise ValidationFailed({"role": UNKNOWN_ROLE}) from None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def display_name(raw: str) -> str:
    """A display name as stored: NFC, trimmed, one line, at most 200 characters; "" means none."""
    name = unicodedata.normalize("NFC", raw).strip()
    if _CONTROL.search(name):
        raise ValidationFailed({"display_name": DISPLAY_NAME_CONTROL})
    if len(name) > MAX_DISPLAY_NAME:
        raise ValidationFailed({"display_name": DISPLAY_NAME_TOO_LONG})
    return name


@dataclass(frozen=True, slots=True)
class MembershipState:
    """The facts a membership change is decided on, read under the desk's lock."""

    desk: str
    user_id: int
    user_active: bool
    current_role: str | None  # None: not a member of the desk
    active_admins: frozenset[int]  # active users who are admin of the desk now
    actor_id: int
    actor_admin_desks: int  # how many admin memberships the actor holds (all desks)


def check_membership_change(state: MembershipState, new_role: Role | None) -> None:
    """Refuse a change (new_role None: removal) that leaves the desk without an active admin, or takes
    the actor's own last admin membership."""
    losing_admin = state.current_role == Role.ADMIN and new_role is not Role.ADMIN
    if not losing_admin:
        return
    if state.user_active and not (state.active_admins - {state.user_id}):
        raise AdminRefused(LAST_ADMIN, {"desk": state.desk})
    if state.user_id == state.actor_id and state.actor_admin_desks <= 1:
        raise AdminRefused(OWN_LAST_ADMIN)


def check_deactivation(user_id: int, actor_id: int, admins_by_desk: Mapping[str, frozenset[int]]) -> None:
    """Refuse deactivating oneself, or the last active admin of any desk (`admins_by_desk`: the desks
    where the user is admin, each with its active admins)."""
    if user_id == actor_id:
        raise AdminRefused(SELF_DEACTIVATION)
    for desk, admins in sorted(admins_by_desk.items()):
        if not (admins - {user_id}):
            raise AdminRefused(LAST_ADMIN, {"desk": desk})


# The audit log never holds a secret: detail keys that name one are refused, and so is any text
# that looks like one of our API tokens (services/accounts.py makes them "tkt_" + 43 characters).
SECRET_KEYS = ("password", "token", "secret", "hash")
_TOKEN_TEXT = re.compile(r"tkt_[A-Za-z0-9_-]{20,}")
MAX_DETAIL_VALUE = 500
MAX_TARGET = 254


def check_audit_entry(target: str, detail: Mapping[str, object]) -> None:
    """An event's target and detail: short, scalar, and free of anything secret."""
    problems: dict[str, str] = {}
    if len(target) > MAX_TARGET or _TOKEN_TEXT.search(target):
        problems["target"] = "an e-mail address or a token prefix, at most 254 characters"
    for key, value in detail.items():
        if any(word in key.lower() for word in SECRET_KEYS):
            problems[key] = "a secret is never logged"
        elif not (value is None or isinstance(value, bool | int | str)):
            problems[key] = "a text, number, true/false or nothing"
        elif isinstance(value, str) and (len(value) > MAX_DETAIL_VALUE or _TOKEN_TEXT.search(value)):
            problems[key] = "a short text that holds no token"
    if problems:
        raise ValidationFailed(problems)


__all__ = [
    "ADMINS_ONLY",
    "AdminAction",
    "AdminRefused",
    "MembershipState",
    "administered",
    "check_audit_entry",
    "check_deactivation",
    "check_membership_change",
    "display_name",
    "may_grant",
    "may_see",
    "parse_role",
    "require_admin",
    "require_desk",
]
