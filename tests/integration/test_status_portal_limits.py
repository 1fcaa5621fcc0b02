"""The status page's guards: the link's life, CSRF, upload limits and bad input, each a 4xx page
(never a 500), on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import logging

import httpx
import pytest

from tests.integration.test_status_portal import (
    PNG,
    csrf_token,
    path_of,
    portal_app,
    request_awaiting_documents,
    send,
)
from ticketing.app import create_app
from ticketing.db.tables import Attachment, Message, Ticket
from ticketing.domain.intake import IntakeLimits
from ticketing.domain.mail_config import MailRules

BOUNDARY = "XyZ"


async def inbound_count(ref: str) -> int:
    ticket = await Ticket.select(Ticket.id).where(Ticket.reference == ref).first()
    return await Message.count().where((Message.ticket == ticket["id"]) & (Message.direction == "inbound"))


async def settle(client: httpx.AsyncClient, agent, ref: str, *actions: str) -> None:  # type: ignore[no-untyped-def]
    for action in actions:
        r = await client.post(f"/api/v1/tickets/{ref}/transitions", json={"action": action}, headers=agent.headers)
        assert r.status_code == 200, r.text


# 1. The link's life --------------------------------------------------------------------------------


async def test_a_link_expires_a_set_time_after_the_ticket_settled(client, relia_agent, clock):
    ref, path = await request_awaiting_documents(client, relia_agent)
    missing = await client.get("/status/not-a-token")
    truncated = await client.get(path[:-3])
    assert missing.status_code == truncated.status_code == 404
    assert missing.content == truncated.content

    await settle(client, relia_agent, ref, "close")
    clock.advance(days=90, seconds=-1)
    assert (await client.get(path)).status_code == 200  # the default: 90 days after closing
    token = csrf_token((await client.get(path)).text)
    clock.advance(seconds=1)
    expired = await client.get(path)
    assert expired.status_code == 404
    assert expired.content == missing.content  # byte for byte: an expired link tells nothing more
    assert expired.headers["cache-control"] == "no-store" and expired.headers["referrer-policy"] == "no-referrer"
    r = await client.post(path, data={"_csrf_token": token, "message": "Still there?"})
    assert r.status_code == 404 and r.content == missing.content
    assert await inbound_count(ref) == 1  # the letter only

    await settle(client, relia_agent, ref, "reopen")  # an open ticket's link works again
    assert (await client.get(path)).status_code == 200


async def test_the_days_come_from_the_settings(client, container, relia_agent, clock):
    ref, path = await request_awaiting_documents(client, relia_agent)
    await settle(client, relia_agent, ref, "withdraw")
    clock.advance(days=8)
    assert (await client.get(path)).status_code == 200
    async with portal_app(container, link_days=7) as short:
        assert (await short.get(path)).status_code == 404


# 2. CSRF ------------------------------------------------------------------------------------------------


async def test_a_reply_without_a_valid_csrf_token_is_a_403_page(client, app, relia_agent):
    ref, path = await request_awaiting_documents(client, relia_agent)
    r = await client.post(path, data={"message": "no token"})  # no cookie, no field
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert "This form has expired." in r.text and f'href="{path}"' in r.text
    assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"
    token = csrf_token((await client.get(path)).text)
    r = await client.post(path, data={"_csrf_token": token[:-4] + "0000", "message": "tampered"})
    assert r.status_code == 403
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        r = await other.post(path, data={"_csrf_token": token, "message": "copied"})  # no cookie
        assert r.status_code == 403
    assert await inbound_count(ref) == 1
    assert (await client.post(path, data={"_csrf_token": token, "message": "ok"})).status_code == 303


# 3. Upload limits ------------------------------------------------------------------------------------------


async def test_too_many_files_are_refused_and_nothing_is_stored(client, relia_agent):
    ref, path = await request_awaiting_documents(client, relia_agent)
    files = [("attachments", (f"f{i}.txt", f"file {i}".encode(), "text/plain")) for i in range(6)]
    r = await send(client, path, "Six files", files)
    assert r.status_code == 400 and "Too many attachments." in r.text
    assert ">Six files</textarea>" in r.text  # what they wrote stays in the form
    assert r.headers["cache-control"] == "no-store"
    assert await inbound_count(ref) == 1 and await Attachment.count() == 0
    assert (await send(client, path, "Five files", files[:5])).status_code == 303
    assert await Attachment.count() == 5


async def test_a_file_over_the_size_limit(client, container, relia_agent, settings):
    ref, path = await request_awaiting_documents(client, relia_agent)
    async with portal_app(container, limits=IntakeLimits(5, 1024)) as small:
        page = (await small.get(path)).text
        assert "(optional; up to 5 files of 1 KB each)" in page
        big = [("attachments", ("big.bin", b"x" * 1025, "application/octet-stream"))]
        r = await send(small, path, "", big)
        assert r.status_code == 400 and "An attachment is too large." in r.text
        assert await Attachment.count() == 0
        assert not any(p.is_file() for p in settings.attachments_dir.rglob("*"))
        ok = [("attachments", ("ok.png", PNG, "image/png"))]
        assert (await send(small, path, "", ok)).status_code == 303  # a file alone is a reply
    assert await inbound_count(ref) == 2


async def test_the_desks_mail_rules_apply_to_the_page_too(client, container, relia_agent):
    _, path = await request_awaiting_documents(client, relia_agent)
    strict = dataclasses.replace(container.desks["relia"], mail=MailRules(max_attachments=1))
    async with portal_app(container, desks={**container.desks, "relia": strict}) as c:
        assert "(optional; up to 1 files of 10 MB each)" in (await c.get(path)).text
        two = [("attachments", (f"f{i}.txt", b"text", "text/plain")) for i in range(2)]
        assert (await send(c, path, "Two", two)).status_code == 400


async def test_a_body_over_the_limit_is_a_413_page(settings, container, relia_agent):
    small = dataclasses.replace(settings, max_attachment_bytes=1024)
    app = create_app(small, container=dataclasses.replace(container, settings=small), migrate=False, scheduler=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        ref, path = await request_awaiting_documents(client, relia_agent)
        huge = [("attachments", ("huge.bin", b"x" * (2 * 1024 * 1024), "application/octet-stream"))]
        r = await send(client, path, "huge", huge)
        assert r.status_code == 413 and "text/html" in r.headers["content-type"]
        assert "The attachments are too large." in r.text and f'href="{path}"' in r.text
        assert r.headers["cache-control"] == "no-store"
        assert await inbound_count(ref) == 1


# 4. Bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("", "Write a message or attach a file."),
        ("  \r\n\t ", "Write a message or attach a file."),
        ("bell \x07 and nul \x00", "This value contains characters that are not allowed."),
        ("x" * 20_001, "This value is too long."),
    ],
    ids=["empty", "blank", "control-characters", "too-long"],
)
async def test_a_bad_message_gets_the_page_again_with_the_error(client, relia_agent, message, error):
    ref, path = await request_awaiting_documents(client, relia_agent)
    r = await send(client, path, message)
    assert r.status_code == 400, r.text
    assert f'<p class="error" id="message-error">{error}</p>' in r.text
    assert 'aria-invalid="true"' in r.text and "Waiting for your documents" in r.text
    assert await inbound_count(ref) == 1


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def part(name: str, value: bytes, extra: str = "") -> bytes:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'
    return head.encode() + value + b"\r\n"


async def test_unreadable_bodies_are_4xx_pages(client, relia_agent, caplog):
    ref, path = await request_awaiting_documents(client, relia_agent)
    token = csrf_token((await client.get(path)).text).encode()
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    bodies = {
        "invalid-utf8": multipart(part("_csrf_token", token), part("message", b"\xff\xfe\xc3 not utf-8")),
        "no-closing-boundary": part("_csrf_token", token) + f"--{BOUNDARY}\r\nContent-Disposition: form-d".encode(),
        "garbage": b"\x00\x01\x02 not multipart at all",
        "file-where-text-belongs": multipart(
            part("_csrf_token", token), part("message", b"hello", '; filename="m.txt"')
        ),
    }
    caplog.clear()
    for name, body in bodies.items():
        with caplog.at_level(logging.INFO):
            r = await client.post(path, content=body, headers=headers)
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:300])
        assert "text/html" in r.headers["content-type"], name
        assert r.headers["cache-control"] == "no-store", name
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR or rec.exc_info], "an error was logged"
    other = await client.post(path, content=b"message=hi", headers={"content-type": "text/plain"})
    assert 400 <= other.status_code < 500
    assert await inbound_count(ref) == 1


async def test_a_failure_on_our_side_is_a_private_500_page(client, container, relia_agent, monkeypatch, caplog):
    _, path = await request_awaiting_documents(client, relia_agent)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(container.portal, "view", broken)
    with caplog.at_level(logging.ERROR):
        r = await client.get(path)
    assert r.status_code == 500 and "text/html" in r.headers["content-type"]
    assert "Something went wrong on our side" in r.text and "fell over" not in r.text
    assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"


# 5. Floods ---------------------------------------------------------------------------------------------------


async def test_replies_from_one_page_are_limited_per_hour(client, rcs_agent, clock):
    _, path = await request_awaiting_documents(client, rcs_agent, "rext-cs")
    for i in range(20):
        assert (await send(client, path, f"message {i}")).status_code == 303
    r = await send(client, path, "one too many")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "このページから多くのメッセージが送信されました" in r.text and ">one too many</textarea>" in r.text
    clock.advance(hours=1, seconds=1)
    assert (await send(client, path, "later")).status_code == 303


async def test_status_posts_share_the_public_forms_rate_limit(settings, container, relia_agent):
    limited = dataclasses.replace(settings, form_rate_limit_per_minute=2)
    app = create_app(limited, container=container, migrate=False, scheduler=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        r = await client.post("/api/v1/tickets", json=_body(), headers=relia_agent.headers)
        path = path_of(r.json()["status_url"])
        codes = [(await send(client, path, f"m{i}")).status_code for i in range(3)]
    assert codes == [303, 303, 429]


def _body() -> dict[str, object]:
    return {
        "desk": "relia",
        "category": "inquiry",
        "subject": "Question",
        "message": "Which data do you keep?",
        "language": "en",
        "requester": {"name": "Hanako Yamada", "email": "hanako@example.test"},
    }
