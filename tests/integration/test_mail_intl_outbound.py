"""Our mail to internationalised addresses, through SmtpTransport to a real aiosmtpd relay."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.smtp_server import pick_free_port
from ticketing.domain.mail import OutgoingMail
from ticketing.mail.smtp import SmtpTransport
from ticketing.services.outbox import DeliveryError
from ticketing.settings import SmtpSettings

AT = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
MAIL = OutgoingMail(
    kind="ticket-received",
    from_addr="privacy-rcs@rext-cs.jp",
    from_name="個人情報お問い合わせ窓口",
    to_addr="user@bücher.example",
    subject="[RCS-2026-000001] お問い合わせを受け付けました",
    text="お問い合わせを受け付けました。",
    html=None,
    message_id="<RCS-2026-000001.0a1b2c3d4e5f6a7b@rext-cs.jp>",
)


def transport(port: int) -> SmtpTransport:
    return SmtpTransport(SmtpSettings(host="127.0.0.1", port=port), timeout=5)


class Relay:
    """A real aiosmtpd relay that offers SMTPUTF8 (RFC 6531) or not, collecting what it accepts."""

    def __init__(self, smtputf8: bool) -> None:
        self.port = pick_free_port()
        self.received: list[tuple[list[str], bytes]] = []
        self.controller = Controller(
            self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8, ready_timeout=10
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"


@contextmanager
def running(smtputf8: bool) -> Iterator[Relay]:
    relay = Relay(smtputf8)
    relay.controller.start()
    try:
        yield relay
    finally:
        relay.controller.stop()


@pytest.fixture
def plain_relay() -> Iterator[Relay]:
    """Many relays offer no SMTPUTF8."""
    with running(smtputf8=False) as relay:
        yield relay


@pytest.fixture
def utf8_relay() -> Iterator[Relay]:
    with running(smtputf8=True) as relay:
        yield relay


async def test_an_internationalised_domain_goes_as_its_a_label_through_any_relay(plain_relay: Relay) -> None:
    await transport(plain_relay.port).send(MAIL, AT)
    ((rcpt_tos, data),) = plain_relay.received
    message = message_from_bytes(data, policy=policy.default)
    assert rcpt_tos == ["user@xn--bcher-kva.example"]
    assert str(message["To"]) == "user@xn--bcher-kva.example" and str(message["Subject"]) == MAIL.subject


async def test_a_utf8_local_part_needs_smtputf8_and_without_it_fails_for_good(plain_relay: Relay) -> None:
    with pytest.raises(DeliveryError) as info:
        await transport(plain_relay.port).send(replace(MAIL, to_addr="山田@例え.example"), AT)
    assert info.value.permanent and "山田@例え.example" in str(info.value)
    assert plain_relay.received == []


async def test_a_utf8_local_part_goes_through_a_relay_that_offers_smtputf8(utf8_relay: Relay) -> None:
    await transport(utf8_relay.port).send(replace(MAIL, to_addr="山田@例え.example"), AT)
    ((rcpt_tos, data),) = utf8_relay.received
    message = message_from_bytes(data, policy=policy.default)
    assert rcpt_tos == ["山田@例え.example"]
    assert str(message["To"]) == "山田@例え.example" and str(message["Subject"]) == MAIL.subject
