//! `GET /`: a small live timing board (tracks, flag, standings) over the public API and
//! the live WebSocket, so `checkered demo` has something to look at. Self-contained: no
//! external scripts, styles or fonts.

use crate::state::AppState;
use axum::Router;
use axum::response::Html;
use axum::routing::get;

/// The page.
const BOARD: &str = include_str!("../../assets/board.html");

/// The board route.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(board))
}

async fn board() -> Html<&'static str> {
    Html(BOARD)
}
