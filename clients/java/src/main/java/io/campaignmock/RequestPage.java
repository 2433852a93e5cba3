package io.campaignmock;

import java.util.List;
import java.util.Map;

/**
 * One page of a tenant's ingestion requests (control form), oldest first; {@code next}
 * is set when the limit left some out: pass it to {@link RequestFilter#after}.
 */
public record RequestPage(List<Map<String, Object>> requests, Long next) {
    /** True when more requests follow this page. */
    public boolean hasNext() {
        return next != null;
    }

    static RequestPage of(Object json) {
        Map<String, Object> o = Json.asObject(json);
        Object next = o.get("next");
        return new RequestPage(Json.asObjects(Json.getArray(o, "requests")), next == null ? null : (Long) next);
    }
}
