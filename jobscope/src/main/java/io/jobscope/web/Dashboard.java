package io.jobscope.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.staticfiles.Location;
import io.jobscope.client.Job;
import io.jobscope.diagnose.DiagnoseScope;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.jobs.DashboardQueries;
import io.jobscope.jobs.JobService;
import io.jobscope.services.NotFoundException;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServicesApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The web dashboard: server-rendered pages (JTE, escaped by default), JSON for their charts under
 * {@code /api/v1/dashboard}, static JS and CSS from the jar, a strict Content-Security-Policy, and a
 * login form that keeps the API token in an HttpOnly, SameSite cookie when tokens are configured.
 */
public final class Dashboard {
    /** The cookie that carries a dashboard user's API token. */
    public static final String COOKIE = "jobscope_token";

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
            + " form-action 'self'";

    /** The windows the stats page offers, and the default. */
    static final Map<String, Duration> WINDOWS = windows();

    static final String DEFAULT_WINDOW = "24h";

    /** The statuses diagnosis classifies. */
    private static final Set<String> FAILED = Set.of("failed", "error", "timeout", "held");

    private static final Set<String> PUBLIC_PATHS = Set.of("/login", "/health");

    private final DashboardQueries queries;
    private final JobService jobs;
    private final Tokens tokens;
    private final Clock clock;
    private final TemplateEngine templates;
    private final ServicePages services;
    private final DiagnoseService diagnose;

    public Dashboard(DashboardQueries queries, JobService jobs, Tokens tokens, Clock clock) {
        this(queries, jobs, tokens, clock, null, null);
    }

    /** With a services board and failure diagnosis (either may be null), also shows them. */
    public Dashboard(
            DashboardQueries queries,
            JobService jobs,
            Tokens tokens,
            Clock clock,
            ServiceBoard services,
            DiagnoseService diagnose) {
        this.queries = queries;
        this.jobs = jobs;
        this.tokens = tokens;
        this.clock = clock;
        this.templates = TemplateEngine.createPrecompiled(ContentType.Html);
        this.services = services == null ? null : new ServicePages(services);
        this.diagnose = diagnose;
    }

    private static Map<String, Duration> windows() {
        Map<String, Duration> m = new LinkedHashMap<>();
        m.put("1h", Duration.ofHours(1));
        m.put("24h", Duration.ofDays(1));
        m.put("7d", Duration.ofDays(7));
        m.put("30d", Duration.ofDays(30));
        m.put("all", null);
        return m;
    }

    /** Adds the dashboard's static files, headers, pages and chart endpoints to a Javalin configuration. */
    public void register(JavalinConfig cfg) {
        cfg.staticFiles.enableWebjars();
        cfg.staticFiles.add(s -> {
            s.hostedPath = "/static";
            s.directory = "/web-static";
            s.location = Location.CLASSPATH;
            s.headers = Map.of("Cache-Control", "max-age=300", "X-Content-Type-Options", "nosniff");
        });
        cfg.routes.before(this::securityHeaders);
        cfg.routes.get("/", page(this::overview));
        cfg.routes.get("/fragments/overview", page(this::overviewFragment));
        cfg.routes.get("/workflows", page(this::workflows));
        cfg.routes.get("/workflows/{id}", page(this::workflow));
        cfg.routes.get("/jobs", page(this::jobList));
        cfg.routes.get("/jobs/{id}", page(this::job));
        cfg.routes.get("/stats", page(this::stats));
        cfg.routes.get("/services", page(this::servicesBoard));
        cfg.routes.get("/services/{name}", page(this::service));
        cfg.routes.get("/failures", page(this::failures));
        cfg.routes.get("/login", this::loginForm);
        cfg.routes.post("/login", this::login);
        cfg.routes.post("/logout", this::logout);
        cfg.routes.get("/api/v1/dashboard/overview", ctx -> ctx.json(queries.overview()));
        cfg.routes.get("/api/v1/dashboard/throughput", ctx -> ctx.json(queries.throughput()));
        cfg.routes.get("/api/v1/dashboard/workflows/{id}/timeline", ctx -> ctx.json(queries.timeline(wf(ctx))));
        cfg.routes.get("/api/v1/dashboard/workflows/{id}/dag", ctx -> {
            String id = wf(ctx);
            Map<String, Object> dag = queries.dag(id);
            if (dag.get("nodes") instanceof java.util.Collection<?> nodes
                    && nodes.isEmpty()
                    && queries.workflow(id).isEmpty()) { // as the workflow's page: 404, not an empty graph
                throw new ApiException(404, "no workflow with id '" + id + "'");
            }
            ctx.json(dag);
        });
        cfg.routes.get("/api/v1/dashboard/workflows/{id}/resources", ctx -> ctx.json(queries.resources(wf(ctx))));
        cfg.routes.get(
                "/api/v1/dashboard/stats",
                ctx -> ctx.json(Map.of("by", by(ctx), "groups", queries.stats(by(ctx), since(window(ctx))))));
    }

