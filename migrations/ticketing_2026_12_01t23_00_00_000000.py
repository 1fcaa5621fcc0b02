"""Vocabularies as choices (issue 10): roles, ticket channel, category, state and language, message kinds,
event actions, mail kinds and outbox statuses are the domain's enums. Piccolo's choices are not a
database constraint, so nothing changes in the schema; the migration keeps Piccolo's record of the
tables in step with ticketing/db/tables.py."""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-01T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "domain vocabularies as column choices"

Role = Enum("Role", {"AGENT": "agent", "MANAGER": "manager", "ADMIN": "admin"})
Language = Enum("Language", {"JA": "ja", "EN": "en"})
Channel = Enum("Channel", {"WEB": "web", "EMAIL": "email", "PHONE": "phone", "POST": "post", "API": "api"})
Category = Enum(
    "Category",
    {
        "INQUIRY": "inquiry",
        "COMPLAINT": "complaint",
        "REQUEST": "request",
        "ACCREDITED_ORG_INQUIRY": "accredited_org_inquiry",
        "INCIDENT": "incident",
    },
)
State = Enum(
    "State",
    {
        "RECEIVED": "received",
        "TRIAGE": "triage",
        "AWAITING_FORMAL_REQUEST": "awaiting_formal_request",
        "AWAITING_DOCUMENTS": "awaiting_documents",
        "IDENTITY_VERIFICATION": "identity_verification",
        "FEE_CHECK": "fee_check",
        "IN_PROGRESS": "in_progress",
        "DECISION_PENDING": "decision_pending",
        "RESPONDED": "responded",
        "FORWARDED": "forwarded",
        "CLOSED": "closed",
        "WITHDRAWN": "withdrawn",
        "REJECTED": "rejected",
    },
)
MessageKind = Enum("MessageKind", {"NORMAL": "normal", "AUTO": "auto", "BOUNCE": "bounce"})
EventAction = Enum(
    "EventAction",
    {
        "CREATED": "created",
        "CONTACT_DETAILS_DIFFER": "contact_details_differ",
        "CONTACT_DETAILS_CONFIRMED": "contact_details_confirmed",
        "REPLIED": "replied",
        "ASSIGNED": "assigned",
        "MAIL_RECEIVED": "mail_received",
        "AUTO_MAIL_RECEIVED": "auto_mail_received",
        "DELIVERY_DELAYED": "delivery_delayed",
        "DELIVERY_FAILED": "delivery_failed",
        "PARTICIPANT_ADDED": "participant_added",
        "PARTICIPANT_REMOVED": "participant_removed",
        "SLA_WARNING": "sla_warning",
        "SLA_BREACHED": "sla_breached",
        "TRIAGE": "triage",
        "REQUEST_FORMAL_REQUEST": "request_formal_request",
        "REQUEST_DOCUMENTS": "request_documents",
        "VERIFY_IDENTITY": "verify_identity",
        "CHECK_FEE": "check_fee",
        "START_WORK": "start_work",
        "ASK_DECISION": "ask_decision",
        "RESPOND": "respond",
        "FORWARD": "forward",
        "CLOSE": "close",
        "WITHDRAW": "withdraw",
        "REJECT": "reject",
        "REOPEN": "reopen",
        "REQUESTER_REPLIED": "requester_replied",
    },
)
MailKind = Enum(
    "MailKind",
    {
        "TICKET_RECEIVED": "ticket-received",
        "AGENT_REPLY": "agent-reply",
        "AWAITING_DOCUMENTS": "awaiting-documents",
        "STATUS_CHANGED": "status-changed",
        "TICKET_RESOLVED": "ticket-resolved",
        "MAIL_TOO_LARGE": "mail-too-large",
        "SLA_WARNING": "sla-warning",
        "SLA_BREACHED": "sla-breached",
        "DELIVERY_FAILED": "delivery-failed",
    },
)
OutboxStatus = Enum("OutboxStatus", {"PENDING": "pending", "SENDING": "sending", "SENT": "sent", "FAILED": "failed"})


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ticketing", description=DESCRIPTION)
    manager.alter_column(
        table_class_name="DeskMembership",
        tablename="desk_membership",
        column_name="role",
        db_column_name="role",
        params={"choices": Role},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Requester",
        tablename="requester",
        column_name="language",
        db_column_name="language",
        params={"choices": Language},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="channel",
        db_column_name="channel",
        params={"choices": Channel},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="category",
        db_column_name="category",
        params={"choices": Category},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="state",
        db_column_name="state",
        params={"choices": State},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="language",
        db_column_name="language",
        params={"choices": Language},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Message",
        tablename="message",
        column_name="kind",
        db_column_name="kind",
        params={"choices": MessageKind},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Event",
        tablename="event",
        column_name="action",
        db_column_name="action",
        params={"choices": EventAction},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Outbox",
        tablename="outbox",
        column_name="kind",
        db_column_name="kind",
        params={"choices": MailKind},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Outbox",
        tablename="outbox",
        column_name="status",
        db_column_name="status",
        params={"choices": OutboxStatus},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    return manager
