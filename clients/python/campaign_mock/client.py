"""campaign-mock for Python test suites: start the emulator on a free port, give each
test a tenant of its own, drive the control API (/_mock/...) and call the emulated
Campaign and IMS endpoints. Standard library only (subprocess, http.client), Python 3.9+.

Every route this module calls is in ROUTES, the one table below, keyed by the
operationId of schema/openapi.yaml; the control routes it leaves out are in
EXCLUDED_ROUTES with their reasons. clients/drift/check_routes.py imports both and
fails when they and the OpenAPI document disagree.

Every object here may be used from several threads at once: each call opens its own
connection.
"""

from __future__ import annotations

import atexit
import datetime
import http.client
import itertools
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

ROUTES: Dict[str, Tuple[str, str]] = {
    "triggerIngestion": ("POST", "/{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest"),
    "getIngestionStatus": ("GET", "/{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest"),
    "imsTokenV3": ("POST", "/ims/token/v3"),
    "health": ("GET", "/_mock/health"),
    "listTenants": ("GET", "/_mock/tenants"),
    "getTenant": ("GET", "/_mock/tenants/{org}"),
    "deleteTenant": ("DELETE", "/_mock/tenants/{org}"),
    "resetTenant": ("POST", "/_mock/tenants/{org}/reset"),
    "listMappings": ("GET", "/_mock/tenants/{org}/mappings"),
    "getMapping": ("GET", "/_mock/tenants/{org}/mappings/{mappingId}"),
    "putMapping": ("PUT", "/_mock/tenants/{org}/mappings/{mappingId}"),
    "deleteMapping": ("DELETE", "/_mock/tenants/{org}/mappings/{mappingId}"),
    "publishMapping": ("POST", "/_mock/tenants/{org}/mappings/{mappingId}/publish"),
    "unpublishMapping": ("POST", "/_mock/tenants/{org}/mappings/{mappingId}/unpublish"),
    "startMapping": ("POST", "/_mock/tenants/{org}/mappings/{mappingId}/start"),
    "stopMapping": ("POST", "/_mock/tenants/{org}/mappings/{mappingId}/stop"),
    "addChangedRecords": ("POST", "/_mock/tenants/{org}/mappings/{mappingId}/records"),
    "getScript": ("GET", "/_mock/tenants/{org}/mappings/{mappingId}/script"),
    "replaceScript": ("PUT", "/_mock/tenants/{org}/mappings/{mappingId}/script"),
    "appendScript": ("POST", "/_mock/tenants/{org}/mappings/{mappingId}/script"),
    "listRequests": ("GET", "/_mock/tenants/{org}/requests"),
    "getRequest": ("GET", "/_mock/tenants/{org}/requests/{requestId}"),
    "resolveRequest": ("POST", "/_mock/tenants/{org}/requests/{requestId}/resolve"),
    "exportSnapshot": ("GET", "/_mock/tenants/{org}/snapshot"),
    "restoreSnapshot": ("PUT", "/_mock/tenants/{org}/snapshot"),
    "getClock": ("GET", "/_mock/clock"),
    "moveClock": ("POST", "/_mock/clock"),
    "getJournal": ("GET", "/_mock/journal"),
    "clearJournal": ("DELETE", "/_mock/journal"),
    "countJournal": ("GET", "/_mock/journal/count"),
    "getReport": ("GET", "/_mock/report"),
    "markReport": ("POST", "/_mock/report/mark"),
    "listFaults": ("GET", "/_mock/faults"),
    "addFaults": ("POST", "/_mock/faults"),
    "clearFaults": ("DELETE", "/_mock/faults"),
    "deleteFault": ("DELETE", "/_mock/faults/{faultId}"),
    "reloadFixtures": ("POST", "/_mock/reset"),
    "metrics": ("GET", "/_mock/metrics"),
    "openapiDocument": ("GET", "/_mock/openapi.yaml"),
}

# The control routes of the OpenAPI document this client deliberately does not call.
EXCLUDED_ROUTES: Dict[Tuple[str, str], str] = {
    ("GET", "/_mock/ui"): "the dashboard: an HTML page for a person in a browser, not for a test",
    ("GET", "/_mock"): "the index: links for a person (JSON or HTML), nothing a test needs",
    ("GET", "/_mock/"): "the same index, with the trailing slash",
}

