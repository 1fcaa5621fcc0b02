"""A desk's settings page (/app/desks/{slug}/settings) for its managers and admins: one-off closures
and opening hours (previewed, then saved), the second escalation level, the daily cap of automatic
replies, and the reply templates. What each may change and why: domain/desk_settings.py; how a save
takes effect without a restart: services/desk_settings.py.

A refused value re-shows the page with the message beside its field and everything typed kept (400);
a save over someone else's newer one does the same with 409.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from ticketing.domain.desk_settings import MAX_CAP, calendar_lines
from ticketing.domain.errors import Conflict, NotFound, ValidationFailed
from ticketing.services.desk_settings import CalendarChange, DeskSettingsService
from ticketing.services.ports import Principal
from ticketing.web.auth import page_principal, to_login
from ticketing.web.case_view import staff_language
from ticketing.web.deps import PrincipalDep
from ticketing.web.i18n import translations

# The forms that save: the action in the path -> the service method, the form field it takes (None: the
# whole form) and the message shown after.
SAVES: dict[str, tuple[str, str | None, str]] = {
    "calendar": ("save_calendar", None, "calendar"),
    "second-level": ("save_second_level", "second_level", "second_level"),
    "cap": ("save_cap", "auto_reply_daily_cap", "cap"),
    "templates": ("save_template", None, "template"),
    "template-delete": ("delete_template", "template", "template_deleted"),
}
SAVED = {
    "calendar": "The closures and opening hours are saved.",
    "second_level": "The second escalation level is saved.",
    "cap": "The daily cap of automatic replies is saved.",
    "template": "The reply template is saved.",
    "template_deleted": "The reply template is deleted.",
}


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _version(form: Mapping[str, str]) -> int:
    raw = form.get("version", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise ValidationFailed({"version": "the page is broken: reload it"})
    return int(raw)


class DeskSettingsPages(Controller):
    path = "/app/desks/{slug:str}/settings"
    include_in_schema = False
    dependencies = {"principal": Provide(page_principal)}
    exception_handlers = {NotAuthorizedException: to_login}
    cache_control = CacheControlHeader(no_store=True)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        service: DeskSettingsService,
        principal: Principal,
        slug: str,
        *,
        saved: str | None = None,
        moved: int | None = None,
        preview: CalendarChange | None = None,
        typed: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        await service.refresh(force=True)
        desk = service.managed(principal, slug)
        lang = staff_language(request)
        gettext = translations(lang).gettext
        zone = ZoneInfo(desk.timezone)
        settings = service.settings(slug)
        today = service.clock.now().astimezone(zone).date()
        closed, hours = calendar_lines(settings, today)
        typed = dict(typed or {})
        context = {
            "_": gettext,
            "lang": lang,
            "principal": principal,
            "desk": desk,
            "file_desk": service.file_desk(slug),
            "settings": settings,
            "version": settings.version,
            "closed_text": typed.get("closed_dates", closed),
            "hours_text": typed.get("open_dates", hours),
            "second_level_text": typed.get("second_level", "\n".join(desk.escalation.second_level)),
            "cap_text": typed.get("auto_reply_daily_cap", str(desk.mail.auto_reply_daily_cap)),
            "typed": typed,
            "errors": dict(errors or {}),
            "saved": gettext(SAVED[saved]) if saved in SAVED else None,
            "moved": moved,
            "preview": preview,
            "max_cap": MAX_CAP,
            "today": today.isoformat(),
            "local": lambda at: "—" if at is None else at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "zone": desk.timezone,
        }
        return Template("desk_settings.html", context=context, status_code=status)

    @get("/")
    async def show(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        desk_settings: NamedDependency[DeskSettingsService],
        principal: PrincipalDep,
        saved: FromQuery[str | None] = None,
        moved: FromQuery[int | None] = None,
    ) -> Template:
        return await self._page(request, desk_settings, principal, slug, saved=saved, moved=moved)

    async def _run(
        self,
        request: Request[Any, Any, Any],
        service: DeskSettingsService,
        principal: Principal,
        slug: str,
        form: Mapping[str, str],
        action: Any,
        saved: str,
    ) -> Template | Redirect:
        try:
            moved = await action()
        except ValidationFailed as exc:
            return await self._page(request, service, principal, slug, typed=form, errors=exc.errors, status=400)
        except Conflict as exc:
            errors = {"version": str(exc)}
            return await self._page(request, service, principal, slug, typed=form, errors=errors, status=409)
        suffix = f"&moved={moved}" if isinstance(moved, int) else ""
        return Redirect(f"/app/desks/{slug}/settings?saved={saved}{suffix}#{saved}", status_code=303)

    @post("/calendar-preview")
    async def preview(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        desk_settings: NamedDependency[DeskSettingsService],
        principal: PrincipalDep,
    ) -> Template:
        form = await _form(request)
        try:
            change = await desk_settings.preview_calendar(
                principal, slug, form.get("closed_dates", ""), form.get("open_dates", "")
            )
        except ValidationFailed as exc:
            return await self._page(request, desk_settings, principal, slug, typed=form, errors=exc.errors, status=400)
        return await self._page(request, desk_settings, principal, slug, typed=form, preview=change)

    @post("/{action:str}")
    async def save(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        action: FromPath[str],
        desk_settings: NamedDependency[DeskSettingsService],
        principal: PrincipalDep,
    ) -> Template | Redirect:
        """One form's save: `calendar` (after its preview), `second-level`, `cap`, `templates` (add or
        replace one) or `template-delete`; the page again with the message when refused."""
        if action not in SAVES:
            raise NotFound("settings form", action)
        form = await _form(request)
        method, field, saved = SAVES[action]

        async def act() -> int | None:
            if action == "calendar":
                change = await desk_settings.save_calendar(
                    principal, slug, form.get("closed_dates", ""), form.get("open_dates", ""), _version(form)
                )
                return change.moved
            value: Any = form if field is None else form.get(field, "")
            await getattr(desk_settings, method)(principal, slug, value, _version(form))
            return None

        return await self._run(request, desk_settings, principal, slug, form, act, saved)


__all__ = ["DeskSettingsPages"]
