//! What must never leave the server: secret-looking label keys, and secrets in free text (log
//! lines, probe output) that a shared snapshot would carry. Environment values are never read
//! at all (see `engine_json::ContainerConfigJson`).

/// Words that mark a label key as carrying a secret (`…basicauth.users`, `DB_PASSWORD`, …).
pub const SECRET_WORDS: [&str; 9] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "credential",
    "basicauth",
    "private",
];

/// Whether a label key looks like it holds a secret; such labels are dropped, value and all.
pub fn is_secret_label(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| key.contains(w))
        || key
            .split(['.', '_', '-'])
            .any(|part| part == "key" || part == "auth" || part == "pass")
}

/// What replaces a secret.
pub const MASK: &str = "***";

/// Words that make a `key=value`, `key: value` or `"key":"value"` key secret in free text
/// (command output, log lines): its value is masked.
const SECRET_KEYS: [&str; 12] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "authorization",
    "cookie",
    "private_key",
];

/// Masks what looks like a secret in free text — a log line, a probe's output — keeping the
/// rest readable: passwords in URLs (`postgres://user:***@db`), values of secret-looking keys
/// (`password=***`, `"token":"***"`, `Authorization: ***`, `Set-Cookie: ***`), JSON web tokens
/// and private-key blocks. Conservative: it masks too much rather than too little.
pub fn redact_text(text: &str) -> String {
    if text.contains("PRIVATE KEY") {
        return format!("{MASK} (a line of a private key)");
    }
    let text = mask_url_passwords(text);
    let text = mask_keyed_values(&text);
    mask_jwts(&text)
}

/// `scheme://user:password@host` → `scheme://user:***@host`.
fn mask_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // The authority ends at the first of / ? # or whitespace.
        let end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at_sign) => {
                let userinfo = &authority[..at_sign];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..=colon]);
                        out.push_str(MASK);
                    }
                    // A bare token as the user part (`https://TOKEN@github.com`).
                    None if userinfo.len() >= 20 => out.push_str(MASK),
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at_sign..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Whether `key` (the characters before `=` or `:`) names a secret.
fn secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEYS
        .iter()
        .any(|w| key.ends_with(w) || key.contains(w))
        || key == "auth"
        || key.ends_with("_key")
        || key.ends_with("-key")
        || key.ends_with(".key")
}

/// `password=x`, `token: x`, `"secret": "x"`, `Authorization: Bearer x` → the value masked.
fn mask_keyed_values(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '=' && c != ':' {
            out.push(c);
            i += 1;
            continue;
        }
        // The key: word characters (and - . _) just before, skipping one closing quote.
        let mut k = out.len();
        let bytes = out.as_bytes();
        let quoted_key = k > 0 && bytes[k - 1] == b'"';
        if quoted_key {
            k -= 1;
        }
        let mut start = k;
        while start > 0 {
            let b = bytes[start - 1];
            if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.') {
                start -= 1;
            } else {
                break;
            }
        }
        let key = &out[start..k];
        // `://` is a URL, `::` an IPv6 address or a path, `:=`/`==` are code.
        let next = chars.get(i + 1).copied();
        if key.is_empty() || !secret_key(key) || matches!(next, Some('/' | ':' | '=')) {
            out.push(c);
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
        // Spaces after the separator, then an optional quote.
        while i < chars.len() && chars[i] == ' ' {
            out.push(' ');
            i += 1;
        }
        let quote = match chars.get(i) {
            Some(q @ ('"' | '\'')) => {
                out.push(*q);
                i += 1;
                Some(*q)
            }
            _ => None,
        };
        let header = c == ':' && quote.is_none() && !quoted_key;
        let stop = |ch: char| match quote {
            Some(q) => ch == q,
            // A header's value runs to the end of the line (`Authorization: Bearer x`).
            None if header => ch == '\n' || ch == '\r',
            None => {
                ch.is_whitespace() || matches!(ch, '&' | ',' | ';' | '"' | '\'' | ')' | '}' | ']')
            }
        };
        let value_start = i;
        while i < chars.len() && !stop(chars[i]) {
            i += 1;
        }
        if i > value_start {
            out.push_str(MASK);
        }
    }
    out
}

/// `eyJhbGciOi….eyJzdWIi….sig` → `***`.
fn mask_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let token_len = rest[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(rest.len() - at);
        let token = &rest[at..at + token_len];
        if token.matches('.').count() >= 2 && token.len() >= 30 {
            out.push_str(MASK);
        } else {
            out.push_str(token);
        }
        rest = &rest[at + token_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_masked_and_the_rest_kept() {
        assert_eq!(
            redact_text("connecting to postgres://app:S3cret!@db:5432/app failed"),
            "connecting to postgres://app:***@db:5432/app failed"
        );
        assert_eq!(
            redact_text("clone https://ghp_0123456789abcdefghijkl@github.com/x/y"),
            "clone https://***@github.com/x/y"
        );
        assert_eq!(
            redact_text("GET http://web:80/health 200"),
            "GET http://web:80/health 200"
        );
    }

    #[test]
    fn values_of_secret_looking_keys_are_masked_in_every_usual_shape() {
        for (line, secret) in [
            ("DB_PASSWORD=hunter2 started", "hunter2"),
            ("login ok token=abc.def&user=bob", "abc.def"),
            (r#"{"level":"info","api_key":"k-123","msg":"x"}"#, "k-123"),
            ("Authorization: Bearer abcdef0123", "abcdef0123"),
            ("Set-Cookie: session=s3ss10n; HttpOnly", "s3ss10n"),
            ("secret: 'quoted value'", "quoted value"),
            (
                "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
                "wJalrXUtnFEMI",
            ),
            ("stripe_key: sk_live_123", "sk_live_123"),
        ] {
            let masked = redact_text(line);
            assert!(!masked.contains(secret), "{line} → {masked}");
            assert!(masked.contains(MASK), "{line} → {masked}");
        }
        assert_eq!(redact_text("user=bob level=info"), "user=bob level=info");
        assert_eq!(
            redact_text("tcp 0 0 :::80 :::* LISTEN"),
            "tcp 0 0 :::80 :::* LISTEN"
        );
    }

    #[test]
    fn tokens_and_private_keys_are_masked_whole() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(redact_text(&format!("got {jwt} ok")), "got *** ok");
        assert!(redact_text("-----BEGIN OPENSSH PRIVATE KEY-----").starts_with(MASK));
    }

    #[test]
    fn auth_and_password_labels_are_secret() {
        for key in [
            "traefik.http.middlewares.http-basic-auth-x.basicauth.users",
            "caddy_0.basicauth.admin",
            "DB_PASSWORD",
            "app.api_key",
            "vault.token",
            "ssh.private-key",
            "s3.secret",
            "x.key",
        ] {
            assert!(is_secret_label(key), "{key}");
        }
    }

    #[test]
    fn routing_and_identity_labels_are_not_secret() {
        for key in [
            "traefik.http.routers.https-0-x.rule",
            "traefik.docker.network",
            "caddy_ingress_network",
            "coolify.serviceName",
            "com.docker.compose.project",
            "traefik.http.routers.x.tls.certresolver",
            "monkey.island",
        ] {
            assert!(!is_secret_label(key), "{key}");
        }
    }
}
