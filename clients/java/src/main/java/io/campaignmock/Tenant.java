package io.campaignmock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One tenant (organization) of a running campaign-mock: its mappings, requests,
 * snapshot, and the emulated API's calls made on it. {@link CampaignMock#tenant()} makes
 * a fresh one from the template {@code *} for each test, so tests never see each other's
 * state; request ids still come from one sequence for the whole server (read them from
 * the trigger's answer).
 */
public final class Tenant {
    private final CampaignMock mock;
    private final Http http;
    private final String name;

    Tenant(CampaignMock mock, Http http, String name) {
        this.mock = mock;
        this.http = http;
        this.name = name;
    }

    /** The tenant name: the {@code {org}} segment of the Campaign path. */
    public String name() {
        return name;
    }

    /** The server this tenant lives on. */
    public CampaignMock mock() {
        return mock;
    }

    /** {@code GET /_mock/tenants/{org}}: {@code {"name": ..., "mappings": [...]}} (creates it from the template). */
    public Map<String, Object> get() {
        return obj(Routes.TENANT_GET, null, null);
    }

    /** {@code POST /_mock/tenants/{org}/reset}: back to its fixture or template state, requests removed. */
    public Map<String, Object> reset() {
        return obj(Routes.TENANT_RESET, null, null);
    }

    /** {@code DELETE /_mock/tenants/{org}}: the tenant, its mappings and requests (journal entries stay). */
    public void delete() {
        obj(Routes.TENANT_DELETE, null, null);
    }

    /** {@code GET /_mock/tenants/{org}/mappings}: the mappings in control form, by id. */
    public List<Map<String, Object>> mappings() {
        return Json.asObjects(Json.getArray(obj(Routes.MAPPINGS_LIST, null, null), "mappings"));
    }

    /** A handle on one mapping (no call is made). */
    public Mapping mapping(String mappingId) {
        return new Mapping(this, http, mappingId);
    }

    /** One page of requests: {@code GET /_mock/tenants/{org}/requests?mapping=&status=&limit=&after=}. */
    public RequestPage requests(RequestFilter filter) {
        return RequestPage.of(http.controlJson(Routes.REQUESTS_LIST, new Object[] {name}, filter.query(), null));
    }

    /** Every request that matches, following {@code next} from page to page. */
    public List<Map<String, Object>> allRequests(RequestFilter filter) {
        List<Map<String, Object>> all = new ArrayList<>();
        RequestPage page = requests(filter);
        all.addAll(page.requests());
        while (page.hasNext()) {
            page = requests(filter.after(page.next()));
            all.addAll(page.requests());
        }
        return Collections.unmodifiableList(all);
    }

    /** Every request of the tenant. */
    public List<Map<String, Object>> allRequests() {
        return allRequests(RequestFilter.any());
    }

    /** {@code GET /_mock/tenants/{org}/requests/{requestId}}: one request in control form. */
    public Map<String, Object> request(long requestId) {
        return Json.asObject(http.controlJson(Routes.REQUEST_GET, new Object[] {name, requestId}, null, null));
    }

    /** {@code POST .../requests/{requestId}/resolve}: applies the step now (how a hang ends). */
    public Map<String, Object> resolve(long requestId, Map<String, Object> step) {
        return Json.asObject(http.controlJson(Routes.REQUEST_RESOLVE, new Object[] {name, requestId}, null, step));
    }

    /** {@code GET /_mock/tenants/{org}/snapshot}: {@code {"mappings": [...], "requests": [...]}}. */
    public Map<String, Object> snapshot() {
        return obj(Routes.SNAPSHOT_GET, null, null);
    }

    /** {@code PUT /_mock/tenants/{org}/snapshot}: replaces the tenant's state; answers the new snapshot. */
    public Map<String, Object> restore(Map<String, Object> snapshot) {
        return obj(Routes.SNAPSHOT_PUT, null, snapshot);
    }

    // --- the emulated API on this tenant, with the server's default credentials --------

    /** Triggers a mapping's ingestion (see {@link Api#trigger}). */
    public Response trigger(String mappingId) {
        return mock.api().trigger(name, mappingId);
    }

    /** Polls a request once (see {@link Api#status}). */
    public Response status(String mappingId, long requestId) {
        return mock.api().status(name, mappingId, requestId);
    }

    /** Polls until the request leaves In Progress (see {@link Api#poll(String, String, long, int)}). */
    public Response poll(String mappingId, long requestId, int maxPolls) {
        return mock.api().poll(name, mappingId, requestId, maxPolls);
    }

    /** The journal's entries of this tenant's calls, oldest first. */
    public List<JournalEntry> journal() {
        return mock.journal(JournalFilter.any().tenant(name));
    }

    /** The journal's entries of this tenant's calls that also match {@code filter}. */
    public List<JournalEntry> journal(JournalFilter filter) {
        return mock.journal(filter.tenant(name));
    }

    /** How many of this tenant's calls match {@code filter}. */
    public long journalCount(JournalFilter filter) {
        return mock.journalCount(filter.tenant(name));
    }

    /**
     * The report of this tenant's calls from its first ({@code since} 0, whatever marks
     * other tests set), with the filter's poll interval. IMS calls have no tenant and are
     * in every tenant's window: on a shared server, other tests' token calls count too.
     */
    public Map<String, Object> report(ReportFilter filter) {
        return mock.report(filter.tenant(name).sinceIfUnset(0));
    }

    private Map<String, Object> obj(String route, Map<String, ?> query, Object body) {
        return Json.asObject(http.controlJson(route, new Object[] {name}, query, body));
    }

    @Override
    public String toString() {
        return "Tenant[" + name + "]";
    }
}
