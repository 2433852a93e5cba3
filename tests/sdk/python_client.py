"""sdk.python: a standard-library Python client on Adobe's real https URLs, against
campaign-mock's HTTPS listener through preload/python/sitecustomize.py.

The parent (run by ctest, CAMPAIGN_MOCK_BIN and CAMPAIGN_MOCK_SOURCE set) starts the
server with --tls-port 0 --auth strict in a temporary directory, checks the preload's
own behaviour in short child interpreters (no port: stops; no CA: the certificate is
refused; another sitecustomize further on the path still runs), then runs this same
file with --client in a child interpreter that has only what a user's shell would have
after `campaign-mock env`: PYTHONPATH=<repo>/preload/python, SSL_CERT_FILE=<dir>/ca.pem,
CAMPAIGN_MOCK_TLS_PORT. The client, with urllib.request only: tokens from
/ims/token/v3 and /ims/token/v2 (form posts), a trigger, the polls to Success, a 429
on the trigger waited out by its Retry-After, then checks the mock's journal: every call
came in on Adobe's host names, in the order and with the statuses expected. It also
checks that the preload refuses every other name. The server stops with SIGTERM at the
end.

Prints one "ok"/"not ok" line per check and "N passed, N failed"; exits 1 on any failure.
"""

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

# The IMS client of tests/docs/clients.json, with the SQL role, tenant acme only.
CLIENT_ID = "my-client-id"
CLIENT_SECRET = "my-client-secret"
ORG_ID = "ABC123@AdobeOrg"
SCOPE = "openid,AdobeID,campaign_sdk"

IMS_HOST = "ims-na1.adobelogin.com"
API_HOST = "mc.adobe.io"
# A name the server's certificate gets through --tls-host and the client sends to the
# mock through CAMPAIGN_MOCK_TLS_HOST; and one the client sends but the certificate
# lacks, whose certificate check must then fail.
EXTRA_HOST = "campaign.example.test"
UNCERTIFIED_HOST = "uncertified.example.test"
INGEST_PATH = "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest"
TRIGGER_URL = "https://%s%s" % (API_HOST, INGEST_PATH)

# Bounds that only tell a hang from an answer: ten times what a sanitizer build needs.
SERVER_READY_S = 20
CLIENT_S = 60
HTTP_TIMEOUT_S = 10
# Polls of one ingestion request before giving up: XDM44 answers In Progress once.
MAX_POLLS = 10
POLL_INTERVAL_S = 0.02

PREFIX = "campaign-mock preload: refusing"

passed = 0
failed = 0


