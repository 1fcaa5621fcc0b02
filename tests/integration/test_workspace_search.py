"""Search at /app/search: Japanese two-character words, English words, names, addresses, phone
numbers and references, on SQLite (FTS5) and PostgreSQL (tsvector + GIN), over the caller's desks."""

from __future__ import annotations

import pytest

from tests.conftest import ticket_json
from tests.integration.test_staff_pages import logged_in
from tests.integration.test_workspace_queues import refs
from ticketing.db.tables import AccessLog


async def create(client, staff, **overrides) -> str:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/tickets", json=ticket_json(**overrides), headers=staff.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


@pytest.fixture
async def found(client, relia_agent, make_staff):  # type: ignore[no-untyped-def]
    rcs_agent = await make_staff("a@rext.test", ["rext-cs"])
    disclosure = await create(
        client,
        relia_agent,
        subject="保有個人データの開示請求について",
        message="私の個人情報の開示をお願いします。",
        language="ja",
        requester={"name": "山田 花子", "email": "hanako.yamada@example.jp", "phone": "03-5351-6152"},
    )
    deletion = await create(
        client,
        relia_agent,
        subject="お問い合わせ",
        message="登録情報の削除を希望します。メールマガジンも停止してください。",
        language="ja",
        requester={"name": "佐藤 次郎", "email": "jiro@example.jp"},
    )
    english = await create(
        client,
        relia_agent,
        subject="Correction of my address",
        message="Please correct the address you hold; the disclosure I got shows the old one.",
        requester={"name": "Tanaka Ken", "email": "ken.tanaka@example.test"},
    )
    other_desk = await create(
        client, rcs_agent, desk="rext-cs", subject="開示のお願い", message="開示してください", language="ja"
    )
    return {"disclosure": disclosure, "deletion": deletion, "english": english, "other": other_desk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("開示", ["disclosure"]),  # two characters, in the subject and the message
        ("削除", ["deletion"]),  # two characters, only in the message
        ("個人情報", ["disclosure"]),  # a longer word: the phrase of its pairs
        ("情報の削除", ["deletion"]),
        ("人情", ["disclosure"]),  # inside 個人情報: a substring finds it, as the pairs say
        ("停止", ["deletion"]),
        ("disclosure", ["english"]),  # English word in the message
        ("Correction", ["english"]),
        ("tana", ["english"]),  # the last word matches as a prefix
        ("ken.tanaka@example.test", ["english"]),
        ("山田", ["disclosure"]),  # the requester's name
        ("03-5351-6152", ["disclosure"]),
        ("0353516152", ["disclosure"]),
        ("5351", ["disclosure"]),
        ("ｄｉｓｃｌｏｓｕｒｅ", ["english"]),  # full-width letters are the same letters
        ("開示 disclosure", []),  # every word must occur
        ("漏えい", []),
    ],
)
async def test_search_finds_by_word_name_address_and_phone(client, relia_agent, found, query, expected):
    await logged_in(client, relia_agent)
    r = await client.get("/app/search", params={"q": query})
    assert r.status_code == 200
    assert sorted(refs(r.text)) == sorted(found[k] for k in expected), query


async def test_a_reference_opens_its_ticket_and_strangers_find_nothing(client, relia_agent, found):
    await logged_in(client, relia_agent)
    assert refs((await client.get("/app/search", params={"q": found["english"].lower()})).text) == [found["english"]]
    assert refs((await client.get("/app/search", params={"q": found["other"]})).text) == []
    page = (await client.get("/app/search", params={"q": "開示"})).text
    assert found["other"] not in page  # another desk's ticket says 開示 too


async def test_a_search_is_recorded_with_what_was_asked(client, relia_agent, found):
    await logged_in(client, relia_agent)
    await client.get("/app/search", params={"q": "山田"})
    rows = await AccessLog.select(AccessLog.target, AccessLog.rows_shown).where(AccessLog.what == "ticket_list")
    assert {"target": "search:山田 desks:relia", "rows_shown": 1} in rows


@pytest.mark.parametrize(
    "query", ["", "   ", "'\"*:&|!()<->", "\x00\x01", "a" * 5000, "NEAR(", '"unbalanced', "-x", "*"]
)
async def test_odd_queries_are_answered_not_failed(client, relia_agent, found, query):
    await logged_in(client, relia_agent)
    r = await client.get("/app/search", params={"q": query})
    assert r.status_code in (200, 400)
    assert "Traceback" not in r.text and "Internal" not in r.text