    private String wf(Context ctx) {
        return ctx.pathParam("id");
    }

    private void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("X-Frame-Options", "DENY");
    }

    /** A page handler: asks for a login when tokens are configured, renders errors as a page. */
    private Handler page(Handler h) {
        return ctx -> {
            if (!tokens.isEmpty() && !signedIn(ctx)) {
                String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
                ctx.redirect("/login" + Fmt.query("next", next), HttpStatus.SEE_OTHER);
                return;
            }
            ctx.header("Cache-Control", "no-store");
            try {
                h.handle(ctx);
            } catch (ApiException e) {
                ctx.status(e.status());
                render(ctx, "error.jte", Map.of("status", e.status(), "message", e.getMessage()));
            } catch (NotFoundException e) {
                ctx.status(404);
                render(ctx, "error.jte", Map.of("status", 404, "message", e.getMessage()));
            } catch (IllegalArgumentException e) {
                ctx.status(400);
                render(ctx, "error.jte", Map.of("status", 400, "message", String.valueOf(e.getMessage())));
            } catch (RuntimeException e) {
                // the store down or locked: said as a page, with the API's 503 and message (ApiServer maps the rest)
                String unavailable = jobs.database().unavailableReason(e);
                if (unavailable == null) {
                    throw e;
                }
                ctx.status(503);
                render(ctx, "error.jte", Map.of("status", 503, "message", unavailable));
            }
        };
    }

    private boolean signedIn(Context ctx) {
        String token = ctx.cookie(COOKIE);
        return tokens.verify(token).map(t -> t.allows(Tokens.Scope.READ)).orElse(false);
    }

    private void render(Context ctx, String template, Map<String, Object> params) {
        StringOutput out = new StringOutput();
        templates.render(template, params, out);
        ctx.contentType("text/html; charset=utf-8").result(out.toString());
    }

    private Map<String, Object> params(String nav, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nav", nav);
        m.put("login", !tokens.isEmpty());
        m.put("banner", services == null ? List.of() : services.announcements());
        m.put("features", new Features(services != null, diagnose != null));
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    // ---------------------------------------------------------------- pages

    /** Which optional parts this dashboard has, for the navigation. */
    public record Features(boolean services, boolean diagnose) {}

    private void overview(Context ctx) {
        DashboardQueries.Overview o = queries.overview();
        render(ctx, "overview.jte", params("overview", "o", o, "categories", categories(o.recentFailures())));
    }

    private void overviewFragment(Context ctx) {
        DashboardQueries.Overview o = queries.overview();
        render(ctx, "overview_live.jte", Map.of("o", o, "categories", categories(o.recentFailures())));
    }

    /** The diagnosed category of each listed failure (none for jobs not classified yet). */
    private Map<String, String> categories(List<DashboardQueries.Failure> failures) {
        if (diagnose == null || failures.isEmpty()) {
            return Map.of();
        }
        return diagnose.storedCategories(
                failures.stream().map(DashboardQueries.Failure::id).toList());
    }

    private void workflows(Context ctx) {
        String text = blankToNull(ctx.queryParam("q"));
        String status = blankToNull(ctx.queryParam("status"));
        String user = blankToNull(ctx.queryParam("user"));
        int page = intParam(ctx, "page", 1);
        DashboardQueries.Page<DashboardQueries.WorkflowLine> p = queries.workflows(text, status, user, page, 25);
        render(
                ctx,
                "workflows.jte",
                params("workflows", "p", p, "q", orEmpty(text), "status", orEmpty(status), "user", orEmpty(user)));
    }

    private void workflow(Context ctx) {
        String id = ctx.pathParam("id");
        DashboardQueries.WorkflowSummary s =
                queries.workflow(id).orElseThrow(() -> new ApiException(404, "no workflow with id '" + id + "'"));
        render(ctx, "workflow.jte", params("workflows", "s", s, "categories", categories(s.failures())));
    }

    private void jobList(Context ctx) {
        DashboardQueries.JobFilter f = new DashboardQueries.JobFilter(
                blankToNull(ctx.queryParam("status")),
                blankToNull(ctx.queryParam("app")),
                blankToNull(ctx.queryParam("workflow")),
                blankToNull(ctx.queryParam("site")),
                blankToNull(ctx.queryParam("host")),
                QueryParams.instant(ctx, "since", clock),
                QueryParams.instant(ctx, "until", clock),
                blankToNull(ctx.queryParam("sort")),
                intParam(ctx, "page", 1),
                50);
        Map<String, String> form = new LinkedHashMap<>();
        for (String k : List.of("status", "app", "workflow", "site", "host", "since", "until", "sort")) {
            form.put(k, orEmpty(ctx.queryParam(k)));
        }
        render(ctx, "jobs.jte", params("jobs", "p", queries.jobs(f), "f", form, "apps", queries.distinct("app", 200)));
    }

    private void job(Context ctx) {
        String id = ctx.pathParam("id");
        Job job = jobs.job(id).orElseThrow(() -> new ApiException(404, "no job with id '" + id + "'"));
        DiagnoseService.Group diagnosis = null;
        if (diagnose != null && FAILED.contains(job.status())) {
            diagnosis = diagnose.report(new DiagnoseScope(id, null, null), false).groups().stream()
                    .findFirst()
                    .orElse(null);
        }
        ServicesApi.Correlation outages = services == null || job.startTime() == null ? null : services.correlation(id);
        render(
                ctx,
                "job.jte",
                params("jobs", "job", job, "phases", PhaseBars.of(job), "diagnosis", diagnosis, "outages", outages));
    }

    private ServicePages services() {
        if (services == null) {
            throw new ApiException(404, "this server has no services board");
        }
        return services;
    }

    private void servicesBoard(Context ctx) {
        render(ctx, "services.jte", params("services", "b", services().board(clock.instant())));
    }

    private void service(Context ctx) {
        render(ctx, "service.jte", params("services", "d", services().detail(ctx.pathParam("name"), clock.instant())));
    }

    private void failures(Context ctx) {
        if (diagnose == null) {
            throw new ApiException(404, "this server does not diagnose failures");
        }
        String sinceText = blankToNull(ctx.queryParam("since"));
        Instant since = sinceText == null
                ? clock.instant().minus(Duration.ofDays(7))
                : QueryParams.instant(ctx, "since", clock);
        String workflow = blankToNull(ctx.queryParam("workflow"));
        DiagnoseService.Report report = diagnose.report(new DiagnoseScope(null, workflow, since), false);
        render(
                ctx,
                "failures.jte",
                params(
                        "failures",
                        "r",
                        report,
                        "since",
                        sinceText == null ? "7d" : sinceText,
                        "workflow",
                        orEmpty(workflow),
                        "sinceInstant",
                        since));
    }

    private void stats(Context ctx) {
        String by = by(ctx);
        String window = window(ctx);
        render(
                ctx,
                "stats.jte",
                params(
                        "stats",
                        "by",
                        by,
                        "window",
                        window,
                        "windows",
                        List.copyOf(WINDOWS.keySet()),
                        "groups",
                        DashboardQueries.STATS_GROUPS,
                        "rows",
                        queries.stats(by, since(window))));
    }

    private static String by(Context ctx) {
        String by = blankToNull(ctx.queryParam("by"));
        return by == null ? "app" : by;
    }

    private static String window(Context ctx) {
        String w = blankToNull(ctx.queryParam("window"));
        if (w == null) {
            return DEFAULT_WINDOW;
        }
        if (!WINDOWS.containsKey(w)) {
            throw new ApiException(
                    400, "window: unknown window '" + w + "'; use one of " + String.join(", ", WINDOWS.keySet()));
        }
        return w;
    }

    private Instant since(String window) {
        Duration d = WINDOWS.get(window);
        return d == null ? null : clock.instant().minus(d);
    }

    // ---------------------------------------------------------------- login

    private void loginForm(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        render(ctx, "login.jte", params("login", "next", safeNext(ctx.queryParam("next")), "error", ""));
    }

    private void login(Context ctx) {
        String next = safeNext(ctx.formParam("next"));
        String token = ctx.formParam("token");
        token = token == null ? "" : token.strip();
        var found = tokens.verify(token);
        if (tokens.isEmpty()) {
            ctx.redirect(next, HttpStatus.SEE_OTHER);
            return;
        }
        if (found.isEmpty() || !found.get().allows(Tokens.Scope.READ)) {
            ctx.status(401);
            render(
                    ctx,
                    "login.jte",
                    params(
                            "login",
                            "next",
                            next,
                            "error",
                            found.isEmpty() ? "unknown token" : "this token lacks the read scope"));
            return;
        }
        Cookie c = new Cookie(COOKIE, token, "/", 12 * 3600, isHttps(ctx), true, null, SameSite.STRICT);
        ctx.cookie(c);
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }

    private void logout(Context ctx) {
        ctx.cookie(new Cookie(COOKIE, "", "/", 0, isHttps(ctx), true, null, SameSite.STRICT));
        ctx.redirect("/login", HttpStatus.SEE_OTHER);
    }

    private static boolean isHttps(Context ctx) {
        return "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    /** Only a path on this server: never another site ("//evil", "https://…"). */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) {
            return "/";
        }
        return next;
    }

    // ---------------------------------------------------------------- helpers

    private static int intParam(Context ctx, String name, int dflt) {
        String v = blankToNull(ctx.queryParam(name));
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ApiException(400, name + ": expecting a whole number, found '" + v + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
