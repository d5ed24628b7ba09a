package io.jobscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServicesApi.StatusUpdate;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The services board and service page in a real headless Chromium, under a strict CSP. */
class ServicesDashboardBrowserTest {
    @TempDir
    Path tmp;

    WebDriver driver;

    @BeforeEach
    void browser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromedriver")), "chromedriver is not installed");
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions o = new ChromeOptions();
        o.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chrome")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(o);
    }

    @AfterEach
    void quit() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void boardShowsStatesIncidentsMaintenanceAndBannerAndServicePageShowsHistory() {
        try (Database db = Stores.sqlite(tmp);
                EventWriter writer = new EventWriter(db)) {
            ServiceBoard board = new ServiceBoard(db, Clock.systemUTC());
            Instant now = Instant.now();
            board.set(
                    "samweb",
                    new StatusUpdate("major_outage", "<b>db</b> refused", "ops", now.minusSeconds(3600), null));
            board.set("dcache", new StatusUpdate("operational", null, "ops", now.minusSeconds(7200), null));
            board.set("dcache", new StatusUpdate("degraded", "slow pool", "ops", now.minusSeconds(5400), null));
            board.set("dcache", new StatusUpdate("operational", "fixed", "ops", now.minusSeconds(5000), null));
            board.addMaintenance(
                    List.of("dcache"),
                    now.plus(Duration.ofDays(1)),
                    now.plus(Duration.ofDays(1).plusHours(4)),
                    "firmware");
            board.announce("Upgrade tonight", "warning", null);
            try (ApiServer server = new ApiServer(
                            ApiServer.Config.loopback(0),
                            new JobService(db),
                            new Ingestor(writer),
                            Clock.systemUTC(),
                            board,
                            null)
                    .start()) {
                String base = "http://127.0.0.1:" + server.port();
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));

                driver.get(base + "/services");
                wait.until(d ->
                        d.findElements(By.cssSelector("#services tbody tr")).size() == 2);
                WebElement samweb = driver.findElement(By.cssSelector("tr[data-service='samweb']"));
                assertThat(samweb.findElement(By.cssSelector(".state")).getText())
                        .isEqualTo("major_outage");
                assertThat(samweb.getText()).as("messages are text, not HTML").contains("<b>db</b> refused");
                wait.until(d -> d.findElements(By.cssSelector("tr[data-service='dcache'] .bar"))
                                .size()
                        == 30);
                assertThat(driver.findElement(By.id("incidents")).getText()).contains("samweb");
                assertThat(driver.findElement(By.id("maintenance")).getText())
                        .contains("dcache")
                        .contains("firmware");
                wait.until(d -> d.findElement(By.id("banner")).isDisplayed());
                assertThat(driver.findElement(By.id("banner")).getText()).contains("Upgrade tonight");

                samweb.findElement(By.linkText("samweb")).click();
                wait.until(d -> d.findElement(By.id("name")).getText().equals("samweb")
                        && !d.findElements(By.cssSelector("#outages tbody tr")).isEmpty()
                        && !d.findElement(By.id("impact-summary")).getText().isEmpty());
                assertThat(driver.findElement(By.cssSelector("#outages tbody")).getText())
                        .contains("ongoing")
                        .contains("<b>db</b> refused");
                assertThat(driver.findElement(By.id("impact-summary")).getText())
                        .contains("0 failed job(s)");

                List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                        .filter(e -> !e.getMessage().contains("favicon.ico"))
                        .toList();
                assertThat(errors).as("no script errors and no CSP violations").isEmpty();
            }
        }
    }
}
