//! The authorisation policy: one table mapping every `(method, route pattern)` of the
//! router to a [`Rule`]. The enforcement middleware ([`super::enforce`]) looks each request
//! up here by axum's `MatchedPath`; a route missing from the table is refused (500 and a
//! log line), and the matrix test walks the API description against this table, so a new
//! route cannot ship without a rule.
//!
//! To add routes, add rows. Static pages (HTML, assets) are [`Rule::Open`]: the data they
//! load goes through the API and its rules. [`OPEN_PREFIXES`] covers whole trees of static
//! files, and any other `GET` outside `/api/`, `/ws/`, `/healthz/` and `/metrics` is a page
//! and open too; every API route needs its row.

use checkered_store::identity::Role;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone; credentials are not even looked at (probes, docs, pages, the login
    /// endpoints themselves).
    Open,
    /// Anyone may read, subject to the visibility of the event it concerns (`{event}` in
    /// the path or `event_id` in the query; track-level data follows the track's live
    /// private event, if any).
    PublicRead,
    /// Any signed-in user.
    Authenticated,
    /// A member with at least this role in the organisation owning the `{track}` of the
    /// path, or named by `{org}`; for `POST /api/v1/tracks`, the organisation the track
    /// will belong to (`?org=`, or the caller's only organisation).
    Member(Role),
    /// A relay client (or the static ingest token); each event's track must be in scope.
    Relay,
    /// The deployment operator.
    Operator,
}

use Rule::*;

/// Every route of the router and its rule.
pub const TABLE: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz/startup", Open),
    ("GET", "/healthz/live", Open),
    ("GET", "/healthz/ready", Open),
    ("GET", "/metrics", Open),
    ("GET", "/api/openapi.json", Open),
    // The web UI: static page shells and their assets. What a page shows comes from the
    // API and the live socket, each under its own rule (and the event's visibility).
    ("GET", "/", Open),
    ("GET", "/manage", Open),
    ("GET", "/tracks/{track}", Open),
    ("GET", "/tracks/{track}/control", Open),
    ("GET", "/tracks/{track}/bmx", Open),
    ("GET", "/tracks/{track}/sessions/{session}", Open),
    ("GET", "/embed/tracks/{track}", Open),
    ("GET", "/ui/{file}", Open),
    // Identity.
    ("POST", "/api/v1/auth/login", Open),
    ("POST", "/api/v1/auth/refresh", Open),
    ("POST", "/api/v1/auth/token", Open),
    ("POST", "/api/v1/auth/logout", Authenticated),
    ("GET", "/api/v1/orgs", Authenticated),
    ("POST", "/api/v1/orgs", Operator),
    ("GET", "/api/v1/orgs/{org}", Member(Role::Viewer)),
    ("GET", "/api/v1/orgs/{org}/users", Member(Role::Admin)),
    ("POST", "/api/v1/orgs/{org}/users", Member(Role::Admin)),
    (
        "PUT",
        "/api/v1/orgs/{org}/users/{user}",
        Member(Role::Admin),
    ),
    (
        "DELETE",
        "/api/v1/orgs/{org}/users/{user}",
        Member(Role::Admin),
    ),
    (
        "GET",
        "/api/v1/orgs/{org}/relay-clients",
        Member(Role::Admin),
    ),
    (
        "POST",
        "/api/v1/orgs/{org}/relay-clients",
        Member(Role::Admin),
    ),
    (
        "DELETE",
        "/api/v1/orgs/{org}/relay-clients/{client}",
        Member(Role::Admin),
    ),
    ("GET", "/api/v1/orgs/{org}/audit", Member(Role::Admin)),
    // Ingest and the logs.
    ("POST", "/api/ingest/batch", Relay),
    ("GET", "/api/v1/dead-letters", Operator),
    (
        "GET",
        "/api/v1/tracks/{track}/dead-letters",
        Member(Role::Viewer),
    ),
    ("GET", "/api/v1/tracks/{track}/raw", Member(Role::Viewer)),
    ("GET", "/api/v1/tracks/{track}/events/log", PublicRead),
    // Tracks.
    ("GET", "/api/v1/tracks", PublicRead),
    ("POST", "/api/v1/tracks", Member(Role::Admin)),
    ("GET", "/api/v1/tracks/{track}", PublicRead),
    ("PUT", "/api/v1/tracks/{track}", Member(Role::Admin)),
    ("DELETE", "/api/v1/tracks/{track}", Member(Role::Admin)),
    // Race control.
    (
        "POST",
        "/api/v1/tracks/{track}/control",
        Member(Role::RaceControl),
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/control/log",
        Member(Role::Viewer),
    ),
    // Live and projected results.
    ("GET", "/api/v1/tracks/{track}/standings", PublicRead),
    ("GET", "/api/v1/tracks/{track}/sessions", PublicRead),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}",
        PublicRead,
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}/standings",
        PublicRead,
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}/classification",
        PublicRead,
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}/cars",
        PublicRead,
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}/classifications",
        PublicRead,
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}/classifications/{version}",
        PublicRead,
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}/laps",
        PublicRead,
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}/cars/{number}/laps",
        PublicRead,
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/sessions/{session}/flags",
        PublicRead,
    ),
    ("GET", "/api/v1/tracks/{track}/competitors", PublicRead),
    ("GET", "/api/v1/tracks/{track}/projections", PublicRead),
    (
        "POST",
        "/api/v1/tracks/{track}/projections/rebuild",
        Member(Role::Admin),
    ),
    // Events and schedules.
    ("GET", "/api/v1/tracks/{track}/events", PublicRead),
    ("POST", "/api/v1/tracks/{track}/events", Member(Role::Admin)),
    ("GET", "/api/v1/tracks/{track}/events/{event}", PublicRead),
    (
        "PUT",
        "/api/v1/tracks/{track}/events/{event}",
        Member(Role::Admin),
    ),
    (
        "DELETE",
        "/api/v1/tracks/{track}/events/{event}",
        Member(Role::Admin),
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/events/{event}/sessions",
        PublicRead,
    ),
    (
        "POST",
        "/api/v1/tracks/{track}/events/{event}/sessions",
        Member(Role::TimingOfficial),
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/events/{event}/sessions/{id}",
        PublicRead,
    ),
    (
        "PUT",
        "/api/v1/tracks/{track}/events/{event}/sessions/{id}",
        Member(Role::TimingOfficial),
    ),
    (
        "DELETE",
        "/api/v1/tracks/{track}/events/{event}/sessions/{id}",
        Member(Role::TimingOfficial),
    ),
    // Entry lists.
    ("GET", "/api/v1/tracks/{track}/entries", PublicRead),
    (
        "POST",
        "/api/v1/tracks/{track}/entries/import",
        Member(Role::TimingOfficial),
    ),
    (
        "POST",
        "/api/v1/tracks/{track}/entries/sync",
        Member(Role::TimingOfficial),
    ),
    ("GET", "/api/v1/tracks/{track}/entries/{number}", PublicRead),
    (
        "PUT",
        "/api/v1/tracks/{track}/entries/{number}",
        Member(Role::TimingOfficial),
    ),
    (
        "DELETE",
        "/api/v1/tracks/{track}/entries/{number}",
        Member(Role::TimingOfficial),
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/events/{event}/entries",
        PublicRead,
    ),
    (
        "POST",
        "/api/v1/tracks/{track}/events/{event}/entries/import",
        Member(Role::TimingOfficial),
    ),
    (
        "POST",
        "/api/v1/tracks/{track}/events/{event}/entries/sync",
        Member(Role::TimingOfficial),
    ),
    (
        "GET",
        "/api/v1/tracks/{track}/events/{event}/entries/{number}",
        PublicRead,
    ),
    (
        "PUT",
        "/api/v1/tracks/{track}/events/{event}/entries/{number}",
        Member(Role::TimingOfficial),
    ),
    (
        "DELETE",
        "/api/v1/tracks/{track}/events/{event}/entries/{number}",
        Member(Role::TimingOfficial),
    ),
    // The live WebSocket (track from `track_id`, event from `event_id`).
    ("GET", "/ws/v1/live", PublicRead),
];

