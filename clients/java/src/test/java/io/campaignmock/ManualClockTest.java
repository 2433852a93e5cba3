package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.campaignmock.junit.CampaignMock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * README recipe b, "a 15-minute ingestion, tested instantly", in Java. The clock is the
 * server's, shared by the class's tests: those that move it take the same lock.
 */
@CampaignMock(clock = "manual")
class ManualClockTest {
    private static final String CLOCK = "campaign-mock clock";

    @Test
    @ResourceLock(CLOCK)
    void afterMsIsDueWhenTheClockIsAdvanced(Tenant tenant) {
        Mapping xdm1 = tenant.mapping("XDM1");
        assertEquals(Map.of("script", List.of(Map.of("outcome", "success", "numRecords", 500L, "afterMs", 900000L)),
                "defaultOutcome", Map.of("outcome", "success", "afterPolls", 1L)),
                xdm1.putScript(List.of(Json.object("outcome", "success", "numRecords", 500, "afterMs", 900000))));

        Response trigger = xdm1.trigger();
        long id = trigger.requestId();
        assertEquals(200, trigger.status());
        assertEquals("{\"requestId\": " + id + ", \"info\": \"Ingestion request submitted successfully for the "
                + "Mapping ID: XDM1\", \"status\": \"Success\"}", trigger.body());

        // Polls alone never get there: the step is due 15 minutes later on the server clock.
        for (int i = 0; i < 3; i++) {
            assertEquals("{\"batchId\": \"\", \"info\": \"Mapping Id: XDM1.\", \"numRecords\": 0, \"requestId\": "
                    + id + ", \"status\": \"In Progress\"}", xdm1.status(id).body());
        }

        Clock.Reading before = tenant.mock().clock().get();
        assertTrue(before.isManual());
        Clock.Reading after = tenant.mock().clock().advance(Duration.ofMinutes(15));
        assertEquals(before.nowMs() + 900_000, after.nowMs());
        assertEquals(Clock.format(after.instant()), after.now());

        Response done = xdm1.poll(id, 2);
        assertEquals("{\"batchId\": \"\", \"info\": \"Mapping Id: XDM1. \", \"numRecords\": 500, \"requestId\": "
                + id + ", \"status\": \"Success\"}", done.body());
        Map<String, Object> request = tenant.request(id);
        assertEquals("Success", request.get("status"));
        assertEquals(after.nowMs(), request.get("resolvedMs"), "resolved when the poll found it due");
        assertEquals(after.nowMs() - 900_000, request.get("createdMs"));
    }

    @Test
    @ResourceLock(CLOCK)
    void pollCanMoveTheClockBetweenPolls(Tenant tenant) {
        Mapping xdm1 = tenant.mapping("XDM1");
        xdm1.putScript(List.of(Json.object("outcome", "aborted", "afterMs", 60_000)));
        long id = xdm1.trigger().requestId();
        Response done = tenant.mock().api().poll(tenant.name(), "XDM1", id, 10,
                () -> tenant.mock().clock().advanceMs(20_000));
        assertEquals("Aborted", done.getString("status"));
        assertEquals(4, Json.getLong(tenant.request(id), "polls") + 1, "three In Progress, then the outcome");
    }

    @Test
    @ResourceLock(CLOCK)
    void setMovesItAnywhere(io.campaignmock.CampaignMock mock) {
        Clock clock = mock.clock();
        Instant target = Instant.parse("2030-06-30T23:59:59Z");
        Response moved = mock.call(Routes.CLOCK_MOVE, null, Json.object("set", "2030-06-30T23:59:59.000Z"));
        assertEquals("{\"mode\":\"manual\",\"now\":\"2030-06-30T23:59:59.000Z\",\"nowMs\":" + target.toEpochMilli()
                + "}", moved.body());
        assertEquals(target, clock.get().instant());
        Clock.Reading later = clock.set(target.plusMillis(1500));
        assertEquals("2030-07-01T00:00:00.500Z", later.now());
        CampaignMockException e = org.junit.jupiter.api.Assertions.assertThrows(CampaignMockException.class,
                () -> clock.advanceMs(-1));
        assertEquals(400, e.status());
        assertEquals("invalid_field", e.errorCode());
        assertEquals("advanceMs: must be between 0 and 316224000000", e.errorMessage());
    }
}
