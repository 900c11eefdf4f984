-- Organisations, users, memberships, refresh-token families, relay clients, track
-- ownership, event access codes and the audit log (issue 7).
CREATE TABLE orgs (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    created_at_us INTEGER NOT NULL
);
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    operator      INTEGER NOT NULL DEFAULT 0,
    created_at_us INTEGER NOT NULL
);
CREATE TABLE memberships (
    org_id  TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role    TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
CREATE TABLE refresh_tokens (
    token_hash    TEXT PRIMARY KEY,
    family_id     TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    issued_at_us  INTEGER NOT NULL,
    expires_at_us INTEGER NOT NULL,
    used_at_us    INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE TABLE refresh_families (
    family_id     TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    revoked_at_us INTEGER
);
CREATE TABLE relay_clients (
    client_id     TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    tracks        TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    revoked_at_us INTEGER
);
CREATE INDEX relay_clients_org ON relay_clients (org_id);
CREATE TABLE track_owners (
    track_id TEXT PRIMARY KEY,
    org_id   TEXT NOT NULL
);
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      TEXT,
    at_us       INTEGER NOT NULL,
    actor       TEXT,
    action      TEXT NOT NULL,
    target      TEXT,
    remote_addr TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);