# The README's own example scope for the OAuth server-to-server flow.
DEFAULT_SCOPE = "openid,AdobeID,campaign_sdk"

# Bounds that only tell a hang from an answer (a loaded 2-core CI machine, a sanitizer
# build): the wait for the port file, for the exit after SIGTERM (the server's
# --shutdown-grace is 5 s by default) and for one HTTP answer (a fault may delay one).
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0
HTTP_TIMEOUT_S = 30.0
# The server logs a line per request; a suite's worth is kept only as a tail, enough
# for the error of a failed start or a dead server.
OUTPUT_TAIL_BYTES = 64 * 1024
# poll(): how many In Progress answers before giving up (the default outcome needs 1).
DEFAULT_MAX_POLLS = 100

Json = Any
_NO_BODY = object()


class CampaignMockError(Exception):
    """An error answer of the control API (or of IMS, for token()).

    `status` is the HTTP status; `error_code` and `message` come from the body
    {"code":S,"error_code":"...","message":"..."} (IMS: {"error","error_description"});
    `problems` is its list of validation problems, when it has one; `body` the parsed
    body; `method` and `path` the call.
    """

    def __init__(self, status: int, error_code: Optional[str], message: str, body: Json = None,
                 method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.body = body
        self.problems: Optional[List[str]] = body.get("problems") if isinstance(body, dict) else None
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return self.message


class ApiResponse:
    """An answer of the emulated API: status, headers, the text and its parsed JSON."""

    def __init__(self, status: int, headers: http.client.HTTPMessage, text: str, body: Json) -> None:
        self.status = status
        self.headers = headers
        self.text = text
        self.body = body
        # poll(): the number of status calls made.
        self.polls: Optional[int] = None

    def header(self, name: str) -> Optional[str]:
        """The value of header `name`, any case."""
        return self.headers.get(name)

    def __repr__(self) -> str:
        return "ApiResponse(%d, %r)" % (self.status, self.text)


def header_of(entry: Mapping[str, Any], name: str) -> Optional[str]:
    """The value of header `name` (any case) in a journal entry's requestHeaders."""
    want = name.lower()
    for key, value in (entry.get("requestHeaders") or {}).items():
        if key.lower() == want:
            return value
    return None


_tenant_counter = itertools.count(1)


def unique_tenant_name(prefix: str = "t") -> str:
    """A tenant name no other test of this process (or of another process) uses."""
    return "%s-%d-%d-%s" % (prefix, os.getpid(), next(_tenant_counter), secrets.token_hex(3))


def _find_bin(explicit: Optional[str]) -> str:
    if explicit:
        return explicit
    if os.environ.get("CAMPAIGN_MOCK_BIN"):
        return os.environ["CAMPAIGN_MOCK_BIN"]
    found = shutil.which("campaign-mock")
    if found:
        return found
    raise RuntimeError("campaign-mock not found: set CAMPAIGN_MOCK_BIN or put campaign-mock on PATH")


def _connect_host(host: Optional[str]) -> str:
    if not host or host == "0.0.0.0":
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def _fill(template: str, params: Mapping[str, Any]) -> str:
    out = template
    for key, value in params.items():
        out = out.replace("{%s}" % key, urllib.parse.quote(str(value), safe=""))
    if "{" in out:
        raise ValueError("%s: a path parameter is missing (%s)" % (template, out))
    return out


def _query_string(query: Optional[Mapping[str, Any]]) -> str:
    # quote(), not urlencode(): a space must go as %20 ("In Progress").
    parts = ["%s=%s" % (urllib.parse.quote(str(k), safe=""), urllib.parse.quote(str(v), safe=""))
             for k, v in (query or {}).items() if v is not None]
    return "?" + "&".join(parts) if parts else ""


def _parse(text: str, content_type: Optional[str]) -> Json:
    if not text or "json" not in (content_type or "").lower():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _org(tenant: Union[str, "Tenant"]) -> str:
    return tenant if isinstance(tenant, str) else tenant.name


class _Tail:
    """The last OUTPUT_TAIL_BYTES of the server's output, filled by reader threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data = bytearray()

    def drain(self, stream: Any) -> None:
        for chunk in iter(lambda: stream.read1(4096), b""):
            with self._lock:
                self._data += chunk
                if len(self._data) > OUTPUT_TAIL_BYTES:
                    del self._data[:len(self._data) - OUTPUT_TAIL_BYTES]

    def text(self) -> str:
        with self._lock:
            return self._data.decode("utf-8", "replace")


def child_env(inherited: Mapping[str, str], extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The server's environment: `inherited` without CAMPAIGN_MOCK_TLS_PORT, plus `extra`.
    A shell set up with `eval "$(campaign-mock env)"` exports that variable; inherited,
    it would make every server of a suite bind that one HTTPS port."""
    out = {k: v for k, v in inherited.items() if k != "CAMPAIGN_MOCK_TLS_PORT"}
    out.update(extra or {})
    return out


def _reap(proc: "subprocess.Popen[bytes]", readers: List[threading.Thread], tmp: str) -> None:
    """After the server's exit: its output read to the end, its pipes closed, its
    directory removed."""
    proc.wait()
    for r in readers:
        r.join(1.0)  # the readers see the end of the pipes once the server is gone
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    shutil.rmtree(tmp, ignore_errors=True)


def start(bin: Optional[str] = None, *, auth: Optional[str] = None, clock: Optional[str] = None,
          fixtures: Union[None, str, Sequence[str]] = None, seed: Optional[int] = None,
          db: Optional[str] = None, admin_token: Optional[str] = None,
          journal_max: Optional[int] = None, log_level: Optional[str] = None,
          host: Optional[str] = None, tls_port: Optional[int] = None, args: Iterable[str] = (),
          env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None,
          start_timeout: float = START_TIMEOUT_S) -> "CampaignMock":
    """Spawns campaign-mock with --port 0 --port-file and returns once it listens.

    The binary is `bin`, else $CAMPAIGN_MOCK_BIN, else campaign-mock on PATH. The
    keyword options are the server's flags (auth="strict" is --auth strict; fixtures
    repeats --fixtures); `args` are more flags as they are. The environment is
    inherited, CAMPAIGN_MOCK_TLS_PORT excepted, plus `env`. A server that exits first,
    or writes no port file within `start_timeout` seconds, raises RuntimeError with its
    output.
    """
    exe = _find_bin(bin)
    tmp = tempfile.mkdtemp(prefix="campaign-mock-")
    port_file = os.path.join(tmp, "port")
    argv = [exe, "--port", "0", "--port-file", port_file]
    for flag, value in (("--host", host), ("--auth", auth), ("--clock", clock), ("--seed", seed),
                        ("--db", db), ("--admin-token", admin_token), ("--journal-max", journal_max),
                        ("--log-level", log_level), ("--tls-port", tls_port)):
        if value is not None:
            argv += [flag, str(value)]
    for path in [fixtures] if isinstance(fixtures, str) else (fixtures or ()):
        argv += ["--fixtures", str(path)]
    argv += [str(a) for a in args]
    full_env = child_env(os.environ, env)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=full_env, cwd=cwd)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError("cannot run %s: %s" % (exe, err)) from err
    tail = _Tail()
    readers = [threading.Thread(target=tail.drain, args=(s,), daemon=True) for s in (proc.stdout, proc.stderr)]
    for r in readers:
        r.start()
    deadline = time.monotonic() + start_timeout
    ports: Optional[List[int]] = None
    while ports is None:
        try:
            with open(port_file, encoding="ascii") as f:
                ports = [int(line) for line in f.read().split()]
            break
        except FileNotFoundError:
            pass  # not written yet: the server renames it into place once it listens
        if proc.poll() is not None:
            _reap(proc, readers, tmp)
            raise RuntimeError("campaign-mock exited with status %s before it was ready (%s):\n%s"
                               % (proc.returncode, " ".join(argv), tail.text()))
        if time.monotonic() > deadline:
            proc.kill()
            _reap(proc, readers, tmp)
            raise RuntimeError("campaign-mock wrote no port file within %g s (%s):\n%s"
                               % (start_timeout, " ".join(argv), tail.text()))
        time.sleep(0.01)
    if admin_token is None:
        admin_token = os.environ.get("CAMPAIGN_MOCK_ADMIN_TOKEN") or None
    return CampaignMock(proc, tmp, tail, readers, ports, _connect_host(host), admin_token)


