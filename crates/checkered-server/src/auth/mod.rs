//! Identity and authorisation (issue 7): organisations own tracks and their events; users
//! hold roles in organisations; relays hold client credentials scoped to named tracks.
//! Every request passes one middleware ([`enforce::enforce`]) that looks its route up in
//! the policy table ([`policy`]) and decides.
//!
//! # Layout
//! - [`Auth`]: the handle in [`crate::state::AppState`]: the store, the signing key, the
//!   lifetimes and costs. [`Principal`]: who a request is from.
//! - [`secrets`]: random tokens, digests, argon2id, the key file.
//! - [`token`]: signing and verifying access tokens.
//! - [`limit`]: rate limits per address and per relay client.
//! - [`oidc`]: tokens of external OIDC issuers, checked against their JWKS.
//! - [`policy`]: the table of rules; [`enforce`]: the middleware applying it.
//! - [`routes`]: login, refresh, logout, client credentials.
//! - [`orgs`]: organisations, members, relay clients, the audit log.
//! - [`access`]: access codes of unlisted events, filtered event lists.
//! - [`bootstrap`]: the first organisation and owner, relay clients (CLI and demo).

pub mod access;
pub mod bootstrap;
pub mod enforce;
pub mod limit;
pub mod oidc;
pub mod orgs;
pub mod policy;
pub mod routes;
pub mod secrets;
pub mod token;

use checkered_store::identity::{AuditRecord, IdentityStore, Membership, Role};
use std::sync::Arc;

/// Identity settings and storage, shared by every handler.
pub struct Auth {
    /// `false` (`auth = "off"`): single-user embedded mode, every route open.
    pub enabled: bool,
    /// Organisations, users, tokens, relay clients, audit.
    pub store: Arc<dyn IdentityStore>,
    /// Signs and verifies access tokens.
    pub keys: token::Keys,
    /// Access-token lifetime, seconds.
    pub access_ttl_s: i64,
    /// Refresh-token lifetime, seconds.
    pub refresh_ttl_s: i64,
    /// argon2id cost for passwords and client secrets.
    pub cost: secrets::Cost,
    /// The static relay token of the configuration, if any (all tracks).
    pub static_ingest: Option<String>,
    /// Rate limits.
    pub limits: limit::Limits,
    /// External OIDC issuers.
    pub oidc: oidc::Oidc,
}

/// Who a request comes from, as the middleware established it (a request extension).
#[derive(Debug, Clone)]
pub enum Principal {
    /// No credentials.
    Anonymous,
    /// Authorisation is off: everything is allowed.
    Unrestricted,
    /// A signed-in user.
    User(UserPrincipal),
    /// A relay client.
    Relay(RelayPrincipal),
    /// The static ingest token of the configuration (every track).
    StaticRelay,
}

/// A signed-in user and their roles.
#[derive(Debug, Clone)]
pub struct UserPrincipal {
    /// User id.
    pub id: String,
    /// Runs the deployment.
    pub operator: bool,
    /// The login's refresh family.
    pub family: Option<String>,
    /// Roles per organisation.
    pub memberships: Vec<Membership>,
}

/// A relay client.
#[derive(Debug, Clone)]
pub struct RelayPrincipal {
    /// Client id.
    pub client_id: String,
    /// Owning organisation.
    pub org_id: String,
    /// Tracks it may write.
    pub tracks: Vec<String>,
}

impl Principal {
    /// The role held in `org` (an operator counts as owner everywhere).
    pub fn role_in(&self, org: &str) -> Option<Role> {
        match self {
            Principal::Unrestricted => Some(Role::Owner),
            Principal::User(u) if u.operator => Some(Role::Owner),
            Principal::User(u) => u
                .memberships
                .iter()
                .find(|m| m.org_id == org)
                .map(|m| m.role),
            _ => None,
        }
    }

    /// Whether it may write raw events for `track`.
    pub fn may_ingest(&self, track: &str) -> bool {
        match self {
            Principal::Unrestricted | Principal::StaticRelay => true,
            Principal::Relay(r) => r.tracks.iter().any(|t| t == track),
            _ => false,
        }
    }

    /// How the audit log names it.
    pub fn actor(&self) -> Option<String> {
        match self {
            Principal::Anonymous | Principal::Unrestricted => None,
            Principal::User(u) => Some(format!("user:{}", u.id)),
            Principal::Relay(r) => Some(format!("relay:{}", r.client_id)),
            Principal::StaticRelay => Some("relay:static-token".into()),
        }
    }
}

impl Auth {
    /// Seconds since the epoch, the clock tokens are checked against.
    pub fn now_s(&self) -> i64 {
        crate::clock::now_us() / 1_000_000
    }

    /// Appends to the audit log; a failure is logged, never fatal to the request that
    /// already happened.
    pub async fn audit(&self, record: AuditRecord) {
        let action = record.action.clone();
        if let Err(error) = self.store.audit(record).await {
            tracing::error!(%error, %action, "cannot write the audit log");
        }
    }
}

/// Opens the identity store and the signing key of the configured data directory.
pub fn open(config: &crate::config::ServerConfig) -> anyhow::Result<Auth> {
    let store = checkered_store::identity::SqliteIdentity::open(&config.data_dir)?;
    let key = secrets::signing_key(&config.data_dir)?;
    let s = &config.auth;
    Ok(Auth {
        enabled: s.enabled,
        store: Arc::new(store),
        keys: token::Keys::new(&key),
        access_ttl_s: s.access_ttl_s,
        refresh_ttl_s: s.refresh_ttl_s,
        cost: secrets::Cost {
            memory_kib: s.argon2_memory_kib,
            iterations: s.argon2_iterations,
        },
        static_ingest: config.ingest_token.clone(),
        limits: limit::Limits::new(s.login_per_minute, s.ingest_per_second, s.public_per_second),
        oidc: oidc::Oidc::new(s.oidc.clone()),
    })
}
