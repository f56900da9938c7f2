//! Cross-site request and DNS-rebinding guards, from the Host, Origin and Referer headers.

use std::net::{Ipv4Addr, Ipv6Addr};

/// For a state-changing request: true when the Origin header (or, if absent, the Referer's
/// `scheme://host[:port]`) names the same `host[:port]` as the Host header. Both absent → false.
/// `"null"` origin → false. Compared case-insensitively; ports must match as written, so an
/// Origin without a port matches only a Host without a port.
///
/// Only `http` and `https` origins count; an Origin that is present but unparsable is refused
/// rather than falling back to the Referer.
pub fn same_origin(host: Option<&str>, origin: Option<&str>, referer: Option<&str>) -> bool {
    let Some(host) = host.filter(|h| !h.is_empty()) else {
        return false;
    };
    let source = match (origin, referer) {
        (Some(origin), _) => origin_authority(origin),
        (None, Some(referer)) => referer_authority(referer),
        (None, None) => None,
    };
    source.is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

/// For a dashboard serving on loopback without login: the Host header must be a loopback name —
/// `localhost`, `127.0.0.0/8`, `[::1]` — with or without a port, so a DNS-rebinding page
/// (`Host: evil.example`) is refused.
pub fn is_loopback_host(host: &str) -> bool {
    if let Some(rest) = host.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        return port_ok && inside.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    let (name, port) = match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    port.is_none_or(is_port)
        && (name.eq_ignore_ascii_case("localhost")
            || name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()))
}

/// The `host[:port]` of an Origin header value (`scheme://host[:port]`, nothing after).
fn origin_authority(origin: &str) -> Option<&str> {
    let authority = strip_scheme(origin)?;
    is_authority(authority).then_some(authority)
}

/// The `host[:port]` of a Referer header value (`scheme://host[:port]/path?query`).
fn referer_authority(referer: &str) -> Option<&str> {
    let rest = strip_scheme(referer)?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    is_authority(authority).then_some(authority)
}

fn strip_scheme(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")).then_some(rest)
}

/// A non-empty host with an optional numeric port, and no user info, path or whitespace.
fn is_authority(authority: &str) -> bool {
    !authority.is_empty()
        && !authority.starts_with(':')
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b))
}

fn is_port(port: &str) -> bool {
    !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok()
}

