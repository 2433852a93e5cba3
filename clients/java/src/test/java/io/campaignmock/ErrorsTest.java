package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.campaignmock.junit.CampaignMock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The control API's refusals, read into CampaignMockException (README "Control API"). */
@CampaignMock
class ErrorsTest {
    @Test
    void unknownMapping(Tenant tenant) {
        CampaignMockException e = assertThrows(CampaignMockException.class, () -> tenant.mapping("NOPE").get());
        assertEquals(404, e.status());
        assertEquals("unknown_mapping", e.errorCode());
        assertEquals("unknown mapping \"NOPE\" in tenant " + tenant.name(), e.errorMessage());
        assertEquals("{\"code\":404,\"error_code\":\"unknown_mapping\",\"message\":\"unknown mapping \\\"NOPE\\\" in tenant "
                + tenant.name() + "\"}", e.body());
        assertEquals("GET /_mock/tenants/" + tenant.name() + "/mappings/NOPE", e.call());
        assertEquals(List.of(), e.problems());
        assertTrue(e.getMessage().startsWith("GET /_mock/tenants/" + tenant.name() + "/mappings/NOPE -> 404 "
                + "unknown_mapping: "), e.getMessage());
    }

    @Test
    void theRealClockCannotBeMoved(io.campaignmock.CampaignMock mock) {
        CampaignMockException e = assertThrows(CampaignMockException.class, () -> mock.clock().advanceMs(900000));
        assertEquals(409, e.status());
        assertEquals("clock_not_manual", e.errorCode());
        assertEquals("the server clock is real; start campaign-mock with --clock manual to move it", e.errorMessage());
        assertEquals("real", mock.clock().get().mode());
    }

    @Test
    void anInvalidMappingListsEveryProblem(Tenant tenant) {
        CampaignMockException e = assertThrows(CampaignMockException.class,
                () -> tenant.mapping("XDM60").put(Json.object("publised", true, "changedRecords", -1)));
        assertEquals(400, e.status());
        assertEquals("invalid_field", e.errorCode());
        assertEquals("body: publised: unknown field", e.errorMessage());
        assertEquals(List.of("body: publised: unknown field",
                "body: changedRecords: must be between 0 and 9007199254740992"), e.problems());
    }

    @Test
    void startOnADraftAndResolveOfAFinishedRequest(Tenant tenant) {
        Mapping xdm1 = tenant.mapping("XDM1");
        xdm1.unpublish();
        CampaignMockException e = assertThrows(CampaignMockException.class, xdm1::start);
        assertEquals(409, e.status());
        assertEquals("conflict", e.errorCode());
        assertEquals("XDM Mapping ID: XDM1 is not published: publish it before starting it", e.errorMessage());

        assertEquals("{\"info\": \"Unable to submit data ingestion request, XDM Mapping ID: XDM1 is not published\", "
                + "\"status\": \"Failed\"}", xdm1.trigger().body());
        assertEquals("Started", xdm1.publish().get("execution"), "publishing starts it, as in Campaign");
        assertEquals("{\"info\": \"Unable to submit data ingestion request, XDM Mapping ID: XDM1 is not stopped\", "
                + "\"status\": \"Failed\"}", xdm1.trigger().body());
        assertEquals("Stopped", xdm1.stop().get("execution"));

        xdm1.putScript(List.of(Json.object("outcome", "hang")));
        long id = xdm1.trigger().requestId();
        Map<String, Object> failed = tenant.resolve(id, Json.object("outcome", "failed-upload",
                "batchId", "592743400bb44ae6bd5bc99a37c7ddc0"));
        assertEquals("Failed", failed.get("status"));
        e = assertThrows(CampaignMockException.class, () -> tenant.resolve(id, Json.object("outcome", "success")));
        assertEquals(409, e.status());
        assertEquals("conflict", e.errorCode());
        assertEquals("request " + id + " is already Failed", e.errorMessage());
    }

    @Test
    void deletedTwice(io.campaignmock.CampaignMock mock) {
        Tenant t = mock.tenant("doomed");
        t.delete();
        CampaignMockException e = assertThrows(CampaignMockException.class, t::delete);
        assertEquals(404, e.status());
        assertEquals("unknown_tenant", e.errorCode());
        assertEquals("unknown tenant \"" + t.name() + "\"", e.errorMessage());
    }

    @Test
    void theGatewaysAndImsEnvelopesAreReadToo() {
        CampaignMockException gateway = new CampaignMockException("POST /x", 403,
                "{\"error_code\":\"403003\",\"message\":\"Api Key is invalid\"}");
        assertEquals("403003", gateway.errorCode());
        assertEquals("Api Key is invalid", gateway.errorMessage());
        CampaignMockException ims = new CampaignMockException("POST /ims/token/v3", 401,
                "{\"error\":\"invalid_client\",\"error_description\":\"invalid client_secret parameter\"}");
        assertEquals("invalid_client", ims.errorCode());
        assertEquals("invalid client_secret parameter", ims.errorMessage());
        CampaignMockException html = new CampaignMockException("GET /x", 431, "<html>too large</html>");
        assertNull(html.errorCode());
        assertEquals("<html>too large</html>", html.errorMessage());
    }

    @Test
    void routesArePercentEncoded(Tenant tenant) {
        // A mapping id may hold characters a path segment must escape (README: printable
        // ASCII but space, '/', '?', '#', '%').
        String odd = "A\"B<C>^|`{}";
        Map<String, Object> created = tenant.mapping(odd).put(Json.object("label", "odd"));
        assertEquals(odd, created.get("id"));
        assertEquals(odd, tenant.mapping(odd).get().get("id"));
        long id = tenant.trigger(odd).requestId();
        assertEquals("Success", tenant.poll(odd, id, 3).getString("status"));
    }
}
