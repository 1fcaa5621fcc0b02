"""The requester's private status page (/status/<token>), and the page catalogs behind all web pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ticket_json
from ticketing.db.tables import Outbox, Ticket
from ticketing.domain import intake as domain_intake
from ticketing.domain.tickets import Category, RequestType, State
from ticketing.web import contact, errors
from ticketing.web.i18n import LOCALE_DIR

TEMPLATES = Path(contact.__file__).with_name("templates")


async def create(client, staff_member, **overrides) -> dict[str, str]:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(**overrides), headers=staff_member.headers)
    assert r.status_code == 201, r.text
    return r.json()


def path_of(status_url: str) -> str:
    assert status_url.startswith("http://testserver/status/")
    return status_url.removeprefix("http://testserver")


async def test_status_page_in_the_tickets_language(client, rcs_agent):
    body = await create(
        client,
        rcs_agent,
        desk="rext-cs",
        language="ja",
        subject="利用停止のお願い",
        requester={"name": "鈴木 一郎", "email": "ichiro@example.test", "phone": "06-1111-2222"},
    )
    r = await client.get(path_of(body["status_url"]))
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="ja">' in r.text
    assert "RCS-2026-000001" in r.text and "ご用件：" in r.text
    assert "利用停止のお願い" not in r.text  # the subject is free text from an unauthenticated sender
    assert "状況：" in r.text and "<strong>受付済み</strong>" in r.text
    assert "株式会社レクストカスタマーサービス" in r.text
    # The link may be forwarded: the page shows the case, not the person.
    for personal in ("鈴木", "ichiro@example.test", "06-1111-2222"):
        assert personal not in r.text


async def test_status_page_in_english_follows_the_state(client, relia_agent):
    body = await create(client, relia_agent)
    path = path_of(body["status_url"])
    r = await client.get(path)
    assert r.status_code == 200 and '<html lang="en">' in r.text
    assert "REL-2026-000001" in r.text and "<strong>Received</strong>" in r.text
    await Ticket.update({Ticket.state: State.AWAITING_DOCUMENTS.value}).where(Ticket.reference == body["reference"])
    r = await client.get(path)
    assert "<strong>Waiting for your documents</strong>" in r.text


async def test_dates_are_in_the_desks_time_zone(client, relia_agent, clock):
    clock.at = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # 08:30 on 25 November in Tokyo
    body = await create(client, relia_agent)
    page = (await client.get(path_of(body["status_url"]))).text
    assert "Received: November 25, 2026" in page and "Last change: November 25, 2026" in page


async def test_wrong_token_is_404(client, relia_agent):
    body = await create(client, relia_agent)
    good = path_of(body["status_url"])
    for path in ("/status/not-a-token", good[:-1] + ("A" if good[-1] != "A" else "B"), good + "x"):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"
        assert "text/html" in r.headers["content-type"]
        assert "REL-2026-000001" not in r.text
    assert (await client.get(good)).status_code == 200


async def test_the_acknowledgement_mail_links_to_the_status_page(client):
    page = (await client.get("/desks/rext-cs/contact")).text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    data = {
        "_csrf_token": token,
        "name": "山田 花子",
        "email": "hanako@example.test",
        "category": "complaint",
        "subject": "電話が多い",
        "message": "営業電話をやめてください。",
        "lang": "ja",
    }
    r = await client.post("/desks/rext-cs/contact", data=data)
    assert r.status_code == 201, r.text
    row = await Outbox.select(Outbox.payload).first().output(load_json=True)
    links = set(re.findall(r"http://testserver(/status/[A-Za-z0-9_-]+)", str(row["payload"])))
    assert len(links) == 1
    r = await client.get(links.pop())
    assert r.status_code == 200
    assert "RCS-2026-000001" in r.text and "電話が多い" not in r.text and "受付済み" in r.text


# The page catalogs -----------------------------------------------------------------------------------


def catalog(lang: str) -> dict[str, str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        po = read_po(fh, locale=lang)
    return {m.id: m.string for m in po if m.id and isinstance(m.id, str)}


def template_msgids() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        found |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', path.read_text(encoding="utf-8")))
    return found


def code_msgids() -> set[str]:
    """Texts the web layer passes through the catalogs: validation errors and error pages."""
    texts = {v for k, v in vars(domain_intake).items() if k.isupper() and isinstance(v, str) and v.endswith(".")}
    texts |= {contact.HONEYPOT_MESSAGE, contact.NOT_PROCESSED, "Back", *contact.ERROR_MESSAGES.values()}
    texts.add(errors.SERVER_ERROR)  # the error page of any page that failed on our side
    return texts


def test_every_template_text_has_a_japanese_translation():
    ids = template_msgids()
    assert "Contact the personal information desk" in ids and "Your case" in ids  # the scan finds them
    ja, en = catalog("ja"), catalog("en")
    assert sorted(i for i in ids if not ja.get(i, "").strip()) == []
    assert sorted(i for i in ids if i not in en) == []


def test_every_validation_and_error_text_has_a_japanese_translation():
    ids = code_msgids()
    assert domain_intake.REQUIRED in ids and contact.PAGE_NOT_FOUND in ids
    ja, en = catalog("ja"), catalog("en")
    assert sorted(i for i in ids if not ja.get(i, "").strip()) == []
    assert sorted(i for i in ids if i not in en) == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_vocabulary_key_is_translated(lang):
    entries = catalog(lang)
    keys = [f"category:{c.value}" for c in Category]
    keys += [f"request_type:{r.value}" for r in RequestType]
    keys += [f"state:{s.value}" for s in State]
    assert sorted(k for k in keys if not entries.get(k, "").strip()) == []


def test_placeholders_survive_translation():
    ja = catalog("ja")
    for msgid, msgstr in ja.items():
        if msgstr:
            assert sorted(re.findall(r"%\(\w+\)\w", msgid)) == sorted(re.findall(r"%\(\w+\)\w", msgstr)), msgid
