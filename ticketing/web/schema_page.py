"""The OpenAPI viewer at /schema: Swagger UI from /static/vendor/swagger-ui, no CDN and no inline script.

Litestar's own render plugins load their scripts from a CDN (a blank page without internet) and
start them with an inline script (refused by the site's CSP). This page loads the vendored bundle
and /static/schema.js, which starts it on the JSON schema named in the page.
"""

from __future__ import annotations

import html
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

VENDOR = "/static/vendor/swagger-ui"


class LocalSwaggerUI(OpenAPIRenderPlugin):
    def __init__(self, *, spec_url: str, path: str | list[str] = "/") -> None:
        super().__init__(path=path, favicon="", style="")
        self.spec_url = spec_url

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(f"{openapi_schema['info']['title']} API")
        page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{VENDOR}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec-url="{html.escape(self.spec_url)}"></div>
<script src="{VENDOR}/swagger-ui-bundle.js"></script>
<script src="/static/schema.js"></script>
</body>
</html>
"""
        return page.encode()
