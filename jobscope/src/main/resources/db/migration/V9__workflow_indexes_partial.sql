-- The two workflow indexes serve only queries that name a workflow (`workflow_id = ?` or `IN (...)`), which
-- imply `workflow_id IS NOT NULL`: jobs outside any workflow (imported histories, single submissions) need
-- no entry. Without them an import writes two index entries fewer per job, one of them at a random place
-- (job_workflow_app orders such jobs by app and duration).
DROP INDEX job_workflow_app;
CREATE INDEX job_workflow_app ON job (workflow_id, app, duration_s, status, cpu_user_s, cpu_system_s, mem_peak_bytes)
    WHERE workflow_id IS NOT NULL;
DROP INDEX job_workflow_time;
CREATE INDEX job_workflow_time ON job (workflow_id, sort_time_ms, end_time_ms) WHERE workflow_id IS NOT NULL;
