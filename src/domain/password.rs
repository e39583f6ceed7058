//! Password hashing (Argon2id with the crate's recommended parameters). The
//! strength rules are in `account`; this is how a password is kept and checked.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The PHC string of a password (salt and parameters included). Slow on
/// purpose (19 MiB, tens of milliseconds): call it off the async threads.
pub fn hash(password: &str) -> Option<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).ok()
}

/// Whether a password matches a stored hash; a malformed hash matches nothing.
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
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Zhan#2026chang", &h));
        assert!(!verify("zhan#2026chang", &h));
        assert!(!verify("Zhan#2026chang", "not a hash"));
        assert!(!verify("anything", decoy()));
    }
}
