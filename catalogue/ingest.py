"""The single write path: parse -> split -> validate -> store -> index.

The CLI, the push API and the harvester all call this module; nothing else writes the store.
A document that does not parse is refused whole and the store is unchanged. After that,
each record is handled on its own: accepted, rejected (with its report) or unchanged.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import rdf
from .errors import CatalogueError, Forbidden, StoreUnavailable
from .records import Record, split_records
from .validation.pool import ValidationPool

# Documents larger than this are staged in a temporary on-disk store instead of memory,
# so memory stays flat whatever the size of the file.
STAGE_ON_DISK_BYTES = 4 * 1024 * 1024

LOCAL_SOURCE = "local"
# Records are decided, validated and written this many at a time (one store transaction each).
CHUNK_SIZE = 200
# Documents from this size on are validated in worker processes (settings.validation_workers).
PARALLEL_BYTES = 2 * 1024 * 1024


@dataclass
class Outcome:
    iri: str
    status: str  # accepted | updated | unchanged | rejected
    report: dict | None = None
    error: str | None = None
    error_fr: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


@dataclass
class BatchResult:
    """What happened to each record. With keep_all=False only rejected records are kept (counts,
    including how many records carry warnings, stay exact), so that huge loads do not grow memory."""

    outcomes: list[Outcome] = field(default_factory=list)
    timings: Counter = field(default_factory=Counter)
    keep_all: bool = True
    tally: Counter = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.tally[outcome.status] += 1
        if outcome.report and outcome.status != "rejected":
            self.tally["with_warnings"] += 1
        if self.keep_all or outcome.status == "rejected":
            self.outcomes.append(outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {k: self.tally.get(k, 0) for k in ("accepted", "updated", "unchanged", "rejected")}

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    def merge(self, other: BatchResult) -> None:
        self.outcomes += other.outcomes
        self.tally.update(other.tally)
        self.timings.update(other.timings)

    def to_dict(self) -> dict:
        return {
            "counts": self.counts,
            "records": [
                {k: v for k, v in vars(o).items() if v is not None} for o in self.outcomes
            ],
        }


class _Stopwatch:
    def __init__(self, timings: Counter, stage: str):
        self.timings, self.stage = timings, stage

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.timings[self.stage] += time.perf_counter() - self.start


def ingest_bytes(
    catalogue, data: bytes, *, format: str | None = None, media_type: str | None = None,
    filename: str | None = None, source: str = LOCAL_SOURCE, dry_run: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None, allowed: Callable[[Record], None] | None = None,
    keep_all: bool = True,
) -> BatchResult:
    """Ingest one document held in memory (push API, harvested page, small files)."""
    settings = catalogue.settings
    rdf.check_size(len(data), settings.max_input_bytes, filename)
    fmt = rdf.detect_format(format=format, media_type=media_type, filename=filename, head=data[:4096])
    result = BatchResult(keep_all=keep_all)
    with _Stopwatch(result.timings, "parse"):
        staged = rdf.parse_dataset(data, fmt=fmt, base_iri=settings.base_iri + "/", where=filename)
    records = _split(catalogue, staged, result)
    return _ingest_records(catalogue, records, result, source=source, dry_run=dry_run,
                           on_outcome=on_outcome, allowed=allowed, parallel=len(data) >= PARALLEL_BYTES)


def ingest_path(catalogue, path: Path | str, **kwargs) -> BatchResult:
    """Ingest one file. Large files are staged on disk so memory does not grow with their size."""
    path = Path(path)
    size = path.stat().st_size
    rdf.check_size(size, catalogue.settings.max_input_bytes, path.name)
    if size <= STAGE_ON_DISK_BYTES or path.suffix in (".jsonld", ".json", ".rdf", ".xml", ".owl"):
        return ingest_bytes(catalogue, path.read_bytes(), filename=path.name, **kwargs)
    with path.open("rb") as handle:
        fmt = rdf.detect_format(filename=path.name, head=handle.read(4096))
    kwargs.setdefault("source", LOCAL_SOURCE)
    result = BatchResult(keep_all=kwargs.pop("keep_all", True))
    with tempfile.TemporaryDirectory(prefix="catalogue-stage-") as stage_dir:
        staging = ox.Store(stage_dir)
        with _Stopwatch(result.timings, "parse"):
            _stage_file(staging, path, fmt, catalogue.settings.base_iri + "/")
        records = _split(catalogue, staging, result)
        outcome = _ingest_records(catalogue, records, result, parallel=True, **kwargs)
        del staging
    return outcome


STAGE_BATCH_QUADS = 100_000


def _stage_file(staging: ox.Store, path: Path, fmt, base_iri: str) -> None:
    """Stream a large file into the on-disk staging store in batches. (pyoxigraph's bulk_load holds
    memory in proportion to the file: 1.1 GB for a 90 MB file; batches keep it flat.)"""
    with path.open("rb") as handle:
        quads = rdf.parse_quads(handle, fmt, base_iri=base_iri, where=path.name)
        while batch := list(itertools.islice(quads, STAGE_BATCH_QUADS)):
            staging.bulk_extend(batch)
    staging.flush()


def _split(catalogue, staged, result: BatchResult) -> Iterator[Record]:
    settings = catalogue.settings
    iterator = split_records(
        staged, base_iri=settings.base_iri, max_triples=settings.max_triples_per_record,
        max_term_length=settings.max_term_length,
    )
    while True:
        with _Stopwatch(result.timings, "split"):
            record = next(iterator, None)
        if record is None:
            return
        yield record


def _ingest_records(
    catalogue, records: Iterable[Record], result: BatchResult, *, source: str, dry_run: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None, allowed: Callable[[Record], None] | None = None,
    parallel: bool = False,
) -> BatchResult:
    """Chunks are pipelined: while workers validate one chunk, this process splits the next."""
    workers = catalogue.settings.validation_workers if parallel else 0

    def emit(outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            result.add(outcome)
            if on_outcome:
                on_outcome(outcome)

    with ValidationPool(catalogue.validator, workers=workers, engine=catalogue.settings.shacl_engine) as pool:
        pending = None
        for chunk in _chunks(records, CHUNK_SIZE):
            staged = _stage(catalogue, chunk, pool, source=source, allowed=allowed, timings=result.timings)
            if pending is not None:
                emit(_finish(catalogue, pending, source=source, dry_run=dry_run, timings=result.timings))
            pending = staged
        if pending is not None:
            emit(_finish(catalogue, pending, source=source, dry_run=dry_run, timings=result.timings))
    with _Stopwatch(result.timings, "index"):
        if not dry_run:
            catalogue.index.commit()
    return result


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ingest_record(
    catalogue, record: Record, *, source: str = LOCAL_SOURCE, dry_run: bool = False,
    timings: Counter | None = None, allowed: Callable[[Record], None] | None = None,
) -> Outcome:
    """Validate and store one record, all or nothing."""
    timings = timings if timings is not None else Counter()
    with ValidationPool(catalogue.validator) as pool:
        staged = _stage(catalogue, [record], pool, source=source, allowed=allowed, timings=timings)
        (outcome,) = _finish(catalogue, staged, source=source, dry_run=dry_run, timings=timings)
    return outcome


def _rejected(record: Record, exc: CatalogueError) -> Outcome:
    return Outcome(iri=record.iri, status="rejected", error=exc.describe("en"), error_fr=exc.describe("fr"))


@dataclass
class _Staged:
    chunk: list[Record]
    previous: dict
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    to_touch: list = field(default_factory=list)
    validating: list = field(default_factory=list)  # (position, record, future of a Verdict)


def _stage(catalogue, chunk: list[Record], pool: ValidationPool, *, source: str, allowed, timings: Counter) -> _Staged:
    """Everything that can be decided before validation; validations are submitted."""
    with _Stopwatch(timings, "store"):
        staged = _Staged(chunk, catalogue.records.get_metas([r.iri for r in chunk if r.error is None]))
    for position, record in enumerate(chunk):
        previous = staged.previous.get(record.iri)
        try:
            _check_allowed(record, previous, source, allowed)
        except CatalogueError as exc:
            staged.outcomes[position] = _rejected(record, exc)
            continue
        if previous is not None and previous.content_hash == record.content_hash and previous.withdrawn is None:
            staged.to_touch.append(previous)
            staged.outcomes[position] = Outcome(iri=record.iri, status="unchanged")
            continue
        with _Stopwatch(timings, "validate"):
            staged.validating.append((position, record, pool.submit(record)))
    return staged


def _check_allowed(record: Record, previous, source: str, allowed) -> None:
    if record.error is not None:
        raise record.error
    if previous is not None and previous.source != source:
        raise Forbidden(
            f"{record.iri} belongs to source '{previous.source}'; source '{source}' may not change it.",
            f"{record.iri} appartient à la source « {previous.source} » ; la source « {source} » ne peut pas la modifier.",
            where=record.iri,
        )
    if allowed is not None:
        allowed(record)


def _finish(catalogue, staged: _Staged, *, source: str, dry_run: bool, timings: Counter) -> list[Outcome]:
    """Collect the verdicts, then write the chunk's accepted records in one transaction."""
    to_write = []  # (position, record, status, report dict)
    for position, record, future in staged.validating:
        try:
            with _Stopwatch(timings, "validate"):
                verdict = future.result()
        except CatalogueError as exc:
            staged.outcomes[position] = _rejected(record, exc)
            continue
        if not verdict.conforms:
            staged.outcomes[position] = Outcome(
                iri=record.iri, status="rejected", report=verdict.report,
                error=f"{verdict.violations} violation(s) of the profile",
                error_fr=f"{verdict.violations} violation(s) du profil",
            )
            continue
        status = "updated" if record.iri in staged.previous else "accepted"
        to_write.append((position, record, status, verdict.report))
        staged.outcomes[position] = Outcome(iri=record.iri, status=status, report=verdict.report)
    if not dry_run:
        with _Stopwatch(timings, "store"):
            catalogue.records.touch_many(staged.to_touch)
            written = _write(catalogue, to_write, staged.previous, source, staged.outcomes)
            flush = getattr(catalogue.store, "flush", None)  # the embedded store buffers writes in memory
            if flush is not None:
                flush()
        with _Stopwatch(timings, "index"):
            for record, meta in written:
                catalogue.index.add(record, meta)
    return [staged.outcomes[i] for i in range(len(staged.chunk))]


