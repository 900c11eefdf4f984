//! Organisations and what they hold: `GET/POST /api/v1/orgs`, `GET /api/v1/orgs/{org}`,
//! members (`…/users`), relay clients (`…/relay-clients`, the secret shown once) and the
//! audit log (`…/audit`). Who may call each is in the policy table.

use super::{Principal, bootstrap};
use crate::http::body;
use crate::http::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, put};
use axum::{Extension, Json, Router};
use checkered_store::identity::{IdentityError, OrgRecord, Role};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The organisation routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/orgs", get(list).post(create))
        .route("/api/v1/orgs/{org}", get(read))
        .route("/api/v1/orgs/{org}/users", get(members).post(add_member))
        .route(
            "/api/v1/orgs/{org}/users/{user}",
            put(set_role).delete(remove_member),
        )
        .route(
            "/api/v1/orgs/{org}/relay-clients",
            get(clients).post(create_client),
        )
        .route(
            "/api/v1/orgs/{org}/relay-clients/{client}",
            delete(revoke_client),
        )
        .route("/api/v1/orgs/{org}/audit", get(audit))
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::Conflict(m) => ApiError::Conflict(m),
            IdentityError::NotFound(m) => ApiError::NotFound(m),
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}

async fn org_of(state: &AppState, id: &str) -> Result<OrgRecord, ApiError> {
    state
        .auth
        .store
        .get_org(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("unknown organisation {id:?}")))
}

/// `POST /api/v1/orgs`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgBody {
    /// Slug id.
    id: String,
    /// Display name (defaults to the id).
    #[serde(default)]
    name: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs", tag = "organisations", responses((status = 200, description = "The organisations the caller belongs to (all, for the operator)", body = Object)))]
async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    let all = state.auth.store.list_orgs().await?;
    let orgs: Vec<Value> = all
        .into_iter()
        .filter_map(|o| {
            let role = principal.role_in(&o.id)?;
            Some(json!({"id": o.id, "name": o.name, "role": role}))
        })
        .collect();
    Ok(Json(json!({ "orgs": orgs })))
}

#[utoipa::path(post, path = "/api/v1/orgs", tag = "organisations", request_body = OrgBody, responses((status = 201, description = "Created", body = Object), (status = 409, description = "The id is taken", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<OrgRecord>), ApiError> {
    let body: OrgBody = body::json(&headers, &bytes)?;
    if !checkered_protocol::contract::is_slug(&body.id) {
        return Err(ApiError::Unprocessable(format!(
            "id {:?} is not a slug",
            body.id
        )));
    }
    let record = OrgRecord {
        name: body.name.unwrap_or_else(|| body.id.clone()),
        id: body.id,
        created_at_us: crate::clock::now_us(),
    };
    state.auth.store.create_org(record.clone()).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}", tag = "organisations", params(("org" = String, Path, description = "Organisation id")), responses((status = 200, description = "The organisation", body = Object), (status = 404, description = "Unknown organisation", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn read(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Json<OrgRecord>, ApiError> {
    org_of(&state, &org).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/users", tag = "organisations", params(("org" = String, Path, description = "Organisation id")), responses((status = 200, description = "Members and their roles", body = Object)))]
async fn members(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Json<Value>, ApiError> {
    org_of(&state, &org).await?;
    let members = state.auth.store.members(&org).await?;
    let users: Vec<Value> = members
        .into_iter()
        .map(|(m, email)| json!({"id": m.user_id, "email": email, "role": m.role}))
        .collect();
    Ok(Json(json!({ "users": users })))
}

/// `POST …/users`: adds a user (created when the email is new) with a role.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    /// Email.
    email: String,
    /// Password, for a user who does not exist yet (8 to 1024 characters).
    #[serde(default)]
    password: Option<String>,
    /// `owner`, `admin`, `race_control`, `timing_official` or `viewer`.
    role: String,
}

/// `PUT …/users/{user}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    /// The new role.
    role: String,
}

/// Only an owner may hand out (or take away) the owner role.
fn grantable(principal: &Principal, org: &str, role: Role) -> Result<(), ApiError> {
    if role == Role::Owner && principal.role_in(org) != Some(Role::Owner) {
        return Err(ApiError::Forbidden(
            "only an owner may appoint an owner".into(),
        ));
    }
    Ok(())
}

fn role(text: &str) -> Result<Role, ApiError> {
    Role::parse(text).ok_or_else(|| {
        ApiError::Unprocessable(format!(
            "unknown role {text:?}; use owner, admin, race_control, timing_official or viewer"
        ))
    })
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/users", tag = "organisations", params(("org" = String, Path, description = "Organisation id")), request_body = MemberBody, responses((status = 201, description = "Member added", body = Object), (status = 422, description = "Bad email, password or role", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn add_member(
    State(state): State<AppState>,
    Path(org): Path<String>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: MemberBody = body::json(&headers, &bytes)?;
    org_of(&state, &org).await?;
    let role = role(&body.role)?;
    grantable(&principal, &org, role)?;
    let auth = &state.auth;
    let (user, created) = bootstrap::user(
        auth.store.as_ref(),
        auth.cost,
        &body.email,
        body.password.as_deref(),
        false,
    )
    .await
    .map_err(|e| ApiError::Unprocessable(format!("{e:#}")))?;
    auth.store.set_membership(&org, &user.id, role).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": user.id, "email": user.email, "role": role, "created": created})),
    ))
}

