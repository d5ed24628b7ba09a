package io.jobscope.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the services board answers, the same in-process ({@link ServiceBoard}) and over HTTP
 * ({@link ServicesClient}); the CLI and the dashboard are faces over it.
 */
public interface ServicesApi {
    List<ServiceView> list();

    /** One service with its outages since {@code since} (null: 30 days ago), newest first. */
    ServiceHistory history(String name, Instant since);

    /** Records a status report about {@code name}, registering the service when it is new. */
    Applied set(String name, StatusUpdate update);

    Maintenance addMaintenance(List<String> services, Instant start, Instant end, String reason);

    /** Maintenance windows not yet over (all, cancelled and past included, when {@code all}). */
    List<Maintenance> maintenance(boolean all);

    Maintenance cancelMaintenance(String id);

    /**
     * Whether the required services (or, when {@code require} is empty, those the app or workflow requires) are
     * operational with no maintenance scheduled during [at, at + duration].
     */
    PreflightReport preflight(List<String> require, String app, String workflow, Instant at, Duration duration);

    Announcement announce(String text, String severity, Instant until);

    /** Announcements in effect (all, expired included, when {@code all}), newest first. */
    List<Announcement> announcements(boolean all);

    Announcement expireAnnouncement(String id);

    /** The failed jobs that ran during the outages of {@code name} since {@code since}, and what they cost. */
    Impact impact(String name, Instant since, int limit);

    /** The services that were not operational at some time during the run of a job. */
    Correlation correlate(String jobId);

    /**
     * A new heartbeat push token for {@code name} (replacing any earlier one) and its timeout; a null timeout or
     * timeout state keeps the service's own (from a services file, say), else 5 minutes and {@code unknown}.
     */
    Heartbeat heartbeat(String name, Duration timeout, ServiceState onTimeout);

    /** A service's description and what requires it. */
    record ServiceInfo(
            String name, String group, String description, String url, List<String> apps, List<String> workflows) {
        public ServiceInfo {
            ServiceBoard.checkName(name);
            apps = apps == null ? List.of() : List.copyOf(apps);
            workflows = workflows == null ? List.of() : List.copyOf(workflows);
        }
    }

    /** The board's row for one service. */
    record ServiceView(
            String name,
            String group,
            String description,
            String url,
            ServiceState state,
            Instant since,
            String message,
            Instant lastReport,
            List<String> apps,
            List<String> workflows,
            Map<String, Double> uptimePercent,
            @JsonInclude(JsonInclude.Include.NON_NULL) HeartbeatSettings heartbeat,
            List<Maintenance> maintenance) {}

    /** A heartbeat's timeout, the state a silent service takes, and the last push. */
    record HeartbeatSettings(long timeoutS, ServiceState onTimeout, Instant lastPush) {}

    /** A service, its outages newest first, and its uptime over 24 h, 7 d and 30 d. */
    record ServiceHistory(ServiceView service, Instant since, List<Outage> outages) {}

    /** A status report as the API takes it; time defaults to now, source to "api". */
    record StatusUpdate(String state, String message, String source, Instant time, String id) {}

    /** What a report did: stored or a duplicate, and whether it is newer than what the signal said before. */
    record Applied(String service, ServiceState state, boolean duplicate, boolean stale) {}

    /** A maintenance window. */
    record Maintenance(
            String id,
            List<String> services,
            Instant start,
            Instant end,
            String reason,
            Instant created,
            @JsonInclude(JsonInclude.Include.NON_NULL) Instant cancelled) {}

    /** A message to the team. */
    record Announcement(
            String id,
            String text,
            String severity,
            Instant created,
            Instant until,
            @JsonInclude(JsonInclude.Include.NON_NULL) Instant expired) {}

    /** Preflight's verdict, per service and overall, with the problems in words. */
    record PreflightReport(
            boolean ready,
            Instant at,
            Instant until,
            List<PreflightService> services,
            List<String> problems,
            List<Announcement> announcements) {}

    /** One required service in a preflight. */
    record PreflightService(
            String name,
            ServiceState state,
            Instant since,
            String message,
            List<Maintenance> maintenance,
            boolean ok) {}

    /** The cost of a service's outages: failed jobs that were running during them. */
    record Impact(
            String service,
            Instant since,
            int outages,
            int failedJobs,
            int failedJobsRequiringIt,
            double cpuHoursWasted,
            double wallHoursWasted,
            List<ImpactedJob> jobs) {}

    /** A failed job that ran during an outage. */
    record ImpactedJob(
            String id,
            String app,
            String workflow,
            String status,
            Instant start,
            Instant end,
            double cpuHours,
            double wallHours,
            boolean requiresService) {}

    /** The outages during one job's run, and the services its app or workflow requires. */
    record Correlation(String job, Instant start, Instant end, List<String> requiredServices, List<Outage> outages) {}

    /** A heartbeat push path, shown once. */
    record Heartbeat(String service, String token, String path, long timeoutS, ServiceState onTimeout) {}
}
