//! The one error type of the HTTP layer, rendered as RFC 9457 `application/problem+json`.
//!
//! Client errors carry a precise message. Internal errors are logged once here, with
//! their whole cause chain, and the client only sees that something failed on our side.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (the message says how).
    #[error("{0}")]
    BadRequest(String),
    /// 401: missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 404: no such resource.
    #[error("{0}")]
    NotFound(String),
    /// 409: the resource already exists or the state forbids the change.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body or batch is larger than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// 415: the body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed but semantically invalid.
    #[error("{0}")]
    Unprocessable(String),
    /// 503: not ready yet, or a dependency is down; retry later.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure; details are logged, never returned.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The problem document.
#[derive(Debug, Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
}

impl ApiError {
    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Renders any status and message as a problem response (also used for rejections that
/// do not come from handlers, such as unknown routes).
pub fn problem(status: StatusCode, detail: String) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = Problem {
        kind: "about:blank",
        title,
        status: status.as_u16(),
        detail,
    };
    let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, json).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            ApiError::Internal(error) => {
                tracing::error!(error.cause_chain = ?error, error.message = %error, "internal error");
                "an internal error occurred; it has been logged".to_owned()
            }
            other => other.to_string(),
        };
        problem(status, detail)
    }
}

/// The problem document as the API description shows it (RFC 9457).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemDoc {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What exactly was wrong, for a human.
    pub detail: String,
}
