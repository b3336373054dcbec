"""Run SPARQL queries outside the web process, in a pool of worker processes, with a time limit.

pyoxigraph has no query timeout and can crash on hostile queries, so no query ever runs in the
web process. Each worker is a plain `python` subprocess speaking a tiny framed protocol on its
stdin/stdout (4-byte length + JSON header, then the result bytes). A worker serialises the
result itself (results.py), so the web process only forwards finished, complete documents.

Time limit: the web process waits for the reply at most `settings.sparql_timeout` seconds. Past
that, the worker is killed with SIGKILL (the engine cannot be interrupted any other way, and this
gives the CPU back at once), reaped, and replaced by a fresh process; the caller gets QueryTimeout
(503). A worker that dies (e.g. a stack overflow in the engine) is replaced the same way.

How workers see new writes (embedded store). `pyoxigraph.Store.read_only(path)` is a snapshot
taken when it is opened: it never sees later writes, and opening it replays the write-ahead log
(WAL) of the writer (measured: ~15 ms after a flush, but 4.3 s with 10,000 unflushed records and
75 s with 100,000). So:

* before each query a worker compares a fingerprint of the store directory (names of the files,
  sizes and mtimes of the WAL, MANIFEST and CURRENT: ~25-300 us) with the one taken when its
  handle was opened, and reopens the handle only when it changed: every query sees every write
  committed before it started, and an unchanged store costs no reopen at all;
* the web process, which holds the store open for writing, flushes it (`Store.flush()`, 13-240 ms
  after a small write at 100,000 records, so not after every write) before dispatching a query
  when its WAL has grown by more than WAL_FLUSH_BYTES since the last flush: a reopen then replays
  at most ~1 MiB of WAL (~0.1 s). A writer in another process (the CLI) flushes when it closes.

The writer's background compaction may delete files under an open read-only handle, or swap
them while a worker opens one (measured: a few errors per minute under a continuous write load):
such errors (FileNotFoundError, RuntimeError "Corruption: ... IO error") are retried with a
fresh handle, up to STORAGE_RETRIES times, within the query's time limit.

Remote store (settings.store_url): workers open the remote backend (catalogue.store.sparql) once
and reuse it; the server sees its own writes.
"""

from __future__ import annotations

import json
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import CatalogueError, StoreUnavailable
from ..settings import Settings

WAL_FLUSH_BYTES = 1 << 20  # flush the writer's store when its WAL holds more than this
WAL_CHECK_INTERVAL = 0.25  # seconds between two looks at the WAL size
STORAGE_RETRIES = 4  # fresh read-only handles tried when the writer's compaction races a reader
STARTUP_TIMEOUT = 60.0  # seconds a new worker may take to import its modules
_FRAME = struct.Struct(">I")
_PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


class QueryTimeout(StoreUnavailable):
    """The query ran past the time limit; its worker was killed (503)."""

    retry_after = 5


class EngineBusy(StoreUnavailable):
    """Every worker stayed busy while the query waited for one (503)."""

    retry_after = 5


class EngineFailed(CatalogueError):
    """The engine process died while running the query (500)."""

    http_status = 500


class QueryFailed(CatalogueError):
    """The engine refused or could not evaluate the query; the message is the engine's (400)."""

    http_status = 400


class FederationFailed(CatalogueError):
    """An allowed federated endpoint failed (502)."""

    http_status = 502


@dataclass
class Outcome:
    body: bytes
    format: str  # name of the ResultFormat actually used
    kind: str  # solutions, boolean or graph
    count: int | None
    truncated: bool
    elapsed: float  # seconds, dispatch to reply
    worker_pid: int
    reopens: int = 0  # how many times this worker has opened the store so far


# --- framing ---------------------------------------------------------------------------------


def _write_frame(stream, payload: bytes) -> None:
    stream.write(_FRAME.pack(len(payload)) + payload)
    stream.flush()


def _read_frame_blocking(stream) -> bytes | None:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


def _read_exact(fd: int, size: int, deadline: float) -> bytes:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    chunks, missing = [], size
    while missing:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            raise TimeoutError
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float) -> bytes:
    (size,) = _FRAME.unpack(_read_exact(fd, _FRAME.size, deadline))
    return _read_exact(fd, size, deadline)


