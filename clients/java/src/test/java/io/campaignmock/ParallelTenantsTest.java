package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.campaignmock.junit.CampaignMock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * One server for the class, a tenant per test, the tests running at once (with
 * junit.jupiter.execution.parallel.enabled=true, as ctest runs them): each scripts its
 * own outcome on the same mapping id and sees only its own requests.
 */
@CampaignMock
@Execution(ExecutionMode.CONCURRENT)
class ParallelTenantsTest {
    private static final Set<String> TENANTS = ConcurrentHashMap.newKeySet();
    private static final Set<Integer> SERVERS = ConcurrentHashMap.newKeySet();
    private static final Set<String> THREADS = ConcurrentHashMap.newKeySet();
    /** Two tests must be inside it together: proof that they did run in parallel. */
    private static final CyclicBarrier TOGETHER = new CyclicBarrier(2);

    private static void isolated(Tenant tenant, Map<String, Object> step, String expectedStatus) {
        TENANTS.add(tenant.name());
        SERVERS.add(tenant.mock().port());
        THREADS.add(Thread.currentThread().getName());
        Mapping xdm1 = tenant.mapping("XDM1");
        xdm1.putScript(List.of(step));
        long id = xdm1.trigger().requestId();
        Response last = xdm1.poll(id, 5);
        assertEquals(expectedStatus, last.getString("status"), last.body());
        List<Map<String, Object>> requests = tenant.allRequests();
        assertEquals(1, requests.size(), "only this test's request: " + requests);
        assertEquals(id, Json.getLong(requests.get(0), "requestId"));
        assertEquals(1, tenant.journalCount(JournalFilter.any().method("POST")));
    }

    private static void meetAnotherTest() throws Exception {
        if (Thread.currentThread().getName().startsWith("ForkJoinPool")) {
            // JUnit runs parallel tests on its ForkJoinPool; on "main" they run one by one.
            TOGETHER.await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void succeeds(Tenant tenant) throws Exception {
        meetAnotherTest();
        isolated(tenant, Json.object("outcome", "success", "numRecords", 7), "Success");
    }

    @Test
    void failsToFetch(Tenant tenant) throws Exception {
        meetAnotherTest();
        isolated(tenant, Json.object("outcome", "failed-fetch", "afterPolls", 2), "Failed");
    }

    @Test
    void failsToUpload(Tenant tenant) {
        isolated(tenant, Json.object("outcome", "failed-upload"), "Failed");
    }

    @Test
    void aborts(Tenant tenant) {
        isolated(tenant, Json.object("outcome", "aborted", "afterPolls", 1), "Aborted");
    }

    @RepeatedTest(6)
    void manyAtOnce(Tenant tenant) {
        isolated(tenant, Json.object("outcome", "success"), "Success");
    }

    @Test
    void twoTenantsInOneTest(Tenant a, Tenant b, io.campaignmock.CampaignMock mock) {
        assertNotEquals(a.name(), b.name());
        assertEquals(mock.port(), a.mock().port());
        a.mapping("XDM1").unpublish();
        assertEquals("Draft", a.mapping("XDM1").get().get("publication"));
        assertEquals("Published", b.mapping("XDM1").get().get("publication"), "b is untouched by a");
        assertTrue(a.name().startsWith("twoTenantsInOneTest-"), a.name());
    }

    @AfterAll
    static void oneServerManyTenants() {
        assertEquals(1, SERVERS.size(), "one server for the class");
        assertEquals(10, TENANTS.size(), "a tenant per test: " + TENANTS);
        if (THREADS.stream().anyMatch(t -> t.startsWith("ForkJoinPool"))) {
            assertTrue(THREADS.size() >= 2, "parallel execution used one thread: " + THREADS);
        }
    }
}
