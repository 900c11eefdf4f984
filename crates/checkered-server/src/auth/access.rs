//! Event visibility helpers the event handlers call: the access codes of unlisted events,
//! and which events a list shows to whom.

use super::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;
use checkered_store::readmodel::{EventRecord, Visibility};

/// Checks the access code given with an event (before it is stored): well-formed, and
/// present for an unlisted event that has none yet.
pub async fn check_code(
    state: &AppState,
    event: &EventRecord,
    code: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(code) = code {
        let ok = (4..=64).contains(&code.chars().count())
            && !code.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(ApiError::Unprocessable(
                "access_code must be 4 to 64 characters without spaces".into(),
            ));
        }
        return Ok(());
    }
    if event.visibility == Visibility::Unlisted
        && state
            .auth
            .store
            .event_code(&event.track_id, &event.id)
            .await?
            .is_none()
    {
        return Err(ApiError::Unprocessable(
            "an unlisted event needs an access_code".into(),
        ));
    }
    Ok(())
}

/// Stores the access code given with an event (after the event is stored).
pub async fn save_code(
    state: &AppState,
    event: &EventRecord,
    code: Option<String>,
) -> Result<(), ApiError> {
    if let Some(code) = code {
        state
            .auth
            .store
            .set_event_code(&event.track_id, &event.id, &code)
            .await?;
    }
    Ok(())
}

/// The events of a list the caller may see: members of the owning organisation see all,
/// everyone else the public ones.
pub async fn listed(
    state: &AppState,
    principal: Option<&Principal>,
    track: &str,
    events: Vec<EventRecord>,
) -> Result<Vec<EventRecord>, ApiError> {
    let principal = principal.cloned().unwrap_or(Principal::Unrestricted);
    if matches!(principal, Principal::Unrestricted) {
        return Ok(events);
    }
    let owner = state.auth.store.track_owner(track).await?;
    if owner.is_some_and(|org| principal.role_in(&org).is_some()) {
        return Ok(events);
    }
    Ok(events
        .into_iter()
        .filter(|e| e.visibility == Visibility::Public)
        .collect())
}
