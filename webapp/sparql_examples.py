"""What the SPARQL query page shows: its French interface text, the pre-declared prefixes and the
example queries. The endpoint itself is in webapp/sparql.py."""

from __future__ import annotations

from catalogue.sparql.guard import DEFAULT_PREFIXES

from . import i18n

# Interface text of the query page, merged into the UI's table (webapp/i18n.py) at import.
FRENCH: dict[str, str] = {
    "SPARQL endpoint": "Point d'accès SPARQL",
    "SPARQL query": "Requête SPARQL",
    "Query the catalogue's knowledge graph in SPARQL 1.1. The endpoint is read-only.": "Interrogez le graphe de connaissances du catalogue en SPARQL 1.1. Le point d'accès est en lecture seule.",
    "Prefixes dcat, dct, foaf, skos, healthdcatap, dcatap, dpv, vcard, xsd, rdfs and adms are pre-declared.": "Les préfixes dcat, dct, foaf, skos, healthdcatap, dcatap, dpv, vcard, xsd, rdfs et adms sont prédéclarés.",
    "Run the query": "Exécuter la requête",
    "Download the results": "Télécharger les résultats",
    "Example queries": "Exemples de requêtes",
    "Results": "Résultats",
    "rows": "lignes",
    "row": "ligne",
    "triples": "triplets",
    "in": "en",
    "Answer": "Réponse",
    "yes (true)": "oui (true)",
    "no (false)": "non (false)",
    "No result.": "Aucun résultat.",
    "The query failed": "La requête a échoué",
    "Only the first {n} rows are shown.": "Seules les {n} premières lignes sont affichées.",
    "The result was cut at {n} rows (limit of this endpoint).": "Le résultat a été coupé à {n} lignes (limite de ce point d'accès).",
    "Link to this query": "Lien vers cette requête",
    "For programs": "Pour les programmes",
    "Send GET or POST requests to {url} (SPARQL 1.1 Protocol). Limits: {timeout} s per query, {rows} rows, "
    "{per_client} queries at a time per client.": "Envoyez des requêtes GET ou POST à {url} (protocole SPARQL 1.1). Limites : {timeout} s par requête, "
    "{rows} lignes, {per_client} requêtes simultanées par client.",
    "Federated queries (SERVICE) may only call these endpoints:": "Les requêtes fédérées (SERVICE) ne peuvent appeler que ces points d'accès :",
    "Federated queries (SERVICE) are disabled on this catalogue.": "Les requêtes fédérées (SERVICE) sont désactivées sur ce catalogue.",
    "Load this example": "Charger cet exemple",
    "Keyboard: Ctrl+Enter runs the query.": "Clavier : Ctrl+Entrée exécute la requête.",
    "The default graph is the union of the record graphs. Shared resources (publishers, access bodies) "
    "are repeated in every record that cites them: use DISTINCT.": "Le graphe par défaut est l'union des graphes des fiches. Les ressources partagées (producteurs, "
    "organismes d'accès) sont répétées dans chaque fiche qui les cite : utilisez DISTINCT.",
    "language": "langue",
    "datatype": "type",
    # examples
    "Datasets per health category": "Jeux de données par catégorie de santé",
    "Publishers and their datasets": "Producteurs et leurs jeux de données",
    "ICD-10 coded datasets covering more than a million people": "Jeux de données codés en CIM-10 couvrant plus d'un million de personnes",
    "Datasets by access rights": "Jeux de données par droits d'accès",
    "Restricted datasets and their health data access body": "Jeux de données à accès restreint et leur organisme d'accès aux données de santé",
    "Keyword search": "Recherche par mot-clé",
    "Recently modified datasets": "Jeux de données modifiés récemment",
    "Distribution formats": "Formats des distributions",
    "Federated: health datasets on data.europa.eu": "Fédérée : jeux de données de santé sur data.europa.eu",
    "Needs https://data.europa.eu/sparql in the setting federation_allow.": "Nécessite https://data.europa.eu/sparql dans le paramètre federation_allow.",
}
i18n.FRENCH.update({k: v for k, v in FRENCH.items() if k not in i18n.FRENCH})

PREFIX_BLOCK = "\n".join(
    f"PREFIX {name}: <{DEFAULT_PREFIXES[name]}>"
    for name in ("dcat", "dct", "foaf", "skos", "healthdcatap", "dcatap", "dpv", "vcard", "xsd", "rdfs", "adms")
)

