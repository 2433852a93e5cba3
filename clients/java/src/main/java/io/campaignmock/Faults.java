package io.campaignmock;

import java.util.List;
import java.util.Map;

/**
 * Fault rules ({@code /_mock/faults}): server-wide, evaluated in the order added, the
 * first that applies answers. On a server shared by parallel tests, give each rule a
 * {@code match} on the test's own tenant so that it never fires on another test's calls:
 * <pre>{@code
 * mock.faults().add(Json.object(
 *     "id", "busy-" + tenant.name(),
 *     "match", Json.object("endpoint", "ingest.trigger", "tenant", tenant.name()),
 *     "action", Json.object("error", "429050"),
 *     "times", 1));
 * }</pre>
 */
public final class Faults {
    private final Http http;

    Faults(Http http) {
        this.http = http;
    }

    /** Adds one rule (fixture form); answers it as listed, with hits, seen, remaining, createdMs. */
    public Map<String, Object> add(Map<String, Object> rule) {
        return Json.asObject(http.controlJson(Routes.FAULTS_ADD, new Object[0], null, rule));
    }

    /** Adds several rules, after those already there; answers them as listed. */
    public List<Map<String, Object>> addAll(List<Map<String, Object>> rules) {
        Object doc = http.controlJson(Routes.FAULTS_ADD, new Object[0], null, rules);
        return Json.asObjects(Json.getArray(Json.asObject(doc), "faults"));
    }

    /** The rules, in evaluation order, with their counters. */
    public List<Map<String, Object>> list() {
        Object doc = http.controlJson(Routes.FAULTS_LIST, new Object[0], null, null);
        return Json.asObjects(Json.getArray(Json.asObject(doc), "faults"));
    }

    /** One rule as listed; {@link IllegalArgumentException} when no rule has this id. */
    public Map<String, Object> get(String id) {
        for (Map<String, Object> rule : list()) {
            if (id.equals(rule.get("id"))) {
                return rule;
            }
        }
        throw new IllegalArgumentException("no fault rule \"" + id + "\"");
    }

    /** {@code DELETE /_mock/faults/{faultId}}; 404 {@code unknown_fault} when there is none. */
    public void remove(String id) {
        http.controlJson(Routes.FAULT_DELETE, new Object[] {id}, null, null);
    }

    /** Removes every rule (of every test on this server); answers how many. */
    public long clear() {
        return Json.getLong(Json.asObject(http.controlJson(Routes.FAULTS_CLEAR, new Object[0], null, null)),
                "deleted");
    }
}
