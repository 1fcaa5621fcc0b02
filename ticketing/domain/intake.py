"""Validation of a new ticket, whatever channel it came by (web form, API, agent log)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ticketing.domain.desks import Desk
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.tickets import Category, Channel, Language, RequestType

# Constant messages: the web layer uses them as gettext msgids, so they carry no interpolation.
REQUIRED = "This field is required."
TOO_LONG = "This value is too long."
BAD_EMAIL = "Enter a valid e-mail address."
BAD_PHONE = "Enter a valid phone number."
BAD_CHOICE = "Choose one of the listed options."
BAD_TEXT = "This value contains characters that are not allowed."
REQUEST_TYPES_NEEDED = "Choose at least one request type."
REQUEST_TYPES_UNEXPECTED = "Request types apply only to requests."
CONTACT_NEEDED = "Give an e-mail address, a phone number or a postal address."
TOO_MANY_FILES = "Too many attachments."
FILE_TOO_LARGE = "An attachment is too large."
BAD_TYPE = "This value has the wrong type."

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")
PHONE_RE = re.compile(r"^\+?[0-9()\- ]{6,30}$")
STAFF_ONLY_CATEGORIES = frozenset({Category.ACCREDITED_ORG_INQUIRY, Category.INCIDENT})
EMAIL_REQUIRED_CHANNELS = frozenset({Channel.WEB, Channel.EMAIL})

LIMITS = {"name": 200, "email": 254, "phone": 30, "postal_address": 500, "subject": 200, "message": 20_000}

# An address check returns the address in its normal form, or None when it is not one. Address
# syntax lives in a library (email-validator), which the domain may not import (docs/architecture.md): the
# composition root injects ticketing.mail.addresses.reply_address, which also accepts internationalised
# addresses (RFC 6531) and gives the same normal form as the mail parser, so a requester's next mail
# matches the address they typed. ascii_address, the stdlib check the form has always used, is the
# default where nothing is injected.
AddressCheck = Callable[[str], str | None]


def ascii_address(value: str) -> str | None:
    """An ASCII address with its domain lower-cased (the local part is case-sensitive), or None."""
    if EMAIL_RE.match(value) is None:
        return None
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


@dataclass(frozen=True, slots=True)
class AttachmentIn:
    filename: str
    declared_type: str
    size: int


@dataclass(frozen=True, slots=True)
class RequesterIn:
    name: str
    email: str | None
    phone: str | None
    postal_address: str | None


@dataclass(frozen=True, slots=True)
class NewTicket:
    desk: str
    channel: Channel
    category: Category
    request_types: tuple[RequestType, ...]
    subject: str
    message: str
    language: Language
    requester: RequesterIn
    attachments: tuple[AttachmentIn, ...] = ()


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    max_attachments: int = 5
    max_attachment_bytes: int = 10 * 1024 * 1024


@dataclass
class _Checker:
    errors: dict[str, str] = field(default_factory=dict)

    def text(
        self, data: Mapping[str, Any], key: str, name: str, *, required: bool, multiline: bool = False
    ) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.errors[name] = REQUIRED
            return None
        if not isinstance(value, str):
            self.errors[name] = BAD_TYPE
            return None
        value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
        allowed = {"\n", "\t"} if multiline else set()
        if any(unicodedata.category(ch) in {"Cc", "Cs", "Co"} and ch not in allowed for ch in value):
            self.errors[name] = BAD_TEXT
            return None
        if len(value) > LIMITS[key]:
            self.errors[name] = TOO_LONG
            return None
        return value

    def choice(self, value: Any, name: str, allowed: Sequence[str]) -> str | None:
        if not isinstance(value, str) or value not in allowed:
            self.errors[name] = BAD_CHOICE
            return None
        return value


def validate_new_ticket(
    data: Mapping[str, Any],
    desk: Desk,
    *,
    channel: Channel,
    staff: bool,
    limits: IntakeLimits,
    attachments: Sequence[AttachmentIn] = (),
    address_check: AddressCheck = ascii_address,
) -> NewTicket:
    """Check every field at once and raise ValidationFailed naming each bad one.

    `data` holds desk-independent fields: category, request_types, subject, message, language and
    requester{name, email, phone, postal_address}. `staff` widens the categories (accredited-org
    inquiries and incidents are logged by staff, not submitted by the public). `address_check`
    decides what an e-mail address is and its normal form.
    """
    check = _Checker()
    categories = [c.value for c in Category if staff or c not in STAFF_ONLY_CATEGORIES]
    category_raw = check.choice(data.get("category"), "category", categories)
    category = Category(category_raw) if category_raw else None

    raw_types = data.get("request_types") or []
    request_types: list[RequestType] = []
    offered = [t.value for t in (desk.request_types or RequestType)]
    if not isinstance(raw_types, list):
        check.errors["request_types"] = BAD_TYPE
    else:
        for item in raw_types:
            if check.choice(item, "request_types", offered) and RequestType(item) not in request_types:
                request_types.append(RequestType(item))
    if category is Category.REQUEST and not request_types and "request_types" not in check.errors:
        check.errors["request_types"] = REQUEST_TYPES_NEEDED
    if category is not None and category is not Category.REQUEST and request_types:
        check.errors["request_types"] = REQUEST_TYPES_UNEXPECTED

    subject = check.text(data, "subject", "subject", required=True)
    message = check.text(data, "message", "message", required=True, multiline=True)
    language_raw = data.get("language") or desk.language.value
    language = check.choice(language_raw, "language", [lang.value for lang in Language])

    requester = data.get("requester")
    if not isinstance(requester, Mapping):
        check.errors["requester"] = REQUIRED if requester is None else BAD_TYPE
        requester = {}
    name = check.text(requester, "name", "requester.name", required=True)
    email = check.text(requester, "email", "requester.email", required=channel in EMAIL_REQUIRED_CHANNELS)
    if email is not None:
        email = address_check(email)
        if email is None:
            check.errors["requester.email"] = BAD_EMAIL
    phone = check.text(requester, "phone", "requester.phone", required=False)
    if phone is not None and PHONE_RE.match(phone) is None:
        check.errors["requester.phone"] = BAD_PHONE
        phone = None
    postal = check.text(requester, "postal_address", "requester.postal_address", required=False, multiline=True)
    contact_fields = ("requester.email", "requester.phone", "requester.postal_address")
    if not (email or phone or postal) and not any(f in check.errors for f in contact_fields):
        check.errors["requester.email"] = CONTACT_NEEDED

    if len(attachments) > limits.max_attachments:
        check.errors["attachments"] = TOO_MANY_FILES
    elif any(a.size > limits.max_attachment_bytes for a in attachments):
        check.errors["attachments"] = FILE_TOO_LARGE

    if check.errors:
        raise ValidationFailed(check.errors)
    assert category is not None and subject and message and language and name
    return NewTicket(
        desk=desk.slug,
        channel=channel,
        category=category,
        request_types=tuple(request_types),
        subject=subject,
        message=message,
        language=Language(language),
        requester=RequesterIn(name=name, email=email, phone=phone, postal_address=postal),
        attachments=tuple(attachments),
    )


def safe_filename(name: str) -> str:
    """A display filename with no path, control characters or leading dots."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:200] or "attachment"