# --- the worker side -------------------------------------------------------------------------


def store_fingerprint(path: Path | str) -> tuple:
    """What changes in a RocksDB directory whenever a write is committed (WAL, MANIFEST, CURRENT)."""
    entries = []
    with os.scandir(path) as scan:
        for entry in scan:
            name = entry.name
            if name.startswith("LOG") or name == "LOCK":
                continue  # the info log and the lock change without any data changing
            if name.endswith(".log") or name.startswith("MANIFEST") or name == "CURRENT":
                stat = entry.stat()
                entries.append((name, stat.st_size, stat.st_mtime_ns))
            else:
                entries.append((name,))
    return tuple(sorted(entries))


class _Engine:
    """The query side of one worker process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.remote = None
        self.path = Path(settings.store_path)
        self.handle = None
        self.fingerprint = None
        self.reopens = 0

    def store(self):
        if self.settings.store_url:
            if self.remote is None:
                from ..store import open_graph_store

                self.remote = open_graph_store(self.settings)
            return self.remote
        import pyoxigraph as ox

        fingerprint = store_fingerprint(self.path)  # taken before opening: a later write forces a reopen
        if self.handle is None or fingerprint != self.fingerprint:
            self.handle = None
            self.handle = ox.Store.read_only(str(self.path))
            self.fingerprint = fingerprint
            self.reopens += 1
        return self.handle

    def query(self, job: dict):
        import pyoxigraph as ox

        from .guard import DEFAULT_PREFIXES

        store = self.store()
        default_graphs, named_graphs = job.get("default_graphs") or [], job.get("named_graphs") or []
        union = not default_graphs and not job.get("has_dataset")
        if self.remote is not None:
            return store.raw_query(
                _with_prefixes(job["query"], job.get("prefixes") or DEFAULT_PREFIXES),
                default_graph_as_union=union,
                default_graphs=default_graphs or None,
                named_graphs=named_graphs or None,
            )
        kwargs: dict = {"prefixes": job.get("prefixes") or DEFAULT_PREFIXES}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif union:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return store.query(job["query"], **kwargs)

    def run(self, job: dict) -> tuple[dict, bytes]:
        from .results import ALL_FORMATS, serialize_result

        fmt = ALL_FORMATS[job["format"]]
        for attempt in range(STORAGE_RETRIES + 1):
            try:
                result = self.query(job)
                out = serialize_result(result, fmt, max_rows=int(job["max_rows"]), prefixes=job.get("prefixes"))
            except SyntaxError as exc:
                return {"ok": False, "error": "syntax", "message": str(exc)}, b""
            except CatalogueError as exc:
                return {
                    "ok": False,
                    "error": "catalogue",
                    "status": int(getattr(exc, "http_status", 500)),
                    "message_en": exc.message_en,
                    "message_fr": exc.message_fr,
                }, b""
            except Exception as exc:
                if _storage_error(exc) and self.remote is None:
                    # The writer compacted files away under this handle, or was swapping them while it
                    # opened: take a fresh handle and try again.
                    self.handle = None
                    if attempt < STORAGE_RETRIES:
                        time.sleep(0.02 * (attempt + 1))
                        continue
                    print(f"sparql worker: store error: {exc}", file=sys.stderr)
                    return {"ok": False, "error": "io", "message": ""}, b""
                if isinstance(exc, OSError) and job.get("services"):
                    return {"ok": False, "error": "federation", "message": str(exc)}, b""
                # the engine's evaluation errors (type errors, unbound service variable...)
                return {"ok": False, "error": "evaluation", "message": str(exc)}, b""
            return {
                "ok": True,
                "format": out.fmt.name,
                "kind": out.kind,
                "count": out.count,
                "truncated": out.truncated,
                "reopens": self.reopens,
            }, out.body
        raise AssertionError("unreachable")


def _storage_error(exc: BaseException) -> bool:
    """RocksDB's errors when files change under a reader (FileNotFoundError, RuntimeError 'Corruption')."""
    text = str(exc)
    return isinstance(exc, OSError | RuntimeError) and ("IO error" in text or "Corruption" in text)


