//! The one place authorisation is decided: a middleware on every route of the router. It
//! finds the route's [`Rule`] by method and `MatchedPath`, establishes the [`Principal`]
//! (bearer token, relay token, static ingest token or nobody), resolves the organisation
//! the request touches (from `{org}`, or the owner of `{track}`), checks event visibility
//! for public reads, and records every successful change in the audit log.
//!
//! Refusals: no or bad credentials 401 (with `WWW-Authenticate`), insufficient role 403,
//! an event the caller may not see 404. Each carries `x-checkered-policy: denied`.

use super::policy::{self, Rule};
use super::{Principal, RelayPrincipal, UserPrincipal};
use crate::http::error::problem;
use crate::state::AppState;
use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use checkered_store::identity::{AuditRecord, Role};
use checkered_store::readmodel::Visibility;
use std::collections::HashMap;

/// The org a `POST /api/v1/tracks` will give the new track (a request extension).
#[derive(Debug, Clone)]
pub struct OwningOrg(pub String);

/// Marks policy refusals, so tests tell them from handler answers.
pub const DENIED_HEADER: &str = "x-checkered-policy";

fn deny(status: StatusCode, detail: String) -> Response {
    let mut response = problem(status, detail);
    response
        .headers_mut()
        .insert(DENIED_HEADER, HeaderValue::from_static("denied"));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"checkered\""),
        );
    }
    response
}

fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "authorisation lookup failed");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "an internal error occurred; it has been logged".into(),
    )
}

/// The bearer token of a request: the `Authorization` header, or `access_token` in the
/// query of a WebSocket upgrade (browsers cannot set headers there).
fn bearer(request: &Request) -> Option<String> {
    if let Some(value) = request.headers().get(header::AUTHORIZATION) {
        let text = value.to_str().ok()?;
        return Some(text.strip_prefix("Bearer ").unwrap_or("").trim().to_owned());
    }
    query(request).remove("access_token")
}

fn query(request: &Request) -> HashMap<String, String> {
    axum::extract::Query::<HashMap<String, String>>::try_from_uri(request.uri())
        .map(|axum::extract::Query(m)| m)
        .unwrap_or_default()
}

