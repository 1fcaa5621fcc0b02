"""JSON API of the mail channel: the inbound-mail log for managers, and a ticket's participants."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter
from msgspec import Meta

from ticketing.domain.intake import LIMITS
from ticketing.services.mail_log import ACTIONS, REVIEWS, MailLog
from ticketing.services.mail_ports import InboundRow
from ticketing.services.participants import Participants
from ticketing.web.auth import api_principal
from ticketing.web.deps import PrincipalDep
from ticketing.web.openapi import CHANGE, READ, WRITE
from ticketing.web.schemas import Email, openapi

# The inbound-mail vocabularies are the service's tuples (not yet domain enums): published as enums.
MailAction = Annotated[str, Meta(extra_json_schema=openapi(enum=list(ACTIONS)))]
Review = Annotated[str, Meta(extra_json_schema=openapi(enum=list(REVIEWS)))]
ReviewOrNone = Annotated[str, Meta(extra_json_schema=openapi(enum=["", *REVIEWS]))]  # "": not reviewed yet
ActionsQuery = Annotated[
    list[str] | None,
    QueryParameter(
        description="Which actions to list (repeat the parameter); default quarantined and ignored",
        schema_extra={"items": Schema(type=OpenAPIType.STRING, enum=list(ACTIONS))},
    ),
]


class InboundOut(msgspec.Struct):
    id: int
    desk: str
    source: str
    action: MailAction
    reason: str
    message_id: str | None
    from_email: str | None
    subject: str
    received_at: datetime
    size: int
    deliveries: int
    defects: list[str]
    ticket: str | None
    review: ReviewOrNone

    @classmethod
    def of(cls, r: InboundRow) -> InboundOut:
        return cls(
            r.id,
            r.desk,
            r.source,
            r.action,
            r.reason,
            r.message_id,
            r.from_email,
            r.subject,
            r.received_at,
            r.size,
            r.deliveries,
            list(r.defects),
            r.reference,
            r.review,
        )


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    review: Review  # dismissed: looked at, nothing to do; released: open a ticket from it after all


class ReviewOut(msgspec.Struct):
    id: int
    review: Review
    ticket: str | None  # the ticket a release opened


class ParticipantIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    name: Annotated[str, Meta(max_length=LIMITS["name"])] = ""


class ParticipantOut(msgspec.Struct):
    email: str
    name: str


class ParticipantAdded(msgspec.Struct):
    reference: str
    email: str
    added: bool  # false: the address was a participant already


class ParticipantRemoved(msgspec.Struct):
    reference: str
    email: str
    removed: bool  # false: it was not a participant


class MailLogApi(Controller):
    """Mail that reached a desk inbox. Managers (and admins) of the desk only."""

    path = "/api/v1/mail"
    tags = ["mail"]
    dependencies = {"principal": Provide(api_principal)}

    @get("/", summary="Inbound mail of your desks (default: quarantined and ignored)", raises=READ)
    async def list_mail(
        self,
        mail_log: NamedDependency[MailLog],
        principal: PrincipalDep,
        desk: FromQuery[str | None] = None,
        action: ActionsQuery = None,
        limit: FromQuery[int] = 200,
    ) -> list[InboundOut]:
        rows = await mail_log.list(principal, desk=desk, actions=action or ("quarantined", "ignored"), limit=limit)
        return [InboundOut.of(r) for r in rows]

    @get("/{inbound_id:int}", summary="One logged message", raises=READ)
    async def read(
        self, inbound_id: FromPath[int], mail_log: NamedDependency[MailLog], principal: PrincipalDep
    ) -> InboundOut:
        return InboundOut.of(await mail_log.get(principal, inbound_id))

    @get(
        "/{inbound_id:int}/raw",
        summary="The message exactly as received (the download is logged)",
        media_type="message/rfc822",
        raises=READ,
    )
    async def raw(
        self, inbound_id: FromPath[int], mail_log: NamedDependency[MailLog], principal: PrincipalDep
    ) -> Response[bytes]:
        mail = await mail_log.raw(principal, inbound_id)
        return Response(
            mail.data,
            media_type="message/rfc822",
            headers={
                "Content-Disposition": f'attachment; filename="{mail.filename}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )

    @post(
        "/{inbound_id:int}/review",
        status_code=200,
        summary="Dismiss it, or release it into a new ticket",
        raises=CHANGE,
    )
    async def review(
        self,
        inbound_id: FromPath[int],
        data: JSONBody[ReviewIn],
        mail_log: NamedDependency[MailLog],
        principal: PrincipalDep,
    ) -> ReviewOut:
        result = await mail_log.review(principal, inbound_id, data.review)
        return ReviewOut(inbound_id, data.review, result.ticket if result else None)


class ParticipantsApi(Controller):
    """Addresses besides the requester's whose mail may join the ticket (a representative, say)."""

    path = "/api/v1/tickets/{reference:str}/participants"
    tags = ["tickets"]
    dependencies = {"principal": Provide(api_principal)}

    @get("/", summary="List the ticket's participants", raises=READ)
    async def list_participants(
        self, reference: FromPath[str], participants: NamedDependency[Participants], principal: PrincipalDep
    ) -> list[ParticipantOut]:
        return [ParticipantOut(e, n) for e, n in await participants.list(principal, reference)]

    @post("/", status_code=201, summary="Add a participant", raises=WRITE)
    async def add(
        self,
        reference: FromPath[str],
        data: JSONBody[ParticipantIn],
        participants: NamedDependency[Participants],
        principal: PrincipalDep,
    ) -> ParticipantAdded:
        added = await participants.add(principal, reference, data.email, data.name)
        return ParticipantAdded(reference, data.email.strip(), added)

    @delete("/{email:str}", status_code=200, summary="Remove a participant", raises=READ)
    async def remove(
        self,
        reference: FromPath[str],
        email: Annotated[str, PathParameter(format="email")],
        participants: NamedDependency[Participants],
        principal: PrincipalDep,
    ) -> ParticipantRemoved:
        removed = await participants.remove(principal, reference, email)
        return ParticipantRemoved(reference, email, removed)