class Clock:
    """The server clock (`mock.clock`); moving it needs --clock manual."""

    def __init__(self, mock: "CampaignMock") -> None:
        self._mock = mock

    def get(self) -> Dict[str, Any]:
        """{"mode": "real"|"manual", "now": ISO-8601, "nowMs": N}."""
        return self._mock.call("getClock")

    def advance(self, ms: int) -> Dict[str, Any]:
        return self._mock.call("moveClock", body={"advanceMs": ms})

    def set(self, when: Union[str, int, datetime.datetime]) -> Dict[str, Any]:
        """Sets the manual clock: an ISO-8601 UTC string, milliseconds since 1970, or an
        aware datetime."""
        if isinstance(when, datetime.datetime):
            when = round(when.timestamp() * 1000)
        if isinstance(when, int):
            # Whole seconds and milliseconds apart: no float in the way of the digits.
            when = datetime.datetime.fromtimestamp(when // 1000, datetime.timezone.utc) \
                .strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (when % 1000)
        return self._mock.call("moveClock", body={"set": when})


class Faults:
    """The server's fault rules (`mock.faults`); they apply to every tenant that their
    match names (Tenant.add_fault() adds one for its tenant only)."""

    def __init__(self, mock: "CampaignMock") -> None:
        self._mock = mock

    def add(self, rule: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> Json:
        """One rule (answers it as listed) or a list ({"faults": [...]})."""
        return self._mock.call("addFaults", body=rule)

    def remove(self, fault_id: str) -> str:
        return self._mock.call("deleteFault", params={"faultId": fault_id})["deleted"]

    def list(self) -> List[Dict[str, Any]]:
        return self._mock.call("listFaults")["faults"]

    def clear(self) -> int:
        return self._mock.call("clearFaults")["deleted"]


class CampaignMock:
    """A running campaign-mock. Made by start(); a context manager that stops it."""

    def __init__(self, proc: "subprocess.Popen[bytes]", tmp: str, tail: _Tail, readers: List[threading.Thread],
                 ports: List[int], host: str, admin_token: Optional[str]) -> None:
        self._proc = proc
        self._tmp = tmp
        self._tail = tail
        self._readers = readers
        self._admin_token = admin_token
        self._stop_lock = threading.Lock()
        self._exit: Optional[Tuple[Optional[int]]] = None
        self.pid: int = proc.pid
        self.host = host
        self.port: int = ports[0]
        self.tls_port: Optional[int] = ports[1] if len(ports) > 1 else None
        self.port_file = os.path.join(tmp, "port")
        url_host = "[%s]" % host if ":" in host else host
        self.base_url = "http://%s:%d" % (url_host, self.port)
        self.campaign_base_url = self.base_url
        self.ims_base_url = self.base_url
        self.control_url = self.base_url + "/_mock"
        self.clock = Clock(self)
        self.faults = Faults(self)
        # A test process that ends without stop() must not leave a server behind.
        atexit.register(self._kill)

    def __enter__(self) -> "CampaignMock":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def output(self) -> str:
        """The server's standard output and error, the last 64 KiB."""
        return self._tail.text()

    def tenant(self, name: Optional[str] = None) -> "Tenant":
        """A handle on tenant `name`, or on a fresh unique name (a copy of the template
        `*` on its first use)."""
        return Tenant(self, name or unique_tenant_name())

    # --- HTTP -------------------------------------------------------------------

    def _http(self, method: str, path: str, query: Optional[Mapping[str, Any]] = None,
              body: Any = _NO_BODY, headers: Optional[Mapping[str, str]] = None,
              form: Optional[Mapping[str, str]] = None) -> ApiResponse:
        h = dict(headers or {})
        data: Optional[bytes] = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not _NO_BODY:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT_S)
        target = path + _query_string(query)
        try:
            conn.request(method, target, body=data, headers=h)
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as err:
            dead = ""
            if self._proc.poll() is not None:
                dead = "; campaign-mock exited with status %s:\n%s" % (self._proc.returncode, self.output())
            raise ConnectionError("%s %s: %s%s" % (method, path, err, dead)) from err
        finally:
            conn.close()
        text = raw.decode("utf-8", "replace")
        return ApiResponse(resp.status, resp.headers, text, _parse(text, resp.headers.get("Content-Type")))

    def call(self, name: str, params: Optional[Mapping[str, Any]] = None,
             query: Optional[Mapping[str, Any]] = None, body: Any = _NO_BODY) -> Json:
        """Calls the route named `name` of ROUTES: `params` fill its path template,
        `query` and `body` (JSON) are sent. Returns the parsed JSON body (the text for
        other answers); an error status raises CampaignMockError."""
        method, template = ROUTES[name]
        path = _fill(template, params or {})
        headers = {"X-Mock-Admin-Token": self._admin_token} if self._admin_token else {}
        res = self._http(method, path, query=query, body=body, headers=headers)
        if res.status >= 400:
            b = res.body if isinstance(res.body, dict) else None
            raise CampaignMockError(res.status, b.get("error_code") if b else None,
                                    b.get("message", res.text) if b else res.text, res.body, method, path)
        return res.body if res.body is not None else res.text

    # --- control API ------------------------------------------------------------

    def health(self) -> Dict[str, Any]:
        return self.call("health")

    def tenants(self) -> Dict[str, Any]:
        """{"tenants": [{"name", "mappings"}], "template": bool}."""
        return self.call("listTenants")

    # The filters are named parameters: the server ignores a query parameter it does
    # not know, so a misspelt filter would silently read every tenant's entries.
    def journal(self, tenant: Optional[str] = None, mapping: Optional[str] = None,
                method: Optional[str] = None, status: Optional[int] = None,
                limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """The entries, oldest first (with `limit`, the newest N)."""
        return self.call("getJournal", query={"tenant": tenant, "mapping": mapping, "method": method,
                                              "status": status, "limit": limit})["entries"]

    def journal_count(self, tenant: Optional[str] = None, mapping: Optional[str] = None,
                      method: Optional[str] = None, status: Optional[int] = None) -> int:
        return self.call("countJournal", query={"tenant": tenant, "mapping": mapping, "method": method,
                                                "status": status})["count"]

    def clear_journal(self) -> int:
        return self.call("clearJournal")["deleted"]

    def metrics(self) -> str:
        """The Prometheus text."""
        return self.call("metrics")

    def report(self, tenant: Optional[str] = None, since: Optional[int] = None,
               poll_interval_ms: Optional[int] = None) -> Dict[str, Any]:
        """GET /_mock/report: the coverage of Adobe's answers and the findings about the
        client, read off the journal (after the entry id `since`, default the last mark)."""
        return self.call("getReport", query={"tenant": tenant, "since": since, "pollIntervalMs": poll_interval_ms})

    def mark_report(self) -> int:
        """Starts a new report window; returns the entry id it starts after."""
        return self.call("markReport")["mark"]

    def reload(self) -> Dict[str, Any]:
        """POST /_mock/reset: every tenant, request and fault rule back to the fixtures."""
        return self.call("reloadFixtures")

    def openapi(self) -> str:
        return self.call("openapiDocument")

    # --- the emulated API -------------------------------------------------------

    def token(self, client_id: str, client_secret: str, scope: str = DEFAULT_SCOPE) -> str:
        """An access token from the emulated IMS (/ims/token/v3, client credentials). An
        IMS error raises CampaignMockError whose error_code is the body's `error`."""
        method, path = ROUTES["imsTokenV3"]
        res = self._http(method, path, form={"client_id": client_id, "client_secret": client_secret,
                                             "grant_type": "client_credentials", "scope": scope})
        b = res.body if isinstance(res.body, dict) else {}
        if res.status != 200 or not isinstance(b.get("access_token"), str):
            raise CampaignMockError(res.status, b.get("error"), b.get("error_description", res.text),
                                    res.body, method, path)
        return b["access_token"]

    @staticmethod
    def _auth(token: Optional[str], api_key: Optional[str],
              headers: Optional[Mapping[str, str]]) -> Dict[str, str]:
        h: Dict[str, str] = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if api_key is not None:
            h["X-Api-Key"] = api_key
        h.update(headers or {})
        return h

    def trigger(self, tenant: Union[str, "Tenant"], mapping: str, token: Optional[str] = "token",
                api_key: Optional[str] = "key", headers: Optional[Mapping[str, str]] = None) -> ApiResponse:
        """POST .../xdmIngestion/{mapping}/ingest, whatever the answer's status.
        `token`/`api_key` default to "token"/"key" (enough for --auth presence); None
        sends no header."""
        method, template = ROUTES["triggerIngestion"]
        path = _fill(template, {"org": _org(tenant), "mappingId": mapping})
        return self._http(method, path, headers=self._auth(token, api_key, headers))

    def status(self, tenant: Union[str, "Tenant"], mapping: str, request_id: int,
               token: Optional[str] = "token", api_key: Optional[str] = "key",
               headers: Optional[Mapping[str, str]] = None) -> ApiResponse:
        """One status call, GET .../ingest?requestId=N."""
        method, template = ROUTES["getIngestionStatus"]
        path = _fill(template, {"org": _org(tenant), "mappingId": mapping})
        return self._http(method, path, query={"requestId": request_id},
                          headers=self._auth(token, api_key, headers))

    def poll(self, tenant: Union[str, "Tenant"], mapping: str, request_id: int,
             token: Optional[str] = "token", api_key: Optional[str] = "key",
             headers: Optional[Mapping[str, str]] = None, max_polls: int = DEFAULT_MAX_POLLS,
             interval: float = 0.0,
             on_poll: Optional[Callable[[ApiResponse, int], None]] = None) -> ApiResponse:
        """Polls until the request leaves In Progress (or an answer is not 200) and
        returns that answer, its `polls` set to the calls made. Between two In
        Progress answers it calls on_poll(answer, n) when given, else sleeps `interval`
        seconds. Raises AssertionError after `max_polls` In Progress answers."""
        for n in range(1, max_polls + 1):
            res = self.status(tenant, mapping, request_id, token, api_key, headers)
            res.polls = n
            if res.status != 200 or not isinstance(res.body, dict) or res.body.get("status") != "In Progress":
                return res
            if on_poll is not None:
                on_poll(res, n)
            elif interval > 0:
                time.sleep(interval)
        raise AssertionError("request %s of %s/%s still In Progress after %d polls"
                             % (request_id, _org(tenant), mapping, max_polls))

    # --- process ------------------------------------------------------------------

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> Optional[int]:
        """SIGTERM, then waits for the exit; returns the exit status (0: clean; None
        when a signal ended it). Stopping twice returns the same status."""
        with self._stop_lock:
            if self._exit is not None:
                return self._exit[0]
            try:
                if self._proc.poll() is None:
                    self._proc.send_signal(signal.SIGTERM)
                try:
                    self._proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
                    raise RuntimeError("campaign-mock did not exit within %.0f s of SIGTERM; killed:\n%s"
                                       % (timeout, self.output()))
                code = self._proc.returncode
                self._exit = (code if code >= 0 else None,)
                return self._exit[0]
            finally:
                atexit.unregister(self._kill)
                _reap(self._proc, self._readers, self._tmp)

    def _kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        shutil.rmtree(self._tmp, ignore_errors=True)


class Tenant:
    """One tenant (the {org} of the paths). Made by CampaignMock.tenant(); the server
    creates it from the template `*` on its first use, control calls included."""

    def __init__(self, mock: CampaignMock, name: str) -> None:
        self.mock = mock
        self.name = name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return "Tenant(%r)" % self.name

    def _call(self, route: str, body: Any = _NO_BODY, query: Optional[Mapping[str, Any]] = None,
              **params: Any) -> Json:
        return self.mock.call(route, params={"org": self.name, **params}, query=query, body=body)

    def get(self) -> Dict[str, Any]:
        return self._call("getTenant")

    def delete(self) -> Dict[str, Any]:
        return self._call("deleteTenant")

    def reset(self) -> Dict[str, Any]:
        """Back to the template's (or fixture's) state: mappings as loaded, requests gone."""
        return self._call("resetTenant")

    def mappings(self) -> List[Dict[str, Any]]:
        return self._call("listMappings")["mappings"]

    def get_mapping(self, mapping_id: str) -> Dict[str, Any]:
        return self._call("getMapping", mappingId=mapping_id)

    def put_mapping(self, mapping_id: str, mapping: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Creates or replaces mapping `mapping_id` (fixture form)."""
        return self._call("putMapping", body=dict(mapping or {}), mappingId=mapping_id)

    def delete_mapping(self, mapping_id: str) -> Dict[str, Any]:
        return self._call("deleteMapping", mappingId=mapping_id)

    def publish(self, mapping_id: str) -> Dict[str, Any]:
        return self._call("publishMapping", mappingId=mapping_id)

    def unpublish(self, mapping_id: str) -> Dict[str, Any]:
        return self._call("unpublishMapping", mappingId=mapping_id)

    def start(self, mapping_id: str) -> Dict[str, Any]:
        return self._call("startMapping", mappingId=mapping_id)

    def stop(self, mapping_id: str) -> Dict[str, Any]:
        return self._call("stopMapping", mappingId=mapping_id)

    def records(self, mapping_id: str, add: int) -> Dict[str, Any]:
        """Adds `add` changed records to the mapping."""
        return self._call("addChangedRecords", body={"add": add}, mappingId=mapping_id)

    def get_script(self, mapping_id: str) -> Dict[str, Any]:
        return self._call("getScript", mappingId=mapping_id)

    def put_script(self, mapping_id: str, script: Any) -> Dict[str, Any]:
        """Replaces the script: a list of steps, or {"script", "defaultOutcome"}."""
        return self._call("replaceScript", body=script, mappingId=mapping_id)

    def append_script(self, mapping_id: str, steps: Any) -> Dict[str, Any]:
        """Appends one step (a dict) or several (a list)."""
        return self._call("appendScript", body=steps, mappingId=mapping_id)

    def requests(self, mapping: Optional[str] = None, status: Optional[str] = None,
                 limit: Optional[int] = None, after: Optional[int] = None) -> Dict[str, Any]:
        """One page: {"requests": [...], "next": id when the limit left some out}."""
        return self._call("listRequests", query={"mapping": mapping, "status": status,
                                                 "limit": limit, "after": after})

    def all_requests(self, mapping: Optional[str] = None, status: Optional[str] = None,
                     limit: Optional[int] = None, after: Optional[int] = None) -> List[Dict[str, Any]]:
        """Every request matching the filters, following "next" page by page."""
        out: List[Dict[str, Any]] = []
        while True:
            page = self.requests(mapping, status, limit, after)
            out += page["requests"]
            if "next" not in page:
                return out
            after = page["next"]

    def request(self, request_id: int) -> Dict[str, Any]:
        return self._call("getRequest", requestId=request_id)

    def resolve(self, request_id: int, step: Mapping[str, Any]) -> Dict[str, Any]:
        """Applies `step` to an In Progress request now (how a hang ends)."""
        return self._call("resolveRequest", body=dict(step), requestId=request_id)

    def snapshot(self) -> Dict[str, Any]:
        return self._call("exportSnapshot")

    def restore(self, snapshot: Mapping[str, Any]) -> Dict[str, Any]:
        return self._call("restoreSnapshot", body=dict(snapshot))

    def journal(self, mapping: Optional[str] = None, method: Optional[str] = None,
                status: Optional[int] = None, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """This tenant's journal entries, oldest first."""
        return self.mock.journal(self.name, mapping, method, status, limit)

    def journal_count(self, mapping: Optional[str] = None, method: Optional[str] = None,
                      status: Optional[int] = None) -> int:
        return self.mock.journal_count(self.name, mapping, method, status)

    def report(self, since: Optional[int] = None, poll_interval_ms: Optional[int] = None) -> Dict[str, Any]:
        """The report of this tenant's calls (IMS calls, which have no tenant, are in)."""
        return self.mock.report(self.name, since, poll_interval_ms)

    def add_fault(self, rule: Mapping[str, Any]) -> Dict[str, Any]:
        """Adds a fault rule that matches this tenant only (match.tenant is set), so
        tests running in parallel do not see each other's faults. Rules are
        server-wide: remove it with mock.faults.remove(rule_id)."""
        match = dict(rule.get("match") or {})
        match["tenant"] = self.name
        return self.mock.faults.add({**rule, "match": match})

    def trigger(self, mapping: str, **auth: Any) -> ApiResponse:
        return self.mock.trigger(self, mapping, **auth)

    def status(self, mapping: str, request_id: int, **auth: Any) -> ApiResponse:
        return self.mock.status(self, mapping, request_id, **auth)

    def poll(self, mapping: str, request_id: int, **options: Any) -> ApiResponse:
        return self.mock.poll(self, mapping, request_id, **options)
