-- Services board (issue 7): services, the status reports that feed them, maintenance windows,
-- announcements. Times are BIGINT epoch milliseconds (UTC). docs/services.md describes every column.

CREATE TABLE service (
    name                    TEXT PRIMARY KEY,
    group_name              TEXT,
    description             TEXT,
    url                     TEXT,
    heartbeat_token_sha256  TEXT,
    heartbeat_timeout_s     BIGINT,
    heartbeat_timeout_state TEXT,
    last_heartbeat_ms       BIGINT,
    created_ms              BIGINT NOT NULL,
    updated_ms              BIGINT NOT NULL
);
CREATE UNIQUE INDEX service_heartbeat_token ON service (heartbeat_token_sha256);

-- Which apps and workflows need a service (kind is 'app' or 'workflow').
CREATE TABLE service_requirement (
    service         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    PRIMARY KEY (service, kind, name)
);
CREATE INDEX service_requirement_name ON service_requirement (kind, name);

-- Every status report, append-only; the id makes redelivery harmless. A signal is one voice about a
-- service (a source such as 'api', one Alertmanager alert fingerprint, the heartbeat).
CREATE TABLE service_status_event (
    id              TEXT PRIMARY KEY,
    service         TEXT NOT NULL,
    signal          TEXT NOT NULL,
    time_ms         BIGINT NOT NULL,
    state           TEXT NOT NULL,
    message         TEXT,
    source          TEXT NOT NULL,
    received_ms     BIGINT NOT NULL
);
CREATE INDEX service_status_event_service ON service_status_event (service, time_ms);

-- The newest report of each signal (an older report never replaces a newer one).
CREATE TABLE service_signal (
    service         TEXT NOT NULL,
    signal          TEXT NOT NULL,
    state           TEXT NOT NULL,
    message         TEXT,
    source          TEXT NOT NULL,
    time_ms         BIGINT NOT NULL,
    PRIMARY KEY (service, signal)
);

CREATE TABLE maintenance (
    id              TEXT PRIMARY KEY,
    reason          TEXT,
    start_ms        BIGINT NOT NULL,
    end_ms          BIGINT NOT NULL,
    created_ms      BIGINT NOT NULL,
    cancelled_ms    BIGINT
);
CREATE INDEX maintenance_time ON maintenance (end_ms, start_ms);

CREATE TABLE maintenance_service (
    maintenance_id  TEXT NOT NULL,
    service         TEXT NOT NULL,
    PRIMARY KEY (maintenance_id, service)
);
CREATE INDEX maintenance_service_service ON maintenance_service (service);

CREATE TABLE announcement (
    id              TEXT PRIMARY KEY,
    text            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    until_ms        BIGINT,
    expired_ms      BIGINT
);