def report(ok, what, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print("ok - %s" % what)
    else:
        failed += 1
        print("not ok - %s" % what)
        if detail:
            print("    " + str(detail).rstrip().replace("\n", "\n    "))
    sys.stdout.flush()
    return ok


def finish():
    print("%d passed, %d failed" % (passed, failed))
    sys.stdout.flush()
    sys.exit(0 if failed == 0 else 1)


def fatal(message):
    report(False, message)
    finish()


class CheckFailed(Exception):
    pass


def expect_equal(actual, expected, what):
    if actual != expected:
        raise CheckFailed("%s: expected %r, got %r" % (what, expected, actual))


# ---------------------------------------------------------------------------------------
# The client: runs in the child interpreter, with the preload loaded.
# ---------------------------------------------------------------------------------------


def call(url, data=None, headers=None, method=None):
    """(status, headers, body text) of one request; an HTTP error status is an answer."""
    request = urllib.request.Request(url, data, headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read().decode("utf-8")


def refused(url):
    """The OSError under urllib's URLError for url, or None when it was answered."""
    try:
        call(url)
    except urllib.error.URLError as e:
        return e.reason
    return None


def control_call(method, route, body=None):
    # Control calls go to 127.0.0.1, a local address the preload lets through.
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    status, _, text = call(os.environ["CAMPAIGN_MOCK_CONTROL_URL"] + route, data, headers, method)
    if status >= 300:
        raise CheckFailed("%s %s: %d %s" % (method, route, status, text))
    return json.loads(text)


def submitted(request_id):
    return ('{"requestId": %d, "info": "Ingestion request submitted successfully for the '
            'Mapping ID: XDM44", "status": "Success"}' % request_id)


def in_progress(request_id):
    return ('{"batchId": "", "info": "Mapping Id: XDM44.", "numRecords": 0, '
            '"requestId": %d, "status": "In Progress"}' % request_id)


def success(request_id):
    return ('{"batchId": "", "info": "Mapping Id: XDM44. ", "numRecords": 15, '
            '"requestId": %d, "status": "Success"}' % request_id)


TOKEN_BODY = re.compile(r'^\{"access_token": "([^"]+)", "token_type": "bearer", "expires_in": 86399\}$')


def token(version, extra):
    fields = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
              "grant_type": "client_credentials", "scope": SCOPE}
    fields.update(extra)
    status, _, body = call("https://%s/ims/token/%s" % (IMS_HOST, version),
                           urllib.parse.urlencode(fields).encode())
    expect_equal(status, 200, "/ims/token/%s: status" % version)
    match = TOKEN_BODY.match(body)
    if not match:
        raise CheckFailed("/ims/token/%s: body %r is not Adobe's token answer" % (version, body))
    return match.group(1)


def auth(access_token):
    return {"Authorization": "Bearer " + access_token, "X-Api-Key": CLIENT_ID}


def expect_answer(answer, status, body, what):
    expect_equal(answer[0], status, what + ": status")
    expect_equal(answer[2], body, what + ": body")


def poll_to_end(request_id, access_token):
    bodies = []
    for i in range(MAX_POLLS):
        status, _, body = call("%s?requestId=%d" % (TRIGGER_URL, request_id),
                               headers=auth(access_token))
        expect_equal(status, 200, "poll %d of request %d: status" % (i + 1, request_id))
        bodies.append(body)
        if json.loads(body)["status"] != "In Progress":
            return bodies
        time.sleep(POLL_INTERVAL_S)
    raise CheckFailed("request %d still In Progress after %d polls: %s"
                      % (request_id, MAX_POLLS, " | ".join(bodies)))


def client():
    state = {}

    def check_refusals():
        reason = refused("https://example.com/")
        if not (isinstance(reason, socket.gaierror) and reason.errno == socket.EAI_NONAME
                and str(reason.strerror).startswith(PREFIX + " example.com")):
            raise CheckFailed("https://example.com/: expected a gaierror %r..., got %r"
                              % (PREFIX + " example.com", reason))
        reason = refused("http://%s/" % API_HOST)
        plain = "%s %s: port 80 is not 443" % (PREFIX, API_HOST)
        if not (isinstance(reason, socket.gaierror) and str(reason.strerror).startswith(plain)):
            raise CheckFailed("http://%s/: expected %r..., got %r" % (API_HOST, plain, reason))
        address = socket.getaddrinfo(API_HOST, 443, type=socket.SOCK_STREAM)[0][4]
        expect_equal(address, ("127.0.0.1", int(os.environ["CAMPAIGN_MOCK_TLS_PORT"])),
                     "getaddrinfo(%s, 443)" % API_HOST)

    def check_tokens():
        state["v3"] = token("v3", {})
        state["v2"] = token("v2", {"org_id": ORG_ID})

    def check_trigger():
        expect_answer(call(TRIGGER_URL, b"", auth(state["v3"])), 200, submitted(3520),
                      "first trigger")
        expect_answer(call(TRIGGER_URL, b"", auth(state["v3"])), 200,
                      '{"requestId": 3520, "info": "Ingestion request already in progress '
                      'for the Mapping ID: XDM44", "status": "In Progress"}', "second trigger")

    def check_polls():
        expect_equal(poll_to_end(3520, state["v2"]), [in_progress(3520), success(3520)],
                     "the polls' bodies")

    def check_busy():
        control_call("POST", "/_mock/faults", {
            "id": "sdk-busy-trigger",
            "match": {"method": "POST", "endpoint": "ingest.trigger", "tenant": "acme",
                      "mapping": "XDM44"},
            "action": {"error": "429050"},
            "times": 1,
        })
        status, headers, body = call(TRIGGER_URL, b"", auth(state["v3"]))
        expect_answer((status, headers, body), 429,
                      '{"error_code":"429050","message":"Too many requests"}', "busy trigger")
        expect_equal(headers.get("Retry-After"), "1", "busy trigger: Retry-After")
        time.sleep(int(headers["Retry-After"]))
        expect_answer(call(TRIGGER_URL, b"", auth(state["v3"])), 200, submitted(3521),
                      "trigger after the wait")
        expect_equal(poll_to_end(3521, state["v3"]), [in_progress(3521), success(3521)],
                     "the polls' bodies")

    def check_extra_hosts():
        url = "https://%s%s?requestId=3521" % (EXTRA_HOST, INGEST_PATH)
        expect_answer(call(url, headers=auth(state["v3"])), 200, success(3521),
                      "GET on " + EXTRA_HOST)
        reason = refused("https://%s/" % UNCERTIFIED_HOST)
        if not (isinstance(reason, ssl.SSLCertVerificationError)
                and "Hostname mismatch" in str(reason.verify_message)):
            raise CheckFailed("https://%s/: expected a hostname mismatch, got %r"
                              % (UNCERTIFIED_HOST, reason))

    def check_journal():
        entries = control_call("GET", "/_mock/journal")["entries"]

        def header(entry, name):
            for key, value in entry["requestHeaders"].items():
                if key.lower() == name:
                    return value
            return None

        seen = ["%s %s %s %d" % (header(e, "host"), e["method"], e["path"], e["status"])
                for e in entries]
        expected = [
            "%s POST /ims/token/v3 200" % IMS_HOST,
            "%s POST /ims/token/v2 200" % IMS_HOST,
            "%s POST %s 200" % (API_HOST, INGEST_PATH),
            "%s POST %s 200" % (API_HOST, INGEST_PATH),
            "%s GET %s 200" % (API_HOST, INGEST_PATH),
            "%s GET %s 200" % (API_HOST, INGEST_PATH),
            "%s POST %s 429" % (API_HOST, INGEST_PATH),
            "%s POST %s 200" % (API_HOST, INGEST_PATH),
            "%s GET %s 200" % (API_HOST, INGEST_PATH),
            "%s GET %s 200" % (API_HOST, INGEST_PATH),
            "%s GET %s 200" % (EXTRA_HOST, INGEST_PATH),
        ]
        expect_equal("\n".join(seen), "\n".join(expected),
                     "journal (host method path status)")
        expect_equal(header(entries[0], "content-type"), "application/x-www-form-urlencoded",
                     "/ims/token/v3: Content-Type")

    checks = [
        ("the preload refuses a name that is not Adobe's, and plain http to Adobe's",
         check_refusals),
        ("tokens from POST /ims/token/v3 and /ims/token/v2 (urlencoded form, org_id on v2)",
         check_tokens),
        ("a trigger of XDM44: submitted, then already in progress", check_trigger),
        ("polls of request 3520 to Success (15 records), with the v2 token", check_polls),
        ("a 429 on the trigger: Retry-After waited out, then submitted and polled to Success",
         check_busy),
        ("CAMPAIGN_MOCK_TLS_HOST: %s (in the certificate) reaches the mock, %s fails the "
         "certificate check" % (EXTRA_HOST, UNCERTIFIED_HOST), check_extra_hosts),
        ("the journal: every call on Adobe's names, in order, with the statuses expected",
         check_journal),
    ]
    for what, fn in checks:
        try:
            fn()
            report(True, what)
        except Exception:  # a failed check, whatever raised it, is reported with its trace
            report(False, what, traceback.format_exc())
            break  # each check builds on the ones before it
    finish()


# ---------------------------------------------------------------------------------------
# The parent: starts the server, checks the preload's behaviour, runs the client.
# ---------------------------------------------------------------------------------------


def wait_for(what, bound_s, test):
    deadline = time.monotonic() + bound_s
    while True:
        value = test()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailed("%s: not within %d s" % (what, bound_s))
        time.sleep(0.02)


def preload_run(preload_dirs, env, script):
    """Runs a short script in a child interpreter with the preload on PYTHONPATH (and no
    __pycache__ written beside it: the build embeds every file of preload/)."""
    full = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(preload_dirs),
            "PYTHONDONTWRITEBYTECODE": "1"}
    full.update(env)
    return subprocess.run([sys.executable, "-c", script], env=full, capture_output=True,
                          text=True, timeout=CLIENT_S)


