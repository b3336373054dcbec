"""Errors become a page (or a JSON document) in the user's language, with the right HTTP status.

CatalogueError carries its own French and English messages and status; HTTP errors raised by
Flask get a message from the table below; anything else is logged and shown as a plain 500.
A stack trace, a path or a setting never reaches the client.
"""

from __future__ import annotations

from flask import Blueprint, current_app
from werkzeug.exceptions import HTTPException

from catalogue.errors import CatalogueError

from .i18n import get_lang, translate
from .negotiation import respond

bp = Blueprint("errors", __name__)

_HTTP_MESSAGES = {
    404: ("Page not found", "This page does not exist. Check the address or search the catalogue."),
    500: ("Error", "Something went wrong on our side. Please try again later."),
}


def _page(status: int, title: str, message: str, code: str):
    payload = {"error": {"status": status, "code": code, "message": message}}
    return respond("error.html", payload, status=status, status_code=status, title=title, message=message)


@bp.app_errorhandler(CatalogueError)
def catalogue_error(exc: CatalogueError):
    status = int(getattr(exc, "http_status", 400) or 400)
    lang = get_lang()
    title = translate("Page not found" if status == 404 else "Error", lang)
    return _page(status, title, exc.describe(lang), type(exc).__name__)


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    status = exc.code or 500
    title, message = _HTTP_MESSAGES.get(status, ("Error", "The request could not be handled."))
    response = _page(status, translate(title), translate(message), exc.name.replace(" ", ""))
    if status == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


@bp.app_errorhandler(Exception)
def unexpected_error(exc: Exception):
    if isinstance(exc, HTTPException):  # pragma: no cover - routed above
        return http_error(exc)
    current_app.logger.exception("Unhandled error")
    title, message = _HTTP_MESSAGES[500]
    return _page(500, translate(title), translate(message), "InternalServerError")
