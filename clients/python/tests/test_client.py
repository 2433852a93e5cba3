"""clients.python: the Python client against one campaign-mock started for the whole
module (--auth strict --clock manual, the bundled fixtures plus this suite's IMS
client), its tests running in parallel threads (tests/parallel.py), each on a fresh
tenant of its own. The start/stop tests start servers of their own. Bodies the README
documents are compared whole.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import tempfile
import threading
import unittest
from typing import Any, Dict, Optional

from campaign_mock import ROUTES, CampaignMock, CampaignMockError, header_of, start
from campaign_mock.client import child_env

from .parallel import ParallelSuite

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENTS_FIXTURE = os.path.join(HERE, "fixtures", "clients.json")
CLIENT_ID = "suite-client"
CLIENT_SECRET = "suite-secret"
# The template mapping of the bundled fixtures, as every fresh tenant has it.
TEMPLATE_XDM1: Dict[str, Any] = {
    "id": "XDM1", "label": "Template mapping", "targetingDimension": "profile",
    "dataset": "5da558abd538ed18ae122625", "published": True, "started": False,
    "changedRecords": 10, "defaultOutcome": {"outcome": "success", "afterPolls": 1}, "script": [],
}
NO_REQUESTS = {"In Progress": 0, "Success": 0, "Failed": 0, "Aborted": 0}
DEFAULT_OUTCOME = {"outcome": "success", "afterPolls": 1}

MOCK: Optional[CampaignMock] = None
AUTH: Dict[str, str] = {}


def submitted(request_id: int, mapping: str) -> str:
    return ('{"requestId": %d, "info": "Ingestion request submitted successfully for the Mapping ID: %s", '
            '"status": "Success"}' % (request_id, mapping))


def in_progress(request_id: int, mapping: str) -> str:
    return ('{"batchId": "", "info": "Mapping Id: %s.", "numRecords": 0, "requestId": %d, '
            '"status": "In Progress"}' % (mapping, request_id))


def success(request_id: int, mapping: str, n: int) -> str:
    return ('{"batchId": "", "info": "Mapping Id: %s. ", "numRecords": %d, "requestId": %d, '
            '"status": "Success"}' % (mapping, n, request_id))


def setup() -> None:
    global MOCK
    MOCK = start(auth="strict", clock="manual", fixtures=["bundled", CLIENTS_FIXTURE])
    AUTH.update(token=MOCK.token(CLIENT_ID, CLIENT_SECRET), api_key=CLIENT_ID)


def teardown() -> None:
    assert MOCK is not None
    code = MOCK.stop()
    assert code == 0, "exit status %r:\n%s" % (code, MOCK.output())


def load_tests(loader: unittest.TestLoader, tests: unittest.TestSuite, pattern: Optional[str]) -> unittest.TestSuite:
    return ParallelSuite(tests, setup=setup, teardown=teardown, workers=4)


def server_version() -> str:
    # "campaign-mock 0.1.0 (commit)": the version health reports.
    out = subprocess.run([os.environ.get("CAMPAIGN_MOCK_BIN", "campaign-mock"), "--version"],
                         check=True, capture_output=True, text=True).stdout
    return out.split(" ")[1].strip()


class ErrorAssertions(unittest.TestCase):
    def assertMockError(self, err: CampaignMockError, status: int, error_code: str, message: str) -> None:
        self.assertEqual((err.status, err.error_code, err.message), (status, error_code, message))


class StartStop(ErrorAssertions):
    def test_urls_and_health(self) -> None:
        assert MOCK is not None
        base = "http://127.0.0.1:%d" % MOCK.port
        self.assertEqual(MOCK.campaign_base_url, base)
        self.assertEqual(MOCK.ims_base_url, base)
        self.assertEqual(MOCK.control_url, base + "/_mock")
        self.assertEqual(MOCK.health(), {"status": "ready", "version": server_version()})

    def test_second_server_starts_and_stops_with_status_0(self) -> None:
        with start(clock="manual") as other:
            assert MOCK is not None
            self.assertNotEqual(other.port, MOCK.port)
            t = other.tenant("test-a")
            self.assertEqual(t.trigger("XDM1").text, submitted(3520, "XDM1"))
            self.assertEqual(other.mark_report(), 1)
            window = other.report()["window"]
            self.assertEqual((window["since"], window["entries"]), (1, 0))
            self.assertEqual(other.journal_count(), 1)
            self.assertEqual(other.clear_journal(), 1)
            self.assertEqual(other.journal_count(), 0)
            self.assertEqual(other.reload(), {"status": "reloaded", "tenants": 1})
            self.assertEqual(t.requests(), {"requests": [], "total": 0})
            self.assertEqual(other.stop(), 0)
            self.assertEqual(other.stop(), 0, "stop() twice gives the same status")
        self.assertFalse(os.path.exists(other.port_file))
        with self.assertRaises(ProcessLookupError):
            os.kill(other.pid, 0)
        with self.assertRaises(ConnectionError) as caught:
            other.health()
        self.assertIn("GET /_mock/health", str(caught.exception))

    def test_the_tls_port_of_a_campaign_mock_env_shell_is_not_inherited(self) -> None:
        self.assertEqual(child_env({"CAMPAIGN_MOCK_TLS_PORT": "8443", "CAMPAIGN_MOCK_SEED": "7"}, {"A": "1"}),
                         {"CAMPAIGN_MOCK_SEED": "7", "A": "1"})
        self.assertEqual(child_env({}, {"CAMPAIGN_MOCK_TLS_PORT": "0"}), {"CAMPAIGN_MOCK_TLS_PORT": "0"})

    def test_failed_start_says_why_with_the_server_output(self) -> None:
        with self.assertRaises(RuntimeError) as caught:
            start(fixtures=["/nonexistent/fixture.json"])
        self.assertIn("exited with status 1 before it was ready", str(caught.exception))
        self.assertIn("campaign-mock: /nonexistent/fixture.json: cannot read: No such file or directory",
                      str(caught.exception))
        with self.assertRaises(RuntimeError) as caught:
            start("/nonexistent/campaign-mock")
        self.assertIn("cannot run /nonexistent/campaign-mock", str(caught.exception))
        # A server that never listens: the bounded wait gives up, kills it, and says so.
        with tempfile.TemporaryDirectory(prefix="campaign-mock-test-") as tmp:
            silent = os.path.join(tmp, "silent")
            with open(silent, "w", encoding="ascii") as f:
                f.write('#!/bin/sh\necho "never listens"\nexec sleep 30\n')
            os.chmod(silent, 0o755)
            with self.assertRaises(RuntimeError) as caught:
                start(silent, start_timeout=0.3)
        self.assertIn("wrote no port file within 0.3 s", str(caught.exception))
        self.assertIn("never listens", str(caught.exception))


# The two isolation tests run side by side, meeting after both have triggered; the
# barrier's bound tells a suite whose tests do not run in parallel.
ISOLATION = threading.Barrier(2, timeout=10)
IDS: Dict[str, int] = {}


class TenantIsolation(ErrorAssertions):
    def test_tenant_a_scripts_a_failure_and_sees_its_own_request_only(self) -> None:
        assert MOCK is not None
        a = MOCK.tenant()
        self.assertEqual(a.put_script("XDM1", [{"outcome": "failed-fetch"}]),
                         {"script": [{"outcome": "failed-fetch"}], "defaultOutcome": DEFAULT_OUTCOME})
        r = a.trigger("XDM1", **AUTH)
        IDS["a"] = r.body["requestId"]
        self.assertEqual(r.text, submitted(IDS["a"], "XDM1"))
        ISOLATION.wait()
        self.assertEqual([q["requestId"] for q in a.requests()["requests"]], [IDS["a"]])
        done = a.poll("XDM1", IDS["a"], **AUTH)
        self.assertEqual(done.text, '{"batchId": "", "info": "Mapping Id: XDM1. ACP-880056 Failed to fetch the '
                         'record from the database.", "numRecords": 0, "requestId": %d, "status": "Failed"}' % IDS["a"])
        self.assertEqual(a.journal_count(), 2)
        with self.assertRaises(CampaignMockError) as caught:
            a.request(IDS["b"])
        self.assertMockError(caught.exception, 404, "unknown_request", "no request %d in tenant %s" % (IDS["b"], a))

    def test_tenant_b_keeps_the_template_default_and_sees_its_own_request_only(self) -> None:
        assert MOCK is not None
        b = MOCK.tenant()
        r = b.trigger("XDM1", **AUTH)
        IDS["b"] = r.body["requestId"]
        self.assertEqual(r.text, submitted(IDS["b"], "XDM1"))
        ISOLATION.wait()
        self.assertNotEqual(IDS["a"], IDS["b"])
        self.assertEqual([q["requestId"] for q in b.requests()["requests"]], [IDS["b"]])
        done = b.poll("XDM1", IDS["b"], **AUTH)
        self.assertEqual(done.text, success(IDS["b"], "XDM1", 10))
        self.assertEqual(done.polls, 2)
        self.assertEqual(b.journal_count(), 3)
        foreign = b.status("XDM1", IDS["a"], **AUTH)
        self.assertEqual(foreign.status, 404)
        self.assertEqual(foreign.text, '{"code":404,"error_code":"unknown_request","message":"requestId %d is not '
                         'an ingestion request of XDM Mapping ID: XDM1 in organization %s"}' % (IDS["a"], b))


class ManualClock(unittest.TestCase):
    def test_step_due_after_15_minutes_advanced_and_polled_to_success(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        step = {"outcome": "success", "numRecords": 500, "afterMs": 900000}
        self.assertEqual(t.put_script("XDM1", [step]), {"script": [step], "defaultOutcome": DEFAULT_OUTCOME})
        r = t.trigger("XDM1", **AUTH)
        request_id = r.body["requestId"]
        self.assertEqual(r.text, submitted(request_id, "XDM1"))
        self.assertEqual(t.status("XDM1", request_id, **AUTH).text, in_progress(request_id, "XDM1"))
        before = MOCK.clock.get()
        self.assertEqual(before["mode"], "manual")
        moved = MOCK.clock.advance(900000)
        now_ms = before["nowMs"] + 900000
        iso = datetime.datetime.fromtimestamp(now_ms // 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        self.assertEqual(moved, {"mode": "manual", "nowMs": now_ms, "now": "%s.%03dZ" % (iso, now_ms % 1000)})
        done = t.poll("XDM1", request_id, **AUTH)
        self.assertEqual(done.text, success(request_id, "XDM1", 500))
        self.assertEqual(done.polls, 1)
        self.assertEqual(MOCK.clock.set(now_ms + 1000)["nowMs"], now_ms + 1000)
        self.assertEqual(MOCK.clock.set(datetime.datetime.fromtimestamp((now_ms + 2000) / 1000,
                                                                         datetime.timezone.utc))["nowMs"], now_ms + 2000)


class FaultRules(ErrorAssertions):
    def test_429_on_this_tenant_fires_with_retry_after_then_is_removed(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        fault_id = "busy-%s" % t
        rule = t.add_fault({"id": fault_id, "match": {"endpoint": "ingest.trigger"}, "action": {"error": "429050"}})
        self.assertEqual(rule, {"id": fault_id, "match": {"endpoint": "ingest.trigger", "tenant": t.name},
                                "action": {"error": "429050"}, "hits": 0, "seen": 0, "remaining": None,
                                "createdMs": rule["createdMs"]})
        busy = t.trigger("XDM1", **AUTH)
        self.assertEqual(busy.status, 429)
        self.assertEqual(busy.text, '{"error_code":"429050","message":"Too many requests"}')
        self.assertEqual(busy.header("retry-after"), "1")
        listed = [f for f in MOCK.faults.list() if f["id"] == fault_id]
        self.assertEqual((listed[0]["hits"], listed[0]["seen"]), (1, 1))
        [entry] = t.journal(status=429)
        self.assertEqual(entry["fault"], fault_id)
        self.assertEqual(t.requests(), {"requests": [], "total": 0}, "a gateway error never reaches the handler")
        self.assertEqual(MOCK.faults.remove(fault_id), fault_id)
        ok = t.trigger("XDM1", **AUTH)
        self.assertEqual(ok.status, 200)
        self.assertEqual(ok.text, submitted(ok.body["requestId"], "XDM1"))
        with self.assertRaises(CampaignMockError) as caught:
            MOCK.faults.remove(fault_id)
        self.assertMockError(caught.exception, 404, "unknown_fault", 'no fault rule "%s"' % fault_id)


class Journal(unittest.TestCase):
    def test_filters_show_what_the_client_sent(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        r = t.trigger("XDM1", headers={"X-Trace-Id": "trace-7"}, **AUTH)
        request_id = r.body["requestId"]
        polled = t.status("XDM1", request_id, **AUTH)
        denied = t.trigger("XDM1", token=None, api_key=CLIENT_ID)
        self.assertEqual(denied.status, 401)
        self.assertEqual(denied.text, '{"error_code":"401013","message":"Oauth token is not valid"}')
        self.assertEqual(t.journal_count(), 3)
        self.assertEqual(t.journal_count(method="POST", status=200), 1)
        self.assertEqual(t.journal_count(status=401), 1)
        self.assertEqual(MOCK.journal_count(tenant=t.name, mapping="XDM2"), 0)
        [post] = t.journal(method="POST", status=200)
        self.assertEqual(post["endpoint"], "ingest.trigger")
        self.assertEqual(post["path"], "/%s/campaign/dataIngestion/xdmIngestion/XDM1/ingest" % t)
        self.assertEqual(post["requestId"], request_id)
        self.assertEqual(header_of(post, "authorization"), "Bearer " + AUTH["token"])
        self.assertEqual(header_of(post, "X-Api-Key"), CLIENT_ID)
        self.assertEqual(header_of(post, "x-trace-id"), "trace-7")
        self.assertEqual(post["responseBody"], r.text)
        [get] = t.journal(mapping="XDM1", method="GET")
        self.assertEqual(get["endpoint"], "ingest.status")
        self.assertEqual(get["query"], {"requestId": str(request_id)})
        self.assertEqual(get["requestBody"], "")
        self.assertEqual(get["responseBody"], polled.text)
        self.assertIsNone(get["fault"])
        with self.assertRaises(TypeError):
            t.journal(tennant="x")  # type: ignore[call-arg]
        newest = t.journal(limit=1)
        self.assertEqual(len(newest), 1)
        self.assertEqual(newest[0]["status"], 401)
        self.assertIsNone(header_of(newest[0], "Authorization"))


class Snapshot(ErrorAssertions):
    def test_export_reset_restore_export_gives_the_same_document(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        request_id = t.trigger("XDM1", **AUTH).body["requestId"]
        s1 = t.snapshot()
        created = s1["requests"][0]["createdMs"]
        iso = datetime.datetime.fromtimestamp(created // 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        self.assertEqual(s1, {"mappings": [TEMPLATE_XDM1], "requests": [{
            "requestId": request_id, "mapping": "XDM1", "status": "In Progress",
            "step": {"outcome": "success", "afterPolls": 1}, "createdMs": created,
            "createdAt": "%s.%03dZ" % (iso, created % 1000), "polls": 0, "numRecords": 0, "batchId": "",
            "resolvedMs": None, "resolvedAt": None}]})
        t.reset()
        self.assertEqual(t.requests(), {"requests": [], "total": 0})
        self.assertEqual(t.restore(s1), s1)
        self.assertEqual(t.snapshot(), s1)
        self.assertEqual(t.poll("XDM1", request_id, **AUTH).text, success(request_id, "XDM1", 10))
        with self.assertRaises(CampaignMockError) as caught:
            MOCK.tenant().restore(s1)
        self.assertMockError(caught.exception, 409, "conflict",
                             "requests[0].requestId: %d belongs to tenant %s" % (request_id, t))


class Errors(ErrorAssertions):
    def test_control_errors_become_campaign_mock_error(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        with self.assertRaises(CampaignMockError) as caught:
            t.get_mapping("XDM60")
        err = caught.exception
        self.assertMockError(err, 404, "unknown_mapping", 'unknown mapping "XDM60" in tenant %s' % t)
        self.assertEqual(str(err), err.message)
        self.assertEqual((err.method, err.path), ("GET", "/_mock/tenants/%s/mappings/XDM60" % t))
        with self.assertRaises(CampaignMockError) as caught:
            t.put_mapping("XDM1", {"publised": True, "changedRecords": -1})
        self.assertMockError(caught.exception, 400, "invalid_field", "body: publised: unknown field")
        self.assertEqual(caught.exception.problems, ["body: publised: unknown field",
                                                     "body: changedRecords: must be between 0 and 9007199254740992"])
        with self.assertRaises(CampaignMockError) as caught:
            MOCK.clock.advance(-1)
        self.assertMockError(caught.exception, 400, "invalid_field", "advanceMs: must be between 0 and 316224000000")
        t.unpublish("XDM1")
        with self.assertRaises(CampaignMockError) as caught:
            t.start("XDM1")
        self.assertMockError(caught.exception, 409, "conflict",
                             "XDM Mapping ID: XDM1 is not published: publish it before starting it")
        self.assertEqual(t.delete(), {"deleted": t.name})
        with self.assertRaises(CampaignMockError) as caught:
            t.delete()
        self.assertMockError(caught.exception, 404, "unknown_tenant", 'unknown tenant "%s"' % t)


class StrictAuth(ErrorAssertions):
    def test_token_opens_the_gateway_and_a_wrong_one_does_not(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        with self.assertRaises(CampaignMockError) as caught:
            MOCK.token(CLIENT_ID, "wrong")
        self.assertMockError(caught.exception, 401, "invalid_client", "invalid client_secret parameter")
        token = MOCK.token(CLIENT_ID, CLIENT_SECRET)
        self.assertTrue(token.startswith("eyJ"))
        made_up = t.trigger("XDM1", token="made-up", api_key=CLIENT_ID)
        self.assertEqual((made_up.status, made_up.text),
                         (401, '{"error_code":"401013","message":"Oauth token is not valid"}'))
        wrong_key = t.trigger("XDM1", token=token, api_key="some-other-key")
        self.assertEqual((wrong_key.status, wrong_key.text), (403, '{"error_code":"403003","message":"Api Key is invalid"}'))
        ok = t.trigger("XDM1", token=token, api_key=CLIENT_ID)
        self.assertEqual((ok.status, ok.text), (200, submitted(ok.body["requestId"], "XDM1")))
        fixed = t.status("XDM1", ok.body["requestId"], token="suite-fixed-token", api_key=CLIENT_ID)
        self.assertEqual(fixed.text, in_progress(ok.body["requestId"], "XDM1"))


class MappingOperations(ErrorAssertions):
    def test_put_publish_stop_records_scripts_requests_resolve_delete(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        put = t.put_mapping("XDM60", {"label": "Orders to AEP", "changedRecords": 3, "script": [{"outcome": "aborted"}]})
        self.assertEqual(put, {
            "id": "XDM60", "label": "Orders to AEP", "targetingDimension": "profile", "dataset": "",
            "published": True, "started": False, "changedRecords": 3, "defaultOutcome": DEFAULT_OUTCOME,
            "script": [{"outcome": "aborted"}], "publication": "Published", "execution": "Stopped",
            "inProgressRequestId": None, "requestCounts": NO_REQUESTS})
        self.assertEqual([m["id"] for m in t.mappings()], ["XDM1", "XDM60"])
        self.assertEqual(t.publish("XDM60")["execution"], "Started")
        self.assertEqual(t.trigger("XDM60", **AUTH).text, '{"info": "Unable to submit data ingestion request, '
                         'XDM Mapping ID: XDM60 is not stopped", "status": "Failed"}')
        t.start("XDM60")
        self.assertEqual(t.stop("XDM60")["execution"], "Stopped")
        self.assertEqual(t.records("XDM60", 25)["changedRecords"], 28)
        aborted = t.trigger("XDM60", **AUTH).body["requestId"]
        self.assertEqual(t.poll("XDM60", aborted, **AUTH).body["status"], "Aborted")
        self.assertEqual(t.get_script("XDM60"), {"script": [], "defaultOutcome": DEFAULT_OUTCOME})
        self.assertEqual(t.append_script("XDM60", [{"outcome": "hang"}, {"outcome": "hang"}]),
                         {"script": [{"outcome": "hang"}, {"outcome": "hang"}], "defaultOutcome": DEFAULT_OUTCOME})
        hung = []
        for _ in range(2):
            request_id = t.trigger("XDM60", **AUTH).body["requestId"]
            hung.append(request_id)
            self.assertEqual(t.request(request_id)["status"], "In Progress")
            resolved = t.resolve(request_id, {"outcome": "success", "numRecords": 42})
            self.assertEqual((resolved["status"], resolved["numRecords"]), ("Success", 42))
        with self.assertRaises(CampaignMockError) as caught:
            t.resolve(hung[0], {"outcome": "success"})
        self.assertMockError(caught.exception, 409, "conflict", "request %d is already Success" % hung[0])
        page = t.requests(mapping="XDM60", limit=2)
        self.assertEqual([q["requestId"] for q in page["requests"]], [aborted, hung[0]])
        self.assertEqual(page["next"], hung[0])
        self.assertEqual([q["requestId"] for q in t.all_requests(mapping="XDM60", limit=1)], [aborted] + hung)
        self.assertEqual([q["requestId"] for q in t.requests(status="Aborted")["requests"]], [aborted])
        self.assertEqual(t.get_mapping("XDM60")["requestCounts"],
                         {"In Progress": 0, "Success": 2, "Failed": 0, "Aborted": 1})
        self.assertEqual(t.delete_mapping("XDM60"), {"deleted": "XDM60"})
        self.assertEqual(t.get(), {"name": t.name, "mappings": [dict(
            TEMPLATE_XDM1, publication="Published", execution="Stopped", inProgressRequestId=None,
            requestCounts=NO_REQUESTS)]})


class Report(unittest.TestCase):
    def test_coverage_of_the_answers_this_tenant_received_and_findings(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        request_id = t.trigger("XDM1", **AUTH).body["requestId"]
        t.poll("XDM1", request_id, **AUTH)  # two polls in a row: within a minute of each other
        report = t.report(since=0, poll_interval_ms=60000)
        self.assertEqual(report["window"]["tenant"], t.name)
        seen = {a["answer"]: a["seen"] for a in report["coverage"]["answers"]}
        self.assertEqual([seen["trigger.submitted"], seen["status.in-progress"], seen["status.success"]], [1, 1, 1])
        self.assertEqual(seen["status.aborted"], 0)
        fast = [f for f in report["findings"] if f["rule"] == "poll-too-fast"]
        self.assertEqual([f["severity"] for f in fast], ["warning"])
        self.assertIn("abandoned-request", [r["rule"] for r in report["rulesChecked"]])


class Misc(unittest.TestCase):
    def test_tenants_metrics_and_the_route_table(self) -> None:
        assert MOCK is not None
        t = MOCK.tenant()
        t.get()
        listed = MOCK.tenants()
        self.assertTrue(listed["template"])
        self.assertIn({"name": t.name, "mappings": 1}, listed["tenants"])
        metrics = MOCK.metrics()
        self.assertTrue(metrics.startswith("# HELP campaign_mock_requests_total "))
        self.assertRegex(metrics, r'campaign_mock_requests_total\{endpoint="ims.token",status="200"\} \d+')
        self.assertTrue(MOCK.openapi().startswith("# The HTTP interface of campaign-mock"))
        for method, path in ROUTES.values():
            self.assertIn(method, ("GET", "POST", "PUT", "DELETE"))
            self.assertTrue(path.startswith("/"))
