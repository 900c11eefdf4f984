-- Projections (readmodels.db): tables folded from each track's derived-event log (and the
-- CONTROL events of its raw log). Every row here can be rebuilt by wiping the track's rows
-- and projecting its logs again from seq 0; `proj_cursors` says how far each track got and
-- is written in the same transaction as the rows it covers.

CREATE TABLE proj_cursors (
    track_id    TEXT    PRIMARY KEY,
    derived_seq INTEGER NOT NULL DEFAULT 0,  -- last derived seq folded in
    raw_seq     INTEGER NOT NULL DEFAULT 0,  -- last raw track_seq scanned for CONTROL events
    last_ts_us  INTEGER,                     -- latest event time seen (running flag periods)
    skipped     INTEGER NOT NULL DEFAULT 0   -- rows that could not be decoded, skipped
);

-- Sessions as the engine ran them.
CREATE TABLE proj_sessions (
    track_id               TEXT    NOT NULL,
    session_id             INTEGER NOT NULL,
    name                   TEXT    NOT NULL,
    kind                   TEXT    NOT NULL,
    run                    INTEGER,
    opened_at_us           INTEGER NOT NULL,
    started_at_us          INTEGER,
    ended_at_us            INTEGER,
    end_reason             TEXT,
    resets                 INTEGER NOT NULL DEFAULT 0,
    classification_version INTEGER NOT NULL DEFAULT 0,
    classification_state   TEXT,
    first_seq              INTEGER NOT NULL,
    last_seq               INTEGER NOT NULL,
    PRIMARY KEY (track_id, session_id)
);

-- Live standings: each car's state in a session as its events left it.
CREATE TABLE proj_cars (
    track_id        TEXT    NOT NULL,
    session_id      INTEGER NOT NULL,
    number          TEXT    NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    laps            INTEGER NOT NULL DEFAULT 0,
    lap_adjust      INTEGER NOT NULL DEFAULT 0,
    last_lap_us     INTEGER,
    best_lap_us     INTEGER,
    best_lap_no     INTEGER,
    total_time_us   INTEGER,
    time_penalty_us INTEGER NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL DEFAULT 'running',
    in_pit          INTEGER NOT NULL DEFAULT 0,
    pit_stops       INTEGER NOT NULL DEFAULT 0,
    penalties       INTEGER NOT NULL DEFAULT 0,
    finished_at_us  INTEGER,
    last_seq        INTEGER NOT NULL,
    PRIMARY KEY (track_id, session_id, number)
) WITHOUT ROWID;

-- Every lap of every car. A lap number seen again (after a restart cleared the session)
-- replaces the earlier one and the laps after it.
CREATE TABLE proj_laps (
    track_id      TEXT    NOT NULL,
    session_id    INTEGER NOT NULL,
    number        TEXT    NOT NULL,
    lap           INTEGER NOT NULL,
    lap_time_us   INTEGER,
    total_time_us INTEGER,
    position      INTEGER NOT NULL,
    at_us         INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    PRIMARY KEY (track_id, session_id, number, lap)
) WITHOUT ROWID;
CREATE INDEX proj_laps_by_seq ON proj_laps (track_id, session_id, seq);

-- Every classification version, the document as the engine emitted it.
CREATE TABLE proj_classifications (
    track_id   TEXT    NOT NULL,
    session_id INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    at_us      INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (track_id, session_id, version)
) WITHOUT ROWID;

-- Flag periods of a session, in order. `to_us`/`to_lap` are NULL while the period runs;
-- at the end of a session `to_lap` waits for the final classification's leader.
CREATE TABLE proj_flags (
    track_id   TEXT    NOT NULL,
    session_id INTEGER NOT NULL,
    idx        INTEGER NOT NULL,
    flag       TEXT    NOT NULL,
    from_us    INTEGER NOT NULL,
    to_us      INTEGER,
    from_lap   INTEGER NOT NULL,
    to_lap     INTEGER,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (track_id, session_id, idx)
) WITHOUT ROWID;

-- Competitors as the engine knows them (its entry registry), from `entry_updated`.
CREATE TABLE proj_competitors (
    track_id TEXT    NOT NULL,
    number   TEXT    NOT NULL,
    name     TEXT    NOT NULL,
    class    TEXT,
    at_us    INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    PRIMARY KEY (track_id, number)
) WITHOUT ROWID;

-- Every race-control intent of the raw log (CONTROL events), whoever sent it.
CREATE TABLE proj_control (
    track_id       TEXT    NOT NULL,
    raw_seq        INTEGER NOT NULL,
    event_id       TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    boot_id        TEXT    NOT NULL,
    intent_type    TEXT    NOT NULL,
    intent         TEXT    NOT NULL,
    at_us          INTEGER NOT NULL,
    received_at_us INTEGER,
    PRIMARY KEY (track_id, raw_seq)
) WITHOUT ROWID;
