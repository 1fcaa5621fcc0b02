"""The admin rules (ticketing/domain/admin.py): who may manage whom, the last-admin rule, validation,
and what the audit log refuses to hold. Table-driven, the refused cases listed with the allowed."""

from __future__ import annotations

import pytest

from ticketing.domain import admin as rules
from ticketing.domain.admin import AdminRefused, MembershipState
from ticketing.domain.errors import Forbidden, ValidationFailed
from ticketing.domain.staff import Role

ME, OTHER, THIRD = 1, 2, 3


def state(
    user: int = OTHER,
    current: str | None = "admin",
    admins: frozenset[int] = frozenset({ME, OTHER}),
    active: bool = True,
    actor_admin_desks: int = 1,
) -> MembershipState:
    return MembershipState("relia", user, active, current, admins, ME, actor_admin_desks)


@pytest.mark.parametrize(
    ("case", "new_role", "refusal"),
    [
        (state(), Role.AGENT, None),  # another admin remains (me)
        (state(), None, None),
        (state(admins=frozenset({OTHER})), Role.MANAGER, rules.LAST_ADMIN),  # the only admin demoted
        (state(admins=frozenset({OTHER})), None, rules.LAST_ADMIN),  # ... or removed
        (state(admins=frozenset({OTHER})), Role.ADMIN, None),  # admin stays admin
        (state(current="agent", admins=frozenset({OTHER})), None, None),  # an agent leaves: no admin lost
        (state(current=None, admins=frozenset()), Role.AGENT, None),  # joining never loses an admin
        (state(active=False, admins=frozenset({ME})), None, None),  # an inactive admin counts for nothing
        (state(user=ME), Role.AGENT, rules.OWN_LAST_ADMIN),  # my last admin membership, others remain
        (state(user=ME, actor_admin_desks=2), Role.AGENT, None),  # I stay admin of another desk
        (state(user=ME, admins=frozenset({ME})), None, rules.LAST_ADMIN),
    ],
)
def test_membership_changes(case: MembershipState, new_role: Role | None, refusal: str | None) -> None:
    if refusal is None:
        rules.check_membership_change(case, new_role)
    else:
        with pytest.raises(AdminRefused) as refused:
            rules.check_membership_change(case, new_role)
        assert refused.value.what == refusal


@pytest.mark.parametrize(
    ("user", "admins_by_desk", "refusal"),
    [
        (OTHER, {}, None),  # an agent anywhere
        (OTHER, {"relia": frozenset({ME, OTHER})}, None),
        (OTHER, {"relia": frozenset({OTHER})}, rules.LAST_ADMIN),
        (OTHER, {"relia": frozenset({ME, OTHER}), "rext-cs": frozenset({OTHER})}, rules.LAST_ADMIN),
        (OTHER, {"relia": frozenset({THIRD})}, None),  # they are no longer counted: nothing lost
        (ME, {"relia": frozenset({ME, OTHER})}, rules.SELF_DEACTIVATION),
    ],
)
def test_deactivation(user: int, admins_by_desk: dict[str, frozenset[int]], refusal: str | None) -> None:
    if refusal is None:
        rules.check_deactivation(user, ME, admins_by_desk)
    else:
        with pytest.raises(AdminRefused) as refused:
            rules.check_deactivation(user, ME, admins_by_desk)
        assert refused.value.what == refusal


def test_last_admin_message_names_the_desk() -> None:
    with pytest.raises(AdminRefused) as refused:
        rules.check_deactivation(OTHER, ME, {"rext-cs": frozenset({OTHER})})
    assert str(refused.value) == rules.LAST_ADMIN % {"desk": "rext-cs"}


@pytest.mark.parametrize(
    ("admin_desks", "user_roles", "see", "grant"),
    [
        ({"relia"}, {"relia": "agent"}, True, True),
        ({"relia"}, {"relia": "agent", "rext-cs": "agent"}, True, False),  # a token would reach rext-cs
        ({"relia", "rext-cs"}, {"relia": "agent", "rext-cs": "admin"}, True, True),
        ({"relia"}, {"rext-cs": "agent"}, False, False),
        ({"relia"}, {}, False, False),  # a user of no desk is nobody's
    ],
)
def test_who_may_manage_whom(admin_desks: set[str], user_roles: dict[str, str], see: bool, grant: bool) -> None:
    assert rules.may_see(frozenset(admin_desks), user_roles) is see
    assert rules.may_grant(frozenset(admin_desks), user_roles) is grant


def test_only_admins_and_only_their_desks() -> None:
    assert rules.require_admin({"relia": "admin", "rext-cs": "agent"}) == {"relia"}
    for roles in ({}, {"relia": "manager"}, {"relia": "agent", "rext-cs": "manager"}):
        with pytest.raises(Forbidden):
            rules.require_admin(roles)
    rules.require_desk(frozenset({"relia"}), "relia")
    with pytest.raises(Forbidden):
        rules.require_desk(frozenset({"relia"}), "rext-cs")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("  山田 花子 ", "山田 花子"), ("", ""), ("e\u0301", "\u00e9"), ("x" * 200, "x" * 200)],
)
def test_display_names(raw: str, stored: str) -> None:
    assert rules.display_name(raw) == stored


@pytest.mark.parametrize("raw", ["two\nlines", "tab\there", "bell\x07", "x" * 201, "line\u2028sep"])
def test_refused_display_names(raw: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        rules.display_name(raw)
    assert set(refused.value.errors) == {"display_name"}


def test_roles() -> None:
    assert [rules.parse_role(r) for r in ("agent", " manager ", "admin")] == [Role.AGENT, Role.MANAGER, Role.ADMIN]
    for raw in ("", "owner", "Admin"):
        with pytest.raises(ValidationFailed):
            rules.parse_role(raw)


@pytest.mark.parametrize(
    ("target", "detail", "ok"),
    [
        ("agent@relia.test", {"old_role": "agent", "new_role": "manager"}, True),
        ("tkt_AbCdEfGh", {"user": "agent@relia.test"}, True),  # a prefix is fine
        ("agent@relia.test", {"password": "x"}, False),
        ("agent@relia.test", {"new_password_hash": "x"}, False),
        ("agent@relia.test", {"token": "x"}, False),
        ("tkt_" + "A" * 43, {}, False),  # a whole token as target
        ("agent@relia.test", {"note": "here: tkt_" + "b" * 43}, False),
        ("agent@relia.test", {"nested": {"a": 1}}, False),
        ("agent@relia.test", {"long": "x" * 501}, False),
        ("x" * 255, {}, False),
    ],
)
def test_the_audit_log_holds_no_secret(target: str, detail: dict[str, object], ok: bool) -> None:
    if ok:
        rules.check_audit_entry(target, detail)
    else:
        with pytest.raises(ValidationFailed):
            rules.check_audit_entry(target, detail)
