"""Wires adapters to services from Settings (shared by create_app, the CLI and tests).

The intake half (what storing a ticket or an inbound mail needs) is built by
ticketing.intake_parts, which `ticketing mail ingest` uses alone; this adds everything else.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass

from ticketing.db.accounts import PiccoloAccountStore
from ticketing.db.admin import PiccoloAdminStore, PiccoloAuditStore
from ticketing.db.attachments import PiccoloAttachmentStore
from ticketing.db.cases import PiccoloCaseStore
from ticketing.db.contacts import PiccoloContactStore
from ticketing.db.dashboard import PiccoloDashboardStore
from ticketing.db.export import PiccoloExportStore
from ticketing.db.mail import PiccoloMailStore
from ticketing.db.mailboxes import PiccoloMailboxStates
from ticketing.db.metrics import PiccoloMetricsStore
from ticketing.db.outbox import PiccoloOutboxStore
from ticketing.db.participants import PiccoloParticipantStore
from ticketing.db.portal import PiccoloPortalStore
from ticketing.db.presence import PiccoloPresenceStore
from ticketing.db.queues import PiccoloQueueStore
from ticketing.db.reports import PiccoloReportStore
from ticketing.db.sla_report import PiccoloSlaReportStore
from ticketing.db.tickets import PiccoloTicketStore
from ticketing.db.workflow import PiccoloWorkflowStore
from ticketing.desks_file import load_desks
from ticketing.domain.desks import Desk
from ticketing.intake_parts import IntakeParts
from ticketing.mail.addresses import mailbox as address_syntax
from ticketing.mail.imap import ImapMailbox
from ticketing.mail.smtp import SmtpTransport
from ticketing.services.access import AccessLog
from ticketing.services.accounts import AccountService
from ticketing.services.admin import AdminService
from ticketing.services.attachments import AttachmentFiles
from ticketing.services.audit import AuditLog
from ticketing.services.calendars import CalendarService
from ticketing.services.contacts import ContactDetails
from ticketing.services.dashboard import Dashboard
from ticketing.services.decisions import DecisionDesk
from ticketing.services.desk_settings import DeskSettingsService
from ticketing.services.export import TicketExport
from ticketing.services.incidents import Incidents
from ticketing.services.intake import IntakeService
from ticketing.services.mail_intake import MailIntake
from ticketing.services.mail_log import MailLog
from ticketing.services.mail_poller import MailPoller
from ticketing.services.mail_ports import MailboxClient
from ticketing.services.metrics import Metrics
from ticketing.services.notice_letters import NoticeLetters
from ticketing.services.outbox import OutboxService
from ticketing.services.outbox_view import OutboxView
from ticketing.services.participants import Participants
from ticketing.services.ports import Clock, MailTransport
from ticketing.services.presence import Presence
from ticketing.services.referrals import ReferralDesk
from ticketing.services.reports import Reports
from ticketing.services.requester_portal import RequesterPortal
from ticketing.services.requests import RequestDesk
from ticketing.services.sla import SlaService
from ticketing.services.sla_reports import SlaReports
from ticketing.services.throttle import Throttle
from ticketing.services.ticket_workspace import TicketWorkspace
from ticketing.services.tickets import TicketQueries
from ticketing.services.workflow import TicketWorkflow
from ticketing.services.workspace import Workspace
from ticketing.settings import Settings


@dataclass
class Container:
    settings: Settings
    desks: dict[str, Desk]
    clock: Clock
    tickets: PiccoloTicketStore
    accounts_store: PiccoloAccountStore
    outbox_store: PiccoloOutboxStore
    intake: IntakeService
    queries: TicketQueries
    workspace: Workspace
    ticket_export: TicketExport
    metrics: Metrics
    accounts: AccountService
    outbox: OutboxService | None  # None when no SMTP relay is configured: mail waits in the outbox
    calendars: CalendarService
    sla: SlaService
    workflow: TicketWorkflow
    requests: RequestDesk
    decisions: DecisionDesk
    referrals: ReferralDesk
    reports: Reports
    sla_reports: SlaReports
    desk_settings: DeskSettingsService  # settings managers change in the browser, laid over `desks`
    incidents: Incidents
    letters: NoticeLetters
    mail_store: PiccoloMailStore
    mail: MailIntake
    mail_log: MailLog
    participants: Participants
    poller: MailPoller
    access: AccessLog
    throttle: Throttle
    outbox_view: OutboxView
    contacts: ContactDetails
    portal: RequesterPortal
    parts: IntakeParts
    # the agent's ticket page (web/ticket_pages.py)
    presence: Presence
    ticket_workspace: TicketWorkspace
    attachments: AttachmentFiles
    dashboard: Dashboard  # the managers' SLA dashboard (web/dashboard.py)
    audit: AuditLog  # administrative changes (services/audit.py)
    admin: AdminService  # the admin pages (web/admin_pages.py)

    def mailbox(self, desk: Desk, password: str) -> MailboxClient:
        """A session on the desk's IMAP inbox (opened by the poller)."""
        assert desk.imap is not None
        return ImapMailbox(desk.imap, password)

    @classmethod
    def build(
        cls, settings: Settings, *, clock: Clock | None = None, transport: MailTransport | None = None
    ) -> Container:
        parts = IntakeParts.build(settings, clock=clock)
        clock, desks, tickets, access = parts.clock, parts.desks, parts.tickets, parts.access
        accounts_store = PiccoloAccountStore()
        outbox_store = PiccoloOutboxStore()
        cases = PiccoloCaseStore()
        queries = TicketQueries(tickets, access, cases, desks)
        if transport is None and settings.smtp is not None:
            transport = SmtpTransport(settings.smtp)
        presence = Presence(PiccoloPresenceStore(), clock)
        accounts = AccountService(accounts_store, clock, list(desks), parts.throttle)
        audit = AuditLog(PiccoloAuditStore(), clock)
        parts.desk_settings.audit = audit  # a desk settings change is an audit event too
        return cls(
            settings=settings,
            desks=desks,
            clock=clock,
            tickets=tickets,
            accounts_store=accounts_store,
            outbox_store=outbox_store,
            intake=parts.intake,
            queries=queries,
            workspace=Workspace(PiccoloQueueStore(), access),
            ticket_export=TicketExport(PiccoloExportStore(), access),
            metrics=Metrics(PiccoloMetricsStore(), clock),
            accounts=accounts,
            outbox=OutboxService(outbox_store, transport, clock) if transport is not None else None,
            calendars=parts.calendars,
            sla=parts.sla,
            workflow=TicketWorkflow(
                desks=desks,
                calendars=parts.calendars,
                store=PiccoloWorkflowStore(),
                cases=cases,
                mailer=parts.mailer,
                clock=clock,
            ),
            requests=RequestDesk(
                desks=desks,
                calendars=parts.calendars,
                sla=parts.sla,
                store=cases,
                clock=clock,
                blobs=parts.blobs,
                limits=parts.intake.limits,
            ),
            decisions=DecisionDesk(desks=desks, calendars=parts.calendars, store=cases, clock=clock),
            referrals=ReferralDesk(desks=desks, calendars=parts.calendars, store=cases, clock=clock),
            letters=NoticeLetters(desks=desks, queries=queries, mailer=parts.mailer),
            incidents=Incidents(desks=desks, intake=parts.intake, tickets=tickets, store=cases, clock=clock),
            reports=Reports(desks=desks, calendars=parts.calendars, store=PiccoloReportStore(), clock=clock),
            desk_settings=parts.desk_settings,
            sla_reports=SlaReports(desks=desks, calendars=parts.calendars, store=PiccoloSlaReportStore(), clock=clock),
            mail_store=parts.mail_store,
            mail=parts.mail,
            mail_log=MailLog(
                store=parts.mail_store, raw_store=parts.raw_store, intake=parts.mail, clock=clock, access=access
            ),
            participants=Participants(PiccoloParticipantStore(), clock, access),
            poller=MailPoller(
                intake=parts.mail,
                state=PiccoloMailboxStates(tickets),
                clock=clock,
                lease_seconds=settings.imap_lease_seconds,
                owner=f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}",
            ),
            access=access,
            throttle=parts.throttle,
            outbox_view=OutboxView(outbox_store, access),
            contacts=ContactDetails(PiccoloContactStore(), clock),
            portal=RequesterPortal(
                desks=desks,
                store=PiccoloPortalStore(),
                cases=cases,
                workflow=PiccoloWorkflowStore(),
                calendars=parts.calendars,
                blobs=parts.blobs,
                clock=clock,
                limits=parts.intake.limits,
                link_days_after_close=settings.status_link_days_after_close,
                throttle=parts.throttle,
            ),
            parts=parts,
            presence=presence,
            ticket_workspace=TicketWorkspace(
                queries=queries, sla=parts.sla, presence=presence, desks=desks, clock=clock
            ),
            attachments=AttachmentFiles(PiccoloAttachmentStore(), parts.blobs, access),
            dashboard=Dashboard(PiccoloDashboardStore(), parts.calendars),
            audit=audit,
            admin=AdminService(PiccoloAdminStore(), accounts, audit, address_syntax, list(desks)),
        )

    async def start(self, *, migrate: bool, pool_size: int = 20) -> None:
        await self.parts.start(migrate=migrate, pool_size=pool_size)

    async def stop(self) -> None:
        await self.parts.stop()


__all__ = ["Container", "load_desks"]