# key -> (title, query body). The body's {lang} is the page language; PREFIX_BLOCK goes first.
EXAMPLES: dict[str, tuple[str, str]] = {
    "categories": (
        "Datasets per health category",
        """
SELECT ?category (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?dataset) AS ?datasets)
WHERE {
  ?dataset a dcat:Dataset ;
           healthdcatap:healthCategory ?category .
  OPTIONAL { ?category skos:prefLabel ?name FILTER(LANGMATCHES(LANG(?name), "{lang}")) }
}
GROUP BY ?category
ORDER BY DESC(?datasets)""",
    ),
    "publishers": (
        "Publishers and their datasets",
        """
SELECT ?publisher (SAMPLE(?name) AS ?publisherName) ?datasets
WHERE {
  {
    SELECT ?publisher (COUNT(DISTINCT ?dataset) AS ?datasets)
    WHERE { ?dataset a dcat:Dataset ; dct:publisher ?publisher }
    GROUP BY ?publisher
  }
  OPTIONAL { ?publisher foaf:name ?name FILTER(LANGMATCHES(LANG(?name), "{lang}")) }
}
GROUP BY ?publisher ?datasets
ORDER BY DESC(?datasets)""",
    ),
    "icd10": (
        "ICD-10 coded datasets covering more than a million people",
        """
SELECT DISTINCT ?dataset ?title ?individuals
WHERE {
  ?dataset a dcat:Dataset ;
           healthdcatap:hasCodingSystem <https://hdeu-dcat.data.health.europa.eu/resource/authority/coding-system/ICD-10> ;
           healthdcatap:numberOfUniqueIndividuals ?individuals .
  FILTER(?individuals > 1000000)
  OPTIONAL { ?dataset dct:title ?title FILTER(LANGMATCHES(LANG(?title), "{lang}")) }
}
ORDER BY DESC(?individuals)""",
    ),
    "access": (
        "Datasets by access rights",
        """
SELECT ?accessRights (COUNT(DISTINCT ?dataset) AS ?datasets)
WHERE {
  ?dataset a dcat:Dataset ;
           dct:accessRights ?accessRights .
}
GROUP BY ?accessRights
ORDER BY DESC(?datasets)""",
    ),
    "hdab": (
        "Restricted datasets and their health data access body",
        """
SELECT ?dataset ?title ?access ?hdab ?hdabName
WHERE {
  # each access body once, with its name: an agent is copied into every record that cites it
  { SELECT DISTINCT ?hdab WHERE { ?anyDataset healthdcatap:hdab ?hdab } }
  OPTIONAL {
    SELECT ?hdab (SAMPLE(?name) AS ?hdabName)
    WHERE { ?hdab foaf:name ?name FILTER(LANGMATCHES(LANG(?name), "{lang}")) }
    GROUP BY ?hdab
  }
  VALUES ?access { <http://publications.europa.eu/resource/authority/access-right/RESTRICTED>
                   <http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC> }
  ?dataset healthdcatap:hdab ?hdab ;
           dct:accessRights ?access .
  OPTIONAL { ?dataset dct:title ?title FILTER(LANGMATCHES(LANG(?title), "{lang}")) }
}
LIMIT 200""",
    ),
    "keyword": (
        "Keyword search",
        """
SELECT DISTINCT ?dataset ?title ?keyword
WHERE {
  ?dataset a dcat:Dataset ;
           dcat:keyword ?keyword .
  FILTER(CONTAINS(LCASE(STR(?keyword)), "cancer"))
  OPTIONAL { ?dataset dct:title ?title FILTER(LANGMATCHES(LANG(?title), "{lang}")) }
}
ORDER BY ?title
LIMIT 100""",
    ),
    "recent": (
        "Recently modified datasets",
        """
SELECT DISTINCT ?dataset ?title ?modified
WHERE {
  ?dataset a dcat:Dataset ;
           dct:modified ?modified .
  OPTIONAL { ?dataset dct:title ?title FILTER(LANGMATCHES(LANG(?title), "{lang}")) }
}
ORDER BY DESC(?modified)
LIMIT 20""",
    ),
    "formats": (
        "Distribution formats",
        """
SELECT ?format (COUNT(DISTINCT ?distribution) AS ?distributions)
WHERE {
  ?dataset a dcat:Dataset ;
           dcat:distribution ?distribution .
  ?distribution dct:format ?format .
}
GROUP BY ?format
ORDER BY DESC(?distributions)""",
    ),
    "federated": (
        "Federated: health datasets on data.europa.eu",
        """
# Needs https://data.europa.eu/sparql in the setting federation_allow.
SELECT ?dataset ?title
WHERE {
  SERVICE <https://data.europa.eu/sparql> {
    ?dataset a dcat:Dataset ;
             dcat:theme <http://publications.europa.eu/resource/authority/data-theme/HEAL> ;
             dct:title ?title .
    FILTER(LANGMATCHES(LANG(?title), "{lang}"))
  }
}
LIMIT 20""",
    ),
}
DEFAULT_EXAMPLE = "categories"


def example_query(key: str, lang: str) -> str:
    _title, body = EXAMPLES[key]
    return PREFIX_BLOCK + "\n" + body.replace("{lang}", lang)
