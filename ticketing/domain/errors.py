"""Domain errors: they carry data; the web layer picks status codes."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every error the core and services raise on purpose."""


@dataclass
class ConfigError(DomainError):
    """A configuration file or variable is wrong."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass
class ValidationFailed(DomainError):
    """Input was refused; `errors` maps each field to what is wrong with it."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


@dataclass
class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    kind: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key!r} not found"


@dataclass
class AuthenticationFailed(DomainError):
    reason: str = "invalid credentials"

    def __str__(self) -> str:
        return self.reason


@dataclass
class Throttled(DomainError):
    """Too many attempts of one kind from one key (domain/throttle.py); try again later."""

    scope: str
    retry_after_seconds: int

    def __str__(self) -> str:
        return "too many attempts; please wait and try again"


@dataclass
class Forbidden(DomainError):
    """The caller is known and may see the thing, but their role does not allow this act."""

    what: str

    def __str__(self) -> str:
        return self.what


@dataclass
class Conflict(DomainError):
    what: str

    def __str__(self) -> str:
        return self.what


@dataclass
class InvalidTransition(DomainError):
    reference: str
    state: str
    action: str

    def __str__(self) -> str:
        return f"ticket {self.reference}: cannot {self.action} from state {self.state}"


@dataclass
class CalendarRangeError(DomainError):
    """A date outside the years the holiday data covers: refuse rather than guess."""

    day: str
    country: str
    first_year: int
    last_year: int

    def __str__(self) -> str:
        return (
            f"{self.day}: {self.country} holidays are known for {self.first_year}-{self.last_year} only; "
            "business time outside that range cannot be computed"
        )


@dataclass
class NoOpening(DomainError):
    """The calendar has no opening at all in the searched span (a misconfigured desk)."""

    start: str

    def __str__(self) -> str:
        return f"the desk calendar has no opening within three years of {self.start}"


# The ticket page's forms carry the version of the ticket they were rendered from (web/ticket_pages.py):
# a change sent from an older page is refused, and the page shows the newer state with the typed text kept.
STALE_CHANGE = (
    "Someone else changed this ticket while you were writing: the page now shows the ticket as it is, "
    "and what you typed is kept. Check what changed, then send it again."
)


@dataclass
class StaleChange(DomainError):
    """A change sent from a page of an older version of the ticket (optimistic locking)."""

    reference: str
    expected: int
    current: int

    def __str__(self) -> str:
        return STALE_CHANGE
