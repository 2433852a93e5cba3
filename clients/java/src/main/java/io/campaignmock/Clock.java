package io.campaignmock;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The server clock ({@code /_mock/clock}). It is one clock for the whole server: tests
 * running in parallel on one server share it, so a test that moves it should use
 * {@code afterMs} steps relative to its own requests (or a JUnit {@code @ResourceLock}).
 * Moving it needs a server started with {@code --clock manual} (else 409
 * {@code clock_not_manual}).
 */
public final class Clock {
    private static final DateTimeFormatter ISO_MS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Http http;

    Clock(Http http) {
        this.http = http;
    }

    /** A reading: {@code {"mode":"manual","now":"2025-01-01T00:00:00.000Z","nowMs":1735689600000}}. */
    public record Reading(String mode, String now, long nowMs) {
        /** The reading as an {@link Instant}. */
        public Instant instant() {
            return Instant.ofEpochMilli(nowMs);
        }

        /** True on a server started with {@code --clock manual}. */
        public boolean isManual() {
            return "manual".equals(mode);
        }

        static Reading of(Object json) {
            Map<String, Object> o = Json.asObject(json);
            return new Reading(Json.getString(o, "mode"), Json.getString(o, "now"), Json.getLong(o, "nowMs"));
        }
    }

    /** {@code GET /_mock/clock}. */
    public Reading get() {
        return Reading.of(http.controlJson(Routes.CLOCK_GET, new Object[0], null, null));
    }

    /** {@code POST /_mock/clock {"advanceMs": N}}: moves the manual clock forward. */
    public Reading advanceMs(long ms) {
        return move(Json.object("advanceMs", ms));
    }

    /** {@link #advanceMs} by a duration (whole milliseconds). */
    public Reading advance(Duration d) {
        return advanceMs(d.toMillis());
    }

    /** {@code POST /_mock/clock {"set": "..."}}: any UTC time, earlier ones included. */
    public Reading set(Instant t) {
        return set(ISO_MS.format(t));
    }

    /** {@link #set(Instant)} with the ISO-8601 text as the server takes it. */
    public Reading set(String iso) {
        return move(Json.object("set", iso));
    }

    /** The ISO-8601 form the server writes and takes: {@code 2025-01-01T00:15:00.000Z}. */
    public static String format(Instant t) {
        return ISO_MS.format(t);
    }

    private Reading move(Map<String, Object> body) {
        return Reading.of(http.controlJson(Routes.CLOCK_MOVE, new Object[0], null, body));
    }
}
