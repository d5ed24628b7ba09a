package io.jobscope.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The jobscope store: one SQLite file (WAL) by default, or PostgreSQL given a {@code postgresql://} or
 * {@code jdbc:postgresql:} URL. Opening it brings the schema up to date with Flyway.
 */
public final class Database implements AutoCloseable {
    /** The highest migration version in db/migration; opening skips Flyway when the store is already there. */
    static final int SCHEMA_VERSION = Migrations.latestVersion();

    private final String location;
    private final Redactor redactor;
    private final Dialect dialect;
    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private ExecutorService checker;
    private CompletableFuture<String> check;

    private Database(String location, Redactor redactor, Dialect dialect, HikariDataSource pool) {
        this.location = location;
        this.redactor = redactor;
        this.dialect = dialect;
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
    }

    /** The location a user gave, else {@code $JOBSCOPE_DB}, else {@code ~/.jobscope/jobscope.db}. */
    public static String defaultLocation(String given) {
        if (given != null && !given.isBlank()) {
            return given;
        }
        String env = System.getenv("JOBSCOPE_DB");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return io.jobscope.client.JobscopeHome.resolve("jobscope.db").toString();
    }

    public static boolean isPostgres(String location) {
        return location.startsWith("postgresql://")
                || location.startsWith("postgres://")
                || location.startsWith("jdbc:postgresql:");
    }

    /** Opens (creating when missing) and migrates the store at {@code location}. */
    public static Database open(String location) {
        return open(location, 8);
    }

    public static Database open(String location, int maxConnections) {
        Database db =
                isPostgres(location) ? openPostgres(location, maxConnections) : openSqlite(location, maxConnections);
        try {
            db.migrate();
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /** The file of a SQLite location: a path, {@code jdbc:sqlite:PATH} or {@code sqlite://PATH}. */
    public static Path sqliteFile(String location) {
        String path = location.startsWith("jdbc:sqlite:") ? location.substring("jdbc:sqlite:".length()) : location;
        if (path.startsWith("sqlite://")) {
            path = path.substring("sqlite://".length());
        } else {
            java.util.regex.Matcher m = FOREIGN_URL.matcher(path);
            if (m.find()) { // not made into a file named after the URL (nor echoed: it may hold a password)
                throw new StoreException("a store location starting '" + m.group(1) + "' is not one jobscope"
                        + " knows: give a SQLite file path or a postgresql:// URL");
            }
        }
        return Path.of(path).toAbsolutePath();
    }

    /** A URL of another scheme (postgresql+psycopg2://, POSTGRESQL://, mysql://, jdbc:mysql:…). */
    private static final java.util.regex.Pattern FOREIGN_URL =
            java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://|jdbc:[A-Za-z0-9+.-]+:)");

    private static Database openSqlite(String location, int maxConnections) {
        Path file = sqliteFile(location);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
        } catch (Exception e) {
            throw new StoreException("cannot create the directory of database " + file + ": " + e.getMessage(), e);
        }
        if (Files.isDirectory(file)) {
            throw new StoreException("database path " + file + " is a directory, not a file");
        }
        checkSqliteHeader(file);
        createWithPageSize(file);
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // NORMAL in WAL mode: a commit survives the process being killed (only power loss can undo it).
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        cfg.setCacheSize(-65_536); // 64 MiB page cache per connection
        cfg.setTempStore(SQLiteConfig.TempStore.MEMORY);
        cfg.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, String.valueOf(1L << 30));
        SQLiteDataSource ds = new SQLiteDataSource(cfg);
        ds.setUrl("jdbc:sqlite:" + file);
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setPoolName("jobscope-sqlite");
        hc.setMaximumPoolSize(maxConnections);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(30_000);
        hc.setInitializationFailTimeout(-1);
        return new Database(file.toString(), Redactor.of(null), Dialect.SQLITE, new HikariDataSource(hc));
    }

    static final int PAGE_SIZE = Integer.getInteger("jobscope.pageSize", 8_192);

    /** How long a SQLite connection waits for another's lock before giving up. */
    public static final int BUSY_TIMEOUT_MS = 30_000;

    /**
     * A new store gets larger pages than SQLite's 4 KiB: fewer B-tree pages to split and to log per row
     * appended (ingest measured 15-30 % faster). The size is fixed when the file is made, before WAL mode
     * is set; an existing store keeps the size it was made with.
     */
    private static void createWithPageSize(Path file) {
        try {
            if (Files.isRegularFile(file) && Files.size(file) > 0) {
                return;
            }
        } catch (java.io.IOException e) {
            return; // the pool's first connection reports it
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                java.sql.Statement st = c.createStatement()) {
            st.execute("PRAGMA page_size = " + PAGE_SIZE);
            st.execute("PRAGMA journal_mode = WAL");
        } catch (java.sql.SQLException e) {
            throw new StoreException("cannot create database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Fails fast, naming the file, when an existing non-empty file is not a SQLite database. */
    private static void checkSqliteHeader(Path file) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] header = in.readNBytes(16);
            if (header.length > 0 && !new String(header, StandardCharsets.ISO_8859_1).equals("SQLite format 3\0")) {
                throw new StoreException(
                        file + " is not a SQLite database (give a jobscope store with --db or $JOBSCOPE_DB)");
            }
        } catch (java.io.IOException e) {
            throw new StoreException("cannot read database " + file + ": " + e.getMessage(), e);
        }
    }

    private static Database openPostgres(String location, int maxConnections) {
        Redactor redactor = Redactor.of(location);
        String shown = redactor.location();
        HikariConfig hc = new HikariConfig();
        if (location.startsWith("jdbc:")) {
            checkJdbcUrl(location, shown);
            hc.setJdbcUrl(location);
        } else {
            URI uri = parseUri(location, shown);
            String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
            int at = authority.lastIndexOf('@');
            String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
            // u:pass/word@host/db, u:pass?word@host: the authority ended at a '/', '?' or '#' in the password
            String afterAuthority = path + uri.getRawQuery() + uri.getRawFragment();
            if (path.contains("@") || (at < 0 && afterAuthority.contains("@"))) {
                throw badUrl(shown, "an '@' after the host: " + PERCENT_ENCODE_HINT);
            }
            hc.setJdbcUrl("jdbc:postgresql://" + hosts(authority.substring(at + 1), shown) + "/" + forDriver(path)
                    + forDriverQuery(uri.getRawQuery()));
            if (at >= 0) {
                // RFC 3986 as psql reads it: a '+' in the password is a plus
                String[] up = authority.substring(0, at).split(":", 2);
                hc.setUsername(PercentDecoding.lenient(up[0]));
                if (up.length > 1) {
                    hc.setPassword(PercentDecoding.lenient(up[1]));
                }
            }
        }
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        hc.setPoolName("jobscope-postgres");
        hc.setMaximumPoolSize(maxConnections);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(10_000);
        try {
            return new Database(shown, redactor, Dialect.POSTGRES, new HikariDataSource(hc));
        } catch (RuntimeException e) {
            throw new StoreException(
                    "cannot connect to PostgreSQL at " + shown + ": " + redactor.apply(connectFailure(e)), e);
        }
    }

    /**
     * The hosts of a URL's authority ({@code host[:port]}, comma-separated; an IPv6 address in brackets) as
     * {@code host:port,...} with the defaults filled in, or what is wrong with them.
     */
    private static String hosts(String list, String shown) {
        StringBuilder sb = new StringBuilder();
        for (String hostPort : list.split(",", -1)) {
            String host;
            String port;
            if (hostPort.startsWith("[")) {
                int close = hostPort.indexOf(']');
                String after = close < 0 ? "" : hostPort.substring(close + 1);
                if (close < 0 || !(after.isEmpty() || after.startsWith(":"))) {
                    throw badUrl(shown, "an IPv6 address is written in brackets, [::1] or [::1]:5432");
                }
                host = hostPort.substring(0, close + 1);
                port = after.isEmpty() ? "" : after.substring(1);
            } else {
                int colon = hostPort.indexOf(':');
                host = colon < 0 ? hostPort : hostPort.substring(0, colon);
                port = colon < 0 ? "" : hostPort.substring(colon + 1);
                if (port.contains(":")) {
                    throw badUrl(
                            shown,
                            "host '" + hostPort + "' has more than one ':'; write an IPv6 address in"
                                    + " brackets, [::1]:5432");
                }
            }
            if (!port.isEmpty() && !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw badUrl(shown, "port '" + port + "' is not a number");
            }
            if (!port.isEmpty()
                    && (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
                throw badUrl(shown, "port " + port + " is not between 1 and 65535");
            }
            sb.append(sb.length() == 0 ? "" : ",")
                    .append(host.isEmpty() ? "localhost" : host) // as libpq: no host is this machine
                    .append(':')
                    .append(port.isEmpty() ? "5432" : port);
        }
        return sb.toString();
    }

    /**
     * A {@code jdbc:postgresql://} URL's hosts and ports checked as for the other form; {@code user:password@}
     * before the host refused, as the driver would take it for part of the host name.
     */
    private static void checkJdbcUrl(String location, String shown) {
        String prefix = "jdbc:postgresql://";
        if (!location.startsWith(prefix)) {
            return;
        }
        int end = location.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = location.indexOf(c, prefix.length());
            end = i >= 0 ? Math.min(end, i) : end;
        }
        String authority = location.substring(prefix.length(), end);
        if (authority.contains("@")) {
            throw badUrl(
                    shown,
                    "a jdbc:postgresql: URL takes the user and password as parameters"
                            + " (?user=NAME&password=SECRET), not before the host, where the driver reads them as part of"
                            + " the host name; or write postgresql://NAME:SECRET@HOST/DB");
        }
        hosts(authority, shown);
    }

    private static StoreException badUrl(String shown, String what) {
        return new StoreException("cannot use the PostgreSQL URL " + shown + ": " + what);
    }

    /** Why connecting failed, said plainly: an unknown host by name, else the driver's own message. */
    private static String connectFailure(Throwable e) {
        String driver = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof SQLException && t.getMessage() != null) {
                driver = t.getMessage();
            }
        }
        return driver != null ? driver : rootMessage(e);
    }

    /**
     * The URL checked for syntax; a malformed one is said without echoing it (the parser's message quotes it
     * whole, password and all), with how to write special characters.
     */
    private static URI parseUri(String location, String shown) {
        try {
            return new URI(location);
        } catch (URISyntaxException e) {
            String reason = e.getReason() == null ? "malformed" : e.getReason();
            throw new StoreException("the PostgreSQL URL " + shown + " is malformed ("
                    + Character.toLowerCase(reason.charAt(0)) + reason.substring(1) + "): " + PERCENT_ENCODE_HINT);
        }
    }

    /**
     * A percent-encoded part of a {@code postgresql://} URL as the JDBC driver's URL needs it: the driver
     * form-decodes (a '+' is a space there), so the part is decoded as RFC 3986 and encoded again for it.
     */
    private static String forDriver(String rawPart) {
        return URLEncoder.encode(PercentDecoding.lenient(rawPart), StandardCharsets.UTF_8);
    }

    private static String forDriverQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            sb.append(sb.length() == 0 ? "?" : "&")
                    .append(forDriver(eq < 0 ? pair : pair.substring(0, eq)))
                    .append(eq < 0 ? "" : "=" + forDriver(pair.substring(eq + 1)));
        }
        return sb.toString();
    }

    /** What to do about special characters in a {@code postgresql://} URL's user name or password. */
    static final String PERCENT_ENCODE_HINT = "percent-encode special characters of the user name and password,"
            + " e.g. @ as %40, : as %3A, / as %2F, % as %25, a space as %20";

    private void migrate() {
        if (currentVersion() >= SCHEMA_VERSION) {
            return;
        }
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .loggers("slf4j")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new StoreException(
                    "cannot bring the schema of " + location + " up to date: " + redactor.apply(rootMessage(e)), e);
        }
    }

    /** The applied schema version, or 0 for an empty store; cheap enough for every CLI start. */
    int currentVersion() {
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery("SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history WHERE success = "
                            + (dialect == Dialect.SQLITE ? "1" : "true"))) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("flyway_schema_history")) {
                return 0;
            }
            if (e.getMessage() != null && e.getMessage().contains("does not exist")) {
                return 0;
            }
            if (dialect == Dialect.SQLITE
                    && e.getMessage() != null
                    && e.getMessage().contains("not a database")) {
                throw new StoreException(location + " is not a SQLite database", e);
            }
            throw new StoreException(
                    "cannot read the schema version of " + location + ": " + redactor.apply(e.getMessage()), e);
        }
    }

    static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getMessage() == null ? r.toString() : r.getMessage();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return pool;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** How many connections the store's pool may open at once. */
    public int maxConnections() {
        return pool.getMaximumPoolSize();
    }

    /** The file or URL (password hidden) the store lives at. */
    public String location() {
        return location;
    }

    /**
     * One line saying why the store cannot be used, when {@code failure} says it cannot (PostgreSQL down or
     * unreachable, the pool out of connections or closed, SQLite locked past its timeout); null for any other
     * failure, which is a bug.
     */
    public String unavailableReason(Throwable failure) {
        return redactor.apply(StoreFailures.unavailable(failure));
    }

    /** Whether {@code failure} says the store cannot be used (down, unreachable, locked), not that a request was bad. */
    public static boolean isUnavailable(Throwable failure) {
        return StoreFailures.unavailable(failure) != null;
    }

    /** One line naming the value the store refused, when {@code failure} is a data exception; else null. */
    public String refusedValueReason(Throwable failure) {
        return redactor.apply(StoreFailures.refusedValue(failure));
    }

    /**
     * Null when the store answers a trivial query within {@code timeout}, else why it cannot be used. A check
     * still waiting for a connection is shared by the calls that come meanwhile, so a store that hangs holds
     * one thread, not one per call.
     */
    public String check(Duration timeout) {
        CompletableFuture<String> running;
        synchronized (this) {
            if (checker == null) {
                checker = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "jobscope-store-check");
                    t.setDaemon(true);
                    return t;
                });
            }
            if (check == null || check.isDone()) {
                check = CompletableFuture.supplyAsync(() -> probe(timeout), checker);
            }
            running = check;
        }
        try {
            return running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return "the store cannot be used: it did not answer within " + timeout.toMillis() + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "the store check was interrupted";
        } catch (ExecutionException e) {
            return "the store cannot be used: " + redactor.apply(rootMessage(e));
        }
    }

    private String probe(Duration timeout) {
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement()) {
            st.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            st.execute("SELECT 1");
            return null;
        } catch (SQLException e) {
            String why = StoreFailures.unavailable(e);
            return redactor.apply(why != null ? why : "the store cannot be used: " + rootMessage(e));
        }
    }

    /** {@code text} with this store's password hidden (see {@link Redactor}), for messages and logs. */
    public String redact(String text) {
        return redactor.apply(text);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (checker != null) {
                checker.shutdownNow();
            }
        }
        pool.close();
    }
}
