"""create_app(settings): the composition root of the web service."""

from __future__ import annotations

import logging
from datetime import datetime
from types import MappingProxyType
from typing import Any, cast

from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.prometheus import PrometheusConfig
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ticketing.container import Container
from ticketing.db.health import database_round_trip
from ticketing.jobs.leader import Leadership
from ticketing.jobs.scheduler import add_leader_jobs, build_scheduler, remove_leader_jobs
from ticketing.mail.lmtp import LmtpServer
from ticketing.resources import WEB_DIR
from ticketing.services.demo import seed_demo
from ticketing.services.health import Readiness
from ticketing.settings import Settings
from ticketing.web.access_api import AccessLogApi
from ticketing.web.access_pages import AccessLogPages
from ticketing.web.admin_log import AdminLogPage
from ticketing.web.admin_pages import AdminPages
from ticketing.web.admin_tokens import AdminTokenPages
from ticketing.web.api import TicketApi
from ticketing.web.case_api import CaseApi, DecisionApi, HandOverApi
from ticketing.web.case_pages import CasePages
from ticketing.web.contact import ContactForm
from ticketing.web.dashboard import DashboardPages
from ticketing.web.deps import PageOptions
from ticketing.web.desk_settings_pages import DeskSettingsPages
from ticketing.web.errors import EXCEPTION_HANDLERS
from ticketing.web.export import ExportPages
from ticketing.web.headers import SecurityHeaders
from ticketing.web.health import healthz, readyz
from ticketing.web.mail_api import MailLogApi, ParticipantsApi
from ticketing.web.metrics import metrics
from ticketing.web.openapi import StructSchemas
from ticketing.web.refusals import ACCESS
from ticketing.web.reports_api import ReportsApi
from ticketing.web.requests import SafeRequest
from ticketing.web.schema_page import LocalSwaggerUI
from ticketing.web.settings_pages import SettingsPages
from ticketing.web.sla_api import CalendarApi, TicketActionsApi
from ticketing.web.sla_pages import HowWeDidFragment, SlaReportPage
from ticketing.web.sla_report_api import SlaReportApi
from ticketing.web.staff import LoginPages, StaffPages
from ticketing.web.status import StatusPage
from ticketing.web.ticket_pages import TicketPages
from ticketing.web.workspace import WorkspacePages

log = logging.getLogger(__name__)


def _form_post(request: Request[Any, Any, Any]) -> bool:
    """The public forms' bucket: POSTs to /desks/{slug}/contact and to a status page (/status/{token})."""
    return request.method == "POST" and request.url.path.startswith(("/desks/", "/status/"))


def _signin_post(request: Request[Any, Any, Any]) -> bool:
    """Sign-in's own bucket (form posts never lock staff out): POST /login and /logout."""
    return request.method == "POST" and request.url.path in ("/login", "/logout")


def edge_middleware(settings: Settings) -> list[Any]:
    """Outermost first: the real client address, then the per-client buckets (headers: SecurityHeaders).

    Forwarded headers are believed only from the proxies named in TICKETING_TRUSTED_PROXIES;
    otherwise anyone could pick their own address (and a fresh rate-limit bucket) per request.
    """
    stack: list[Any] = []
    if settings.trusted_proxies:
        stack.append(DefineMiddleware(cast(Any, ProxyHeadersMiddleware), trusted_hosts=list(settings.trusted_proxies)))
    stack.append(
        RateLimitConfig(
            rate_limit=("minute", settings.form_rate_limit_per_minute),
            check_throttle_handler=_form_post,
            store="rate_limit_form",
        ).middleware
    )
    stack.append(
        RateLimitConfig(
            rate_limit=("minute", settings.signin_rate_limit_per_minute),
            check_throttle_handler=_signin_post,
            store="rate_limit_signin",
        ).middleware
    )
    # HTTP latency per route template (never the path itself: a status token, or whatever a stranger
    # typed into an unknown URL, would become a label); /metrics and /static are not counted.
    stack.append(
        PrometheusConfig(
            app_name="ticketing",
            prefix="ticketing_http",
            group_path=True,
            exclude_unhandled_paths=True,
            exclude=["/metrics", "/static"],
        ).middleware
    )
    return stack


def _constant(value: object) -> Provide:
    def provide() -> Any:
        return value

    return Provide(provide, sync_to_thread=False)


