"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
TICKETING_DATABASE_URL is set), the app over httpx.ASGITransport, staff users and tokens."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.imap_server import DovecotServer
from ticketing.app import create_app
from ticketing.container import Container
from ticketing.db import engine
from ticketing.db.schema import TABLES
from ticketing.settings import Settings

PG_URL = os.environ.get("TICKETING_DATABASE_URL") or None
logging.getLogger("httpx").setLevel(logging.WARNING)


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # Tue 10:00 in Tokyo

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Migrate once per session: a SQLite template file to copy, or the PostgreSQL database itself."""
    directory = tmp_path_factory.mktemp("template")
    settings = Settings(data_dir=directory, database_url=PG_URL)

    async def run() -> None:
        engine.bind(settings)
        await engine.start(settings, pool_size=1)
        try:
            await engine.migrate()
        finally:
            await engine.stop()

    asyncio.run(run())
    return None if PG_URL else settings.sqlite_path


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path | None) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if migrated_template is not None:
        shutil.copy(migrated_template, data_dir / "ticketing.sqlite")
    secret_key = "test-secret-key-" + "x" * 32
    # The data dir as `ticketing migrate` leaves it: a `ticketing` subprocess on it (no
    # TICKETING_SECRET_KEY) finds the key, and signs with the same one as the in-process container.
    with os.fdopen(os.open(data_dir / "secret_key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
        fh.write(secret_key)
    return Settings(
        data_dir=data_dir,
        database_url=PG_URL,
        base_url="http://testserver",
        secret_key=secret_key,
        scheduler_enabled=False,
        form_rate_limit_per_minute=1000,
        signin_rate_limit_per_minute=1000,
        # The form's per-client and per-address limits have their own tests (test_security_flood.py).
        form_submissions_per_client_hour=10_000,
        form_acks_per_address_hour=10_000,
    )


async def _truncate() -> None:
    names = ", ".join(t._meta.tablename for t in TABLES)
    await engine.current_engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
async def container(settings: Settings, clock: FrozenClock) -> AsyncIterator[Container]:
    c = Container.build(settings, clock=clock)
    await c.start(migrate=False, pool_size=60)
    if PG_URL:
        await _truncate()
        # start() read the desk settings an earlier test saved; this test's database has none.
        await c.desk_settings.refresh(force=True)
        await c.tickets.ensure_desks(list(c.desks), clock.now())
    try:
        yield c
    finally:
        await c.stop()


@pytest.fixture
def app(settings: Settings, container: Container):  # type: ignore[no-untyped-def]
    return create_app(settings, container=container, migrate=False, scheduler=False)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    # ASGITransport, not Litestar's AsyncTestClient: that one runs the app on another loop and
    # serialises requests (docs/testing.md, trap 2). The container is started by its own fixture.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclass
class Staff:
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_staff(container: Container):  # type: ignore[no-untyped-def]
    async def make(email: str, desks: list[str], role: str = "agent") -> Staff:
        password = "correct horse battery"
        await container.accounts.add_user(email, password, role, desks)
        return Staff(email, password, await container.accounts.create_token(email))

    return make


@pytest.fixture
async def relia_agent(make_staff) -> Staff:  # type: ignore[no-untyped-def]
    return await make_staff("agent@relia.test", ["relia"])


@pytest.fixture
async def rcs_agent(make_staff) -> Staff:  # type: ignore[no-untyped-def]
    return await make_staff("agent@rext.test", ["rext-cs"])


def ticket_json(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "desk": "relia",
        "category": "inquiry",
        "subject": "What do you hold about me?",
        "message": "Please tell me which personal data you keep.",
        "language": "en",
        "requester": {"name": "Hanako Yamada", "email": "hanako@example.test"},
    }
    body.update(overrides)
    return body


@pytest.fixture
def free_port() -> Iterator[int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield port


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One real dovecot for the session; each test uses its own mailbox user."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="ticketing-dovecot-"))
    root.chmod(0o755)  # the mail processes run as nobody and must reach their Maildir below it
    server = DovecotServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
