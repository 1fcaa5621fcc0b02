"""Jinja2 over emails/: each message is a folder with a subfolder per language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_datetime

from ticketing.domain.mail import RenderedMail
from ticketing.resources import EMAILS_DIR


def local_time(value: datetime | None, language: str) -> str:
    """An instant as people on the desk read it: "2026年12月2日（水）17:00", "Wed 2 Dec 2026, 17:00 Japan
    Standard Time" (in the instant's own zone; the service passes it in the desk's)."""
    if value is None:
        return "-"
    if language == "ja":
        text = format_datetime(value, "y年M月d日（EEE）H:mm", tzinfo=value.tzinfo, locale="ja_JP")
        if str(value.tzinfo) == "Asia/Tokyo":
            return text
        return f"{text}（{format_datetime(value, 'zzzz', tzinfo=value.tzinfo, locale='ja_JP')}）"
    return format_datetime(value, "EEE d MMM y, H:mm zzzz", tzinfo=value.tzinfo, locale="en")


class JinjaMailRenderer:
    def __init__(self, directory: Path = EMAILS_DIR, *, bytecode_dir: Path | None = None) -> None:
        # Compiled templates kept between processes: the mail pipe starts one process per message,
        # and compiling the acknowledgement's templates was a tenth of a second of each.
        cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir is not None else None
        self.env = jinja2.Environment(
            bytecode_cache=cache,
            loader=jinja2.FileSystemLoader(str(directory)),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
            keep_trailing_newline=True,
            auto_reload=False,  # templates ship with the release: no stat() per render
        )
        self.env.filters["local_time"] = local_time
        self.directory = directory

    def kinds(self) -> list[str]:
        return sorted(p.name for p in self.directory.iterdir() if p.is_dir() and not p.name.startswith("_"))

    def render(self, kind: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
        base = f"{kind}/{language}"
        subject = " ".join(self.env.get_template(f"{base}/subject.txt").render(context).split())
        text = self.env.get_template(f"{base}/body.txt").render(context)
        # body.html is optional, but only its own absence means "no HTML part": a missing parent or
        # import inside an existing body.html is an error, not a silently text-only mail.
        try:
            html_template = self.env.get_template(f"{base}/body.html")
        except jinja2.TemplateNotFound as exc:
            if exc.name != f"{base}/body.html":
                raise
            html_template = None
        html = html_template.render(context) if html_template is not None else None
        return RenderedMail(subject=subject, text=text, html=html)
