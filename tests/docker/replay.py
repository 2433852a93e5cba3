#!/usr/bin/env python3
"""Docker image test without a Docker daemon (ctest: docker.replay).

Reads docker/Dockerfile and replays it in a scratch directory: the build stage's COPY
set from the repository and its build commands (every RUN line that does not start
with apt-get, which this machine's packages stand for), then the final stage's
COPY --from=build into a scratch root. Then runs the result as the image would:
ENTRYPOINT + CMD with ENV, the HEALTHCHECK command against it, and the `docker run
IMAGE ARGS` forms of the README. Absolute paths of the image are mapped into the
scratch directory; the port becomes 0 and the host 127.0.0.1 (a container has a
network of its own, the test shares this machine's).

It also checks, as hadolint would (hadolint itself is in neither Debian 12 nor npm),
the rules the image keeps: the base pinned by digest, no ADD, no VOLUME, apt-get with
--no-install-recommends and its lists removed in the same RUN, a non-root USER before
ENTRYPOINT, exec-form ENTRYPOINT, CMD and HEALTHCHECK.

    tests/docker/replay.py SOURCE_DIR
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

src = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
dockerfile = os.path.join(src, "docker", "Dockerfile")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def instructions(path):
    """(keyword, argument text) pairs, continuation lines joined, comments dropped."""
    out, cur = [], ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):
            continue
        cur += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            kw, _, rest = cur.strip().partition(" ")
            out.append((kw.upper(), rest.strip()))
            cur = ""
    return out


steps = instructions(dockerfile)
args = {}
stages = []  # lists of (kw, arg) per FROM
for kw, arg in steps:
    if kw == "ARG" and not stages:
        name, _, value = arg.partition("=")
        args[name] = value
    elif kw == "FROM":
        stages.append([(kw, arg)])
    elif stages:
        stages[-1].append((kw, arg))
if len(stages) != 2:
    fail(f"expected two stages (build, runtime), found {len(stages)}")
    sys.exit(1)
build, runtime = stages

# --- the rules --------------------------------------------------------------------------
for stage in stages:
    base = stage[0][1].split()[0]
    base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), base)
    if not re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", base):
        fail(f"FROM {stage[0][1]}: the base image is not pinned by digest ({base})")
for kw, arg in steps:
    if kw == "ADD":
        fail("ADD: use COPY")
    if kw == "VOLUME":
        fail(f"VOLUME {arg}: an anonymous volume even for :memory: (let --db ask for one)")
    if kw == "RUN" and "apt-get install" in arg:
        if "--no-install-recommends" not in arg:
            fail("apt-get install without --no-install-recommends")
        if "rm -rf /var/lib/apt/lists/*" not in arg:
            fail("apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN")
kws = [kw for kw, _ in runtime]
for kw in ("USER", "ENTRYPOINT", "CMD", "HEALTHCHECK"):
    if kw not in kws:
        fail(f"the final stage has no {kw}")
if "USER" in kws and "ENTRYPOINT" in kws and kws.index("USER") > kws.index("ENTRYPOINT"):
    fail("USER comes after ENTRYPOINT")
user = [a for k, a in runtime if k == "USER"]
if user and user[-1] in ("root", "0"):
    fail("the image runs as root")


def exec_form(kw, arg):
    try:
        v = json.loads(arg)
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return v
    except ValueError:
        pass
    fail(f"{kw} {arg}: not the exec form (a JSON array)")
    return []


entrypoint = exec_form("ENTRYPOINT", dict(runtime).get("ENTRYPOINT", "[]"))
cmd = exec_form("CMD", dict(runtime).get("CMD", "[]"))
health = dict(runtime).get("HEALTHCHECK", "")
health_cmd = exec_form("HEALTHCHECK CMD", health.split(" CMD ", 1)[1] if " CMD " in health else "[]")

# --- the build stage --------------------------------------------------------------------
scratch = tempfile.mkdtemp(prefix="cm-docker-")
server = None


def mapped(path):
    """An absolute path of the image, inside the scratch directory."""
    return os.path.join(scratch, path.lstrip("/"))


try:
    workdir = "/"
    for kw, arg in build[1:]:
        if kw == "WORKDIR":
            workdir = arg
            os.makedirs(mapped(workdir), exist_ok=True)
        elif kw == "COPY":
            parts = arg.split()
            *sources, dest = parts
            dest_path = mapped(os.path.join(workdir, dest))
            for s in sources:
                origin = os.path.join(src, s)
                if not os.path.exists(origin):
                    fail(f"COPY {s}: not in the repository")
                    continue
                if os.path.isdir(origin):
                    shutil.copytree(origin, dest_path, dirs_exist_ok=True)
                else:
                    os.makedirs(dest_path if dest.endswith("/") else os.path.dirname(dest_path),
                                exist_ok=True)
                    shutil.copy(origin, dest_path)
        elif kw == "RUN" and not arg.startswith("apt-get"):
            # The image's absolute paths (/out, /src) into the scratch directory.
            command = re.sub(r"(?<![\w.$-])/(out|src)\b", lambda m: mapped("/" + m.group(1)), arg)
            print("RUN", command, flush=True)
            rc = subprocess.run(["bash", "-c", command], cwd=mapped(workdir),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if rc.returncode != 0:
                fail(f"RUN {arg}: exit {rc.returncode}\n{rc.stderr[-3000:]}")
                raise SystemExit(1)

    # --- the final stage ----------------------------------------------------------------
    root = os.path.join(scratch, "root")
    env = {}
    for kw, arg in runtime[1:]:
        if kw == "COPY" and arg.startswith("--from=build "):
            source, dest = arg.split()[1:]
            target = os.path.join(root, dest.lstrip("/"))
            if os.path.isdir(mapped(source)):
                shutil.copytree(mapped(source), target, dirs_exist_ok=True)
            elif os.path.isfile(mapped(source)):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy(mapped(source), target)
            else:
                fail(f"COPY {arg}: the build stage made no {source}")
        elif kw == "COPY":
            fail(f"COPY {arg}: the final stage should take everything from the build stage")
        elif kw == "ENV":
            for pair in arg.split():
                name, _, value = pair.partition("=")
                env[name] = value
        elif kw == "WORKDIR":
            os.makedirs(os.path.join(root, arg.lstrip("/")), exist_ok=True)
    for path in ("usr/bin/campaign-mock", "usr/share/man/man1/campaign-mock.1.gz",
                 "usr/share/campaign-mock/fixtures/acs-docs.json",
                 "usr/share/campaign-mock/preload/campaign-mock-preload.js",
                 "usr/share/doc/campaign-mock/copyright"):
        if not os.path.isfile(os.path.join(root, path)):
            fail(f"the image lacks /{path}")

    run_env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_MOCK_")}
    run_env.update(env)
    run_env["PATH"] = os.path.join(root, "usr/bin") + ":" + run_env.get("PATH", "")
    run_env["HOME"] = os.path.join(root, "data")
    port_file = os.path.join(root, env.get("CAMPAIGN_MOCK_PORT_FILE", "/tmp/port").lstrip("/"))
    os.makedirs(os.path.dirname(port_file), exist_ok=True)
    run_env.update(CAMPAIGN_MOCK_PORT="0", CAMPAIGN_MOCK_HOST="127.0.0.1",
                   CAMPAIGN_MOCK_PORT_FILE=port_file)

    def start(extra):
        """docker run IMAGE [extra]: ENTRYPOINT + (extra or CMD)."""
        global server
        if os.path.exists(port_file):
            os.unlink(port_file)
        argv = entrypoint + (extra if extra else cmd)
        try:
            server = subprocess.Popen(argv, env=run_env, cwd=os.path.join(root, "data"),
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        except OSError as e:
            fail(f"{' '.join(argv)}: {e}")
            return None
        for _ in range(400):
            if os.path.exists(port_file) and open(port_file).read().strip():
                return "http://127.0.0.1:" + open(port_file).read().split()[0]
            if server.poll() is not None:
                break
            time.sleep(0.025)
        fail(f"{' '.join(argv)} did not start: {server.stdout.read() if server.poll() is not None else ''}")
        return None

    def stop():
        global server
        server.send_signal(signal.SIGTERM)
        if server.wait(timeout=20) != 0:
            fail(f"the server exited {server.returncode}")
        server = None

    def get(url, data=None, headers=None):
        req = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    # docker run IMAGE: the bundled fixtures, the dashboard, the document, healthy.
    base = start([])
    if base:
        hc = subprocess.run(health_cmd, env=run_env, capture_output=True, text=True)
        if hc.returncode != 0:
            fail(f"HEALTHCHECK {health_cmd}: exit {hc.returncode} {hc.stderr}")
        status, body = get(base + "/_mock/ui")
        if status != 200 or "<title>" not in body:
            fail(f"GET /_mock/ui: {status} (the dashboard must be in the image)")
        status, body = get(base + "/_mock/openapi.yaml")
        if status != 200 or "\nopenapi: " not in body:
            fail(f"GET /_mock/openapi.yaml: {status}")
        status, _ = get(base + "/_mock/tenants/acme/mappings/XDM44")
        if status != 200:
            fail(f"GET the bundled mapping XDM44: {status}")
        stop()
    # The health check finds a port given on the command line, through the port file.
    base = start(["--port", "0", "--auth", "strict"])
    if base:
        hc = subprocess.run(health_cmd, env=run_env, capture_output=True, text=True)
        if hc.returncode != 0:
            fail(f"HEALTHCHECK with --port on the command line: exit {hc.returncode}")
        status, _ = get(base + "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest", b"",
                        {"Authorization": "Bearer made-up", "X-Api-Key": "k"})
        if status != 401:
            fail(f"docker run IMAGE --auth strict: a made-up token got {status}, not 401")
        stop()
    # The bundled set with the user's own clients.
    base = start(["--fixtures", "bundled", "--fixtures",
                  os.path.join(src, "tests/docs/clients.json")])
    if base:
        status, _ = get(base + "/ims/token/v3",
                        b"grant_type=client_credentials&client_id=my-client-id"
                        b"&client_secret=my-client-secret&scope=openid",
                        {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 200:
            fail(f"--fixtures bundled --fixtures clients.json: token {status}")
        status, _ = get(base + "/_mock/tenants/acme/mappings/XDM44")
        if status != 200:
            fail(f"--fixtures bundled: the bundled mapping {status}")
        stop()
finally:
    if server is not None:
        server.kill()
    shutil.rmtree(scratch, ignore_errors=True)

if failures:
    print(f"docker.replay: {len(failures)} failed")
    sys.exit(1)
print("docker.replay: ok")
