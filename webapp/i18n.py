"""Language selection (French by default, English) and the interface's message table.

The page language comes from `?lang=fr|en` (remembered in a cookie), then the cookie, then
French. Interface strings are written in English in the templates (`_("Search")`) and
translated from the table below; tests/webapp check that every string a template uses has
a French entry, so the table replaces a compiled gettext catalogue without a build step.
Flask-Babel is initialised with the same locale so numbers and dates are formatted for it.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, g, request
from flask_babel import Babel
from markupsafe import Markup, escape

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)

# English interface text -> French. Keep entries sorted by theme, not alphabetically.
FRENCH: dict[str, str] = {
    # layout
    "Skip to main content": "Aller au contenu principal",
    "National health data catalogue": "Catalogue national des données de santé",
    "Descriptions of health databases available for research and public-interest projects": "Descriptions des bases de données de santé disponibles pour la recherche et les projets d'intérêt public",
    "Main menu": "Menu principal",
    "Home": "Accueil",
    "Search": "Rechercher",
    "Language": "Langue",
    "Français": "Français",
    "English": "English",
    "Switch to English": "Passer en anglais",
    "Switch to French": "Passer en français",
    "Current language": "Langue actuelle",
    "This page as JSON": "Cette page en JSON",
    "Machine-readable": "Lisible par machine",
    "The catalogue describes databases: it never holds health data about a person.": "Le catalogue décrit des bases de données : il ne contient jamais de données de santé sur une personne.",
    "Breadcrumb": "Fil d'Ariane",
    # home and search
    "Find health data": "Trouver des données de santé",
    "Search the catalogue": "Rechercher dans le catalogue",
    "Search terms": "Termes recherchés",
    "e.g. cancer, hospital stays, vaccination": "ex. : cancer, séjours hospitaliers, vaccination",
    "datasets described": "jeux de données décrits",
    "dataset described": "jeu de données décrit",
    "Browse by": "Parcourir par",
    "Show all datasets": "Voir tous les jeux de données",
    "Search results": "Résultats de recherche",
    "Filters": "Filtres",
    "Refine results": "Affiner les résultats",
    "Active filters": "Filtres actifs",
    "Remove filter": "Retirer le filtre",
    "Clear all filters": "Effacer tous les filtres",
    "selected": "sélectionné",
    "Apply": "Appliquer",
    "Apply filters": "Appliquer les filtres",
    "Sort by": "Trier par",
    "Sort": "Trier",
    "Relevance": "Pertinence",
    "Title": "Titre",
    "Last modified": "Dernière modification",
    "Results per page": "Résultats par page",
    "No dataset matches this search.": "Aucun jeu de données ne correspond à cette recherche.",
    "Try fewer words or remove a filter.": "Essayez avec moins de mots ou retirez un filtre.",
    "result": "résultat",
    "results": "résultats",
    "for": "pour",
    "Pagination": "Pagination",
    "Previous page": "Page précédente",
    "Next page": "Page suivante",
    "Page": "Page",
    "of": "sur",
    "Typical age of the people covered": "Âge typique des personnes couvertes",
    "Minimum age": "Âge minimum",
    "Maximum age": "Âge maximum",
    "years": "ans",
    "Text": "Texte",
    "Age": "Âge",
    "Updated": "Mis à jour",
    "Publisher": "Producteur",
    "Access": "Accès",
    "(no label)": "(sans libellé)",
    "Show all values": "Voir toutes les valeurs",
    # dataset page
    "Dataset": "Jeu de données",
    "At a glance": "En bref",
    "Description": "Description",
    "Keywords": "Mots-clés",
    "Themes": "Thèmes",
    "Health categories": "Catégories de santé",
    "Health themes": "Thèmes de santé",
    "Publisher and contact": "Producteur et contact",
    "Contact point": "Point de contact",
    "Creator": "Créateur",
    "Data custodian": "Détenteur des données",
    "Access to the data": "Accès aux données",
    "Access rights": "Droits d'accès",
    "Access level": "Niveau d'accès",
    "How to request access": "Comment demander l'accès",
    "Health data access body": "Organisme d'accès aux données de santé",
    "Coordinating health data access body": "Organisme coordinateur d'accès aux données de santé",
    "On this page": "Sur cette page",
    "Send your access request to the health data access body below.": "Adressez votre demande d'accès à l'organisme d'accès aux données de santé ci-dessous.",
    "Contact the publisher to request access.": "Contactez le producteur pour demander l'accès.",
    "Legal basis and purpose": "Base légale et finalité",
    "Legal basis": "Base légale",
    "Purpose": "Finalité",
    "Applicable legislation": "Législation applicable",
    "Population and content": "Population et contenu",
    "Population coverage": "Population couverte",
    "Number of records": "Nombre d'enregistrements",
    "Number of individuals": "Nombre de personnes",
    "Age range": "Tranche d'âge",
    "Coding systems": "Systèmes de codage",
    "Personal data categories": "Catégories de données personnelles",
    "Coverage": "Couverture",
    "Temporal coverage": "Couverture temporelle",
    "Spatial coverage": "Couverture géographique",
    "Update frequency": "Fréquence de mise à jour",
    "Distributions": "Distributions",
    "Format": "Format",
    "Licence": "Licence",
    "Access URL": "Adresse d'accès",
    "Download URL": "Adresse de téléchargement",
    "Size": "Taille",
    "Media type": "Type de média",
    "Rights": "Droits",
    "No distribution is described.": "Aucune distribution n'est décrite.",
    "Related datasets and projects": "Jeux de données et projets liés",
    "Related resources": "Ressources liées",
    "Projects": "Projets",
    "Your data": "Vos données",
    "What this catalogue entry means for the people whose data is in this database.": "Ce que cette fiche signifie pour les personnes dont les données figurent dans cette base.",
    "Who holds the data": "Qui détient les données",
    "Why it is used": "Pourquoi elles sont utilisées",
    "On what legal basis": "Sur quelle base légale",
    "For how long it is kept": "Combien de temps elles sont conservées",
    "Whom to contact to exercise your rights": "Qui contacter pour exercer vos droits",
    "Not stated": "Non précisé",
    "Record details": "Informations sur la fiche",
    "Identifier": "Identifiant",
    "Landing page": "Page d'accueil",
    "Issued": "Publié le",
    "Modified": "Modifié le",
    "Version": "Version",
    "Type of dataset": "Type de jeu de données",
    "Language of the data": "Langue des données",
    "Provenance": "Provenance",
    "Record IRI": "IRI de la fiche",
    "from": "du",
    "to": "au",
    "since": "depuis le",
    "until": "jusqu'au",
    "This record was withdrawn from its source.": "Cette fiche a été retirée par sa source.",
    "Email": "Courriel",
    "Telephone": "Téléphone",
    "Web page": "Page web",
    "Back to the results": "Retour aux résultats",
    # errors
    "Error": "Erreur",
    "Page not found": "Page introuvable",
    "This page does not exist. Check the address or search the catalogue.": "Cette page n'existe pas. Vérifiez l'adresse ou faites une recherche dans le catalogue.",
    "No dataset has this identifier. It may have been removed; search the catalogue to find it.": "Aucun jeu de données n'a cet identifiant. Il a peut-être été supprimé ; faites une recherche dans le catalogue.",
    "Something went wrong on our side. Please try again later.": "Une erreur s'est produite de notre côté. Veuillez réessayer plus tard.",
    "The request could not be handled.": "La requête n'a pas pu être traitée.",
    "Go to the home page": "Aller à la page d'accueil",
}


def get_lang() -> str:
    lang = getattr(g, "lang", None)
    if lang:
        return lang
    try:
        asked = request.args.get("lang", "")
        lang = asked if asked in LANGS else request.cookies.get(COOKIE, "")
    except RuntimeError:  # outside a request
        return DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def translate(text: str, lang: str | None = None, **params) -> str:
    lang = lang or get_lang()
    out = FRENCH.get(text, text) if lang == "fr" else text
    return out.format(**params) if params else out


def plural(count: int, singular: str, plural_form: str, lang: str | None = None) -> str:
    """The translated singular or plural; French uses the singular for 0 and 1, English for 1 only."""
    lang = lang or get_lang()
    one = count < 2 if lang == "fr" else count == 1
    return translate(singular if one else plural_form, lang)


def pick(values, lang: str | None = None) -> tuple[str, str | None]:
    """Choose the text for `lang` from a {lang: text} map: wanted language, untagged, French, English, any.

    Returns (text, language of that text or None when untagged) so a template can mark a fallback
    in another language with a `lang` attribute (WCAG 3.1.2, language of parts).
    """
    if not values:
        return "", None
    if isinstance(values, str):
        return values, None
    lang = lang or get_lang()
    for key in (lang, "", None, "und", *LANGS):
        text = values.get(key)
        if text:
            if isinstance(text, list | tuple):
                text = text[0] if text else ""
            return str(text), (key or None)
    for key, text in values.items():
        if text:
            return (str(text[0]) if isinstance(text, list | tuple) else str(text)), (key or None)
    return "", None


def text_in(values, lang: str | None = None) -> str:
    return pick(values, lang)[0]


def localized(values, lang: str | None = None, limit: int | None = None) -> Markup:
    """Escaped text, wrapped in `<span lang=..>` when it is not in the page language; cut at `limit` characters."""
    lang = lang or get_lang()
    text, text_lang = pick(values, lang)
    if limit and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
    if text_lang and text_lang not in ("*", "und") and text_lang.split("-")[0] != lang:
        return Markup('<span lang="{}">{}</span>').format(text_lang, text)
    return escape(text)


def switch_url(lang: str) -> str:
    """The current URL with `lang` set, every other query argument kept."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", lang))
    # one leading slash only: "//evil.example" must not become a link to another site
    return quote("/" + request.path.lstrip("/"), safe="/:@!$&'()*+,;=-._~") + "?" + urlencode(args)


@bp.before_app_request
def _choose_language() -> None:
    g.lang = get_lang()


@bp.after_app_request
def _remember_language(response):
    asked = request.args.get("lang")
    if asked in LANGS and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=request.is_secure
        )
    response.headers["Content-Language"] = get_lang()
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=get_lang, default_locale=DEFAULT_LANG)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        _=translate,
        LANGS=LANGS,
        switch_url=switch_url,
        get_lang=get_lang,
        pick=pick,
        text_in=text_in,
        localized=localized,
        plural=plural,
    )
