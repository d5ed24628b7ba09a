-- Failure diagnosis (docs/diagnose.md): one classification per failed job, re-made when the rules change,
-- and the benchmark results of imported srtctl runs, one row per concurrency.

CREATE TABLE job_diagnosis (
    job_id          TEXT PRIMARY KEY,
    category        TEXT NOT NULL,
    rule            TEXT,
    title           TEXT,
    service         TEXT,
    signature       TEXT NOT NULL,
    stream          TEXT,
    line_no         BIGINT,
    excerpt         TEXT,
    retryable       INTEGER NOT NULL,
    hint            TEXT,
    rules_version   TEXT NOT NULL,
    classified_ms   BIGINT NOT NULL
);
CREATE INDEX job_diagnosis_signature ON job_diagnosis (signature);

CREATE TABLE benchmark_result (
    job_id              TEXT NOT NULL,
    concurrency         INTEGER NOT NULL,
    completed           BIGINT,
    failed              BIGINT,
    duration_s          DOUBLE PRECISION,
    input_tokens        BIGINT,
    output_tokens       BIGINT,
    request_throughput  DOUBLE PRECISION,
    output_throughput   DOUBLE PRECISION,
    total_throughput    DOUBLE PRECISION,
    mean_ttft_ms        DOUBLE PRECISION,
    median_ttft_ms      DOUBLE PRECISION,
    p99_ttft_ms         DOUBLE PRECISION,
    mean_tpot_ms        DOUBLE PRECISION,
    median_tpot_ms      DOUBLE PRECISION,
    p99_tpot_ms         DOUBLE PRECISION,
    mean_itl_ms         DOUBLE PRECISION,
    median_itl_ms       DOUBLE PRECISION,
    p99_itl_ms          DOUBLE PRECISION,
    mean_e2el_ms        DOUBLE PRECISION,
    median_e2el_ms      DOUBLE PRECISION,
    p99_e2el_ms         DOUBLE PRECISION,
    PRIMARY KEY (job_id, concurrency)
);
