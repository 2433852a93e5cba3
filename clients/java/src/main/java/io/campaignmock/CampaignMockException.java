package io.campaignmock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A call that campaign-mock refused: its HTTP status, and the {@code error_code} and
 * {@code message} of the answer's envelope.
 *
 * <p>The control API's own errors are {@code {"code":S,"error_code":"...","message":"..."}}
 * (with {@code "problems":[...]} when a mapping, step, rule or snapshot is validated);
 * the emulated gateway answers {@code {"error_code":"...","message":"..."}} and the
 * emulated IMS {@code {"error":"...","error_description":"..."}}: each is read into the
 * same three fields. A body that is none of these (libmicrohttpd's own HTML pages) leaves
 * {@link #errorCode()} null and {@link #errorMessage()} the body.
 */
public class CampaignMockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int status;
    private final String errorCode;
    private final String errorMessage;
    private final List<String> problems;
    private final String body;

    /**
     * @param call what was called, e.g. {@code "GET /_mock/tenants/acme/mappings/X"}
     * @param status the HTTP status received
     * @param body the answer's body as received
     */
    public CampaignMockException(String call, int status, String body) {
        this(call, status, body, readEnvelope(body));
    }

    private CampaignMockException(String call, int status, String body, Map<String, Object> envelope) {
        super(describe(call, status, body, envelope));
        this.call = call;
        this.status = status;
        this.body = body;
        String code = null;
        String message = body;
        List<String> found = new ArrayList<>();
        if (envelope != null) {
            code = text(envelope.get("error_code"));
            if (code == null) {
                code = text(envelope.get("error"));
            }
            message = text(envelope.get("message"));
            if (message == null) {
                message = text(envelope.get("error_description"));
            }
            Object p = envelope.get("problems");
            if (p instanceof List) {
                for (Object item : (List<?>) p) {
                    found.add(String.valueOf(item));
                }
            }
        }
        this.errorCode = code;
        this.errorMessage = message;
        this.problems = Collections.unmodifiableList(found);
    }

    /** The HTTP status: 400, 404, 409... */
    public int status() {
        return status;
    }

    /** The envelope's {@code error_code} (or IMS's {@code error}): {@code "unknown_tenant"}. */
    public String errorCode() {
        return errorCode;
    }

    /** The envelope's {@code message} (or IMS's {@code error_description}). */
    public String errorMessage() {
        return errorMessage;
    }

    /** The envelope's {@code problems}, one line each; empty when it had none. */
    public List<String> problems() {
        return problems;
    }

    /** The body as received. */
    public String body() {
        return body;
    }

    /** The call that failed: {@code "POST /_mock/clock"}. */
    public String call() {
        return call;
    }

    private static Map<String, Object> readEnvelope(String body) {
        if (body == null) {
            return null;
        }
        try {
            Object v = Json.parse(body);
            return v instanceof Map ? Json.asObject(v) : null;
        } catch (Json.JsonException notJson) {
            return null;
        }
    }

    private static String text(Object v) {
        return v == null ? null : v.toString();
    }

    private static String describe(String call, int status, String body, Map<String, Object> envelope) {
        String detail;
        if (envelope != null && (envelope.containsKey("error_code") || envelope.containsKey("error"))) {
            Object code = envelope.containsKey("error_code") ? envelope.get("error_code") : envelope.get("error");
            Object msg = envelope.containsKey("message") ? envelope.get("message")
                    : envelope.get("error_description");
            detail = code + ": " + msg;
        } else {
            detail = body == null ? "(no body)" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
        }
        return call + " -> " + status + " " + detail;
    }
}
