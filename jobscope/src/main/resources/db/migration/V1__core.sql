-- jobscope core schema. Portable between SQLite and PostgreSQL: times are BIGINT milliseconds since
-- the Unix epoch (UTC), JSON is TEXT, durations and CPU are seconds (DOUBLE PRECISION), memory and I/O bytes.
-- docs/schema.md describes every column.

CREATE TABLE workflow (
    id              TEXT PRIMARY KEY,
    name            TEXT,
    user_name       TEXT,
    status          TEXT NOT NULL,
    status_time_ms  BIGINT,
    start_time_ms   BIGINT,
    end_time_ms     BIGINT,
    attributes      TEXT,
    updated_ms      BIGINT NOT NULL
);
CREATE INDEX workflow_start ON workflow (start_time_ms);

CREATE TABLE job (
    id              TEXT PRIMARY KEY,
    workflow_id     TEXT,
    app             TEXT,
    script          TEXT,
    params          TEXT,
    status          TEXT NOT NULL,
    status_time_ms  BIGINT,
    exit_code       INTEGER,
    signal          INTEGER,
    submit_time_ms  BIGINT,
    start_time_ms   BIGINT,
    end_time_ms     BIGINT,
    sort_time_ms    BIGINT NOT NULL,
    duration_s      DOUBLE PRECISION,
    cpu_user_s      DOUBLE PRECISION,
    cpu_system_s    DOUBLE PRECISION,
    mem_peak_bytes  BIGINT,
    read_bytes      BIGINT,
    write_bytes     BIGINT,
    host            TEXT,
    site            TEXT,
    client          TEXT,
    error           TEXT,
    held_reason     TEXT,
    depends_on      TEXT,
    attributes      TEXT,
    updated_ms      BIGINT NOT NULL
);
CREATE INDEX job_sort ON job (sort_time_ms, id);
CREATE INDEX job_status ON job (status, sort_time_ms, duration_s, cpu_user_s, cpu_system_s);
CREATE INDEX job_app ON job (app, status, duration_s, cpu_user_s, cpu_system_s);
CREATE INDEX job_workflow ON job (workflow_id, status);

CREATE TABLE job_event (
    id              TEXT PRIMARY KEY,
    type            TEXT NOT NULL,
    time_ms         BIGINT NOT NULL,
    job_id          TEXT,
    workflow_id     TEXT,
    payload         TEXT NOT NULL,
    received_ms     BIGINT NOT NULL
);
CREATE INDEX job_event_job ON job_event (job_id, time_ms);

CREATE TABLE job_phase (
    job_id          TEXT NOT NULL,
    name            TEXT NOT NULL,
    state           TEXT NOT NULL,
    state_time_ms   BIGINT,
    start_time_ms   BIGINT,
    end_time_ms     BIGINT,
    wall_s          DOUBLE PRECISION,
    cpu_s           DOUBLE PRECISION,
    PRIMARY KEY (job_id, name)
);

CREATE TABLE resource_sample (
    job_id          TEXT NOT NULL,
    time_ms         BIGINT NOT NULL,
    cpu_percent     DOUBLE PRECISION,
    rss_bytes       BIGINT,
    threads         INTEGER,
    processes       INTEGER,
    read_bytes      BIGINT,
    write_bytes     BIGINT,
    extra           TEXT,
    PRIMARY KEY (job_id, time_ms)
);

CREATE TABLE job_log (
    job_id          TEXT NOT NULL,
    stream          TEXT NOT NULL,
    tail            TEXT NOT NULL,
    PRIMARY KEY (job_id, stream)
);
