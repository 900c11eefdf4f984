//! The demo's identities, made through the same code path as `checkered admin`: an
//! organisation `demo` with an owner (whose login is printed, and kept in the data
//! directory for later runs), a relay client per relay scoped to its track, and the race
//! official signed in as the owner through the login endpoint.

use anyhow::Context;
use checkered_server::auth::{Auth, bootstrap, secrets};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The demo organisation.
pub const ORG: &str = "demo";
/// The demo owner's email.
pub const EMAIL: &str = "owner@demo.invalid";
/// Where the owner's password is kept between runs on the same data directory.
const PASSWORD_FILE: &str = "demo-login.txt";

/// The demo's access to its own server.
pub struct DemoAccess {
    base: String,
    /// The owner's password (printed for the user; never logged).
    pub password: String,
    auth: Arc<Auth>,
    /// The latest access token. A std mutex: never held across an await.
    token: Mutex<Option<String>>,
}

impl DemoAccess {
    /// Creates (or finds, on a kept data directory) the organisation and its owner.
    pub async fn setup(auth: Arc<Auth>, base: &str, data: &Path) -> anyhow::Result<Arc<Self>> {
        let file = data.join(PASSWORD_FILE);
        let password = match std::fs::read_to_string(&file) {
            Ok(text) => text.trim().to_owned(),
            Err(_) => {
                let password = secrets::random_token(12)?;
                std::fs::write(&file, &password)
                    .with_context(|| format!("cannot write {}", file.display()))?;
                password
            }
        };
        bootstrap::init(
            auth.store.as_ref(),
            auth.cost,
            ORG,
            Some("Demo club"),
            EMAIL,
            Some(&password),
        )
        .await
        .context("cannot create the demo organisation")?;
        Ok(Arc::new(DemoAccess {
            base: base.to_owned(),
            password,
            auth,
            token: Mutex::new(None),
        }))
    }

    /// The owner's access token, signing in through the API when there is none.
    pub async fn token(&self, http: &reqwest::Client) -> anyhow::Result<String> {
        if let Some(token) = self.token.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(token);
        }
        let response = http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": EMAIL, "password": self.password}))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "demo login refused: {}",
            response.status()
        );
        let body: Value = response.json().await?;
        let token = body["access_token"]
            .as_str()
            .context("no access token")?
            .to_owned();
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        Ok(token)
    }

    /// Forgets the token (expired), so the next call signs in again.
    pub fn invalidate(&self) {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// A relay client for one relay of `track`: (client id, secret).
    pub async fn relay_client(&self, track: &str, name: &str) -> anyhow::Result<(String, String)> {
        let suffix = ulid::Ulid::new().to_string().to_lowercase();
        let id = format!("demo-{name}-{}", &suffix[suffix.len() - 6..]);
        let (client, secret) = bootstrap::relay_client(
            self.auth.store.as_ref(),
            self.auth.cost,
            ORG,
            name,
            vec![track.to_owned()],
            Some(id),
        )
        .await?;
        Ok((client.client_id, secret))
    }
}
