package io.campaignmock.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.campaignmock.JournalEntry;
import io.campaignmock.Json;
import io.campaignmock.Response;
import io.campaignmock.Tenant;
import io.campaignmock.junit.CampaignMock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Your first test: one campaign-mock for the class on a manual clock, a fresh tenant
 * for the test, an ingestion that takes 15 minutes, tested in milliseconds.
 */
@CampaignMock(clock = "manual")
class FirstTest {
    @Test
    void ingestionSucceedsAfterFifteenMinutes(Tenant tenant) {
        // The tenant's mapping XDM1 (a copy of the template's) succeeds 15 minutes after a trigger.
        tenant.mapping("XDM1").putScript(List.of(
                Json.object("outcome", "success", "numRecords", 500, "afterMs", 900_000)));

        // Trigger, as the client under test would (its base URL: tenant.mock().campaignBaseUrl()).
        Response trigger = tenant.trigger("XDM1");
        long requestId = trigger.requestId();
        assertEquals("Success", trigger.getString("status"));

        // Before the 15 minutes are up, every poll answers In Progress.
        assertEquals("In Progress", tenant.status("XDM1", requestId).getString("status"));

        // Move the server's clock instead of waiting, then poll to the outcome.
        tenant.mock().clock().advance(Duration.ofMinutes(15));
        Response done = tenant.poll("XDM1", requestId, 5);
        assertEquals("{\"batchId\": \"\", \"info\": \"Mapping Id: XDM1. \", \"numRecords\": 500, "
                + "\"requestId\": " + requestId + ", \"status\": \"Success\"}", done.body());

        // The journal shows what the client sent: one trigger, then two polls, with its headers.
        List<JournalEntry> calls = tenant.journal();
        assertEquals(List.of("ingest.trigger", "ingest.status", "ingest.status"),
                calls.stream().map(JournalEntry::endpoint).toList());
        JournalEntry sent = calls.get(0);
        assertEquals("POST", sent.method());
        assertEquals("/" + tenant.name() + "/campaign/dataIngestion/xdmIngestion/XDM1/ingest", sent.path());
        assertEquals("Bearer token", sent.requestHeader("Authorization"));
        assertEquals("key", sent.requestHeader("X-Api-Key"));
        assertEquals(String.valueOf(requestId), calls.get(2).query().get("requestId"));
    }
}
