package io.campaignmock;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filters of {@code GET /_mock/journal} and {@code /_mock/journal/count}, all optional
 * and combined. Immutable: each method answers a new filter.
 * <pre>{@code JournalFilter.any().tenant(t.name()).method("POST").status(200)}</pre>
 */
public final class JournalFilter {
    private final String tenant;
    private final String mapping;
    private final String method;
    private final Integer status;
    private final Long limit;

    private JournalFilter(String tenant, String mapping, String method, Integer status, Long limit) {
        this.tenant = tenant;
        this.mapping = mapping;
        this.method = method;
        this.status = status;
        this.limit = limit;
    }

    /** No filter: every entry. */
    public static JournalFilter any() {
        return new JournalFilter(null, null, null, null, null);
    }

    /** The calls to this tenant (the {@code {org}} of the Campaign path). */
    public JournalFilter tenant(String t) {
        return new JournalFilter(t, mapping, method, status, limit);
    }

    /** The calls to this mapping. */
    public JournalFilter mapping(String m) {
        return new JournalFilter(tenant, m, method, status, limit);
    }

    /** The calls of this HTTP method ({@code "POST"}, {@code "GET"}). */
    public JournalFilter method(String m) {
        return new JournalFilter(tenant, mapping, m, status, limit);
    }

    /** The calls answered with this status; 0 for a transport broken on purpose. */
    public JournalFilter status(int s) {
        return new JournalFilter(tenant, mapping, method, s, limit);
    }

    /** Only the newest N entries (not used by the count). */
    public JournalFilter limit(long n) {
        return new JournalFilter(tenant, mapping, method, status, n);
    }

    Map<String, Object> query(boolean withLimit) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("tenant", tenant);
        q.put("mapping", mapping);
        q.put("method", method);
        q.put("status", status);
        if (withLimit) {
            q.put("limit", limit);
        }
        return q;
    }

    @Override
    public String toString() {
        return "JournalFilter" + Http.query(query(true));
    }
}
