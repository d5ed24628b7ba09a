-- Summaries behind the dashboard's statistics page and its jobs listings by duration and memory
-- (docs/dashboard.md, "Speed"): per hour and per UTC day, per grouping (app, site, host, cpu_model, hour of
-- day, workflow), the figures the stats page shows; and the jobs with the largest durations and peaks.
-- They are a cache, never the truth: the ingest writer only marks the hours it changed, a background
-- refresher re-summarises marked hours from the jobs, and a query reads the summaries of clean hours and
-- scans the jobs of marked ones. Hours are of sort_time_ms, floored, in UTC.

-- One row per hour that ever held a job. The writer adds 1 to `changes` (and sets `changed_ms`, its clock)
-- in every transaction that changed a job of the hour in a way statistics see, and to `peak_changes` (and
-- `peak_changed_ms`) in one that only raised a job's peak memory (a sample); the refresher sets `summarised`
-- and `peak_summarised` to the values its summaries were made from. The hour is clean for statistics when
-- changes = summarised, for the memory listing when both pairs are equal.
CREATE TABLE job_stats_mark (
    hour_ms         BIGINT PRIMARY KEY,
    changes         BIGINT NOT NULL,
    summarised      BIGINT NOT NULL,
    changed_ms      BIGINT NOT NULL,
    peak_changes    BIGINT NOT NULL,
    peak_summarised BIGINT NOT NULL,
    peak_changed_ms BIGINT NOT NULL
);

-- Figures of the jobs of one hour (sort_time_ms in [hour_ms, hour_ms + 1 h)) by one grouping; k is the
-- group's key as text (NULL for jobs without one). wall_s sums the with_duration jobs that have a duration,
-- cpu_s the with_cpu jobs that have a CPU time; the efficiency sums count only the with_efficiency jobs with
-- both and a duration > 0: eff_cpu_s their CPU seconds, eff_wall_s their wall seconds times cores.
CREATE TABLE job_stats_hour (
    hour_ms         BIGINT NOT NULL,
    grouped_by      TEXT NOT NULL,
    k               TEXT,
    jobs            BIGINT NOT NULL,
    success         BIGINT NOT NULL,
    failed          BIGINT NOT NULL,
    wall_s          DOUBLE PRECISION NOT NULL,
    with_duration   BIGINT NOT NULL,
    cpu_s           DOUBLE PRECISION NOT NULL,
    with_cpu        BIGINT NOT NULL,
    eff_cpu_s       DOUBLE PRECISION NOT NULL,
    eff_wall_s      DOUBLE PRECISION NOT NULL,
    with_efficiency BIGINT NOT NULL
);
CREATE INDEX job_stats_hour_grouping ON job_stats_hour (grouped_by, hour_ms);

-- The same per UTC day: always the sums of the day's job_stats_hour rows as stored (the refresher rewrites
-- the day in the transaction that rewrites any of its hours), so a reader may take a marked hour's stored row
-- back out of its day.
CREATE TABLE job_stats_day (
    day_ms          BIGINT NOT NULL,
    grouped_by      TEXT NOT NULL,
    k               TEXT,
    jobs            BIGINT NOT NULL,
    success         BIGINT NOT NULL,
    failed          BIGINT NOT NULL,
    wall_s          DOUBLE PRECISION NOT NULL,
    with_duration   BIGINT NOT NULL,
    cpu_s           DOUBLE PRECISION NOT NULL,
    with_cpu        BIGINT NOT NULL,
    eff_cpu_s       DOUBLE PRECISION NOT NULL,
    eff_wall_s      DOUBLE PRECISION NOT NULL,
    with_efficiency BIGINT NOT NULL
);
CREATE INDEX job_stats_day_grouping ON job_stats_day (grouped_by, day_ms);

-- For each listing ('longest': duration_s, 'memory': mem_peak_bytes), every job of a clean hour whose value
-- is at least the listing's cutoff, as of the hour's summary. The refresher sets the cutoff so that a few
-- thousand jobs are above it (rebuilding the list from the jobs when it has none, or the list grew or
-- shrank much); a page of a listing takes the top of this list, outside marked hours, and the jobs of
-- marked hours at or above the cutoff.
CREATE TABLE job_stats_top (
    listing         TEXT NOT NULL,
    job_id          TEXT NOT NULL,
    hour_ms         BIGINT NOT NULL,
    value           DOUBLE PRECISION NOT NULL
);
CREATE INDEX job_stats_top_value ON job_stats_top (listing, value, job_id);
CREATE INDEX job_stats_top_hour ON job_stats_top (hour_ms);

CREATE TABLE job_stats_top_cutoff (
    listing         TEXT PRIMARY KEY,
    cutoff          DOUBLE PRECISION NOT NULL
);

-- Jobs already stored: every hour holding one starts out marked, so the refresher summarises it in the
-- background (until then queries scan it). Floored division, as the writer floors (times before 1970 too).
INSERT INTO job_stats_mark (hour_ms, changes, summarised, changed_ms, peak_changes, peak_summarised, peak_changed_ms)
SELECT h, 1, 0, 0, 0, 0, 0 FROM (
    SELECT DISTINCT CASE WHEN sort_time_ms >= 0 THEN (sort_time_ms / 3600000) * 3600000
                         ELSE ((sort_time_ms + 1) / 3600000 - 1) * 3600000 END AS h
      FROM job) hours;
