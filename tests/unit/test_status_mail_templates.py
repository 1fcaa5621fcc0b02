"""What the status mails say: documents and fees per requested type, per-state wording, omitted attachments, bounces."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from tests.unit.test_mail_rendering import DESKS, LANGUAGES, RELIA_CHECKLIST, RENDERER, STATUS_URL, full_context

REQUESTER_STATUS_KINDS = ("awaiting-documents", "status-changed", "ticket-resolved")
# services/workflow.py checklist() for rext-cs: 1,500 yen by 定額小為替 (desks.toml).
RCS_DISCLOSURE = {
    "request_type": "disclosure",
    "channels": ["post"],
    "fee_yen": 1500,
    "fee_instrument": "postal_money_order",
    "documents": ["request_form", "identity"],
}
EVIL_NOTE = 'Send <b>both</b> sides & "sign"\n\nThanks'


def waiting(**overrides: Any) -> dict[str, Any]:
    return full_context(**{"state": "awaiting_documents", "previous_state": "triage", **overrides})


def section(text: str, heading: str) -> str:
    """The lines from `heading` to the next blank line."""
    start = text.index(heading)
    end = text.find("\n\n", start)
    return text[start:] if end < 0 else text[start:end]


# --- awaiting-documents -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "desk", "checklist", "heading", "lines"),
    [
        (
            "en",
            "relia",
            RELIA_CHECKLIST,
            "Disclosure:",
            [
                "- Documents: the prescribed request form, a copy of an identity document",
                "- Fee: yes (see below)",
                "- How to send: by post",
            ],
        ),
        (
            "en",
            "relia",
            RELIA_CHECKLIST,
            "Correction, addition or deletion:",
            [
                "- Documents: the prescribed request form, a copy of an identity document",
                "- Fee: none",  # APPI Art. 38: no fee for correction requests
                "- How to send: by post",
            ],
        ),
        (
            "ja",
            "relia",
            RELIA_CHECKLIST,
            "【開示】",
            [
                "・必要書類：所定の請求書、本人確認書類の写し",
                "・手数料：必要（下記のとおり）",
                "・ご提出方法：郵送",
            ],
        ),
        (
            "ja",
            "relia",
            RELIA_CHECKLIST,
            "【訂正・追加・削除】",
            [
                "・必要書類：所定の請求書、本人確認書類の写し",
                "・手数料：不要",
                "・ご提出方法：郵送",
            ],
        ),
        ("ja", "rext-cs", [RCS_DISCLOSURE], "【開示】", ["・手数料：必要（下記のとおり）"]),
        ("en", "rext-cs", [RCS_DISCLOSURE], "Disclosure:", ["- Fee: yes (see below)"]),
    ],
)
def test_awaiting_documents_lists_documents_fee_and_channel_per_requested_type(
    lang: str, desk: str, checklist: list[dict[str, Any]], heading: str, lines: list[str]
) -> None:
    mail = RENDERER.render("awaiting-documents", lang, waiting(desk=DESKS[desk], checklist=checklist))
    block = section(mail.text, heading).splitlines()
    assert all(line in block for line in lines), block
    assert mail.html.count("<ul>") >= len(checklist)
    for line in lines:
        assert f"<li>{line[2:] if lang == 'en' else line[1:]}</li>" in mail.html


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("desk", sorted(DESKS))
def test_the_postal_address_is_given_only_when_a_type_goes_by_post(lang: str, desk: str) -> None:
    d = DESKS[desk]
    by_post = RENDERER.render("awaiting-documents", lang, waiting(desk=d))
    assert d.postal_address in by_post.text and d.postal_address in by_post.html
    by_mail = [dict(item, channels=["email", "web"]) for item in RELIA_CHECKLIST]
    online = RENDERER.render("awaiting-documents", lang, waiting(desk=d, checklist=by_mail))
    # The footer gives the desk's address in every mail; the block to send things to is for post only.
    assert ("Address for sending by post" if lang == "en" else "郵送先") not in online.text + online.html
    assert ("by e-mail or web form" if lang == "en" else "メールまたはウェブフォーム") in online.text
    no_address = RENDERER.render("awaiting-documents", lang, waiting(desk=replace(d, postal_address="")))
    assert "Address for sending by post" not in no_address.text and "郵送先" not in no_address.text


@pytest.mark.parametrize(
    ("lang", "procedure", "paused"),
    [
        ("en", "accepted through our prescribed procedure", "no period set by law is paused"),
        ("ja", "当窓口所定の手続きにより承っております", "法律で定められた期間が止まるものではありません"),
    ],
)
def test_formal_request_explains_the_procedure_and_documents_say_the_deadline_is_paused(
    lang: str, procedure: str, paused: str
) -> None:
    formal = RENDERER.render("awaiting-documents", lang, waiting(state="awaiting_formal_request"))
    assert procedure in formal.text and procedure in formal.html and paused not in formal.text
    assert ("the prescribed request form" if lang == "en" else "所定の請求書") in formal.text
    documents = RENDERER.render("awaiting-documents", lang, waiting())
    assert paused in documents.text and paused in documents.html and procedure not in documents.text
    assert formal.subject != documents.subject


@pytest.mark.parametrize(
    ("lang", "generic"), [("en", "the documents our staff asked you for"), ("ja", "担当者からご案内した書類")]
)
def test_without_a_checklist_the_mail_asks_for_what_staff_asked_for(lang: str, generic: str) -> None:
    mail = RENDERER.render(
        "awaiting-documents", lang, waiting(category="inquiry", checklist=[], request_types=[], gaps=[])
    )
    assert generic in mail.text and generic in mail.html
    assert "<ul>" not in mail.html.split("<hr>")[0]  # no empty lists


# Which documents, and how recent: tests/unit/test_requester_mail_facts.py (the desk's procedure).


# --- status-changed and ticket-resolved ---------------------------------------------------------------


# (kind, state, previous state) -> language -> (the whole subject, a phrase of the body)
SAYS = {
    ("status-changed", "in_progress", "triage"): {
        "en": ("We have started handling your case", "We have started handling your request concerning your"),
        "ja": ("対応を開始いたしました", "お申し出について、担当者による対応を開始いたしました。"),
    },
    ("status-changed", "in_progress", "awaiting_documents"): {
        "en": ("We have resumed handling your case", "We have resumed handling your request"),
        "ja": ("お手続きを再開いたしました", "お申し出について、お手続きを再開いたしました。"),
    },
    ("status-changed", "forwarded", "triage"): {
        "en": ("Your case has been passed to the responsible party", "to the party responsible for it"),
        "ja": ("お申し出を担当の事業者へ引き継ぎました", "責任を有する事業者へ引き継ぎました。"),
    },
    ("status-changed", "withdrawn", "in_progress"): {
        "en": ("Your case has been withdrawn", "We have accepted the withdrawal of your request"),
        "ja": ("お申し出の取下げを承りました", "お申し出の取下げを承りました。本件の対応は"),
    },
    ("status-changed", "rejected", "identity_verification"): {
        "en": ("We could not accept your request concerning your personal information", "we could not accept it"),
        "ja": ("お申し出をお受けできませんでした", "誠に恐れ入りますが、お受けすることができませんでした。"),
    },
    ("status-changed", "triage", "closed"): {
        "en": ("Your case has been reopened", "has been reopened. We will review it"),
        "ja": ("お申し出の対応を再開いたしました", "お申し出について、お申し出の対応を再開いたしました。"),
    },
    ("ticket-resolved", "responded", "decision_pending"): {
        "en": ("We have sent you our response", "We have sent you our response to your request"),
        "ja": ("回答をお送りいたしました", "お申し出について、回答をお送りいたしました。"),
    },
    ("ticket-resolved", "closed", "in_progress"): {
        "en": ("Your case is closed", "is now closed."),
        "ja": ("お申し出への対応を完了いたしました", "お申し出について、対応を完了いたしました。"),
    },
}


@pytest.mark.parametrize(("kind", "state", "previous"), list(SAYS))
def test_status_mail_says_what_happened(kind: str, state: str, previous: str) -> None:
    for lang, (subject, body) in SAYS[kind, state, previous].items():
        mail = RENDERER.render(kind, lang, full_context(state=state, previous_state=previous, note=""))
        assert mail.subject == subject
        assert body in mail.text and body in mail.html


@pytest.mark.parametrize(
    ("lang", "separately", "below"),
    [
        ("en", "We will send you the reasons separately.", "The reasons are given below."),
        ("ja", "理由につきましては、別途ご連絡いたします。", "理由は以下のとおりです。"),
    ],
)
def test_a_rejection_points_to_the_note_or_to_later_mail(lang: str, separately: str, below: str) -> None:
    bare = RENDERER.render("status-changed", lang, full_context(state="rejected", note=""))
    assert separately in bare.text and below not in bare.text
    noted = RENDERER.render("status-changed", lang, full_context(state="rejected", note="The form was unsigned."))
    assert below in noted.text and separately not in noted.text and "The form was unsigned." in noted.text


@pytest.mark.parametrize(
    ("lang", "phrase"), [("en", "in the subject"), ("ja", "件名の [REL-2026-000123] を残したまま")]
)
def test_a_closed_case_says_how_to_ask_again(lang: str, phrase: str) -> None:
    mail = RENDERER.render("ticket-resolved", lang, full_context(state="closed", note=""))
    assert phrase in mail.text.split("\n\n")[1]  # in the message itself, not only the footer
    responded = RENDERER.render("ticket-resolved", lang, full_context(state="responded", note=""))
    assert ("by post" if lang == "en" else "郵送") in responded.text


@pytest.mark.parametrize("kind", REQUESTER_STATUS_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_note_is_its_own_paragraph_and_escaped_in_html(kind: str, lang: str) -> None:
    state = (
        "awaiting_documents" if kind == "awaiting-documents" else "closed" if kind == "ticket-resolved" else "rejected"
    )
    mail = RENDERER.render(kind, lang, full_context(state=state, note=EVIL_NOTE))
    assert f"\n\n{EVIL_NOTE}\n" in mail.text
    assert ">Send &lt;b&gt;both&lt;/b&gt; sides &amp; &#34;sign&#34;</p>" in mail.html
    assert re.search(r"<p[^>]*>Thanks</p>", mail.html) and "<b>" not in mail.html
    assert STATUS_URL in mail.text
    silent = RENDERER.render(kind, lang, full_context(state=state, note=""))
    assert "\n\n\n" not in silent.text  # no empty paragraph left behind
    assert "<p></p>" not in silent.html and 'pre-line"></p>' not in silent.html


# --- mail-too-large -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "reasons"),
    [
        (
            "en",
            [
                "the file is larger than 10 MB",
                "the e-mail had more than 10 attachments",
                "the e-mail as a whole was larger than 25 MB",
            ],
        ),
        (
            "ja",
            [
                "1ファイルあたりの上限（10MB）を超えていたため",
                "添付ファイルの数が上限（1通あたり10件）を超えていたため",
                "メール全体の大きさが上限（25MB）を超えていたため",
            ],
        ),
    ],
)
def test_mail_too_large_lists_each_omitted_file_with_its_reason(lang: str, reasons: list[str]) -> None:
    # No filenames: they are the sender's text (services/mail_notices.py), so the files are numbered.
    omitted = [
        {"size_mb": 14.2, "why": "attachment_too_large"},
        {"size_mb": 0.8, "why": "too_many_attachments"},
        {"size_mb": 31.0, "why": "message_too_large"},
    ]
    mail = RENDERER.render("mail-too-large", lang, full_context(omitted=omitted))
    label = "Attachment" if lang == "en" else "添付ファイル"
    for number, reason in enumerate(reasons, start=1):
        assert f"{label} {number}".replace("ル ", "ル") in mail.text and reason in mail.text and reason in mail.html
    assert mail.html.count("<li>") == len(omitted) + 3  # the files, then the three ways to send them
    assert "REL-2026-000123" in mail.text.split("\n\n")[1]  # the message itself was received under it
    if lang == "en":
        assert "14.2 MB" in mail.text and "0.8 MB" in mail.text
        assert not re.search(r"\b(open|inspect|scann?ed|read)", mail.text.lower())
    else:
        assert "14.2MB" in mail.text and not re.search("開封|開いて|中身|内容を確認", mail.text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mail_too_large_offers_the_post_only_when_the_desk_has_an_address(lang: str) -> None:
    desk = DESKS["rext-cs"]
    with_address = RENDERER.render("mail-too-large", lang, full_context(desk=desk))
    assert desk.postal_address in with_address.text and desk.postal_address in with_address.html
    without = RENDERER.render("mail-too-large", lang, full_context(desk=replace(desk, postal_address="")))
    assert "by post" not in without.text and "郵送" not in without.text
    assert without.html.count("<li>") == len(full_context()["omitted"]) + 2


# --- delivery-failed (staff) --------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "label"), [("en", "reply from an agent"), ("ja", "担当者からの返信")])
def test_delivery_failed_names_the_addresses_and_the_message_but_no_status_link(lang: str, label: str) -> None:
    recipients = ["hanako.yamada@example.test", "h.yamada@example.test"]
    mail = RENDERER.render("delivery-failed", lang, full_context(recipients=recipients))
    for address in recipients:
        assert address in mail.text and f"<li>{address}</li>" in mail.html
    assert label in mail.text and label in mail.html
    assert ("these addresses" if lang == "en" else "これらのアドレス") in mail.text
    assert "/status/" not in mail.subject + mail.text + mail.html  # passed in the context, never printed
    assert "Hanako Yamada" not in mail.text + mail.html
    unknown = RENDERER.render("delivery-failed", lang, full_context(mail_kind="survey"))
    assert "（survey）" in unknown.text or "(survey)" in unknown.text  # an unlabelled kind is named by its key


@pytest.mark.parametrize(
    ("lang", "needed", "result", "reasons"),
    [
        ("en", "What we still need from you:", "Disclosure: done in part", "Our reasons"),
        (
            "ja",
            "引き続き、次のものをお送りください。",
            "開示：一部について対応いたしました",
            "理由（個人情報保護法第36条）",
        ),
    ],
)
def test_request_mail_names_the_gaps_the_results_and_the_reasons(
    lang: str, needed: str, result: str, reasons: str
) -> None:
    """What the checklist misses goes into the request for documents; each request's result, and the
    reason where the answer differs from the request (APPI Art. 36), into the response."""
    waiting_mail = RENDERER.render("awaiting-documents", lang, full_context(state="awaiting_documents"))
    for text in (waiting_mail.text, waiting_mail.html):
        assert needed in text
    responded = RENDERER.render("ticket-resolved", lang, full_context(state="responded"))
    for text in (responded.text, responded.html):
        assert result in text and reasons in text and "Art. 33(2)(i)" in text
    quiet = RENDERER.render("ticket-resolved", lang, full_context(state="responded", results=[], reason=""))
    assert reasons not in quiet.text and "<ul>" not in quiet.html.split("<hr>")[0]
