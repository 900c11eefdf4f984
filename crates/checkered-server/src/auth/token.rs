//! Access tokens: short-lived HS256 JWTs signed with the deployment's key. The header
//! must say HS256 (so `alg: none` and every other algorithm are refused), the signature
//! must verify with our key, and the expiry is checked against the server clock with no
//! leeway.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Issuer claim of the built-in issuer.
pub const ISSUER: &str = "checkered";

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// `checkered`.
    pub iss: String,
    /// The user id or relay client id.
    pub sub: String,
    /// `user` or `relay`.
    pub kind: String,
    /// The refresh family of a user's login (logout revokes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<String>,
    /// Issued at, seconds.
    pub iat: i64,
    /// Expires at, seconds.
    pub exp: i64,
}

/// The signing and verifying key.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    /// From the raw key bytes.
    pub fn new(secret: &[u8]) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// Signs claims.
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| anyhow::anyhow!("cannot sign a token: {e}"))
    }

    /// Verifies a token at `now_s`; the error says why it is refused (never the token).
    pub fn verify(&self, token: &str, now_s: i64) -> Result<Claims, String> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        validation.set_issuer(&[ISSUER]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| format!("the access token is not valid ({e})"))?;
        if data.claims.exp <= now_s {
            return Err("the access token has expired; refresh it".into());
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: ISSUER.into(),
            sub: "u".into(),
            kind: "user".into(),
            fam: None,
            iat: 0,
            exp,
        }
    }

    #[test]
    fn refuses_expired_foreign_and_unsigned_tokens() {
        let keys = Keys::new(&[7u8; 32]);
        let good = keys.sign(&claims(100)).expect("sign");
        assert_eq!(keys.verify(&good, 99).expect("valid").sub, "u");
        assert!(keys.verify(&good, 100).is_err(), "expired at exp");
        let other = Keys::new(&[8u8; 32]).sign(&claims(100)).expect("sign");
        assert!(keys.verify(&other, 1).is_err(), "other key");
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(100)).expect("json"));
        let none = format!(
            "{}.{body}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
        );
        assert!(keys.verify(&none, 1).is_err(), "alg none");
    }
}
