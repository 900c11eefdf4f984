//! Secrets: random tokens, their digests, password hashing (argon2id, off the async
//! threads), and the token-signing key kept in the data directory.

use anyhow::Context;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::path::Path;

/// File of the HS256 signing key inside the data directory.
pub const KEY_FILE: &str = "auth.key";

/// `n` random bytes from the operating system, base64url.
pub fn random_token(n: usize) -> anyhow::Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Hex SHA-256 of a high-entropy token (refresh tokens are stored this way).
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The argon2id cost: memory in KiB, iterations.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    /// Memory, KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
}

fn hasher(cost: Cost) -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| anyhow::anyhow!("bad argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password or client secret to an argon2id PHC string, on a blocking thread.
pub async fn hash(secret: String, cost: Cost) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let hash = hasher(cost)?
            .hash_password(secret.as_bytes())
            .map_err(|e| anyhow::anyhow!("cannot hash: {e}"))?;
        Ok(hash.to_string())
    })
    .await
    .context("hashing task")?
}

/// Whether `secret` matches the PHC string (`None`: compare against a dummy hash, so an
/// unknown user costs the same time as a wrong password).
pub async fn verify(secret: String, phc: Option<String>, cost: Cost) -> bool {
    let joined = tokio::task::spawn_blocking(move || {
        let Ok(argon) = hasher(cost) else {
            return false;
        };
        let phc = match phc {
            Some(phc) => phc,
            None => {
                let _ = argon.hash_password(b"dummy");
                return false;
            }
        };
        match PasswordHash::new(&phc) {
            Ok(parsed) => argon.verify_password(secret.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    })
    .await;
    joined.unwrap_or(false)
}

/// Reads the signing key, creating it (32 random bytes, mode 0600) on first start.
pub fn signing_key(dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(KEY_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let key = URL_SAFE_NO_PAD
            .decode(text.trim())
            .with_context(|| format!("{} is not a key", path.display()))?;
        anyhow::ensure!(
            key.len() >= 32,
            "{} holds a key shorter than 32 bytes",
            path.display()
        );
        return Ok(key);
    }
    std::fs::create_dir_all(dir)?;
    let text = random_token(32)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()?;
    Ok(URL_SAFE_NO_PAD.decode(text)?)
}
