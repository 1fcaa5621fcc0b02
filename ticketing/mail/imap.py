"""The MailboxClient port over aioimaplib: one session on one desk mailbox.

Facts this relies on (checked against Dovecot 2.3): failed commands come back as NO/BAD rather
than raising; `UID n:*` always matches the highest UID, so results are filtered here; another
session's flag changes can appear inside our FETCH response without a UID; a message expunged
meanwhile comes back with no literal; and a dropped connection raises nothing until a command
times out, so the connection-lost callback is watched and timeouts are short.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from datetime import datetime
from typing import Any

import aioimaplib

from ticketing.domain.mail_config import ImapAccount
from ticketing.services.mail_ports import FetchedMessage

FETCH_RE = re.compile(rb"^(\d+) FETCH \((.*)$", re.S)
UID_RE = re.compile(rb"\bUID (\d+)")
SIZE_RE = re.compile(rb"\bRFC822\.SIZE (\d+)")
DATE_RE = re.compile(rb'\bINTERNALDATE "([^"]+)"')
UIDVALIDITY_RE = re.compile(rb"^OK \[UIDVALIDITY (\d+)\]")
TOO_LARGE_KEYWORD = "$TicketingTooLarge"


class MailboxError(Exception):
    """The IMAP server refused or failed a command (login, select, store ...); the poll is retried later."""


def _internaldate(raw: bytes) -> datetime | None:
    try:
        return datetime.strptime(raw.decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def parse_fetch(lines: list[Any]) -> list[dict[str, Any]]:
    """FETCH response lines -> [{uid, size, date, body}]; untagged flag updates of other sessions are skipped."""
    found: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for item in lines:
        if isinstance(item, bytearray):  # the literal of the line before
            if current is not None:
                current["body"] = bytes(item)
            continue
        match = FETCH_RE.match(item) if isinstance(item, bytes) else None
        if match is None:
            continue
        meta = match.group(2)
        uid = UID_RE.search(meta)
        if uid is None:
            current = None
            continue
        size = SIZE_RE.search(meta)
        date = DATE_RE.search(meta)
        current = {
            "uid": int(uid.group(1)),
            "size": int(size.group(1)) if size else 0,
            "date": _internaldate(date.group(1)) if date else None,
            "body": None,
        }
        found.append(current)
    return found


class ImapMailbox:
    def __init__(self, account: ImapAccount, password: str, *, timeout: float = 30.0) -> None:
        self.account = account
        self.password = password
        self.timeout = timeout
        self.client: aioimaplib.IMAP4 | None = None
        self.lost = asyncio.Event()

    def _lost(self, exc: Exception | None) -> None:
        self.lost.set()

    def _client(self) -> aioimaplib.IMAP4:
        if self.client is None:
            raise MailboxError("not connected")
        if self.lost.is_set():
            raise MailboxError("connection to the IMAP server lost")
        return self.client

    @staticmethod
    def _ok(response: Any, what: str) -> Any:
        if response.result != "OK":
            text = response.lines[-1] if response.lines else b""
            detail = text.decode("utf-8", "replace") if isinstance(text, bytes | bytearray) else str(text)
            raise MailboxError(f"{what}: {response.result} {detail[:200]}")
        return response

    async def open(self) -> int:
        """Connect, log in and select the mailbox; returns its UIDVALIDITY."""
        context = ssl.create_default_context() if self.account.security == "tls" else None
        self.client = aioimaplib.IMAP4(
            host=self.account.host,
            port=self.account.port,
            timeout=self.timeout,
            conn_lost_cb=self._lost,
            ssl_context=context,
        )
        try:
            await self.client.wait_hello_from_server()
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            raise MailboxError(f"cannot connect to {self.account.host}:{self.account.port}: {exc}") from None
        # The password is never part of an error text: only the server's answer is.
        self._ok(await self._client().login(self.account.username, self.password), f"login as {self.account.username}")
        if self.account.processed_mailbox:
            created = await self._client().create(self.account.processed_mailbox)
            if created.result != "OK" and not any(b"ALREADYEXISTS" in bytes(x) for x in created.lines):
                self._ok(created, f"create {self.account.processed_mailbox}")
        selected = self._ok(await self._client().select(self.account.mailbox), f"select {self.account.mailbox}")
        for line in selected.lines:
            if isinstance(line, bytes) and (match := UIDVALIDITY_RE.match(line)):
                return int(match.group(1))
        raise MailboxError(f"select {self.account.mailbox}: the server sent no UIDVALIDITY")

    async def _search(self, criteria: str) -> list[int]:
        response = self._ok(await self._client().uid_search(criteria), f"search {criteria}")
        first = response.lines[0] if len(response.lines) > 1 else b""
        return [int(x) for x in bytes(first).split() if x.isdigit()]

    async def pending_uids(self, after_uid: int) -> list[int]:
        """Unseen messages, and every message newer than the last one stored (even if someone read it)."""
        unseen = await self._search("UNSEEN UNDELETED")
        newer = [u for u in await self._search(f"UID {after_uid + 1}:* UNDELETED") if u > after_uid]
        return sorted(set(unseen) | set(newer))

    async def fetch(self, uid: int, max_bytes: int) -> FetchedMessage | None:
        meta = parse_fetch(
            self._ok(
                await self._client().uid("fetch", str(uid), "(UID RFC822.SIZE INTERNALDATE)"), f"fetch {uid}"
            ).lines
        )
        info = next((m for m in meta if m["uid"] == uid), None)
        if info is None:
            return None  # expunged meanwhile
        if info["size"] > max_bytes:
            head = parse_fetch(
                self._ok(
                    await self._client().uid("fetch", str(uid), "(UID BODY.PEEK[HEADER])"), f"fetch {uid} header"
                ).lines
            )
            header = next((m["body"] for m in head if m["uid"] == uid and m["body"] is not None), b"")
            return FetchedMessage(uid, info["size"], info["date"], None, header)
        full = parse_fetch(
            self._ok(
                await self._client().uid("fetch", str(uid), "(UID RFC822.SIZE INTERNALDATE BODY.PEEK[])"),
                f"fetch {uid}",
            ).lines
        )
        body = next((m for m in full if m["uid"] == uid and m["body"] is not None), None)
        if body is None:
            return None
        return FetchedMessage(uid, len(body["body"]), body["date"] or info["date"], body["body"])

    async def mark_processed(self, uid: int) -> None:
        """Only called after the message is stored: flag it \\Seen, or move it to the processed folder."""
        client = self._client()
        target = self.account.processed_mailbox
        if not target:
            self._ok(await client.uid("store", str(uid), "+FLAGS.SILENT", r"(\Seen)"), f"flag {uid}")
        elif client.has_capability("MOVE"):
            self._ok(await client.uid("move", str(uid), target), f"move {uid}")
        else:
            self._ok(await client.uid("copy", str(uid), target), f"copy {uid}")
            self._ok(await client.uid("store", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), f"delete {uid}")
            if client.has_capability("UIDPLUS"):
                self._ok(await client.uid("expunge", str(uid)), f"expunge {uid}")

    async def mark_too_large(self, uid: int) -> None:
        flags = rf"(\Seen {TOO_LARGE_KEYWORD})"
        self._ok(await self._client().uid("store", str(uid), "+FLAGS.SILENT", flags), f"flag {uid} too large")

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        if not self.lost.is_set():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.logout(), 5)
        transport = getattr(client.protocol, "transport", None)
        if transport is not None:
            transport.close()
