"""The query guard: everything checked on a SPARQL query BEFORE the engine sees it.

pyoxigraph cannot parse a query without running it, has no query timeout, and crashes on a
10 KB query with ~5,000 nested parentheses. So the endpoint reads the query itself first,
with a small lexer that knows SPARQL's strings, IRIs, comments, prefixed names and variables:

* size: at most `settings.sparql_max_query_bytes` bytes (400);
* nesting: at most `settings.sparql_max_depth` levels of ( [ { and << (400);
* read-only: the query form must be SELECT, CONSTRUCT, DESCRIBE or ASK, and no update
  keyword (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY, WITH) may appear
  outside strings, IRIs and comments (403). The engine is only ever called with
  `Store.query` on a read-only store, so an update could not run anyway: this gives a clear
  answer instead of a syntax error;
* federation: every SERVICE target must be an absolute IRI listed exactly in
  `settings.federation_allow` (403). Variables, relative IRIs, unknown prefixes and prefixed
  names expanding to an IRI not on the list are refused, before anything is executed.

Agreeing with the engine on where tokens start and end is what makes the SERVICE check sound.
Three differences between a plain lexer and pyoxigraph's PEG parser are closed here:

1. `<` is an IRI or the less-than operator depending on the grammar. The text handed to the
   engine is *rewritten*: inside every IRI, `#` and `'` become `\\u0023` and `\\u0027` (the
   engine decodes these escapes inside IRIs, so the IRI is unchanged). If the engine reads that
   `<` as an operator instead, it meets a backslash and stops with a syntax error; it can never
   start a comment or a string there that the guard did not see.
2. pyoxigraph matches keywords without a word boundary: `SERVICE:x`, `SERVICEex:x` and
   `trueSERVICE <...>` all call a service. Any word or prefix that contains "service" other than
   the keyword itself is refused, and so is a word glued to SILENT after SERVICE.
3. The engine treats `\\uXXXX` escapes inside IRIs and strings only (not in keywords): the guard
   decodes them in IRIs when it compares a SERVICE target with the allow-list.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import CatalogueError, Forbidden

# The prefixes every query may use without declaring them (also pre-declared in the editor).
DEFAULT_PREFIXES: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "healthdcatap": "http://healthdataportal.eu/ns/health#",
    "dcatap": "http://data.europa.eu/r5r/",
    "dpv": "https://w3id.org/dpv#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "adms": "http://www.w3.org/ns/adms#",
    "owl": "http://www.w3.org/2002/07/owl#",
}

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)
OPENERS = {"(": ")", "[": "]", "{": "}"}


class QueryRejected(CatalogueError):
    """The query is too long, too deep, or cannot be read safely (400)."""

    http_status = 400


class UpdateRefused(Forbidden):
    """The endpoint is read-only (403)."""


class FederationRefused(Forbidden):
    """A SERVICE target is not on the allow-list (403)."""


# --- the lexer -------------------------------------------------------------------------------

_HEX = "[0-9A-Fa-f]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_PN_CHARS_BASE = (
    r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
    r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
)
_VAR_CHARS = _PN_CHARS_BASE + r"_0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PN_CHARS = _VAR_CHARS + r"\-"
_PLX = rf"%{_HEX}{{2}}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_LOCAL = rf"(?:[{_PN_CHARS}:]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            rf"(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\""
            r"|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")",
            rf"(?P<var>[?$][{_VAR_CHARS}]+)",
            r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)",
            rf"(?P<bnode>_:[{_PN_CHARS}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            rf"(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)",
            r"(?P<number>(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))",
            rf"(?P<word>[{_PN_CHARS_BASE}_][{_PN_CHARS}]*)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|\S)",
        ]
    ),
    re.DOTALL,
)
_UNESCAPE = re.compile(_UCHAR)
_PLX_ESCAPE = re.compile(r"\\(.)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, langtag, bnode, pname, number, word, punct
    text: str
    start: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def tokenize(text: str) -> list[Token]:
    """The significant tokens of `text` (whitespace and comments dropped)."""
    tokens: list[Token] = []
    pos, end = 0, len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        kind = match.lastgroup
        if kind == "punct" and match.group() in "'\"":
            raise QueryRejected(
                f"Unterminated string starting at {_position(text, pos)}.",
                f"Chaîne de caractères non terminée à partir de {_position(text, pos)}.",
            )
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def decode_iri(token_text: str) -> str:
    """The IRI an IRIREF token denotes (its \\u escapes decoded), without the angle brackets."""
    body = token_text[1:-1]
    return _UNESCAPE.sub(lambda m: chr(int(m.group()[2:], 16)), body)


def _armour_iri(token_text: str) -> str:
    body = token_text[1:-1].replace("#", "\\u0023").replace("'", "\\u0027")
    return f"<{body}>"


# --- the checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    target: str  # the IRI (or the variable, for a refused one)
    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class GuardedQuery:
    """A query that passed the guard: its form and the text to hand to the engine."""

    text: str  # rewritten (IRIs armoured); same meaning as the original
    original: str
    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    services: tuple[str, ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict)
    has_dataset: bool = False  # FROM / FROM NAMED in the query: its own dataset, not the union

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def check_size(text: str, max_bytes: int) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryRejected(
            f"The query is {size:,} bytes long; this endpoint accepts at most {max_bytes:,} bytes.",
            f"La requête fait {size:,} octets ; ce point d'accès en accepte au plus {max_bytes:,}.".replace(",", " "),
        )


def check_depth(tokens: Iterable[Token], max_depth: int, text: str = "") -> int:
    """The deepest nesting of ( [ { and << >>; refuses past `max_depth`."""
    depth = deepest = 0
    previous: Token | None = None
    for token in tokens:
        t = token.text
        if token.kind == "punct":
            adjacent = previous is not None and previous.kind == "punct" and previous.start + 1 == token.start
            if t in OPENERS or (t == "<" and adjacent and previous.text == "<"):
                depth += 1
                if depth > max_depth:
                    raise QueryRejected(
                        f"The query nests brackets more than {max_depth} levels deep (at {_position(text, token.start)}); "
                        "simplify it.",
                        f"La requête imbrique des parenthèses ou accolades sur plus de {max_depth} niveaux "
                        f"(à {_position(text, token.start)}) ; simplifiez-la.",
                    )
                deepest = max(deepest, depth)
            elif t in ")]}" or (t == ">" and adjacent and previous.text == ">"):
                depth = max(0, depth - 1)
        previous = token
    return deepest


def _refuse_update(word: str) -> UpdateRefused:
    return UpdateRefused(
        f"This SPARQL endpoint is read-only: {word} is not allowed. Only SELECT, CONSTRUCT, DESCRIBE "
        "and ASK queries are answered.",
        f"Ce point d'accès SPARQL est en lecture seule : {word} n'est pas autorisé. Seules les requêtes "
        "SELECT, CONSTRUCT, DESCRIBE et ASK sont acceptées.",
    )


def query_form(tokens: list[Token]) -> str:
    """The query form after the prologue (BASE, PREFIX, VERSION); refuses updates."""
    i = 0
    while i < len(tokens):
        word = tokens[i].upper if tokens[i].kind == "word" else ""
        if word == "PREFIX":
            i += 3
        elif word in ("BASE", "VERSION"):
            i += 2
        else:
            break
    if i >= len(tokens):
        raise QueryRejected("The query is empty.", "La requête est vide.")
    first = tokens[i]
    if first.kind == "word" and first.upper in QUERY_FORMS:
        return first.upper
    if first.kind == "word" and first.upper in UPDATE_KEYWORDS:
        raise _refuse_update(first.upper)
    raise QueryRejected(
        f"Expected SELECT, CONSTRUCT, DESCRIBE or ASK, found {first.text[:40]!r}.",
        f"SELECT, CONSTRUCT, DESCRIBE ou ASK attendu, trouvé {first.text[:40]!r}.",
    )


def _is_private_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def _service_refusal(target: str, reason_en: str, reason_fr: str) -> FederationRefused:
    return FederationRefused(
        f"SERVICE {target} refused: {reason_en} Federated queries may only call the endpoints this "
        "catalogue allows (setting federation_allow).",
        f"SERVICE {target} refusé : {reason_fr} Les requêtes fédérées ne peuvent appeler que les points "
        "d'accès autorisés par ce catalogue (paramètre federation_allow).",
    )


def check_service_target(iri: str, allow: Iterable[str]) -> None:
    """Refuse `iri` unless it is listed exactly in `allow`."""
    allowed = {a.strip() for a in allow if a and a.strip()}
    if iri in allowed:
        return
    shown = f"<{iri}>"
    if not _SCHEME.match(iri):
        raise _service_refusal(
            shown, "a relative IRI is not an endpoint.", "une IRI relative n'est pas un point d'accès."
        )
    parts = urlsplit(iri)
    if parts.scheme.lower() not in ("http", "https"):
        raise _service_refusal(
            shown,
            "only http and https endpoints can be called.",
            "seuls les points d'accès http et https peuvent être appelés.",
        )
    try:
        host = parts.hostname or ""
    except ValueError:
        host = ""
    if _is_private_host(host):
        raise _service_refusal(
            shown,
            "private and loopback addresses are never called.",
            "les adresses privées et locales ne sont jamais appelées.",
        )
    raise _service_refusal(
        shown, "this endpoint is not on the allow-list.", "ce point d'accès ne figure pas dans la liste autorisée."
    )


def _glued(token: Token, word: str) -> bool:
    """A word or prefixed name the engine could split so that it starts or contains `word`."""
    if token.kind == "word":
        return word in token.text.lower() and token.upper != word.upper()
    if token.kind == "pname":
        return word in token.text.split(":", 1)[0].lower()
    if token.kind == "langtag":
        return word in token.text.lower()
    return False


def _expand(token: Token, prefixes: dict[str, str]) -> str:
    prefix, _, local = token.text.partition(":")
    if prefix not in prefixes:
        raise _service_refusal(
            token.text,
            f"the prefix {prefix or '(empty)'}: is not declared.",
            f"le préfixe {prefix or '(vide)'}: n'est pas déclaré.",
        )
    return prefixes[prefix] + _PLX_ESCAPE.sub(r"\1", local)


def check_services(tokens: list[Token], prefixes: dict[str, str], allow: Iterable[str]) -> list[str]:
    """Every SERVICE target, each checked against the allow-list; refuses the first bad one."""
    allow = tuple(allow)
    prefixes = dict(prefixes)
    targets: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "word" and token.upper == "PREFIX" and i + 2 < len(tokens):
            name, value = tokens[i + 1], tokens[i + 2]
            if name.kind == "pname" and name.text.endswith(":") and value.kind == "iri":
                prefixes[name.text[:-1]] = decode_iri(value.text)
        if _glued(token, "service"):
            raise FederationRefused(
                f"{token.text[:60]!r} is ambiguous: the engine could read a SERVICE keyword in it. Rename "
                "the prefix or variable, or separate the words with a space.",
                f"{token.text[:60]!r} est ambigu : le moteur pourrait y lire le mot-clé SERVICE. Renommez le "
                "préfixe ou la variable, ou séparez les mots par une espace.",
            )
        if token.kind == "word" and token.upper == "SERVICE":
            j = i + 1
            if j < len(tokens) and tokens[j].kind == "word" and tokens[j].upper == "SILENT":
                j += 1
            elif j < len(tokens) and (_glued(tokens[j], "silent") or tokens[j].text.lower().startswith("silent")):
                raise _service_refusal(
                    tokens[j].text[:60],
                    "write SILENT and the endpoint as separate words.",
                    "écrivez SILENT et le point d'accès séparément.",
                )
            target = tokens[j] if j < len(tokens) else None
            if target is None:
                raise _service_refusal("", "no endpoint follows SERVICE.", "aucun point d'accès ne suit SERVICE.")
            if target.kind == "var":
                raise _service_refusal(
                    target.text,
                    "the endpoint must be written as an IRI, not given by a variable.",
                    "le point d'accès doit être écrit comme une IRI, pas donné par une variable.",
                )
            if target.kind == "iri":
                iri = decode_iri(target.text)
            elif target.kind == "pname":
                iri = _expand(target, prefixes)
            else:
                raise _service_refusal(
                    target.text[:60], "the endpoint must be an IRI.", "le point d'accès doit être une IRI."
                )
            following = tokens[j + 1] if j + 1 < len(tokens) else None
            if following is None or following.text != "{":
                raise _service_refusal(
                    f"<{iri}>",
                    "a group { ... } must follow the endpoint.",
                    "un groupe { ... } doit suivre le point d'accès.",
                )
            check_service_target(iri, allow)
            targets.append(iri)
            i = j
        i += 1
    return targets


def guard(
    text: str,
    *,
    max_bytes: int = 20_000,
    max_depth: int = 64,
    federation_allow: Iterable[str] = (),
    prefixes: dict[str, str] | None = None,
) -> GuardedQuery:
    """Check `text` (size, depth, read-only, SERVICE targets) and return what the engine may run."""
    if not isinstance(text, str) or not text.strip():
        raise QueryRejected("The query is empty.", "La requête est vide.")
    check_size(text, max_bytes)
    if "\x00" in text:
        raise QueryRejected("The query contains a NUL character.", "La requête contient un caractère NUL.")
    tokens = tokenize(text)
    check_depth(tokens, max_depth, text)
    for token in tokens:
        if token.kind == "word" and token.upper in UPDATE_KEYWORDS:
            raise _refuse_update(token.upper)
    form = query_form(tokens)
    base_prefixes = dict(DEFAULT_PREFIXES if prefixes is None else prefixes)
    services = check_services(tokens, base_prefixes, federation_allow)
    return GuardedQuery(
        text=armour(text, tokens),
        original=text,
        form=form,
        services=tuple(services),
        prefixes=base_prefixes,
        has_dataset=any(t.kind == "word" and t.upper == "FROM" for t in tokens),
    )


def armour(text: str, tokens: list[Token]) -> str:
    """`text` with `#` and `'` inside IRIs written as \\u escapes (see the module's note 1)."""
    pieces: list[str] = []
    last = 0
    for token in tokens:
        if token.kind == "iri" and ("#" in token.text or "'" in token.text):
            pieces.append(text[last : token.start])
            pieces.append(_armour_iri(token.text))
            last = token.start + len(token.text)
    pieces.append(text[last:])
    return "".join(pieces)