def _with_prefixes(query: str, prefixes: dict[str, str]) -> str:
    """For a remote store: the default prefixes written out (the protocol has no way to pass them)."""
    from .guard import tokenize

    declared = set()
    tokens = tokenize(query)
    for i, token in enumerate(tokens[:-1]):
        if token.kind == "word" and token.upper == "PREFIX" and tokens[i + 1].kind == "pname":
            declared.add(tokens[i + 1].text[:-1])
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name not in declared]
    return "\n".join(lines) + ("\n" if lines else "") + query


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the web process dies (PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:
        pass


def worker_main() -> None:
    """Entry point of a worker process: read the settings, then answer jobs until stdin closes."""
    _die_with_parent()
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # anything printed by a library goes to stderr, never into the protocol
    inp = sys.stdin.buffer
    blob = _read_frame_blocking(inp)
    if blob is None:
        return
    engine = _Engine(pickle.loads(blob))
    _write_frame(out, json.dumps({"ready": os.getpid()}).encode())
    while True:
        frame = _read_frame_blocking(inp)
        if frame is None:
            return
        job = json.loads(frame)
        started = time.perf_counter()
        header, body = engine.run(job)
        header["seconds"] = time.perf_counter() - started
        _write_frame(out, json.dumps(header).encode())
        _write_frame(out, body)


_BOOT = "from catalogue.sparql.executor import worker_main; worker_main()"


# --- the web-process side --------------------------------------------------------------------


class _Worker:
    def __init__(self, settings_blob: bytes):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH", "")]))
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
            cwd=str(_PROJECT_ROOT),
        )
        self.pid = self.proc.pid
        self.fd = self.proc.stdout.fileno()
        self.ready = False
        _write_frame(self.proc.stdin, settings_blob)

    def call(self, job: bytes, timeout: float) -> tuple[dict, bytes]:
        if not self.ready:
            _read_frame(self.fd, time.monotonic() + STARTUP_TIMEOUT)  # {"ready": pid}
            self.ready = True
        deadline = time.monotonic() + timeout
        try:
            _write_frame(self.proc.stdin, job)
        except (BrokenPipeError, OSError):
            raise EOFError from None
        header = json.loads(_read_frame(self.fd, deadline))
        body = _read_frame(self.fd, deadline)
        return header, body

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignorable
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class _WalFlusher:
    """Keep the writer's unflushed WAL short so a worker's reopen stays cheap (see the module's docstring).

    RocksDB recycles WAL files (oxigraph sets recycle_log_file_num=10), so a file's size says little
    about what is unflushed. The estimate is the growth of each WAL file (by inode) since the last
    flush; a file that shrank was recycled and counts from zero.
    """

    def __init__(self, store):
        native = getattr(store, "native", None)
        path = getattr(store, "path", None)
        self.native = native if native is not None and hasattr(native, "flush") and path else None
        self.path = Path(path) if path else None
        self.next_check = 0.0
        self.lock = threading.Lock()
        self.flushes = 0
        self.baseline: dict[int, int] = {}  # WAL sizes by inode at the last flush (empty: count everything)

    def _sizes(self) -> dict[int, int]:
        return {e.inode(): e.stat().st_size for e in os.scandir(self.path) if e.name.endswith(".log")}

    def unflushed(self, sizes: dict[int, int]) -> int:
        total = 0
        for inode, size in sizes.items():
            before = self.baseline.get(inode)
            total += size if before is None or size < before else size - before
        return total

    def maybe_flush(self) -> None:
        if self.native is None or time.monotonic() < self.next_check:
            return
        with self.lock:
            self.next_check = time.monotonic() + WAL_CHECK_INTERVAL
            try:
                if self.unflushed(self._sizes()) > WAL_FLUSH_BYTES:
                    self.native.flush()
                    self.flushes += 1
                    self.baseline = self._sizes()
            except (OSError, AttributeError, RuntimeError):  # the store was closed or moved: nothing to flush
                self.native = None


