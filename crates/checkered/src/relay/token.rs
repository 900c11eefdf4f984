//! The relay's credentials for ingest: either the static token of `--credentials`, or a
//! relay client's id and secret (`--client-id`, `--client-secret`), traded for a
//! short-lived access token at `POST /api/v1/auth/token` (client-credentials grant) and
//! traded again shortly before it expires or when the server refuses it.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Renew a token this long before it expires.
const MARGIN: Duration = Duration::from_secs(30);

/// Where the bearer token comes from.
pub enum Bearer {
    /// No credentials (a server with authorisation off).
    None,
    /// A static token.
    Static(String),
    /// Client credentials and the latest access token.
    Client {
        /// `POST /api/v1/auth/token`.
        url: String,
        /// Client id.
        id: String,
        /// Client secret (never logged).
        secret: String,
        /// The latest token and when to renew it. A std mutex: never held across an await.
        cached: Mutex<Option<(String, Instant)>>,
    },
}

/// Why no token could be had.
#[derive(Debug)]
pub enum TokenError {
    /// Worth retrying (server down, 5xx).
    Retry(String),
    /// The server refused the credentials (revoked, wrong secret).
    Refused(String),
}

#[derive(serde::Deserialize)]
struct Answer {
    access_token: String,
    expires_in: u64,
}

impl Bearer {
    /// From the relay's configuration.
    pub fn new(
        server_base: &str,
        credentials: Option<&str>,
        id: Option<&str>,
        secret: Option<&str>,
    ) -> Bearer {
        match (secret, id, credentials) {
            (Some(secret), Some(id), _) => Bearer::Client {
                url: format!("{server_base}/api/v1/auth/token"),
                id: id.to_owned(),
                secret: secret.to_owned(),
                cached: Mutex::new(None),
            },
            (_, _, Some(token)) => Bearer::Static(token.to_owned()),
            _ => Bearer::None,
        }
    }

    /// The token to send now, fetching a new one when needed.
    pub async fn token(&self, http: &reqwest::Client) -> Result<Option<String>, TokenError> {
        let (url, id, secret, cached) = match self {
            Bearer::None => return Ok(None),
            Bearer::Static(token) => return Ok(Some(token.clone())),
            Bearer::Client {
                url,
                id,
                secret,
                cached,
            } => (url, id, secret, cached),
        };
        if let Some((token, renew)) = cached.lock().unwrap_or_else(|e| e.into_inner()).clone()
            && Instant::now() < renew
        {
            return Ok(Some(token));
        }
        let response = http
            .post(url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id.as_str()),
                ("client_secret", secret.as_str()),
            ])
            .send()
            .await
            .map_err(|e| TokenError::Retry(format!("cannot reach the token endpoint: {e}")))?;
        let status = response.status();
        if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(TokenError::Refused(format!(
                "the server refused the relay client credentials ({status})"
            )));
        }
        if !status.is_success() {
            return Err(TokenError::Retry(format!(
                "the token endpoint answered {status}"
            )));
        }
        let answer: Answer = response
            .json()
            .await
            .map_err(|e| TokenError::Retry(format!("unreadable token answer: {e}")))?;
        let life = Duration::from_secs(answer.expires_in);
        let renew = Instant::now() + life.saturating_sub(MARGIN).max(life / 2);
        *cached.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((answer.access_token.clone(), renew));
        Ok(Some(answer.access_token))
    }

    /// Forgets the cached token (the server refused it), so the next call fetches one.
    pub fn invalidate(&self) {
        if let Bearer::Client { cached, .. } = self {
            *cached.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    /// Whether a refused token can be renewed (client credentials).
    pub fn renewable(&self) -> bool {
        matches!(self, Bearer::Client { .. })
    }
}
