//! Unguessable tokens for cookies and links, in one format: 32 bytes from the OS as 64 lowercase
//! hex characters. The first half finds the record; the second half is a secret compared in
//! constant time, so timing a lookup reveals at most the lookup half, never enough to forge one.

/// Bytes in a token; its text is twice as many hex characters.
pub const TOKEN_BYTES: usize = 32;
/// Bytes in each half.
pub const HALF_BYTES: usize = TOKEN_BYTES / 2;

/// A token split into its lookup half and its secret half.
#[derive(Clone, PartialEq, Eq)]
pub struct SplitToken {
    /// Finds the record (stored as is).
    pub lookup: [u8; HALF_BYTES],
    /// Proves the holder got the token from us (compare with [`constant_time_eq`]).
    pub secret: [u8; HALF_BYTES],
}

impl SplitToken {
    /// A new token from the OS random source.
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self::from_bytes(&random_bytes::<TOKEN_BYTES>()?))
    }

    /// The token in `text` if it is exactly 64 lowercase hex characters; anything else (other
    /// length, upper case, spaces, non-ASCII) is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        parse_hex::<TOKEN_BYTES>(text).map(|bytes| Self::from_bytes(&bytes))
    }

    /// The token as it is handed out: 64 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        let mut text = to_hex(&self.lookup);
        text.push_str(&to_hex(&self.secret));
        text
    }

    fn from_bytes(bytes: &[u8; TOKEN_BYTES]) -> Self {
        let mut lookup = [0u8; HALF_BYTES];
        let mut secret = [0u8; HALF_BYTES];
        lookup.copy_from_slice(&bytes[..HALF_BYTES]);
        secret.copy_from_slice(&bytes[HALF_BYTES..]);
        Self { lookup, secret }
    }
}

impl std::fmt::Debug for SplitToken {
    /// Never prints the secret half.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SplitToken")
            .field("lookup", &to_hex(&self.lookup))
            .field("secret", &"<hidden>")
            .finish()
    }
}

/// `N` bytes from the OS random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// Lowercase hex, two characters per byte.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The `N` bytes written as exactly `2 * N` lowercase hex characters, else `None`.
pub fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let hex = text.as_bytes();
    if hex.len() != N * 2 {
        return None;
    }
    let mut bytes = [0u8; N];
    for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(bytes)
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Equality whose running time does not depend on where the inputs differ (only on their length).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // black_box keeps the optimiser from turning the fold into an early-exit comparison.
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hex_is_lowercase_and_two_digits_per_byte() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(parse_hex::<4>("000fabff"), Some([0x00, 0x0f, 0xab, 0xff]));
    }

    #[test]
    fn hex_of_the_wrong_length_or_case_does_not_parse() {
        for bad in [
            "",
            "000fabf",
            "000fabff0",
            "000FABFF",
            "000fabfg",
            " 00fabff",
            "000fab\u{e9}",
        ] {
            assert_eq!(parse_hex::<4>(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn constant_time_eq_matches_ordinary_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn a_token_prints_as_64_lowercase_hex_and_parses_back_into_its_halves() {
        let token = SplitToken::generate().unwrap();
        let text = token.to_hex();
        assert_eq!(text.len(), 64);
        assert!(text.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        assert_eq!(SplitToken::parse(&text), Some(token.clone()));
        assert_eq!(text[..32], to_hex(&token.lookup));
        assert!(!format!("{token:?}").contains(&to_hex(&token.secret)));
    }
}
