#!/usr/bin/env python3
"""
growth.py: is every control read bounded in memory and in time whatever is stored?

Runs campaign-mock with a lot stored and measures each control read of it:
  - the RSS the server process added during the read (its VmHWM, reset to the current
    RSS through /proc/PID/clear_refs just before, minus its VmRSS then);
  - how long the read kept other calls waiting: the worst latency of ingestion status
    polls made meanwhile by poller processes, each on its own keep-alive connection,
    against the worst latency of the same polls over a window with no control read;
  - the read's own duration and the bytes it answered (streamed answers read to the end).
Each read is made --repeat times (POST /_mock/reset once, last); a row gives the largest
RSS added and the median of the runs' worst waits (see summarize()). A read still
running after --read-timeout seconds (default 120) is cut, failed and not repeated; on the
--db file of phase 1 the server is then killed and restarted, since it would go on with
the call. Targets: less than 16 MB added and less than 50 ms wait per read; for each
phase, a peak RSS (VmHWM over the whole phase) below 128 MB.

Phases (--phases 1,2,3):
  1. requests: a --db file holding --requests ingestion requests (default 1,000,000)
     for one tenant, half on each of two mappings; every control read of them.
  2. journal: a fresh :memory: server whose journal is filled past its default byte cap
     (64 MiB) with entries of about 25 KiB; journal reads.
  3. tenants: a fresh :memory: server where the bundled template creates
     --tenants tenants (the default --tenants-max, 10,000); tenant reads.

Python 3 standard library only; Linux only (/proc). Not run by CI or ctest: run it by
hand, as root or as the server's owner (it writes /proc/PID/clear_refs):

    python3 tests/bench/growth.py [--bin build/campaign-mock] [--requests N]
        [--phases 1,2,3] [--json FILE]

Exit status: 0 when every read and every phase's peak met the targets, 1 otherwise
(everything is printed either way), 2 on a usage error or a setup failure.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"
AUTH = {"Authorization": "Bearer t", "X-Api-Key": "k"}
TENANT = "grow"
INGEST = "/%s/campaign/dataIngestion/xdmIngestion/%s/ingest"

# The targets.
ADDED_MB_MAX = 16.0
WAIT_MS_MAX = 50.0
PEAK_MB_MAX = 128.0

# A mapping whose requests finish at their first read, and one whose requests never
# finish on their own (so that one request stays In Progress, as in a real tenant).
MAPPING_NOW = {"id": "NOW", "published": True, "started": False,
               "defaultOutcome": {"outcome": "success", "afterPolls": 0}}
MAPPING_ALT = {"id": "ALT", "published": True, "started": False,
               "defaultOutcome": {"outcome": "success", "afterPolls": 1000000}}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --- /proc -----------------------------------------------------------------------------

def proc_status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no %s in /proc/%d/status" % (field, pid))


def clear_peak(pid):
    """Sets VmHWM back to the current RSS (Linux 4.0 and later)."""
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


def mb(kb):
    return kb / 1024.0


# --- the server --------------------------------------------------------------------------

class Server:
    """One campaign-mock on --port 0, its port read from --port-file."""

    def __init__(self, binary, workdir, name, db, extra=()):
        self.port_file = os.path.join(workdir, name + ".port")
        self.log_path = os.path.join(workdir, name + ".log")
        args = [binary, "--port", "0", "--port-file", self.port_file, "--db", db,
                "--requests-max", "2000000", "--log-level", "warn"] + list(extra)
        self.log_file = open(self.log_path, "ab")
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.proc = subprocess.Popen(args, stdout=self.log_file, stderr=self.log_file)
        self.pid = self.proc.pid
        # Startup runs PRAGMA quick_check over the whole file: a big --db takes a while.
        deadline = time.monotonic() + 300
        self.port = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("campaign-mock exited with %d at start; log: %s"
                                   % (self.proc.returncode, self.log_path))
            try:
                with open(self.port_file) as f:
                    first = f.readline().strip()
                if first:
                    self.port = int(first)
                    break
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("no port file after 300 s; log: " + self.log_path)
        # The peak of the whole run: each clear_peak() loses the one before it unless read.
        self.phase_peak_kb = proc_status_kb(self.pid, "VmHWM")

    def note_peak(self):
        self.phase_peak_kb = max(self.phase_peak_kb, proc_status_kb(self.pid, "VmHWM"))
        return self.phase_peak_kb

    def cpu_s(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, kill=False):
        """SIGTERM (the server finishes the calls in flight), or SIGKILL with `kill`:
        a call whose client is gone may still hold a worker thread for minutes."""
        if self.proc.poll() is None and kill:
            self.proc.kill()
            self.proc.wait()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                log("campaign-mock %d did not stop in 60 s on SIGTERM: killing it" % self.pid)
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        return self.proc.returncode


def call(port, method, path, body=None, headers=None, conn=None):
    """One call; returns (status, body bytes). Reuses conn when given."""
    own = conn is None
    c = conn or http.client.HTTPConnection(HOST, port, timeout=600)
    try:
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, data
    finally:
        if own:
            c.close()


def call_json(port, method, path, body=None, headers=None, expect=(200, 201)):
    status, data = call(port, method, path, body, headers)
    if status not in expect:
        raise RuntimeError("%s %s: HTTP %d %s" % (method, path, status, data[:300]))
    return json.loads(data) if data else None


def metric(port, name):
    _, data = call(port, "GET", "/_mock/metrics")
    for line in data.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def trigger(port, mapping, tenant=TENANT, conn=None, body=None, headers=None):
    h = dict(AUTH)
    h.update(headers or {})
    status, data = call(port, "POST", INGEST % (tenant, mapping), body=body, headers=h,
                        conn=conn)
    return status, data


def polled_request(port):
    """Mapping NOW of the bench's tenant, and the id of a request of it, for the pollers."""
    call_json(port, "PUT", "/_mock/tenants/%s/mappings/NOW" % TENANT, MAPPING_NOW)
    _, data = trigger(port, "NOW")
    return json.loads(data)["requestId"]


