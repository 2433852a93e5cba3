package io.campaignmock;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One campaign-mock server process, started for a test and stopped after it.
 *
 * <pre>{@code
 * try (CampaignMock mock = CampaignMock.builder().clock("manual").start()) {
 *     Tenant t = mock.tenant();                       // fresh, from the template "*"
 *     long id = t.trigger("XDM1").requestId();
 *     assertEquals("Success", t.poll("XDM1", id, 5).getString("status"));
 * }
 * }</pre>
 *
 * <p>The binary is {@code $CAMPAIGN_MOCK_BIN}, else {@code campaign-mock} on the
 * {@code PATH} (or {@link Builder#binary}). It runs with {@code --port 0 --port-file
 * <tmp>} and the builder's options; {@link #start} waits for the port file (bounded by
 * {@link Builder#startTimeout}), and {@link #close} sends SIGTERM and waits for the
 * exit. The server's environment has no {@code CAMPAIGN_MOCK_*} variable of the test's
 * own (they would change its options behind the test's back); {@link Builder#env} sets
 * one on purpose. Its standard output and error go to {@link #logFile()}.
 *
 * <p>Thread-safe: tests running in parallel share one server, each on its own tenant.
 */
public final class CampaignMock implements AutoCloseable {
    /** Servers not yet closed, stopped by one shutdown hook if the JVM exits first. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicLong TENANTS = new AtomicLong();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "campaign-mock-reaper"));
    }

    private final Process process;
    private final Path workDir;
    private final Path logFile;
    private final int port;
    private final String baseUrl;
    private final Http http;
    private final Api api;
    private final Duration shutdownTimeout;
    private final List<String> command;
    private volatile Integer exitCode;
    private boolean closed;

    /** Attached to a server this object did not start (see {@link #connect}). */
    private CampaignMock(String baseUrl, String adminToken, Duration requestTimeout) {
        java.net.URI uri = java.net.URI.create(baseUrl);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("expected http://HOST:PORT, got " + baseUrl);
        }
        this.process = null;
        this.workDir = null;
        this.logFile = null;
        this.port = uri.getPort();
        this.baseUrl = "http://" + uri.getRawAuthority();
        this.command = List.of();
        this.shutdownTimeout = Duration.ZERO;
        this.http = new Http(this.baseUrl, requestTimeout, adminToken);
        this.api = Api.presence(http);
        health(); // fail now, not at the first test, when nothing answers there
    }

    private CampaignMock(Builder b) {
        Path bin = b.binary != null ? b.binary : findBinary();
        try {
            workDir = Files.createTempDirectory("campaign-mock-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary directory for campaign-mock", e);
        }
        Path portFile = workDir.resolve("port");
        logFile = workDir.resolve("server.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.toString());
        cmd.add("--port");
        cmd.add("0");
        cmd.add("--port-file");
        cmd.add(portFile.toString());
        if (b.auth != null && !b.auth.isEmpty()) {
            cmd.add("--auth");
            cmd.add(b.auth);
        }
        if (b.clock != null && !b.clock.isEmpty()) {
            cmd.add("--clock");
            cmd.add(b.clock);
        }
        for (String f : b.fixtures) {
            cmd.add("--fixtures");
            cmd.add(resolveFixture(f));
        }
        if (b.adminToken != null) {
            cmd.add("--admin-token");
            cmd.add(b.adminToken);
        }
        cmd.addAll(b.args);
        command = Collections.unmodifiableList(cmd);
        shutdownTimeout = b.shutdownTimeout;

        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CAMPAIGN_MOCK_"));
        pb.environment().putAll(b.env);
        try {
            process = pb.start();
        } catch (IOException e) {
            deleteQuietly(workDir);
            throw new IllegalStateException("cannot run " + bin + ": " + e.getMessage(), e);
        }
        LIVE.add(process);
        try {
            port = waitForPort(portFile, b.startTimeout);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            LIVE.remove(process);
            deleteQuietly(workDir); // the message holds the end of the log
            throw e;
        }
        baseUrl = "http://127.0.0.1:" + port;
        http = new Http(baseUrl, b.requestTimeout, b.adminToken);
        api = Api.presence(http);
    }

    /** A builder of the server's options; {@link Builder#start()} runs it. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Attaches to a server that is already running ({@code http://HOST:PORT}: one in a
     * container, say) and checks that it answers {@code /_mock/health}. {@link #close()}
     * then leaves it running.
     */
    public static CampaignMock connect(String baseUrl) {
        return connect(baseUrl, null);
    }

    /** {@link #connect(String)} to a server run with {@code --admin-token}. */
    public static CampaignMock connect(String baseUrl, String adminToken) {
        return new CampaignMock(baseUrl, adminToken, Duration.ofSeconds(30));
    }

    /** A server with the default options: bundled fixtures, {@code --auth presence}, real clock. */
    public static CampaignMock start() {
        return builder().start();
    }

    // --- where it is -------------------------------------------------------------------

    /** The port it listens on (on 127.0.0.1 for a server it started). */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}: where a client's Campaign base URL (https://mc.adobe.io) points. */
    public String campaignBaseUrl() {
        return baseUrl;
    }

    /** {@code http://127.0.0.1:PORT}: where a client's IMS base URL (https://ims-na1.adobelogin.com) points. */
    public String imsBaseUrl() {
        return baseUrl;
    }

    /** {@code http://127.0.0.1:PORT/_mock}: the control API. */
    public String controlUrl() {
        return baseUrl + "/_mock";
    }

    /** The command line it was started with. */
    public List<String> command() {
        return command;
    }

    /** Its standard output and error; null for a server attached by {@link #connect}. */
    public Path logFile() {
        return logFile;
    }

    /** What it has logged so far. */
    public String log() {
        if (logFile == null) {
            return "(attached to " + baseUrl + ": its log is where it runs)";
        }
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    // --- tenants -----------------------------------------------------------------------

    /** A fresh tenant with a unique name, made now from the template {@code *}. */
    public Tenant tenant() {
        return tenant("t");
    }

    /**
     * A fresh tenant whose unique name starts with {@code hint} (a test's name, say:
     * characters a tenant name cannot hold become '-'), made now from the template
     * {@code *} ({@code GET /_mock/tenants/{org}}; without a template, 404
     * {@code unknown_tenant}).
     */
    public Tenant tenant(String hint) {
        Tenant t = tenantNamed(uniqueName(hint));
        t.get();
        return t;
    }

    /** A handle on the tenant of this name; no call is made (the first use creates it). */
    public Tenant tenantNamed(String name) {
        return new Tenant(this, http, name);
    }

    /** {@code GET /_mock/tenants}: {@code {"tenants": [{"name", "mappings"}...], "template": bool}}. */
    public Map<String, Object> tenants() {
        return Json.asObject(http.controlJson(Routes.TENANTS_LIST, new Object[0], null, null));
    }

    static String uniqueName(String hint) {
        String base = hint == null ? "" : hint.replaceAll("[^A-Za-z0-9@._-]+", "-");
        base = base.replaceAll("^-+|-+$", "");
        if (base.length() > 80) {
            base = base.substring(0, 80);
        }
        if (!base.matches(".*[A-Za-z0-9].*")) {
            base = "t";
        }
        return base + "-" + TENANTS.incrementAndGet() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
    }

    // --- server-wide control -------------------------------------------------------------

    /** The server clock. */
    public Clock clock() {
        return new Clock(http);
    }

    /** The fault rules. */
    public Faults faults() {
        return new Faults(http);
    }

    /** Every journal entry, oldest first. */
    public List<JournalEntry> journal() {
        return journal(JournalFilter.any());
    }

    /** {@code GET /_mock/journal} with filters: the matching entries, oldest first. */
    public List<JournalEntry> journal(JournalFilter filter) {
        List<JournalEntry> out = new ArrayList<>();
        for (Map<String, Object> e : Json.asObjects(Json.getArray(journalDocument(filter), "entries"))) {
            out.add(new JournalEntry(e));
        }
        return Collections.unmodifiableList(out);
    }

    /** The journal's answer as it is: {@code {"entries": [...], "evicted": N}}. */
    public Map<String, Object> journalDocument(JournalFilter filter) {
        return Json.asObject(http.controlJson(Routes.JOURNAL_GET, new Object[0], filter.query(true), null));
    }

    /** {@code GET /_mock/journal/count}: how many entries there are. */
    public long journalCount() {
        return journalCount(JournalFilter.any());
    }

    /** {@code GET /_mock/journal/count} with filters (a limit is ignored). */
    public long journalCount(JournalFilter filter) {
        return Json.getLong(Json.asObject(http.controlJson(Routes.JOURNAL_COUNT, new Object[0],
                filter.query(false), null)), "count");
    }

    /** {@code DELETE /_mock/journal} (every test's entries); answers how many were deleted. */
    public long clearJournal() {
        return Json.getLong(Json.asObject(http.controlJson(Routes.JOURNAL_CLEAR, new Object[0], null, null)),
                "deleted");
    }

    /**
     * {@code GET /_mock/report}: how good the client is, read off the journal (coverage
     * of Adobe's answers, findings); {@code {"window", "coverage", "findings", "summary"}}.
     */
    public Map<String, Object> report(ReportFilter filter) {
        return Json.asObject(http.controlJson(Routes.REPORT, new Object[0], filter.query(), null));
    }

    /**
     * {@code POST /_mock/report/mark}: the next report without {@code since} covers the
     * calls after now (server-wide); answers the journal entry id the window starts after.
     */
    public long markReport() {
        return Json.getLong(Json.asObject(http.controlJson(Routes.REPORT_MARK, new Object[0], null, null)), "mark");
    }

    /** {@code GET /_mock/metrics}. */
    public Metrics metrics() {
        return new Metrics(http.control(Routes.METRICS, new Object[0], null, null).orThrow().body());
    }

    /** {@code GET /_mock/health}: {@code {"status":"ready","version":"..."}}. */
    public Map<String, Object> health() {
        return Json.asObject(http.controlJson(Routes.HEALTH, new Object[0], null, null));
    }

    /** {@code GET /_mock}: {@code {"name","version","links"}}. */
    public Map<String, Object> index() {
        return Json.asObject(http.controlJson(Routes.INDEX, new Object[0], null, null));
    }

    /** {@code GET /_mock/openapi.yaml}: the OpenAPI document the server was built with. */
    public String openapi() {
        return http.control(Routes.OPENAPI, new Object[0], null, null).orThrow().body();
    }

    /**
     * {@code POST /_mock/reset}: reloads the fixture files, replacing every tenant and
     * fault rule of the server (every test's!). Answers {@code {"status":"reloaded","tenants":N}}.
     */
    public Map<String, Object> reset() {
        return Json.asObject(http.controlJson(Routes.RESET, new Object[0], null, null));
    }

    /**
     * Any route of {@link Routes} with its path parameters, an optional query (null
     * values left out) and JSON body (a value, or a String sent as it is): the answer as
     * it is, whatever its status. For exact-byte assertions and for what the typed
     * methods do not cover.
     */
    public Response call(String route, Map<String, ?> query, Object jsonBody, Object... params) {
        return http.control(route, params, query, jsonBody);
    }

    /** {@link #call(String, Map, Object, Object...)} without query or body. */
    public Response call(String route, Object... params) {
        return http.control(route, params, null, null);
    }

    // --- the emulated API ------------------------------------------------------------------

    /** Helpers for the emulated API with {@code Bearer token} / {@code X-Api-Key: key} (see {@link Api}). */
    public Api api() {
        return api;
    }

    /** An IMS token for a fixture client ({@code POST /ims/token/v3}). */
    public ImsToken token(String clientId, String clientSecret) {
        return api.token(clientId, clientSecret);
    }

    // --- stopping --------------------------------------------------------------------------

    /** The exit status once closed (0: a clean stop), else null. */
    public Integer exitCode() {
        return exitCode;
    }

    /**
     * Stops the server: SIGTERM, then waits for it (answers in flight get
     * {@code --shutdown-grace}); SIGKILL after the builder's shutdown timeout. Removes its
     * temporary directory after a clean stop; otherwise keeps it and throws
     * {@link IllegalStateException} with the exit status and the log's end (as a
     * suppressed exception when a test's own failure is already on its way).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (process == null) {
            return; // attached by connect(): not ours to stop
        }
        process.destroy(); // SIGTERM
        boolean exited;
        try {
            exited = process.waitFor(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while stopping campaign-mock", e);
        } finally {
            LIVE.remove(process);
        }
        exitCode = process.isAlive() ? null : process.exitValue();
        if (exited && exitCode != null && exitCode == 0) {
            deleteQuietly(workDir);
            return;
        }
        throw new IllegalStateException((exited ? "campaign-mock exited with status " + exitCode
                : "campaign-mock did not stop within " + shutdownTimeout + " of SIGTERM and was killed")
                + " (its files are kept in " + workDir + "); the end of its log:\n" + tail(log(), 40));
    }

    @Override
    public String toString() {
        return "CampaignMock[" + baseUrl + "]";
    }

    // --- start-up --------------------------------------------------------------------------

    private int waitForPort(Path portFile, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            if (Files.exists(portFile)) {
                try {
                    List<String> lines = Files.readAllLines(portFile, StandardCharsets.UTF_8);
                    if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                        return Integer.parseInt(lines.get(0).trim());
                    }
                } catch (IOException | NumberFormatException e) {
                    // The file is written by rename, so this is a file being removed: retry.
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("campaign-mock exited with status " + process.exitValue()
                        + " before listening: " + String.join(" ", command) + "\n" + tail(log(), 40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("campaign-mock wrote no port file within " + bound + ": "
                        + String.join(" ", command) + "\n" + tail(log(), 40));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for campaign-mock to listen", e);
            }
        }
    }

    /** {@code $CAMPAIGN_MOCK_BIN}, else {@code campaign-mock} on the {@code PATH}. */
    static Path findBinary() {
        String env = System.getenv("CAMPAIGN_MOCK_BIN");
        if (env != null && !env.isEmpty()) {
            return Paths.get(env);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Paths.get(dir, "campaign-mock");
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("campaign-mock not found: set CAMPAIGN_MOCK_BIN to the binary "
                + "(e.g. build/campaign-mock) or put it on the PATH");
    }

    /**
     * {@code bundled} and {@code none} are names, not files; a relative path is taken from
     * the {@code basedir} system property (what Maven Surefire sets to the module's
     * directory), else the working directory.
     */
    static String resolveFixture(String f) {
        if (f.equals("bundled") || f.equals("none")) {
            return f;
        }
        Path p = Paths.get(f);
        if (!p.isAbsolute()) {
            String base = System.getProperty("basedir");
            p = (base != null && !base.isEmpty() ? Paths.get(base) : Paths.get("")).resolve(p);
        }
        return p.toAbsolutePath().normalize().toString();
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    // --- options -----------------------------------------------------------------------------

    /** The server's options. Each setter answers the builder. */
    public static final class Builder {
        private Path binary;
        private String auth;
        private String clock;
        private final List<String> fixtures = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String adminToken;
        private Duration startTimeout = Duration.ofSeconds(15);
        private Duration shutdownTimeout = Duration.ofSeconds(15);
        private Duration requestTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** The binary to run, instead of {@code $CAMPAIGN_MOCK_BIN} or the {@code PATH}. */
        public Builder binary(Path p) {
            binary = p;
            return this;
        }

        /** {@code --auth off|presence|strict} (default: the server's, presence). */
        public Builder auth(String mode) {
            auth = mode;
            return this;
        }

        /** {@code --clock real|manual} (default: the server's, real). */
        public Builder clock(String mode) {
            clock = mode;
            return this;
        }

        /**
         * {@code --fixtures} paths, in order (they replace the bundled set: add
         * {@code "bundled"} to keep it). Relative paths: see {@link CampaignMock}.
         */
        public Builder fixtures(String... paths) {
            fixtures.addAll(List.of(paths));
            return this;
        }

        /** More command-line options, after the others: {@code args("--seed", "7")}. */
        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** An environment variable of the server's (e.g. {@code CAMPAIGN_MOCK_LOG_LEVEL}). */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** {@code --admin-token}: the control calls then send {@code X-Mock-Admin-Token}. */
        public Builder adminToken(String token) {
            adminToken = token;
            return this;
        }

        /** How long {@link #start()} waits for the port file (default 15 s). */
        public Builder startTimeout(Duration d) {
            startTimeout = d;
            return this;
        }

        /** How long {@link CampaignMock#close()} waits after SIGTERM before SIGKILL (default 15 s). */
        public Builder shutdownTimeout(Duration d) {
            shutdownTimeout = d;
            return this;
        }

        /** The timeout of each HTTP call (default 30 s). */
        public Builder requestTimeout(Duration d) {
            requestTimeout = d;
            return this;
        }

        /** Starts the server and waits until it listens. */
        public CampaignMock start() {
            return new CampaignMock(this);
        }
    }
}
