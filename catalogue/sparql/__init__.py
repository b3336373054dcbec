"""The public SPARQL endpoint's engine side: the query guard and the isolated executor.

    guard(text, max_bytes=..., max_depth=..., federation_allow=...) -> GuardedQuery   (guard.py)
    Executor(settings).run(guarded.text, fmt="json", ...) -> Outcome                    (executor.py)
    negotiate_format / format_named / serialize_result                                   (results.py)

No Flask here: webapp/sparql.py maps the protocol onto these.
"""

from __future__ import annotations

from .guard import (
    DEFAULT_PREFIXES,
    FederationRefused,
    GuardedQuery,
    QueryRejected,
    UpdateRefused,
    guard,
)

__all__ = [
    "DEFAULT_PREFIXES",
    "FederationRefused",
    "GuardedQuery",
    "QueryRejected",
    "UpdateRefused",
    "guard",
]
