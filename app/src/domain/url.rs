//! Query strings for links that reproduce a screen: percent-encoding of parameter values.

/// `a=1&b=x%20y` from pairs, values percent-encoded (RFC 3986 unreserved characters kept).
pub fn encode_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k.as_ref()), encode(v.as_ref())))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but `A-Z a-z 0-9 - . _ ~`.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_pass_through_and_the_rest_is_percent_encoded() {
        assert_eq!(encode("coolify-proxy_1.x~"), "coolify-proxy_1.x~");
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn pairs_join_with_ampersands_in_order() {
        assert_eq!(
            encode_query(&[("v", "1"), ("net", "my net")]),
            "v=1&net=my%20net"
        );
        assert_eq!(encode_query::<&str, &str>(&[]), "");
    }
}
