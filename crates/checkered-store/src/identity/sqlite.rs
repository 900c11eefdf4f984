//! The SQLite identity store: its own file (`identity.db`, WAL, `synchronous = FULL`)
//! beside the log and the read models. Identity traffic is small (logins, token
//! exchanges, one lookup per authorised request), so one connection behind a mutex, used
//! from tokio's blocking threads, is enough.
//!
//! # Layout
//! - [`SqliteIdentity`]: opening, migrations, the `run` plumbing; the trait impl below.

use super::records::{
    AuditRecord, Membership, OrgRecord, RefreshOutcome, RefreshRecord, RelayClientRecord, Role,
    UserRecord,
};
use super::{IdentityError, IdentityStore};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// File name inside the data directory.
pub const FILE_NAME: &str = "identity.db";

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../migrations/sqlite-identity/0001_identity.sql"),
    ),
    (
        2,
        include_str!("../../migrations/sqlite-identity/0002_event_codes.sql"),
    ),
];

/// The identity store in one SQLite file. Cheap to clone.
#[derive(Clone)]
pub struct SqliteIdentity {
    /// A std mutex: only locked on blocking threads, never across an `.await`.
    conn: Arc<Mutex<Connection>>,
}

fn backend(e: impl std::fmt::Display) -> IdentityError {
    IdentityError::Backend(e.to_string())
}

fn conflict_or_backend(e: rusqlite::Error, what: String) -> IdentityError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            IdentityError::Conflict(what)
        }
        other => backend(other),
    }
}

impl SqliteIdentity {
    /// Opens (creating if needed) `identity.db` in `dir` and migrates it.
    pub fn open(dir: &Path) -> Result<Self, IdentityError> {
        std::fs::create_dir_all(dir).map_err(backend)?;
        let mut conn = Connection::open(dir.join(FILE_NAME)).map_err(backend)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(backend)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(backend)?;
        migrate(&mut conn)?;
        Ok(SqliteIdentity {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, IdentityError> + Send + 'static,
    ) -> Result<T, IdentityError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        })
        .await
        .map_err(backend)?
    }
}

fn migrate(conn: &mut Connection) -> Result<(), IdentityError> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .map_err(backend)?;
    let found: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )
        .map_err(backend)?;
    let latest = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    if found > latest {
        return Err(IdentityError::Backend(format!(
            "identity.db has schema version {found}; this program knows up to {latest}"
        )));
    }
    for &(version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let tx = conn.transaction().map_err(backend)?;
        tx.execute_batch(sql).map_err(backend)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [version],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
    }
    Ok(())
}

fn user_of(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get(0)?,
        email: row.get(1)?,
        password_hash: row.get(2)?,
        operator: row.get::<_, i64>(3)? != 0,
        created_at_us: row.get(4)?,
    })
}

fn role_of(text: String) -> Role {
    // An unknown stored role grants the least.
    Role::parse(&text).unwrap_or(Role::Viewer)
}

fn client_of(row: &Row<'_>) -> rusqlite::Result<RelayClientRecord> {
    let tracks: String = row.get(4)?;
    Ok(RelayClientRecord {
        client_id: row.get(0)?,
        org_id: row.get(1)?,
        name: row.get(2)?,
        secret_hash: row.get(3)?,
        tracks: serde_json::from_str(&tracks).unwrap_or_default(),
        created_at_us: row.get(5)?,
        revoked_at_us: row.get(6)?,
    })
}

const CLIENT_COLUMNS: &str =
    "client_id, org_id, name, secret_hash, tracks, created_at_us, revoked_at_us";

fn insert_refresh(c: &Connection, t: &RefreshRecord) -> rusqlite::Result<usize> {
    c.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at_us, expires_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            t.token_hash,
            t.family_id,
            t.user_id,
            t.issued_at_us,
            t.expires_at_us
        ],
    )
}

fn rotate(
    c: &mut Connection,
    hash: &str,
    next: &RefreshRecord,
    now_us: i64,
) -> Result<RefreshOutcome, IdentityError> {
    let tx = c.transaction().map_err(backend)?;
    let found = tx
        .query_row(
            "SELECT t.family_id, t.user_id, t.issued_at_us, t.expires_at_us, t.used_at_us,
                    f.revoked_at_us
             FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id
             WHERE t.token_hash = ?1",
            [hash],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            },
        )
        .optional()
        .map_err(backend)?;
    let Some((family_id, user_id, issued_at_us, expires_at_us, used, revoked)) = found else {
        return Ok(RefreshOutcome::Invalid);
    };
    if revoked.is_some() || expires_at_us <= now_us {
        return Ok(RefreshOutcome::Invalid);
    }
    if used.is_some() {
        tx.execute(
            "UPDATE refresh_families SET revoked_at_us = ?2 WHERE family_id = ?1",
            params![family_id, now_us],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        return Ok(RefreshOutcome::Reused { family_id, user_id });
    }
    tx.execute(
        "UPDATE refresh_tokens SET used_at_us = ?2 WHERE token_hash = ?1",
        params![hash, now_us],
    )
    .map_err(backend)?;
    let next = RefreshRecord {
        family_id: family_id.clone(),
        user_id: user_id.clone(),
        ..next.clone()
    };
    insert_refresh(&tx, &next).map_err(backend)?;
    tx.commit().map_err(backend)?;
    Ok(RefreshOutcome::Rotated(RefreshRecord {
        token_hash: hash.to_owned(),
        family_id,
        user_id,
        issued_at_us,
        expires_at_us,
    }))
}

