"""What the access log records: every staff read of personal data and every refused attempt.

APPI Art. 23-24 (security control measures; supervision of employees): the PPC guidelines
(通則編 10-6) list recording who handled personal data, and when, among the technical measures.
"""

from __future__ import annotations

from enum import StrEnum


class AccessKind(StrEnum):
    TICKET = "ticket"  # one ticket with its requester's details and messages
    TICKET_LIST = "ticket_list"  # a list of tickets (subjects, states)
    SLA = "sla"  # a ticket's clocks explained
    PARTICIPANTS = "participants"  # the addresses besides the requester's on a ticket
    OUTBOX = "outbox"  # mail waiting or sent, with its recipients and bodies
    MAIL_LOG = "mail_log"  # the inbound-mail log (senders, subjects)
    MAIL = "mail"  # one logged inbound message
    MAIL_RAW = "mail_raw"  # the raw bytes of an inbound message
    REFUSED = "refused"  # a request for something of another desk, or that does not exist
