"""Mail to requesters: reference in the subject, threaded on their last message, a private status link.

Status links are derived, not stored: the token is an HMAC of the ticket reference under the
service's secret key, and only its SHA-256 is on the ticket. So any later mail can carry the same
link without the database holding anything that opens the status page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ticketing.domain.desks import Desk
from ticketing.domain.mail import MailKind, OutgoingMail, RenderedMail, make_message_id, reference_subject
from ticketing.services.ports import MailRenderer

REFERENCES_KEPT = 10


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StatusLinks:
    def __init__(self, secret: str, base_url: str) -> None:
        self._key = hashlib.sha256(b"ticketing status link\0" + secret.encode()).digest()
        self.base_url = base_url

    def token(self, reference: str) -> str:
        digest = hmac.new(self._key, reference.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def url(self, reference: str) -> str:
        return f"{self.base_url}/status/{self.token(reference)}"

    def hash(self, reference: str) -> str:
        return token_hash(self.token(reference))


@dataclass(frozen=True, slots=True)
class Thread:
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()

    @classmethod
    def of(cls, ids: Sequence[str], last_inbound: str | None = None) -> Thread:
        """Reply to the requester's latest message (else our latest), keeping the first and last references."""
        ids = list(dict.fromkeys(ids))
        parent = last_inbound or (ids[-1] if ids else None)
        if parent and (not ids or ids[-1] != parent):
            ids = [i for i in ids if i != parent] + [parent]
        if len(ids) > REFERENCES_KEPT:
            ids = ids[:1] + ids[-(REFERENCES_KEPT - 1) :]
        return cls(parent, tuple(ids))


class RequesterMail:
    def __init__(self, renderer: MailRenderer, links: StatusLinks) -> None:
        self.renderer = renderer
        self.links = links

    def letter(
        self, kind: MailKind, desk: Desk, *, language: str, reference: str, context: Mapping[str, Any]
    ) -> RenderedMail:
        """The same words as a printed letter (a notice sent by post): no envelope, the status link kept."""
        values = {"desk": desk, "reference": reference, "status_url": self.links.url(reference), **context}
        return self.renderer.render(kind, language if language in ("ja", "en") else desk.language.value, values)

    def build(
        self,
        kind: MailKind,
        desk: Desk,
        *,
        to: str,
        language: str,
        reference: str,
        thread: Thread = Thread(),
        auto: str | None = "auto-generated",
        context: Mapping[str, Any] | None = None,
    ) -> OutgoingMail:
        """Render `emails/<kind>/<language>/` for one requester and wrap it for the outbox.

        No text the requester typed goes in (not their name, subject or message): whoever knows an
        address can open a ticket for it, so mail from the desk's own address must carry only the
        reference, the desk's words and the status link, or it could be turned into phishing.
        """
        values = {
            "desk": desk,
            "reference": reference,
            "status_url": self.links.url(reference),
            **(context or {}),
        }
        rendered = self.renderer.render(kind, language if language in ("ja", "en") else desk.language.value, values)
        return OutgoingMail(
            kind=kind,
            from_addr=desk.inbox,
            from_name=desk.name,
            to_addr=to,
            subject=reference_subject(reference, rendered.subject),
            text=rendered.text,
            html=rendered.html,
            message_id=make_message_id(reference, secrets.token_hex(8), desk.inbox_domain),
            reply_to=desk.inbox,
            in_reply_to=thread.in_reply_to,
            references=thread.references,
            auto_submitted=auto,
        )
