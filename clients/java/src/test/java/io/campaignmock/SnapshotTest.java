package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.campaignmock.junit.CampaignMock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Export a tenant's state, put it back, and the round trip gives the same document. */
@CampaignMock(clock = "manual")
class SnapshotTest {
    @Test
    void exportRestoreExportIsTheSameDocument(Tenant tenant) {
        Mapping xdm1 = tenant.mapping("XDM1");
        xdm1.putScript(List.of(Json.object("outcome", "failed-fetch"), Json.object("outcome", "hang"),
                Json.object("outcome", "aborted", "afterMs", 60000)));
        long first = xdm1.trigger().requestId();
        assertEquals("Failed", xdm1.poll(first, 2).getString("status"));
        long second = xdm1.trigger().requestId();
        xdm1.addRecords(3);

        Map<String, Object> snapshot = tenant.snapshot();
        String exported = Json.write(snapshot);
        assertEquals(exported, tenant.mock().call(Routes.SNAPSHOT_GET, tenant.name()).body(),
                "the typed read and the raw bytes agree");
        List<Map<String, Object>> requests = Json.asObjects(snapshot.get("requests"));
        assertEquals(List.of(first, second), List.of(requests.get(0).get("requestId"), requests.get(1).get("requestId")));
        assertEquals(List.of(Map.of("outcome", "aborted", "afterMs", 60000L)),
                Json.getArray(Json.asObjects(snapshot.get("mappings")).get(0), "script"),
                "the script that is left");

        // Wipe the tenant, then put the snapshot back.
        tenant.reset();
        assertEquals(0, tenant.allRequests().size());
        Map<String, Object> restored = tenant.restore(snapshot);
        assertEquals(exported, Json.write(restored), "restore answers the new snapshot: the same");
        assertEquals(exported, Json.write(tenant.snapshot()), "and a new export is the same again");

        // The restored hang is still In Progress and still resolvable.
        Map<String, Object> resolved = tenant.resolve(second, Json.object("outcome", "success", "numRecords", 42));
        assertEquals("Success", resolved.get("status"));
        assertEquals("{\"batchId\": \"\", \"info\": \"Mapping Id: XDM1. \", \"numRecords\": 42, \"requestId\": "
                + second + ", \"status\": \"Success\"}", xdm1.status(second).body());
    }

    @Test
    void aSnapshotCannotStealAnotherTenantsRequests(Tenant tenant, Tenant other) {
        long id = tenant.trigger("XDM1").requestId();
        CampaignMockException e = assertThrows(CampaignMockException.class, () -> other.restore(tenant.snapshot()));
        assertEquals(409, e.status());
        assertEquals("conflict", e.errorCode());
        assertEquals("requests[0].requestId: " + id + " belongs to tenant " + tenant.name(), e.errorMessage());
        assertEquals(0, other.allRequests().size(), "a refused call changes nothing");
    }

    @Test
    void aHandWrittenSnapshot(Tenant tenant) {
        Map<String, Object> restored = tenant.restore(Json.object(
                "mappings", List.of(Json.object("id", "ORDERS", "changedRecords", 5)),
                "requests", List.of()));
        assertEquals("{\"mappings\":[{\"id\":\"ORDERS\",\"label\":\"ORDERS\",\"targetingDimension\":\"profile\","
                + "\"dataset\":\"\",\"published\":true,\"started\":false,\"changedRecords\":5,"
                + "\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":1},\"script\":[]}],\"requests\":[]}",
                Json.write(restored));
        assertEquals(List.of("ORDERS"), tenant.mappings().stream().map(m -> m.get("id")).toList(),
                "the template's XDM1 was replaced");
        long id = tenant.trigger("ORDERS").requestId();
        assertEquals(5L, Json.getLong(tenant.poll("ORDERS", id, 3).jsonObject(), "numRecords"));
    }
}
