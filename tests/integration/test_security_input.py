"""Malformed requests are the client's error: 400/404 with one short log line, never a 500 or a traceback."""

from __future__ import annotations

import logging

import pytest

from tests.integration.test_contact_form import FORM, open_form

BOUNDARY = "XyZ"


def multipart(*parts: tuple[str, bytes, str | None]) -> bytes:
    out = b""
    for name, value, charset in parts:
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n'.encode()
        if charset:
            out += f"Content-Type: text/plain; charset={charset}\r\n".encode()
        out += b"\r\n" + value + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


HEADERS = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
BAD_TEXT = ("name", b"\xff\xfe\xc3 not utf-8", None)
BAD_CHARSET = ("name", b"abc", "x-no-such-charset")


def assert_short_log(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "an error was logged"
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert any("refused" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("part", [BAD_TEXT, BAD_CHARSET], ids=["invalid-utf8", "unknown-charset"])
@pytest.mark.parametrize("path", [FORM, "/login", "/logout"])
async def test_undecodable_form_fields_are_400(client, caplog, path, part):
    token = await open_form(client)  # sets the CSRF cookie; the token goes in the body
    body = multipart(("_csrf_token", token.encode(), None), part)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        r = await client.post(path, content=body, headers=HEADERS)
    assert r.status_code == 400, r.text
    assert "text/html" in r.headers["content-type"]  # a page for people, not a traceback
    assert_short_log(caplog)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets",
        "/api/v1/tickets/REL-2026-000001/transitions",
        "/api/v1/mail/1/review",
        "/api/v1/tickets/REL-2026-000001/participants",
    ],
)
async def test_deeply_nested_json_is_400_before_authentication(client, caplog, path):
    deep = "[" * 1000 + "]" * 1000
    with caplog.at_level(logging.INFO):
        r = await client.post(path, content=deep, headers={"content-type": "application/json"})
    assert r.status_code in (400, 401), r.text
    assert r.status_code != 500
    if r.status_code == 400:
        assert "nested too deeply" in r.json()["detail"]
        assert_short_log(caplog)
    with caplog.at_level(logging.INFO):
        r = await client.post(path, content="{" * 5000, headers={"content-type": "application/json"})
    assert r.status_code in (400, 401)


async def test_deep_json_with_a_token_is_400_too(client, relia_agent, caplog):
    deep = '{"a":' * 2000 + "1" + "}" * 2000
    with caplog.at_level(logging.INFO):
        r = await client.post(
            "/api/v1/tickets", content=deep, headers={"content-type": "application/json", **relia_agent.headers}
        )
    assert r.status_code == 400, r.text
    assert_short_log(caplog)


@pytest.mark.parametrize("suffix,method", [("", "GET"), ("/raw", "GET"), ("/review", "POST")])
@pytest.mark.parametrize("mail_id", ["99999999999", "2147483648", "0"])
async def test_mail_ids_beyond_the_integer_range_are_404(client, make_staff, caplog, suffix, method, mail_id):
    manager = await make_staff("manager@relia.test", ["relia"], role="manager")
    with caplog.at_level(logging.INFO):
        r = await client.request(
            method,
            f"/api/v1/mail/{mail_id}{suffix}",
            headers=manager.headers,
            json={"review": "dismissed"} if method == "POST" else None,
        )
    assert r.status_code == 404, r.text
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
