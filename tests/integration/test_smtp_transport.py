"""The MailTransport port: SmtpTransport against a real aiosmtpd server, and MemoryTransport."""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest

from tests.conftest import ticket_json
from tests.smtp_server import SmtpTestServer, running_smtp_server
from ticketing.db.tables import Outbox
from ticketing.domain.mail import OutgoingMail
from ticketing.domain.tickets import Channel
from ticketing.mail.compose import compose
from ticketing.mail.memory import MemoryTransport
from ticketing.mail.smtp import SmtpTransport
from ticketing.services.outbox import DeliveryError, OutboxService
from ticketing.services.ports import MailTransport
from ticketing.settings import SmtpSettings

pytestmark = [
    # Our test relay offers AUTH over plain text on 127.0.0.1; aiosmtpd warns about that (rightly, elsewhere).
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

AT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
PASSWORD = "Hunter2-relay-secret"

MAIL = OutgoingMail(
    kind="ticket-received",
    from_addr="privacy-rcs@rext-cs.jp",
    from_name="株式会社レクストカスタマーサービス 個人情報お問い合わせ窓口",
    to_addr="hanako@example.test",
    subject="[RCS-2026-000007] お問い合わせを受け付けました",
    text="山田 花子 様\n\n受付番号：RCS-2026-000007\n",
    html="<p>山田 花子 様</p><p>受付番号：RCS-2026-000007</p>",
    message_id="<RCS-2026-000007.0123abcd@rext-cs.jp>",
    reply_to="privacy-rcs@rext-cs.jp",
    in_reply_to="<abc@example.test>",
    references=("<abc@example.test>",),
    extra_headers={"X-Ticket-Reference": "RCS-2026-000007"},
)
HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "X-Auto-Response-Suppress",
    "X-Ticket-Reference",
    "MIME-Version",
)


def parsed(raw: bytes) -> Any:
    return message_from_bytes(raw, policy=policy.default)


def content(part: Any) -> str:
    """A part's decoded text with the line ends a mail client shows (CRLF on the wire)."""
    return str(part.get_content()).replace("\r\n", "\n")


@dataclass
class Port:
    """One MailTransport implementation, with a way to read back what it delivered and to break it."""

    transport: MailTransport
    delivered: Callable[[], list[bytes]]
    break_it: Callable[[], None]


@pytest.fixture
def server(free_port: int) -> Iterator[SmtpTestServer]:
    with running_smtp_server(free_port) as s:
        yield s


@pytest.fixture(params=["smtp", "memory"])
def port(request: pytest.FixtureRequest, server: SmtpTestServer) -> Port:
    if request.param == "smtp":
        smtp = SmtpTransport(SmtpSettings(host=server.host, port=server.port), timeout=5)
        return Port(smtp, lambda: [m.data for m in server.messages()], server.stop)
    memory = MemoryTransport()
    return Port(memory, lambda: list(memory.sent), lambda: setattr(memory, "down", True))


async def test_contract_delivers_bytes_that_parse_to_the_composed_headers(port: Port) -> None:
    await port.transport.send(MAIL, AT)
    [raw] = port.delivered()
    got, expected = parsed(raw), parsed(bytes(compose(MAIL, AT)))
    for name in HEADERS:
        assert str(got[name]) == str(expected[name]), name
    assert str(got["Subject"]) == MAIL.subject and str(got["Auto-Submitted"]) == "auto-replied"
    assert got.get_content_type() == expected.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in got.iter_parts()] == ["text/plain", "text/html"]
    assert content(got.get_body(("plain",))) == MAIL.text
    assert content(got.get_body(("html",))).strip() == MAIL.html


async def test_contract_a_broken_transport_raises_a_retryable_delivery_error(port: Port) -> None:
    port.break_it()
    with pytest.raises(DeliveryError) as info:
        await port.transport.send(MAIL, AT)
    assert not info.value.permanent
    assert port.delivered() == []


