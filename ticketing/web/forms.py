"""Reading the staff pages' form fields: text, dates, instants in the desk's zone, the page's version."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from litestar.datastructures import FormMultiDict, UploadFile

from ticketing.domain.desks import Desk
from ticketing.domain.errors import ValidationFailed
from ticketing.services.intake import Upload

Form = FormMultiDict
HIDDEN = frozenset({"_csrf_token", "version"})
BAD_VERSION = "this form is damaged: reload the page"


def text(form: Form, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def day(form: Form, name: str) -> date | None:
    raw = text(form, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({name: "not a date (YYYY-MM-DD)"}) from None


def instant(form: Form, name: str, desk: Desk) -> datetime | None:
    """A `datetime-local` field, read in the desk's zone."""
    raw = text(form, name)
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({name: "not a date and time"}) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(desk.timezone))


def lines(form: Form, name: str) -> list[str]:
    return [line.strip() for line in text(form, name).splitlines() if line.strip()]


def version(form: Form) -> int | None:
    """The version of the ticket the form was rendered with (None: a form that sends none)."""
    raw = text(form, "version")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise ValidationFailed({"version": BAD_VERSION})
    return int(raw)


def typed(form: Form) -> dict[str, str]:
    """What the agent typed, to put back in the form when the change is refused."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k not in HIDDEN}


async def uploads(form: Form, name: str, max_bytes: int) -> list[Upload]:
    """The files of a file field, each read no further than one byte over the limit."""
    files = [item for item in form.getall(name, []) if isinstance(item, UploadFile) and item.filename]
    found = []
    try:
        for item in files:
            found.append(Upload(item.filename, item.content_type or "", await item.read(max_bytes + 1)))
    finally:
        for item in files:
            await item.close()
    return found


__all__ = ["Form", "day", "instant", "lines", "text", "typed", "uploads", "version"]
