package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.campaignmock.junit.CampaignMock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fault rules on a server shared by parallel tests: each rule matches its test's tenant
 * only, so it never fires on another test's calls.
 */
@CampaignMock(clock = "manual")
class FaultsTest {
    @Test
    void a429WithRetryAfterThenRemoved(Tenant tenant) {
        io.campaignmock.CampaignMock mock = tenant.mock();
        String id = "busy-" + tenant.name();
        Map<String, Object> listed = mock.faults().add(Json.object(
                "id", id,
                "match", Json.object("endpoint", "ingest.trigger", "tenant", tenant.name()),
                "action", Json.object("error", "429050")));
        long createdMs = Json.getLong(listed, "createdMs");
        assertEquals("{\"id\":\"" + id + "\",\"match\":{\"endpoint\":\"ingest.trigger\",\"tenant\":\"" + tenant.name()
                + "\"},\"action\":{\"error\":\"429050\"},\"hits\":0,\"seen\":0,\"remaining\":null,\"createdMs\":"
                + createdMs + "}", Json.write(listed));

        Response busy = tenant.trigger("XDM1");
        assertEquals(429, busy.status());
        assertEquals("{\"error_code\":\"429050\",\"message\":\"Too many requests\"}", busy.body());
        assertEquals("1", busy.header("Retry-After"));
        assertEquals(0, tenant.allRequests().size(), "the handler did not run: nothing was created");

        Map<String, Object> counted = mock.faults().get(id);
        assertEquals(1L, counted.get("hits"));
        assertEquals(1L, counted.get("seen"));

        mock.faults().remove(id);
        assertTrue(mock.faults().list().stream().noneMatch(r -> id.equals(r.get("id"))));
        Response ok = tenant.trigger("XDM1");
        assertEquals(200, ok.status());
        assertEquals("Success", ok.getString("status"));

        List<JournalEntry> posts = tenant.journal(JournalFilter.any().method("POST"));
        assertEquals(2, posts.size());
        assertEquals(429, posts.get(0).status());
        assertEquals(id, posts.get(0).fault());
        assertEquals(200, posts.get(1).status());
        assertNull(posts.get(1).fault());

        CampaignMockException gone = assertThrows(CampaignMockException.class, () -> mock.faults().remove(id));
        assertEquals(404, gone.status());
        assertEquals("unknown_fault", gone.errorCode());
        assertEquals("no fault rule \"" + id + "\"", gone.errorMessage());
    }

    @Test
    void aFlakyStatusEndpoint(Tenant tenant) {
        // README "Schedules": the first poll passes, the next two get a 502, then the rule is spent.
        io.campaignmock.CampaignMock mock = tenant.mock();
        String id = "flaky-" + tenant.name();
        mock.faults().add(Json.object("id", id,
                "match", Json.object("endpoint", "ingest.status", "tenant", tenant.name()),
                "action", Json.object("error", "502"), "after", 1, "times", 2));
        long requestId = tenant.trigger("XDM1").requestId();
        assertEquals("In Progress", tenant.status("XDM1", requestId).getString("status"));
        for (int i = 0; i < 2; i++) {
            Response r = tenant.status("XDM1", requestId);
            assertEquals(502, r.status());
            assertEquals("{\"code\":502,\"message\":\"Oops. Something went wrong. Check your URI and try again.\"}",
                    r.body());
        }
        Response done = tenant.poll("XDM1", requestId, 3);
        assertEquals("Success", done.getString("status"));
        Map<String, Object> spent = mock.faults().get(id);
        assertEquals(2L, spent.get("hits"));
        assertEquals(0L, spent.get("remaining"));
        assertEquals(2, tenant.journalCount(JournalFilter.any().status(502)));
        mock.faults().remove(id);
    }

    @Test
    void addSeveralAtOnce(Tenant tenant) {
        io.campaignmock.CampaignMock mock = tenant.mock();
        List<Map<String, Object>> added = mock.faults().addAll(List.of(
                Json.object("id", "first-" + tenant.name(), "match", Json.object("tenant", tenant.name()),
                        "action", Json.object("error", "500"), "times", 1),
                Json.object("id", "second-" + tenant.name(), "match", Json.object("tenant", tenant.name()),
                        "action", Json.object("error", "503"))));
        assertEquals(2, added.size());
        assertEquals(500, tenant.trigger("XDM1").status());
        Response unavailable = tenant.trigger("XDM1");
        assertEquals(503, unavailable.status());
        assertEquals("{\"code\":503,\"message\":\"Service Unavailable\"}", unavailable.body());
        mock.faults().remove("first-" + tenant.name());
        mock.faults().remove("second-" + tenant.name());
        assertEquals(200, tenant.trigger("XDM1").status());

        CampaignMockException bad = assertThrows(CampaignMockException.class,
                () -> mock.faults().add(Json.object("action", Json.object("error", "404"))));
        assertEquals(400, bad.status());
        assertEquals("invalid_field", bad.errorCode());
        assertEquals(List.of("body: action.error: must be one of \"401013\", \"403003\", \"403023\", \"429050\", "
                + "\"500\", \"502\", \"503\""), bad.problems());
    }
}
