"""What the access log records: every staff read of personal data and every refused attempt.

APPI Art. 23-24 (security control measures; supervision of employees): the PPC guidelines
(通則編 10-6) list recording who handled personal data, and when, among the technical measures.
"""

from __future__ import annotations

import re
from enum import StrEnum

from ticketing.domain.tickets import REFERENCE_RE


class AccessKind(StrEnum):
    TICKET = "ticket"  # one ticket with its requester's details and messages
    TICKET_LIST = "ticket_list"  # a list of tickets (subjects, states)
    SLA = "sla"  # a ticket's clocks explained
    PARTICIPANTS = "participants"  # the addresses besides the requester's on a ticket
    OUTBOX = "outbox"  # mail waiting or sent, with its recipients and bodies
    MAIL_LOG = "mail_log"  # the inbound-mail log (senders, subjects)
    MAIL = "mail"  # one logged inbound message
    MAIL_RAW = "mail_raw"  # the raw bytes of an inbound message
    ATTACHMENT = "attachment"  # one attachment of a ticket, downloaded
    ACCESS_LOG = "access_log"  # who read a ticket: the access log itself (its readers are on it too)
    REFUSED = "refused"  # a request for something of another desk, or that does not exist


_TICKET_PATH = re.compile(r"/tickets/([^/?#\s]+)")


def ticket_named(target: str) -> str | None:
    """The ticket reference a request path names ("GET /app/tickets/REL-2026-000001/access"), if any:
    a refused attempt at a ticket goes on that ticket's access log, for its desk's managers to see."""
    match = _TICKET_PATH.search(target)
    return match.group(1) if match and REFERENCE_RE.fullmatch(match.group(1)) else None
