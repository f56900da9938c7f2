//! The Content-Security-Policy for HTML pages and the per-response nonce it names.

use super::{random_bytes, AuthError};

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The Content-Security-Policy for an HTML response whose inline scripts carry `nonce`.
///
/// Scripts only from this origin or with the nonce ('wasm-unsafe-eval' lets the Leptos wasm
/// module compile, without allowing JavaScript eval); no inline styles, plugins, `<base>`,
/// foreign form targets or framing. Characters outside base64/base64url are dropped from
/// `nonce`, so a bad nonce breaks the page's scripts instead of widening the policy.
pub fn content_security_policy(nonce: &str) -> String {
    let nonce: String = nonce
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '='))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// A fresh nonce: 16 random bytes as base64url without padding (22 characters).
pub fn new_nonce() -> Result<String, AuthError> {
    Ok(base64url(&random_bytes::<16>()?))
}

/// Base64url (RFC 4648 §5) without padding: three bytes become four characters.
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        // One more output character than input bytes: 1 → 2, 2 → 3, 3 → 4.
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(BASE64URL[index as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_nonce_and_allows_wasm_but_not_inline_code() {
        let csp = content_security_policy("abc123_-");
        assert!(
            csp.contains("script-src 'self' 'nonce-abc123_-' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert!(csp.contains("base-uri 'none'"), "{csp}");
        assert!(csp.starts_with("default-src 'self';"), "{csp}");
        assert!(!csp.contains("'unsafe-inline'"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    }

    #[test]
    fn the_policy_is_exactly_the_documented_one() {
        assert_eq!(
            content_security_policy("N"),
            "default-src 'self'; script-src 'self' 'nonce-N' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
    }

    #[test]
    fn a_nonce_with_quotes_cannot_add_sources() {
        let csp = content_security_policy("x' 'unsafe-inline'; script-src *");
        assert!(!csp.contains("'unsafe-inline'"), "{csp}");
        assert!(!csp.contains('*'), "{csp}");
        // The nonce stays one token inside its quotes: no new directive, no new source.
        assert_eq!(csp.matches(';').count(), 9, "{csp}");
        assert!(
            csp.contains("'nonce-xunsafe-inlinescript-src' 'wasm"),
            "{csp}"
        );
    }

    #[test]
    fn nonces_are_22_base64url_characters_and_differ() {
        let a = new_nonce().unwrap();
        let b = new_nonce().unwrap();
        for n in [&a, &b] {
            assert_eq!(n.len(), 22, "{n}");
            assert!(n.bytes().all(|c| BASE64URL.contains(&c)), "{n}");
        }
        assert_ne!(a, b);
    }

    #[test]
    fn base64url_matches_the_rfc_4648_test_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(input.as_bytes()), expected, "{input:?}");
        }
        assert_eq!(base64url(&[0xfb, 0xff, 0xbf]), "-_-_");
    }
}