@pytest.mark.parametrize(("reply", "permanent"), [("550 5.1.1 no such user", True), ("452 4.2.2 mailbox full", False)])
async def test_refused_recipient(server: SmtpTestServer, reply: str, permanent: bool) -> None:
    server.rcpt_policy = lambda addr: reply
    transport = SmtpTransport(SmtpSettings(host=server.host, port=server.port), timeout=5)
    with pytest.raises(DeliveryError) as info:
        await transport.send(MAIL, AT)
    assert info.value.permanent is permanent and reply in str(info.value)


async def test_a_line_longer_than_smtp_allows_still_arrives(server: SmtpTestServer) -> None:
    """aiosmtpd, like real MTAs, refuses lines over 1000 octets: long ASCII text must be encoded."""
    text = "Subject of your request: " + "x" * 1500 + "\n"
    transport = SmtpTransport(SmtpSettings(host=server.host, port=server.port), timeout=5)
    await transport.send(replace(MAIL, text=text, html=None), AT)
    [got] = server.messages()
    assert max(len(line) for line in got.data.splitlines()) <= 998
    assert content(got.message.get_body(("plain",))) == text


async def test_logs_in_with_the_configured_credentials(free_port: int) -> None:
    with running_smtp_server(free_port, credentials=("mailer", PASSWORD)) as server:
        transport = SmtpTransport(SmtpSettings(server.host, server.port, "mailer", PASSWORD), timeout=5)
        await transport.send(MAIL, AT)
        [got] = server.messages()
        assert got.login == "mailer"


def secret_forms(secret: str) -> list[str]:
    return [
        secret,
        base64.b64encode(secret.encode()).decode(),
        base64.b64encode(f"\0mailer\0{secret}".encode()).decode(),
    ]


Scenario = Callable[[SmtpTestServer], Awaitable[None]]


async def relay_down(server: SmtpTestServer) -> None:
    server.stop()


async def relay_refuses_login(server: SmtpTestServer) -> None:
    server.credentials = ("mailer", "the-right-one")


@pytest.mark.parametrize("scenario", [relay_down, relay_refuses_login])
async def test_the_smtp_password_never_reaches_logs_or_the_outbox_row(
    container: Any,
    clock: Any,
    free_port: int,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    scenario: Scenario,
) -> None:
    with running_smtp_server(free_port, credentials=("mailer", PASSWORD)) as server:
        # create_app's logging config stops "ticketing" from propagating: let caplog see it here.
        monkeypatch.setattr(logging.getLogger("ticketing"), "propagate", True)
        caplog.set_level(logging.DEBUG)
        smtp = SmtpSettings(server.host, server.port, "mailer", PASSWORD)
        assert PASSWORD not in repr(smtp) and PASSWORD not in repr(replace(container.settings, smtp=smtp))
        service = OutboxService(container.outbox_store, SmtpTransport(smtp, timeout=5), clock)
        await container.intake.open_ticket("relia", ticket_json(), channel=Channel.WEB)
        await scenario(server)

        assert (await service.deliver_due()).retried == 1  # a relay problem, not the message's: retried
        [row] = await Outbox.select()
        assert row["status"] == "pending" and row["last_error"]
        assert server.messages() == []
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # mail.log: the test relay itself
    assert any(r.name.startswith("ticketing.services.outbox") for r in ours)
    logged = "\n".join(logging.Formatter().format(r) for r in ours)  # with any traceback
    for form in secret_forms(PASSWORD):
        assert form not in logged and form not in row["last_error"]


async def test_error_texts_are_redacted_even_if_a_library_echoes_the_password() -> None:
    class Echo(SmtpTransport):
        async def _send(self, mail: OutgoingMail, sent_at: datetime) -> None:
            raise DeliveryError(f"server said: bad credentials {PASSWORD} / {secret_forms(PASSWORD)[1]}")

    with pytest.raises(DeliveryError) as info:
        await Echo(SmtpSettings("127.0.0.1", 1, "mailer", PASSWORD)).send(MAIL, AT)
    assert PASSWORD not in str(info.value) and secret_forms(PASSWORD)[1] not in str(info.value)
