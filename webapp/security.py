"""Keep hostile record content inert: strict CSP, safe links, safely embedded JSON-LD.

Records come from partners and harvested feeds, so every title, description and URL in
them is untrusted. Jinja autoescapes text; this module covers what escaping does not:
URLs (only http, https and mailto become links) and the JSON-LD block (`<`, `>`, `&`
and the JavaScript line separators are written as \\uXXXX so `</script>` cannot close it).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("'"): "\\u0027",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def safe_href(url) -> str | None:
    """`url` if it may be a link (http, https, mailto with no control characters), else None."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() in ("http", "https") and not parts.netloc:
        return None
    return url


def json_for_script(data) -> Markup:
    """JSON safe to place inside a `<script type="application/ld+json">` element."""
    text = json.dumps(data, ensure_ascii=False, indent=1, default=str).translate(_JSON_ESCAPES)
    return Markup(text)


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.jinja_env.filters["safe_href"] = safe_href
    app.jinja_env.filters["json_for_script"] = json_for_script