/// Whether a TLS-terminating proxy in front says the browser's request came over HTTPS:
/// `X-Forwarded-Proto: https` (Traefik and Caddy set it) or `Forwarded: …proto=https` (RFC 7239);
/// with several hops listed, the first (the browser's side) counts.
///
/// Only used to add the `Secure` flag to the session cookie. A client that forges it over plain
/// http gets a cookie its browser will not store: it can only break its own sign-in.
pub fn forwarded_https(x_forwarded_proto: Option<&str>, forwarded: Option<&str>) -> bool {
    if let Some(proto) = x_forwarded_proto {
        let first = proto.split(',').next().unwrap_or("").trim();
        return first.eq_ignore_ascii_case("https");
    }
    let Some(forwarded) = forwarded else {
        return false;
    };
    let first_hop = forwarded.split(',').next().unwrap_or("");
    first_hop.split(';').any(|pair| {
        pair.split_once('=').is_some_and(|(key, value)| {
            key.trim().eq_ignore_ascii_case("proto")
                && value.trim().trim_matches('"').eq_ignore_ascii_case("https")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_saying_https_is_believed_for_the_first_hop_only() {
        assert!(forwarded_https(Some("https"), None));
        assert!(forwarded_https(Some("HTTPS, http"), None));
        assert!(!forwarded_https(Some("http"), None));
        assert!(!forwarded_https(Some("http, https"), None));
        assert!(!forwarded_https(None, None));
        assert!(forwarded_https(
            None,
            Some("for=192.0.2.1;proto=https;host=a.example")
        ));
        assert!(forwarded_https(None, Some("proto=\"https\"")));
        assert!(!forwarded_https(
            None,
            Some("for=192.0.2.1;proto=http, proto=https")
        ));
        assert!(!forwarded_https(None, Some("for=192.0.2.1")));
    }

    #[test]
    fn the_same_host_and_port_passes() {
        assert!(same_origin(
            Some("127.0.0.1:3000"),
            Some("http://127.0.0.1:3000"),
            None
        ));
        assert!(same_origin(
            Some("netdoctor.example"),
            Some("https://netdoctor.example"),
            None
        ));
        assert!(same_origin(
            Some("[::1]:3000"),
            Some("http://[::1]:3000"),
            None
        ));
    }

    #[test]
    fn another_host_fails() {
        assert!(!same_origin(
            Some("127.0.0.1:3000"),
            Some("http://evil.example"),
            None
        ));
        assert!(!same_origin(
            Some("netdoctor.example"),
            Some("https://netdoctor.example.evil.example"),
            None
        ));
    }

    #[test]
    fn a_port_mismatch_fails() {
        assert!(!same_origin(
            Some("127.0.0.1:3000"),
            Some("http://127.0.0.1:3001"),
            None
        ));
        assert!(!same_origin(
            Some("127.0.0.1:3000"),
            Some("http://127.0.0.1"),
            None
        ));
        // Default ports are not filled in: an explicit :443 is not the same text as none.
        assert!(!same_origin(
            Some("netdoctor.example"),
            Some("https://netdoctor.example:443"),
            None
        ));
    }

    #[test]
    fn missing_origin_and_referer_fails() {
        assert!(!same_origin(Some("127.0.0.1:3000"), None, None));
    }

    #[test]
    fn a_missing_host_fails() {
        assert!(!same_origin(None, Some("http://127.0.0.1:3000"), None));
        assert!(!same_origin(Some(""), Some("http://"), None));
    }

    #[test]
    fn the_referer_is_used_when_origin_is_absent() {
        let host = Some("127.0.0.1:3000");
        assert!(same_origin(
            host,
            None,
            Some("http://127.0.0.1:3000/settings?tab=password#x")
        ));
        assert!(same_origin(host, None, Some("http://127.0.0.1:3000")));
        assert!(!same_origin(
            host,
            None,
            Some("http://evil.example/127.0.0.1:3000")
        ));
        assert!(!same_origin(
            host,
            None,
            Some("http://127.0.0.1:3000@evil.example/")
        ));
        assert!(!same_origin(host, None, Some("/relative/path")));
    }

    #[test]
    fn origin_wins_over_referer() {
        assert!(!same_origin(
            Some("127.0.0.1:3000"),
            Some("http://evil.example"),
            Some("http://127.0.0.1:3000/")
        ));
    }

    #[test]
    fn a_null_origin_fails() {
        assert!(!same_origin(Some("127.0.0.1:3000"), Some("null"), None));
        assert!(!same_origin(
            Some("127.0.0.1:3000"),
            Some("null"),
            Some("http://127.0.0.1:3000/")
        ));
    }

    #[test]
    fn malformed_origins_fail() {
        let host = Some("127.0.0.1:3000");
        for origin in [
            "",
            "127.0.0.1:3000",
            "ftp://127.0.0.1:3000",
            "http://127.0.0.1:3000/",
            "http://user@127.0.0.1:3000",
            "http:// 127.0.0.1:3000",
            "http://",
        ] {
            assert!(!same_origin(host, Some(origin), None), "{origin:?}");
        }
    }

    #[test]
    fn the_comparison_ignores_case() {
        assert!(same_origin(
            Some("NetDoctor.Example:8443"),
            Some("HTTPS://netdoctor.EXAMPLE:8443"),
            None
        ));
        assert!(same_origin(
            Some("LOCALHOST:3000"),
            None,
            Some("Http://localhost:3000/")
        ));
    }

    #[test]
    fn loopback_host_names_pass() {
        for host in [
            "localhost",
            "localhost:3000",
            "LocalHost:3000",
            "127.0.0.1",
            "127.0.0.1:3000",
            "127.1.2.3",
            "127.255.255.254:80",
            "[::1]",
            "[::1]:3000",
            "[0:0:0:0:0:0:0:1]:3000",
        ] {
            assert!(is_loopback_host(host), "{host:?}");
        }
    }

    #[test]
    fn rebinding_names_fail() {
        for host in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "localhost.evil.example:3000",
            "127.0.0.1.evil.example",
            "127.0.0.1.nip.io:3000",
            "evil-localhost",
            "",
            ":3000",
            "10.0.0.1:3000",
            "0.0.0.0:3000",
            "128.0.0.1",
            "[::2]:3000",
            "[::ffff:127.0.0.1]:3000",
            "::1",
            "[::1]evil",
            "[::1",
            "localhost:",
            "localhost:99999",
            "localhost:3000:3000",
            "localhost:+80",
            "127.1",
        ] {
            assert!(!is_loopback_host(host), "{host:?}");
        }
    }
}
