"""What the published OpenAPI says beyond Litestar's defaults.

- The error answers each API operation can give (Litestar's `raises=`). Domain errors become these
  status codes in web/errors.py; the classes here only name them in the schema (Litestar documents a
  route's return type and its automatic 400, nothing else).
- `StructSchemas`: a request body that refuses unknown fields says so (`additionalProperties: false`,
  from msgspec's `forbid_unknown_fields`), and a Struct may add keywords of its own that no field
  annotation can carry (`openapi_extra`: an anyOf of required fields, an if/then between two fields).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.openapi.spec import Reference, Schema
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition


class ConflictAnswer(ClientException):
    """The change does not fit the ticket's state, or was made already (Conflict, InvalidTransition)."""

    status_code = 409


class TooLargeAnswer(ClientException):
    """The request body is larger than the service accepts (attachments included)."""

    status_code = 413


# Every API operation needs a token (401); most name something that may not exist on your desks (404);
# an operation that reads a body refuses one that is too large (413).
AUTH: list[type[HTTPException]] = [NotAuthorizedException]
READ: list[type[HTTPException]] = [NotAuthorizedException, NotFoundException]
WRITE: list[type[HTTPException]] = [*READ, TooLargeAnswer]
CHANGE: list[type[HTTPException]] = [*WRITE, ConflictAnswer]
CREATE: list[type[HTTPException]] = [*WRITE, PermissionDeniedException]


class StructSchemas(OpenAPISchemaPlugin):
    """Litestar's schema of a msgspec Struct, completed (see the module docstring)."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return not field_definition.is_union and field_definition.is_subclass_of(msgspec.Struct)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        # Litestar's own Struct plugin comes after ours (app plugins first): let it build the schema.
        builtin = next(
            p
            for p in schema_creator.plugins
            if p is not self and schema_creator.plugin_supports_field(p, field_definition)
        )
        schema: Schema | Reference = builtin.to_openapi_schema(field_definition, schema_creator)
        assert isinstance(schema, Schema)
        struct = field_definition.type_
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        for key, value in getattr(struct, "openapi_extra", {}).items():
            setattr(schema, key, value)
        return schema
