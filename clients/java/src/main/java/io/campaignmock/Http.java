package io.campaignmock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one HTTP transport of the client (java.net.http, HTTP/1.1: no h2c upgrade headers
 * in the journal). Thread-safe: parallel tests share it.
 */
final class Http {
    private final HttpClient client;
    private final String baseUrl;
    private final Duration timeout;
    private final Map<String, String> controlHeaders;

    Http(String baseUrl, Duration timeout, String adminToken) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.baseUrl = baseUrl;
        this.timeout = timeout;
        this.controlHeaders = new LinkedHashMap<>();
        if (adminToken != null) {
            controlHeaders.put("X-Mock-Admin-Token", adminToken);
        }
    }

    String baseUrl() {
        return baseUrl;
    }

    /**
     * Sends one request. {@code body} null sends none (a POST then carries
     * {@code Content-Length: 0}); the answer is returned whatever its status.
     */
    Response send(String method, String pathAndQuery, String body, Map<String, String> headers) {
        String call = method + " " + pathAndQuery;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(timeout);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            b.header(h.getKey(), h.getValue());
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(call, r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(call + " to " + baseUrl + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + call, e);
        }
    }

    /** A control call: the route with its parameters, an optional query and JSON body. */
    Response control(String route, Object[] params, Map<String, ?> query, Object jsonBody) {
        Map<String, String> headers = new LinkedHashMap<>(controlHeaders);
        String body = null;
        if (jsonBody != null) {
            body = jsonBody instanceof String ? (String) jsonBody : Json.write(jsonBody);
            headers.put("Content-Type", "application/json");
        }
        return send(Routes.method(route), Routes.path(route, params) + query(query), body, headers);
    }

    /** A control call whose answer must be 2xx JSON; else {@link CampaignMockException}. */
    Object controlJson(String route, Object[] params, Map<String, ?> query, Object jsonBody) {
        return control(route, params, query, jsonBody).orThrow().json();
    }

    /** {@code ?a=1&b=In%20Progress} for the non-null values, in order; "" for none. */
    static String query(Map<String, ?> params) {
        if (params == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ?> e : params.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            sb.append(sb.length() == 0 ? '?' : '&').append(encode(e.getKey())).append('=')
                    .append(encode(String.valueOf(e.getValue())));
        }
        return sb.toString();
    }

    /** Form and query encoding, with %20 rather than '+' for a space. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
