-- Access codes of unlisted events (issue 7).
CREATE TABLE event_codes (
    track_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    code     TEXT NOT NULL,
    PRIMARY KEY (track_id, event_id)
);
