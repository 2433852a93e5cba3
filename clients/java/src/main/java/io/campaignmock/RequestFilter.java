package io.campaignmock;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filters and paging of {@code GET /_mock/tenants/{org}/requests}, all optional.
 * Immutable: each method answers a new filter.
 * <pre>{@code RequestFilter.any().mapping("XDM1").status("In Progress").limit(100)}</pre>
 */
public final class RequestFilter {
    private final String mapping;
    private final String status;
    private final Integer limit;
    private final Long after;

    private RequestFilter(String mapping, String status, Integer limit, Long after) {
        this.mapping = mapping;
        this.status = status;
        this.limit = limit;
        this.after = after;
    }

    /** Every request of the tenant (the server's page size: 1000). */
    public static RequestFilter any() {
        return new RequestFilter(null, null, null, null);
    }

    /** One mapping's requests. */
    public RequestFilter mapping(String m) {
        return new RequestFilter(m, status, limit, after);
    }

    /** {@code In Progress}, {@code Success}, {@code Failed} or {@code Aborted}. */
    public RequestFilter status(String s) {
        return new RequestFilter(mapping, s, limit, after);
    }

    /** At most N requests a page, 1 to 10000. */
    public RequestFilter limit(int n) {
        return new RequestFilter(mapping, status, n, after);
    }

    /** Only the requests of a larger id: the {@code next} of the previous page. */
    public RequestFilter after(long id) {
        return new RequestFilter(mapping, status, limit, id);
    }

    Map<String, Object> query() {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("mapping", mapping);
        q.put("status", status);
        q.put("limit", limit);
        q.put("after", after);
        return q;
    }
}
