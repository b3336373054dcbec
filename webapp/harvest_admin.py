"""/admin/harvest: the harvest sources, the history of runs, and one run's full report (FR/EN, HTML or JSON).

Read-only: runs are started by `catalogue harvest run|schedule` (cron or a systemd timer), never
from the web. Everything shown comes from partner feeds (URLs, IRIs, messages), so it is shown as
text, never as links. The pages are for the catalogue team: put /admin behind the operator's
authentication (reverse proxy) until the catalogue has its own.

The interface strings of these pages live in HARVEST_FRENCH below and are used through `ht()`,
so this feature brings its own translations without touching the shared table in i18n.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from catalogue.harvest import RunHistory, SourceRegistry

from .i18n import get_lang
from .negotiation import respond, route

bp = Blueprint("harvest_admin", __name__)

RUNS_SHOWN = 50

HARVEST_FRENCH: dict[str, str] = {
    "Harvesting": "Moissonnage",
    "Harvest runs": "Collectes",
    "Harvest run": "Collecte",
    "Sources": "Sources",
    "Source": "Source",
    "Name": "Nom",
    "Type": "Type",
    "Schedule": "Fréquence",
    "Feed URL": "URL du flux",
    "Last run": "Dernière collecte",
    "never": "jamais",
    "No source is configured. Add one with `catalogue source add URL --name NAME`.": "Aucune source n'est configurée. Ajoutez-en une avec `catalogue source add URL --name NOM`.",
    "No run yet.": "Aucune collecte pour l'instant.",
    "Run": "Collecte",
    "Started": "Début",
    "Finished": "Fin",
    "Status": "Statut",
    "Pages": "Pages",
    "Added": "Ajoutées",
    "Updated": "Modifiées",
    "Unchanged": "Inchangées",
    "Rejected": "Rejetées",
    "Withdrawn": "Retirées",
    "Deleted": "Supprimées",
    "Errors": "Erreurs",
    "Duplicates": "Doublons",
    "success": "réussie",
    "partial": "partielle",
    "failed": "échouée",
    "daily": "quotidienne",
    "weekly": "hebdomadaire",
    "manual": "manuelle",
    "dry run": "simulation",
    "All sources": "Toutes les sources",
    "Show": "Afficher",
    "Back to the runs": "Retour aux collectes",
    "Summary": "Résumé",
    "Pages fetched": "Pages lues",
    "not modified": "non modifiée",
    "error": "erreur",
    "Records": "Fiches",
    "URL": "URL",
    "Message": "Message",
    "Record": "Fiche",
    "Problems": "Problèmes",
    "Identifier": "Identifiant",
    "Other record": "Autre fiche",
    "Other source": "Autre source",
    "Records added": "Fiches ajoutées",
    "Records updated": "Fiches modifiées",
    "Records withdrawn (kept during the grace period)": "Fiches retirées (conservées pendant le délai de grâce)",
    "Records deleted after the grace period": "Fiches supprimées après le délai de grâce",
    "Rejected records and their validation reports": "Fiches rejetées et leurs rapports de validation",
    "Duplicates in other sources (shown, never merged)": "Doublons dans d'autres sources (signalés, jamais fusionnés)",
    "The run did not read the whole feed: no record was withdrawn.": "La collecte n'a pas lu tout le flux : aucune fiche n'a été retirée.",
    "Only the first {n} items are listed.": "Seuls les {n} premiers éléments sont listés.",
    "violation": "violation",
    "warning": "avertissement",
    "info": "information",
}


def ht(text: str, **params) -> str:
    """This feature's interface text in the page language."""
    out = HARVEST_FRENCH.get(text, text) if get_lang() == "fr" else text
    return out.format(**params) if params else out


@bp.app_context_processor
def _helpers():
    return {"ht": ht}


def _catalogue():
    return current_app.extensions["catalogue"]


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@route(bp, "/admin/harvest")
def runs():
    catalogue = _catalogue()
    base = catalogue.settings.base_iri
    history = RunHistory(catalogue.store, base)
    sources = SourceRegistry(catalogue.store, base).list()
    names = [s.name for s in sources]
    chosen = request.args.get("source") or None
    if chosen is not None and chosen not in names:
        chosen = None
    listed = history.list(chosen, limit=RUNS_SHOWN)
    source_rows = []
    for source in sources:
        last = history.list(source.name, limit=1)
        source_rows.append({**source.to_dict(), "last_run": last[0] if last else None})
    payload = {"sources": source_rows, "runs": listed, "source": chosen}
    return _no_store(respond("harvest_runs.html", payload, sources=source_rows, runs=listed, chosen=chosen))


@route(bp, "/admin/harvest/run/<run_id>")
def run(run_id: str):
    catalogue = _catalogue()
    report = RunHistory(catalogue.store, catalogue.settings.base_iri).get(run_id)
    if report is None:
        abort(404)
    from catalogue.harvest.reports import MAX_LISTED

    return _no_store(respond("harvest_run.html", report.to_dict(), report=report, max_listed=MAX_LISTED))
