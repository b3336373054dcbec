"""Validation in worker processes, so that a large load uses every core.

Records travel as N-Triples text (cheap to pickle, parsed natively by pyoxigraph in the
worker); each worker keeps one Validator, whose shapes it loads once. With workers=0 the
same interface validates in the calling process (small pushes do not pay for processes).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

_worker_validator = None


@dataclass(frozen=True)
class Verdict:
    """What ingest needs from a Report: the verdict and the JSON report (None when clean)."""

    conforms: bool
    violations: int
    report: dict | None


def _verdict(report) -> Verdict:
    return Verdict(report.conforms, len(report.violations), report.to_dict() if report.problems else None)


def _init_worker(engine: str) -> None:
    global _worker_validator
    from . import Validator

    _worker_validator = Validator(engine=engine)


def _validate_text(iri: str, ntriples: str) -> Verdict:
    from ..records import to_rdflib

    graph = rdflib.Graph()
    for triple in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return _verdict(_worker_validator.validate(graph, focus=rdflib.URIRef(iri)))


class ValidationPool:
    def __init__(self, validator, *, workers: int = 0, engine: str = "turbo"):
        self.validator = validator
        self.workers = workers
        self._executor = None
        if workers > 0:
            self._executor = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker, initargs=(engine,),
            )

    def submit(self, record) -> Future:
        if self._executor is not None:
            return self._executor.submit(_validate_text, record.iri, record.to_ntriples())
        future: Future = Future()
        try:
            future.set_result(_verdict(self.validator.validate(record.to_rdflib(), focus=rdflib.URIRef(record.iri))))
        except Exception as exc:  # delivered to the caller through the future, like a worker's error
            future.set_exception(exc)
        return future

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> ValidationPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
