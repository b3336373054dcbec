"""The web UI: a Flask application factory and one blueprint per feature.

    create_app(settings=None, catalogue=None) -> Flask

Settings come from Settings.from_env() when not given (never at import time). The Catalogue
(store, records, search index) is opened once per app and kept in app.extensions["catalogue"];
an empty store is filled with the demo catalogue when settings.load_demo is on.
"""

from __future__ import annotations

import atexit

from flask import Flask

from catalogue.settings import Settings

__all__ = ["create_app"]


class _CloseOnce:
    def __init__(self, catalogue):
        self.catalogue = catalogue
        self.closed = False

    def __call__(self) -> None:
        if not self.closed:
            self.closed = True
            self.catalogue.close()


def create_app(settings: Settings | None = None, catalogue=None) -> Flask:
    from catalogue.core import open_catalogue
    from catalogue.labels import load_labels

    from . import formatting, i18n, negotiation, security
    from .blueprints import all_blueprints
    from .demo import load_demo_if_empty, rebuild_index_if_stale

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["settings"] = settings

    if catalogue is None:  # opened here, so closed here: at exit, or earlier with app.extensions["close"]()
        catalogue = open_catalogue(settings)
        closer = _CloseOnce(catalogue)
        atexit.register(closer)
    else:  # the caller owns it
        closer = lambda: None  # noqa: E731
    app.extensions["catalogue"] = catalogue
    app.extensions["close"] = closer
    app.extensions["labels"] = load_labels()
    load_demo_if_empty(catalogue)
    rebuild_index_if_stale(catalogue)

    i18n.init_app(app)
    security.init_app(app)
    negotiation.init_app(app)
    formatting.init_app(app)
    for blueprint in all_blueprints():  # webapp/blueprints.py: one line per feature
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)

    @app.context_processor
    def _site():
        lang = i18n.get_lang()
        labels = app.extensions["labels"]
        return {
            "lang": lang,
            "colon": "\u00a0:" if lang == "fr" else ":",  # French typography: a no-break space before a colon
            "site_name": settings.catalogue_title_fr if lang == "fr" else settings.catalogue_title_en,
            "label_of": lambda iri: labels.get(iri, lang) if iri else "",
            # features present in this build (webapp/blueprints.py), for the main menu
            "nav_endpoints": set(app.view_functions),
        }

    return app
