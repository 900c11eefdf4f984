//! Sign-in: `POST /api/v1/auth/login` (email and password → access and refresh token),
//! `POST /api/v1/auth/refresh` (rotates the refresh token; presenting a spent one revokes
//! the whole login), `POST /api/v1/auth/logout` (revokes the login), and
//! `POST /api/v1/auth/token` (the client-credentials grant relays use).

use super::secrets;
use super::token::{Claims, ISSUER};
use super::{Auth, Principal};
use crate::http::error::ApiError;
use crate::http::intents::Origin;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum::{Extension, Json, Router};
use checkered_store::identity::{AuditRecord, RefreshOutcome, RefreshRecord};
use serde::{Deserialize, Serialize};

/// The sign-in routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/auth/token", post(client_token))
}

/// `POST /api/v1/auth/login`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    /// The user's email.
    email: String,
    /// The password.
    password: String,
}

/// `POST /api/v1/auth/refresh`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RefreshBody {
    /// The refresh token of the previous answer.
    refresh_token: String,
}

/// Tokens issued.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenAnswer {
    /// Bearer token for the API.
    pub access_token: String,
    /// Present for users: trade it for new tokens before the access token expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// `Bearer`.
    pub token_type: &'static str,
}

fn parse<T: serde::de::DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, ApiError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form {
        serde_urlencoded::from_bytes(bytes)
            .map_err(|e| ApiError::BadRequest(format!("the form is not valid: {e}")))
    } else {
        crate::http::body::json(headers, bytes)
    }
}

fn unauthorised(why: &str) -> ApiError {
    ApiError::Unauthorized(why.to_owned())
}