fn peer_ip(request: &Request) -> Option<std::net::IpAddr> {
    request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// A 429 with `Retry-After` (whole seconds, at least 1).
fn too_many(wait: std::time::Duration, detail: &str) -> Response {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut response = deny(
        StatusCode::TOO_MANY_REQUESTS,
        format!("{detail}; retry in {secs} s"),
    );
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The peer address, for the audit log.
pub fn peer(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.to_string())
}

/// Who presented `token`; `Err` is the 401 detail.
async fn authenticate(state: &AppState, token: &str) -> Result<Principal, Response> {
    let auth = &state.auth;
    if let Some(expected) = auth.static_ingest.as_deref()
        && constant_time_eq(token.as_bytes(), expected.as_bytes())
    {
        return Ok(Principal::StaticRelay);
    }
    if let Some(issuer) = auth.oidc.issuer_of(token) {
        return auth
            .oidc
            .verify(issuer, token, auth.now_s())
            .await
            .map_err(|why| deny(StatusCode::UNAUTHORIZED, why));
    }
    let claims = auth
        .keys
        .verify(token, auth.now_s())
        .map_err(|why| deny(StatusCode::UNAUTHORIZED, why))?;
    match claims.kind.as_str() {
        "user" => {
            let family = claims.fam.clone();
            if let Some(f) = &family
                && auth.store.family_revoked(f).await.map_err(internal)?
            {
                return Err(deny(
                    StatusCode::UNAUTHORIZED,
                    "this login was revoked; sign in again".into(),
                ));
            }
            let user = auth.store.get_user(&claims.sub).await.map_err(internal)?;
            let user = user.ok_or_else(|| {
                deny(StatusCode::UNAUTHORIZED, "the user no longer exists".into())
            })?;
            let memberships = auth
                .store
                .memberships_of(&user.id)
                .await
                .map_err(internal)?;
            Ok(Principal::User(UserPrincipal {
                id: user.id,
                operator: user.operator,
                family,
                memberships,
            }))
        }
        "relay" => {
            let client = auth
                .store
                .get_relay_client(&claims.sub)
                .await
                .map_err(internal)?;
            match client {
                Some(c) if c.revoked_at_us.is_none() => Ok(Principal::Relay(RelayPrincipal {
                    client_id: c.client_id,
                    org_id: c.org_id,
                    tracks: c.tracks,
                })),
                _ => Err(deny(
                    StatusCode::UNAUTHORIZED,
                    "this relay client was revoked".into(),
                )),
            }
        }
        _ => Err(deny(StatusCode::UNAUTHORIZED, "unknown token kind".into())),
    }
}

/// Compares without leaking where the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The middleware.
pub async fn enforce(
    State(state): State<AppState>,
    matched: MatchedPath,
    params: RawPathParams,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let pattern = matched.as_str().to_owned();
    let Some(rule) = policy::rule(method.as_str(), &pattern) else {
        tracing::error!(%method, %pattern, "route without an authorisation rule refused");
        return deny(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("no authorisation rule for {method} {pattern}"),
        );
    };
    let ip = peer_ip(&request);
    let sign_in = matches!(
        pattern.as_str(),
        "/api/v1/auth/login" | "/api/v1/auth/refresh" | "/api/v1/auth/token"
    );
    if state.auth.enabled
        && sign_in
        && let Some(ip) = ip
        && let Err(wait) = state.auth.limits.login(ip)
    {
        return too_many(wait, "too many sign-in attempts from this address");
    }
    if rule == Rule::Open {
        return next.run(request).await;
    }
    let principal = if !state.auth.enabled {
        Principal::Unrestricted
    } else {
        match bearer(&request) {
            Some(token) => match authenticate(&state, &token).await {
                Ok(p) => p,
                Err(refusal) => return refusal,
            },
            None => Principal::Anonymous,
        }
    };
    let limited = match (&principal, rule, ip) {
        (Principal::Relay(r), Rule::Relay, _) => state.auth.limits.ingest(&r.client_id).err(),
        (Principal::Anonymous, Rule::PublicRead, Some(ip)) => state.auth.limits.public(ip).err(),
        _ => None,
    };
    if let Some(wait) = limited {
        return too_many(wait, "too many requests; slow down");
    }
    let params: HashMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let query = query(&request);
    let code = request
        .headers()
        .get("x-access-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| query.get("code").cloned());
    let asked = Asked {
        method: &method,
        pattern: &pattern,
        params: &params,
        query: &query,
        code: code.as_deref(),
    };
    let org = match decide(&state, rule, &principal, &asked).await {
        Ok(org) => org,
        Err(refusal) => return refusal,
    };
    if let (Some(org), true) = (&org, pattern == "/api/v1/tracks" && method == Method::POST) {
        request.extensions_mut().insert(OwningOrg(org.clone()));
    }
    let remote = peer(&request);
    request.extensions_mut().insert(principal.clone());
    let response = next.run(request).await;
    if state.auth.enabled
        && method != Method::GET
        && method != Method::HEAD
        && rule != Rule::Relay
        && response.status().is_success()
    {
        let target = params.get("track").or(params.get("org")).cloned();
        state
            .auth
            .audit(AuditRecord {
                id: 0,
                org_id: org,
                at_us: crate::clock::now_us(),
                actor: principal.actor(),
                action: format!("{method} {pattern}"),
                target,
                remote_addr: remote,
                detail: Some(format!("status {}", response.status().as_u16())),
            })
            .await;
    }
    response
}

/// What a request asks for, as the policy reads it.
struct Asked<'a> {
    method: &'a Method,
    pattern: &'a str,
    params: &'a HashMap<String, String>,
    query: &'a HashMap<String, String>,
    /// The access code given (`?code=` or `X-Access-Code`).
    code: Option<&'a str>,
}

/// Applies `rule`; `Ok` carries the organisation the request touches, if any.
async fn decide(
    state: &AppState,
    rule: Rule,
    principal: &Principal,
    asked: &Asked<'_>,
) -> Result<Option<String>, Response> {
    let Asked {
        method,
        pattern,
        params,
        query,
        ..
    } = asked;
    if matches!(principal, Principal::Unrestricted) {
        return Ok(None);
    }
    let signed_in = !matches!(principal, Principal::Anonymous);
    let unauthorised = || {
        deny(
            StatusCode::UNAUTHORIZED,
            "this route needs credentials: `Authorization: Bearer <access token>`".into(),
        )
    };
    match rule {
        Rule::Open => Ok(None),
        Rule::Authenticated => match principal {
            Principal::User(_) | Principal::Unrestricted => Ok(None),
            Principal::Anonymous => Err(unauthorised()),
            _ => Err(deny(
                StatusCode::FORBIDDEN,
                "only users may call this".into(),
            )),
        },
        Rule::Operator => match principal {
            Principal::Unrestricted => Ok(None),
            Principal::User(u) if u.operator => Ok(None),
            Principal::Anonymous => Err(unauthorised()),
            _ => Err(deny(
                StatusCode::FORBIDDEN,
                "only the deployment operator may call this".into(),
            )),
        },
        Rule::Relay => match principal {
            Principal::Relay(r) => Ok(Some(r.org_id.clone())),
            Principal::StaticRelay | Principal::Unrestricted => Ok(None),
            Principal::Anonymous => Err(unauthorised()),
            _ => Err(deny(
                StatusCode::FORBIDDEN,
                "ingest takes relay credentials (POST /api/v1/auth/token)".into(),
            )),
        },
        Rule::Member(role) => {
            if !signed_in {
                return Err(unauthorised());
            }
            let org = member_org(state, principal, method, pattern, params, query).await?;
            let Some(org) = org else {
                return Err(deny(
                    StatusCode::FORBIDDEN,
                    "this resource belongs to no organisation you hold a role in".into(),
                ));
            };
            match principal.role_in(&org) {
                Some(held) if held >= role => Ok(Some(org)),
                _ => Err(deny(
                    StatusCode::FORBIDDEN,
                    format!("this needs the role {} in {org:?}", role.as_str()),
                )),
            }
        }
        Rule::PublicRead => visible(state, principal, asked).await,
    }
}

/// The organisation a member rule is checked in.
async fn member_org(
    state: &AppState,
    principal: &Principal,
    method: &Method,
    pattern: &str,
    params: &HashMap<String, String>,
    query: &HashMap<String, String>,
) -> Result<Option<String>, Response> {
    if let Some(org) = params.get("org") {
        return Ok(Some(org.clone()));
    }
    if let Some(track) = params.get("track") {
        return state.auth.store.track_owner(track).await.map_err(internal);
    }
    if pattern == "/api/v1/tracks" && *method == Method::POST {
        if let Some(org) = query.get("org") {
            return Ok(Some(org.clone()));
        }
        if let Principal::User(u) = principal {
            let mut admin = u.memberships.iter().filter(|m| m.role >= Role::Admin);
            if let (Some(only), None) = (admin.next(), admin.next()) {
                return Ok(Some(only.org_id.clone()));
            }
            return Err(deny(
                StatusCode::FORBIDDEN,
                "say which organisation the track belongs to: POST /api/v1/tracks?org=…".into(),
            ));
        }
    }
    Ok(None)
}

/// Event visibility for public reads: a private event is seen by members of the owning
/// organisation only; anyone else gets 404, as if it did not exist. Track-level data
/// (standings, sessions, the live feed without `event_id`) is private while a private
/// event runs at the track (no end, or its window holds now).
async fn visible(
    state: &AppState,
    principal: &Principal,
    asked: &Asked<'_>,
) -> Result<Option<String>, Response> {
    let (params, query) = (asked.params, asked.query);
    let Some(track) = params.get("track").or(query.get("track_id")) else {
        return Ok(None);
    };
    let owner = state
        .auth
        .store
        .track_owner(track)
        .await
        .map_err(internal)?;
    if matches!(principal, Principal::Unrestricted) {
        return Ok(owner);
    }
    let member = owner
        .as_deref()
        .is_some_and(|org| principal.role_in(org).is_some())
        || principal.may_ingest(track);
    if member {
        return Ok(owner);
    }
    let hidden = || {
        deny(
            StatusCode::NOT_FOUND,
            format!("unknown track or event at {track:?}"),
        )
    };
    let event = params.get("event").or(query.get("event_id"));
    if let Some(event) = event.filter(|e| e.as_str() != "log") {
        let found = state
            .catalog
            .get_event(track, event)
            .await
            .map_err(internal)?;
        if let Some(found) = found
            && !may_see(state, &found, asked.code).await?
        {
            return Err(hidden());
        }
        return Ok(owner);
    }
    let now = crate::clock::now_us();
    let events = state.catalog.list_events(track).await.map_err(internal)?;
    for event in events.iter().filter(|e| {
        e.visibility != Visibility::Public
            && e.starts_at_us.is_none_or(|s| s <= now)
            && e.ends_at_us.is_none_or(|end| end >= now)
    }) {
        if !may_see(state, event, asked.code).await? {
            return Err(hidden());
        }
    }
    Ok(owner)
}

/// Whether a non-member may see `event`: public, or unlisted with its access code.
async fn may_see(
    state: &AppState,
    event: &checkered_store::readmodel::EventRecord,
    code: Option<&str>,
) -> Result<bool, Response> {
    match event.visibility {
        Visibility::Public => Ok(true),
        Visibility::Private => Ok(false),
        Visibility::Unlisted => {
            let Some(given) = code else {
                return Ok(false);
            };
            let stored = state
                .auth
                .store
                .event_code(&event.track_id, &event.id)
                .await
                .map_err(internal)?;
            Ok(stored.is_some_and(|s| constant_time_eq(s.as_bytes(), given.as_bytes())))
        }
    }
}
