package io.jobscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.diagnose.Classifier;
import io.jobscope.diagnose.ClassifyOnFinish;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.diagnose.RuleBook;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServicesApi.StatusUpdate;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard with the services board and failure diagnosis, as {@code jobscope server} runs it, in a real
 * Chromium: the services pages in the dashboard's layout, the announcement banner on every page, and a failed
 * job's diagnosis and the outage it ran into. Screenshots go to target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntegratedDashboardBrowserTest {
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String ANNOUNCEMENT = "dCache upgrade tonight <script>window.pwned=3</script>";
    private static final String OUTAGE_MESSAGE = "<b>db</b> refused connections";

    private Path dir;
    private Database db;
    private EventWriter writer;
    private ClassifyOnFinish classify;
    private ApiServer server;
    private ChromeDriver driver;
    private WebDriverWait wait;
    /** The UTC days samweb's outage touches: its red bars. */
    private int outageDays;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("jobscope-integrated");
        db = Stores.sqlite(dir);
        writer = new EventWriter(db);
        ServiceBoard board = new ServiceBoard(db, Clock.systemUTC());
        DiagnoseService diagnose =
                new DiagnoseService(db, Classifier.standard(RuleBook.load(List.of(), true)), board.outageLookup());
        classify = new ClassifyOnFinish(diagnose);
        writer.addCommitListener(classify);
        Ingestor ingestor = new Ingestor(writer);
        Instant now = Instant.now();
        // The outage began an hour ago, before the seed's jobs (the last 40 minutes) failed. The uptime bars
        // are per UTC day: in the first hour of a day the outage touches yesterday too. The degraded spell
        // lies within one day whatever the hour (90 minutes from 22:40 two days ago would cross midnight).
        Instant today = now.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        Instant outage = now.minusSeconds(3600);
        outageDays = outage.isBefore(today) ? 2 : 1;
        Instant degraded = today.minus(Duration.ofDays(2)).plus(Duration.ofHours(12));
        board.set("samweb", new StatusUpdate("operational", null, "ops", now.minus(Duration.ofDays(3)), null));
        board.set("samweb", new StatusUpdate("major_outage", OUTAGE_MESSAGE, "ops", outage, null));
        board.set("dcache", new StatusUpdate("operational", null, "ops", now.minus(Duration.ofDays(3)), null));
        board.set("dcache", new StatusUpdate("degraded", "slow pool", "ops", degraded, null));
        board.set("dcache", new StatusUpdate("operational", "fixed", "ops", degraded.plusSeconds(5400), null));
        board.addMaintenance(
                List.of("dcache"),
                now.plus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(1).plusHours(4)),
                "firmware");
        board.announce(ANNOUNCEMENT, "warning", null);
        StringBuilder sb = new StringBuilder();
        for (Event e : DashboardSeed.events(now)) {
            sb.append(e.toLine()).append('\n');
        }
        Ingestor.Report r =
                ingestor.ingest(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(r.rejectedCount()).isZero();
        classify.awaitIdle();
        server = new ApiServer(
                        ApiServer.Config.loopback(0), new JobService(db), ingestor, Clock.systemUTC(), board, diagnose)
                .start();
        driver = io.jobscope.testing.Chromium.start(dir.resolve("chrome-profile"), 1440, 1500);
        wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
        writer.close();
        classify.close();
        db.close();
    }

    @AfterEach
    void noScriptErrorsAndNoPolicyViolations() {
        List<String> problems = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()
                    || e.getMessage().contains("Content Security Policy")) {
                problems.add(e.getMessage());
            }
        }
        assertThat(problems).as("browser console errors").isEmpty();
        assertThat(js("return window.pwned === undefined"))
                .as("no injected script ran")
                .isEqualTo(true);
    }

    private void open(String path) {
        driver.get("http://127.0.0.1:" + server.port() + path);
        wait.until(d -> "complete".equals(js("return document.readyState")));
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText();
    }

    private void screenshot(String name) throws IOException {
        Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void servicesBoardShowsStatesUptimeBarsIncidentsAndMaintenanceInTheDashboardLayout() throws IOException {
        open("/services");
        assertThat(text("header.top nav a.active")).isEqualTo("Services");
        assertThat(text("#services-summary")).isEqualTo("1 of 2 services not operational.");
        WebElement samweb = driver.findElement(By.cssSelector("tr[data-service='samweb']"));
        assertThat(samweb.findElement(By.cssSelector(".svc")).getText()).isEqualTo("major outage");
        assertThat(samweb.getText())
                .as("a reporter's message is text, not HTML")
                .contains(OUTAGE_MESSAGE);
        assertThat(driver.findElements(By.cssSelector("tr[data-service='dcache'] svg.uptime rect")))
                .hasSize(30);
        assertThat(driver.findElements(By.cssSelector("tr[data-service='samweb'] rect.ub-down")))
                .as("today (and yesterday, in the first hour of the day) is a bad day for samweb")
                .hasSize(outageDays);
        assertThat(driver.findElements(By.cssSelector("tr[data-service='dcache'] rect.ub-down")))
                .as("90 minutes degraded two days ago")
                .hasSize(1);
        assertThat(text("#incidents")).contains("samweb").doesNotContain("dcache");
        assertThat(text("#maintenance")).contains("dcache").contains("firmware");
        screenshot("services");
    }

    @Test
    void servicePageShowsItsOutageHistoryAndTheJobsThatFailedDuringIt() throws IOException {
        open("/services");
        driver.findElement(By.linkText("samweb")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/services/samweb"));
        assertThat(text("#service-name")).startsWith("samweb");
        assertThat(text("#outages tbody")).contains("ongoing").contains(OUTAGE_MESSAGE);
        assertThat(text("#impact-summary")).startsWith("1 failed job(s) ran during its 1 outage(s)");
        assertThat(text("#impact")).contains(DashboardSeed.FAILED_JOB);
        assertThat(driver.findElements(By.cssSelector("#bars rect"))).hasSize(30);
        screenshot("service");
        driver.findElement(By.linkText(DashboardSeed.FAILED_JOB)).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/jobs/" + DashboardSeed.FAILED_JOB));
    }

    @Test
    void theAnnouncementIsABannerOnEveryPageAndItsTextStaysText() {
        for (String page : List.of(
                "/",
                "/workflows",
                "/workflows/wf-reco",
                "/jobs",
                "/jobs/" + DashboardSeed.FAILED_JOB,
                "/stats",
                "/failures",
                "/services",
                "/services/samweb")) {
            open(page);
            assertThat(text("#banner")).as(page).contains("WARNING").contains(ANNOUNCEMENT);
        }
    }

    @Test
    void aFailedJobShowsItsDiagnosisAndTheOutageItRanInto() throws IOException {
        open("/jobs/" + DashboardSeed.FAILED_JOB);
        WebElement diagnosis = driver.findElement(By.id("diagnosis"));
        assertThat(diagnosis.findElement(By.cssSelector(".cat")).getText()).isEqualTo("code");
        assertThat(text("#diagnosis-verdict")).contains("code problem").contains("jobscope logs sim-2");
        assertThat(text("#diagnosis-rule")).isNotBlank();
        assertThat(text("#diagnosis-signature")).contains("ValueError");
        assertThat(text("#diagnosis-where")).contains("stderr").contains("line");
        assertThat(text("#diagnosis-excerpt")).contains(DashboardSeed.ERROR_LINE);
        WebElement outage = driver.findElement(By.cssSelector("#correlated-outages tr[data-service='samweb']"));
        assertThat(outage.getText())
                .contains("major outage")
                .contains("ongoing")
                .contains(OUTAGE_MESSAGE);
        screenshot("job-diagnosis");

        open("/jobs/gen-1");
        assertThat(driver.findElements(By.id("diagnosis")))
                .as("a job that succeeded has no diagnosis")
                .isEmpty();
        assertThat(driver.findElements(By.id("job-outages"))).hasSize(1);
    }

    @Test
    void failureListingsShowTheCategoryAndTheFailuresPageGroupsBySignature() throws IOException {
        open("/");
        assertThat(text("#recent-failures")).contains(DashboardSeed.FAILED_JOB);
        assertThat(text("#recent-failures .cat")).isEqualTo("code");
        open("/workflows/wf-reco");
        assertThat(text("#failures .cat")).isEqualTo("code");
        open("/failures");
        assertThat(text("header.top nav a.active")).isEqualTo("Failures");
        assertThat(text("#failures-summary")).startsWith("1 failed job(s)");
        WebElement row = driver.findElement(By.cssSelector("#failure-groups tbody tr"));
        assertThat(row.getText())
                .contains("ValueError")
                .contains("code problem")
                .contains(DashboardSeed.FAILED_JOB);
        screenshot("failures");
    }
}
