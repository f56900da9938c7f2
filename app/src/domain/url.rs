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

/// The pairs of `a=1&b=x%20y` (`+` is a space), percent-decoded; malformed escapes are kept
/// as typed.
pub fn decode_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decodes one value.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_queries_decode_back_to_their_pairs() {
        let pairs = [("v", "1"), ("sel", "web app/é"), ("q", "a&b=c")];
        assert_eq!(
            decode_query(&encode_query(&pairs)),
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        );
        assert_eq!(decode("a+b%2"), "a b%2");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(
            decode_query("?x&y="),
            [("x".into(), String::new()), ("y".into(), String::new())]
        );
    }

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
