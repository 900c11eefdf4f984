//! Creating identities outside the HTTP API: the first organisation and its owner
//! (`checkered admin init`), relay clients (`checkered admin relay-client`), and the
//! demo's setup. The REST handlers call the same functions.

use super::secrets::{self, Cost};
use anyhow::Context;
use checkered_store::identity::{
    IdentityError, IdentityStore, OrgRecord, RelayClientRecord, Role, UserRecord,
};

/// Normalises and checks an email (one `@`, no spaces, at most 254 characters).
pub fn email(text: &str) -> anyhow::Result<String> {
    let email = text.trim().to_lowercase();
    let parts: Vec<&str> = email.split('@').collect();
    anyhow::ensure!(
        parts.len() == 2
            && !parts[0].is_empty()
            && parts[1].contains('.')
            && email.len() <= 254
            && !email.contains(char::is_whitespace),
        "{text:?} is not an email address"
    );
    Ok(email)
}

/// Checks a new password: 8 to 1024 characters.
pub fn password(text: &str) -> anyhow::Result<()> {
    let n = text.chars().count();
    anyhow::ensure!(
        (8..=1024).contains(&n),
        "a password has 8 to 1024 characters"
    );
    Ok(())
}

/// The user with `email`, created with `password` when there is none (`Ok(false)` in the
/// second place: it existed and the password was not used).
pub async fn user(
    store: &dyn IdentityStore,
    cost: Cost,
    email_text: &str,
    password_text: Option<&str>,
    operator: bool,
) -> anyhow::Result<(UserRecord, bool)> {
    let email = email(email_text)?;
    if let Some(found) = store.user_by_email(&email).await? {
        return Ok((found, false));
    }
    let password_text = password_text.context("a new user needs a password")?;
    password(password_text)?;
    let record = UserRecord {
        id: ulid::Ulid::new().to_string(),
        email,
        password_hash: secrets::hash(password_text.to_owned(), cost).await?,
        operator,
        created_at_us: crate::clock::now_us(),
    };
    store.create_user(record.clone()).await?;
    Ok((record, true))
}

/// Creates organisation `org` (a slug) with `email` as its owner (created with
/// `password` if new). The first run's owner is the deployment operator.
pub async fn init(
    store: &dyn IdentityStore,
    cost: Cost,
    org: &str,
    name: Option<&str>,
    email_text: &str,
    password_text: Option<&str>,
) -> anyhow::Result<UserRecord> {
    anyhow::ensure!(
        checkered_protocol::contract::is_slug(org),
        "organisation id {org:?} is not a slug: use 1-64 lowercase letters, digits and '-'"
    );
    let first = store.list_orgs().await?.is_empty();
    match store
        .create_org(OrgRecord {
            id: org.to_owned(),
            name: name.unwrap_or(org).to_owned(),
            created_at_us: crate::clock::now_us(),
        })
        .await
    {
        Ok(()) | Err(IdentityError::Conflict(_)) => {}
        Err(other) => return Err(other.into()),
    }
    let (user, _) = user(store, cost, email_text, password_text, first).await?;
    store.set_membership(org, &user.id, Role::Owner).await?;
    Ok(user)
}

/// A new relay client of `org` for `tracks` (id `rc_<ulid>` unless `id` is given);
/// returns it and its secret (shown once, stored hashed).
pub async fn relay_client(
    store: &dyn IdentityStore,
    cost: Cost,
    org: &str,
    name: &str,
    tracks: Vec<String>,
    id: Option<String>,
) -> anyhow::Result<(RelayClientRecord, String)> {
    let secret = format!("cs_{}", secrets::random_token(32)?);
    let record = RelayClientRecord {
        client_id: id
            .unwrap_or_else(|| format!("rc_{}", ulid::Ulid::new().to_string().to_lowercase())),
        org_id: org.to_owned(),
        name: name.to_owned(),
        secret_hash: secrets::hash(secret.clone(), cost).await?,
        tracks,
        created_at_us: crate::clock::now_us(),
        revoked_at_us: None,
    };
    store.create_relay_client(record.clone()).await?;
    Ok((record, secret))
}
