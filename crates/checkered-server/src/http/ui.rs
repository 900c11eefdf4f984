//! The web UI: page routes that all serve one HTML shell, and the embedded assets (plain
//! ES modules and CSS, no build step) it loads from `/ui/…`.
//!
//! Every page address is stable and shareable: `/` (home), `/tracks/{track}` (the live
//! board), `/tracks/{track}/sessions/{session}` (an earlier session), `/tracks/{track}/control`
//! (race control), `/tracks/{track}/bmx` (BMX display, `?big=1` for a big screen),
//! `/manage` (event management) and `/embed/tracks/{track}` (the iframe widget). The shell's
//! script reads the path and renders the page.
//!
//! Assets are compiled into the binary (`include_str!`), served with their content type, an
//! `ETag` (a hash of their bytes; weak, because the same bytes also go out gzipped) and
//! `Cache-Control: no-cache`, so browsers revalidate cheaply (`304 Not Modified`) and never
//! run a stale script after an upgrade. Responses are gzipped when the browser accepts it.

use crate::state::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::OnceLock;

/// One embedded file: its name under `/ui/`, content type and text.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! asset {
    ($name:literal, $type:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_str!(concat!("../../assets/ui/", $name)),
        }
    };
}

/// Everything the UI is made of.
const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("api.js", "text/javascript; charset=utf-8"),
    asset!("format.js", "text/javascript; charset=utf-8"),
    asset!("feed.js", "text/javascript; charset=utf-8"),
    asset!("model.js", "text/javascript; charset=utf-8"),
    asset!("board.js", "text/javascript; charset=utf-8"),
    asset!("control.js", "text/javascript; charset=utf-8"),
    asset!("manage.js", "text/javascript; charset=utf-8"),
    asset!("bmx.js", "text/javascript; charset=utf-8"),
    asset!("home.js", "text/javascript; charset=utf-8"),
    asset!("chart.js", "text/javascript; charset=utf-8"),
];

/// The page and asset routes.
pub fn router() -> Router<AppState> {
    PAGES
        .iter()
        .fold(Router::new(), |router, page| router.route(page, get(shell)))
        .route(ASSET_ROUTE, get(file))
        .layer(tower_http::compression::CompressionLayer::new())
}

/// Every page address the UI answers with its page shell (the authorisation policy and its
/// matrix test read this list, so a new page cannot go without a rule).
pub const PAGES: &[&str] = &[
    "/",
    "/manage",
    "/tracks/{track}",
    "/tracks/{track}/control",
    "/tracks/{track}/bmx",
    "/tracks/{track}/sessions/{session}",
    "/embed/tracks/{track}",
];

/// The route of the UI's scripts and style sheets.
pub const ASSET_ROUTE: &str = "/ui/{file}";

/// The total size of the embedded UI in bytes (HTML, CSS and JS), for the docs' figures.
pub fn page_weight() -> usize {
    ASSETS.iter().map(|a| a.body.len()).sum()
}

async fn shell(headers: HeaderMap) -> Response {
    serve(&ASSETS[0], 0, &headers)
}

async fn file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.iter().position(|a| a.name == name) {
        Some(i) => serve(&ASSETS[i], i, &headers),
        None => crate::http::error::problem(StatusCode::NOT_FOUND, format!("no UI file {name:?}")),
    }
}

/// The ETag of each asset, computed once (FNV-1a over its bytes).
fn etag(index: usize) -> &'static str {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    let tags = TAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let hash = a.body.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
                });
                format!("W/\"{hash:016x}\"")
            })
            .collect()
    });
    tags.get(index).map_or("\"0\"", String::as_str)
}

fn serve(asset: &Asset, index: usize, headers: &HeaderMap) -> Response {
    let tag = etag(index);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            )],
            asset.body,
        )
            .into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, value);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_distinct_etag_and_the_shell_loads_the_app() {
        let tags: std::collections::HashSet<_> = (0..ASSETS.len()).map(etag).collect();
        assert_eq!(tags.len(), ASSETS.len());
        assert!(ASSETS[0].body.contains("/ui/app.js"));
        assert!(page_weight() > 0);
    }
}
