"""Streaming RDF out: serialise groups of triples (one record each) as one document, chunk by
chunk, so that memory does not grow with the number of records; and read records ahead in a
few threads while the previous ones are being written."""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox

from .rdf import RdfFormatInfo
from .vocab import PREFIXES

READ_THREADS = 2
READ_AHEAD = 16


def read_ahead(read: Callable, items: Iterable, *, threads: int = READ_THREADS, window: int = READ_AHEAD) -> Iterator:
    """`map(read, items)` in order, with up to `window` reads running ahead on `threads` threads."""
    if threads <= 1:
        yield from map(read, items)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="feed-reader") as pool:
        pending: deque = deque()
        try:
            for item in items:
                pending.append(pool.submit(read, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:  # the client went away: do not read what nobody will send
            for future in pending:
                future.cancel()


# --- streaming serialisation ---------------------------------------------------------------------

_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items()}
QUEUE_CHUNKS = 32  # ~8 KiB each: the most a slow client makes the writer thread buffer


def _strip_prefixes(data: bytes) -> bytes:
    position = 0
    while data.startswith(b"@prefix ", position):
        position = data.index(b"\n", position) + 1
    return data[position:]


def serialize_groups(groups: Iterable[list[ox.Triple]], fmt: RdfFormatInfo) -> Iterator[bytes]:
    """Serialise groups of triples (one record each) as one document, a chunk at a time.

    N-Triples and Turtle are written group by group (Turtle's prefixes once, at the top). RDF/XML
    and JSON-LD need one serializer for the whole document: pyoxigraph writes it from a thread
    into a bounded queue that this generator drains, so memory stays bounded by the queue.
    """
    if fmt.name == "nt":
        for group in groups:
            yield ox.serialize(group, format=ox.RdfFormat.N_TRIPLES) or b""
    elif fmt.name == "ttl":
        yield "".join(f"@prefix {k}: <{v}> .\n" for k, v in _PREFIXES.items()).encode() + b"\n"
        for group in groups:
            yield _strip_prefixes(ox.serialize(group, format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES) or b"")
    elif fmt.name in ("rdfxml", "jsonld"):
        kwargs = {"prefixes": _PREFIXES} if fmt.name == "rdfxml" else {}
        yield from _threaded(groups, fmt.oxigraph, kwargs)
    else:
        raise ValueError(f"the feed is not served as {fmt.label}")


class _Cancelled(Exception):
    pass


_DONE = object()


class _QueueWriter:
    def __init__(self, chunks: queue.Queue, stop: threading.Event):
        self.chunks, self.stop = chunks, stop

    def write(self, data) -> int:
        _put(self.chunks, bytes(data), self.stop)
        return len(data)

    def flush(self) -> None:
        pass


def _put(chunks: queue.Queue, item, stop: threading.Event) -> None:
    while True:
        if stop.is_set():
            raise _Cancelled
        try:
            chunks.put(item, timeout=0.2)
            return
        except queue.Full:
            continue


def _threaded(groups: Iterable[list[ox.Triple]], oxformat, kwargs: dict) -> Iterator[bytes]:
    chunks: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
    stop = threading.Event()

    def triples():
        for group in groups:
            if stop.is_set():
                raise _Cancelled
            yield from group

    def run() -> None:
        try:
            ox.serialize(triples(), _QueueWriter(chunks, stop), format=oxformat, **kwargs)
            _put(chunks, _DONE, stop)
        except _Cancelled:
            pass
        except BaseException as exc:  # handed to the reading side, which re-raises it
            try:
                _put(chunks, exc, stop)
            except _Cancelled:
                pass

    worker = threading.Thread(target=run, name="feed-serializer", daemon=True)
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def stream_document(groups: Iterable[list[ox.Triple]], fmt: RdfFormatInfo) -> bytes:
    """The whole document at once (small documents: one record)."""
    return b"".join(serialize_groups(groups, fmt))
