"""The report of a harvest run, and the history of runs kept in the store.

A report says what a run did: pages fetched (and which ones answered 304), records added,
updated, unchanged, rejected (each with its validation report or refusal message), withdrawn
and deleted, duplicates found in other sources, and every error with its URL. The history
lives in the store graph `<base>/harvest/runs` (one node per run, the report as JSON), so
the CLI, the admin page and a remote store all see the same runs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from ..store.base import iri
from ..vocab import RDF, XSD
from .sources import HV, harvest_iri

# Lists in a stored report are cut at this length (the counts stay exact).
MAX_LISTED = 1000
# Runs kept per source; older ones are dropped when a new one is saved.
KEEP_RUNS = 100
STATUSES = ("success", "partial", "failed")
RUN_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,80}$")
COUNTED = ("added", "updated", "unchanged", "rejected", "withdrawn", "deleted")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def new_run_id(now: dt.datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass
class RunReport:
    id: str
    source: str
    source_type: str
    url: str
    started: dt.datetime
    finished: dt.datetime | None = None
    status: str = "failed"  # success | partial | failed
    dry_run: bool = False
    complete: bool = False  # every page was read: disappeared records were handled
    pages: list[dict] = field(default_factory=list)  # {url, status (200/304/"error"), records}
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # {iri, error, error_fr, report}
    withdrawn: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)  # {identifier, record, other_record, other_source}
    errors: list[dict] = field(default_factory=list)  # {url, message_en, message_fr}

    # --- building ----------------------------------------------------------------------------
    def count(self, kind: str, item=None) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if item is not None:
            listed = getattr(self, kind)
            if len(listed) < MAX_LISTED:
                listed.append(item)

    def error(self, url: str, exc) -> None:
        describe = getattr(exc, "describe", None)
        en = exc.message_en if hasattr(exc, "message_en") else str(exc)
        fr = exc.message_fr if hasattr(exc, "message_fr") else (describe("fr") if describe else str(exc))
        self.errors.append({"url": url, "message_en": en, "message_fr": fr})

    @property
    def pages_fetched(self) -> int:
        return sum(1 for p in self.pages if p.get("status") != "error")

    def summary(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "status": self.status,
            "dry_run": self.dry_run,
            "complete": self.complete,
            "pages": self.pages_fetched,
            "counts": dict(self.counts),
            "errors": len(self.errors),
            "duplicates": len(self.duplicates),
        }

    def to_dict(self) -> dict:
        data = asdict(self)
        data["started"], data["finished"] = _iso(self.started), _iso(self.finished)
        data["pages_fetched"] = self.pages_fetched
        return data

    @classmethod
    def from_dict(cls, data: dict) -> RunReport:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["started"], known["finished"] = _parse(data.get("started")), _parse(data.get("finished"))
        return cls(**known)

    # --- text -------------------------------------------------------------------------------------
    def format_text(self, lang: str = "en", *, details: bool = True) -> str:
        fr = lang == "fr"
        c = self.counts
        status = {"success": "réussie", "partial": "partielle", "failed": "échouée"}.get(self.status, self.status)
        lines = [
            (
                f"Collecte {self.id} de « {self.source} » : {status}"
                if fr
                else f"Run {self.id} of '{self.source}': {self.status}"
            )
            + (" (dry run)" if self.dry_run and not fr else " (simulation)" if self.dry_run else ""),
            (
                f"  pages lues : {self.pages_fetched} ; fiches ajoutées {c['added']}, modifiées {c['updated']}, "
                f"inchangées {c['unchanged']}, rejetées {c['rejected']}, retirées {c['withdrawn']}, "
                f"supprimées {c['deleted']} ; doublons {len(self.duplicates)} ; erreurs {len(self.errors)}"
            )
            if fr
            else (
                f"  pages fetched: {self.pages_fetched}; records added {c['added']}, updated {c['updated']}, "
                f"unchanged {c['unchanged']}, rejected {c['rejected']}, withdrawn {c['withdrawn']}, "
                f"deleted {c['deleted']}; duplicates {len(self.duplicates)}; errors {len(self.errors)}"
            ),
        ]
        if not details:
            return "\n".join(lines)
        for error in self.errors:
            lines.append(
                f"  {'erreur' if fr else 'error'} {error['url']}: {error['message_fr'] if fr else error['message_en']}"
            )
        for item in self.rejected:
            message = item.get("error_fr" if fr else "error") or ""
            lines.append(f"  {'rejetée' if fr else 'rejected'} {item['iri']}: {message}")
            for problem in _report_lines(item.get("report"), lang):
                lines.append(f"      {problem}")
        for kind, label_en, label_fr in (
            ("added", "added", "ajoutée"),
            ("updated", "updated", "modifiée"),
            ("withdrawn", "withdrawn", "retirée"),
            ("deleted", "deleted", "supprimée"),
        ):
            for item in getattr(self, kind):
                lines.append(f"  {label_fr if fr else label_en} {item}")
        for dup in self.duplicates:
            lines.append(
                f"  {'doublon' if fr else 'duplicate'} {dup['identifier']!r}: {dup['record']} ~ "
                f"{dup['other_record']} ({dup['other_source']})"
            )
        return "\n".join(lines)


def _report_lines(report: dict | None, lang: str) -> list[str]:
    """Readable lines from a validation report dict (catalogue.validation.Report.to_dict())."""
    if not report:
        return []
    fr = lang == "fr"
    words = {"violation": "violation", "warning": "avertissement", "info": "information"} if fr else {}
    out = []
    for problem in report.get("problems") or []:
        if not isinstance(problem, dict):
            continue
        where = (problem.get("focus_node_fr") if fr else None) or problem.get("focus_node") or ""
        label = problem.get("property_label_fr" if fr else "property_label_en") or problem.get("path") or ""
        message = problem.get("message_fr" if fr else "message_en") or ""
        severity = problem.get("severity", "")
        out.append(f"[{words.get(severity, severity)}] {where}{' — ' + label if label else ''}: {message}")
    return out


class RunHistory:
    def __init__(self, store, base_iri: str):
        self.store = store
        self.base_iri = base_iri
        self.graph = harvest_iri(base_iri, "runs")

    def _node(self, run_id: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.graph}/{run_id}")

    def save(self, report: RunReport) -> None:
        node = self._node(report.id)

        def when(value):
            return ox.Literal(_iso(value), datatype=ox.NamedNode(str(XSD.dateTime)))

        triples = [
            (RDF.type, ox.NamedNode(str(HV.Run))),
            (HV.source, ox.Literal(report.source)),
            (HV.started, when(report.started)),
            (HV.finished, when(report.finished or report.started)),
            (HV.status, ox.Literal(report.status)),
            (HV.summary, ox.Literal(json.dumps(report.summary(), ensure_ascii=False))),
            (HV.report, ox.Literal(json.dumps(report.to_dict(), ensure_ascii=False))),
        ]
        body = "\n".join(f"{node} {ox.NamedNode(str(p))} {o} ." for p, o in triples)
        self.store.update(f"INSERT DATA {{ GRAPH {iri(self.graph)} {{\n{body}\n}} }}")
        self._prune(report.source)

    def _prune(self, source: str) -> None:
        old = self.store.select(
            f"SELECT ?run WHERE {{ GRAPH {iri(self.graph)} {{ ?run <{HV}source> ?source ; <{HV}started> ?started }}"
            f" VALUES ?source {{ {ox.Literal(source)} }} }} ORDER BY DESC(?started) OFFSET {KEEP_RUNS}"
        )
        for row in old:
            self.store.update(f"DELETE WHERE {{ GRAPH {iri(self.graph)} {{ {row['run']} ?p ?o }} }}")

    def list(self, source: str | None = None, *, limit: int = 50) -> list[dict]:
        values = f"VALUES ?source {{ {ox.Literal(source)} }}" if source else ""
        rows = self.store.select(
            f"SELECT ?summary WHERE {{ GRAPH {iri(self.graph)} {{ ?run <{HV}source> ?source ;"
            f" <{HV}started> ?started ; <{HV}summary> ?summary }} {values} }}"
            f" ORDER BY DESC(?started) DESC(?run) LIMIT {int(limit)}"
        )
        return [json.loads(r["summary"].value) for r in rows]

    def get(self, run_id: str) -> RunReport | None:
        if not RUN_ID.match(run_id or ""):
            return None
        rows = self.store.select(
            f"SELECT ?report WHERE {{ GRAPH {iri(self.graph)} {{ {self._node(run_id)} <{HV}report> ?report }} }}"
        )
        return RunReport.from_dict(json.loads(rows[0]["report"].value)) if rows else None

    def latest(self, source: str) -> RunReport | None:
        runs = self.list(source, limit=1)
        return self.get(runs[0]["id"]) if runs else None

    def last_success(self, source: str) -> dt.datetime | None:
        rows = self.store.select(
            f"SELECT (MAX(?started) AS ?last) WHERE {{ GRAPH {iri(self.graph)} {{ ?run <{HV}source> ?source ;"
            f' <{HV}started> ?started ; <{HV}status> "success" }} VALUES ?source {{ {ox.Literal(source)} }} }}'
        )
        return _parse(rows[0]["last"].value) if rows and "last" in rows[0] else None
