//! The rows of the identity store.

use serde::{Deserialize, Serialize};

/// An organisation (club, series): owns tracks and their events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgRecord {
    /// Slug id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Creation time, µs since the epoch.
    pub created_at_us: i64,
}

/// A person who logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// ULID.
    pub id: String,
    /// Lower-cased email, unique.
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Runs the deployment (creates organisations, reads global dead letters).
    pub operator: bool,
    /// Creation time.
    pub created_at_us: i64,
}

/// What a member may do in an organisation, weakest first (the order is the privilege).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything of the organisation, private events included.
    Viewer,
    /// Manages entry lists and schedules.
    TimingOfficial,
    /// Sends race-control intents.
    RaceControl,
    /// Manages tracks, events, members and relay clients; reads the audit log.
    Admin,
    /// Everything an admin does, and appoints owners.
    Owner,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: [Role; 5] = [
        Role::Viewer,
        Role::TimingOfficial,
        Role::RaceControl,
        Role::Admin,
        Role::Owner,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::TimingOfficial => "timing_official",
            Role::RaceControl => "race_control",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// Parses the stored spelling (also accepts `race-control`, `timing-official`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.replace('-', "_");
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// A user's role in an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    /// The organisation.
    pub org_id: String,
    /// The user.
    pub user_id: String,
    /// The role.
    pub role: Role,
}

/// One refresh token (stored as its SHA-256 digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// The login it descends from; revoking it revokes every token of the login.
    pub family_id: String,
    /// Whose it is.
    pub user_id: String,
    /// Issue time.
    pub issued_at_us: i64,
    /// Expiry.
    pub expires_at_us: i64,
}

/// What spending a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Spent; the successor is stored. Carries the spent token.
    Rotated(RefreshRecord),
    /// The token had been spent before: its family is now revoked.
    Reused {
        /// The family revoked.
        family_id: String,
        /// Its user.
        user_id: String,
    },
    /// Unknown, expired, or of a revoked family.
    Invalid,
}

/// A relay's credentials: client id and (hashed) secret, scoped to named tracks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayClientRecord {
    /// Public id (`rc_…`).
    pub client_id: String,
    /// The owning organisation.
    pub org_id: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string of the secret.
    #[serde(skip)]
    pub secret_hash: String,
    /// The tracks it may write to.
    pub tracks: Vec<String>,
    /// Creation time.
    pub created_at_us: i64,
    /// When it was revoked.
    pub revoked_at_us: Option<i64>,
}

/// One audited action: who, what, when, from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Row id (assigned on insert; 0 before).
    pub id: i64,
    /// The organisation it concerns (none for failed logins of unknown users).
    pub org_id: Option<String>,
    /// When.
    pub at_us: i64,
    /// Who (`user:<id>`, `relay:<id>`, an email for a failed login).
    pub actor: Option<String>,
    /// What (`login.failed`, `control.intent`, `relay_client.create`, …).
    pub action: String,
    /// On what (a track, a user, a client id).
    pub target: Option<String>,
    /// From where (peer address).
    pub remote_addr: Option<String>,
    /// Details (never a secret).
    pub detail: Option<String>,
}
