-- Hourly totals of jobs by app, site and status, kept exact by the ingest writer in the same transaction
-- as the job rows (each changed job: minus its old contribution, plus its new). `jobscope stats` (and
-- `--by app|site|status`) read these few rows instead of scanning millions of jobs, which lets the wide
-- covering indexes that served statistics go.
CREATE TABLE job_rollup (
    hour_ms         BIGINT NOT NULL,
    app             TEXT NOT NULL,
    site            TEXT NOT NULL,
    status          TEXT NOT NULL,
    jobs            BIGINT NOT NULL,
    cpu_s           DOUBLE PRECISION NOT NULL,
    duration_s      DOUBLE PRECISION NOT NULL,
    with_duration   BIGINT NOT NULL,
    PRIMARY KEY (hour_ms, app, site, status)
);

INSERT INTO job_rollup (hour_ms, app, site, status, jobs, cpu_s, duration_s, with_duration)
SELECT (sort_time_ms / 3600000) * 3600000, COALESCE(app, ''), COALESCE(site, ''), status, COUNT(*),
       SUM(COALESCE(cpu_user_s, 0) + COALESCE(cpu_system_s, 0)), SUM(COALESCE(duration_s, 0)), COUNT(duration_s)
  FROM job
 GROUP BY (sort_time_ms / 3600000) * 3600000, COALESCE(app, ''), COALESCE(site, ''), status;

-- Statistics no longer scan these; listings need only the narrow forms (job_app_time exists already).
DROP INDEX job_status;
DROP INDEX job_app;
DROP INDEX job_workflow;
CREATE INDEX job_status_time ON job (status, sort_time_ms);
-- Indexes in random order (by duration, by memory) cost every ingest transaction a page per job written;
-- sorting a listing by duration or memory sorts the matching jobs instead.
DROP INDEX job_duration;
DROP INDEX job_mem_peak;
