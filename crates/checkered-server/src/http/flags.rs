//! The flag history of a session, from the projections: each period with its duration and
//! the leader laps run under it (`GET …/sessions/{session}/flags`).
//!
//! # Layout
//! - [`router`]; `flags`: periods and totals per flag.

use crate::http::error::ApiError;
use crate::http::history::session;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/tracks/{track}/sessions/{session}/flags",
        get(flags),
    )
}

/// Periods in order, and the total time and laps under each flag.
#[utoipa::path(get, path = "/api/v1/tracks/{track}/sessions/{session}/flags", tag = "results", params(("track" = String, Path, description = "Track slug"), ("session" = String, Path, description = "Session id or `latest`")), responses((status = 200, description = "Flag periods (a running one is measured up to the latest event) and totals per flag", body = Object), (status = 404, description = "Unknown track or session", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn flags(
    State(state): State<AppState>,
    Path((id, text)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&state, &id, &text).await?;
    let periods = state.projections.flags(&id, session).await?;
    let mut totals: BTreeMap<&str, (i64, u32)> = BTreeMap::new();
    for p in &periods {
        let total = totals.entry(p.flag.as_str()).or_default();
        total.0 = total.0.saturating_add(p.duration_us);
        total.1 = total.1.saturating_add(p.laps);
    }
    let totals: BTreeMap<&str, Value> = totals
        .into_iter()
        .map(|(flag, (duration_us, laps))| {
            (flag, json!({ "duration_us": duration_us, "laps": laps }))
        })
        .collect();
    Ok(Json(
        json!({ "session_id": session, "periods": periods, "totals": totals }),
    ))
}
