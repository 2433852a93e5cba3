package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.campaignmock.junit.CampaignMock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * --auth strict with the IMS clients of src/test/resources/clients.json beside the
 * bundled fixtures (a relative path: from the basedir system property, which ctest sets
 * to clients/java, as Maven Surefire would).
 */
@CampaignMock(auth = "strict", clock = "manual", fixtures = {"bundled", "src/test/resources/clients.json"})
class StrictAuthTest {
    private static final String CLIENT = "java-client";
    private static final String SECRET = "java-secret";
    /** Moving the clock expires every test's tokens: the tests that hold one read-lock it. */
    private static final String CLOCK = "campaign-mock clock";

    @Test
    @ResourceLock(value = CLOCK, mode = ResourceAccessMode.READ)
    void aTokenFromImsThenTriggerAndPoll(Tenant tenant) {
        ImsToken token = tenant.mock().token(CLIENT, SECRET);
        assertEquals("bearer", token.tokenType());
        assertEquals(86399, token.expiresIn());
        assertTrue(token.accessToken().startsWith("eyJ"), "JWT-shaped");
        assertTrue(token.body().startsWith("{\"access_token\": \"" + token.accessToken() + "\", \"token_type\": "
                + "\"bearer\", \"expires_in\": 86399}"), token.body());

        Api client = tenant.mock().api().withToken(token, CLIENT);
        Response trigger = client.trigger(tenant.name(), "XDM1");
        assertEquals(200, trigger.status(), trigger.body());
        Response done = client.poll(tenant.name(), "XDM1", trigger.requestId(), 3);
        assertEquals("{\"batchId\": \"\", \"info\": \"Mapping Id: XDM1. \", \"numRecords\": 10, \"requestId\": "
                + trigger.requestId() + ", \"status\": \"Success\"}", done.body());

        // IMS calls have no tenant: on a server shared by parallel tests, find ours by its answer.
        JournalEntry ims = tenant.mock().journal(JournalFilter.any().method("POST")).stream()
                .filter(e -> "ims.token".equals(e.endpoint()) && token.body().equals(e.responseBody()))
                .findFirst().orElseThrow();
        assertEquals("/ims/token/v3", ims.path());
        assertEquals("client_id=" + CLIENT + "&client_secret=" + SECRET
                + "&grant_type=client_credentials&scope=openid%2CAdobeID%2Ccampaign_sdk", ims.requestBody());
        assertEquals("application/x-www-form-urlencoded", ims.requestHeader("Content-Type"));
    }

    @Test
    @ResourceLock(value = CLOCK, mode = ResourceAccessMode.READ)
    void theGatewayRefusals(Tenant tenant) {
        Api client = tenant.mock().api().withToken(tenant.mock().token(CLIENT, SECRET), CLIENT);

        Response noToken = client.withoutHeader("Authorization").trigger(tenant.name(), "XDM1");
        assertEquals(401, noToken.status());
        assertEquals("{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}", noToken.body());

        Response madeUp = client.withCredentials("made-up", CLIENT).trigger(tenant.name(), "XDM1");
        assertEquals(401, madeUp.status());
        assertEquals("{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}", madeUp.body());

        Response wrongKey = client.withHeader("X-Api-Key", "some-other-key").trigger(tenant.name(), "XDM1");
        assertEquals(403, wrongKey.status());
        assertEquals("{\"error_code\":\"403003\",\"message\":\"Api Key is invalid\"}", wrongKey.body());

        Api acmeOnly = tenant.mock().api().withToken(tenant.mock().token("java-acme-only", "java-acme-secret"),
                "java-acme-only");
        Response otherOrg = acmeOnly.trigger(tenant.name(), "XDM1");
        assertEquals(403, otherOrg.status());
        assertEquals("{\"error_code\":\"403023\",\"message\":\"Profile is not valid\"}", otherOrg.body());

        Api noSql = tenant.mock().api().withToken(tenant.mock().token("java-no-sql", "java-no-sql-secret"),
                "java-no-sql");
        Response noRole = noSql.trigger(tenant.name(), "XDM1");
        assertEquals(403, noRole.status());
        assertEquals("{\"code\":403,\"message\":\"Access denied: the role 'SQL function execution' (sql) is required to "
                + "trigger data ingestion. RST-360011 An error has occurred - please contact your administrator.\"}",
                noRole.body());
        assertEquals(0, tenant.allRequests().size(), "no refused trigger created anything");
    }

    @Test
    void aWrongSecretIsAnImsError(io.campaignmock.CampaignMock mock) {
        CampaignMockException e = assertThrows(CampaignMockException.class, () -> mock.token(CLIENT, "wrong"));
        assertEquals(401, e.status());
        assertEquals("invalid_client", e.errorCode());
        assertEquals("invalid client_secret parameter", e.errorMessage());
        assertEquals("{\"error\":\"invalid_client\",\"error_description\":\"invalid client_secret parameter\"}",
                e.body());
    }

    @Test
    @ResourceLock(CLOCK)
    void aTokenExpiresOnTheServerClock(Tenant tenant) {
        Api client = tenant.mock().api().withToken(tenant.mock().token(CLIENT, SECRET), CLIENT);
        long id = client.trigger(tenant.name(), "XDM1").requestId();
        tenant.mock().clock().advance(Duration.ofSeconds(86399));
        Response expired = client.status(tenant.name(), "XDM1", id);
        assertEquals(401, expired.status());
        assertTrue(expired.header("X-Mock-Reason") != null, "the mock says why: " + expired.headers());
        Response renewed = client.withToken(tenant.mock().token(CLIENT, SECRET), CLIENT)
                .status(tenant.name(), "XDM1", id);
        assertEquals(200, renewed.status());
        assertEquals("In Progress", renewed.getString("status"), "the refused poll did not count");
    }
}
