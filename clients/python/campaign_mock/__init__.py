"""campaign-mock for Python test suites (standard library only, Python 3.9+).

    from campaign_mock import start

    mock = start(clock="manual")          # campaign-mock on a free port
    tenant = mock.tenant()                # a fresh copy of the template tenant "*"
    request_id = tenant.trigger("XDM1").body["requestId"]
    mock.clock.advance(900000)
    assert tenant.poll("XDM1", request_id).body["status"] == "Success"
    mock.stop()

pytest fixtures: campaign_mock.pytest_plugin (campaign_mock, campaign_tenant).
"""

from .client import (
    DEFAULT_SCOPE,
    EXCLUDED_ROUTES,
    ROUTES,
    ApiResponse,
    CampaignMock,
    CampaignMockError,
    Clock,
    Faults,
    Tenant,
    header_of,
    start,
    unique_tenant_name,
)

__all__ = [
    "DEFAULT_SCOPE",
    "EXCLUDED_ROUTES",
    "ROUTES",
    "ApiResponse",
    "CampaignMock",
    "CampaignMockError",
    "Clock",
    "Faults",
    "Tenant",
    "header_of",
    "start",
    "unique_tenant_name",
]
__version__ = "0.1.0"