#[utoipa::path(put, path = "/api/v1/orgs/{org}/users/{user}", tag = "organisations", params(("org" = String, Path, description = "Organisation id"), ("user" = String, Path, description = "User id")), request_body = RoleBody, responses((status = 200, description = "Role changed", body = Object), (status = 404, description = "Not a member", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn set_role(
    State(state): State<AppState>,
    Path((org, user)): Path<(String, String)>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: RoleBody = body::json(&headers, &bytes)?;
    let role = role(&body.role)?;
    let current = current_role(&state, &org, &user).await?;
    grantable(&principal, &org, role.max(current))?;
    state.auth.store.set_membership(&org, &user, role).await?;
    Ok(Json(json!({"id": user, "role": role})))
}

async fn current_role(state: &AppState, org: &str, user: &str) -> Result<Role, ApiError> {
    state
        .auth
        .store
        .memberships_of(user)
        .await?
        .into_iter()
        .find(|m| m.org_id == org)
        .map(|m| m.role)
        .ok_or_else(|| ApiError::NotFound(format!("user {user:?} is not a member of {org:?}")))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org}/users/{user}", tag = "organisations", params(("org" = String, Path, description = "Organisation id"), ("user" = String, Path, description = "User id")), responses((status = 204, description = "Removed"), (status = 404, description = "Not a member", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn remove_member(
    State(state): State<AppState>,
    Path((org, user)): Path<(String, String)>,
    Extension(principal): Extension<Principal>,
) -> Result<StatusCode, ApiError> {
    let current = current_role(&state, &org, &user).await?;
    grantable(&principal, &org, current)?;
    state.auth.store.remove_membership(&org, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/relay-clients`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientBody {
    /// Display name.
    name: String,
    /// Tracks of the organisation the relay may write to.
    tracks: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/relay-clients", tag = "organisations", params(("org" = String, Path, description = "Organisation id")), responses((status = 200, description = "Relay clients (never their secrets)", body = Object)))]
async fn clients(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Json<Value>, ApiError> {
    org_of(&state, &org).await?;
    let clients = state.auth.store.relay_clients(&org).await?;
    Ok(Json(json!({ "relay_clients": clients })))
}

#[utoipa::path(post, path = "/api/v1/orgs/{org}/relay-clients", tag = "organisations", params(("org" = String, Path, description = "Organisation id")), request_body = ClientBody, responses((status = 201, description = "Created; `client_secret` is shown this once", body = Object), (status = 422, description = "A track the organisation does not own", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn create_client(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: ClientBody = body::json(&headers, &bytes)?;
    org_of(&state, &org).await?;
    let name = body::name("name", &body.name)?;
    for track in &body.tracks {
        let owner = state.auth.store.track_owner(track).await?;
        if owner.as_deref() != Some(org.as_str()) {
            return Err(ApiError::Unprocessable(format!(
                "track {track:?} does not belong to {org:?}"
            )));
        }
    }
    let auth = &state.auth;
    let (client, secret) = bootstrap::relay_client(
        auth.store.as_ref(),
        auth.cost,
        &org,
        &name,
        body.tracks,
        None,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "client_id": client.client_id,
            "client_secret": secret,
            "name": client.name,
            "tracks": client.tracks,
            "created_at_us": client.created_at_us,
        })),
    ))
}

#[utoipa::path(delete, path = "/api/v1/orgs/{org}/relay-clients/{client}", tag = "organisations", params(("org" = String, Path, description = "Organisation id"), ("client" = String, Path, description = "Client id")), responses((status = 204, description = "Revoked: its tokens stop working at the next request"), (status = 404, description = "No such client", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn revoke_client(
    State(state): State<AppState>,
    Path((org, client)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .auth
        .store
        .revoke_relay_client(&org, &client, crate::clock::now_us())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/orgs/{org}/audit", tag = "organisations", params(("org" = String, Path, description = "Organisation id"), ("after" = Option<i64>, Query, description = "Row id to continue after"), ("limit" = Option<u64>, Query, description = "Rows per page")), responses((status = 200, description = "Who did what, when, from where", body = Object)))]
async fn audit(
    State(state): State<AppState>,
    Path(org): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let (after, limit) = body::page(&query, 500)?;
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let rows = state.auth.store.read_audit(&org, after, limit).await?;
    Ok(Json(json!({ "audit": rows })))
}
