-- The catalog on PostgreSQL: the same tables as the embedded readmodels.db (0001), with
-- PostgreSQL types. Times are µs since the epoch (UTC).

CREATE TABLE tracks (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    config        TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);

CREATE TABLE events (
    track_id      TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    starts_at_us  BIGINT,
    ends_at_us    BIGINT,
    visibility    TEXT   NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    PRIMARY KEY (track_id, id)
);

CREATE TABLE scheduled_sessions (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    track_id           TEXT   NOT NULL,
    event_id           TEXT   NOT NULL,
    name               TEXT   NOT NULL,
    kind               TEXT,
    scheduled_start_us BIGINT,
    laps               BIGINT,
    duration_us        BIGINT,
    session_id         BIGINT,
    created_at_us      BIGINT NOT NULL,
    updated_at_us      BIGINT NOT NULL
);
CREATE INDEX scheduled_sessions_by_event ON scheduled_sessions (track_id, event_id);

CREATE TABLE entries (
    track_id      TEXT   NOT NULL,
    list          TEXT   NOT NULL,
    number        TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    class         TEXT,
    transponders  TEXT   NOT NULL,
    grid          BIGINT,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    PRIMARY KEY (track_id, list, number)
);

CREATE TABLE control_audit (
    event_id       TEXT   PRIMARY KEY,
    track_id       TEXT   NOT NULL,
    actor          TEXT,
    remote_addr    TEXT,
    user_agent     TEXT,
    via            TEXT   NOT NULL,
    received_at_us BIGINT NOT NULL
);
