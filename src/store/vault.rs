//! Personal data at rest: ID numbers and phones are sealed with AES-256-GCM and
//! found again through a keyed hash (a blind index), so the database alone
//! never reveals them.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::Path;
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct Vault {
    inner: Arc<Keys>,
}

struct Keys {
    seal: Aes256Gcm,
    index: [u8; 32],
    /// Signs short-lived tokens such as QR check-in links.
    pub sign: [u8; 32],
}

pub const KEY_FILE: &str = "secret.key";

fn derive(master: &[u8], purpose: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Vault {
    pub fn from_master(master: &[u8]) -> Vault {
        let seal_key = derive(master, "laobing/seal/v1");
        Vault {
            inner: Arc::new(Keys {
                seal: Aes256Gcm::new(&seal_key.into()),
                index: derive(master, "laobing/index/v1"),
                sign: derive(master, "laobing/sign/v1"),
            }),
        }
    }

    /// The master key comes from `LAOBING_SECRET_KEY` (base64 of 32 bytes), which
    /// every app server of one installation must share; without it a key file is
    /// made once in `dir` and reused.
    pub fn load(dir: &Path) -> Result<Vault, String> {
        if let Ok(k) = std::env::var("LAOBING_SECRET_KEY") {
            let bytes = B64.decode(k.trim()).map_err(|_| "LAOBING_SECRET_KEY is not base64".to_string())?;
            if bytes.len() < 32 {
                return Err("LAOBING_SECRET_KEY must hold at least 32 bytes".into());
            }
            return Ok(Vault::from_master(&bytes));
        }
        let path = dir.join(KEY_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let bytes = B64.decode(text.trim()).map_err(|_| format!("{} is damaged", path.display()))?;
            return Ok(Vault::from_master(&bytes));
        }
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut master = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut master);
        write_private(&path, &B64.encode(master)).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Vault::from_master(&master))
    }

    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .inner
            .seal
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .expect("AES-GCM encryption does not fail for short inputs");
        let mut out = nonce.to_vec();
        out.extend(ct);
        B64.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Option<String> {
        let raw = B64.decode(sealed).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, ct) = raw.split_at(12);
        let plain = self.inner.seal.decrypt(Nonce::from_slice(nonce), ct).ok()?;
        String::from_utf8(plain).ok()
    }

    /// The same input always gives the same index; without the key it cannot be
    /// reversed or guessed by trying all ID numbers.
    pub fn blind(&self, plain: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.inner.index).expect("HMAC takes any key length");
        mac.update(plain.as_bytes());
        hex(&mac.finalize().into_bytes()[..20])
    }

    pub fn sign(&self, message: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.inner.sign).expect("HMAC takes any key length");
        mac.update(message.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..18])
    }
}

pub fn hex(bytes: &[u8]) -> String {
    // on every request (a session's key), so without a string per byte
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_differs_each_time() {
        let v = Vault::from_master(&[7u8; 32]);
        let a = v.seal("11010519491231002X");
        let b = v.seal("11010519491231002X");
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(v.open(&a).as_deref(), Some("11010519491231002X"));
        assert_eq!(v.blind("x"), v.blind("x"));
        let other = Vault::from_master(&[8u8; 32]);
        assert_eq!(other.open(&a), None);
        assert_ne!(other.blind("x"), v.blind("x"));
    }
}
