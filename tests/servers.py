"""Real SPARQL servers on 127.0.0.1 for tests and benchmarks: Oxigraph server and Virtuoso.

    server = start_oxigraph_server(tmp_path)     # or start_virtuoso(tmp_path)
    settings = Settings(..., **server.settings())
    server.kill(); server.restart(); server.stop()

Each server keeps its data under the directory it is given, listens on free loopback ports only,
and is ready when the function returns. `rss()` reads the server's resident memory from /proc.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"


def oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("oxigraph")
    return str(beside_python) if beside_python.exists() else shutil.which("oxigraph")


def have_oxigraph_server() -> bool:
    return oxigraph_binary() is not None


def have_virtuoso() -> bool:
    return os.path.exists(VIRTUOSO) and os.path.exists(ISQL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerError(RuntimeError):
    pass


@dataclass
class Server:
    name: str
    url: str
    update_url: str
    gsp_url: str
    command: list[str]
    workdir: Path
    user: str = ""
    password: str = ""
    auth: str = "basic"
    ready_timeout: float = 30.0
    sql_port: int = 0  # Virtuoso: the isql port (dba password in dba_password)
    dba_password: str = ""
    process: subprocess.Popen | None = field(default=None, repr=False)

    def settings(self, **overrides) -> dict:
        """The store settings for catalogue.settings.Settings(**server.settings())."""
        return {
            "store_url": self.url,
            "store_update_url": self.update_url,
            "store_gsp_url": self.gsp_url,
            "store_user": self.user,
            "store_password": self.password,
            "store_auth": self.auth,
            **overrides,
        }

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def start(self) -> Server:
        log = open(self.workdir / f"{self.name}.log", "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            self.command, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir, start_new_session=True
        )
        log.close()
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        probe = self.url + "?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited with {self.process.returncode}: see {self.workdir}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise ServerError(f"{self.name} not ready after {self.ready_timeout} s: see {self.workdir}")

    def kill(self) -> None:
        """SIGKILL: the server dies mid-work, as in a crash."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> Server:
        """Start again on the same ports with the same data (after kill() or stop())."""
        self.stop()
        return self.start()

    def rss(self) -> int:
        """Resident memory of the server process, in bytes."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0


def start_oxigraph_server(tmp: Path | str, *, port: int | None = None, extra: tuple[str, ...] = ()) -> Server:
    """`oxigraph serve --location TMP/oxigraph --bind 127.0.0.1:PORT` (no authentication: loopback only)."""
    binary = oxigraph_binary()
    if binary is None:
        raise ServerError("the oxigraph server is not installed: pip install oxigraph")
    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    command = [binary, "serve", "--location", str(tmp / "oxigraph"), "--bind", f"127.0.0.1:{port}", *extra]
    server = Server("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", command, tmp, ready_timeout=15.0)
    return server.start()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {dir}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 1G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 4
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
; the cost estimator overflows on the catalogue's metadata query: off (docs/remote-store.md)
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def start_virtuoso(tmp: Path | str, *, max_rows: int = 10_000, buffers: int = 10_000) -> Server:
    """Virtuoso with every file under TMP, loopback ports, a fresh dba password and a `catalogue` user
    with the SPARQL_UPDATE role: reads on /sparql, writes on /sparql-auth and /sparql-graph-crud-auth (digest)."""
    if not have_virtuoso():
        raise ServerError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    tmp = Path(tmp)
    (tmp / "vsp").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    (tmp / "virtuoso.ini").write_text(
        VIRTUOSO_INI.format(
            dir=tmp,
            sql_port=sql_port,
            http_port=http_port,
            max_rows=max_rows,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
        )
    )
    base = f"http://127.0.0.1:{http_port}"
    server = Server(
        "virtuoso",
        f"{base}/sparql",
        f"{base}/sparql-auth",
        f"{base}/sparql-graph-crud-auth",
        [VIRTUOSO, "-f", "+configfile", str(tmp / "virtuoso.ini")],
        tmp,
        user="catalogue",
        password="p" + secrets.token_hex(12),
        auth="digest",
        ready_timeout=60.0,
        sql_port=sql_port,
        dba_password="d" + secrets.token_hex(12),
    )
    server.start()
    try:
        # A new database has dba/dba: change it at once.
        _isql(sql_port, "dba", f"set password dba {server.dba_password};")
        _isql(
            sql_port,
            server.dba_password,
            f"DB.DBA.USER_CREATE('{server.user}', '{server.password}'); GRANT SPARQL_UPDATE TO \"{server.user}\";",
        )
    except Exception:
        server.stop()
        raise
    return server


def _isql(port: int, password: str, statements: str) -> str:
    done = subprocess.run(
        [ISQL, f"127.0.0.1:{port}", "dba", password, f"exec={statements}"], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise ServerError(f"isql failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    return done.stdout
