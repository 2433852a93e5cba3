"""Your first test with campaign-mock: one server for the session, a tenant per test, a
15-minute ingestion finished at once on the manual clock, and the journal showing what
the client sent. Run: CAMPAIGN_MOCK_BIN=path/to/campaign-mock python3 -m pytest
(or, without pytest, python3 -m unittest: the class at the end runs the same tests)."""

import unittest

from campaign_mock import CampaignMock, Tenant, header_of, start

# The fixtures campaign_mock (one server, manual clock) and campaign_tenant (one a test).
pytest_plugins = ["campaign_mock.pytest_plugin"]

AUTH = {"token": "my-token", "api_key": "my-client-id"}


def test_a_15_minute_ingestion_reaches_success(campaign_mock: CampaignMock, campaign_tenant: Tenant) -> None:
    tenant = campaign_tenant  # a fresh copy of the template tenant "*"
    tenant.put_script("XDM1", [{"outcome": "success", "numRecords": 500, "afterMs": 900000}])

    # What your client does: trigger, then poll.
    trigger = tenant.trigger("XDM1", **AUTH)
    request_id = trigger.body["requestId"]
    assert trigger.text == (
        '{"requestId": %d, "info": "Ingestion request submitted successfully for the Mapping ID: XDM1", '
        '"status": "Success"}' % request_id)
    assert tenant.status("XDM1", request_id, **AUTH).body["status"] == "In Progress"

    campaign_mock.clock.advance(900000)  # the 15 minutes, at once

    done = tenant.poll("XDM1", request_id, **AUTH)
    assert done.text == (
        '{"batchId": "", "info": "Mapping Id: XDM1. ", "numRecords": 500, "requestId": %d, '
        '"status": "Success"}' % request_id)

    # What the client sent, as the server received it.
    calls = tenant.journal()
    assert ["%s %s %s" % (c["method"], c["endpoint"], c["status"]) for c in calls] == [
        "POST ingest.trigger 200", "GET ingest.status 200", "GET ingest.status 200"]
    for call in calls:
        assert header_of(call, "Authorization") == "Bearer my-token"
        assert header_of(call, "X-Api-Key") == "my-client-id"
    assert calls[2]["query"] == {"requestId": str(request_id)}


def test_a_failed_fetch_is_reported_as_adobe_does(campaign_mock: CampaignMock, campaign_tenant: Tenant) -> None:
    campaign_tenant.put_script("XDM1", [{"outcome": "failed-fetch"}])
    request_id = campaign_tenant.trigger("XDM1").body["requestId"]
    done = campaign_tenant.poll("XDM1", request_id)
    assert done.body["status"] == "Failed"
    assert "ACP-880056" in done.body["info"]


class FirstTest(unittest.TestCase):
    """The same tests under python3 -m unittest: one server for the class, a tenant each."""

    __test__ = False  # pytest runs the functions above instead
    mock: CampaignMock

    @classmethod
    def setUpClass(cls) -> None:
        cls.mock = start(clock="manual")
        cls.addClassCleanup(cls.mock.stop)

    def test_a_15_minute_ingestion_reaches_success(self) -> None:
        test_a_15_minute_ingestion_reaches_success(self.mock, self.mock.tenant())

    def test_a_failed_fetch_is_reported_as_adobe_does(self) -> None:
        test_a_failed_fetch_is_reported_as_adobe_does(self.mock, self.mock.tenant())