#[async_trait]
impl IdentityStore for SqliteIdentity {
    async fn create_org(&self, org: OrgRecord) -> Result<(), IdentityError> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO orgs (id, name, created_at_us) VALUES (?1, ?2, ?3)",
                params![org.id, org.name, org.created_at_us],
            )
            .map_err(|e| conflict_or_backend(e, format!("organisation {:?} exists", org.id)))?;
            Ok(())
        })
        .await
    }

    async fn get_org(&self, id: &str) -> Result<Option<OrgRecord>, IdentityError> {
        let id = id.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT id, name, created_at_us FROM orgs WHERE id = ?1",
                [id],
                |r| {
                    Ok(OrgRecord {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        created_at_us: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn list_orgs(&self) -> Result<Vec<OrgRecord>, IdentityError> {
        self.run(|c| {
            let mut stmt = c
                .prepare("SELECT id, name, created_at_us FROM orgs ORDER BY id")
                .map_err(backend)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(OrgRecord {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        created_at_us: r.get(2)?,
                    })
                })
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)
        })
        .await
    }

    async fn create_user(&self, user: UserRecord) -> Result<(), IdentityError> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO users (id, email, password_hash, operator, created_at_us)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    user.id,
                    user.email,
                    user.password_hash,
                    i64::from(user.operator),
                    user.created_at_us
                ],
            )
            .map_err(|e| {
                conflict_or_backend(e, format!("a user with email {:?} exists", user.email))
            })?;
            Ok(())
        })
        .await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, IdentityError> {
        let email = email.to_lowercase();
        self.run(move |c| {
            c.query_row(
                "SELECT id, email, password_hash, operator, created_at_us FROM users WHERE email = ?1",
                [email],
                user_of,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn get_user(&self, id: &str) -> Result<Option<UserRecord>, IdentityError> {
        let id = id.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT id, email, password_hash, operator, created_at_us FROM users WHERE id = ?1",
                [id],
                user_of,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn set_membership(&self, org: &str, user: &str, role: Role) -> Result<(), IdentityError> {
        let (org, user) = (org.to_owned(), user.to_owned());
        self.run(move |c| {
            c.execute(
                "INSERT INTO memberships (org_id, user_id, role) VALUES (?1, ?2, ?3)
                 ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
                params![org, user, role.as_str()],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn remove_membership(&self, org: &str, user: &str) -> Result<(), IdentityError> {
        let (org, user) = (org.to_owned(), user.to_owned());
        self.run(move |c| {
            let n = c
                .execute(
                    "DELETE FROM memberships WHERE org_id = ?1 AND user_id = ?2",
                    params![org, user],
                )
                .map_err(backend)?;
            if n == 0 {
                return Err(IdentityError::NotFound(format!(
                    "user {user:?} is not a member of {org:?}"
                )));
            }
            Ok(())
        })
        .await
    }

    async fn memberships_of(&self, user: &str) -> Result<Vec<Membership>, IdentityError> {
        let user = user.to_owned();
        self.run(move |c| {
            let mut stmt = c
                .prepare("SELECT org_id, user_id, role FROM memberships WHERE user_id = ?1 ORDER BY org_id")
                .map_err(backend)?;
            let rows = stmt
                .query_map([user], |r| {
                    Ok(Membership {
                        org_id: r.get(0)?,
                        user_id: r.get(1)?,
                        role: role_of(r.get(2)?),
                    })
                })
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)
        })
        .await
    }

    async fn members(&self, org: &str) -> Result<Vec<(Membership, String)>, IdentityError> {
        let org = org.to_owned();
        self.run(move |c| {
            let mut stmt = c
                .prepare(
                    "SELECT m.org_id, m.user_id, m.role, u.email FROM memberships m
                     JOIN users u ON u.id = m.user_id WHERE m.org_id = ?1 ORDER BY u.email",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map([org], |r| {
                    Ok((
                        Membership {
                            org_id: r.get(0)?,
                            user_id: r.get(1)?,
                            role: role_of(r.get(2)?),
                        },
                        r.get(3)?,
                    ))
                })
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)
        })
        .await
    }

    async fn start_refresh_family(&self, token: RefreshRecord) -> Result<(), IdentityError> {
        self.run(move |c| {
            let tx = c.transaction().map_err(backend)?;
            tx.execute(
                "INSERT INTO refresh_families (family_id, user_id, created_at_us) VALUES (?1, ?2, ?3)",
                params![token.family_id, token.user_id, token.issued_at_us],
            )
            .map_err(backend)?;
            insert_refresh(&tx, &token).map_err(backend)?;
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn rotate_refresh(
        &self,
        token_hash: &str,
        next: RefreshRecord,
        now_us: i64,
    ) -> Result<RefreshOutcome, IdentityError> {
        let hash = token_hash.to_owned();
        self.run(move |c| rotate(c, &hash, &next, now_us)).await
    }

    async fn revoke_family(&self, family: &str, now_us: i64) -> Result<(), IdentityError> {
        let family = family.to_owned();
        self.run(move |c| {
            c.execute(
                "UPDATE refresh_families SET revoked_at_us = COALESCE(revoked_at_us, ?2)
                 WHERE family_id = ?1",
                params![family, now_us],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn family_revoked(&self, family: &str) -> Result<bool, IdentityError> {
        let family = family.to_owned();
        self.run(move |c| {
            let found: Option<Option<i64>> = c
                .query_row(
                    "SELECT revoked_at_us FROM refresh_families WHERE family_id = ?1",
                    [family],
                    |r| r.get(0),
                )
                .optional()
                .map_err(backend)?;
            Ok(!matches!(found, Some(None)))
        })
        .await
    }

    async fn create_relay_client(&self, client: RelayClientRecord) -> Result<(), IdentityError> {
        self.run(move |c| {
            let tracks = serde_json::to_string(&client.tracks).map_err(backend)?;
            c.execute(
                &format!("INSERT INTO relay_clients ({CLIENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
                params![
                    client.client_id,
                    client.org_id,
                    client.name,
                    client.secret_hash,
                    tracks,
                    client.created_at_us,
                    client.revoked_at_us
                ],
            )
            .map_err(|e| conflict_or_backend(e, format!("relay client {:?} exists", client.client_id)))?;
            Ok(())
        })
        .await
    }

    async fn get_relay_client(&self, id: &str) -> Result<Option<RelayClientRecord>, IdentityError> {
        let id = id.to_owned();
        self.run(move |c| {
            c.query_row(
                &format!("SELECT {CLIENT_COLUMNS} FROM relay_clients WHERE client_id = ?1"),
                [id],
                client_of,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn relay_clients(&self, org: &str) -> Result<Vec<RelayClientRecord>, IdentityError> {
        let org = org.to_owned();
        self.run(move |c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {CLIENT_COLUMNS} FROM relay_clients WHERE org_id = ?1 ORDER BY created_at_us, client_id"
                ))
                .map_err(backend)?;
            let rows = stmt.query_map([org], client_of).map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)
        })
        .await
    }

    async fn revoke_relay_client(
        &self,
        org: &str,
        id: &str,
        now_us: i64,
    ) -> Result<(), IdentityError> {
        let (org, id) = (org.to_owned(), id.to_owned());
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE relay_clients SET revoked_at_us = COALESCE(revoked_at_us, ?3)
                     WHERE org_id = ?1 AND client_id = ?2",
                    params![org, id, now_us],
                )
                .map_err(backend)?;
            if n == 0 {
                return Err(IdentityError::NotFound(format!(
                    "organisation {org:?} has no relay client {id:?}"
                )));
            }
            Ok(())
        })
        .await
    }

    async fn set_track_owner(&self, track: &str, org: &str) -> Result<(), IdentityError> {
        let (track, org) = (track.to_owned(), org.to_owned());
        self.run(move |c| {
            c.execute(
                "INSERT INTO track_owners (track_id, org_id) VALUES (?1, ?2)
                 ON CONFLICT (track_id) DO UPDATE SET org_id = excluded.org_id",
                params![track, org],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn track_owner(&self, track: &str) -> Result<Option<String>, IdentityError> {
        let track = track.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT org_id FROM track_owners WHERE track_id = ?1",
                [track],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn set_event_code(
        &self,
        track: &str,
        event: &str,
        code: &str,
    ) -> Result<(), IdentityError> {
        let (track, event, code) = (track.to_owned(), event.to_owned(), code.to_owned());
        self.run(move |c| {
            c.execute(
                "INSERT INTO event_codes (track_id, event_id, code) VALUES (?1, ?2, ?3)
                 ON CONFLICT (track_id, event_id) DO UPDATE SET code = excluded.code",
                params![track, event, code],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn event_code(&self, track: &str, event: &str) -> Result<Option<String>, IdentityError> {
        let (track, event) = (track.to_owned(), event.to_owned());
        self.run(move |c| {
            c.query_row(
                "SELECT code FROM event_codes WHERE track_id = ?1 AND event_id = ?2",
                params![track, event],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn audit(&self, r: AuditRecord) -> Result<(), IdentityError> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO audit_log (org_id, at_us, actor, action, target, remote_addr, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    r.org_id,
                    r.at_us,
                    r.actor,
                    r.action,
                    r.target,
                    r.remote_addr,
                    r.detail
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn read_audit(
        &self,
        org: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, IdentityError> {
        let org = org.to_owned();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |c| {
            let mut stmt = c
                .prepare(
                    "SELECT id, org_id, at_us, actor, action, target, remote_addr, detail
                     FROM audit_log WHERE org_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map(params![org, after, limit], |r| {
                    Ok(AuditRecord {
                        id: r.get(0)?,
                        org_id: r.get(1)?,
                        at_us: r.get(2)?,
                        actor: r.get(3)?,
                        action: r.get(4)?,
                        target: r.get(5)?,
                        remote_addr: r.get(6)?,
                        detail: r.get(7)?,
                    })
                })
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(hash: &str, family: &str) -> RefreshRecord {
        RefreshRecord {
            token_hash: hash.into(),
            family_id: family.into(),
            user_id: "u1".into(),
            issued_at_us: 1,
            expires_at_us: 1_000,
        }
    }

    #[tokio::test]
    async fn reusing_a_rotated_refresh_token_revokes_its_family() {
        let dir = tempfile::tempdir().expect("dir");
        let store = SqliteIdentity::open(dir.path()).expect("open");
        store
            .start_refresh_family(token("a", "f"))
            .await
            .expect("start");
        let first = store
            .rotate_refresh("a", token("b", "x"), 10)
            .await
            .expect("rotate");
        assert!(matches!(first, RefreshOutcome::Rotated(ref t) if t.family_id == "f"));
        assert!(!store.family_revoked("f").await.expect("state"));
        let again = store
            .rotate_refresh("a", token("c", "x"), 11)
            .await
            .expect("reuse");
        assert_eq!(
            again,
            RefreshOutcome::Reused {
                family_id: "f".into(),
                user_id: "u1".into()
            }
        );
        assert!(store.family_revoked("f").await.expect("state"));
        // The successor of the stolen token dies with its family.
        let successor = store
            .rotate_refresh("b", token("d", "x"), 12)
            .await
            .expect("b");
        assert_eq!(successor, RefreshOutcome::Invalid);
        // Expired tokens are invalid.
        store
            .start_refresh_family(token("e", "g"))
            .await
            .expect("start");
        assert_eq!(
            store
                .rotate_refresh("e", token("h", "x"), 5_000)
                .await
                .expect("late"),
            RefreshOutcome::Invalid
        );
    }

    #[tokio::test]
    async fn memberships_owners_and_revocation_persist() {
        let dir = tempfile::tempdir().expect("dir");
        let store = SqliteIdentity::open(dir.path()).expect("open");
        store
            .create_org(OrgRecord {
                id: "a".into(),
                name: "A".into(),
                created_at_us: 1,
            })
            .await
            .expect("org");
        assert!(matches!(
            store
                .create_org(OrgRecord {
                    id: "a".into(),
                    name: "A".into(),
                    created_at_us: 1
                })
                .await,
            Err(IdentityError::Conflict(_))
        ));
        store
            .set_membership("a", "u1", Role::Viewer)
            .await
            .expect("m");
        store
            .set_membership("a", "u1", Role::Admin)
            .await
            .expect("m");
        let m = store.memberships_of("u1").await.expect("list");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].role, Role::Admin);
        store.set_track_owner("t", "a").await.expect("owner");
        drop(store);
        let store = SqliteIdentity::open(dir.path()).expect("reopen");
        assert_eq!(
            store.track_owner("t").await.expect("owner").as_deref(),
            Some("a")
        );
        let client = RelayClientRecord {
            client_id: "rc_1".into(),
            org_id: "a".into(),
            name: "n".into(),
            secret_hash: "h".into(),
            tracks: vec!["t".into()],
            created_at_us: 1,
            revoked_at_us: None,
        };
        store.create_relay_client(client).await.expect("client");
        assert!(store.revoke_relay_client("b", "rc_1", 5).await.is_err());
        store
            .revoke_relay_client("a", "rc_1", 5)
            .await
            .expect("revoke");
        let got = store
            .get_relay_client("rc_1")
            .await
            .expect("get")
            .expect("some");
        assert_eq!(got.revoked_at_us, Some(5));
        assert_eq!(got.tracks, vec!["t".to_owned()]);
    }
}
