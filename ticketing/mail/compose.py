"""OutgoingMail -> RFC 5322 message."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ticketing.domain.mail import OutgoingMail
from ticketing.mail.addresses import wire_address


def _address(name: str, addr: str) -> Address:
    local, _, domain = addr.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


# RFC 5321 4.5.3.1.6: a line on the wire is at most 998 characters; servers refuse longer ones.
MAX_LINE = 998


def _text_cte(text: str) -> str:
    """7bit keeps plain ASCII text readable; anything else (or a line too long for SMTP) is encoded."""
    if text.isascii() and all(len(line) <= MAX_LINE for line in text.splitlines()):
        return "7bit"
    return "quoted-printable"


def compose(mail: OutgoingMail, sent_at: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = _address(mail.from_name, mail.from_addr)
    msg["To"] = wire_address(mail.to_addr)
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = mail.message_id
    if mail.reply_to:
        msg["Reply-To"] = wire_address(mail.reply_to)
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        msg["References"] = " ".join(mail.references)
    if mail.auto_submitted:
        msg["Auto-Submitted"] = mail.auto_submitted
        # Ask Exchange and friends not to answer automatic mail with automatic mail.
        msg["X-Auto-Response-Suppress"] = "All"
    for key, value in mail.extra_headers.items():
        msg[key] = value
    msg.set_content(mail.text, cte=_text_cte(mail.text))
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    return msg