/// Issues an access token (and, for users, a refresh token in `family`).
async fn issue_user(
    auth: &Auth,
    user: &str,
    family: Option<String>,
) -> anyhow::Result<TokenAnswer> {
    let now_s = auth.now_s();
    let now_us = crate::clock::now_us();
    let refresh = secrets::random_token(32)?;
    let next = RefreshRecord {
        token_hash: secrets::digest(&refresh),
        family_id: family
            .clone()
            .unwrap_or_else(|| ulid::Ulid::new().to_string()),
        user_id: user.to_owned(),
        issued_at_us: now_us,
        expires_at_us: now_us + auth.refresh_ttl_s * 1_000_000,
    };
    let fam = next.family_id.clone();
    if family.is_none() {
        auth.store.start_refresh_family(next).await?;
    }
    let claims = Claims {
        iss: ISSUER.into(),
        sub: user.to_owned(),
        kind: "user".into(),
        fam: Some(fam),
        iat: now_s,
        exp: now_s + auth.access_ttl_s,
    };
    Ok(TokenAnswer {
        access_token: auth.keys.sign(&claims)?,
        refresh_token: Some(refresh),
        expires_in: auth.access_ttl_s,
        token_type: "Bearer",
    })
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody, responses((status = 200, description = "Signed in", body = TokenAnswer), (status = 401, description = "Wrong email or password", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 429, description = "Too many attempts", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn login(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<TokenAnswer>, ApiError> {
    let body: LoginBody = parse(&headers, &bytes)?;
    let auth = &state.auth;
    let user = auth
        .store
        .user_by_email(&body.email)
        .await
        .map_err(anyhow::Error::new)?;
    let ok = secrets::verify(
        body.password,
        user.as_ref().map(|u| u.password_hash.clone()),
        auth.cost,
    )
    .await;
    let remote = origin.remote_addr.map(|a| a.to_string());
    let Some(user) = user.filter(|_| ok) else {
        audit_failed_login(auth, &body.email, remote).await;
        return Err(unauthorised("wrong email or password"));
    };
    Ok(Json(issue_user(auth, &user.id, None).await?))
}

/// A failed login goes to the audit log of every organisation of the user it named (and
/// to the organisation-less log when nobody has that email).
async fn audit_failed_login(auth: &Auth, email: &str, remote: Option<String>) {
    let email: String = email.chars().take(200).collect();
    tracing::info!(%email, "login failed");
    let orgs = match auth.store.user_by_email(&email).await {
        Ok(Some(user)) => auth
            .store
            .memberships_of(&user.id)
            .await
            .map(|ms| ms.into_iter().map(|m| Some(m.org_id)).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let orgs = if orgs.is_empty() { vec![None] } else { orgs };
    for org_id in orgs {
        auth.audit(AuditRecord {
            id: 0,
            org_id,
            at_us: crate::clock::now_us(),
            actor: Some(email.clone()),
            action: "login.failed".into(),
            target: None,
            remote_addr: remote.clone(),
            detail: None,
        })
        .await;
    }
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshBody, responses((status = 200, description = "New tokens; the old refresh token is spent", body = TokenAnswer), (status = 401, description = "Unknown, expired, revoked or reused refresh token (reuse revokes the login)", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn refresh(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<TokenAnswer>, ApiError> {
    let body: RefreshBody = parse(&headers, &bytes)?;
    let auth = &state.auth;
    let refresh = secrets::random_token(32)?;
    let now_us = crate::clock::now_us();
    let next = RefreshRecord {
        token_hash: secrets::digest(&refresh),
        family_id: String::new(),
        user_id: String::new(),
        issued_at_us: now_us,
        expires_at_us: now_us + auth.refresh_ttl_s * 1_000_000,
    };
    let outcome = auth
        .store
        .rotate_refresh(&secrets::digest(&body.refresh_token), next, now_us)
        .await
        .map_err(anyhow::Error::new)?;
    match outcome {
        RefreshOutcome::Rotated(spent) => {
            let mut answer = issue_user(auth, &spent.user_id, Some(spent.family_id)).await?;
            answer.refresh_token = Some(refresh);
            Ok(Json(answer))
        }
        RefreshOutcome::Reused { family_id, user_id } => {
            tracing::warn!(%user_id, %family_id, "refresh token reused; login revoked");
            let orgs = auth
                .store
                .memberships_of(&user_id)
                .await
                .unwrap_or_default();
            for m in orgs {
                auth.audit(AuditRecord {
                    id: 0,
                    org_id: Some(m.org_id),
                    at_us: now_us,
                    actor: Some(format!("user:{user_id}")),
                    action: "refresh.reused".into(),
                    target: Some(family_id.clone()),
                    remote_addr: origin.remote_addr.map(|a| a.to_string()),
                    detail: Some(
                        "a spent refresh token was presented; the login is revoked".into(),
                    ),
                })
                .await;
            }
            Err(unauthorised(
                "this refresh token was already used; the login is revoked",
            ))
        }
        RefreshOutcome::Invalid => Err(unauthorised("the refresh token is not valid")),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses((status = 204, description = "The login (and every refresh token of it) is revoked"), (status = 401, description = "Not signed in", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn logout(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<StatusCode, ApiError> {
    if let Principal::User(user) = principal
        && let Some(family) = user.family
    {
        state
            .auth
            .store
            .revoke_family(&family, crate::clock::now_us())
            .await
            .map_err(anyhow::Error::new)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/auth/token`: the OAuth 2.0 client-credentials grant (form or JSON).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ClientCredentials {
    /// `client_credentials`.
    grant_type: String,
    /// The relay client's id.
    client_id: String,
    /// Its secret.
    client_secret: String,
}

#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body(content = ClientCredentials, content_type = "application/x-www-form-urlencoded"), responses((status = 200, description = "An access token for ingest, scoped to the client's tracks", body = TokenAnswer), (status = 400, description = "Unsupported grant type", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 401, description = "Unknown or revoked client, or wrong secret", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn client_token(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<TokenAnswer>, ApiError> {
    let body: ClientCredentials = parse(&headers, &bytes)?;
    if body.grant_type != "client_credentials" {
        return Err(ApiError::BadRequest(format!(
            "grant_type {:?} is not supported; use client_credentials",
            body.grant_type
        )));
    }
    let auth = &state.auth;
    let client = auth
        .store
        .get_relay_client(&body.client_id)
        .await
        .map_err(anyhow::Error::new)?
        .filter(|c| c.revoked_at_us.is_none());
    let ok = secrets::verify(
        body.client_secret,
        client.as_ref().map(|c| c.secret_hash.clone()),
        auth.cost,
    )
    .await;
    let Some(client) = client.filter(|_| ok) else {
        let id: String = body.client_id.chars().take(100).collect();
        tracing::info!(client_id = %id, "client credentials refused");
        auth.audit(AuditRecord {
            id: 0,
            org_id: None,
            at_us: crate::clock::now_us(),
            actor: Some(format!("relay:{id}")),
            action: "token.failed".into(),
            target: None,
            remote_addr: origin.remote_addr.map(|a| a.to_string()),
            detail: None,
        })
        .await;
        return Err(unauthorised("unknown or revoked client, or wrong secret"));
    };
    let now_s = auth.now_s();
    let claims = Claims {
        iss: ISSUER.into(),
        sub: client.client_id,
        kind: "relay".into(),
        fam: None,
        iat: now_s,
        exp: now_s + auth.access_ttl_s,
    };
    Ok(Json(TokenAnswer {
        access_token: auth.keys.sign(&claims)?,
        refresh_token: None,
        expires_in: auth.access_ttl_s,
        token_type: "Bearer",
    }))
}
