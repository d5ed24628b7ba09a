-- Indexes the dashboard's pages need to stay fast on millions of jobs (docs/dashboard.md).
-- Jobs that finished in a window, by status: overview counts, throughput, recent failures (read backwards
-- from now). Deliberately no (status, end_time_ms) twin: SQLite without statistics would prefer it and scan it whole.
CREATE INDEX job_end_status ON job (end_time_ms, status);
-- A workflow's per-app table, success and waste figures, read from the index alone.
CREATE INDEX job_workflow_app ON job (workflow_id, app, duration_s, status, cpu_user_s, cpu_system_s, mem_peak_bytes);
-- Jobs listing: newest first within an app or a workflow; sorted by duration or memory.
CREATE INDEX job_app_time ON job (app, sort_time_ms);
CREATE INDEX job_workflow_time ON job (workflow_id, sort_time_ms, end_time_ms);
CREATE INDEX job_duration ON job (duration_s);
CREATE INDEX job_mem_peak ON job (mem_peak_bytes);