def journal_count(port):
    return json.loads(call(port, "GET", "/_mock/journal/count")[1])["count"]


# --- the pollers ---------------------------------------------------------------------------

def poller_main(port, path, pause_s, timeout_s, pipe):
    """Polls `path` in a loop on one keep-alive connection, keeping (start, end, status)
    of each poll; between polls, answers the parent's questions on `pipe`:
    ("window", t0, t1) -> (worst latency in s, polls, {status: polls}) among the polls
    overlapping [t0, t1] (time.monotonic() is the same clock in every process), and
    forgets polls ended before t0 (the parent asks in time order); ("stop",)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = None
    recs = []
    while True:
        if pipe.poll():
            msg = pipe.recv()
            if msg[0] == "stop":
                pipe.send(time.process_time())
                break
            _, t0, t1 = msg
            recs = [r for r in recs if r[1] >= t0]
            hit = [r for r in recs if r[0] < t1]
            worst = max((r[1] - r[0] for r in hit), default=None)
            statuses = {}
            for r in hit:
                statuses[r[2]] = statuses.get(r[2], 0) + 1
            pipe.send((worst, len(hit), statuses))
            continue
        if conn is None:
            conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
        t = time.monotonic()
        try:
            conn.request("GET", path, headers=AUTH)
            r = conn.getresponse()
            r.read()
            status = r.status
        except (OSError, http.client.HTTPException):
            status = -1
            conn.close()
            conn = None
        recs.append((t, time.monotonic(), status))
        if pause_s:
            time.sleep(pause_s)
    if conn:
        conn.close()


class Pollers:
    def __init__(self, port, request_id, count, pause_ms, timeout_s):
        """`count` pollers of the request; a poll waits up to timeout_s (longer than a
        read may take, so that a poll held by the whole read shows its full wait)."""
        path = (INGEST % (TENANT, "NOW")) + "?requestId=%d" % request_id
        ctx = multiprocessing.get_context("fork")
        self.pipes, self.procs = [], []
        for _ in range(count):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=poller_main, args=(port, path, pause_ms / 1000.0, timeout_s, child),
                            daemon=True)
            p.start()
            self.pipes.append(parent)
            self.procs.append(p)
        time.sleep(0.3)  # connections open, first polls made

    def window(self, t0, t1, ok=(200,)):
        """Worst latency (ms, or None without any poll) of the polls overlapping
        [t0, t1], their number, and how many were answered otherwise than `ok` (-1: the
        connection failed)."""
        for p in self.pipes:
            p.send(("window", t0, t1))
        worst, n, bad = None, 0, 0
        for p in self.pipes:
            w, k, statuses = p.recv()
            if w is not None:
                worst = w if worst is None else max(worst, w)
            n += k
            bad += sum(v for st, v in statuses.items() if st not in ok)
        return (None if worst is None else worst * 1000.0), n, bad

    def stop(self):
        """Stops them; returns the CPU seconds they used."""
        cpu = 0.0
        for p in self.pipes:
            p.send(("stop",))
        for p in self.pipes:
            if p.poll(10):
                cpu += p.recv()
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
        return cpu


# --- one measured read ---------------------------------------------------------------------

def measure(srv, pollers, method, path, baseline_s, timeout_s, ok=(200,), on_cut=None):
    """Baseline window, then the read with its peak RSS and the polls it overlapped
    (answered one of `ok`: a reset removes the polled request, then 404). A read not
    done after timeout_s is cut ("cut": True) and measured up to there; on_cut() then
    runs before the polls are collected (a poll held behind the read ends when it
    stops the server)."""
    b0 = time.monotonic()
    time.sleep(baseline_s)
    b1 = time.monotonic()
    base_ms, base_n, base_bad = pollers.window(b0, b1)

    srv.note_peak()
    clear_peak(srv.pid)
    rss_before = proc_status_kb(srv.pid, "VmRSS")
    conn = http.client.HTTPConnection(HOST, srv.port, timeout=timeout_s)
    t0 = time.monotonic()
    status, nbytes, tail, error, ctype, cut = None, 0, b"", None, "", False
    try:
        conn.request(method, path)
        r = conn.getresponse()
        status = r.status
        ctype = r.getheader("Content-Type", "")
        while True:
            if time.monotonic() - t0 > timeout_s:
                raise TimeoutError("deadline")
            chunk = r.read(65536)
            if not chunk:
                break
            nbytes += len(chunk)
            tail = (tail + chunk)[-16:]
    except TimeoutError:
        cut = True
        error = "cut after %.1f s, %d bytes read (%.1f kB/s)" % (
            time.monotonic() - t0, nbytes, nbytes / 1000.0 / (time.monotonic() - t0))
    except (OSError, http.client.HTTPException) as e:
        error = "%s: %s" % (type(e).__name__, e)
    t1 = time.monotonic()
    conn.close()
    hwm = proc_status_kb(srv.pid, "VmHWM")
    rss_after = proc_status_kb(srv.pid, "VmRSS")
    srv.note_peak()
    if cut and on_cut:
        on_cut()
    wait_ms, n, bad = pollers.window(t0, t1, ok)

    if error is None and status not in (200,):
        error = "HTTP %s" % status
    elif error is None and "json" in ctype and not tail.rstrip().endswith(b"}"):
        error = "answer cut short: ends with %r" % tail
    errors = []
    if error:
        errors.append(error)
    if bad:
        errors.append("%d polls answered otherwise than %s" % (bad, "/".join(map(str, ok))))
    return {
        "read": "%s %s" % (method, path), "method": method, "path": path,
        "status": status, "bytes": nbytes, "duration_ms": (t1 - t0) * 1000.0,
        "rss_before_mb": mb(rss_before), "rss_added_mb": mb(hwm - rss_before),
        "rss_after_mb": mb(rss_after), "wait_ms": wait_ms, "polls_during": n,
        "polls_failed_during": bad, "baseline_ms": base_ms, "polls_baseline": base_n,
        "polls_failed_baseline": base_bad, "errors": errors, "cut": cut,
    }


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    k = len(xs) // 2
    return xs[k] if len(xs) % 2 else (xs[k - 1] + xs[k]) / 2.0


def summarize(runs):
    """One row from the repetitions of a read. RSS is judged on the largest added (the
    load of the machine does not change it); the wait on the median of the runs' worst
    waits, so that one run slowed by another process's burst does not decide alone, while
    a read that holds the thread or the write lock shows in most runs (with three pollers
    a run misses the thread it holds only when no poller's connection is on it). Every
    figure of every run is kept under "runs"."""
    last = runs[-1]
    row = {k: last[k] for k in ("read", "method", "path", "status")}
    row["bytes"] = max(r["bytes"] for r in runs)
    row["duration_ms"] = median(r["duration_ms"] for r in runs)
    row["duration_max_ms"] = max(r["duration_ms"] for r in runs)
    row["rss_added_mb"] = max(r["rss_added_mb"] for r in runs)
    row["wait_ms"] = median(r["wait_ms"] for r in runs)
    row["wait_max_ms"] = max((r["wait_ms"] for r in runs if r["wait_ms"] is not None),
                             default=None)
    row["baseline_ms"] = median(r["baseline_ms"] for r in runs)
    row["baseline_max_ms"] = max((r["baseline_ms"] for r in runs if r["baseline_ms"] is not None),
                                 default=None)
    why = []
    for r in runs:
        for x in r["errors"]:
            if x not in why:
                why.append(x)
    if row["rss_added_mb"] >= ADDED_MB_MAX:
        why.append("RSS +%.1f MB" % row["rss_added_mb"])
    if row["wait_ms"] is not None and row["wait_ms"] >= WAIT_MS_MAX:
        why.append("wait %.0f ms" % row["wait_ms"])
    row["why"] = why
    row["verdict"] = "FAIL" if why else "PASS"
    row["runs"] = runs
    return row


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def print_row(phase, r):
    print("%-2s %-56s %11d %9s %7s %8s %8s %8s %8s  %s%s" % (
        phase, r["read"][:56], r["bytes"], fmt(r["duration_ms"], ".1f"),
        fmt(r["rss_added_mb"], ".2f"), fmt(r["wait_ms"], ".1f"), fmt(r["wait_max_ms"], ".1f"),
        fmt(r["baseline_ms"], ".1f"), fmt(r["baseline_max_ms"], ".1f"),
        r["verdict"], (" (" + "; ".join(r["why"]) + ")") if r["why"] else ""), flush=True)


def print_head():
    print("%-2s %-56s %11s %9s %7s %8s %8s %8s %8s  %s" % (
        "ph", "read", "bytes", "dur ms", "RSS+MB", "wait ms", "wait max", "base ms",
        "base max", "verdict"), flush=True)
    print("   (dur, wait, base: medians over the repetitions; RSS+ and max: the largest; "
          "targets: RSS+ < %.0f MB, wait < %.0f ms)" % (ADDED_MB_MAX, WAIT_MS_MAX), flush=True)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_pressure():
    """The share of time some task waited for a CPU (PSI), or "n/a"."""
    try:
        with open("/proc/pressure/cpu") as f:
            some = f.readline().split()
        return "some " + " ".join(some[1:4])
    except OSError:
        return "n/a"


def file_size(path):
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


# --- a phase's server, pollers and reads -----------------------------------------------------

class Bench:
    """A phase: its server, its pollers once a request to poll exists, its reads."""

    def __init__(self, a, workdir, name, db, phase, results):
        self.a, self.workdir, self.name, self.db = a, workdir, name, db
        self.phase, self.results = phase, results
        self.srv = Server(a.bin, workdir, name, db)
        self.pollers = None
        self.poll_id = None
        self.peak_kb = 0
        self.cpu_s = 0.0          # the servers' (a restart adds the stopped one's)
        self.poller_cpu_s = 0.0
        self.restarts = 0

    def start_polling(self, request_id):
        self.poll_id = request_id
        self.pollers = Pollers(self.srv.port, request_id, self.a.pollers, self.a.poll_pause_ms,
                               self.a.read_timeout + 60)

    def stop_polling(self):
        if self.pollers:
            self.poller_cpu_s += self.pollers.stop()
            self.pollers = None

    def stop_server(self, kill=False):
        if self.srv.proc.poll() is None:
            self.peak_kb = max(self.peak_kb, self.srv.note_peak())
            self.cpu_s += self.srv.cpu_s()
        self.srv.stop(kill)

    def kill_server(self):
        """SIGKILL: after SIGTERM the server would finish the cut call first, minutes."""
        self.stop_server(kill=True)

    def close(self):
        self.stop_polling()
        self.stop_server()

    def restart(self):
        """A new server on the same --db file, and new pollers."""
        self.stop_polling()
        self.kill_server()
        self.restarts += 1
        self.srv = Server(self.a.bin, self.workdir, self.name, self.db)
        self.start_polling(self.poll_id)

    def read(self, method, path, repeat=None, ok=(200,)):
        """Measures a read `repeat` times (a fresh connection each, so that it may land
        on either worker thread) and prints its row. A cut read is not repeated; on a
        --db file the server is restarted after it, so that the next read does not
        share the server with the call still running."""
        runs = []
        restartable = self.db != ":memory:"
        for _ in range(repeat or self.a.repeat):
            r = measure(self.srv, self.pollers, method, path, self.a.baseline_s,
                        self.a.read_timeout, ok, self.kill_server if restartable else None)
            runs.append(r)
            if r["cut"]:
                if restartable:
                    log("%s %s cut after %.1f s: restarting the server"
                        % (method, path, r["duration_ms"] / 1000))
                    self.restart()
                    r["errors"].append("server killed and restarted: polls it still held fail")
                else:
                    r["errors"].append("the server went on with it; later reads share it")
                break
        row = dict(summarize(runs), phase=self.phase)
        self.results.append(row)
        print_row(str(self.phase), row)
        return row

    def summary(self, extra):
        """The phase's figures; call close() first."""
        s = {"phase": self.phase, "peak_rss_mb": mb(self.peak_kb),
             "server_cpu_s": self.cpu_s, "poller_cpu_s": self.poller_cpu_s,
             "restarts": self.restarts}
        s.update(extra)
        return s


# --- phase 1: a million requests -----------------------------------------------------------

def fill_requests(db, total):
    """Inserts requests until the tenant holds `total`, copying real rows. Through the
    API a million triggers and polls would take many minutes (each is a committed
    transaction with its journal entry); a request row is plain data whose columns we
    copy from rows the server wrote itself, so inserting them directly gives the same
    table in seconds. The server is stopped meanwhile (it locks the file)."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        cols = [r[1] for r in con.execute("PRAGMA table_info(request)")]
        existing = con.execute("SELECT count(*) FROM request WHERE tenant = ?",
                               (TENANT,)).fetchone()[0]
        # A Success row (at most one In Progress per mapping: a unique index), copied
        # for both mappings.
        row = con.execute("SELECT * FROM request WHERE tenant = ? AND mapping = 'NOW' "
                          "AND status = 'Success' AND resolved_ms IS NOT NULL "
                          "ORDER BY id DESC LIMIT 1", (TENANT,)).fetchone()
        if row is None:
            raise RuntimeError("no real Success row to copy")
        rows = {}
        for m in ("NOW", "ALT"):
            rows[m] = dict(zip(cols, row), mapping=m)
        first = con.execute("SELECT coalesce(max(id), 0) + 1 FROM request").fetchone()[0]
        n = max(0, total - existing)

        def gen():
            for i in range(n):
                d = rows["NOW" if i % 2 == 0 else "ALT"]
                yield tuple(first + i if c == "id" else d[c] for c in cols)

        t = time.monotonic()
        con.execute("BEGIN IMMEDIATE")
        con.executemany("INSERT INTO request (%s) VALUES (%s)"
                        % (", ".join(cols), ", ".join("?" * len(cols))), gen())
        last = con.execute("SELECT max(id) FROM request").fetchone()[0]
        cur = con.execute("UPDATE meta SET value = ? WHERE key = 'next_request_id'",
                          (last + 1,))
        if cur.rowcount != 1:
            raise RuntimeError("no meta key next_request_id to move past %d" % last)
        con.execute("COMMIT")
        log("inserted %d request rows (ids %d to %d) in %.1f s"
            % (n, first, last, time.monotonic() - t))
        return first, last
    finally:
        con.close()


def phase_requests(a, workdir, results):
    db = os.path.join(workdir, "growth.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    srv = Server(a.bin, workdir, "phase1-setup", db)
    try:
        for m in (MAPPING_NOW, MAPPING_ALT):
            call_json(srv.port, "PUT", "/_mock/tenants/%s/mappings/%s" % (TENANT, m["id"]), m)
        # Real rows: triggers on NOW, each polled once (afterPolls 0: Success then).
        for _ in range(4):
            st, data = trigger(srv.port, "NOW")
            rid = json.loads(data)["requestId"]
            call(srv.port, "GET", (INGEST % (TENANT, "NOW")) + "?requestId=%d" % rid,
                 headers=AUTH)
        st, data = trigger(srv.port, "ALT")  # stays In Progress
        if st != 200:
            raise RuntimeError("trigger on ALT: HTTP %d %s" % (st, data[:200]))
    finally:
        srv.stop()
    first, last = fill_requests(db, a.requests)
    extra = {"requests": a.requests, "db_bytes_after_insert": file_size(db)}
    log("db after insert: %.1f MB" % (file_size(db) / 1e6))

    b = Bench(a, workdir, "phase1", db, 1, results)
    try:
        reqs = call_json(b.srv.port, "GET", "/_mock/tenants/%s/requests?mapping=NOW&limit=1"
                         % TENANT)["requests"]
        extra["rss_at_start_mb"] = mb(proc_status_kb(b.srv.pid, "VmRSS"))
        log("phase 1: %d requests stored, server RSS %.1f MB, polling request %d"
            % (a.requests, extra["rss_at_start_mb"], reqs[0]["requestId"]))
        b.start_polling(reqs[0]["requestId"])
        t = "/_mock/tenants/" + TENANT
        b.read("GET", t + "/snapshot")
        b.read("GET", t + "/requests")
        b.read("GET", t + "/requests?limit=10000")
        b.read("GET", t + "/requests?status=In%20Progress")
        b.read("GET", t + "/requests?mapping=NOW&after=%d" % (first + (last - first) // 2))
        b.read("GET", t + "/requests?mapping=ALT&status=In%20Progress")
        b.read("GET", t + "/mappings/NOW")
        b.read("GET", t + "/mappings")
        b.read("GET", t)
        b.read("GET", "/_mock/tenants")
        b.read("GET", "/_mock/journal")
        b.read("GET", "/_mock/journal/count")
        b.read("GET", "/_mock/metrics")
        extra["db_bytes"] = file_size(db)
        extra["wal_bytes"] = file_size(db + "-wal")
        # Last: the reset empties the tenant (the polled request then answers 404).
        b.read("POST", "/_mock/reset", repeat=1, ok=(200, 404))
        # The polls write journal entries: stopped before the files are measured.
        b.stop_polling()
        extra["db_bytes_after_reset"] = file_size(db)
        extra["wal_bytes_after_reset"] = file_size(db + "-wal")
        extra["rss_at_end_mb"] = mb(proc_status_kb(b.srv.pid, "VmRSS"))
    finally:
        b.close()
    return b.summary(extra)


# --- phase 2: a journal at its byte cap ----------------------------------------------------

def phase_journal(a, workdir, results):
    b = Bench(a, workdir, "phase2", ":memory:", 2, results)
    extra = {}
    try:
        port = b.srv.port
        poll_id = polled_request(port)
        # Entries of about 25 KiB: a 16 KiB body (kept whole) and about 8 KiB of headers.
        body = b'{"fill":"' + b"x" * (16 * 1024 - 11) + b'"}'
        big = {"X-Fill-%d" % i: "v" * 1000 for i in range(8)}
        big["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        t = time.monotonic()
        sent = 0
        # Past the cap: until more entries were evicted than the journal holds.
        while sent < a.journal_calls_max:
            for _ in range(500):
                st, _ = trigger(port, "NOW", conn=conn, body=body, headers=big)
                if st != 200:
                    raise RuntimeError("fill trigger: HTTP %d" % st)
                sent += 1
            evicted = metric(port, "campaign_mock_journal_evicted_total") or 0
            count = journal_count(port)
            if evicted > count:
                break
        conn.close()
        # A few entries of another tenant, for selective filters.
        call_json(port, "PUT", "/_mock/tenants/rare/mappings/NOW", MAPPING_NOW)
        for _ in range(3):
            trigger(port, "NOW", tenant="rare")
        extra.update({
            "fill_calls": sent, "fill_s": time.monotonic() - t,
            "journal_entries": journal_count(port),
            "journal_bytes": metric(port, "campaign_mock_journal_bytes"),
            "journal_evicted": metric(port, "campaign_mock_journal_evicted_total"),
            "rss_after_fill_mb": mb(proc_status_kb(b.srv.pid, "VmRSS")),
            "peak_rss_after_fill_mb": mb(b.srv.note_peak()),
        })
        log("phase 2: %d fill calls in %.1f s; journal %d entries, %.1f MiB, %d evicted; "
            "server RSS %.1f MB" % (sent, extra["fill_s"], extra["journal_entries"],
                                    (extra["journal_bytes"] or 0) / 1048576.0,
                                    extra["journal_evicted"] or 0, extra["rss_after_fill_mb"]))
        b.start_polling(poll_id)
        b.read("GET", "/_mock/journal")
        b.read("GET", "/_mock/journal?limit=100")
        b.read("GET", "/_mock/journal?tenant=" + TENANT)
        b.read("GET", "/_mock/journal?tenant=rare")
        b.read("GET", "/_mock/journal?mapping=NOW&tenant=rare")
        b.read("GET", "/_mock/journal?status=404")
        b.read("GET", "/_mock/journal?method=GET&limit=10")
        b.read("GET", "/_mock/journal/count")
        b.read("GET", "/_mock/journal/count?tenant=rare")
        b.read("GET", "/_mock/journal/count?status=404")
        b.read("GET", "/_mock/metrics")
        extra["journal_entries_at_end"] = journal_count(port)
        extra["journal_bytes_at_end"] = metric(port, "campaign_mock_journal_bytes")
        extra["rss_at_end_mb"] = mb(proc_status_kb(b.srv.pid, "VmRSS"))
    finally:
        b.close()
    return b.summary(extra)


# --- phase 3: many tenants -----------------------------------------------------------------

def phase_tenants(a, workdir, results):
    b = Bench(a, workdir, "phase3", ":memory:", 3, results)
    extra = {}
    try:
        port = b.srv.port
        poll_id = polled_request(port)
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        t = time.monotonic()
        codes = {}
        for i in range(a.tenants):
            st, _ = call(port, "GET", "/_mock/tenants/t%d" % i, conn=conn)
            codes[st] = codes.get(st, 0) + 1
        conn.close()
        extra.update({
            "touch_calls": a.tenants, "touch_s": time.monotonic() - t,
            "touch_statuses": {str(k): v for k, v in sorted(codes.items())},
            "tenants": metric(port, "campaign_mock_tenants"),
            "rss_after_touch_mb": mb(proc_status_kb(b.srv.pid, "VmRSS")),
            "peak_rss_after_touch_mb": mb(b.srv.note_peak()),
        })
        log("phase 3: %d tenant reads in %.1f s (statuses %s); %d tenants; server RSS %.1f MB"
            % (a.tenants, extra["touch_s"], extra["touch_statuses"], extra["tenants"] or 0,
               extra["rss_after_touch_mb"]))
        b.start_polling(poll_id)
        b.read("GET", "/_mock/tenants")
        b.read("GET", "/_mock/tenants/t%d" % (a.tenants // 2))
        b.read("GET", "/_mock/metrics")
        b.read("POST", "/_mock/reset", repeat=1, ok=(200, 404))
        extra["rss_at_end_mb"] = mb(proc_status_kb(b.srv.pid, "VmRSS"))
    finally:
        b.close()
    return b.summary(extra)


# --- main ------------------------------------------------------------------------------------

def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=os.path.join(root, "build", "campaign-mock"),
                   help="campaign-mock to run (default: build/campaign-mock)")
    p.add_argument("--requests", type=int, default=1000000,
                   help="ingestion requests stored in phase 1 (default 1000000)")
    p.add_argument("--tenants", type=int, default=10000,
                   help="tenants touched in phase 3 (default 10000, the default --tenants-max)")
    p.add_argument("--phases", default="1,2,3", help="phases to run, e.g. 1,3")
    p.add_argument("--repeat", type=int, default=3,
                   help="times each read is measured (default 3); see summarize()")
    p.add_argument("--read-timeout", type=float, default=120.0,
                   help="seconds a read may take before it is cut and failed (default 120)")
    p.add_argument("--pollers", type=int, default=3,
                   help="poller processes, one keep-alive connection each (default 3)")
    p.add_argument("--poll-pause-ms", type=float, default=5.0,
                   help="pause between a poller's polls (default 5)")
    p.add_argument("--baseline-s", type=float, default=2.0,
                   help="window without a control read before each read (default 2)")
    p.add_argument("--journal-calls-max", type=int, default=20000,
                   help="most fill calls in phase 2 (default 20000)")
    p.add_argument("--json", metavar="FILE", help="write every figure there as JSON")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    a = p.parse_args()
    try:
        phases = sorted({int(x) for x in a.phases.split(",") if x.strip()})
    except ValueError:
        p.error("--phases: a list of 1, 2, 3")
    if not phases or any(x not in (1, 2, 3) for x in phases):
        p.error("--phases: a list of 1, 2, 3")
    if a.requests < 10 or a.repeat < 1 or a.pollers < 1 or a.tenants < 1 or a.read_timeout <= 0:
        p.error("--requests >= 10, --repeat, --pollers and --tenants >= 1, --read-timeout > 0")
    if not os.access(a.bin, os.X_OK):
        p.error("--bin %s is not an executable (build it first)" % a.bin)

    workdir = tempfile.mkdtemp(prefix="cm-growth-")
    version = subprocess.run([a.bin, "--version"], capture_output=True, text=True).stdout.strip()
    print("%s (%s); %d CPUs; load average %s; CPU pressure %s" % (
        version, a.bin, os.cpu_count(), load_average(), cpu_pressure()), flush=True)
    log("work directory " + workdir)
    started = time.monotonic()
    results, summaries = [], []
    code = 0
    try:
        print_head()
        for ph in phases:
            fn = {1: phase_requests, 2: phase_journal, 3: phase_tenants}[ph]
            t = time.monotonic()
            s = fn(a, workdir, results)
            s["seconds"] = time.monotonic() - t
            s["load_average"] = load_average()
            s["cpu_pressure"] = cpu_pressure()
            summaries.append(s)
    except (RuntimeError, OSError, http.client.HTTPException, sqlite3.Error) as e:
        log("setup failed: %s" % e)
        code = 2
    finally:
        print()
        for s in summaries:
            peak = s.get("peak_rss_mb")
            verdict = "PASS" if peak is not None and peak < PEAK_MB_MAX else "FAIL"
            s["peak_verdict"] = verdict
            print("phase %d: peak RSS %.1f MB (target < %.0f MB) %s; %s" % (
                s["phase"], peak or 0, PEAK_MB_MAX, verdict,
                ", ".join("%s=%s" % (k, ("%.1f" % v) if isinstance(v, float) else v)
                          for k, v in s.items()
                          if k not in ("phase", "peak_rss_mb", "peak_verdict"))))
        failed = [r for r in results if r["verdict"] != "PASS"]
        failed_peaks = [s for s in summaries if s["peak_verdict"] != "PASS"]
        total = time.monotonic() - started
        print("\n%d reads measured, %d failed; %d phase peaks over %.0f MB; %.0f s; "
              "load average at the end %s; CPU pressure %s" % (
                  len(results), len(failed), len(failed_peaks), PEAK_MB_MAX, total,
                  load_average(), cpu_pressure()))
        if code == 0 and (failed or failed_peaks):
            code = 1
        print("FAIL" if code else "PASS", flush=True)
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"targets": {"rss_added_mb": ADDED_MB_MAX, "wait_ms": WAIT_MS_MAX,
                                       "peak_rss_mb": PEAK_MB_MAX},
                           "args": vars(a), "seconds": total, "phases": summaries,
                           "reads": results}, f, indent=1)
        if a.keep:
            log("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
