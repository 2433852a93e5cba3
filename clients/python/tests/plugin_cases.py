"""Run by test_pytest_plugin.py under pytest (the name keeps unittest away): the plugin's
fixtures give one server for the session and a fresh tenant for each test, deleted
after it with the fault rules that match it."""

from typing import List, Tuple

from campaign_mock import CampaignMock, CampaignMockError, Tenant

pytest_plugins = ["campaign_mock.pytest_plugin"]

SEEN: List[Tuple[int, str]] = []


def test_a_tenant_of_its_own(campaign_mock: CampaignMock, campaign_tenant: Tenant) -> None:
    SEEN.append((campaign_mock.port, campaign_tenant.name))
    assert campaign_tenant.get()["mappings"][0]["id"] == "XDM1"
    campaign_tenant.add_fault({"id": "plugin-case", "action": {"error": "503"}})


def test_another_tenant_on_the_same_server(campaign_mock: CampaignMock, campaign_tenant: Tenant) -> None:
    port, first = SEEN[0]
    assert campaign_mock.port == port
    assert campaign_tenant.name != first
    # DELETE never creates a tenant: a 404 says the first test's tenant was deleted.
    try:
        campaign_mock.tenant(first).delete()
    except CampaignMockError as err:
        assert err.error_code == "unknown_tenant", err
    else:
        raise AssertionError("the first test's tenant is still there")
    assert [f["id"] for f in campaign_mock.faults.list()] == [], "the first test's fault rule is still there"


def test_the_default_options_give_the_manual_clock(campaign_mock: CampaignMock) -> None:
    assert campaign_mock.clock.get()["mode"] == "manual"
