package io.jobscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real Chromium (Debian's chromium + chromedriver), against a real server over a
 * seeded SQLite store. Every page is saved as a screenshot under target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final Path SHOTS = Path.of("target", "screenshots");

    private Path dir;
    private DashboardServer server;
    private ChromeDriver driver;
    private WebDriverWait wait;
    private final List<String> consoleProblems = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("jobscope-browser");
        server = new DashboardServer(dir, Tokens.none());
        server.ingest(DashboardSeed.events(Instant.now()));
        driver = io.jobscope.testing.Chromium.start(dir.resolve("chrome-profile"), 1440, 1800);
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
    }

    @AfterEach
    void pageLoggedNoScriptOrPolicyErrors() {
        consoleProblems.clear();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()
                    || e.getMessage().contains("Content Security Policy")) {
                consoleProblems.add(e.getMessage());
            }
        }
        assertThat(consoleProblems).as("browser console errors").isEmpty();
    }

    private void open(String path) {
        driver.get(server.url(path));
        wait.until(d -> "complete".equals(js("return document.readyState")));
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void waitForChart(String id) {
        wait.until(d -> "1".equals(d.findElement(By.id(id)).getAttribute("data-loaded")));
    }

    private void screenshot(String name) throws IOException {
        Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    @Test
    @Order(1)
    void overviewShowsTheCountsTheRecentFailureWithItsErrorLineAndTheThroughput() throws IOException {
        open("/");
        assertThat(text("count-running")).isEqualTo(String.valueOf(DashboardSeed.RUNNING));
        assertThat(text("count-pending")).isEqualTo(String.valueOf(DashboardSeed.PENDING));
        assertThat(text("count-success-hour")).isEqualTo(String.valueOf(DashboardSeed.SUCCEEDED));
        assertThat(text("count-failed-hour")).isEqualTo(String.valueOf(DashboardSeed.FAILED));
        WebElement failures = driver.findElement(By.id("recent-failures"));
        assertThat(failures.getText()).contains(DashboardSeed.FAILED_JOB).contains(DashboardSeed.ERROR_LINE);
        waitForChart("throughput-chart");
        // Times are rewritten into the viewer's zone by the static script.
        WebElement time = driver.findElement(By.cssSelector("#recent-failures time"));
        assertThat(time.getAttribute("data-local")).isEqualTo("1");
        assertThat(time.getText()).doesNotContain("T").doesNotEndWith("Z");
        screenshot("overview");
    }

    @Test
    @Order(2)
    void clickingThroughWorkflowsWorkflowAndADagNodeOpensTheJob() throws IOException {
        open("/workflows");
        WebElement row = driver.findElement(By.cssSelector("tr[data-workflow='wf-reco']"));
        assertThat(row.getText()).contains("alice").contains("10");
        screenshot("workflows");
        row.findElement(By.linkText("nightly-reco")).click();
        wait.until(ExpectedConditions.urlContains("/workflows/wf-reco"));
        assertThat(text("wf-jobs")).isEqualTo("10");
        assertThat(text("wf-failed")).isEqualTo("1");
        assertThat(text("wf-success-rate")).isEqualTo("87.5 %");
        WebElement sim = driver.findElement(By.cssSelector("#apps tr[data-app='sim']"));
        assertThat(sim.getText()).contains("3").contains("1").contains("850 MB");
        assertThat(driver.findElement(By.id("failures")).getText()).contains(DashboardSeed.ERROR_LINE);
        waitForChart("timeline-chart");
        waitForChart("resources-chart");
        wait.until(d -> "1".equals(d.findElement(By.id("dag")).getAttribute("data-loaded")));
        screenshot("workflow");

        WebElement dag = driver.findElement(By.id("dag"));
        js("arguments[0].scrollIntoView({block: 'center'})", dag);
        @SuppressWarnings("unchecked")
        List<Number> pos = (List<Number>)
                js("var p = window.jobscope.dag.getElementById('sim-1').renderedPosition(); return [p.x, p.y];");
        int dx = (int) Math.round(pos.get(0).doubleValue() - dag.getSize().getWidth() / 2.0);
        int dy = (int) Math.round(pos.get(1).doubleValue() - dag.getSize().getHeight() / 2.0);
        new Actions(driver).moveToElement(dag, dx, dy).click().perform();
        wait.until(ExpectedConditions.urlContains("/jobs/sim-1"));

        assertThat(text("job-id")).contains("sim-1").contains("success");
        assertThat(driver.findElement(By.id("phase-table")).getText())
                .contains("stage-in")
                .contains("simulate")
                .contains("stage-out");
        assertThat(driver.findElements(By.cssSelector("#phases rect"))).hasSize(3);
        assertThat(driver.findElement(By.id("job-where")).getText())
                .contains("cn02")
                .contains("AMD EPYC 7763");
        waitForChart("samples-chart");
        screenshot("job");
    }

    @Test
    @Order(3)
    void theDagColourSwitchesBetweenAppAndState() {
        open("/workflows/wf-reco");
        wait.until(d -> "1".equals(d.findElement(By.id("dag")).getAttribute("data-loaded")));
        String byApp = (String) js("return window.jobscope.dag.getElementById('sim-2').data('colour')");
        String sibling = (String) js("return window.jobscope.dag.getElementById('sim-1').data('colour')");
        assertThat(byApp).isEqualTo(sibling);

        driver.findElement(By.id("dag-by-state")).click();
        assertThat(driver.findElement(By.id("dag")).getAttribute("data-colour")).isEqualTo("state");
        assertThat(js("return window.jobscope.dag.getElementById('sim-2').data('colour')"))
                .isEqualTo("#c62828");
        assertThat(js("return window.jobscope.dag.getElementById('sim-1').data('colour')"))
                .isEqualTo("#2e7d32");
        assertThat(driver.findElement(By.id("dag-legend")).getText())
                .contains("failed")
                .contains("success");

        driver.findElement(By.id("dag-by-app")).click();
        assertThat(js("return window.jobscope.dag.getElementById('sim-2').data('colour')"))
                .isEqualTo(byApp);
    }

    @Test
    @Order(4)
    void filtersChangeTheUrlAndTheRows() throws IOException {
        open("/jobs");
        assertThat(driver.findElements(By.cssSelector("#jobs tbody tr"))).hasSize(DashboardSeed.TOTAL);

        new Select(driver.findElement(By.id("filter-status"))).selectByValue("failed");
        wait.until(ExpectedConditions.urlContains("status=failed"));
        List<WebElement> rows = driver.findElements(By.cssSelector("#jobs tbody tr"));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getAttribute("data-job")).isEqualTo(DashboardSeed.FAILED_JOB);
        assertThat(driver.getCurrentUrl()).doesNotContain("app=").doesNotContain("host=");

        new Select(driver.findElement(By.id("filter-status"))).selectByValue("");
        wait.until(d -> !d.getCurrentUrl().contains("status="));
        new Select(driver.findElement(By.id("filter-app"))).selectByValue("scan");
        wait.until(ExpectedConditions.urlContains("app=scan"));
        assertThat(driver.findElements(By.cssSelector("#jobs tbody tr"))).hasSize(5);

        driver.findElement(By.id("filter-host")).sendKeys("nowhere");
        driver.findElement(By.id("filter-apply")).click();
        wait.until(ExpectedConditions.urlContains("host=nowhere"));
        assertThat(driver.findElement(By.id("no-jobs")).getText()).contains("No jobs match");

        // The URL alone reproduces the view: a shared link shows the same rows.
        open("/jobs?status=success&sort=longest&workflow=wf-reco");
        rows = driver.findElements(By.cssSelector("#jobs tbody tr"));
        assertThat(rows).hasSize(7);
        assertThat(rows.get(0).getAttribute("data-job")).isEqualTo("sim-3");
        assertThat(new Select(driver.findElement(By.id("filter-sort")))
                        .getFirstSelectedOption()
                        .getText())
                .isEqualTo("longest");
        screenshot("jobs");
    }

    @Test
    @Order(5)
    void aScriptInAJobsLogShowsAsTextAndRunsNothing() throws IOException {
        open("/jobs/" + DashboardSeed.EVIL_JOB);
        WebElement stdout = driver.findElement(By.id("stdout"));
        assertThat(stdout.getText()).contains(DashboardSeed.PAYLOAD);
        assertThat(stdout.findElements(By.tagName("script"))).isEmpty();
        assertThat(stdout.findElements(By.tagName("img"))).isEmpty();
        assertThat(js("return typeof window.pwned")).isEqualTo("undefined");
        screenshot("job-injection");
    }

    @Test
    @Order(6)
    void statsShowFailureRatesAndEfficiencyByAppAndCpuModel() throws IOException {
        open("/stats");
        WebElement sim = driver.findElement(By.cssSelector("#stats tr[data-key='sim']"));
        assertThat(sim.getText()).contains("33.3 %");
        waitForChart("stats-chart");
        screenshot("stats");
        driver.findElement(By.linkText("by CPU model")).click();
        wait.until(ExpectedConditions.urlContains("by=cpu_model"));
        WebElement epyc = driver.findElement(By.cssSelector("#stats tr[data-key='AMD EPYC 7763']"));
        // 55 s of CPU over 2 cores: each job's efficiency depends on its wall, the row is a weighted mean.
        assertThat(epyc.getText()).contains("%");
    }

    @Test
    @Order(7)
    void liveCountsChangeWhenEventsArrive() throws Exception {
        open("/");
        assertThat(text("count-failed-hour")).isEqualTo("1");
        assertThat(text("count-running")).isEqualTo("1");
        Instant now = Instant.now();
        new io.jobscope.client.JobscopeClient(URI.create(server.url("")), null)
                .send(List.of(
                        Event.job(Event.JOB_STARTED, "late-1", now.minusSeconds(30))
                                .put("app", "sim"),
                        Event.job(Event.JOB_FINISHED, "late-1", now)
                                .put("status", "failed")
                                .put("exit_code", 137)
                                .put("stderr_tail", "Killed: out of memory"),
                        Event.job(Event.JOB_STARTED, "late-2", now).put("app", "sim")));
        // htmx swaps the fragment every 3 s: an element found just before a swap goes stale, so look again.
        new WebDriverWait(driver, Duration.ofSeconds(8))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> "2".equals(d.findElement(By.id("count-failed-hour")).getText())
                        && "2".equals(d.findElement(By.id("count-running")).getText()));
        // The failures table is swapped too: read it, and its localised times, in one look that may retry.
        new WebDriverWait(driver, Duration.ofSeconds(8))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> {
                    String failures = d.findElement(By.id("recent-failures")).getText();
                    return failures.contains("late-1")
                            && failures.contains("Killed: out of memory")
                            && "1"
                                    .equals(d.findElement(By.cssSelector("#recent-failures time"))
                                            .getAttribute("data-local"));
                });
    }
}
