package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.campaignmock.junit.CampaignMock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** GET /_mock/report on a tenant's calls: coverage of Adobe's answers, and findings. */
@CampaignMock(clock = "manual")
class ReportTest {
    private static List<String> rules(Map<String, Object> report) {
        return Json.asObjects(report.get("findings")).stream().map(f -> (String) f.get("rule")).toList();
    }

    private static long seen(Map<String, Object> report, String answer) {
        return Json.asObjects(Json.getObject(report, "coverage").get("answers")).stream()
                .filter(a -> answer.equals(a.get("answer"))).mapToLong(a -> Json.getLong(a, "seen"))
                .findFirst().orElseThrow();
    }

    @Test
    void aCleanRunHasNoFinding(Tenant tenant) {
        long id = tenant.trigger("XDM1").requestId();
        // On the manual clock polls are timed on the server clock: one second of it
        // between polls is as far apart as the default interval asks.
        Response done = tenant.mock().api().poll(tenant.name(), "XDM1", id, 3,
                () -> tenant.mock().clock().advanceMs(1000));
        assertEquals("Success", done.getString("status"));

        Map<String, Object> clean = tenant.report(ReportFilter.any());
        assertEquals(List.of(), rules(clean), clean.toString());
        assertEquals(Map.of("errors", 0L, "warnings", 0L, "answersNotSeen", 23L), clean.get("summary"));
        assertEquals(1, seen(clean, "trigger.submitted"));
        assertEquals(1, seen(clean, "status.in-progress"));
        assertEquals(1, seen(clean, "status.success"));
        Map<String, Object> window = Json.getObject(clean, "window");
        assertEquals(tenant.name(), window.get("tenant"));
        assertEquals(3L, window.get("entries"));

        // Asking for 5 s between polls: the 1 s of clock moved is too fast.
        assertEquals(List.of("poll-too-fast"), rules(tenant.report(ReportFilter.any().pollIntervalMs(5000))));
    }

    @Test
    @ResourceLock("campaign-mock report mark")
    void aMarkStartsANewWindow(Tenant tenant) {
        tenant.trigger("XDM1");
        long mark = tenant.mock().markReport();
        Map<String, Object> after = tenant.mock().report(ReportFilter.any().tenant(tenant.name()));
        assertEquals(mark, Json.getLong(Json.getObject(after, "window"), "since"));
        assertEquals(0L, Json.getObject(after, "window").get("entries"));
        assertEquals(1L, Json.getObject(tenant.report(ReportFilter.any()), "window").get("entries"),
                "Tenant.report starts at 0, whatever the mark");
    }

    @Test
    void aBadParameterIsRefused(io.campaignmock.CampaignMock mock) {
        CampaignMockException e = assertThrows(CampaignMockException.class,
                () -> mock.report(ReportFilter.any().pollIntervalMs(0)));
        assertEquals(400, e.status());
        assertEquals("invalid_field", e.errorCode());
    }
}
