"""Demo data for `ticketing serve --demo`: two staff users per desk and a few tickets."""

from __future__ import annotations

import logging

from ticketing.domain.errors import Conflict
from ticketing.domain.tickets import Channel
from ticketing.services.accounts import AccountService
from ticketing.services.intake import IntakeService

log = logging.getLogger(__name__)

# Documented in the README; demo accounts only exist when --demo is given.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (documented demo credential)

DEMO_TICKETS = {
    "relia": [
        (
            "inquiry",
            [],
            "Which of my data do you hold?",
            "I took part in a survey call last month. What do you keep about me?",
            "en",
        ),
        (
            "complaint",
            [],
            "Calls after I asked you to stop",
            "Your operators called me three times after I asked to be removed.",
            "en",
        ),
        (
            "request",
            ["disclosure"],
            "Disclosure request",
            "I would like a copy of the personal data you hold on me.",
            "en",
        ),
    ],
    "rext-cs": [
        (
            "inquiry",
            [],
            "個人情報の利用目的について",
            "御社から届いたダイレクトメールについて、私の情報の入手元を教えてください。",
            "ja",
        ),
        ("complaint", [], "電話勧誘の停止について", "停止をお願いしたにもかかわらず、電話が続いています。", "ja"),
        ("request", ["suspension_of_use"], "利用停止のお願い", "私の個人情報の利用を停止してください。", "ja"),
    ],
}


async def seed_demo(accounts: AccountService, intake: IntakeService) -> bool:
    """Create the demo users and tickets once; returns False when they exist already."""
    created_any = False
    for slug in intake.desks:
        for role in ("agent", "manager"):
            try:
                await accounts.add_user(f"{role}.{slug}@example.test", DEMO_PASSWORD, role, [slug])
                created_any = True
            except Conflict:
                continue
    try:  # one admin of every desk, for the admin pages (users, roles, tokens, the audit log)
        await accounts.add_user("admin@example.test", DEMO_PASSWORD, "admin", list(intake.desks))
    except Conflict:
        pass
    if not created_any:
        return False
    for slug, rows in DEMO_TICKETS.items():
        if slug not in intake.desks:
            continue
        for i, (category, types, subject, message, lang) in enumerate(rows, start=1):
            await intake.open_ticket(
                slug,
                {
                    "category": category,
                    "request_types": types,
                    "subject": subject,
                    "message": message,
                    "language": lang,
                    "requester": {"name": f"Demo Requester {i}", "email": f"requester{i}.{slug}@example.test"},
                },
                channel=Channel.WEB,
            )
    log.info("demo data created: users <role>.<desk>@example.test")
    return True
