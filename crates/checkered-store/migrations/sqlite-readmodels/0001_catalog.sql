-- The catalog (readmodels.db): what officials define through the REST API. Unlike the
-- projections (0002), these rows are primary data: nothing rebuilds them from the log.

-- Tracks: client-chosen slug, display name, the engine's TrackConfig as JSON.
-- IF NOT EXISTS: files written before migrations were numbered already hold this table.
CREATE TABLE IF NOT EXISTS tracks (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    config        TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
);

-- Events (meetings) at a track. Times are µs since the epoch (UTC), like every time the
-- API serves; `visibility` is kept for the authorisation issue (public | private).
CREATE TABLE events (
    track_id      TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    starts_at_us  INTEGER,
    ends_at_us    INTEGER,
    visibility    TEXT    NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    PRIMARY KEY (track_id, id)
);

-- The schedule of an event: planned sessions. `session_id` optionally links a planned
-- session to the engine session that ran it.
CREATE TABLE scheduled_sessions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    track_id           TEXT    NOT NULL,
    event_id           TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    kind               TEXT,
    scheduled_start_us INTEGER,
    laps               INTEGER,
    duration_us        INTEGER,
    session_id         INTEGER,
    created_at_us      INTEGER NOT NULL,
    updated_at_us      INTEGER NOT NULL
);
CREATE INDEX scheduled_sessions_by_event ON scheduled_sessions (track_id, event_id);

-- Entry lists: `list` is '' for the track's own list, else the id of one of its events.
-- `transponders` is a JSON array of strings; a transponder is on at most one entry of a list
-- (checked by the writer, inside the same transaction).
CREATE TABLE entries (
    track_id      TEXT    NOT NULL,
    list          TEXT    NOT NULL,
    number        TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    class         TEXT,
    transponders  TEXT    NOT NULL,
    grid          INTEGER,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    PRIMARY KEY (track_id, list, number)
) WITHOUT ROWID;

-- Who submitted a race-control intent and from where, keyed by the raw event's event_id
-- (written before the intent is appended to the log, so no logged intent lacks it). The
-- control-log projection joins it at read time.
CREATE TABLE control_audit (
    event_id       TEXT    PRIMARY KEY,
    track_id       TEXT    NOT NULL,
    actor          TEXT,
    remote_addr    TEXT,
    user_agent     TEXT,
    via            TEXT    NOT NULL,
    received_at_us INTEGER NOT NULL
) WITHOUT ROWID;
