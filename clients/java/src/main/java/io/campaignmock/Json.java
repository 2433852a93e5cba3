package io.campaignmock;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON codec (RFC 8259), because the JDK has none.
 *
 * <p>Values are plain Java objects: an object is a {@code Map<String, Object>} (a
 * {@link LinkedHashMap}, members in document order), an array a {@code List<Object>}, a
 * string a {@link String}, {@code true}/{@code false} a {@link Boolean}, {@code null}
 * Java's {@code null}. A number without fraction or exponent is a {@link Long} (a
 * {@link BigInteger} when it does not fit), any other number a {@link Double}.
 *
 * <p>The parser refuses what RFC 8259 refuses (leading zeros, trailing commas, single
 * quotes, unescaped control characters, trailing content...) and, deliberately, a name
 * given twice in one object: campaign-mock never writes one, so a duplicate is a bug to
 * see, not to paper over. {@link #write} writes compact JSON (no spaces), the layout of
 * campaign-mock's control API, so a control answer parsed and written again is the same
 * bytes.
 */
public final class Json {
    /** Deeper documents are refused rather than overflowing the stack. */
    public static final int MAX_DEPTH = 512;

    private Json() {}

    /** A document that is not JSON: the message says what was expected and where. */
    public static final class JsonException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int offset;

        JsonException(String message, int offset) {
            super(message + " at offset " + offset);
            this.offset = offset;
        }

        JsonException(String message) {
            super(message);
            this.offset = -1;
        }

        /** The character offset of the problem in the parsed text, or -1 when writing. */
        public int offset() {
            return offset;
        }
    }

    // --- parsing ------------------------------------------------------------------

    /** Parses one JSON text (surrounding whitespace allowed, nothing else). */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw new JsonException("unexpected content after the JSON value", p.pos);
        }
        return value;
    }

    /** Parses a text that must be a JSON object. */
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new JsonException("expected a JSON object, got " + typeName(v));
        }
        return asObject(v);
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        JsonException error(String what) {
            return new JsonException(what, pos);
        }

        Object value(int depth) {
            if (pos >= s.length()) {
                throw error("unexpected end of input, expected a value");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth + 1);
                case '[':
                    return array(depth + 1);
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected character " + describe(c) + ", expected a value");
            }
        }

        void literal(String word) {
            if (!s.startsWith(word, pos)) {
                throw error("invalid literal, expected " + word);
            }
            pos += word.length();
        }

        Map<String, Object> object(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
            pos++; // {
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error("expected a member name in double quotes");
                }
                int nameAt = pos;
                String name = string();
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != ':') {
                    throw error("expected ':' after a member name");
                }
                pos++;
                skipWhitespace();
                Object v = value(depth);
                if (map.containsKey(name)) {
                    throw new JsonException("member name \"" + name + "\" given twice", nameAt);
                }
                map.put(name, v);
                skipWhitespace();
                if (pos >= s.length()) {
                    throw error("unexpected end of input in an object");
                }
                char c = s.charAt(pos++);
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}' in an object");
                }
            }
        }

        List<Object> array(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
            pos++; // [
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth));
                skipWhitespace();
                if (pos >= s.length()) {
                    throw error("unexpected end of input in an array");
                }
                char c = s.charAt(pos++);
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']' in an array");
                }
            }
        }

        String string() {
            pos++; // opening quote
            StringBuilder sb = null;
            int start = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
                    pos++;
                    return out;
                }
                if (c < 0x20) {
                    throw error("unescaped control character " + describe(c) + " in a string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, start, pos);
                pos++; // backslash
                if (pos >= s.length()) {
                    throw error("unterminated escape sequence");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"':
                        sb.append('"');
                        break;
                    case '\\':
                        sb.append('\\');
                        break;
                    case '/':
                        sb.append('/');
                        break;
                    case 'b':
                        sb.append('\b');
                        break;
                    case 'f':
                        sb.append('\f');
                        break;
                    case 'n':
                        sb.append('\n');
                        break;
                    case 'r':
                        sb.append('\r');
                        break;
                    case 't':
                        sb.append('\t');
                        break;
                    case 'u':
                        sb.append(hex4());
                        break;
                    default:
                        pos--;
                        throw error("invalid escape sequence \\" + e);
                }
                start = pos;
            }
        }

        /** Four hex digits after a backslash-u; UTF-16 units, so surrogate pairs join up. */
        char hex4() {
            if (pos + 4 > s.length()) {
                throw error("truncated \\u escape");
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(s.charAt(pos + i), 16);
                if (d < 0 || s.charAt(pos + i) > 0x7f) {
                    throw new JsonException("invalid hex digit in a \\u escape", pos + i);
                }
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        Object number() {
            int start = pos;
            boolean integral = true;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos >= s.length()) {
                throw error("expected a digit");
            }
            char c = s.charAt(pos);
            if (c == '0') {
                pos++;
                if (pos < s.length() && isDigit(s.charAt(pos))) {
                    throw error("leading zeros are not allowed");
                }
            } else if (c >= '1' && c <= '9') {
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            } else {
                throw error("expected a digit");
            }
            if (pos < s.length() && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("expected a digit after the decimal point");
                }
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("expected a digit in the exponent");
                }
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            String text = s.substring(start, pos);
            if (integral) {
                // 19 digits or fewer always fit or overflow by a little: let parseLong tell.
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException tooLarge) {
                    return new BigInteger(text);
                }
            }
            return Double.parseDouble(text);
        }

        static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    private static String describe(char c) {
        return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    // --- writing ------------------------------------------------------------------

    /**
     * Writes a value as compact JSON: maps (String keys), collections and arrays,
     * strings, booleans, numbers, {@code null}. Refuses NaN and infinities, non-String
     * keys and any other type (with {@link JsonException}).
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new JsonException("nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String || v instanceof Character) {
            writeString(sb, v.toString());
        } else if (v instanceof Boolean) {
            sb.append(v.toString());
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            sb.append(v.toString());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new JsonException("JSON has no " + d);
            }
            sb.append(v instanceof Float ? Float.toString((Float) v) : Double.toString(d));
        } else if (v instanceof BigDecimal) {
            sb.append(((BigDecimal) v).toString());
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new JsonException("object keys must be strings, got " + typeName(e.getKey()));
                }
                if (!first) {
                    sb.append(',');
                }
                first = false;
                writeString(sb, (String) e.getKey());
                sb.append(':');
                write(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else if (v instanceof Collection) {
            writeArray(sb, (Collection<?>) v, depth);
        } else if (v instanceof Object[]) {
            writeArray(sb, Arrays.asList((Object[]) v), depth);
        } else {
            throw new JsonException("cannot write a " + typeName(v) + " as JSON");
        }
    }

    private static void writeArray(StringBuilder sb, Collection<?> items, int depth) {
        sb.append('[');
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            write(sb, item, depth + 1);
        }
        sb.append(']');
    }

    /** Escapes quote, backslash and control characters; a lone surrogate as \\uXXXX. */
    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    // --- building and reading values ----------------------------------------------

    /** An object from alternating names and values: {@code Json.object("add", 25)}. */
    public static Map<String, Object> object(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Json.object takes names and values in pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (!(namesAndValues[i] instanceof String)) {
                throw new IllegalArgumentException("member name " + i / 2 + " is not a String");
            }
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    /** An array of the given values. */
    public static List<Object> array(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    /** The value as an object; {@link ClassCastException} naming its type otherwise. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asObject(Object v) {
        if (v instanceof Map) {
            return (Map<String, Object>) v;
        }
        throw new ClassCastException("expected a JSON object, got " + typeName(v));
    }

    /** The value as an array; {@link ClassCastException} naming its type otherwise. */
    @SuppressWarnings("unchecked")
    public static List<Object> asArray(Object v) {
        if (v instanceof List) {
            return (List<Object>) v;
        }
        throw new ClassCastException("expected a JSON array, got " + typeName(v));
    }

    /** The array as a list of objects. */
    public static List<Map<String, Object>> asObjects(Object v) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object item : asArray(v)) {
            out.add(asObject(item));
        }
        return Collections.unmodifiableList(out);
    }

    /** Member {@code name} of an object, which must be a string (or null). */
    public static String getString(Map<String, Object> o, String name) {
        Object v = member(o, name);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new ClassCastException(name + ": expected a string, got " + typeName(v));
    }

    /** Member {@code name} of an object, which must be an integer that fits a long. */
    public static long getLong(Map<String, Object> o, String name) {
        Object v = member(o, name);
        if (v instanceof Long) {
            return (Long) v;
        }
        throw new ClassCastException(name + ": expected an integer, got " + typeName(v));
    }

    /** Member {@code name} of an object, which must be true or false. */
    public static boolean getBoolean(Map<String, Object> o, String name) {
        Object v = member(o, name);
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        throw new ClassCastException(name + ": expected a boolean, got " + typeName(v));
    }

    /** Member {@code name} of an object, which must be an object. */
    public static Map<String, Object> getObject(Map<String, Object> o, String name) {
        return asObject(member(o, name));
    }

    /** Member {@code name} of an object, which must be an array. */
    public static List<Object> getArray(Map<String, Object> o, String name) {
        return asArray(member(o, name));
    }

    private static Object member(Map<String, Object> o, String name) {
        if (!o.containsKey(name)) {
            throw new IllegalArgumentException("no member \"" + name + "\" in " + write(o));
        }
        return o.get(name);
    }

    static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "object";
        }
        if (v instanceof List) {
            return "array";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof Number) {
            return "number";
        }
        return v.getClass().getName();
    }
}
