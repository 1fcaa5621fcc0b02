"""Building test messages (the fixture corpus covers odd encodings; these are the everyday ones)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

_counter = itertools.count(1)


def make_mail(
    *,
    sender: str = "Hanako Yamada <hanako@example.test>",
    to: str = "privacy@relia-group.com",
    subject: str = "What do you hold about me?",
    body: str = "Please tell me which personal data you keep about me.",
    message_id: str | bool | None = True,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    date: datetime | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    if message_id is True:
        msg["Message-ID"] = f"<test-{next(_counter)}-{id(msg)}@example.test>"
    elif message_id:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=policy.SMTP)  # CRLF line endings, as on the wire
