//! Identifiers and secrets in the forms AWS issues them: unique ids are a
//! four-letter prefix naming the kind of entity and upper-case
//! alphanumerics (21 characters), access key ids 20 characters, secrets 40.

use base64::Engine as _;
use rand::Rng;

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_from(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

/// A unique id: `AROA`, `AIDA`, `AGPA`, `AIPA`, `ANPA` and 17 characters.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}{}", random_from(UPPER_ALNUM, 21 - prefix.len()))
}

/// An access key id: `AKIA` (IAM) or `ASIA` (STS) and 16 characters.
pub fn access_key_id(prefix: &str) -> String {
    format!("{prefix}{}", random_from(UPPER_ALNUM, 20 - prefix.len()))
}

pub fn secret_access_key() -> String {
    random_from(SECRET_CHARS, 40)
}

/// An opaque session token; AWS's are base64 of a few hundred bytes.
pub fn session_token() -> String {
    let mut bytes = [0u8; 192];
    rand::rng().fill(&mut bytes[..]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A unique id that is the same every time for the same `seed`: the role
/// id of a role ARN our IAM does not hold, so that a caller's UserId stays
/// stable across AssumeRole calls. FNV-1a, widened by re-seeding.
pub fn stable_id(prefix: &str, seed: &str) -> String {
    let mut out = String::from(prefix);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut round = 0u8;
    while out.len() < 21 {
        for b in seed.bytes().chain([round]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut x = h;
        for _ in 0..8 {
            if out.len() == 21 {
                break;
            }
            out.push(char::from(UPPER_ALNUM[(x % 36) as usize]));
            x /= 36;
        }
        round = round.wrapping_add(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_lengths() {
        let id = unique_id("AROA");
        assert_eq!(id.len(), 21);
        assert!(id.starts_with("AROA"));
        assert!(id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert_eq!(access_key_id("AKIA").len(), 20);
        assert_eq!(secret_access_key().len(), 40);
        assert_ne!(secret_access_key(), secret_access_key());
        assert!(session_token().len() > 200);
        let s = stable_id("AROA", "arn:aws:iam::1:role/x");
        assert_eq!(s.len(), 21);
        assert_eq!(s, stable_id("AROA", "arn:aws:iam::1:role/x"));
        assert_ne!(s, stable_id("AROA", "arn:aws:iam::1:role/y"));
    }
}
