package io.campaignmock;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One call the emulated API or IMS received, as the journal recorded it: what the
 * client sent (method, path, query, headers, body) and what it got back.
 */
public final class JournalEntry {
    private final Map<String, Object> raw;

    JournalEntry(Map<String, Object> raw) {
        this.raw = Collections.unmodifiableMap(raw);
    }

    /** The entry as the server wrote it. */
    public Map<String, Object> raw() {
        return raw;
    }

    public long id() {
        return Json.getLong(raw, "id");
    }

    public String method() {
        return Json.getString(raw, "method");
    }

    public String path() {
        return Json.getString(raw, "path");
    }

    /** The query parameters, as an object of strings. */
    public Map<String, Object> query() {
        return Json.getObject(raw, "query");
    }

    /** {@code ingest.trigger}, {@code ingest.status} or {@code ims.token}. */
    public String endpoint() {
        return Json.getString(raw, "endpoint");
    }

    public String tenant() {
        return Json.getString(raw, "tenant");
    }

    public String mapping() {
        return Json.getString(raw, "mapping");
    }

    /** The ingestion request it created or read, or null. */
    public Long requestId() {
        Object v = raw.get("requestId");
        return v == null ? null : (Long) v;
    }

    /** The status sent; 0 when a fault sent none. */
    public int status() {
        return (int) Json.getLong(raw, "status");
    }

    /** The request headers, names as the client wrote them. */
    public Map<String, String> requestHeaders() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Json.getObject(raw, "requestHeaders").entrySet()) {
            out.put(e.getKey(), String.valueOf(e.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }

    /** One request header, by name in any case; null when the client sent none. */
    public String requestHeader(String name) {
        for (Map.Entry<String, String> e : requestHeaders().entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    public String requestBody() {
        return Json.getString(raw, "requestBody");
    }

    public String responseBody() {
        return Json.getString(raw, "responseBody");
    }

    /** The id of the fault rule that answered, or null. */
    public String fault() {
        return Json.getString(raw, "fault");
    }

    /** When it completed, on the server clock. */
    public long serverMs() {
        return Json.getLong(raw, "serverMs");
    }

    @Override
    public String toString() {
        return Json.write(raw);
    }
}
