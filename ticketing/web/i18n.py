"""Page translations from gettext catalogs (web/locale/<lang>/LC_MESSAGES/messages.po), via Babel."""

from __future__ import annotations

import gettext
import io
from functools import cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ticketing.resources import LOCALE_DIR

LANGUAGES = ("ja", "en")


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Compile the .po catalog in memory (no build step, no binary .mo files in the repository)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def pick_language(requested: str | None, accept_language: str | None, default: str) -> str:
    """An explicit ?lang= wins, then the desk's language (not the browser's: the desk's public
    language is the norm, and the switch is one click)."""
    if requested in LANGUAGES:
        return requested
    return default if default in LANGUAGES else "en"
