package io.campaignmock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON codec alone: no server. */
class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Map<String, Object> o = Json.parseObject(
                " {\"s\": \"x\", \"i\": 42, \"neg\": -7, \"d\": 1.5, \"t\": true, \"f\": false, \"n\": null,"
                        + " \"a\": [1, \"two\", [], {}], \"o\": {\"k\": {\"deep\": [null]}}} ");
        assertEquals("x", o.get("s"));
        assertEquals(42L, o.get("i"));
        assertEquals(-7L, o.get("neg"));
        assertEquals(1.5, o.get("d"));
        assertEquals(Boolean.TRUE, o.get("t"));
        assertEquals(Boolean.FALSE, o.get("f"));
        assertTrue(o.containsKey("n"));
        assertNull(o.get("n"));
        assertEquals(Arrays.asList(1L, "two", List.of(), Map.of()), o.get("a"));
        assertEquals(Arrays.asList((Object) null), Json.getArray(Json.getObject(Json.getObject(o, "o"), "k"), "deep"));
        assertEquals(List.of("s", "i", "neg", "d", "t", "f", "n", "a", "o"), List.copyOf(o.keySet()),
                "members in document order");
    }

    @Test
    void integralNumbersAreLongsOthersDoubles() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(9007199254740992L, Json.parse("9007199254740992"));
        assertEquals(9007199254740993L, Json.parse("9007199254740993"), "exact beyond 2^53");
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
        assertEquals(new BigInteger("-123456789012345678901234567890"),
                Json.parse("-123456789012345678901234567890"));
        assertInstanceOf(Double.class, Json.parse("1.0"));
        assertEquals(1000.0, Json.parse("1e3"));
        assertEquals(1000.0, Json.parse("1E+3"));
        assertEquals(-0.0025, Json.parse("-2.5E-3"));
        assertEquals(0.5, Json.parse("0.5"));
        assertEquals(1.094, Json.parse("1.094"), "a journal entry's durationMs");
    }

    @Test
    void stringEscapes() {
        assertEquals("\" \\ / \b \f \n \r \t", Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""));
        assertEquals("é", Json.parse("\"\\u00e9\""));
        assertEquals("é", Json.parse("\"\\u00E9\""));
        assertEquals("\u0000", Json.parse("\"\\u0000\""));
        assertEquals("😀", Json.parse("\"\\ud83d\\ude00\""), "a surrogate pair joins up");
        assertEquals("😀 é 日本", Json.parse("\"😀 é 日本\""), "raw non-ASCII is kept");
        assertEquals("", Json.parse("\"\""));
        assertEquals("a\"b", Json.parse("\"a\\\"b\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{,}", "{\"a\" 1}", "{a:1}", "{'a':1}",
        "'x'", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"tab\there\"", "\"nl\nhere\"",
        "01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity",
        "tru", "nul", "falsey", "True", "1 2", "{} {}", "[1] x", "\"a\" \"b\"", "{\"a\":1,\"a\":2}",
        "\u00a01", "[1,2", "{\"a\":[}"
    })
    void refusesWhatIsNotJson(String text) {
        assertThrows(Json.JsonException.class, () -> Json.parse(text), () -> "should refuse: " + text);
    }

    @Test
    void errorsSayWhere() {
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\": [1, 2,]}"));
        assertEquals(12, e.offset());
        assertTrue(e.getMessage().endsWith("at offset 12"), e.getMessage());
        e = assertThrows(Json.JsonException.class, () -> Json.parse("{\"k\": 1, \"k\": 2}"));
        assertTrue(e.getMessage().contains("\"k\" given twice"), e.getMessage());
    }

    @Test
    void depthIsBounded() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThrows(Json.JsonException.class, () -> Json.parse(deep));
        String bomb = "{\"a\":".repeat(100_000);
        assertThrows(Json.JsonException.class, () -> Json.parse(bomb), "no StackOverflowError");
    }

    @Test
    void writesCompactJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("s", "x");
        o.put("i", 3520);
        o.put("l", 9007199254740993L);
        o.put("d", 0.25);
        o.put("b", true);
        o.put("n", null);
        o.put("a", List.of(1, "two"));
        o.put("arr", new Object[] {false, Map.of()});
        o.put("big", new BigInteger("123456789012345678901234567890"));
        o.put("dec", new BigDecimal("1.50"));
        assertEquals("{\"s\":\"x\",\"i\":3520,\"l\":9007199254740993,\"d\":0.25,\"b\":true,\"n\":null,"
                + "\"a\":[1,\"two\"],\"arr\":[false,{}],\"big\":123456789012345678901234567890,\"dec\":1.50}",
                Json.write(o));
        assertEquals("[]", Json.write(List.of()));
        assertEquals("{}", Json.write(Map.of()));
        assertEquals("null", Json.write(null));
    }

    @Test
    void writesEscapes() {
        assertEquals("\"\\\" \\\\ / \\b \\f \\n \\r \\t \\u0001 \\u001f \\u007f é 😀\"",
                Json.write("\" \\ / \b \f \n \r \t \u0001 \u001f \u007f é 😀"));
        assertEquals("\"\\ud800x\"", Json.write("\ud800x"), "a lone surrogate is escaped, not mangled");
        assertEquals("\"\\udc00\"", Json.write("\udc00"));
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertThrows(Json.JsonException.class, () -> Json.write(Double.NaN));
        assertThrows(Json.JsonException.class, () -> Json.write(Double.POSITIVE_INFINITY));
        assertThrows(Json.JsonException.class, () -> Json.write(Map.of(1, "x")));
        assertThrows(Json.JsonException.class, () -> Json.write(new Object()));
        Map<String, Object> cycle = new LinkedHashMap<>();
        cycle.put("self", cycle);
        assertThrows(Json.JsonException.class, () -> Json.write(cycle));
    }

    @Test
    void roundTripsTheServersBytes() {
        // Control answers are compact JSON: parse then write gives the same bytes back.
        String[] bodies = {
            "{\"id\":\"XDM44\",\"label\":\"Profiles to AEP\",\"targetingDimension\":\"profile\","
                + "\"dataset\":\"5da558abd538ed18ae12261e\",\"published\":true,\"started\":false,\"changedRecords\":15,"
                + "\"defaultOutcome\":{\"outcome\":\"success\",\"numRecords\":15,\"afterPolls\":1},\"script\":[],"
                + "\"publication\":\"Published\",\"execution\":\"Stopped\",\"inProgressRequestId\":null,"
                + "\"requestCounts\":{\"In Progress\":0,\"Success\":0,\"Failed\":0,\"Aborted\":0}}",
            "{\"code\":400,\"error_code\":\"invalid_field\",\"message\":\"body: publised: unknown field\","
                + "\"problems\":[\"body: publised: unknown field\","
                + "\"body: changedRecords: must be between 0 and 9007199254740992\"]}",
            "{\"mode\":\"manual\",\"now\":\"2025-01-01T00:00:00.000Z\",\"nowMs\":1735689600000}",
            "{\"requestBody\":\"{\\\"requestId\\\": 3520}\",\"durationMs\":1.094,\"q\":\"a\\\\b\\n\"}",
        };
        for (String body : bodies) {
            assertEquals(body, Json.write(Json.parse(body)));
        }
        // Adobe's own bodies have spaces; their values still read back.
        Map<String, Object> adobe = Json.parseObject("{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44. \", "
                + "\"numRecords\": 15, \"requestId\": 3520, \"status\": \"Success\"}");
        assertEquals("Mapping Id: XDM44. ", Json.getString(adobe, "info"));
        assertEquals(3520L, Json.getLong(adobe, "requestId"));
    }

    @Test
    void buildersAndAccessors() {
        Map<String, Object> o = Json.object("add", 25, "steps", Json.array(Json.object("outcome", "hang")));
        assertEquals("{\"add\":25,\"steps\":[{\"outcome\":\"hang\"}]}", Json.write(o));
        assertThrows(IllegalArgumentException.class, () -> Json.object("odd"));
        Map<String, Object> parsed = Json.parseObject("{\"n\": 1, \"s\": \"x\", \"b\": false}");
        assertThrows(ClassCastException.class, () -> Json.getString(parsed, "n"));
        assertThrows(ClassCastException.class, () -> Json.getLong(parsed, "s"));
        assertThrows(IllegalArgumentException.class, () -> Json.getLong(parsed, "missing"));
        assertEquals(false, Json.getBoolean(parsed, "b"));
        assertThrows(Json.JsonException.class, () -> Json.parseObject("[1]"));
    }
}
