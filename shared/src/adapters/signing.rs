//! HMAC-SHA256, the one primitive behind the signed forms and links of file storage: the
//! local runtime's own URLs and S3's Signature Version 4 for a POST policy; and hex, which
//! every build needs (the erased-people markers' ids).

#[cfg(any(feature = "local", feature = "s3"))]
use hmac::{Hmac, Mac};
#[cfg(any(feature = "local", feature = "s3"))]
use sha2::Sha256;

#[cfg(any(feature = "local", feature = "s3"))]
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `signature` (hex) is the HMAC of `data` under `key`, compared in constant time.
#[cfg(feature = "local")]
pub fn verify_hex(key: &[u8], data: &[u8], signature: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    let Some(bytes) = decode_hex(signature) else { return false };
    mac.verify_slice(&bytes).is_ok()
}

#[cfg(feature = "local")]
fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}
