"""E-mail address syntax and normal form, by email-validator (RFC 5321/5322, RFC 6531/6532 for
internationalised addresses such as 山田@例え.example or user@bücher.example; no DNS look-up).

Two strictnesses, one normal form. `mailbox` reads the addresses of mail we received: a sender on an
intranet host (no dot in the domain) is still a sender. `reply_address` checks an address a person
typed for our replies (the public form, the API): its domain must be one mail can reach from the
internet. Both give the NFC local part as written and the domain case-folded in its Unicode form
(an IDNA A-label xn--bcher-kva.example becomes bücher.example), so the address a requester typed and
the From of their next mail compare equal.

Refused now that the old regexes let through (all outside RFC 5321/5322): dots at the ends of the
local part or two in a row, an underscore in the domain (the mail parser let it through), a DNS
label over 63 octets, invalid punycode, and, for `reply_address`, a top-level domain of digits.
Special-use names (RFC 6761 .localhost, .invalid; RFC 6762 .local; RFC 7686 .onion; .arpa) are
refused by the library: no mail of ours can reach them. RFC 6761 .test stays allowed
(test_environment=True, which with check_deliverability off changes nothing else), as test suites
and staging desks use it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254  # RFC 5321 4.5.3.1.3 path limit less the angle brackets, as the form has always capped it


@lru_cache(maxsize=4096)  # the same few addresses (ours, a thread's) recur in every header; the check is pure
def _normal(value: str, *, globally_deliverable: bool) -> str | None:
    value = value.strip()
    if not value or len(value) > MAX_LENGTH:
        return None
    try:
        valid = validate_email(
            value,
            allow_smtputf8=True,
            check_deliverability=False,
            globally_deliverable=globally_deliverable,
            test_environment=True,
        )
    except EmailNotValidError:
        return None
    # The library lower-cases RFC 2142 role names (Info@, Postmaster@); we keep every local part as
    # written (NFC), as before: desk addresses and loop checks compare them exactly.
    local = unicodedata.normalize("NFC", valid.original.rsplit("@", 1)[0])
    if local.casefold() != valid.local_part.casefold():
        local = valid.local_part
    return f"{local}@{valid.domain}"


def mailbox(value: str) -> str | None:
    """A header's address in its normal form, or None when it is not an address."""
    return _normal(value, globally_deliverable=False)


def reply_address(value: str) -> str | None:
    """An address someone gave us to answer them at, in its normal form; None when mail cannot go there."""
    return _normal(value, globally_deliverable=True)


def wire_address(address: str) -> str:
    """The address as it goes into an envelope and a header: an internationalised domain as its IDNA
    A-label (user@xn--bcher-kva.example) when the local part is ASCII, which every relay carries; a
    non-ASCII local part as it is, which only a relay offering SMTPUTF8 (RFC 6531) carries."""
    local, _, domain = address.rpartition("@")
    if domain.isascii() or not local.isascii():
        return address
    try:
        valid = validate_email(
            address, allow_smtputf8=True, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError:
        return address
    return f"{local}@{valid.ascii_domain}"
