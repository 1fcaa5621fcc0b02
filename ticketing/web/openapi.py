"""The error answers each API operation can give, for the OpenAPI (Litestar's `raises=`).

Domain errors become these status codes in web/errors.py; the classes here only name them in the
schema (Litestar documents a route's return type and its automatic 400, nothing else).
"""

from __future__ import annotations

from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)


class ConflictAnswer(ClientException):
    """The change does not fit the ticket's state, or was made already (Conflict, InvalidTransition)."""

    status_code = 409


# Every API operation needs a token (401); most name something that may not exist on your desks (404).
AUTH: list[type[HTTPException]] = [NotAuthorizedException]
READ: list[type[HTTPException]] = [NotAuthorizedException, NotFoundException]
CHANGE: list[type[HTTPException]] = [NotAuthorizedException, NotFoundException, ConflictAnswer]
CREATE: list[type[HTTPException]] = [NotAuthorizedException, PermissionDeniedException, NotFoundException]
