"""Every page is also JSON: at the same URL with a `.json` suffix, or with `Accept: application/json`.

A view builds one payload (a plain dict) and hands it to `respond()` together with its
template: the HTML page and the JSON document come from the same data, as in Datasette.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify, make_response, render_template, request, url_for

JSON_SUFFIX = ".json"
HTML = "text/html"
JSON = "application/json"


def json_rule(rule: str) -> str:
    """`/search` -> `/search.json`; `/` -> `/index.json`."""
    return ("/index" if rule == "/" else rule.rstrip("/")) + JSON_SUFFIX


def route(bp: Blueprint, rule: str, **options) -> Callable:
    """Register a view at `rule` (HTML or JSON by Accept) and at `rule.json` (always JSON)."""

    def decorator(view: Callable) -> Callable:
        endpoint = options.pop("endpoint", view.__name__)
        bp.add_url_rule(rule, endpoint, view, **options)
        bp.add_url_rule(json_rule(rule), endpoint + "_json", view, **options)
        return view

    return decorator


def wants_json() -> bool:
    if request.endpoint and request.endpoint.endswith("_json"):
        return True
    if request.path.endswith(JSON_SUFFIX):
        return True
    best = request.accept_mimetypes.best_match([HTML, JSON])
    return best == JSON and request.accept_mimetypes[JSON] > request.accept_mimetypes[HTML]


def json_url(endpoint: str | None = None, **values) -> str:
    """The JSON twin of the current page (or of `endpoint`), keeping the query string."""
    endpoint = endpoint or request.endpoint or ""
    if not endpoint.endswith("_json"):
        endpoint += "_json"
    if not values:
        values = dict(request.view_args or {})
        values.update({k: v for k, v in request.args.lists() if k != "lang"})
    return url_for(endpoint, **values)


def respond(template: str, payload: dict, *, status: int = 200, **context):
    """The HTML page rendered from `template`, or `payload` as JSON, as the client asked."""
    response = jsonify(payload) if wants_json() else make_response(render_template(template, **context))
    response.status_code = status
    response.vary.add("Accept")
    return response


def init_app(app) -> None:
    def _alternate_json() -> str | None:
        try:
            if request.endpoint and request.url_rule is not None and not request.endpoint.startswith("static"):
                endpoint = request.endpoint if request.endpoint.endswith("_json") else request.endpoint + "_json"
                if endpoint in app.view_functions:
                    return json_url(endpoint)
        except Exception:  # a missing alternate link must never break a page
            return None
        return None

    app.jinja_env.globals.update(alternate_json=_alternate_json)
