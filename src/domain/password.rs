//! Password hashing (Argon2id). The strength rules are in `account`; this is
//! how a password is kept and checked.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Memory (KiB) and passes of a new hash: 7 MiB over five passes, one lane.
/// OWASP's password storage guidance lists this beside 19 MiB over two passes
/// (the crate's default) as giving the same defence, trading memory for time;
/// a town's small PC serving sign-ins between page views is short of memory,
/// not of time, so each sign-in holds 7 MiB for a moment instead of 19.
/// Hashes made with other parameters carry them in their PHC string and are
/// checked with those.
pub const MEMORY_KIB: u32 = 7 * 1024;
pub const PASSES: u32 = 5;

fn hasher() -> Argon2<'static> {
    match Params::new(MEMORY_KIB, PASSES, 1, None) {
        Ok(params) => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        // the constants are valid; never reached
        Err(_) => Argon2::default(),
    }
}

/// The PHC string of a password (salt and parameters included). Slow on
/// purpose (7 MiB, tens of milliseconds): call it off the async threads.
pub fn hash(password: &str) -> Option<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).ok()
}

/// Whether a password matches a stored hash, with the parameters the hash
/// names (older hashes were made with 19 MiB); a malformed hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// A hash of a password nobody has, checked against when the user name is
/// unknown so that the answer takes as long as for a real account.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let mut secret = [0u8; 24];
        rand::RngCore::fill_bytes(&mut OsRng, &mut secret);
        hash(&base64::Engine::encode(&base64::engine::general_purpose::STANDARD, secret)).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_checks_its_own_password_only() {
        let h = hash("Zhan#2026chang").unwrap_or_default();
        assert!(h.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{h}");
        assert!(verify("Zhan#2026chang", &h));
        assert!(!verify("zhan#2026chang", &h));
        assert!(!verify("Zhan#2026chang", "not a hash"));
        assert!(!verify("anything", decoy()));
    }
}
