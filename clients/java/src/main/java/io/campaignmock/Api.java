package io.campaignmock;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small helpers for the emulated Adobe API, as a client under test calls it: an IMS
 * token, a trigger, a status poll. They return each {@link Response} as it is, whatever
 * its status (a 429 or a 403 is an answer to assert, not an error), except
 * {@link #token}, which throws {@link CampaignMockException} on an IMS error.
 *
 * <p>Immutable and thread-safe; {@code with...} answer a new helper. The default one
 * ({@link CampaignMock#api()}) sends {@code Authorization: Bearer token} and
 * {@code X-Api-Key: key}, which {@code --auth presence} (the default) accepts.
 */
public final class Api {
    /** The scope a Campaign client asks for. */
    public static final String DEFAULT_SCOPE = "openid,AdobeID,campaign_sdk";

    private final Http http;
    private final Map<String, String> headers;

    Api(Http http, Map<String, String> headers) {
        this.http = http;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    static Api presence(Http http) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer token");
        h.put("X-Api-Key", "key");
        h.put("Cache-Control", "no-cache");
        return new Api(http, h);
    }

    /** The same helper with this bearer token and API key (under --auth strict: the client id). */
    public Api withCredentials(String accessToken, String apiKey) {
        return withHeader("Authorization", "Bearer " + accessToken).withHeader("X-Api-Key", apiKey);
    }

    /** The same helper with a token from the emulated IMS and the client id as API key. */
    public Api withToken(ImsToken token, String clientId) {
        return withCredentials(token.accessToken(), clientId);
    }

    /** The same helper with one more header (or another value for one already set). */
    public Api withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        h.put(name, value);
        return new Api(http, h);
    }

    /** The same helper without this header (e.g. "Authorization", to see the gateway's 401). */
    public Api withoutHeader(String name) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        return new Api(http, h);
    }

    /** The headers each call sends. */
    public Map<String, String> headers() {
        return headers;
    }

    /** {@code POST /{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest}, no body. */
    public Response trigger(String org, String mappingId) {
        return http.send("POST", Routes.path(Routes.INGEST_TRIGGER, org, mappingId), null, headers);
    }

    /** {@code GET .../{mappingId}/ingest?requestId=N}. */
    public Response status(String org, String mappingId, long requestId) {
        String path = Routes.path(Routes.INGEST_STATUS, org, mappingId) + "?requestId=" + requestId;
        return http.send("GET", path, null, headers);
    }

    /** The status call as Adobe's sample makes it: a GET with the JSON body {@code {"requestId": N}}. */
    public Response statusWithJsonBody(String org, String mappingId, long requestId) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", "application/json");
        return http.send("GET", Routes.path(Routes.INGEST_STATUS, org, mappingId),
                "{\"requestId\": " + requestId + "}", h);
    }

    /**
     * Polls until the request leaves In Progress, at most {@code maxPolls} times, and
     * answers the last answer: the final status, or the first answer that is not a 200
     * (a fault's 502, say), for the caller to judge. {@link IllegalStateException} when
     * the request is still In Progress after {@code maxPolls} polls.
     */
    public Response poll(String org, String mappingId, long requestId, int maxPolls) {
        return poll(org, mappingId, requestId, maxPolls, () -> {});
    }

    /**
     * {@link #poll(String, String, long, int)}, running {@code betweenPolls} after each
     * In Progress answer: {@code () -> mock.clock().advance(Duration.ofMinutes(5))} on a
     * manual clock, or a sleep on a real one.
     */
    public Response poll(String org, String mappingId, long requestId, int maxPolls, Runnable betweenPolls) {
        if (maxPolls < 1) {
            throw new IllegalArgumentException("maxPolls must be at least 1");
        }
        Response last = null;
        for (int i = 0; i < maxPolls; i++) {
            last = status(org, mappingId, requestId);
            if (last.status() != 200 || !"In Progress".equals(last.getString("status"))) {
                return last;
            }
            if (i + 1 < maxPolls) {
                betweenPolls.run();
            }
        }
        throw new IllegalStateException("request " + requestId + " of " + org + "/" + mappingId
                + " is still In Progress after " + maxPolls + " polls: " + last.body());
    }

    /**
     * {@code POST /ims/token/v3} (form-encoded client_id, client_secret,
     * grant_type=client_credentials, scope {@value #DEFAULT_SCOPE}).
     */
    public ImsToken token(String clientId, String clientSecret) {
        return token(clientId, clientSecret, DEFAULT_SCOPE);
    }

    /** {@link #token(String, String)} with another scope. */
    public ImsToken token(String clientId, String clientSecret, String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        form.put("grant_type", "client_credentials");
        form.put("scope", scope);
        return ImsToken.of(ims(Routes.IMS_TOKEN_V3, form).orThrow());
    }

    /** One form-encoded IMS call ({@link Routes#IMS_TOKEN_V3}, ...), its answer as it is. */
    public Response ims(String route, Map<String, String> form) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/x-www-form-urlencoded");
        return http.send(Routes.method(route), Routes.path(route),
                Http.query(form).replaceFirst("^\\?", ""), h);
    }
}
