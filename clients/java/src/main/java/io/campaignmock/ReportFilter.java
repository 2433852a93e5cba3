package io.campaignmock;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters of {@code GET /_mock/report}, all optional. Immutable.
 * <pre>{@code ReportFilter.any().tenant(t.name()).since(mark).pollIntervalMs(1)}</pre>
 * The report measures poll spacing on the wall clock, even with {@code --clock manual}:
 * a test that polls at once (moving the manual clock in between) sees
 * {@code poll-too-fast} unless it lowers {@link #pollIntervalMs}.
 */
public final class ReportFilter {
    private final String tenant;
    private final Long since;
    private final Long pollIntervalMs;

    private ReportFilter(String tenant, Long since, Long pollIntervalMs) {
        this.tenant = tenant;
        this.since = since;
        this.pollIntervalMs = pollIntervalMs;
    }

    /** Every call since the last mark (else the start). */
    public static ReportFilter any() {
        return new ReportFilter(null, null, null);
    }

    /** One tenant's calls (IMS calls, which have none, are always in). */
    public ReportFilter tenant(String t) {
        return new ReportFilter(t, since, pollIntervalMs);
    }

    /** The calls after this journal entry id (instead of the last mark). */
    public ReportFilter since(long entryId) {
        return new ReportFilter(tenant, entryId, pollIntervalMs);
    }

    ReportFilter sinceIfUnset(long entryId) {
        return since != null ? this : since(entryId);
    }

    /** Polls of one request closer than this are too fast (default 1000; 1 to 3600000). */
    public ReportFilter pollIntervalMs(long ms) {
        return new ReportFilter(tenant, since, ms);
    }

    Map<String, Object> query() {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("tenant", tenant);
        q.put("since", since);
        q.put("pollIntervalMs", pollIntervalMs);
        return q;
    }
}
