-- The embedded event log (events.db). One writer thread appends; readers use WAL snapshots.
--
-- The raw log is the hot path (>= 200k durable events/s), so each raw event costs exactly
-- one b-tree insert: its rowid encodes (track_no, track_seq), which orders a track's events
-- without a second index, and duplicates are detected through `raw_runs` (one row per run
-- of consecutive relay seqs) instead of a per-event unique index.

-- One row per track: a small number used in raw ids, and the high-water marks, so sequences
-- never restart after retention deletes rows. `runs_through_seq`: every raw event of the
-- track up to this track_seq is in `raw_runs`; later ones are found again from `raw_events`
-- (which holds source_no and seq) when the writer loads the track.
CREATE TABLE log_tracks (
    track_no            INTEGER PRIMARY KEY,
    track_id            TEXT    NOT NULL UNIQUE,
    last_raw_seq        INTEGER NOT NULL DEFAULT 0,
    last_ingested_at_us INTEGER NOT NULL DEFAULT 0,
    last_derived_seq    INTEGER NOT NULL DEFAULT 0,
    runs_through_seq    INTEGER NOT NULL DEFAULT 0
);

-- One row per relay boot on a track: the idempotency key `{track}:{client}:{boot}:{seq}`
-- without its seq. `max_seq` is the highest relay seq covered by `raw_runs` (the writer keeps
-- the live value), so in-order input (the normal case) is known to be new without a lookup.
CREATE TABLE log_sources (
    source_no INTEGER PRIMARY KEY,
    track_no  INTEGER NOT NULL,
    client_id TEXT    NOT NULL,
    boot_id   TEXT    NOT NULL,
    max_seq   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (track_no, client_id, boot_id)
);

-- Raw envelopes. id = (track_no << 40) | track_seq. `envelope` is the posted JSON without
-- the fields kept in columns or in log_tracks/log_sources (track_id, client_id, boot_id, seq,
-- ingested_at_us); reads put them back.
CREATE TABLE raw_events (
    id             INTEGER PRIMARY KEY,
    source_no      INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    ingested_at_us INTEGER NOT NULL,
    envelope       TEXT    NOT NULL
);

-- The dedupe index: up to 128 relay seqs of one source, ascending, each with the raw id it
-- was stored as (`entries`: pairs of little-endian u64 seq and i64 id). Every (source, seq)
-- is in at most one run, so this table (with the events after `runs_through_seq`) is the
-- idempotency key's uniqueness. The writer writes runs every few thousand events of a
-- track, not every commit, so a commit of a few events dirties only a few pages.
CREATE TABLE raw_runs (
    source_no INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    last_id   INTEGER NOT NULL,
    entries   BLOB    NOT NULL,
    PRIMARY KEY (source_no, first_seq)
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
