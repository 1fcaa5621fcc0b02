"""Throttles: how many attempts of a kind one key (an account, a client, an address) may make.

Sign-in limits follow OWASP ASVS 4.0 V2.2.1 (no more than 100 failed attempts per hour on one
account; soft lock-outs). The form limits keep a flood of submissions for someone else's address
from mailing them repeatedly or exhausting the daily cap of automatic replies
(`auto_reply_daily_cap`, 10), which would silence the genuine requester's acknowledgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Limit:
    scope: str
    max_hits: int
    window: timedelta

    def since(self, now: datetime) -> datetime:
        return now - self.window

    def exceeded(self, hits: int) -> bool:
        """`hits` counted in the window already: one more is over the limit."""
        return hits >= self.max_hits


# Failed sign-ins to one account, from anywhere (a soft lock-out that ends by itself).
SIGNIN_ACCOUNT = Limit("signin_account", 10, timedelta(minutes=15))
# Failed sign-ins from one client address, to any account (password spraying).
SIGNIN_CLIENT = Limit("signin_client", 30, timedelta(minutes=15))
FORM_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class FormLimits:
    """The public form's limits (counts per FORM_WINDOW; settings may change the counts)."""

    # Submissions from one client address: refused above this.
    per_client: Limit = Limit("form_client", 5, FORM_WINDOW)
    # Acknowledgements to one address: above this the ticket is still taken (nothing is lost, the
    # page shows its reference) but no mail goes out. Three an hour stays far below the daily cap.
    per_address: Limit = Limit("form_address", 3, FORM_WINDOW)

    @classmethod
    def of(cls, per_client: int, per_address: int) -> FormLimits:
        return cls(Limit("form_client", per_client, FORM_WINDOW), Limit("form_address", per_address, FORM_WINDOW))


# Rows older than this count for no limit and are pruned.
KEEP = max(SIGNIN_ACCOUNT.window, SIGNIN_CLIENT.window, FORM_WINDOW)
