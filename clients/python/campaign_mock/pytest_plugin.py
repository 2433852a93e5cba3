"""pytest fixtures for campaign-mock: `campaign_mock`, one server for the session, and
`campaign_tenant`, a fresh tenant for each test (deleted after it).

Enable it with `pytest_plugins = ["campaign_mock.pytest_plugin"]` in the root
conftest.py (or in a test module), or `pytest -p campaign_mock.pytest_plugin`; a pip
install of clients/python registers it by itself (entry point pytest11). The server's
options come from the session fixture `campaign_mock_options` (default: the manual
clock); override it in conftest.py:

    @pytest.fixture(scope="session")
    def campaign_mock_options():
        return {"auth": "strict", "clock": "manual", "fixtures": ["bundled", "clients.json"]}

This module imports without pytest: it then defines no fixture.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

from .client import CampaignMock, CampaignMockError, Tenant, start

try:
    import pytest
except ImportError:  # pytest is optional: unittest suites use campaign_mock.start()
    pytest = None  # type: ignore[assignment]

# The manual clock: a suite's tests decide when time passes.
DEFAULT_OPTIONS: Dict[str, Any] = {"clock": "manual"}

if pytest is not None:

    @pytest.fixture(scope="session")
    def campaign_mock_options() -> Dict[str, Any]:
        """The keyword arguments of campaign_mock.start() for the session's server."""
        return dict(DEFAULT_OPTIONS)

    @pytest.fixture(scope="session")
    def campaign_mock(campaign_mock_options: Dict[str, Any]) -> Iterator[CampaignMock]:
        """One campaign-mock for the whole session, stopped at its end."""
        mock = start(**campaign_mock_options)
        try:
            yield mock
        finally:
            mock.stop()

    @pytest.fixture
    def campaign_tenant(campaign_mock: CampaignMock) -> Iterator[Tenant]:
        """A tenant no other test uses (a copy of the template `*`). After the test,
        the fault rules that match it are removed and it is deleted, so that a long
        suite stays under --tenants-max."""
        tenant = campaign_mock.tenant()
        yield tenant
        for rule in campaign_mock.faults.list():
            if (rule.get("match") or {}).get("tenant") == tenant.name:
                campaign_mock.faults.remove(rule["id"])
        try:
            tenant.delete()
        except CampaignMockError as err:
            if err.status != 404:  # the test deleted it itself
                raise
