//! Shared by the projection reads: resolving a session of the projections.
//!
//! # Layout
//! - [`session`]: `latest` or a number, checked against the projections.

use crate::http::error::ApiError;
use crate::http::reads::track;
use crate::state::AppState;

/// A session id from the path, as the projections know it: a number, or `latest` (the
/// highest id). 404 for an unknown track or session.
pub async fn session(state: &AppState, track_id: &str, text: &str) -> Result<u32, ApiError> {
    track(state, track_id)?;
    if text == "latest" {
        let sessions = state.projections.sessions(track_id).await?;
        return sessions
            .last()
            .map(|s| s.session_id)
            .ok_or_else(|| ApiError::NotFound(format!("track {track_id:?} has no session yet")));
    }
    let id: u32 = text.parse().map_err(|_| {
        ApiError::BadRequest(format!(
            "session must be a number or `latest`, not {text:?}"
        ))
    })?;
    if state.projections.session(track_id, id).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "track {track_id:?} has no session {id}"
        )));
    }
    Ok(id)
}
