"""A real IMAP server for tests: Debian's dovecot from a scratch config on a free 127.0.0.1 port.

Any user name logs in with PASSWORD and gets its own Maildir, so each test takes a fresh mailbox by
using a fresh user name. The helpers use the standard library's imaplib (not the code under test)
to put messages in and look at their flags.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from datetime import datetime
from pathlib import Path

PASSWORD = "mailbox-secret"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
{users}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DovecotServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
        if binary is None:
            raise RuntimeError("dovecot is not installed (Debian package dovecot-imapd; scripts/test installs it)")
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            me = pwd.getpwnam("nobody")
            users = ""
            os.chown(self.root / "home", me.pw_uid, me.pw_gid)
        else:  # an unprivileged developer: every dovecot process runs as this user
            me = pwd.getpwuid(os.geteuid())
            users = f"default_internal_user = {me.pw_name}\ndefault_login_user = {me.pw_name}\n"
        conf = self.root / "dovecot.conf"
        conf.write_text(
            CONFIG.format(root=self.root, port=self.port, password=PASSWORD, uid=me.pw_uid, gid=me.pw_gid, users=users)
        )
        # dovecot daemonizes; its children keep our pipes open, so its output goes to a file, not a pipe.
        with (self.root / "start.log").open("wb") as out:
            subprocess.run([binary, "-c", str(conf)], check=True, stdout=out, stderr=out, timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        start_log = (self.root / "start.log").read_text(errors="replace")
        raise RuntimeError(f"dovecot did not start on port {self.port}:\n{start_log}\n{self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().strip())
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    # --- test helpers (standard library imaplib, synchronous) -------------------------------

    def connect(self, user: str, mailbox: str = "INBOX") -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(user, PASSWORD)
        client.select(mailbox)
        return client

    def append(
        self, user: str, raw: bytes, *, mailbox: str = "INBOX", flags: str = "", date: datetime | None = None
    ) -> int:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            client.login(user, PASSWORD)
            if mailbox != "INBOX":
                client.create(mailbox)
            when = imaplib.Time2Internaldate(date) if date else None
            typ, data = client.append(mailbox, f"({flags})" if flags else None, when, raw)
            assert typ == "OK", data
            match = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            assert match, data
            return int(match.group(1))
        finally:
            client.logout()

    def flags(self, user: str, mailbox: str = "INBOX") -> dict[int, set[str]]:
        """UID -> flags of every message in the mailbox."""
        client = self.connect(user, mailbox)
        try:
            _, data = client.uid("FETCH", "1:*", "(UID FLAGS)")
            result: dict[int, set[str]] = {}
            for item in data:
                if isinstance(item, bytes) and (m := re.search(rb"UID (\d+) FLAGS \(([^)]*)\)", item)):
                    result[int(m.group(1))] = set(m.group(2).decode().split())
            return result
        finally:
            client.logout()

    def count(self, user: str, mailbox: str = "INBOX") -> int:
        return len(self.flags(user, mailbox))