def _write(catalogue, to_write, previous, source: str, outcomes: dict[int, Outcome]) -> list:
    def item(record, status, report):
        return (record, "warnings" if report else "valid", report, previous.get(record.iri))

    try:
        metas = catalogue.records.replace_many([item(r, s, rep) for _, r, s, rep in to_write], source=source)
        return [(r, m) for (_, r, _, _), m in zip(to_write, metas, strict=True)]
    except StoreUnavailable:
        raise  # the store is down: the whole run fails cleanly, nothing is half-written
    except (CatalogueError, SyntaxError, OSError, ValueError, RuntimeError):
        if len(to_write) <= 1:
            for position, record, _, _ in to_write:
                outcomes[position] = _rejected(record, _store_error(record))
            return []
    written = []  # isolate the record the store refused; the others still go in
    for position, record, status, report in to_write:
        try:
            written.append((record, catalogue.records.replace_many([item(record, status, report)], source=source)[0]))
        except StoreUnavailable:
            raise
        except (CatalogueError, SyntaxError, OSError, ValueError, RuntimeError):
            outcomes[position] = _rejected(record, _store_error(record))
    return written


def _store_error(record: Record) -> CatalogueError:
    return CatalogueError("The store refused this record.", "Le stockage a refusé cette fiche.", where=record.iri)


def delete_record(catalogue, resource_iri: str, *, source: str | None = None) -> bool:
    """Remove a record from the store and the index. A source may delete only its own records."""
    meta = catalogue.records.get_meta(resource_iri)
    if meta is None:
        return False
    if source is not None and meta.source != source:
        raise Forbidden(
            f"{resource_iri} belongs to source '{meta.source}'.",
            f"{resource_iri} appartient à la source « {meta.source} ».",
            where=resource_iri,
        )
    catalogue.records.delete(resource_iri)
    catalogue.index.remove(resource_iri)
    catalogue.index.commit()
    return True


def iter_rdf_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Files named on the command line, and the RDF files inside named folders (sorted)."""
    for item in map(Path, paths):
        if item.is_dir():
            for child in sorted(item.rglob("*")):
                if child.is_file() and rdf.format_for_filename(child.name):
                    yield child
        else:
            yield item
