package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Starting and stopping servers by hand, without the extension. */
class LifecycleTest {
    @Test
    void startsOnAFreePortAndStopsCleanly() throws InterruptedException {
        CampaignMock mock = CampaignMock.start();
        Path dir = mock.logFile().getParent();
        try {
            assertTrue(mock.port() > 0);
            assertEquals("http://127.0.0.1:" + mock.port(), mock.campaignBaseUrl());
            assertEquals(mock.campaignBaseUrl(), mock.imsBaseUrl());
            assertEquals(mock.campaignBaseUrl() + "/_mock", mock.controlUrl());
            assertEquals("--port", mock.command().get(1));

            Response health = mock.call(Routes.HEALTH);
            assertEquals(200, health.status());
            assertEquals("application/json;charset=utf-8", health.header("Content-Type"));
            assertTrue(health.body().matches("\\{\"status\":\"ready\",\"version\":\"[^\"]+\"\\}"), health.body());
            assertEquals("ready", mock.health().get("status"));
            assertEquals("campaign-mock", mock.index().get("name"));
            assertTrue(mock.openapi().startsWith("# The HTTP interface of campaign-mock"));
            // The port file comes before the ready line: wait for the line, bounded.
            String ready = "campaign-mock listening on http://127.0.0.1:" + mock.port() + "\n";
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!mock.log().contains(ready) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(mock.log().contains(ready), mock.log());
        } finally {
            mock.close();
        }
        assertEquals(0, mock.exitCode());
        assertFalse(Files.exists(dir), "a clean stop removes the temporary directory (and the port file in it)");
        assertThrows(UncheckedIOException.class, mock::health, "nothing listens any more");
        mock.close(); // a second close does nothing
    }

    @Test
    void twoServersAreIndependent() {
        try (CampaignMock a = CampaignMock.start(); CampaignMock b = CampaignMock.start()) {
            assertNotEquals(a.port(), b.port());
            a.tenantNamed("only-on-a").get();
            assertEquals(Map.of("name", "only-on-a", "mappings", 1L),
                    Json.asObjects(a.tenants().get("tenants")).stream()
                            .filter(t -> "only-on-a".equals(t.get("name"))).findFirst().orElseThrow());
            assertTrue(Json.asObjects(b.tenants().get("tenants")).stream()
                    .noneMatch(t -> "only-on-a".equals(t.get("name"))));
        }
    }

    @Test
    void connectAttachesToARunningServerAndLeavesItRunning() {
        try (CampaignMock owner = CampaignMock.builder().clock("manual").start()) {
            Tenant t;
            try (CampaignMock attached = CampaignMock.connect(owner.campaignBaseUrl())) {
                assertEquals(owner.port(), attached.port());
                assertEquals(List.of(), attached.command());
                t = attached.tenant("attached");
                assertEquals(200, t.trigger("XDM1").status());
                assertEquals("manual", attached.clock().get().mode());
            }
            assertEquals(1, owner.tenantNamed(t.name()).allRequests().size(), "closing it left the server running");
        }
        assertThrows(UncheckedIOException.class, () -> CampaignMock.connect("http://127.0.0.1:1"));
        assertThrows(IllegalArgumentException.class, () -> CampaignMock.connect("https://mc.adobe.io"));
    }

    @Test
    void aServerThatCannotStartSaysWhy() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CampaignMock.builder().auth("bogus").start());
        assertTrue(e.getMessage().contains("exited with status 2 before listening"), e.getMessage());
        assertTrue(e.getMessage().contains("--auth bogus"), e.getMessage());

        e = assertThrows(IllegalStateException.class,
                () -> CampaignMock.builder().binary(Paths.get("/nonexistent/campaign-mock")).start());
        assertTrue(e.getMessage().startsWith("cannot run /nonexistent/campaign-mock"), e.getMessage());
    }

    @Test
    void theStartIsBounded() throws Exception {
        // A "server" that never writes its port file: the wait ends at the bound.
        Path fake = Files.createTempFile("never-listens", ".sh");
        try {
            Files.writeString(fake, "#!/bin/sh\nexec sleep 30\n");
            assertTrue(fake.toFile().setExecutable(true));
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> CampaignMock.builder()
                    .binary(fake).startTimeout(Duration.ofMillis(300)).start());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().contains("wrote no port file within PT0.3S"), e.getMessage());
            assertTrue(ms < 5000, "gave up after " + ms + " ms");
        } finally {
            Files.deleteIfExists(fake);
        }
    }

    @Test
    void serverVariablesAreSetOnPurposeOnly() {
        // CAMPAIGN_MOCK_* of the server's own are set on purpose only, through env().
        try (CampaignMock mock = CampaignMock.builder().env("CAMPAIGN_MOCK_CLOCK", "manual").start()) {
            assertEquals("manual", mock.clock().get().mode());
        }
    }

    @Test
    void metricsCountTheCalls() {
        try (CampaignMock mock = CampaignMock.start()) {
            Tenant t = mock.tenant();
            assertEquals(200, t.trigger("XDM1").status());
            assertEquals(401, mock.api().withoutHeader("Authorization").trigger(t.name(), "XDM1").status());
            Metrics m = mock.metrics();
            assertTrue(m.text().startsWith("# HELP campaign_mock_requests_total "), m.text());
            assertEquals(1.0, m.value("campaign_mock_requests_total{endpoint=\"ingest.trigger\",status=\"200\"}"));
            assertEquals(1.0, m.value("campaign_mock_requests_total{endpoint=\"ingest.trigger\",status=\"401\"}"));
            assertEquals(1.0, m.value("campaign_mock_ingestion_requests_in_progress"));
            assertEquals(2.0, m.value("campaign_mock_journal_entries"));
            assertEquals(null, m.value("campaign_mock_no_such_series"));
            assertEquals(2, mock.journalCount());
        }
    }

    @Test
    void adminToken() {
        try (CampaignMock mock = CampaignMock.builder().adminToken("s3cret").start()) {
            assertNotNull(mock.tenants(), "the client sends X-Mock-Admin-Token");
            Response bare = mock.api().ims(Routes.IMS_TOKEN_V3, Map.of());
            assertEquals(400, bare.status(), "the emulated IMS is not behind the admin token: " + bare);
        }
    }

    @Test
    void resetReloadsTheFixtures() {
        try (CampaignMock mock = CampaignMock.builder().clock("manual").start()) {
            Tenant acme = mock.tenantNamed("acme");
            assertEquals(200, acme.trigger("XDM44").status());
            assertEquals(1, acme.allRequests().size());
            assertEquals(Map.of("status", "reloaded", "tenants", 1L), mock.reset());
            assertEquals(0, acme.allRequests().size());
            assertEquals(1, mock.journalCount(), "the journal stays");
            assertEquals(1, mock.clearJournal());
            assertEquals(0, mock.journalCount());
        }
    }
}
