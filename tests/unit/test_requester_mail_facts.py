"""What a requester must be able to read in our mail (issue 14): facts checked in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.test_mail_rendering import DESKS, RENDERER, full_context
from tests.unit.test_status_mail_templates import RCS_DISCLOSURE

RCS = DESKS["rext-cs"]
RELIA = DESKS["relia"]
RCS_CORRECTION = {**RCS_DISCLOSURE, "request_type": "correction", "fee_yen": 0, "fee_instrument": None}
RCS_PURPOSE = {**RCS_DISCLOSURE, "request_type": "purpose_notification"}


def render(kind: str, lang: str, **context: Any) -> str:
    mail = RENDERER.render(kind, lang, full_context(**context))
    assert mail.html is not None
    return mail.subject + "\n" + mail.text + "\n" + mail.html


@pytest.mark.parametrize(
    ("lang", "not_accepted", "how", "becomes"),
    [
        (
            "ja",
            "正式なご請求の受付をお知らせするものではありません",
            "郵送でお送りいただく方法でのみ承っております",
            "請求書が当窓口に届いた時点で、正式なご請求として受け付けます",
        ),
        (
            "en",
            "This mail does not confirm a request",
            "only by post, on its prescribed request form",
            "Your request is made when that letter reaches us",
        ),
    ],
)
def test_a_request_by_form_is_acknowledged_as_an_approach_not_a_request(lang, not_accepted, how, becomes):
    body = render(
        "ticket-received",
        lang,
        desk=RCS,
        category="request",
        request_types=["disclosure"],
        needs_formal_request=True,
        accepted_channels=["post"],
        fee_applies=True,
    )
    for fact in (not_accepted, how, becomes, "37"):
        assert fact in body
    assert "開示等のご請求を受け付けました" not in body and "We have received your request" not in body
    conforming = render(
        "ticket-received",
        lang,
        desk=RCS,
        category="request",
        request_types=["disclosure"],
        needs_formal_request=False,
        accepted_channels=["post"],
        fee_applies=True,
    )
    assert not_accepted not in conforming  # a letter on the form is the request itself


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_fee_is_stated_once_per_request_with_tax_and_how_to_pay(lang):
    body = render(
        "awaiting-documents",
        lang,
        desk=RCS,
        state="awaiting_formal_request",
        checklist=[RCS_PURPOSE, RCS_DISCLOSURE, RCS_CORRECTION],
    )
    text = body.split("\n<!doctype")[0]  # subject and plain text
    if lang == "ja":
        assert text.count("1,500円") == 1
        assert "1回のご請求につき1,500円（税込）" in text and "郵便定額小為替" in text
        assert "お支払い方法" not in text  # it is enclosed, not paid online
        assert "利用目的の通知・開示のご請求の場合のみ" in text
    else:
        assert text.count("1,500 yen") == 1
        assert "1,500 yen (tax included) per request" in text and "postal money order" in text
        assert "payment method" not in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_postage_stamps_carry_no_tax_note(lang):
    relia_disclosure = {**RCS_DISCLOSURE, "fee_yen": 1000, "fee_instrument": "postage_stamps"}
    body = render("awaiting-documents", lang, desk=RELIA, checklist=[relia_disclosure])
    assert ("1,000円" if lang == "ja" else "1,000 yen") in body
    assert "税込" not in body and "tax included" not in body
    assert ("郵便切手" if lang == "ja" else "postage stamps") in body


@pytest.mark.parametrize(
    ("kind", "state"), [("status-changed", "rejected"), ("ticket-resolved", "responded"), ("ticket-resolved", "closed")]
)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_accredited_organisation_is_named_where_the_requester_may_dispute(kind, state, lang):
    org = RCS.accredited_org
    assert org is not None
    body = render(kind, lang, desk=RCS, state=state)
    for fact in (org.name, org.office, org.postal_address, org.phone, org.hours):
        assert fact in body
    assert "認定個人情報保護団体" in body or "accredited personal information protection organisation" in body
    assert org.name not in render(kind, lang, desk=RELIA, state=state)  # relia names no organisation
    assert org.name not in render("status-changed", lang, desk=RCS, state="in_progress")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_hand_over_names_the_responsible_company(lang):
    body = render("status-changed", lang, desk=RCS, state="forwarded")
    assert RCS.joint_use["responsible_company"] in body and RCS.joint_use["responsible_address"] in body


@pytest.mark.parametrize(
    ("lang", "hours", "stranger"),
    [
        ("ja", "受付時間：平日 10:00～18:00", "このメールにお心当たりがない場合"),
        ("en", "Office hours: weekdays 10:00-18:00", "If you have not contacted us"),
    ],
)
@pytest.mark.parametrize("kind", ["ticket-received", "status-changed", "ticket-resolved", "agent-reply"])
def test_every_mail_gives_the_desks_hours_address_and_a_line_for_a_stranger(kind, lang, hours, stranger):
    body = render(kind, lang, desk=RCS)
    assert hours in body and RCS.postal_address in body and stranger in body


def test_relia_states_both_opening_windows():
    assert "平日 9:30～12:00、13:00～17:00" in render("ticket-received", "ja", desk=RELIA)
    assert "weekdays 9:30-12:00 and 13:00-17:00" in render("ticket-received", "en", desk=RELIA)


@pytest.mark.parametrize(
    ("lang", "facts"),
    [
        (
            "ja",
            [
                "当窓口所定の書式です。このメールにご返信いただければ、お送りいたします",
                "ご本人が自筆で記入し、押印してください",
                "顔写真付きの公的な証明書",
                "の写し1点、または顔写真のない公的な証明書",
                "写し2点",
                "有効期限内",
                "マイナンバー（個人番号）と、健康保険の保険者番号",
                "委任状（ご本人の実印を押印したもの）",
                "実印の印鑑登録証明書（発行日から3か月以内のもの）",
                "所属弁護士会発行の身分証明書（発行日から3か月以内のもの）",
                "戸籍謄本（発行日から3か月以内のもの）",
                "裁判所の選任決定書の写し",
                "後見登記の登記事項証明書",
            ],
        ),
        (
            "en",
            [
                "reply to this mail and we will send it to you",
                "fill it in by hand yourself and seal it",
                "a copy of one official photo ID",
                "copies of two official documents without a photo",
                "must be valid",
                "black out any My Number",
                "letter of authorization bearing your registered seal",
                "certificate of registration of that seal, issued within the last 3 months",
                "identification issued by their bar association, issued within the last 3 months",
                "family register, issued within the last 3 months",
                "court's appointment decision",
                "guardianship registration",
            ],
        ),
    ],
)
def test_the_guidance_says_how_to_get_the_form_and_what_each_requester_sends(lang, facts):
    body = render("awaiting-documents", lang, desk=RCS, state="awaiting_formal_request", checklist=[RCS_DISCLOSURE])
    text = body.split("<!doctype")[0]
    for fact in facts:
        assert fact in text, fact
    assert "90日" not in body and "90 days" not in body  # the policy promises 3 months, not 90 days


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_relia_asks_for_one_official_document_and_no_handwriting(lang):
    relia_disclosure = {**RCS_DISCLOSURE, "fee_yen": 1000, "fee_instrument": "postage_stamps"}
    body = render("awaiting-documents", lang, desk=RELIA, state="awaiting_formal_request", checklist=[relia_disclosure])
    assert ("運転免許証などの公的な証明書の写し1点" if lang == "ja" else "a copy of one official document") in body
    assert ("自筆" not in body) if lang == "ja" else ("by hand" not in body)
    assert ("住民票" if lang == "ja" else "residence certificate") in body  # relia's statutory agents
    assert ("弁護士" not in body) if lang == "ja" else ("bar association" not in body)
