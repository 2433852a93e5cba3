package io.campaignmock;

import java.util.List;
import java.util.Map;

/**
 * One HTTP answer as received: status, headers and the body's exact text. The emulated
 * API's answers are returned as they are, whatever their status, so a test can assert
 * the documented bytes (Adobe's spacing included) and statuses such as 429.
 */
public final class Response {
    private final String call;
    private final int status;
    private final Map<String, List<String>> headers;
    private final String body;

    Response(String call, int status, Map<String, List<String>> headers, String body) {
        this.call = call;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The body's text, exactly as sent (UTF-8). */
    public String body() {
        return body;
    }

    /** All headers, names in lower case (as {@link java.net.http.HttpHeaders} keeps them). */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of a header (any case), or null. */
    public String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    /** The call this answers: {@code "POST /acme/campaign/..."}. */
    public String call() {
        return call;
    }

    /** The body parsed as JSON. */
    public Object json() {
        return Json.parse(body);
    }

    /** The body parsed as a JSON object. */
    public Map<String, Object> jsonObject() {
        return Json.parseObject(body);
    }

    /** A string member of the JSON body: {@code getString("status")}. */
    public String getString(String name) {
        return Json.getString(jsonObject(), name);
    }

    /** An integer member of the JSON body: {@code getLong("requestId")}. */
    public long getLong(String name) {
        return Json.getLong(jsonObject(), name);
    }

    /** The request id of a trigger's or a status poll's answer. */
    public long requestId() {
        return getLong("requestId");
    }

    /** True for a 2xx status. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** This answer, unless its status is not 2xx: then a {@link CampaignMockException}. */
    public Response orThrow() {
        if (!isSuccess()) {
            throw new CampaignMockException(call, status, body);
        }
        return this;
    }

    @Override
    public String toString() {
        return call + " -> " + status + " " + body;
    }
}
