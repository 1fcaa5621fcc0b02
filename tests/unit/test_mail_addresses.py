"""Address syntax and normal form (ticketing.mail.addresses, email-validator), for mail and for the form."""

from __future__ import annotations

import pytest

from ticketing.container import load_desks
from ticketing.domain import intake as I
from ticketing.domain.errors import ValidationFailed
from ticketing.domain.intake import IntakeLimits, ascii_address, validate_new_ticket
from ticketing.domain.tickets import Channel
from ticketing.mail.addresses import mailbox, reply_address, wire_address
from ticketing.mail.parse import parse_message
from ticketing.settings import BUNDLED_DESKS

DESKS = load_desks(BUNDLED_DESKS)

# (written, normal form): what the form has always taken keeps its form; internationalised addresses join.
ACCEPTED = [
    ("hanako@example.test", "hanako@example.test"),
    ("Hanako@Example.TEST", "Hanako@example.test"),  # the domain is case-insensitive, the local part is not
    ("Info@Example.TEST", "Info@example.test"),  # RFC 2142 role names keep their case too
    ("a.b+tag@mail.example.jp", "a.b+tag@mail.example.jp"),
    ("o'brien!#$%&*/=?^_`{|}~-@example.ie", "o'brien!#$%&*/=?^_`{|}~-@example.ie"),
    ("a@b.c", "a@b.c"),
    ("山田@例え.example", "山田@例え.example"),
    ("user@BÜCHER.example", "user@bücher.example"),
    ("user@xn--bcher-kva.example", "user@bücher.example"),  # an A-label reads as its U-label
    ("jörg.müller@bücher.example", "jörg.müller@bücher.example"),
    ("ｊｏｅ@example.test", "ｊｏｅ@example.test"),  # full-width letters are a UTF-8 local part, kept as typed
]
REFUSED = [
    "",
    "not-an-address",
    "a@",
    "@b.test",
    "a b@b.test",
    "a@b@c.test",
    "<a@b.test>",
    '"a"@b.test',
    ".a@b.test",
    "a.@b.test",
    "a..b@b.test",
    "a@-b.test",
    "a@b_c.test",
    "a@[192.0.2.1]",
    "a@host.local",
    "a@x.invalid",
    "a@localhost",
    "a@xn--zz.example",
    "x" * 250 + "@b.test",
]


@pytest.mark.parametrize(("written", "normal"), ACCEPTED)
def test_accepted_addresses_and_their_normal_form(written: str, normal: str) -> None:
    assert mailbox(written) == normal
    assert reply_address(written) == normal


@pytest.mark.parametrize("written", REFUSED)
def test_refused_addresses(written: str) -> None:
    assert mailbox(written) is None
    assert reply_address(written) is None


def test_a_sender_on_an_intranet_host_is_a_sender_but_not_an_address_to_answer() -> None:
    assert mailbox("cron@backup01") == "cron@backup01"
    assert reply_address("cron@backup01") is None
    assert reply_address("a@1.2") is None  # no top-level domain is made of digits


@pytest.mark.parametrize(
    ("written", "wire"),
    [
        ("user@bücher.example", "user@xn--bcher-kva.example"),  # any relay carries an A-label
        ("山田@例え.example", "山田@例え.example"),  # only SMTPUTF8 carries a UTF-8 local part
        ("hanako@example.test", "hanako@example.test"),
    ],
)
def test_the_wire_form_needs_smtputf8_only_for_a_non_ascii_local_part(written: str, wire: str) -> None:
    assert wire_address(written) == wire


def good(email: str) -> dict[str, object]:
    return {"category": "inquiry", "subject": "s", "message": "m", "requester": {"name": "H", "email": email}}


def check(email: str, address_check: I.AddressCheck) -> str | None:
    ticket = validate_new_ticket(
        good(email),
        DESKS["relia"],
        channel=Channel.WEB,
        staff=False,
        limits=IntakeLimits(),
        address_check=address_check,
    )
    return ticket.requester.email


@pytest.mark.parametrize(("written", "normal"), ACCEPTED)
def test_the_form_with_the_injected_check_takes_internationalised_addresses(written: str, normal: str) -> None:
    assert check(written, reply_address) == normal


def refusal(written: str, address_check: I.AddressCheck) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        check(written, address_check)
    return caught.value.errors


@pytest.mark.parametrize("written", ["not-an-address", "a@b", "a@b_c.test", "a b@b.test"])
def test_the_form_refuses_what_it_refused_with_the_same_message(written: str) -> None:
    assert refusal(written, reply_address) == refusal(written, ascii_address) == {"requester.email": I.BAD_EMAIL}


@pytest.mark.parametrize("written", [".a@b.test", "a..b@b.test", "a@host.local"])
def test_the_form_now_refuses_what_rfc_5322_or_6761_refuses_with_the_same_message(written: str) -> None:
    assert refusal(written, reply_address) == {"requester.email": I.BAD_EMAIL}


def test_without_the_injected_check_the_form_takes_ascii_only() -> None:
    assert refusal("山田@例え.example", ascii_address) == {"requester.email": I.BAD_EMAIL}


def test_what_the_stdlib_default_took_the_injected_check_takes_in_the_same_form() -> None:
    for written, _ in ACCEPTED:
        if (before := ascii_address(written)) is not None and "xn--" not in written:
            assert reply_address(written) == before, written


def test_the_address_typed_in_the_form_is_the_from_of_the_next_mail() -> None:
    typed = check("Yamada@XN--BCHER-KVA.example", reply_address)
    raw = "From: 山田 <Yamada@bücher.example>\r\nSubject: x\r\n\r\nbody\r\n".encode()
    assert parse_message(raw).from_email == typed == "Yamada@bücher.example"
