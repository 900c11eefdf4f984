//! Identity storage (issue 7): organisations, users and their roles, refresh-token
//! families, relay clients, which organisation owns each track, and the audit log, behind
//! the small [`IdentityStore`] trait so a PostgreSQL backend can take the SQLite one's
//! place without touching the other store traits.
//!
//! Secrets never reach this layer in clear: passwords and client secrets arrive as argon2id
//! PHC strings, refresh tokens as SHA-256 digests.
//!
//! # Layout
//! - [`records`]: the rows ([`OrgRecord`], [`UserRecord`], [`Role`], [`RelayClientRecord`],
//!   [`RefreshRecord`], [`AuditRecord`], …).
//! - [`IdentityStore`]: the trait; [`IdentityError`]: why a call failed.
//! - [`sqlite`]: [`SqliteIdentity`], its own file `identity.db`.

pub mod records;
pub mod sqlite;

pub use records::{
    AuditRecord, Membership, OrgRecord, RefreshOutcome, RefreshRecord, RelayClientRecord, Role,
    UserRecord,
};
pub use sqlite::SqliteIdentity;

use async_trait::async_trait;

/// Why an identity call failed.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The record already exists.
    #[error("{0}")]
    Conflict(String),
    /// No such record.
    #[error("{0}")]
    NotFound(String),
    /// The backend failed.
    #[error("identity storage failed: {0}")]
    Backend(String),
}

/// Identity storage. Every write is one transaction.
#[async_trait]
pub trait IdentityStore: Send + Sync + 'static {
    /// Adds an organisation; `Conflict` if the id is taken.
    async fn create_org(&self, org: OrgRecord) -> Result<(), IdentityError>;
    /// An organisation by id.
    async fn get_org(&self, id: &str) -> Result<Option<OrgRecord>, IdentityError>;
    /// Every organisation, by id.
    async fn list_orgs(&self) -> Result<Vec<OrgRecord>, IdentityError>;

    /// Adds a user; `Conflict` if the email is taken.
    async fn create_user(&self, user: UserRecord) -> Result<(), IdentityError>;
    /// A user by (lower-cased) email.
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, IdentityError>;
    /// A user by id.
    async fn get_user(&self, id: &str) -> Result<Option<UserRecord>, IdentityError>;

    /// Gives `user` `role` in `org` (replacing a previous role).
    async fn set_membership(&self, org: &str, user: &str, role: Role) -> Result<(), IdentityError>;
    /// Removes a membership; `NotFound` if absent.
    async fn remove_membership(&self, org: &str, user: &str) -> Result<(), IdentityError>;
    /// Every membership of a user.
    async fn memberships_of(&self, user: &str) -> Result<Vec<Membership>, IdentityError>;
    /// Every member of an organisation, with their email.
    async fn members(&self, org: &str) -> Result<Vec<(Membership, String)>, IdentityError>;

    /// Starts a refresh family with its first token.
    async fn start_refresh_family(&self, token: RefreshRecord) -> Result<(), IdentityError>;
    /// Spends a refresh token and stores its successor in the same family, in one
    /// transaction. A token already spent revokes its whole family (reuse means theft).
    async fn rotate_refresh(
        &self,
        token_hash: &str,
        next: RefreshRecord,
        now_us: i64,
    ) -> Result<RefreshOutcome, IdentityError>;
    /// Revokes a family (logout); idempotent.
    async fn revoke_family(&self, family: &str, now_us: i64) -> Result<(), IdentityError>;
    /// Whether a family is revoked (unknown families count as revoked).
    async fn family_revoked(&self, family: &str) -> Result<bool, IdentityError>;

    /// Adds a relay client; `Conflict` if the id is taken.
    async fn create_relay_client(&self, client: RelayClientRecord) -> Result<(), IdentityError>;
    /// A relay client by id (revoked ones too).
    async fn get_relay_client(&self, id: &str) -> Result<Option<RelayClientRecord>, IdentityError>;
    /// The relay clients of an organisation.
    async fn relay_clients(&self, org: &str) -> Result<Vec<RelayClientRecord>, IdentityError>;
    /// Revokes a relay client of `org`; `NotFound` if it has none by that id.
    async fn revoke_relay_client(
        &self,
        org: &str,
        id: &str,
        now_us: i64,
    ) -> Result<(), IdentityError>;

    /// Records that `org` owns `track` (replacing a previous owner).
    async fn set_track_owner(&self, track: &str, org: &str) -> Result<(), IdentityError>;
    /// The organisation owning a track.
    async fn track_owner(&self, track: &str) -> Result<Option<String>, IdentityError>;

    /// Sets the access code of an unlisted event.
    async fn set_event_code(
        &self,
        track: &str,
        event: &str,
        code: &str,
    ) -> Result<(), IdentityError>;
    /// The access code of an unlisted event.
    async fn event_code(&self, track: &str, event: &str) -> Result<Option<String>, IdentityError>;

    /// Appends to the audit log.
    async fn audit(&self, record: AuditRecord) -> Result<(), IdentityError>;
    /// An organisation's audit log after row `after`, oldest first.
    async fn read_audit(
        &self,
        org: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, IdentityError>;
}
