package io.campaignmock;

import java.util.List;
import java.util.Map;

/**
 * A handle on one mapping of a tenant: the control API's mapping, its Campaign UI
 * buttons and its script, and the emulated API's trigger and poll on it. Every method
 * is one call; the handle itself holds no state.
 */
public final class Mapping {
    private final Tenant tenant;
    private final Http http;
    private final String id;

    Mapping(Tenant tenant, Http http, String id) {
        this.tenant = tenant;
        this.http = http;
        this.id = id;
    }

    public String id() {
        return id;
    }

    public Tenant tenant() {
        return tenant;
    }

    /** {@code GET .../mappings/{mappingId}}: the mapping in control form; 404 {@code unknown_mapping}. */
    public Map<String, Object> get() {
        return call(Routes.MAPPING_GET, null);
    }

    /**
     * {@code PUT .../mappings/{mappingId}}: creates (201) or replaces (200) the whole
     * mapping from its fixture form ({@code id} may be left out); answers it.
     */
    public Map<String, Object> put(Map<String, Object> fixtureForm) {
        return call(Routes.MAPPING_PUT, fixtureForm);
    }

    /** {@code DELETE .../mappings/{mappingId}}: the mapping and its requests. */
    public void delete() {
        call(Routes.MAPPING_DELETE, null);
    }

    /** The Publish button: Published and Started (a trigger then answers "is not stopped"). */
    public Map<String, Object> publish() {
        return call(Routes.MAPPING_PUBLISH, null);
    }

    /** The Unpublish button: Draft and Stopped. */
    public Map<String, Object> unpublish() {
        return call(Routes.MAPPING_UNPUBLISH, null);
    }

    /** The Start button; 409 {@code conflict} on a Draft. */
    public Map<String, Object> start() {
        return call(Routes.MAPPING_START, null);
    }

    /** The Stop button: what the API trigger needs. */
    public Map<String, Object> stop() {
        return call(Routes.MAPPING_STOP, null);
    }

    /** {@code POST .../records {"add": N}}: more changed records for the next Success. */
    public Map<String, Object> addRecords(long n) {
        return call(Routes.MAPPING_RECORDS, Json.object("add", n));
    }

    /** {@code GET .../script}: {@code {"script": [...], "defaultOutcome": {...}}}. */
    public Map<String, Object> script() {
        return call(Routes.SCRIPT_GET, null);
    }

    /** {@code PUT .../script} with an array: the new script (the default outcome stays). */
    public Map<String, Object> putScript(List<?> steps) {
        return call(Routes.SCRIPT_PUT, steps);
    }

    /** {@code PUT .../script} with {@code {"script": [...], "defaultOutcome": {...}}}, either optional. */
    public Map<String, Object> putScript(Map<String, Object> document) {
        return call(Routes.SCRIPT_PUT, document);
    }

    /** {@code POST .../script}: appends one step. */
    public Map<String, Object> appendStep(Map<String, Object> step) {
        return call(Routes.SCRIPT_APPEND, step);
    }

    /** {@code POST .../script}: appends several steps. */
    public Map<String, Object> appendSteps(List<?> steps) {
        return call(Routes.SCRIPT_APPEND, steps);
    }

    /** This mapping's requests. */
    public RequestPage requests(RequestFilter filter) {
        return tenant.requests(filter.mapping(id));
    }

    /** Triggers this mapping's ingestion with the server's default credentials. */
    public Response trigger() {
        return tenant.trigger(id);
    }

    /** Polls one request of this mapping once. */
    public Response status(long requestId) {
        return tenant.status(id, requestId);
    }

    /** Polls until the request leaves In Progress. */
    public Response poll(long requestId, int maxPolls) {
        return tenant.poll(id, requestId, maxPolls);
    }

    private Map<String, Object> call(String route, Object body) {
        return Json.asObject(http.controlJson(route, new Object[] {tenant.name(), id}, null, body));
    }

    @Override
    public String toString() {
        return "Mapping[" + tenant.name() + "/" + id + "]";
    }
}
