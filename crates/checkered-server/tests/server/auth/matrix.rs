//! The authorisation matrix: every operation of the API description (generated from the
//! handlers) × every subject, asserting the exact refusal (401, 403) where the policy
//! refuses and that the handler is reached where it allows. A route without a rule, or a
//! rule for a route that does not exist, fails the test.

use super::fixture::{World, call, expect, world};
use checkered_server::auth::enforce::DENIED_HEADER;
use checkered_server::auth::policy::{self, Rule};
use checkered_store::identity::Role;
use serde_json::{Value, json};

/// Routes that serve pages rather than API operations (not in the API description): the
/// UI's page shells and assets, from the list its router is built from.
fn pages() -> Vec<(&'static str, &'static str)> {
    let ui = checkered_server::http::ui::PAGES.iter().copied();
    ui.chain([checkered_server::http::ui::ASSET_ROUTE])
        .map(|p| ("GET", p))
        .collect()
}

/// The role each subject holds in `org-a` (the organisation owning `alpha`).
fn role_in_a(subject: &str) -> Option<Role> {
    match subject {
        "owner" | "operator" => Some(Role::Owner),
        "admin" => Some(Role::Admin),
        "race_control" => Some(Role::RaceControl),
        "timing_official" => Some(Role::TimingOfficial),
        "viewer" => Some(Role::Viewer),
        _ => None,
    }
}

/// What the policy must answer: `None` = reach the handler, `Some(status)` = refused.
fn expected(subject: &str, method: &str, pattern: &str, rule: Rule) -> Option<u16> {
    let user = role_in_a(subject).is_some() || subject == "foreign_owner";
    let relay = subject == "relay";
    match subject {
        "expired" | "other_key" | "alg_none" | "revoked_relay" if rule != Rule::Open => {
            return Some(401);
        }
        "anonymous" if !matches!(rule, Rule::Open | Rule::PublicRead) => return Some(401),
        _ => {}
    }
    let allowed = match rule {
        Rule::Open | Rule::PublicRead => true,
        Rule::Authenticated => user,
        Rule::Operator => subject == "operator",
        Rule::Relay => relay,
        // The foreign owner creates tracks in their own organisation.
        Rule::Member(Role::Admin) if method == "POST" && pattern == "/api/v1/tracks" => {
            subject == "foreign_owner" || role_in_a(subject).is_some_and(|r| r >= Role::Admin)
        }
        Rule::Member(min) => role_in_a(subject).is_some_and(|r| r >= min),
    };
    (!allowed).then_some(403)
}

/// A concrete path for a pattern (ids that leave the fixture intact when a handler runs).
fn concrete(pattern: &str, throwaway: &str) -> String {
    let path = pattern
        .replace("{org}", "org-a")
        .replace("{event}", "nope")
        .replace("{session}", "latest")
        .replace("{id}", "999")
        .replace("{number}", "999")
        .replace("{version}", "latest")
        .replace("{user}", "nobody")
        .replace("{client}", "rc_nobody");
    let track = if pattern == "/api/v1/tracks/{track}" {
        throwaway
    } else {
        "alpha"
    };
    let path = path.replace("{track}", track);
    if pattern == "/ws/v1/live" {
        return format!("{path}?track_id=alpha");
    }
    path
}

/// The policy this deployment promises, written independently of the table from the
/// shape of each route, so a loosened rule fails here.
fn promised(method: &str, pattern: &str) -> Rule {
    let write = method != "GET";
    match pattern {
        "/"
        | "/healthz/startup"
        | "/healthz/live"
        | "/healthz/ready"
        | "/metrics"
        | "/api/openapi.json"
        | "/api/v1/auth/login"
        | "/api/v1/auth/refresh"
        | "/api/v1/auth/token" => Rule::Open,
        "/api/v1/auth/logout" => Rule::Authenticated,
        "/api/ingest/batch" => Rule::Relay,
        "/api/v1/dead-letters" => Rule::Operator,
        "/api/v1/orgs" if write => Rule::Operator,
        "/api/v1/orgs" => Rule::Authenticated,
        "/api/v1/orgs/{org}" => Rule::Member(Role::Viewer),
        "/ws/v1/live" => Rule::PublicRead,
        p if p.starts_with("/api/v1/orgs/{org}/") => Rule::Member(Role::Admin),
        p if p.ends_with("/control") => Rule::Member(Role::RaceControl),
        p if !write
            && (p.ends_with("/raw")
                || p.ends_with("/dead-letters")
                || p.ends_with("/control/log")) =>
        {
            Rule::Member(Role::Viewer)
        }
        p if write && (p.contains("/entries") || p.contains("/events/{event}/sessions")) => {
            Rule::Member(Role::TimingOfficial)
        }
        _ if write => Rule::Member(Role::Admin),
        _ => Rule::PublicRead,
    }
}

fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    // Logging out revokes the caller's login: last.
    out.sort_by_key(|(m, p)| (p == "/api/v1/auth/logout", m.clone(), p.clone()));
    out
}

#[tokio::test]
async fn every_route_has_a_rule_and_every_rule_a_route() {
    let World { server, .. } = world().await;
    let doc = expect(
        &server,
        reqwest::Method::GET,
        "/api/openapi.json",
        None,
        None,
        200,
    )
    .await;
    let ops = operations(&doc);
    for (method, path) in &ops {
        let rule = policy::rule(method, path);
        assert!(
            rule.is_some(),
            "{method} {path} has no authorisation rule in auth::policy::TABLE"
        );
        assert_eq!(
            rule,
            Some(promised(method, path)),
            "{method} {path}: the rule differs from the promise"
        );
    }
    // Every page is open (what it shows comes from the API under its own rules) and served.
    for (method, page) in pages() {
        assert_eq!(
            policy::rule(method, page),
            Some(Rule::Open),
            "{method} {page}: a UI page needs an Open rule"
        );
        let path = concrete(page, "alpha").replace("{file}", "app.js");
        expect(&server, reqwest::Method::GET, &path, None, None, 200).await;
    }
    for (method, pattern, _) in policy::TABLE {
        let known = ops.iter().any(|(m, p)| m == method && p == pattern)
            || pages().contains(&(*method, *pattern));
        assert!(
            known,
            "the policy names {method} {pattern}, which the router does not serve"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn authorisation_matrix() {
    let world = world().await;
    let server = &world.server;
    let owner = world.tokens["owner"].clone();
    let doc = expect(
        server,
        reqwest::Method::GET,
        "/api/openapi.json",
        None,
        None,
        200,
    )
    .await;
    let ops = operations(&doc);
    assert!(
        ops.len() > 60,
        "the API description lists {} operations",
        ops.len()
    );
    let mut failures = Vec::new();
    let mut cells = 0;
    for (n, (method, pattern)) in ops.iter().enumerate() {
        let rule = policy::rule(method, pattern).expect("rule (checked by the other test)");
        for (subject, token) in &world.tokens {
            let throwaway = format!("tmp-{n}-{}", subject.replace('_', "-"));
            if pattern == "/api/v1/tracks/{track}" {
                let body = json!({"id": throwaway});
                expect(
                    server,
                    reqwest::Method::POST,
                    "/api/v1/tracks",
                    owner.as_deref(),
                    Some(body),
                    201,
                )
                .await;
            }
            let path = concrete(pattern, &throwaway);
            let body = (method != "GET" && method != "DELETE").then(|| json!({}));
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let (status, headers, text) = call(server, m, &path, token.as_deref(), body).await;
            cells += 1;
            let denied = headers.contains_key(DENIED_HEADER);
            match expected(subject, method, pattern, rule) {
                Some(want) if status != want || !denied => failures.push(format!(
                    "{subject:>16} {method} {path}: want {want} from the policy, got {status} {text}"
                )),
                None if denied || status == 500 || status == 401 || status == 403 => {
                    failures.push(format!(
                        "{subject:>16} {method} {path}: want the handler, got {status} {text}"
                    ))
                }
                _ => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cells > 60 * world.tokens.len());
    world.server.stop().await;
}
