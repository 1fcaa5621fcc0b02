"""The intake half of the wiring: what storing a new ticket or an inbound mail needs, and no more.

`Container.build` starts from these parts and adds the rest (accounts, workflow, outbox sender,
IMAP poller ...); `ticketing mail ingest`, which an MTA starts once per message, builds only these,
so it imports no web stack, no password hashing and no IMAP or SMTP client.
"""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.clock import SystemClock
from ticketing.db import engine
from ticketing.db.access import PiccoloAccessStore
from ticketing.db.blobs import FileBlobStore
from ticketing.db.desk_settings import PiccoloDeskSettingsStore
from ticketing.db.files import private_dir
from ticketing.db.mail import PiccoloMailStore
from ticketing.db.sla import PiccoloSlaStore
from ticketing.db.throttle import PiccoloThrottleStore
from ticketing.db.tickets import PiccoloTicketStore
from ticketing.desks_file import load_desks
from ticketing.domain.desks import Desk
from ticketing.domain.intake import IntakeLimits
from ticketing.domain.throttle import FormLimits
from ticketing.mail.addresses import reply_address
from ticketing.mail.parse import StdlibMailParser
from ticketing.mail.rendering import JinjaMailRenderer
from ticketing.services.access import AccessLog
from ticketing.services.calendars import CalendarService
from ticketing.services.desk_settings import DeskSettingsService
from ticketing.services.intake import IntakeService
from ticketing.services.mail_intake import MailIntake
from ticketing.services.mail_notices import MailNotices
from ticketing.services.ports import Clock
from ticketing.services.requester_mail import RequesterMail, StatusLinks
from ticketing.services.sla import SlaService
from ticketing.services.throttle import Throttle
from ticketing.settings import Settings


@dataclass
class IntakeParts:
    settings: Settings
    desks: dict[str, Desk]
    clock: Clock
    tickets: PiccoloTicketStore
    sla_store: PiccoloSlaStore
    mail_store: PiccoloMailStore
    renderer: JinjaMailRenderer
    calendars: CalendarService
    access: AccessLog
    throttle: Throttle
    links: StatusLinks
    mailer: RequesterMail
    sla: SlaService
    blobs: FileBlobStore
    raw_store: FileBlobStore
    intake: IntakeService
    notices: MailNotices
    mail: MailIntake
    desk_settings: DeskSettingsService  # the managers' settings laid over `desks` (no restart)

    @classmethod
    def build(
        cls, settings: Settings, *, clock: Clock | None = None, desks: dict[str, Desk] | None = None
    ) -> IntakeParts:
        """Wire the intake from settings (`desks`: the desks file's, when the caller has read it already)."""
        desks = load_desks(settings.desks_file) if desks is None else desks
        private_dir(settings.data_dir)  # attachments, raw mail, the secret key (and the SQLite file)
        engine.bind(settings)
        clock = clock or SystemClock()
        secret_key = settings.resolved_secret_key()
        tickets = PiccoloTicketStore()
        sla_store = PiccoloSlaStore()
        mail_store = PiccoloMailStore(tickets)
        renderer = JinjaMailRenderer(bytecode_dir=private_dir(settings.data_dir / "cache" / "mail-templates"))
        calendars = CalendarService(desks)
        access = AccessLog(PiccoloAccessStore(), clock)
        throttle = Throttle(PiccoloThrottleStore(), clock, secret_key)
        links = StatusLinks(secret_key, settings.base_url)
        mailer = RequesterMail(renderer, links)
        sla = SlaService(
            desks=desks,
            calendars=calendars,
            store=sla_store,
            renderer=renderer,
            base_url=settings.base_url,
            access=access,
        )
        blobs = FileBlobStore(settings.attachments_dir)
        raw_store = FileBlobStore(settings.raw_mail_dir)
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
            address_check=reply_address,  # internationalised addresses (RFC 6532), through email-validator
        )
        notices = MailNotices(mailer=mailer, renderer=renderer, directory=sla_store, base_url=settings.base_url)
        mail = MailIntake(
            desks=desks,
            parser=StdlibMailParser(),
            store=mail_store,
            raw_store=raw_store,
            blobs=blobs,
            intake=intake,
            notices=notices,
            calendars=calendars,
            clock=clock,
        )
        return cls(
            settings=settings,
            desks=desks,
            clock=clock,
            tickets=tickets,
            sla_store=sla_store,
            mail_store=mail_store,
            renderer=renderer,
            calendars=calendars,
            access=access,
            throttle=throttle,
            links=links,
            mailer=mailer,
            sla=sla,
            blobs=blobs,
            raw_store=raw_store,
            intake=intake,
            notices=notices,
            mail=mail,
            desk_settings=DeskSettingsService(desks, calendars, PiccoloDeskSettingsStore(), clock),
        )

    async def start(self, *, migrate: bool, pool_size: int = 20) -> None:
        """Open the database (and apply migrations when asked); make sure every desk has its row."""
        await engine.start(self.settings, pool_size=pool_size)
        if migrate:
            await engine.migrate()
        await self.tickets.ensure_desks(list(self.desks), self.clock.now())
        await self.desk_settings.refresh(force=True)  # closures and caps saved in the browser count here too

    async def stop(self) -> None:
        await engine.stop()


__all__ = ["IntakeParts"]
