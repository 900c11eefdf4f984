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
    /// 403: authenticated, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
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
    /// 409 or 422 (as given): items of the request are refused, each with its reason in
    /// the problem's `errors` array; nothing was stored.
    #[error("{detail}")]
    Rejected {
        /// 409 (clashes with stored data) or 422 (invalid input).
        status: StatusCode,
        /// The summary.
        detail: String,
        /// One entry per refused item.
        errors: Vec<ItemProblem>,
    },
    /// 503: not ready yet, or a dependency is down; retry later.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure; details are logged, never returned.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// One refused item of a request, as the problem's `errors` array lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ItemProblem {
    /// The line of a CSV body (the header is row 1), when the request was CSV.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The 0-based index of the item in a JSON request, when it was JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The field or column at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

/// The problem document.
#[derive(Debug, Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [ItemProblem]>,
}

impl ApiError {
    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Rejected { status, .. } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Renders any status and message as a problem response (also used for rejections that
/// do not come from handlers, such as unknown routes).
pub fn problem(status: StatusCode, detail: String) -> Response {
    problem_with(status, detail, None)
}

fn problem_with(status: StatusCode, detail: String, errors: Option<&[ItemProblem]>) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = Problem {
        kind: "about:blank",
        title,
        status: status.as_u16(),
        detail,
        errors,
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
            ApiError::Rejected { detail, errors, .. } => {
                return problem_with(status, detail.clone(), Some(errors));
            }
            other => other.to_string(),
        };
        problem(status, detail)
    }
}

impl From<checkered_store::readmodel::ReadModelError> for ApiError {
    /// Conflict → 409, not found → 404, invalid → 422, refused items → 422 with `errors`
    /// (by index), backend → 500.
    fn from(error: checkered_store::readmodel::ReadModelError) -> Self {
        use checkered_store::readmodel::ReadModelError as E;
        match error {
            E::Conflict(m) => ApiError::Conflict(m),
            E::NotFound(m) => ApiError::NotFound(m),
            E::Invalid(m) => ApiError::Unprocessable(m),
            E::Rejected(items) => ApiError::Rejected {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                detail: format!("{} item(s) refused; nothing was stored", items.len()),
                errors: items
                    .into_iter()
                    .map(|i| ItemProblem {
                        row: None,
                        index: Some(i.index),
                        field: i.field,
                        reason: i.reason,
                    })
                    .collect(),
            },
            other @ E::Backend(_) => ApiError::Internal(anyhow::Error::new(other)),
        }
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
    /// Refused items, when the request carried several (CSV rows, list items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ItemProblem>>,
}
