"""Security headers on every response (OWASP secure headers), set once at the edge.

A handler that sets one of these itself (the status page's `Referrer-Policy: no-referrer`, a
download's `Cache-Control`) keeps its own value.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# Pages load only our own CSS (no scripts yet, no inline styles); nothing may frame them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# The OpenAPI viewer pages are Litestar's own (they load their scripts from a CDN): no CSP there.
NO_CSP_PREFIX = "/schema"


class SecurityHeaders(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, *, https: bool) -> None:
        self.https = https  # HSTS only when the service is reached over HTTPS

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope.get("path", "")
        extra = dict(BASE_HEADERS)
        if not path.startswith(NO_CSP_PREFIX):
            extra["content-security-policy"] = CONTENT_SECURITY_POLICY
        if path.startswith("/api/"):
            extra["cache-control"] = "no-store"  # API answers carry personal data
        if self.https:
            extra["strict-transport-security"] = HSTS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await next_app(scope, receive, send_with_headers)
