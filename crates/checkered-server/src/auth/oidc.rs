//! External identity providers (Keycloak, Auth0, …): access tokens from a configured OIDC
//! issuer, verified against the issuer's JWKS (fetched over HTTPS, cached, fetched again
//! when a token names a key the cache lacks), with the organisation and role taken from
//! claims by configuration. The built-in issuer stays the default; a token goes here only
//! when its `iss` names a configured issuer.
//!
//! The JWKS is fetched over HTTPS when the crate is built with the `oidc-https` feature,
//! over plain HTTP otherwise (an issuer inside the deployment's network).
//!
//! Only asymmetric algorithms are accepted (a JWKS holds public keys; HS* would let anyone
//! who read the JWKS sign), and the expiry is checked with no leeway.

use super::{Principal, UserPrincipal};
use checkered_store::identity::{Membership, Role};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

/// One trusted issuer, as configured (`[[oidc]]` in the TOML file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcIssuer {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// Where its JWKS is (`…/protocol/openid-connect/certs`, `…/.well-known/jwks.json`).
    pub jwks_url: String,
    /// The `aud` its tokens must carry, when set.
    #[serde(default)]
    pub audience: Option<String>,
    /// The claim naming the organisation (default `org`).
    #[serde(default = "org_claim")]
    pub org_claim: String,
    /// The claim naming the role: a string or an array (default `role`).
    #[serde(default = "role_claim")]
    pub role_claim: String,
    /// The organisation of tokens without the org claim.
    #[serde(default)]
    pub org: Option<String>,
    /// Claim values mapped to roles (`"race-director" = "race_control"`); values that are
    /// role names themselves need no entry.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
}

fn org_claim() -> String {
    "org".into()
}

fn role_claim() -> String {
    "role".into()
}

/// The configured issuers and their cached key sets.
pub struct Oidc {
    issuers: Vec<OidcIssuer>,
    http: reqwest::Client,
    /// JWKS per issuer. A std mutex: never held across an await.
    keys: Mutex<HashMap<String, JwkSet>>,
}

#[derive(Deserialize)]
struct IssuerOnly {
    iss: Option<String>,
}

impl Oidc {
    /// For the configured issuers.
    pub fn new(issuers: Vec<OidcIssuer>) -> Oidc {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Oidc {
            issuers,
            http,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The configured issuer a token claims to come from (unverified: routing only).
    pub fn issuer_of(&self, token: &str) -> Option<&OidcIssuer> {
        use base64::Engine;
        let payload = token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?;
        let claims: IssuerOnly = serde_json::from_slice(&bytes).ok()?;
        let iss = claims.iss?;
        self.issuers.iter().find(|i| i.issuer == iss)
    }

    async fn fetch(&self, issuer: &OidcIssuer) -> Result<JwkSet, String> {
        if issuer.jwks_url.starts_with("https:") && !cfg!(feature = "oidc-https") {
            return Err(format!(
                "the JWKS of {} is on HTTPS; this build fetches JWKS over HTTP only (build with --features checkered-server/oidc-https)",
                issuer.issuer
            ));
        }
        let response = self
            .http
            .get(&issuer.jwks_url)
            .send()
            .await
            .map_err(|e| format!("cannot fetch the JWKS of {}: {e}", issuer.issuer))?;
        if !response.status().is_success() {
            return Err(format!(
                "the JWKS of {} answered {}",
                issuer.issuer,
                response.status()
            ));
        }
        let set: JwkSet = response
            .json()
            .await
            .map_err(|e| format!("the JWKS of {} is unreadable: {e}", issuer.issuer))?;
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(issuer.issuer.clone(), set.clone());
        Ok(set)
    }

    async fn key(&self, issuer: &OidcIssuer, kid: &str) -> Result<DecodingKey, String> {
        let cached = self
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&issuer.issuer)
            .and_then(|set| set.find(kid).cloned());
        let jwk = match cached {
            Some(jwk) => jwk,
            None => self
                .fetch(issuer)
                .await?
                .find(kid)
                .cloned()
                .ok_or_else(|| format!("{} has no key {kid:?}", issuer.issuer))?,
        };
        DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable key {kid:?}: {e}"))
    }

    /// Verifies a token of `issuer` at `now_s` and maps its claims to a user.
    pub async fn verify(
        &self,
        issuer: &OidcIssuer,
        token: &str,
        now_s: i64,
    ) -> Result<Principal, String> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| format!("the token is not valid ({e})"))?;
        if matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err("external issuers must sign with a public-key algorithm".into());
        }
        let kid = header.kid.ok_or("the token names no key (kid)")?;
        let key = self.key(issuer, &kid).await?;
        let mut validation = Validation::new(header.alg);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        validation.set_issuer(&[&issuer.issuer]);
        match &issuer.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| format!("the token is not valid ({e})"))?;
        let claims = data.claims;
        let exp = claims["exp"].as_i64().ok_or("the token has no expiry")?;
        if exp <= now_s {
            return Err("the access token has expired; refresh it".into());
        }
        let sub = claims["sub"].as_str().ok_or("the token has no subject")?;
        let org = claims[issuer.org_claim.as_str()]
            .as_str()
            .map(str::to_owned)
            .or_else(|| issuer.org.clone());
        let role = role_of(issuer, &claims[issuer.role_claim.as_str()]);
        let id = format!("oidc:{}:{sub}", issuer.issuer);
        let memberships = match (org, role) {
            (Some(org_id), Some(role)) => vec![Membership {
                org_id,
                user_id: id.clone(),
                role,
            }],
            _ => Vec::new(),
        };
        Ok(Principal::User(UserPrincipal {
            id,
            operator: false,
            family: None,
            memberships,
        }))
    }
}

/// The strongest role the claim value(s) map to.
fn role_of(issuer: &OidcIssuer, value: &Value) -> Option<Role> {
    let values: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    values
        .into_iter()
        .filter_map(|v| {
            issuer
                .roles
                .get(v)
                .and_then(|r| Role::parse(r))
                .or_else(|| Role::parse(v))
        })
        .max()
}
