"""Security headers on every response (OWASP secure headers), set once at the edge.

A before-send hook rather than a middleware: Litestar runs middleware only for a routed request, and
an unknown URL's 404 or a refused method's 405 must carry the same headers. A handler that sets one
of these itself (the status page's `Referrer-Policy: no-referrer`, a download's `Cache-Control`)
keeps its own value.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import Message, Scope

# Pages load only our own scripts and CSS (no inline script or style); nothing may frame them. The
# OpenAPI viewer at /schema is served from /static/vendor too, so it needs no exception.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    def __init__(self, *, https: bool) -> None:
        self.https = https  # HSTS only when the service is reached over HTTPS

    def for_path(self, path: str) -> dict[str, str]:
        extra = dict(BASE_HEADERS)
        if path.startswith("/api/"):
            extra["cache-control"] = "no-store"  # API answers carry personal data
        if self.https:
            extra["strict-transport-security"] = HSTS
        return extra

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in self.for_path(scope.get("path", "")).items():
            if name not in headers:
                headers[name] = value
