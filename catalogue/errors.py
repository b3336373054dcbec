"""One exception tree. Every error carries a French and an English message a user can act on."""

from __future__ import annotations


class CatalogueError(Exception):
    """Base of every error the catalogue raises on purpose.

    `message_en` / `message_fr` are safe to show to a user (no paths, no stack traces).
    `where` locates the problem (a file name, a line and column, an IRI) when known.
    """

    http_status = 400

    def __init__(self, message_en: str, message_fr: str | None = None, *, where: str | None = None):
        self.message_en = message_en
        self.message_fr = message_fr or message_en
        self.where = where
        super().__init__(self.describe("en"))

    def describe(self, lang: str = "en") -> str:
        text = self.message_fr if lang == "fr" else self.message_en
        return f"{self.where}: {text}" if self.where else text


class ParseError(CatalogueError):
    """The input is not well-formed RDF in the announced format."""

    http_status = 400

    def __init__(self, message_en, message_fr=None, *, where=None, line=None, column=None):
        self.line = line
        self.column = column
        super().__init__(message_en, message_fr, where=where)


class LimitExceeded(CatalogueError):
    """The input is larger or deeper than the configured caps allow."""

    http_status = 413


class UnsafeInput(CatalogueError):
    """The input asks for something we never do (remote contexts, XML entities...)."""

    http_status = 400


class UnsupportedFormat(CatalogueError):
    http_status = 415


class ValidationFailed(CatalogueError):
    """A record violates its SHACL profile; `report` holds the details."""

    http_status = 422

    def __init__(self, report, message_en="The record does not conform to its profile.", message_fr=None, *, where=None):
        self.report = report
        super().__init__(message_en, message_fr or "La fiche n'est pas conforme à son profil.", where=where)


class NotFound(CatalogueError):
    http_status = 404


class StoreUnavailable(CatalogueError):
    http_status = 503


class FetchError(CatalogueError):
    """An outbound request was refused or failed (harvest/fetch.py)."""

    http_status = 502


class Forbidden(CatalogueError):
    http_status = 403


class Unauthorized(CatalogueError):
    http_status = 401
