"""The audit log of administrative changes (`admin_event`): users, memberships, roles, API tokens,
and whatever else an admin changes (desk settings record here too).

The actor and the user concerned are plain integers with the actor's e-mail copied in, not foreign
keys: a foreign key would either cascade (deleting a user would delete the record of what was done to
them or by them) or forbid ever deleting a user; an audit log outlives both. The desk is its slug,
as the desks file names it, so an event stays readable after a desk leaves the file.
"""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class AdminEvent(Table, tablename="admin_event"):
    id = Serial(primary_key=True)
    at = Timestamptz()
    actor_id = Integer()
    actor_email = Varchar(length=254)
    desk = Varchar(length=40, null=True, default=None)  # None: the change concerns no one desk
    action = Varchar(length=60)
    target = Varchar(length=254)  # an e-mail or a token prefix; never a password or a token
    subject_user = Integer(null=True, default=None)  # the staff user the change concerns, if any
    detail = JSON(default={})


ADMIN_TABLES: list[type[Table]] = [AdminEvent]

__all__ = ["ADMIN_TABLES", "AdminEvent"]
