"""The Simulator: ICEYE's Tasking API, token endpoint and CDN on a loopback port, over TLS by default."""

from __future__ import annotations

import logging
import shutil
import socket
import ssl
import struct
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import trustme
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from iceye_simulator.app import TASKS_PATH, TOKEN_PATH, SimulatorApp
from iceye_simulator.auth import TokenAuthority
from iceye_simulator.clock import SimClock
from iceye_simulator.detections import DetectionFile
from iceye_simulator.downloads import InjectedResetError
from iceye_simulator.faults import FaultInjector
from iceye_simulator.plans import SimFile, TaskPlan
from iceye_simulator.recording import RecordedRequest, RequestLog
from iceye_simulator.signing import UrlSigner
from iceye_simulator.tasks import TaskBook, place
from iceye_simulator.world import World

logger = logging.getLogger("iceye_simulator")


class Simulator:
    """ICEYE's platform on loopback, played on a SimClock; use as a context manager or start()/stop()."""

    client_id: str = "relay-local"
    client_secret: str = "local-secret"  # noqa: S105 - the well-known credential of a local stand-in
    contract_id: str = "CONTRACT-LOCAL"

    def __init__(
        self, *, clock: SimClock | None = None, tls: bool = True, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        """Prepare (not start) a simulator; `port=0` picks a free port. The default client is registered."""
        self.clock = clock or SimClock()
        self.token_lifetime = timedelta(hours=1)
        self._tls = tls
        self._host = host
        self._port = port
        self._authority = TokenAuthority()
        self._authority.add_client(self.client_id, self.client_secret, self.contract_id)
        self._tasks = TaskBook()
        self._log = RequestLog()
        self._hashes: dict[DetectionFile, str] = {}
        self._hashes_lock = threading.Lock()
        self.faults = FaultInjector(expire_tokens=lambda: self._authority.expire_all(self.clock.now()))
        self._world = World(
            clock=self.clock,
            tasks=self._tasks,
            authority=self._authority,
            signer=UrlSigner(),
            faults=self.faults,
            base_url=lambda: self.base_url,
            token_lifetime=lambda: self.token_lifetime,
        )
        self._server: ThreadedWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._ca_dir: Path | None = None
        self._base_url: str | None = None
        self.ca_bundle: str | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Listen and serve in a daemon thread; returns self."""
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        ssl_context = self._make_tls_context() if self._tls else None
        self._server = ThreadedWSGIServer(
            self._host,
            self._port,
            SimulatorApp(self._world, self._log),
            handler=_RequestHandler,
            ssl_context=ssl_context,
        )
        scheme = "https" if self._tls else "http"
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._base_url = f"{scheme}://{host}:{self._server.server_port}"
        # A short poll interval keeps stop() fast: shutdown() waits for the loop to look at its flag.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="iceye-simulator", daemon=True
        )
        self._thread.start()
        logger.debug("ICEYE simulator listening on %s", self._base_url)
        return self

    def stop(self) -> None:
        """Stop serving and remove the CA file; safe to call twice."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._ca_dir is not None:
            shutil.rmtree(self._ca_dir, ignore_errors=True)
            self._ca_dir = None
            self.ca_bundle = None

    def __enter__(self) -> Self:
        """Start."""
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Stop."""
        self.stop()

    # -- addresses -------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`https://127.0.0.1:<port>` (http:// without TLS); only once started."""
        if self._base_url is None:
            raise RuntimeError("the simulator has not been started")
        return self._base_url

    @property
    def token_url(self) -> str:
        """The OAuth2 token endpoint."""
        return f"{self.base_url}{TOKEN_PATH}"

    @property
    def tasks_url(self) -> str:
        """The Tasking API's task collection."""
        return f"{self.base_url}{TASKS_PATH}"

    # -- scenario --------------------------------------------------------------------------------------------

    def add_client(self, client_id: str, client_secret: str, contract_id: str) -> None:
        """Register another API client, whose tasks belong to `contract_id`."""
        self._authority.add_client(client_id, client_secret, contract_id)

    def add_task(self, plan: TaskPlan) -> str:
        """Add a task that will play `plan` on the sim clock; returns its id."""
        task = place(plan, self.contract_id, self.clock.now())
        self._tasks.add(task)
        return task.task_id

    def files(self, task_id: str) -> list[SimFile]:
        """Every file the task serves (its planned derivatives, plus injected unknown ones served so far)."""
        task = self._tasks.get(task_id)
        if task is None:
            raise KeyError(task_id)
        return [
            SimFile(task_id, file.product_type, file.derivative_id, file.name, file.size, self._sha256(file))
            for derivative in task.all_derivatives()
            for file in task.files_of(derivative)
        ]

    # -- observation -----------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request answered so far, oldest first (a snapshot)."""
        return self._log.snapshot()

    def requests_to(self, path_fragment: str, method: str | None = None) -> list[RecordedRequest]:
        """The requests whose path contains `path_fragment` (and with `method`, when given)."""
        return self._log.matching(path_fragment, method)

    # -- internals -------------------------------------------------------------------------------------------

    def _sha256(self, file: DetectionFile) -> str:
        # Hashing streams the whole file: do it once per file (duplicate work under a race is harmless).
        with self._hashes_lock:
            cached = self._hashes.get(file)
        if cached is None:
            cached = file.sha256()
            with self._hashes_lock:
                self._hashes[file] = cached
        return cached

    def _make_tls_context(self) -> ssl.SSLContext:
        authority = trustme.CA(organization_name="ICEYE simulator")
        certificate = authority.issue_cert("127.0.0.1", "localhost", "::1", self._host)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        self._ca_dir = Path(tempfile.mkdtemp(prefix="iceye-simulator-"))
        ca_path = self._ca_dir / "ca.pem"
        authority.cert_pem.write_to_path(str(ca_path))
        self.ca_bundle = str(ca_path)
        return context


class _RequestHandler(WSGIRequestHandler):
    """werkzeug's handler, logging through `logging` instead of stderr, and able to reset a connection."""

    def log(self, type: str, message: str, *args: Any) -> None:
        """Route werkzeug's access and error lines to the simulator's logger."""
        logger.log(logging.WARNING if type == "error" else logging.DEBUG, message, *args)

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        """On an injected reset, close with SO_LINGER 0: the kernel sends RST instead of FIN."""
        if isinstance(error, InjectedResetError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
