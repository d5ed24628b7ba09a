package io.jobscope.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.javalin.validation.ValidationException;
import io.jobscope.client.IngestResult;
import io.jobscope.client.Job;
import io.jobscope.client.JobQuery;
import io.jobscope.client.Json;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.DashboardQueries;
import io.jobscope.jobs.JobService;
import io.jobscope.services.ServiceBoard;
import io.jobscope.store.StoreException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP face of jobscope: every route in one place, thin handlers, errors mapped once. */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    /** How the server listens and what it accepts. */
    public record Config(String host, int port, Tokens tokens, long maxBodyBytes, int maxLineBytes) {
        public Config {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: expecting 0..65535, found " + port);
            }
            if (tokens.isEmpty() && !isLoopback(host)) {
                throw new IllegalArgumentException("refusing to listen on " + host
                        + " without API tokens: anyone who can reach it could read and write jobs."
                        + " Create tokens with 'jobscope token create NAME --scopes ingest,read --token-file F'"
                        + " and start with --token-file F, or listen on 127.0.0.1 and use an ssh tunnel");
            }
        }

        public static Config loopback(int port) {
            return new Config("127.0.0.1", port, Tokens.none(), 64L << 20, 1 << 20);
        }
    }

    private final Config config;
    private final JobService jobs;
    private final Ingestor ingestor;
    private final Clock clock;
    private final Javalin app;
    private final io.jobscope.diagnose.DiagnoseService diagnose;

    public ApiServer(Config config, JobService jobs, Ingestor ingestor, Clock clock) {
        this(config, jobs, ingestor, clock, null, null);
    }

    /**
     * With a services board (see {@link ServiceRoutes}) and failure diagnosis, each optional (null), also
     * serves their routes.
     */
    public ApiServer(
            Config config,
            JobService jobs,
            Ingestor ingestor,
            Clock clock,
            ServiceBoard services,
            io.jobscope.diagnose.DiagnoseService diagnose) {
        this.diagnose = diagnose;
        this.config = config;
        this.jobs = jobs;
        this.ingestor = ingestor;
        this.clock = clock;
        this.app = Javalin.create(cfg -> {
            cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            cfg.routes.before("/api/*", this::authorize);
            cfg.routes.get("/health", this::health);
            cfg.routes.post("/api/v1/events", this::postEvents);
            cfg.routes.get("/api/v1/events", ApiServer::eventsArePosted);
            cfg.routes.put("/api/v1/events", ApiServer::eventsArePosted);
            cfg.routes.get("/api/v1/jobs", this::listJobs);
            cfg.routes.get("/api/v1/jobs/{id}", this::getJob);
            cfg.routes.get("/api/v1/jobs/{id}/samples", this::getSamples);
            cfg.routes.get("/api/v1/stats", this::getStats);
            cfg.routes.get("/api/v1/workflows", this::listWorkflows);
            cfg.routes.get("/api/v1/workflows/{id}", this::getWorkflow);
            if (services != null) {
                ServiceRoutes.register(cfg, services, clock);
            }
            cfg.routes.get("/api/v1/diagnose", this::getDiagnose);
            cfg.routes.get("/api/v1/jobs/{id}/diagnosis", this::getDiagnosis);
            new Dashboard(
                            new DashboardQueries(jobs.database(), clock),
                            jobs,
                            config.tokens(),
                            clock,
                            services,
                            diagnose)
                    .register(cfg);
            cfg.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            cfg.routes.exception(ValidationException.class, (e, ctx) -> error(ctx, 400, validationMessage(e)));
            cfg.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            cfg.routes.exception(StoreException.class, (e, ctx) -> {
                LOG.error("store failure on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, 503, e.getMessage());
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                String unavailable = jobs.database().unavailableReason(e);
                if (unavailable != null) { // the store is down or locked, not a bug: the client may retry
                    LOG.warn("{} {}: {}", ctx.method(), ctx.path(), unavailable);
                    error(ctx, 503, unavailable);
                    return;
                }
                String refused = jobs.database().refusedValueReason(e);
                if (refused != null) { // the request's value, past validation: the client's to mend
                    LOG.warn("{} {}: {}", ctx.method(), ctx.path(), refused);
                    error(ctx, 400, refused);
                    return;
                }
                LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.path().startsWith("/api/")
                        && !"application/json".equals(ctx.res().getContentType())) {
                    error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
                }
            });
        });
    }

    public ApiServer start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve listen address '" + host + "'");
        }
    }

    private void authorize(Context ctx) {
        if (config.tokens().isEmpty() || ServiceRoutes.isPush(ctx.path())) {
            return;
        }
        String header = ctx.header("Authorization");
        String bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim()
                : null;
        // The dashboard's charts read the API with the token its login form put in an HttpOnly cookie.
        String presented = bearer == null && ctx.method().name().equals("GET") ? ctx.cookie(Dashboard.COOKIE) : bearer;
        Tokens.Token token = config.tokens()
                .verify(presented)
                .orElseThrow(() -> new ApiException(
                        401,
                        presented == null
                                ? "this server needs an API token: send 'Authorization: Bearer <token>'"
                                : "unknown API token"));
        Tokens.Scope needed = ctx.method().name().equals("GET") ? Tokens.Scope.READ : Tokens.Scope.INGEST;
        if (!token.allows(needed)) {
            throw new ApiException(
                    403,
                    "token '" + token.name() + "' lacks the " + needed.name().toLowerCase() + " scope");
        }
    }

    /** How long /health waits for the store's answer to a trivial query. */
    static final java.time.Duration HEALTH_TIMEOUT = java.time.Duration.ofSeconds(2);

    private void health(Context ctx) {
        String unavailable = jobs.database().check(HEALTH_TIMEOUT);
        if (unavailable != null) {
            ctx.status(503)
                    .json(Map.of(
                            "status",
                            "unavailable",
                            "error",
                            unavailable,
                            "time",
                            clock.instant().toString()));
            return;
        }
        ctx.json(Map.of("status", "ok", "time", clock.instant().toString()));
    }

    private void postEvents(Context ctx) {
        long length = ctx.contentLength();
        if (length > config.maxBodyBytes()) {
            error(
                    ctx,
                    413,
                    "request body is " + length + " bytes, more than the limit of " + config.maxBodyBytes()
                            + " bytes; send smaller batches");
            return;
        }
        java.io.InputStream in = ctx.bodyInputStream();
        String encoding = ctx.header("Content-Encoding");
        if (encoding != null && encoding.trim().equalsIgnoreCase("gzip")) {
            try {
                // The size limit applies to what the body unpacks to (the reader counts it).
                in = new java.util.zip.GZIPInputStream(in, 1 << 16);
            } catch (java.io.IOException e) {
                error(ctx, 400, "Content-Encoding is gzip but the body is not gzip data: " + e.getMessage());
                return;
            }
        } else if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            error(ctx, 415, "Content-Encoding '" + encoding.trim() + "' is not supported: send gzip or plain NDJSON");
            return;
        }
        Ingestor.Report report = ingestor.ingest(in);
        IngestResult r = report.result();
        List<IngestResult.Rejection> rejected = r.rejected();
        long rejectedCount = report.rejectedCount();
        if (r.accepted() + r.duplicates() + rejectedCount == 0 && !report.tooLarge()) {
            // An empty body, blank lines or [] - most likely a client that meant to send something.
            rejected = List.of(new IngestResult.Rejection(
                    0, "the body holds no events: send NDJSON (one event a line), one JSON object or a JSON array"));
            rejectedCount = 1;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", r.accepted());
        body.put("duplicates", r.duplicates());
        body.put("rejected", rejected);
        if (rejectedCount > rejected.size()) {
            body.put("rejected_total", rejectedCount);
        }
        if (report.tooLarge()) {
            body.put("error", report.tooLargeMessage());
            ctx.status(413).json(body);
        } else {
            ctx.status(rejectedCount == 0 ? 200 : 400).json(body);
        }
    }

    private static void eventsArePosted(Context ctx) {
        ctx.header("Allow", "POST");
        error(ctx, 405, "events are sent with POST (NDJSON, one JSON object or a JSON array; see docs/events.md)");
    }

    private void listJobs(Context ctx) {
        int limit = QueryParams.limit(ctx, "limit", 50, 1, JobQuery.MAX_LIMIT);
        JobQuery q = new JobQuery(
                ctx.queryParam("status"),
                ctx.queryParam("app") != null ? ctx.queryParam("app") : ctx.queryParam("tool"),
                ctx.queryParam("workflow"),
                ctx.queryParam("site"),
                ctx.queryParam("host"),
                QueryParams.instant(ctx, "since", clock),
                QueryParams.instant(ctx, "until", clock),
                limit,
                ctx.queryParam("cursor"));
        ctx.json(jobs.history(q));
    }

    private void getJob(Context ctx) {
        String id = ctx.pathParam("id");
        Job job = jobs.job(id).orElseThrow(() -> new ApiException(404, "no job with id '" + id + "'"));
        ctx.json(job);
    }

    private void getSamples(Context ctx) {
        String id = ctx.pathParam("id");
        ctx.json(Map.of("job", id, "samples", jobs.samples(id)));
    }

    private void getStats(Context ctx) {
        if ("phase".equals(ctx.queryParam("by"))) {
            ctx.json(new io.jobscope.jobs.PhaseStatsService.Report(
                    new io.jobscope.jobs.PhaseStatsService(jobs.database())
                            .byPhase(QueryParams.instant(ctx, "since", clock), ctx.queryParam("workflow"))));
            return;
        }
        ctx.json(
                jobs.stats(ctx.queryParam("by"), QueryParams.instant(ctx, "since", clock), ctx.queryParam("workflow")));
    }

    private void listWorkflows(Context ctx) {
        int limit = QueryParams.limit(ctx, "limit", 100, 1, 10_000);
        ctx.json(Map.of("workflows", jobs.workflows(limit)));
    }

    private void getWorkflow(Context ctx) {
        String id = ctx.pathParam("id");
        ctx.json(jobs.workflow(id).orElseThrow(() -> new ApiException(404, "no workflow with id '" + id + "'")));
    }

    private io.jobscope.diagnose.DiagnoseService diagnose() {
        if (diagnose == null) {
            throw new ApiException(404, "this server does not diagnose failures");
        }
        return diagnose;
    }

    private void getDiagnose(Context ctx) {
        ctx.json(diagnose()
                .report(
                        new io.jobscope.diagnose.DiagnoseScope(
                                ctx.queryParam("job"),
                                ctx.queryParam("workflow"),
                                QueryParams.instant(ctx, "since", clock)),
                        false));
    }

    private void getDiagnosis(Context ctx) {
        String id = ctx.pathParam("id");
        ctx.json(diagnose()
                .diagnosis(id)
                .orElseThrow(() -> new ApiException(404, "no diagnosis for job '" + id + "' (not a failed job?)")));
    }

    private static String validationMessage(ValidationException e) {
        StringBuilder sb = new StringBuilder();
        e.getErrors()
                .forEach((field, errors) -> errors.forEach(err -> {
                    sb.append(sb.length() == 0 ? "" : "; ")
                            .append("query parameter '")
                            .append(field)
                            .append("': ");
                    String m = err.getMessage();
                    sb.append("TYPE_CONVERSION_FAILED".equals(m) ? "expected a number, got '" + err.value + "'" : m);
                }));
        return sb.toString();
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message == null ? "error" : message));
    }

    @Override
    public void close() {
        app.stop();
    }
}
