package io.campaignmock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every route this client calls, in ONE place, as {@code "METHOD /path/{param}"} with
 * the path templates and parameter names of schema/openapi.yaml. Every call of the
 * client is built from one of these constants ({@link #path}); nothing else in the
 * client spells a path.
 *
 * <p>A drift test reads this file and checks it against schema/openapi.yaml: every
 * {@code /_mock} route of the document must be one of the constants below, or be listed
 * in {@link #EXCLUDED} with its reason. Keep one route per string literal, exactly in
 * that form.
 */
public final class Routes {
    private Routes() {}

    // --- the control API (/_mock/...) ------------------------------------------------
    // BEGIN CONTROL ROUTES

    public static final String HEALTH = "GET /_mock/health";
    public static final String INDEX = "GET /_mock";
    public static final String OPENAPI = "GET /_mock/openapi.yaml";
    public static final String METRICS = "GET /_mock/metrics";
    public static final String RESET = "POST /_mock/reset";

    public static final String TENANTS_LIST = "GET /_mock/tenants";
    public static final String TENANT_GET = "GET /_mock/tenants/{org}";
    public static final String TENANT_DELETE = "DELETE /_mock/tenants/{org}";
    public static final String TENANT_RESET = "POST /_mock/tenants/{org}/reset";

    public static final String MAPPINGS_LIST = "GET /_mock/tenants/{org}/mappings";
    public static final String MAPPING_GET = "GET /_mock/tenants/{org}/mappings/{mappingId}";
    public static final String MAPPING_PUT = "PUT /_mock/tenants/{org}/mappings/{mappingId}";
    public static final String MAPPING_DELETE = "DELETE /_mock/tenants/{org}/mappings/{mappingId}";
    public static final String MAPPING_PUBLISH = "POST /_mock/tenants/{org}/mappings/{mappingId}/publish";
    public static final String MAPPING_UNPUBLISH = "POST /_mock/tenants/{org}/mappings/{mappingId}/unpublish";
    public static final String MAPPING_START = "POST /_mock/tenants/{org}/mappings/{mappingId}/start";
    public static final String MAPPING_STOP = "POST /_mock/tenants/{org}/mappings/{mappingId}/stop";
    public static final String MAPPING_RECORDS = "POST /_mock/tenants/{org}/mappings/{mappingId}/records";
    public static final String SCRIPT_GET = "GET /_mock/tenants/{org}/mappings/{mappingId}/script";
    public static final String SCRIPT_PUT = "PUT /_mock/tenants/{org}/mappings/{mappingId}/script";
    public static final String SCRIPT_APPEND = "POST /_mock/tenants/{org}/mappings/{mappingId}/script";

    public static final String REQUESTS_LIST = "GET /_mock/tenants/{org}/requests";
    public static final String REQUEST_GET = "GET /_mock/tenants/{org}/requests/{requestId}";
    public static final String REQUEST_RESOLVE = "POST /_mock/tenants/{org}/requests/{requestId}/resolve";

    public static final String SNAPSHOT_GET = "GET /_mock/tenants/{org}/snapshot";
    public static final String SNAPSHOT_PUT = "PUT /_mock/tenants/{org}/snapshot";

    public static final String CLOCK_GET = "GET /_mock/clock";
    public static final String CLOCK_MOVE = "POST /_mock/clock";

    public static final String JOURNAL_GET = "GET /_mock/journal";
    public static final String JOURNAL_CLEAR = "DELETE /_mock/journal";
    public static final String JOURNAL_COUNT = "GET /_mock/journal/count";

    public static final String REPORT = "GET /_mock/report";
    public static final String REPORT_MARK = "POST /_mock/report/mark";

    public static final String FAULTS_LIST = "GET /_mock/faults";
    public static final String FAULTS_ADD = "POST /_mock/faults";
    public static final String FAULTS_CLEAR = "DELETE /_mock/faults";
    public static final String FAULT_DELETE = "DELETE /_mock/faults/{faultId}";

    // END CONTROL ROUTES

    // --- control routes this client leaves out, each with its reason ------------------
    // BEGIN EXCLUDED ROUTES

    /** {route, reason}: routes of schema/openapi.yaml the client does not call. */
    public static final List<List<String>> EXCLUDED = List.of(
            List.of("GET /_mock/ui",
                    "the web dashboard: an HTML page for a person in a browser, nothing for a test to call"),
            List.of("GET /_mock/",
                    "the same index as GET /_mock (the trailing-slash spelling); the client calls GET /_mock"),
            List.of("GET /",
                    "the same index as GET /_mock, outside /_mock; the client calls GET /_mock"));

    // END EXCLUDED ROUTES

    // --- the emulated Adobe API (what a client under test calls) ---------------------
    // BEGIN API ROUTES

    public static final String INGEST_TRIGGER = "POST /{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest";
    public static final String INGEST_STATUS = "GET /{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest";
    public static final String IMS_TOKEN_V3 = "POST /ims/token/v3";
    public static final String IMS_TOKEN_V2 = "POST /ims/token/v2";
    public static final String IMS_EXCHANGE_JWT = "POST /ims/exchange/jwt";

    // END API ROUTES

    private static final Pattern ROUTE = Pattern.compile("(GET|POST|PUT|DELETE) (/\\S*)");
    private static final Pattern PARAM = Pattern.compile("\\{([A-Za-z]+)\\}");

    /** The method of a route: {@code method(TENANT_GET)} is {@code "GET"}. */
    public static String method(String route) {
        return parse(route).group(1);
    }

    /** The path template of a route: {@code "/_mock/tenants/{org}"}. */
    public static String template(String route) {
        return parse(route).group(2);
    }

    /** The parameter names of a route's path, in order: {@code [org, mappingId]}. */
    public static List<String> params(String route) {
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(template(route));
        while (m.find()) {
            names.add(m.group(1));
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * The path of a route with its parameters filled in, in order, each percent-encoded
     * as one path segment: {@code path(MAPPING_GET, "acme", "XDM44")} is
     * {@code "/_mock/tenants/acme/mappings/XDM44"}.
     */
    public static String path(String route, Object... values) {
        String template = template(route);
        Matcher m = PARAM.matcher(template);
        StringBuilder out = new StringBuilder();
        int i = 0;
        int last = 0;
        while (m.find()) {
            if (i >= values.length) {
                throw new IllegalArgumentException(route + ": no value for {" + m.group(1) + "}");
            }
            out.append(template, last, m.start()).append(encodeSegment(String.valueOf(values[i++])));
            last = m.end();
        }
        if (i != values.length) {
            throw new IllegalArgumentException(route + " takes " + i + " parameters, got " + values.length);
        }
        return out.append(template.substring(last)).toString();
    }

    private static Matcher parse(String route) {
        Matcher m = ROUTE.matcher(route);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a route (\"METHOD /path\"): " + route);
        }
        return m;
    }

    /** RFC 3986 pchar: unreserved, sub-delims, ':' and '@' stay; the rest is %XX of UTF-8. */
    static String encodeSegment(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("a path parameter cannot be empty");
        }
        if (s.equals(".") || s.equals("..")) {
            return s.replace(".", "%2E"); // a dot segment would be removed from the path
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