/// Route prefixes whose every GET is a static page or asset ([`Rule::Open`]).
pub const OPEN_PREFIXES: &[&str] = &["/assets/", "/embed/"];

/// The rule of a route, by method and matched pattern.
pub fn rule(method: &str, pattern: &str) -> Option<Rule> {
    // HEAD is answered by the GET handler.
    let method = if method == "HEAD" { "GET" } else { method };
    TABLE
        .iter()
        .find(|(m, p, _)| *m == method && *p == pattern)
        .map(|(_, _, r)| *r)
        .or_else(|| {
            (method == "GET"
                && (OPEN_PREFIXES.iter().any(|p| pattern.starts_with(p)) || is_page(pattern)))
            .then_some(Rule::Open)
        })
}

/// Whether a route serves a page rather than data.
fn is_page(pattern: &str) -> bool {
    !["/api/", "/ws/", "/healthz/", "/metrics"]
        .iter()
        .any(|p| pattern.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_open_and_unknown_api_routes_have_no_rule() {
        assert_eq!(rule("GET", "/tracks/{track}/control"), Some(Rule::Open));
        assert_eq!(rule("HEAD", "/manage"), Some(Rule::Open));
        assert_eq!(rule("GET", "/assets/{*path}"), Some(Rule::Open));
        assert_eq!(rule("POST", "/manage"), None);
        assert_eq!(rule("GET", "/api/v1/brand-new"), None);
        assert_eq!(rule("GET", "/ws/v2/live"), None);
        assert_eq!(
            rule("POST", "/api/v1/tracks/{track}/control"),
            Some(Rule::Member(Role::RaceControl))
        );
    }
}
