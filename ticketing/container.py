"""Wires adapters to services from Settings (shared by create_app, the CLI and tests)."""

from __future__ import annotations

import os
import secrets
import socket
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ticketing.clock import SystemClock
from ticketing.db import engine
from ticketing.db.access import PiccoloAccessStore
from ticketing.db.accounts import PiccoloAccountStore
from ticketing.db.blobs import FileBlobStore
from ticketing.db.contacts import PiccoloContactStore
from ticketing.db.files import private_dir
from ticketing.db.mail import PiccoloMailStore
from ticketing.db.mailboxes import PiccoloMailboxStates
from ticketing.db.outbox import PiccoloOutboxStore
from ticketing.db.participants import PiccoloParticipantStore
from ticketing.db.sla import PiccoloSlaStore
from ticketing.db.throttle import PiccoloThrottleStore
from ticketing.db.tickets import PiccoloTicketStore
from ticketing.db.workflow import PiccoloWorkflowStore
from ticketing.domain.desks import Desk, parse_desks
from ticketing.domain.errors import ConfigError
from ticketing.domain.intake import IntakeLimits
from ticketing.domain.throttle import FormLimits
from ticketing.mail.imap import ImapMailbox
from ticketing.mail.parse import StdlibMailParser
from ticketing.mail.rendering import JinjaMailRenderer
from ticketing.mail.smtp import SmtpTransport
from ticketing.services.access import AccessLog
from ticketing.services.accounts import AccountService
from ticketing.services.calendars import CalendarService
from ticketing.services.contacts import ContactDetails
from ticketing.services.intake import IntakeService
from ticketing.services.mail_intake import MailIntake
from ticketing.services.mail_log import MailLog
from ticketing.services.mail_notices import MailNotices
from ticketing.services.mail_poller import MailPoller
from ticketing.services.mail_ports import MailboxClient
from ticketing.services.outbox import OutboxService
from ticketing.services.outbox_view import OutboxView
from ticketing.services.participants import Participants
from ticketing.services.ports import Clock, MailTransport
from ticketing.services.requester_mail import RequesterMail, StatusLinks
from ticketing.services.sla import SlaService
from ticketing.services.throttle import Throttle
from ticketing.services.tickets import TicketQueries
from ticketing.services.workflow import TicketWorkflow
from ticketing.settings import Settings


def load_desks(path: Path) -> dict[str, Desk]:
    """Read and validate a desks TOML file; every problem names the file and the key."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), "desks file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    return parse_desks(data, str(path))


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
    accounts: AccountService
    outbox: OutboxService | None  # None when no SMTP relay is configured: mail waits in the outbox
    calendars: CalendarService
    sla: SlaService
    workflow: TicketWorkflow
    mail_store: PiccoloMailStore
    mail: MailIntake
    mail_log: MailLog
    participants: Participants
    poller: MailPoller
    access: AccessLog
    throttle: Throttle
    outbox_view: OutboxView
    contacts: ContactDetails

    def mailbox(self, desk: Desk, password: str) -> MailboxClient:
        """A session on the desk's IMAP inbox (opened by the poller)."""
        assert desk.imap is not None
        return ImapMailbox(desk.imap, password)

    @classmethod
    def build(
        cls, settings: Settings, *, clock: Clock | None = None, transport: MailTransport | None = None
    ) -> Container:
        desks = load_desks(settings.desks_file)
        private_dir(settings.data_dir)  # attachments, raw mail, the secret key (and the SQLite file)
        engine.bind(settings)
        clock = clock or SystemClock()
        tickets = PiccoloTicketStore()
        accounts_store = PiccoloAccountStore()
        outbox_store = PiccoloOutboxStore()
        sla_store = PiccoloSlaStore()
        mail_store = PiccoloMailStore(tickets)
        renderer = JinjaMailRenderer()
        calendars = CalendarService(desks)
        access = AccessLog(PiccoloAccessStore(), clock)
        throttle = Throttle(PiccoloThrottleStore(), clock, settings.resolved_secret_key())
        links = StatusLinks(settings.resolved_secret_key(), settings.base_url)
        mailer = RequesterMail(renderer, links)
        sla = SlaService(
            desks=desks, calendars=calendars, store=sla_store, renderer=renderer, base_url=settings.base_url,
            access=access,
        )
        if transport is None and settings.smtp is not None:
            transport = SmtpTransport(settings.smtp)
        blobs = FileBlobStore(settings.attachments_dir)
        intake = IntakeService(
            desks=desks,
            store=tickets,
            blobs=blobs,
            mailer=mailer,
            links=links,
            clock=clock,
            limits=IntakeLimits(settings.max_attachments, settings.max_attachment_bytes),
            sla=sla,
            throttle=throttle,
            form_limits=FormLimits.of(settings.form_submissions_per_client_hour, settings.form_acks_per_address_hour),
        )
        notices = MailNotices(mailer=mailer, renderer=renderer, directory=sla_store, base_url=settings.base_url)
        raw_store = FileBlobStore(settings.raw_mail_dir)
        mail = MailIntake(
            desks=desks, parser=StdlibMailParser(), store=mail_store, raw_store=raw_store, blobs=blobs,
            intake=intake, notices=notices, calendars=calendars, clock=clock,
        )
        return cls(
            settings=settings,
            desks=desks,
            clock=clock,
            tickets=tickets,
            accounts_store=accounts_store,
            outbox_store=outbox_store,
            intake=intake,
            queries=TicketQueries(tickets, access),
            accounts=AccountService(accounts_store, clock, list(desks), throttle),
            outbox=OutboxService(outbox_store, transport, clock) if transport is not None else None,
            calendars=calendars,
            sla=sla,
            workflow=TicketWorkflow(
                desks=desks, calendars=calendars, store=PiccoloWorkflowStore(), mailer=mailer, clock=clock
            ),
            mail_store=mail_store,
            mail=mail,
            mail_log=MailLog(store=mail_store, raw_store=raw_store, intake=mail, clock=clock, access=access),
            participants=Participants(PiccoloParticipantStore(), clock, access),
            poller=MailPoller(
                intake=mail, state=PiccoloMailboxStates(tickets), clock=clock,
                lease_seconds=settings.imap_lease_seconds,
                owner=f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}",
            ),
            access=access,
            throttle=throttle,
            outbox_view=OutboxView(outbox_store, access),
            contacts=ContactDetails(PiccoloContactStore(), clock),
        )

    async def start(self, *, migrate: bool, pool_size: int = 20) -> None:
        await engine.start(self.settings, pool_size=pool_size)
        if migrate:
            await engine.migrate()
        await self.tickets.ensure_desks(list(self.desks), self.clock.now())

    async def stop(self) -> None:
        await engine.stop()


__all__ = ["Container", "load_desks"]