def parent():
    binary = os.environ.get("CAMPAIGN_MOCK_BIN")
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.environ.get("CAMPAIGN_MOCK_SOURCE") or os.path.dirname(os.path.dirname(here))
    if not binary:
        fatal("CAMPAIGN_MOCK_BIN is not set (ctest sets it to the server binary)")
    preload_dir = os.path.join(source, "preload", "python")

    tmp = tempfile.mkdtemp(prefix="campaign-mock-sdk-py-")
    port_file = os.path.join(tmp, "port")
    out_path, err_path = os.path.join(tmp, "server.out"), os.path.join(tmp, "server.err")
    args = [binary, "--port", "0", "--tls-port", "0", "--tls-dir", os.path.join(tmp, "tls"),
            "--tls-host", EXTRA_HOST, "--port-file", port_file, "--auth", "strict",
            "--fixtures", os.path.join(source, "fixtures", "acs-docs.json"),
            "--fixtures", os.path.join(source, "tests", "docs", "clients.json")]
    # The server's environment is its options' twin: none of ours may leak into it.
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_MOCK_")}
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        server = subprocess.Popen(args, cwd=tmp, env=server_env, stdin=subprocess.DEVNULL,
                                  stdout=out, stderr=err)

    def server_stderr():
        with open(err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def ports_ready():
        if server.poll() is not None:
            raise CheckFailed("the server exited with status %d:\n%s"
                              % (server.returncode, server_stderr()))
        try:
            with open(port_file) as f:
                lines = [line for line in f.read().split("\n") if line]
        except FileNotFoundError:
            return None
        return (int(lines[0]), int(lines[1])) if len(lines) == 2 else None

    try:
        http_port, https_port = wait_for("the port file's two lines", SERVER_READY_S, ports_ready)

        def ready_lines():
            with open(out_path) as f:
                text = f.read()
            return ("campaign-mock listening on https://127.0.0.1:%d\n" % https_port in text
                    and "campaign-mock listening on http://127.0.0.1:%d\n" % http_port in text)

        wait_for("the two ready lines on stdout", SERVER_READY_S, ready_lines)
        report(True, "server ready: http %d, https %d" % (http_port, https_port))
    except CheckFailed as e:
        server.kill()
        server.wait()
        fatal("server start: %s" % e)
    ca = os.path.join(tmp, "tls", "ca.pem")

    run = preload_run([preload_dir], {"SSL_CERT_FILE": ca}, "print('ran unpatched')")
    report(run.returncode == 2 and run.stdout == ""
           and re.match(r"^campaign-mock preload: CAMPAIGN_MOCK_TLS_PORT is not set: [^\n]*\n\Z",
                        run.stderr) is not None,
           "the preload without CAMPAIGN_MOCK_TLS_PORT stops the interpreter with one line naming it",
           "status %d, stdout %r, stderr %r" % (run.returncode, run.stdout, run.stderr))

    run = preload_run([preload_dir], {"CAMPAIGN_MOCK_TLS_PORT": str(https_port)},
                      "import urllib.request, urllib.error\n"
                      "try:\n"
                      "    urllib.request.urlopen('https://%s/', timeout=%d)\n"
                      "except urllib.error.URLError as e:\n"
                      "    print(type(e.reason).__name__)\n" % (API_HOST, HTTP_TIMEOUT_S))
    report(run.returncode == 0 and run.stdout == "SSLCertVerificationError\n",
           "without SSL_CERT_FILE the mock's certificate is refused (verification stays on)",
           "status %d, stdout %r, stderr %r" % (run.returncode, run.stdout, run.stderr))

    # Debian's own sitecustomize (apport's hook on Ubuntu) must not be hidden by ours.
    chained = os.path.join(tmp, "chained")
    os.mkdir(chained)
    with open(os.path.join(chained, "sitecustomize.py"), "w") as f:
        f.write("import builtins\nbuiltins.campaign_mock_chained = __file__\n")
    run = preload_run([preload_dir, chained], {"CAMPAIGN_MOCK_TLS_PORT": str(https_port)},
                      "import builtins, socket, sitecustomize\n"
                      "print(sitecustomize.__file__)\n"
                      "print(getattr(builtins, 'campaign_mock_chained', None))\n"
                      "print(socket.getaddrinfo.__module__)\n")
    expected = "%s\n%s\n%s\n" % (os.path.join(preload_dir, "sitecustomize.py"),
                                 os.path.join(chained, "sitecustomize.py"), "sitecustomize")
    report(run.returncode == 0 and run.stdout == expected,
           "the preload runs the sitecustomize it hides further on the path",
           "status %d, stdout %r (expected %r), stderr %r"
           % (run.returncode, run.stdout, expected, run.stderr))

    # The client's environment: only what `campaign-mock env` gives, a home of its own, no
    # proxy.
    home = os.path.join(tmp, "home")
    os.mkdir(home)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "PYTHONPATH": preload_dir,
        # No __pycache__ in the source tree's preload/ (every file there is embedded).
        "PYTHONDONTWRITEBYTECODE": "1",
        "SSL_CERT_FILE": ca,
        "CAMPAIGN_MOCK_TLS_PORT": str(https_port),
        "CAMPAIGN_MOCK_TLS_HOST": "%s,%s" % (EXTRA_HOST, UNCERTIFIED_HOST),
        "CAMPAIGN_MOCK_CONTROL_URL": "http://127.0.0.1:%d" % http_port,
    }
    try:
        code = subprocess.run([sys.executable, os.path.abspath(__file__), "--client"], cwd=home,
                              env=env, stdin=subprocess.DEVNULL, timeout=CLIENT_S).returncode
        report(code == 0, "the client flows (child interpreter, above)", "exit status %d" % code)
    except subprocess.TimeoutExpired:
        report(False, "the client flows (child interpreter, above)",
               "killed after %d s" % CLIENT_S)

    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=SERVER_READY_S)
        report(code == 0, "the server stops with status 0 on SIGTERM", "exit status %d" % code)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        report(False, "the server stops with status 0 on SIGTERM",
               "still running %d s after SIGTERM" % SERVER_READY_S)
    if failed:
        print("server stderr:\n" + server_stderr())
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    if sys.argv[1:] == ["--client"]:
        client()
    else:
        parent()
