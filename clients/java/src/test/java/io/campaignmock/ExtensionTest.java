package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.campaignmock.junit.CampaignMock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the extension injects, and where. */
@CampaignMock(clock = "manual", args = {"--seed", "7"})
class ExtensionTest {
    private static int classPort;
    private static String classTenant;
    private final io.campaignmock.CampaignMock fromConstructor;
    private Tenant fromBeforeEach;

    ExtensionTest(io.campaignmock.CampaignMock mock) {
        this.fromConstructor = mock;
    }

    @BeforeAll
    static void once(io.campaignmock.CampaignMock mock, Tenant tenant) {
        classPort = mock.port();
        classTenant = tenant.name();
        assertEquals(List.of("--seed", "7"), mock.command().subList(mock.command().size() - 2, mock.command().size()));
    }

    @BeforeEach
    void setUp(Tenant tenant) {
        fromBeforeEach = tenant;
        tenant.mapping("XDM1").putScript(List.of(Json.object("outcome", "failed-fetch")));
    }

    @AfterEach
    void tearDown(Tenant tenant) {
        assertSame(fromBeforeEach, tenant, "@AfterEach gets the test's tenant too");
        tenant.delete();
    }

    @Test
    void theBeforeEachTenantIsTheTests(Tenant tenant, Tenant second) {
        assertSame(fromBeforeEach, tenant);
        assertNotEquals(tenant.name(), second.name(), "a second parameter is a second tenant");
        assertNotEquals(classTenant, tenant.name(), "the @BeforeAll tenant is the class's, not a test's");
        long id = tenant.trigger("XDM1").requestId();
        assertEquals("Failed", tenant.poll("XDM1", id, 2).getString("status"), "scripted in @BeforeEach");
    }

    @Test
    void oneServerForTheClass(io.campaignmock.CampaignMock mock, Tenant tenant) {
        assertSame(fromConstructor, mock);
        assertEquals(classPort, mock.port());
        assertEquals(mock.port(), tenant.mock().port());
        assertEquals("manual", mock.clock().get().mode());
    }

    @Nested
    class Inner {
        @Test
        void nestedClassesShareTheServer(io.campaignmock.CampaignMock mock, Tenant tenant) {
            assertEquals(classPort, mock.port());
            assertSame(fromBeforeEach, tenant, "the outer @BeforeEach ran for this test, with its tenant");
        }
    }

    @Nested
    @CampaignMock
    class WithItsOwnServer {
        @Test
        void anAnnotatedNestedClassHasItsOwn(io.campaignmock.CampaignMock mock) {
            assertNotEquals(classPort, mock.port());
            assertEquals("real", mock.clock().get().mode());
        }
    }
}
