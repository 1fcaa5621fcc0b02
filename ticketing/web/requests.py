"""The app's Request: a body that cannot be decoded is the client's error (400), never a 500.

Litestar decodes form fields as UTF-8 (or the part's declared charset) and JSON with msgspec; bytes
that are not text in that charset, an unknown charset name, or JSON nested deeper than the decoder's
recursion limit raised out of the framework as a 500 with a traceback. The CSRF middleware reads
the form through the app's request class too, so this covers requests that never reach a handler.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.exceptions import ClientException

log = logging.getLogger(__name__)
_SECRET_PATH = re.compile(r"^/status/[^/]+")


def loggable_path(path: str) -> str:
    """The path as it may appear in a log: a status page's token is a secret (it opens the page)."""
    return _SECRET_PATH.sub("/status/<token>", path)


BAD_FORM = "The form data could not be read: a field is not valid text in its declared character set."
TOO_DEEP = "The JSON body is nested too deeply."


class SafeRequest(Request[Any, Any, Any]):
    async def form(self) -> FormMultiDict:
        try:
            return await super().form()
        except (UnicodeDecodeError, LookupError) as exc:
            log.warning(
                "refused %s %s: unreadable form data (%s)",
                self.method,
                loggable_path(self.url.path),
                type(exc).__name__,
            )
            raise ClientException(BAD_FORM) from None

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            log.warning("refused %s %s: JSON nested too deeply", self.method, loggable_path(self.url.path))
            raise ClientException(TOO_DEEP) from None
