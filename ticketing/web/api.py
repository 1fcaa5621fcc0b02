"""JSON API v1 (bearer-token auth)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody

from ticketing.domain.tickets import Channel, Language, State
from ticketing.services.contacts import ContactDetails
from ticketing.services.intake import IntakeService
from ticketing.services.tickets import TicketQueries
from ticketing.web.auth import api_principal
from ticketing.web.deps import PrincipalDep
from ticketing.web.openapi import AUTH, CREATE, READ
from ticketing.web.schemas import RequesterOut, TicketCreate, TicketCreated, TicketListItem, TicketOut


class TicketApi(Controller):
    path = "/api/v1/tickets"
    tags = ["tickets"]
    dependencies = {"principal": Provide(api_principal)}

    @post("/", status_code=201, summary="Create a ticket", raises=CREATE)
    async def create(
        self, data: JSONBody[TicketCreate], intake: NamedDependency[IntakeService], principal: PrincipalDep
    ) -> TicketCreated:
        intake.desk(data.desk)  # unknown desk: 404 before the membership check
        if data.desk not in principal.desks:
            raise PermissionDeniedException(f"you are not a member of desk {data.desk!r}")
        created = await intake.open_ticket(
            data.desk,
            data.intake_data(),
            channel=Channel(data.channel),
            staff_user_id=principal.user_id,
            staff_label=principal.email,
        )
        return TicketCreated(
            created.reference, created.desk, State(created.state), Language(created.language), created.status_url
        )

    @get("/", summary="List recent tickets of your desks", raises=AUTH)
    async def list_tickets(
        self, queries: NamedDependency[TicketQueries], principal: PrincipalDep
    ) -> list[TicketListItem]:
        return [TicketListItem.of(s) for s in await queries.list_for_staff(principal)]

    @post(
        "/{reference:str}/requester/confirm",
        status_code=200,
        summary="Make this ticket's contact details the requester's details on file (an event records it)",
        raises=READ,
    )
    async def confirm_contact(
        self, reference: FromPath[str], contacts: NamedDependency[ContactDetails], principal: PrincipalDep
    ) -> RequesterOut:
        return RequesterOut.of(await contacts.confirm(principal, reference))

    @get("/{reference:str}", summary="Read a ticket (the read is logged)", raises=READ)
    async def read(
        self, reference: FromPath[str], queries: NamedDependency[TicketQueries], principal: PrincipalDep
    ) -> TicketOut:
        return TicketOut.of(await queries.detail_for_staff(principal, reference))
