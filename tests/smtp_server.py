"""A real SMTP server for tests: aiosmtpd's Controller on a fixed free 127.0.0.1 port.

The Controller runs its own event loop in a thread, so handlers append to a list under a lock
and tests poll with `await server.wait_for(n)`. `stop()` / `start()` reuse the same port, which is
how a test takes the relay down and brings it back (a stopped Controller's loop is closed, so
`start()` builds a new one). `port=0` does not work with Controller (docs/testing.md, trap 5): the port
is picked by binding a socket first.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def pick_free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None  # the authenticated user, if the client logged in

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


# A RCPT policy: given the recipient, return None to accept or an SMTP reply such as "550 ..." to refuse.
RcptPolicy = Callable[[str], str | None]


class _Handler:
    def __init__(self, server: SmtpTestServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        refusal = self.server.rcpt_policy(address) if self.server.rcpt_policy else None
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        auth = session.auth_data
        login = auth.login.decode() if auth is not None else None
        item = Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.original_content), login)
        with self.server.lock:
            self.server.received.append(item)
        return "250 Message accepted for delivery"


class SmtpTestServer:
    """Collects every accepted message; `rcpt_policy` and `credentials` may be changed between sends."""

    def __init__(self, port: int | None = None, *, credentials: tuple[str, str] | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or pick_free_port()
        self.credentials = credentials  # (user, password): AUTH is offered (over plain text) and required
        self.rcpt_policy: RcptPolicy | None = None
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = self.credentials is not None and (
            getattr(auth_data, "login", None) == self.credentials[0].encode()
            and getattr(auth_data, "password", None) == self.credentials[1].encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def start(self) -> None:
        assert self._controller is None, "already running"
        kwargs: dict[str, Any] = {}
        if self.credentials is not None:
            # aiosmtpd warns about AUTH without TLS (a UserWarning the tests filter): fine on loopback.
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": False, "auth_required": True}
        # The port was just released by stop() (or by pick_free_port): retry briefly if it is not free yet.
        deadline = time.monotonic() + 5
        while True:
            controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=10, **kwargs)
            try:
                controller.start()
            except OSError:
                controller.loop.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            else:
                self._controller = controller
                return

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def message_ids(self) -> list[str]:
        return [m.message_id for m in self.messages()]

    async def wait_for(self, n: int, within: float = 5.0) -> list[Received]:
        """Wait until at least `n` messages arrived (handle_DATA runs on the server's own thread)."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            got = self.messages()
            if len(got) >= n:
                return got
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {n} message(s) at the SMTP server, got {len(got)}")
            await asyncio.sleep(0.01)

    async def settle(self, quiet: float = 0.2) -> list[Received]:
        """Give stray deliveries a moment to arrive, then return everything received."""
        await asyncio.sleep(quiet)
        return self.messages()


@contextmanager
def running_smtp_server(port: int | None = None, **kwargs: Any) -> Iterator[SmtpTestServer]:
    """`with running_smtp_server(free_port) as server:` (also the body of a pytest fixture)."""
    server = SmtpTestServer(port, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()
