-- The embedded event log (events.db). One writer thread appends; readers use WAL snapshots.

-- Raw envelopes per track in arrival order. `envelope` is the posted JSON without
-- `ingested_at_us` (kept as a column so it is written once and stamped on read).
CREATE TABLE raw_events (
    id             INTEGER PRIMARY KEY,
    track_id       TEXT    NOT NULL,
    track_seq      INTEGER NOT NULL,
    idem_key       TEXT    NOT NULL,
    ingested_at_us INTEGER NOT NULL,
    envelope       TEXT    NOT NULL
);
CREATE UNIQUE INDEX raw_events_by_track ON raw_events (track_id, track_seq);
CREATE UNIQUE INDEX raw_events_by_key ON raw_events (idem_key);

-- Per-track high-water marks, so sequences never restart after retention deletes rows.
CREATE TABLE track_heads (
    track_id            TEXT    PRIMARY KEY,
    last_raw_seq        INTEGER NOT NULL DEFAULT 0,
    last_ingested_at_us INTEGER NOT NULL DEFAULT 0,
    last_derived_seq    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The engine's output per track, in the engine's seq order.
CREATE TABLE derived_events (
    id         INTEGER PRIMARY KEY,
    track_id   TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    ts_us      INTEGER NOT NULL,
    session_id TEXT,
    kind       TEXT    NOT NULL,
    body       TEXT    NOT NULL
);
CREATE UNIQUE INDEX derived_events_by_track ON derived_events (track_id, seq);

-- Engine state keyframes, one per (track, raw_seq).
CREATE TABLE snapshots (
    track_id    TEXT    NOT NULL,
    raw_seq     INTEGER NOT NULL,
    derived_seq INTEGER NOT NULL,
    ts_us       INTEGER NOT NULL,
    body        BLOB    NOT NULL,
    PRIMARY KEY (track_id, raw_seq)
);
CREATE INDEX snapshots_by_derived ON snapshots (track_id, derived_seq);

-- Refused input with its reason. AUTOINCREMENT so ids are never reused after retention.
CREATE TABLE dead_letters (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    source         TEXT    NOT NULL,
    track_id       TEXT,
    reason         TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    received_at_us INTEGER NOT NULL
);
CREATE INDEX dead_letters_by_track ON dead_letters (track_id, id);
