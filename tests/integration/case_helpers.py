"""Helpers for the request-workflow tests: a desk's staff, API calls that must succeed, clocks by kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.conftest import Staff
from ticketing.db.tables import Outbox, SlaClock, Ticket


def jst(text: str) -> str:
    """A Tokyo wall time as the API returns instants (UTC, 'Z')."""
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Desk:
    client: httpx.AsyncClient
    agent: Staff
    manager: Staff
    cpo: Staff

    async def post(self, path: str, body: dict[str, Any], who: Staff | None = None, status: int = 201) -> Any:
        r = await self.client.post(path, json=body, headers=(who or self.agent).headers)
        assert r.status_code == status, r.text
        return r.json()

    async def refused(self, path: str, body: dict[str, Any], status: int, who: Staff | None = None) -> str:
        """The error answer's text (detail and field messages together)."""
        r = await self.client.post(path, json=body, headers=(who or self.agent).headers)
        assert r.status_code == status, r.text
        answer = r.json()
        return f"{answer.get('detail', '')} {answer.get('errors', '')} {answer.get('extra', '')}"

    async def get(self, path: str) -> Any:
        r = await self.client.get(path, headers=self.agent.headers)
        assert r.status_code == 200, r.text
        return r.json()

    async def move(self, ref: str, *actions: str, **extra: Any) -> None:
        for action in actions:
            await self.post(f"/api/v1/tickets/{ref}/transitions", {"action": action, **extra}, status=200)

    async def letter(self, slug: str, request_types: list[str], **requester: Any) -> str:
        """A request letter an agent logs as a new ticket (post: the way both seed desks take them)."""
        body = {
            "desk": slug,
            "channel": "post",
            "category": "request",
            "request_types": request_types,
            "subject": "開示等請求書",
            "message": "所定の請求書が届きました。",
            "language": "ja",
            "requester": {"name": "山田 花子", "postal_address": "大阪府大阪市中央区 1-2-3", **requester},
        }
        return str((await self.post("/api/v1/tickets", body))["reference"])


async def desk_staff(client: httpx.AsyncClient, make_staff: Any, slug: str) -> Desk:
    return Desk(
        client,
        await make_staff(f"agent@{slug}.test", [slug]),
        await make_staff(f"manager@{slug}.test", [slug], "manager"),
        await make_staff(f"cpo@{slug}.test", [slug], "manager"),
    )


async def outbox_kinds(reference: str) -> list[str]:
    ticket = await Ticket.select(Ticket.id).where(Ticket.reference == reference).first()
    rows = await Outbox.select(Outbox.kind).where(Outbox.ticket == ticket["id"]).order_by(Outbox.id)
    return [r["kind"] for r in rows]


async def clocks(reference: str) -> dict[str, dict[str, Any]]:
    ticket = await Ticket.select(Ticket.id).where(Ticket.reference == reference).first()
    rows = await SlaClock.select().where(SlaClock.ticket == ticket["id"])
    return {r["kind"]: r for r in rows}