class Executor:
    """A pool of `size` worker processes; `run()` is safe to call from many threads."""

    def __init__(self, settings: Settings, *, size: int | None = None, timeout: float | None = None, writer_store=None):
        self.settings = settings
        self.size = max(1, int(size if size is not None else settings.sparql_workers))
        self.timeout = float(timeout if timeout is not None else settings.sparql_timeout)
        self._blob = pickle.dumps(settings)
        self._flusher = _WalFlusher(writer_store)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._closed = False
        # Workers are started from one long-lived thread: PR_SET_PDEATHSIG fires when the *thread*
        # that started a process exits, and request threads come and go.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sparql-spawner")
        for _ in range(self.size):
            self._idle.put(self._spawn())

    # --- pool ---
    def _spawn(self) -> _Worker:
        worker = self._spawner.submit(_Worker, self._blob).result()
        with self._lock:
            self._workers[worker.pid] = worker
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._workers.pop(worker.pid, None)
            closed = self._closed
        if not closed:
            self._idle.put(self._spawn())

    def _take(self, wait: float) -> _Worker:
        deadline = time.monotonic() + wait
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise EngineBusy(
                    "Every SPARQL worker is busy; try again in a few seconds.",
                    "Tous les processus SPARQL sont occupés ; réessayez dans quelques secondes.",
                ) from None
            if worker.alive():
                return worker
            self._retire(worker)  # died while idle (killed from outside): replace it, take another

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(self._workers)

    # --- queries ---
    def run(
        self,
        query: str,
        *,
        fmt: str,
        max_rows: int | None = None,
        default_graphs=(),
        named_graphs=(),
        has_dataset: bool = False,
        services=(),
        prefixes: dict[str, str] | None = None,
        wait: float | None = None,
    ) -> Outcome:
        """Run a query that passed the guard; return the serialised result or raise a CatalogueError."""
        if self._closed:
            raise StoreUnavailable("The SPARQL engine is shut down.", "Le moteur SPARQL est arrêté.")
        job = json.dumps(
            {
                "query": query,
                "format": fmt,
                "max_rows": int(max_rows or self.settings.sparql_max_rows),
                "default_graphs": list(default_graphs),
                "named_graphs": list(named_graphs),
                "has_dataset": has_dataset,
                "services": list(services),
                "prefixes": prefixes,
            }
        ).encode()
        worker = self._take(self.timeout if wait is None else wait)
        self._flusher.maybe_flush()
        started = time.monotonic()
        try:
            header, body = worker.call(job, self.timeout)
        except TimeoutError:
            self._retire(worker)
            raise QueryTimeout(
                f"The query ran longer than {self.timeout:g} s and was stopped. Narrow it down (filters, LIMIT) "
                "or use the search pages for facet counts.",
                f"La requête a dépassé {self.timeout:g} s et a été arrêtée. Restreignez-la (filtres, LIMIT) "
                "ou utilisez les pages de recherche pour les décomptes.",
            ) from None
        except (EOFError, OSError, ValueError):
            self._retire(worker)
            raise EngineFailed(
                "The query engine stopped while running this query. Simplify the query and try again.",
                "Le moteur de requêtes s'est arrêté pendant cette requête. Simplifiez-la et réessayez.",
            ) from None
        except BaseException:
            self._retire(worker)
            raise
        self._idle.put(worker)
        elapsed = time.monotonic() - started
        if not header.get("ok"):
            raise _error_from(header)
        return Outcome(
            body,
            header["format"],
            header["kind"],
            header.get("count"),
            bool(header.get("truncated")),
            elapsed,
            worker.pid,
            int(header.get("reopens") or 0),
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            worker.kill()
        self._spawner.shutdown(wait=False)

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _error_from(header: dict) -> CatalogueError:
    kind, message = header.get("error"), header.get("message") or ""
    if kind == "syntax":
        return QueryFailed(f"Syntax error: {message}", f"Erreur de syntaxe : {message}")
    if kind == "federation":
        return FederationFailed(
            f"A federated endpoint failed: {message}", f"Un point d'accès fédéré a échoué : {message}"
        )
    if kind == "catalogue":
        error = CatalogueError(header.get("message_en") or "", header.get("message_fr"))
        error.http_status = int(header.get("status") or 500)
        return error
    if kind == "io":
        return StoreUnavailable(
            "The store could not be read; try again in a moment.",
            "Le stockage n'a pas pu être lu ; réessayez dans un instant.",
        )
    return QueryFailed(
        f"The query could not be evaluated: {message}", f"La requête n'a pas pu être évaluée : {message}"
    )
