package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.campaignmock.junit.CampaignMock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** README recipe c, "verify what the client sent", in Java. */
@CampaignMock(clock = "manual")
class JournalTest {
    @Test
    void showsWhatTheClientSent(Tenant tenant) {
        Api client = tenant.mock().api().withCredentials("token-7", "client-7").withHeader("X-Trace", "trace-1");
        Response trigger = client.trigger(tenant.name(), "XDM1");
        long id = trigger.requestId();
        Response poll = client.statusWithJsonBody(tenant.name(), "XDM1", id);
        assertEquals("In Progress", poll.getString("status"));
        client.withoutHeader("Authorization").trigger(tenant.name(), "XDM1");

        assertEquals(3, tenant.journalCount(JournalFilter.any()));
        assertEquals(2, tenant.journalCount(JournalFilter.any().method("POST")));
        assertEquals(1, tenant.journalCount(JournalFilter.any().method("POST").status(200)));
        assertEquals(1, tenant.journalCount(JournalFilter.any().status(401)));
        assertEquals(0, tenant.journalCount(JournalFilter.any().mapping("XDM44")));

        List<JournalEntry> triggers = tenant.journal(JournalFilter.any().mapping("XDM1").method("POST").status(200));
        assertEquals(1, triggers.size());
        JournalEntry t = triggers.get(0);
        assertEquals("POST", t.method());
        assertEquals("/" + tenant.name() + "/campaign/dataIngestion/xdmIngestion/XDM1/ingest", t.path());
        assertEquals(Map.of(), t.query());
        assertEquals("ingest.trigger", t.endpoint());
        assertEquals(tenant.name(), t.tenant());
        assertEquals("XDM1", t.mapping());
        assertEquals(id, t.requestId());
        assertEquals("Bearer token-7", t.requestHeader("Authorization"));
        assertEquals("client-7", t.requestHeader("x-api-key"));
        assertEquals("no-cache", t.requestHeader("Cache-Control"));
        assertEquals("trace-1", t.requestHeader("X-Trace"));
        assertEquals("", t.requestBody());
        assertEquals(trigger.body(), t.responseBody(), "the journal has the bytes the client got");
        assertNull(t.fault());

        JournalEntry p = tenant.journal(JournalFilter.any().method("GET")).get(0);
        assertEquals("ingest.status", p.endpoint());
        assertEquals(Map.of(), p.query(), "the id went in the body, not the query");
        assertEquals("{\"requestId\": " + id + "}", p.requestBody());
        assertEquals("application/json", p.requestHeader("Content-Type"));
        assertEquals(poll.body(), p.responseBody());

        List<JournalEntry> newest = tenant.journal(JournalFilter.any().limit(1));
        assertEquals(1, newest.size());
        assertEquals(401, newest.get(0).status());
        assertNull(newest.get(0).requestHeader("Authorization"));
        assertEquals("{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}",
                newest.get(0).responseBody());
    }

    @Test
    void aQueryPollIsJournaledWithItsQuery(Tenant tenant) {
        long id = tenant.trigger("XDM1").requestId();
        tenant.status("XDM1", id);
        JournalEntry p = tenant.journal(JournalFilter.any().method("GET")).get(0);
        assertEquals(Map.of("requestId", Long.toString(id)), p.query());
        assertEquals(id, p.requestId());
        assertEquals(200, p.status());
    }

    @Test
    void aBadFilterIsRefused(io.campaignmock.CampaignMock mock) {
        Response r = mock.call(Routes.JOURNAL_GET, Map.of("limit", 0), null);
        assertEquals(400, r.status());
        assertEquals("{\"code\":400,\"error_code\":\"invalid_field\",\"message\":\"limit: \\\"0\\\" is not an integer "
                + "from 1 to 10000000\"}", r.body());
    }
}
