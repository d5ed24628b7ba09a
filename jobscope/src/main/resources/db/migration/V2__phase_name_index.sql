-- Per-phase statistics across jobs (jobscope stats --by phase) group job_phase by name.
CREATE INDEX job_phase_name ON job_phase (name, state);
