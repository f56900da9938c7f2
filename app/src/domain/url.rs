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

/// The server a page is about, as its URL names it: `?server=NAME`, absent for the engine
/// netdoctor was started with (`local`).
pub const SERVER_PARAM: &str = "server";

/// `path` on `server`: its `server=` parameter set (replacing any), or removed for the local
/// engine (`None` or `local`), the rest of the query and any `#fragment` kept as they were.
pub fn with_server(path: &str, server: Option<&str>) -> String {
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut parts: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            !pair.is_empty() && pair.split_once('=').map_or(*pair, |(k, _)| k) != SERVER_PARAM
        })
        .collect();
    let named = server
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "local")
        .map(|s| format!("{SERVER_PARAM}={}", encode(s)));
    if let Some(named) = named.as_deref() {
        parts.push(named);
    }
    let mut out = base.to_owned();
    if !parts.is_empty() {
        out.push('?');
        out.push_str(&parts.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_on_another_server_names_it_once_and_keeps_the_rest_of_its_query() {
        assert_eq!(
            with_server("/containers", Some("app-1")),
            "/containers?server=app-1"
        );
        assert_eq!(
            with_server("/connect?from=web&to=db#top", Some("app-1")),
            "/connect?from=web&to=db&server=app-1#top"
        );
        assert_eq!(
            with_server("/reach?server=old&scope=all", Some("new")),
            "/reach?scope=all&server=new"
        );
        assert_eq!(with_server("/?v=1", Some("a b")), "/?v=1&server=a%20b");
    }

    #[test]
    fn a_link_on_the_local_engine_names_no_server() {
        assert_eq!(with_server("/containers", None), "/containers");
        assert_eq!(
            with_server("/reach?server=x&scope=all", Some("local")),
            "/reach?scope=all"
        );
        assert_eq!(with_server("/?server=x", None), "/");
        assert_eq!(
            with_server("/diagnose?from=a", Some("  ")),
            "/diagnose?from=a"
        );
    }

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
