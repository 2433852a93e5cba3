package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Routes: expansion, and (with -Dcampaignmock.openapi=...) agreement with the OpenAPI document. */
class RoutesTest {
    static List<String> constants() throws IllegalAccessException {
        List<String> out = new ArrayList<>();
        for (Field f : Routes.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && Modifier.isPublic(f.getModifiers())) {
                out.add((String) f.get(null));
            }
        }
        return out;
    }

    @Test
    void expandsParametersInOrderAndEncodesThem() {
        assertEquals("/_mock/tenants/acme/mappings/XDM44/publish", Routes.path(Routes.MAPPING_PUBLISH, "acme", "XDM44"));
        assertEquals(List.of("org", "requestId"), Routes.params(Routes.REQUEST_RESOLVE));
        assertEquals("POST", Routes.method(Routes.REQUEST_RESOLVE));
        assertEquals("/_mock/tenants/a@b.c_d-e/requests/3520", Routes.path(Routes.REQUEST_GET, "a@b.c_d-e", 3520L));
        assertEquals("/_mock/tenants/t/mappings/A%22B%3CC%3E%5E%7C%60%7B%7D%20%C3%A9",
                Routes.path(Routes.MAPPING_GET, "t", "A\"B<C>^|`{} é"));
        assertEquals("/_mock/faults/%2E%2E", Routes.path(Routes.FAULT_DELETE, ".."));
        assertEquals("/_mock/faults/a.b", Routes.path(Routes.FAULT_DELETE, "a.b"));
        assertThrows(IllegalArgumentException.class, () -> Routes.path(Routes.MAPPING_GET, "only-one"));
        assertThrows(IllegalArgumentException.class, () -> Routes.path(Routes.HEALTH, "extra"));
        assertThrows(IllegalArgumentException.class, () -> Routes.path(Routes.TENANT_GET, ""));
    }

    @Test
    void everyConstantIsARoute() throws Exception {
        Pattern form = Pattern.compile("(GET|POST|PUT|DELETE) /[A-Za-z0-9_./{}-]*");
        List<String> all = constants();
        assertTrue(all.size() >= 40, "routes: " + all);
        for (String r : all) {
            assertTrue(form.matcher(r).matches(), r);
            for (String p : Routes.params(r)) {
                assertTrue(Set.of("org", "mappingId", "requestId", "faultId").contains(p), r);
            }
        }
        assertEquals(all.size(), new TreeSet<>(all).size(), "no route twice");
    }

    /** What the drift test does, in Java: every /_mock operation of the document is here or excluded. */
    @Test
    void agreesWithTheOpenApiDocument() throws Exception {
        String spec = System.getProperty("campaignmock.openapi");
        Assumptions.assumeTrue(spec != null && !spec.isEmpty(), "set -Dcampaignmock.openapi=schema/openapi.yaml");
        Set<String> documented = new TreeSet<>();
        String path = null;
        Pattern pathLine = Pattern.compile("^  (/\\S*):\\s*$");
        Pattern opLine = Pattern.compile("^    (get|post|put|delete|patch|head|options):\\s*$");
        for (String line : Files.readAllLines(Paths.get(spec))) {
            if (line.startsWith("components:")) {
                break;
            }
            Matcher m = pathLine.matcher(line);
            if (m.matches()) {
                path = m.group(1);
                continue;
            }
            m = opLine.matcher(line);
            if (m.matches() && path != null) {
                documented.add(m.group(1).toUpperCase() + " " + path);
            }
        }
        assertTrue(documented.contains("POST /_mock/tenants/{org}/mappings/{mappingId}/publish"), documented.toString());

        Set<String> ours = new TreeSet<>(constants());
        Set<String> excluded = new TreeSet<>();
        for (List<String> e : Routes.EXCLUDED) {
            assertTrue(e.get(1).length() > 10, "a reason for " + e.get(0));
            excluded.add(e.get(0));
        }
        for (String r : ours) {
            assertTrue(documented.contains(r), r + " is not in " + Path.of(spec));
        }
        for (String r : excluded) {
            assertTrue(documented.contains(r), "excluded " + r + " is not in " + Path.of(spec));
        }
        for (String r : documented) {
            if (r.contains(" /_mock")) {
                assertTrue(ours.contains(r) ^ excluded.contains(r), r + ": in Routes, or in Routes.EXCLUDED (not both)");
            }
        }
    }
}