def handler_dependencies(container: Container) -> dict[str, Provide]:
    """What a handler may name in its signature: one service each (docs/style.md 15), never the container.

    `now` is the request's instant from the container's clock (time is an argument, docs/style.md 1).
    """
    settings = container.settings

    def now() -> datetime:
        return container.clock.now()

    services: dict[str, object] = {
        "accounts": container.accounts,
        "admin": container.admin,
        "audit": container.audit,
        "calendars": container.calendars,
        "contacts": container.contacts,
        "desks": MappingProxyType(container.desks),  # read-only: pages show desks, never change them
        "intake": container.intake,
        "mail_log": container.mail_log,
        "options": PageOptions(
            secure_cookies=settings.secure_cookies,
            mail_relay=settings.smtp is not None,
            metrics_from=settings.metrics_from,
        ),
        "metrics": container.metrics,
        "outbox_view": container.outbox_view,
        "participants": container.participants,
        "portal": container.portal,
        "queries": container.queries,
        "requests": container.requests,
        "decisions": container.decisions,
        "referrals": container.referrals,
        "incidents": container.incidents,
        "letters": container.letters,
        "reports": container.reports,
        "sla_reports": container.sla_reports,
        "desk_settings": container.desk_settings,
        "readiness": Readiness(database_round_trip),
        "sla": container.sla,
        "workflow": container.workflow,
        "access": container.access,
        "presence": container.presence,
        "ticket_workspace": container.ticket_workspace,
        "attachments": container.attachments,
        "workspace": container.workspace,
        "dashboard": container.dashboard,
        "ticket_export": container.ticket_export,
    }
    return {"now": Provide(now, sync_to_thread=False)} | {name: _constant(v) for name, v in services.items()}


def create_app(
    settings: Settings | None = None,
    *,
    container: Container | None = None,
    migrate: bool | None = None,
    scheduler: bool | None = None,
    demo: bool = False,
) -> Litestar:
    settings = settings or Settings.from_env()
    container = container or Container.build(settings)
    run_migrations = (not settings.is_postgres) if migrate is None else migrate
    run_scheduler = settings.scheduler_enabled if scheduler is None else scheduler
    jobs = build_scheduler(container)
    leadership = Leadership(settings, lambda: add_leader_jobs(jobs, container), lambda: remove_leader_jobs(jobs))
    # The MTA may deliver to any process: ingest is idempotent, so every process may listen (on its own port).
    lmtp = None
    if settings.lmtp_port is not None:
        hard_limit = max(2 * max(d.mail.max_message_bytes for d in container.desks.values()), 50 * 1024 * 1024)
        lmtp = LmtpServer(container.mail, settings.lmtp_host, settings.lmtp_port, max_bytes=hard_limit)

    async def on_startup() -> None:
        await container.start(migrate=run_migrations)
        if demo:
            await seed_demo(container.accounts, container.intake)
        if run_scheduler:
            jobs.start()
            await leadership.start()
        if lmtp is not None:
            await lmtp.start()

    async def on_shutdown() -> None:
        if lmtp is not None:
            await lmtp.stop()
        await leadership.stop()
        if jobs.running:
            jobs.shutdown(wait=False)
        await container.stop()

    async def current_settings(request: Request[Any, Any, Any]) -> None:
        """Desk settings another process saved apply here too (one small query every 2 s at most). A
        database that does not answer fails the request's own work, not this check (/healthz answers)."""
        try:
            await container.desk_settings.refresh()
        except Exception:  # logged; the settings in memory stay in force
            log.warning("desk settings not refreshed", exc_info=True)

    return Litestar(
        before_request=current_settings,
        route_handlers=[
            healthz,
            readyz,
            metrics,
            TicketApi,
            CaseApi,
            HandOverApi,
            ReportsApi,
            SlaReportApi,
            DecisionApi,
            TicketActionsApi,
            CalendarApi,
            MailLogApi,
            ParticipantsApi,
            AccessLogApi,
            ContactForm,
            LoginPages,
            StaffPages,
            WorkspacePages,
            DashboardPages,
            HowWeDidFragment,
            SlaReportPage,
            DeskSettingsPages,
            ExportPages,
            CasePages,
            AccessLogPages,
            AdminPages,
            AdminTokenPages,
            AdminLogPage,
            SettingsPages,
            TicketPages,
            StatusPage,
            create_static_files_router(path="/static", directories=[WEB_DIR / "static"], include_in_schema=False),
        ],
        dependencies=handler_dependencies(container),
        state=State({ACCESS: container.access}),
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(directory=WEB_DIR / "templates", engine=JinjaTemplateEngine),
        csrf_config=CSRFConfig(
            secret=settings.resolved_secret_key(),
            exclude=["/api"],
            cookie_httponly=True,
            cookie_secure=settings.secure_cookies,
        ),
        middleware=edge_middleware(settings),
        before_send=[SecurityHeaders(https=settings.secure_cookies)],
        plugins=[StructSchemas()],
        request_class=SafeRequest,
        openapi_config=OpenAPIConfig(
            title="ticketing",
            version="1",
            description="Privacy inquiry desk API. Send `Authorization: Bearer <token>` with a token from "
            "`ticketing token create EMAIL`.",
            path="/schema",
            render_plugins=[LocalSwaggerUI(spec_url="/schema/openapi.json", path=["/", "/swagger"])],
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearer": []}],
        ),
        request_max_body_size=settings.max_attachments * settings.max_attachment_bytes + 1024 * 1024,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        logging_config=LoggingConfig(
            log_exceptions="never",
            loggers={"ticketing": {"level": "INFO", "propagate": True}},
        ),
    )
