//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP with
//! HMAC-SHA-1, 30-second steps, 6 digits: what every authenticator app reads
//! from an `otpauth://` QR code), and the one-time recovery codes that stand
//! in for a lost phone.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP: i64 = 30;
/// Steps either side of now that are still accepted (a phone's clock drifts).
pub const WINDOW: i64 = 1;
/// Recovery codes given at enrolment, each good once.
pub const RECOVERY_CODES: usize = 10;

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(B32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(B32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The bytes of a base32 secret (spaces, case and padding ignored).
pub fn from_base32(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = B32.iter().position(|&x| x as char == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// HOTP (RFC 4226) of a counter, `digits` long.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0; // HMAC takes keys of any length; never happens
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    bin % 10u32.pow(digits)
}

/// The step a Unix time falls in.
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(STEP)
}

/// The six-digit code of a secret at a Unix time, as the phone shows it.
pub fn code_at(secret: &[u8], unix: i64) -> String {
    format!("{:06}", hotp(secret, step_of(unix).max(0) as u64, 6))
}

/// The step whose code `code` is, within the window around `unix`, if any
/// and if it is later than `after` (a code is good once).
pub fn check(secret: &[u8], code: &str, unix: i64, after: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix);
    let mut hit = None;
    // every step of the window is computed, hit or not, so timing says nothing
    for step in now - WINDOW..=now + WINDOW {
        if step < 0 {
            continue;
        }
        let good = format!("{:06}", hotp(secret, step as u64, 6));
        if constant_eq(good.as_bytes(), code.as_bytes()) && after.is_none_or(|a| step > a) && hit.is_none() {
            hit = Some(step);
        }
    }
    hit
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The address an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits=6&period={STEP}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// A recovery code as typed (`abcd-efgh`, any case, spaces or not), reduced
/// to the form it is stored under; `None` for anything that cannot be one.
pub fn normalize_recovery(code: &str) -> Option<String> {
    let s: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
    (s.len() == 10 && s.bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'9').contains(&b))).then_some(s)
}

/// A new recovery code from ten random values below 32 (letters and digits
/// that cannot be mistaken for one another are not needed: base32 has no 0/1).
pub fn recovery_code(random: &[u8; 10]) -> String {
    let s: String = random.iter().map(|b| (B32[(*b & 31) as usize] as char).to_ascii_lowercase()).collect();
    format!("{}-{}", &s[..5], &s[5..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_test_vectors_for_sha1() {
        // Appendix B: the ASCII secret "12345678901234567890", 8 digits
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59u64, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(secret, t / 30, 8), want, "T = {t}");
        }
        assert_eq!(code_at(secret, 59), "287082");
    }

    #[test]
    fn rfc_4226_hotp_vectors() {
        let secret = b"12345678901234567890";
        let want = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(hotp(secret, i as u64, 6), *w);
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(from_base32("mzxw 6ytb oi"), Some(b"foobar".to_vec()));
        assert_eq!(from_base32("MZXW6YTBOI======"), Some(b"foobar".to_vec()));
        assert_eq!(from_base32("01"), None);
        for n in 0..40u8 {
            let v: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(from_base32(&base32(&v)), Some(v));
        }
    }

    #[test]
    fn a_code_is_good_within_one_step_and_only_once() {
        let secret = b"12345678901234567890";
        let now = 1_900_000_000;
        let code = code_at(secret, now);
        let step = step_of(now);
        assert_eq!(check(secret, &code, now, None), Some(step));
        assert_eq!(check(secret, &code, now + 30, None), Some(step), "a step late");
        assert_eq!(check(secret, &code, now - 30, None), Some(step), "a step early");
        assert_eq!(check(secret, &code, now + 90, None), None, "too late");
        assert_eq!(check(secret, &code, now, Some(step)), None, "used already");
        assert_eq!(check(secret, &format!("{} {}", &code[..3], &code[3..]), now, None), Some(step));
        for bad in ["", "12345", "1234567", "abcdef", "２８７０８２", "一二三四五六"] {
            assert_eq!(check(secret, bad, now, None), None, "{bad}");
        }
    }

    #[test]
    fn recovery_codes_are_typed_loosely() {
        let c = recovery_code(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 31]);
        assert_eq!(c, "abcde-fghi7");
        assert_eq!(normalize_recovery("ABCDE FGHI7"), Some("abcdefghi7".into()));
        assert_eq!(normalize_recovery("abcde-fghi7"), Some("abcdefghi7".into()));
        assert_eq!(normalize_recovery("abcde-fghi"), None);
        assert_eq!(normalize_recovery("abcde-fghi1"), None);
        assert_eq!(normalize_recovery("密码密码密码密码密码"), None);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let u = otpauth_uri("老兵", "staff", "ABC");
        assert!(u.starts_with("otpauth://totp/%E8%80%81%E5%85%B5:staff?secret=ABC&issuer=%E8%80%81%E5%85%B5"), "{u}");
    }
}
