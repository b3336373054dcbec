"""French and English labels of the DCAT-AP / HealthDCAT-AP properties and classes.

Used by the validation report: "dct:title (titre)" / "dct:title (title)". Properties not
listed here fall back to the shape's sh:name, then to the prefixed name alone.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

from catalogue.vocab import PREFIXES

EXTRA_PREFIXES = {
    "csvw": Namespace("http://www.w3.org/ns/csvw#"),
    "time": Namespace("http://www.w3.org/2006/time#"),
    "eli": Namespace("http://data.europa.eu/eli/ontology#"),
    "sh": Namespace("http://www.w3.org/ns/shacl#"),
    "oa": Namespace("http://www.w3.org/ns/oa#"),
    "schema": Namespace("http://schema.org/"),
}
_NAMESPACES = sorted(
    ((prefix, str(ns)) for prefix, ns in {**PREFIXES, **EXTRA_PREFIXES}.items()),
    key=lambda item: -len(item[1]),
)

# prefixed name -> (fr, en)
PROPERTY_LABELS = {
    "dct:title": ("titre", "title"),
    "dct:description": ("description", "description"),
    "dct:identifier": ("identifiant", "identifier"),
    "dct:accessRights": ("droits d'accès", "access rights"),
    "dct:publisher": ("éditeur", "publisher"),
    "dct:creator": ("créateur", "creator"),
    "dct:issued": ("date de publication", "release date"),
    "dct:modified": ("date de modification", "modification date"),
    "dct:language": ("langue", "language"),
    "dct:license": ("licence", "licence"),
    "dct:rights": ("droits", "rights"),
    "dct:spatial": ("couverture géographique", "geographical coverage"),
    "dct:temporal": ("couverture temporelle", "temporal coverage"),
    "dct:type": ("type", "type"),
    "dct:conformsTo": ("norme de référence", "conforms to"),
    "dct:provenance": ("provenance", "provenance"),
    "dct:accrualPeriodicity": ("fréquence de mise à jour", "frequency"),
    "dct:format": ("format", "format"),
    "dct:source": ("source", "source"),
    "dct:relation": ("ressource liée", "related resource"),
    "dct:isReferencedBy": ("référencé par", "is referenced by"),
    "dct:hasVersion": ("a pour version", "has version"),
    "dct:alternative": ("titre alternatif", "alternative title"),
    "dct:hasPart": ("comprend", "has part"),
    "dct:isPartOf": ("fait partie de", "is part of"),
    "dcat:distribution": ("distribution", "distribution"),
    "dcat:theme": ("thème", "theme"),
    "dcat:keyword": ("mot-clé", "keyword"),
    "dcat:contactPoint": ("point de contact", "contact point"),
    "dcat:landingPage": ("page d'accueil", "landing page"),
    "dcat:accessURL": ("URL d'accès", "access URL"),
    "dcat:downloadURL": ("URL de téléchargement", "download URL"),
    "dcat:mediaType": ("type de média", "media type"),
    "dcat:byteSize": ("taille en octets", "byte size"),
    "dcat:compressFormat": ("format de compression", "compression format"),
    "dcat:packageFormat": ("format d'empaquetage", "packaging format"),
    "dcat:endpointURL": ("URL du point d'accès", "endpoint URL"),
    "dcat:endpointDescription": ("description du point d'accès", "endpoint description"),
    "dcat:servesDataset": ("jeu de données servi", "serves dataset"),
    "dcat:accessService": ("service d'accès", "access service"),
    "dcat:inSeries": ("série", "in series"),
    "dcat:version": ("version", "version"),
    "dcat:hasVersion": ("a pour version", "has version"),
    "dcat:temporalResolution": ("résolution temporelle", "temporal resolution"),
    "dcat:spatialResolutionInMeters": ("résolution spatiale (m)", "spatial resolution (m)"),
    "dcat:startDate": ("date de début", "start date"),
    "dcat:endDate": ("date de fin", "end date"),
    "dcat:bbox": ("emprise", "bounding box"),
    "dcat:centroid": ("centroïde", "centroid"),
    "dcat:qualifiedRelation": ("relation qualifiée", "qualified relation"),
    "dcat:hadRole": ("rôle", "role"),
    "dcat:record": ("fiche de catalogue", "catalogue record"),
    "dcat:dataset": ("jeu de données", "dataset"),
    "dcat:service": ("service de données", "data service"),
    "dcat:catalog": ("catalogue", "catalogue"),
    "dcat:themeTaxonomy": ("taxonomie des thèmes", "theme taxonomy"),
    "dcatap:applicableLegislation": ("législation applicable", "applicable legislation"),
    "dcatap:availability": ("disponibilité", "availability"),
    "dcatap:hvdCategory": ("catégorie de données à forte valeur", "HVD category"),
    "adms:identifier": ("autre identifiant", "other identifier"),
    "adms:sample": ("échantillon", "sample"),
    "adms:status": ("statut", "status"),
    "adms:versionNotes": ("notes de version", "version notes"),
    "adms:schemaAgency": ("agence d'identification", "schema agency"),
    "foaf:page": ("documentation", "documentation"),
    "foaf:name": ("nom", "name"),
    "foaf:homepage": ("site web", "homepage"),
    "foaf:mbox": ("adresse électronique", "email"),
    "foaf:primaryTopic": ("sujet principal", "primary topic"),
    "prov:qualifiedAttribution": ("attribution qualifiée", "qualified attribution"),
    "prov:wasGeneratedBy": ("généré par", "was generated by"),
    "prov:agent": ("agent", "agent"),
    "odrl:hasPolicy": ("politique d'usage", "policy"),
    "spdx:checksum": ("somme de contrôle", "checksum"),
    "spdx:algorithm": ("algorithme", "algorithm"),
    "spdx:checksumValue": ("valeur de contrôle", "checksum value"),
    "skos:prefLabel": ("libellé", "preferred label"),
    "skos:notation": ("notation", "notation"),
    "vcard:hasEmail": ("adresse électronique", "email address"),
    "vcard:hasURL": ("page de contact", "contact page"),
    "vcard:fn": ("nom", "formatted name"),
    "locn:geometry": ("géométrie", "geometry"),
    "time:hasBeginning": ("début", "beginning"),
    "time:hasEnd": ("fin", "end"),
    "rdf:type": ("type (classe)", "type (class)"),
    "healthdcatap:healthCategory": ("catégorie de santé", "health category"),
    "healthdcatap:healthTheme": ("thème de santé", "health theme"),
    "healthdcatap:hdab": ("organisme d'accès aux données de santé", "health data access body"),
    "healthdcatap:hdabCoordinator": ("coordinateur des organismes d'accès", "HDAB coordinator"),
    "healthdcatap:hasStructuredData": ("données structurées", "structured data"),
    "healthdcatap:hasVariables": ("variables", "variables"),
    "healthdcatap:analytics": ("analyses", "analytics"),
    "healthdcatap:hasCodeValues": ("valeurs de code", "code values"),
    "healthdcatap:hasCodingSystem": ("système de codage", "coding system"),
    "healthdcatap:minTypicalAge": ("âge minimal typique", "minimum typical age"),
    "healthdcatap:maxTypicalAge": ("âge maximal typique", "maximum typical age"),
    "healthdcatap:numberOfRecords": ("nombre d'enregistrements", "number of records"),
    "healthdcatap:numberOfUniqueIndividuals": ("nombre d'individus distincts", "number of unique individuals"),
    "healthdcatap:populationCoverage": ("population couverte", "population coverage"),
    "healthdcatap:retentionPeriod": ("durée de conservation", "retention period"),
    "healthdcatap:publishertype": ("type d'éditeur", "publisher type"),
    "healthdcatap:publishernote": ("note sur l'éditeur", "publisher note"),
    "healthdcatap:trustedDataHolder": ("détenteur de données de confiance", "trusted data holder"),
    "geodcatap:custodian": ("détenteur des données", "custodian (data holder)"),
    "dpv:hasPurpose": ("finalité", "purpose"),
    "dpv:hasLegalBasis": ("base légale", "legal basis"),
    "dpv:hasPersonalData": ("données personnelles", "personal data"),
    "dqv:hasQualityAnnotation": ("annotation de qualité", "quality annotation"),
    "cv:contactPoint": ("point de contact", "contact point"),
    "cv:email": ("adresse électronique", "email"),
    "cv:contactPage": ("page de contact", "contact page"),
    "cv:telephone": ("téléphone", "telephone"),
    "cv:openingHours": ("horaires", "opening hours"),
    "cv:specialOpeningHoursSpecification": ("horaires exceptionnels", "special opening hours"),
    "cv:frequency": ("fréquence", "frequency"),
    "csvw:table": ("table", "table"),
    "csvw:column": ("colonne", "column"),
    "csvw:name": ("nom", "name"),
    "csvw:title": ("titre", "title"),
    "csvw:datatype": ("type de données", "datatype"),
    "csvw:url": ("URL", "URL"),
    "csvw:propertyUrl": ("URL de propriété", "property URL"),
}

CLASS_LABELS = {
    "dcat:Dataset": ("jeu de données", "dataset"),
    "dcat:DatasetSeries": ("série de jeux de données", "dataset series"),
    "dcat:DataService": ("service de données", "data service"),
    "dcat:Distribution": ("distribution", "distribution"),
    "dcat:Catalog": ("catalogue", "catalogue"),
    "dcat:CatalogRecord": ("fiche de catalogue", "catalogue record"),
    "dcat:Relationship": ("relation", "relationship"),
    "foaf:Agent": ("agent", "agent"),
    "foaf:Organization": ("organisation", "organisation"),
    "vcard:Kind": ("point de contact", "contact point"),
    "vcard:Organization": ("point de contact", "contact point"),
    "cv:ContactPoint": ("point de contact", "contact point"),
    "dct:PeriodOfTime": ("période", "period of time"),
    "dct:Location": ("lieu", "location"),
    "dct:LicenseDocument": ("licence", "licence"),
    "dct:RightsStatement": ("déclaration de droits", "rights statement"),
    "dct:ProvenanceStatement": ("déclaration de provenance", "provenance statement"),
    "dct:Standard": ("norme", "standard"),
    "adms:Identifier": ("identifiant", "identifier"),
    "spdx:Checksum": ("somme de contrôle", "checksum"),
    "skos:Concept": ("concept", "concept"),
    "time:TemporalEntity": ("période", "temporal entity"),
    "csvw:TableGroup": ("groupe de tables", "table group"),
    "csvw:Table": ("table", "table"),
    "csvw:Column": ("colonne", "column"),
    "prov:Activity": ("activité", "activity"),
    "prov:Attribution": ("attribution", "attribution"),
    "dpv:Purpose": ("finalité", "purpose"),
    "dpv:LegalBasis": ("base légale", "legal basis"),
    "dqv:QualityCertificate": ("certificat de qualité", "quality certificate"),
}


def curie(iri) -> str:
    """Prefixed name of an IRI when a known namespace matches, else the IRI in <>."""
    text = str(iri)
    for prefix, ns in _NAMESPACES:
        if text.startswith(ns) and len(text) > len(ns):
            local = text[len(ns) :]
            if all(c.isalnum() or c in "_-." for c in local):
                return f"{prefix}:{local}"
    return f"<{text}>"


def property_label(iri, lang: str) -> str | None:
    labels = PROPERTY_LABELS.get(curie(iri))
    return labels[0 if lang == "fr" else 1] if labels else None


def class_label(iri, lang: str) -> str | None:
    labels = CLASS_LABELS.get(curie(iri))
    return labels[0 if lang == "fr" else 1] if labels else None


def is_iri(node) -> bool:
    return isinstance(node, URIRef)
