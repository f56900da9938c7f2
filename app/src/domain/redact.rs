//! What must never leave the server: secret-looking labels, and secrets in free text (log
//! lines, probe output) that a shared snapshot would carry. Environment values are never read
//! at all (see `engine_json::ContainerConfigJson`).
//!
//! The rules are conservative — masking too much beats too little — but keep the near-misses
//! people need to read a log: `password_reset_sent=true`, `compass=north`, a URL without a
//! password, "Basic setup done".

/// Words that mark a label key as carrying a secret (`…basicauth.users`, `DB_PASSWORD`, …).
pub const SECRET_WORDS: [&str; 12] = [
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "credential",
    "basicauth",
    "digestauth",
    "authorization",
    "private",
];

/// Whether a label key looks like it holds a secret; such labels are dropped, value and all.
/// Besides the words above: a `key`, `auth` or `pass` part (`x.key`, `DB_PASS`), and a last
/// part that names a credential header (`…customrequestheaders.Cookie`, `….X-Api-Key`).
pub fn is_secret_label(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
        || lower
            .split(['.', '_', '-'])
            .any(|part| part == "key" || part == "auth" || part == "pass")
        || key
            .rsplit('.')
            .next()
            .is_some_and(|last| key_secrecy(last) == Secrecy::Strong)
}

/// Whether a label, key or value, carries a credential: a secret-looking key, or a value that
/// sets a credential header (Caddy's `header_up: Authorization "Bearer x"`), carries a
/// `Bearer`/`Basic` credential or a password hash (`user:$apr1$…`). Such labels are dropped.
pub fn is_secret_label_entry(key: &str, value: &str) -> bool {
    is_secret_label(key) || carries_credential(value)
}

fn carries_credential(value: &str) -> bool {
    let v = value.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '+' | '-' | '>')
    });
    let first = v
        .split(|c: char| c.is_whitespace() || matches!(c, ':' | '=' | '"' | '\''))
        .next()
        .unwrap_or_default();
    key_secrecy(first) == Secrecy::Strong
        || mask_auth_schemes(value) != value
        || mask_password_hashes(value) != value
}

/// What replaces a secret.
pub const MASK: &str = "***";

/// What replaces every line of a private key.
pub const PRIVATE_KEY_LINE: &str = "*** (a line of a private key)";

/// Masks what looks like a secret in free text — a log line, a probe's output — keeping the
/// rest readable: passwords in URLs (`postgres://user:***@db`), values of secret-looking keys
/// (`password=***`, `"token" : "***"`, `Authorization: ***`, `Set-Cookie: ***`), secret flags
/// (`--password ***`, `mysql -p***`), `Bearer`/`Basic` credentials, well-known token shapes
/// (GitHub, Stripe, Slack, AWS, JWT, …), signed-URL parameters, password hashes
/// (`user:$apr1$***`) and private keys (every line of a multi-line text inside a PEM block).
pub fn redact_text(text: &str) -> String {
    let mut redactor = LineRedactor::new();
    text.split('\n')
        .map(|line| redactor.line(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Redacts a sequence of lines in order, remembering what spans lines: inside a PEM private
/// key (`-----BEGIN … PRIVATE KEY-----` up to `-----END …`) every line is masked, so a key
/// logged one line at a time leaves nothing behind.
#[derive(Debug, Default, Clone)]
pub struct LineRedactor {
    in_private_key: bool,
}

impl LineRedactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// One line, redacted.
    pub fn line(&mut self, text: &str) -> String {
        if self.in_private_key {
            if text.contains("-----END") {
                self.in_private_key = false;
            }
            return PRIVATE_KEY_LINE.to_owned();
        }
        if text.contains("PRIVATE KEY") {
            self.in_private_key = text.contains("-----BEGIN") && !text.contains("-----END");
            return PRIVATE_KEY_LINE.to_owned();
        }
        if is_base64_body_line(text) {
            // A key's body whose BEGIN line fell outside the lines kept.
            return PRIVATE_KEY_LINE.to_owned();
        }
        redact_line(text)
    }
}

fn redact_line(text: &str) -> String {
    let text = mask_url_passwords(text);
    let text = mask_keyed_values(&text);
    let text = mask_flag_values(&text);
    let text = mask_auth_schemes(&text);
    let text = mask_known_tokens(&text);
    let text = mask_jwts(&text);
    let text = mask_password_hashes(&text);
    mask_words(&text)
}

/// A whole line of base64 long enough to be a key's body (`MIIEvQIBADANBgkqhkiG9w0BAQEFAASC…`).
fn is_base64_body_line(text: &str) -> bool {
    let t = text.trim();
    t.len() >= 40
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && mixed_classes(t)
}

/// Upper case, lower case and digits all present: what random tokens look like and words,
/// hex digests and ids do not.
fn mixed_classes(t: &str) -> bool {
    t.bytes().any(|b| b.is_ascii_uppercase())
        && t.bytes().any(|b| b.is_ascii_lowercase())
        && t.bytes().any(|b| b.is_ascii_digit())
}

/// Replaces byte ranges of `text` with [`MASK`]; overlapping ranges are merged.
fn replace_spans(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        if end <= at {
            continue;
        }
        let start = start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whitespace-separated words with their byte ranges.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// `scheme://user:password@host` → `scheme://user:***@host`, also when the password holds an
/// `@` or a `/` (`postgres://u:p@ss@h`, `redis://:pa/ss@cache`).
fn mask_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // The URL ends at whitespace or a quote; its authority at the first of / ? #.
        let url_end = after
            .find(|c: char| matches!(c, '"' | '\'' | '<' | '>' | '`') || c.is_whitespace())
            .unwrap_or(after.len());
        let end = after[..url_end].find(['/', '?', '#']).unwrap_or(url_end);
        let authority = &after[..end];
        let userinfo_end = match authority.rfind('@') {
            Some(at_sign) => Some(at_sign),
            // `user:pa/ss@host`: a colon not followed by a port, then an `@` further on.
            None => authority.find(':').and_then(|colon| {
                let port = &authority[colon + 1..];
                let is_port = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
                (!is_port)
                    .then(|| after[end..url_end].find('@').map(|a| end + a))
                    .flatten()
            }),
        };
        let consumed = match userinfo_end {
            Some(at_sign) => {
                let userinfo = &after[..at_sign];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..=colon]);
                        out.push_str(MASK);
                    }
                    // A bare token as the user part (`https://TOKEN@github.com`).
                    None if userinfo.len() >= 20 => out.push_str(MASK),
                    None => out.push_str(userinfo),
                }
                let host_end = after[at_sign..url_end]
                    .find(['/', '?', '#'])
                    .map_or(url_end, |e| at_sign + e);
                out.push_str(&after[at_sign..host_end]);
                host_end
            }
            None => {
                out.push_str(authority);
                end
            }
        };
        rest = &after[consumed..];
    }
    out.push_str(rest);
    out
}

/// How secret a key (the word before `=` or `:`, or a flag's name) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Secrecy {
    None,
    /// It names something about a secret (`password_reset_sent`, `token_count`): its value is
    /// masked unless it is plainly not a secret (`true`, `12`).
    Weak,
    /// It holds a secret (`DB_PASSWORD`, `api_key`, `X-Amz-Signature`): always masked.
    Strong,
}

/// Endings that make a key hold a secret.
const SECRET_ENDINGS: [&str; 19] = [
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "credentials",
    "authorization",
    "cookie",
    "private_key",
    "private-key",
    "privatekey",
    "signature",
    "sessionid",
    "session_id",
];

/// Short words that make a key secret only as a whole part: `DB_PASS`, `x.key`, `basic_auth`,
/// `dbPass` — not `compass`, `monkey`, `oauth`.
const SECRET_PARTS: [&str; 4] = ["pass", "key", "auth", "pw"];

/// Query-string parameters that carry a credential (`?sig=…`, `&key=…`, `?code=…`).
const SECRET_QUERY_KEYS: [&str; 7] = [
    "sig",
    "key",
    "code",
    "session",
    "x-amz-credential",
    "x-goog-credential",
    "access_token",
];

/// Words that make a key about a secret when they appear anywhere in it.
const SECRET_MENTIONS: [&str; 9] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "credential",
    "authorization",
    "cookie",
];

fn key_secrecy(key: &str) -> Secrecy {
    let key = key.trim_start_matches('-');
    if key.is_empty() || !key.is_ascii() {
        return Secrecy::None;
    }
    let lower = key.to_ascii_lowercase();
    if SECRET_ENDINGS.iter().any(|w| lower.ends_with(w))
        || SECRET_PARTS.iter().any(|w| ends_with_part(key, &lower, w))
    {
        Secrecy::Strong
    } else if SECRET_MENTIONS.iter().any(|w| lower.contains(w))
        || lower
            .split(['_', '-', '.'])
            .any(|part| SECRET_PARTS.contains(&part) || part == "pwd")
    {
        Secrecy::Weak
    } else {
        Secrecy::None
    }
}

/// Whether `key` ends with the part `w`: the whole key, after a separator, or a camel-case
/// word (`dbPass`).
fn ends_with_part(key: &str, lower: &str, w: &str) -> bool {
    if lower == w {
        return true;
    }
    if !lower.ends_with(w) {
        return false;
    }
    let split = key.len() - w.len();
    let before = key[..split].chars().last();
    let first = key[split..].chars().next();
    matches!(before, Some('_' | '-' | '.'))
        || (before.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && first.is_some_and(|c| c.is_ascii_uppercase()))
}

/// A value that is plainly not a secret, kept under a key that only mentions one.
fn is_plain_value(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    matches!(
        v.as_str(),
        "" | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "null"
            | "nil"
            | "none"
            | "enabled"
            | "disabled"
    ) || (v.len() <= 3 && v.bytes().all(|b| b.is_ascii_digit()))
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// `password=x`, `password = x`, `token: x`, `'secret': 'x'`, `"secret" : "x"`,
/// `password => 'x'`, `{\"token\":\"x\"}`, `Authorization: Bearer x`, `?sig=x` → the value
/// masked.
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
        let next = chars.get(i + 1).copied();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        // `://` is a URL, `::` an IPv6 address or a path, `:=`, `==`, `!=`, `<=` are code.
        if matches!(next, Some('/' | ':' | '='))
            || matches!(prev, Some(':' | '=' | '!' | '<' | '>'))
        {
            out.push(c);
            i += 1;
            continue;
        }
        // The key: word characters just before, past spaces and one closing quote.
        let mut k = i;
        while k > 0 && chars[k - 1] == ' ' {
            k -= 1;
        }
        let quoted_key = k > 0 && matches!(chars[k - 1], '"' | '\'');
        if quoted_key {
            k -= 1;
            // A key quoted inside a JSON string (`{\"token\":…}`).
            if k > 0 && chars[k - 1] == '\\' {
                k -= 1;
            }
        }
        let mut start = k;
        while start > 0 && is_key_char(chars[start - 1]) {
            start -= 1;
        }
        let key: String = chars[start..k].iter().collect();
        let in_query = start > 0 && matches!(chars[start - 1], '?' | '&' | ';');
        let mut secrecy = key_secrecy(&key);
        if in_query && SECRET_QUERY_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
            secrecy = Secrecy::Strong;
        }
        out.push(c);
        i += 1;
        if secrecy == Secrecy::None {
            continue;
        }
        if c == '=' && next == Some('>') {
            out.push('>');
            i += 1;
        }
        // Spaces after the separator, then an optional quote, maybe escaped (`\"`).
        while i < chars.len() && chars[i] == ' ' {
            out.push(' ');
            i += 1;
        }
        // A JSON array of values (Caddy's `"Authorization":["Bearer x"]`): its first value.
        if chars.get(i) == Some(&'[') {
            out.push('[');
            i += 1;
        }
        let escaped = chars.get(i) == Some(&'\\') && matches!(chars.get(i + 1), Some('"' | '\''));
        if escaped {
            out.push('\\');
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
        let stops = |j: usize| match quote {
            Some(q) if escaped => chars[j] == '\\' && chars.get(j + 1) == Some(&q),
            Some(q) => chars[j] == q,
            // A header's value runs to the end of the line (`Authorization: Bearer x`).
            None if header => chars[j] == '\n' || chars[j] == '\r',
            None => {
                chars[j].is_whitespace()
                    || matches!(
                        chars[j],
                        '&' | ',' | ';' | '"' | '\'' | ')' | '}' | ']' | '#'
                    )
            }
        };
        let value_start = i;
        while i < chars.len() && !stops(i) {
            i += 1;
        }
        let value: String = chars[value_start..i].iter().collect();
        if secrecy == Secrecy::Weak && is_plain_value(&value) {
            out.push_str(&value);
        } else if !value.is_empty() {
            out.push_str(MASK);
        }
    }
    out
}

/// Secrets given as command-line flags: `--password x`, `--token x`, `mysql -pSECRET`,
/// `redis-cli -a x`, `sshpass -p x`, `curl -u user:x`.
fn mask_flag_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mysql = lower.contains("mysql") || lower.contains("mariadb");
    let curl = lower.contains("curl") || lower.contains("wget");
    let ws = words(text);
    let mut spans = Vec::new();
    for (n, &(s, e)) in ws.iter().enumerate() {
        let word = &text[s..e];
        let next = ws.get(n + 1).copied();
        let next_word = next.map(|(a, b)| &text[a..b]);
        let next_is_value = next_word.is_some_and(|w| !w.starts_with('-'));
        if mysql && word.starts_with("-p") && word.len() > 2 && !word.starts_with("--") {
            spans.push((s + 2, e));
        } else if word.starts_with('-') && !word.contains('=') && next_is_value {
            let flag = word.trim_start_matches('-');
            let takes_secret = key_secrecy(flag) == Secrecy::Strong
                || (word == "-a" && lower.contains("redis-cli"))
                || (word == "-p" && lower.contains("sshpass"));
            let user_flag = curl && matches!(word, "-u" | "--user" | "--proxy-user");
            match next {
                Some((a, b)) if takes_secret => spans.push((a, b)),
                Some((a, b)) if user_flag => {
                    if let Some(colon) = text[a..b].find(':') {
                        spans.push((a + colon + 1, b));
                    }
                }
                _ => {}
            }
        } else if curl && word.starts_with("--user=") {
            if let Some(colon) = word.find(':') {
                spans.push((s + colon + 1, e));
            }
        }
    }
    spans.retain(|(a, b)| a < b);
    replace_spans(text, spans)
}

/// A word as English writes it (`setup`, `Token`): letters, lower case after the first.
fn is_plain_word(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_lowercase())
}

/// `Bearer x` and `Basic x` wherever they appear (not only after `Authorization:`); "Basic
/// setup done" and "the bearer of" stay.
fn mask_auth_schemes(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let token_byte = |b: u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
    };
    let mut spans = Vec::new();
    for scheme in ["bearer", "basic"] {
        let mut from = 0;
        while let Some(found) = lower[from..].find(scheme) {
            let p = from + found;
            from = p + scheme.len();
            if p > 0 && bytes[p - 1].is_ascii_alphanumeric() {
                continue;
            }
            let mut t = from;
            while t < bytes.len() && matches!(bytes[t], b' ' | b'\t') {
                t += 1;
            }
            if t == from {
                continue;
            }
            let mut e = t;
            while e < bytes.len() && token_byte(bytes[e]) {
                e += 1;
            }
            let token = &text[t..e];
            let keep = match scheme {
                "basic" => token.len() < 4 || is_plain_word(token),
                _ => token.len() < 8 || (is_plain_word(token) && token.len() <= 12),
            };
            if !keep {
                spans.push((t, e));
            }
        }
    }
    replace_spans(text, spans)
}

/// Token shapes that are secrets wherever they appear: (prefix, least length after it).
const TOKEN_PREFIXES: [(&str, usize); 28] = [
    ("ghp_", 20),
    ("gho_", 20),
    ("ghu_", 20),
    ("ghs_", 20),
    ("ghr_", 20),
    ("github_pat_", 20),
    ("glpat-", 20),
    ("sk_live_", 8),
    ("sk_test_", 8),
    ("rk_live_", 8),
    ("rk_test_", 8),
    ("whsec_", 8),
    ("xoxb-", 8),
    ("xoxp-", 8),
    ("xoxa-", 8),
    ("xoxr-", 8),
    ("xoxs-", 8),
    ("xoxe-", 8),
    ("xapp-", 8),
    ("npm_", 30),
    ("hf_", 30),
    ("sk-", 20),
    ("AIza", 30),
    ("AKIA", 16),
    ("ASIA", 16),
    ("AIDA", 16),
    ("AROA", 16),
    ("ABIA", 16),
];

fn mask_known_tokens(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    for (prefix, least) in TOKEN_PREFIXES {
        // AWS key ids are upper case and digits only.
        let aws = prefix.len() == 4 && prefix.starts_with('A') && prefix != "AIza";
        let body = |b: u8| {
            if aws {
                b.is_ascii_uppercase() || b.is_ascii_digit()
            } else {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')
            }
        };
        let mut from = 0;
        while let Some(found) = text[from..].find(prefix) {
            let p = from + found;
            from = p + prefix.len();
            if p > 0 && bytes[p - 1].is_ascii_alphanumeric() {
                continue;
            }
            let mut e = from;
            while e < bytes.len() && body(bytes[e]) {
                e += 1;
            }
            if e - from >= least {
                spans.push((p, e));
            }
        }
    }
    replace_spans(text, spans)
}

/// The schemes of crypt(3)-style password hashes (`$apr1$`, `$2y$`, `$6$`, `$argon2id$`, …).
const HASH_SCHEMES: [&str; 17] = [
    "1",
    "2a",
    "2b",
    "2x",
    "2y",
    "5",
    "6",
    "7",
    "y",
    "gy",
    "apr1",
    "argon2i",
    "argon2d",
    "argon2id",
    "scrypt",
    "pbkdf2-sha256",
    "pbkdf2-sha512",
];

/// LDAP-style hash tags in htpasswd files (`{SHA}base64`).
const HASH_TAGS: [&str; 6] = [
    "{SHA}",
    "{SSHA}",
    "{SMD5}",
    "{SSHA256}",
    "{SSHA512}",
    "{CRYPT}",
];

fn hash_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | ')' | ']' | '}'))
        .map_or(text.len(), |e| from + e)
}

/// htpasswd and htdigest values: `user:$apr1$…`, `user:$2y$…` (also compose's escaped
/// `$$2y$$…`), `user:{SHA}…`, `user:realm:<32 hex>` → the user kept, the hash masked.
fn mask_password_hashes(text: &str) -> String {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find('$') {
        let p = from + found;
        from = p + 1;
        if p > 0 && text.as_bytes()[p - 1] == b'$' {
            continue;
        }
        let scheme_start = p + text[p..].bytes().take_while(|&b| b == b'$').count();
        let Some(len) = text[scheme_start..].find('$') else {
            break;
        };
        if HASH_SCHEMES.contains(&&text[scheme_start..scheme_start + len]) {
            let end = hash_end(text, p);
            spans.push((p, end));
            from = end.max(from);
        }
    }
    for tag in HASH_TAGS {
        let mut from = 0;
        while let Some(found) = text[from..].find(tag) {
            let start = from + found + tag.len();
            let end = hash_end(text, start);
            if end > start {
                spans.push((start, end));
            }
            from = end.max(start);
        }
    }
    for (s, e) in words(text) {
        let word = text[s..e].trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | ';'));
        let offset = s + text[s..e].find(word).unwrap_or(0);
        let mut parts = word.splitn(3, ':');
        if let (Some(user), Some(realm), Some(hash)) = (parts.next(), parts.next(), parts.next()) {
            if !user.is_empty()
                && !realm.is_empty()
                && hash.len() == 32
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
            {
                let start = offset + word.len() - 32;
                spans.push((start, start + 32));
            }
        }
    }
    replace_spans(text, spans)
}

/// Long random-looking words (upper, lower and digits, 32 characters or more, no `/` so paths
/// stay): API keys and secrets of shapes not listed above. Hex ids and digests stay.
fn mask_words(text: &str) -> String {
    let bytes = text.as_bytes();
    let word_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'=' | b'_' | b'-');
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !word_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && word_byte(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        if word.len() >= 32 && mixed_classes(word) {
            spans.push((start, i));
        }
    }
    replace_spans(text, spans)
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

    /// (the line, the secret that must go, the readable part that must stay)
    const SHAPES: [(&str, &str, &str); 45] = [
        ("password = hunter2 ok", "hunter2", "password ="),
        ("'password': 'hunter2'", "hunter2", "'password':"),
        (r#"{"password" : "hunter2"}"#, "hunter2", r#""password" :"#),
        (r#"msg={\"token\":\"tok-hunter2\"}"#, "hunter2", "token"),
        (
            "$db = ['password' => 'hunter2'];",
            "hunter2",
            "'password' =>",
        ),
        ("DB_PASS=hunter2 connecting", "hunter2", "connecting"),
        ("REDIS_PASS: hunter2", "hunter2", "REDIS_PASS"),
        ("dbPass=hunter2", "hunter2", "dbPass="),
        (
            "running mysql -uroot -phunter2 app",
            "hunter2",
            "mysql -uroot -p",
        ),
        (
            "backup: mysqldump -phunter2 --all-databases",
            "hunter2",
            "--all-databases",
        ),
        (
            "exec app --password hunter2 --port 80",
            "hunter2",
            "--port 80",
        ),
        ("cli --api-key hunter2key", "hunter2key", "--api-key"),
        ("redis-cli -a hunter2 ping", "hunter2", "ping"),
        ("curl -u admin:hunter2 http://web/", "hunter2", "-u admin:"),
        (
            "sent Bearer abc123hunter2xyz to upstream",
            "hunter2",
            "to upstream",
        ),
        (
            "retrying with bearer hunter2hunter2hunter2",
            "hunter2",
            "retrying with bearer",
        ),
        (
            "header Basic YWRtaW46aHVudGVyMg== rejected",
            "YWRtaW46aHVudGVyMg",
            "rejected",
        ),
        (
            "clone ghp_Hunter2Hunter2Hunter2Hunter2Hunter2 ok",
            "Hunter2",
            "clone",
        ),
        (
            "pat github_pat_11AAAAAAA0hunter2hunter2hunter2",
            "hunter2",
            "pat",
        ),
        (
            "charge with sk_live_51Hunter2abcdef failed",
            "Hunter2",
            "failed",
        ),
        (
            "slack xoxb-1234-5678-hunter2abc posted",
            "hunter2",
            "posted",
        ),
        (
            "key id AKIAIOSFODNN7EXAMPLE in use",
            "AKIAIOSFODNN7EXAMPLE",
            "key id",
        ),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI",
            "aws_secret_access_key =",
        ),
        (
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
            "wJalrXUtnFEMI",
            "AWS_SECRET_ACCESS_KEY=",
        ),
        (
            "GET /blob?sv=2021&sig=hunter2%3D&se=2030 200",
            "hunter2",
            "sv=2021",
        ),
        (
            "GET /o?X-Amz-Credential=AKID%2Fhunter2&X-Amz-Signature=hunter3abc&X-Amz-Expires=60",
            "hunter2",
            "X-Amz-Expires=60",
        ),
        ("GET /o?X-Amz-Signature=hunter3abc&a=1", "hunter3abc", "a=1"),
        (
            "callback /cb?code=hunter2&state=xyz",
            "hunter2",
            "state=xyz",
        ),
        ("GET /api?token=hunter2&page=2 200", "hunter2", "page=2"),
        ("GET /maps?key=AIzaHunter2 200", "Hunter2", "/maps?key="),
        (
            "dial postgres://u:p@ss-hunter2@db:5432/app",
            "hunter2",
            "@db:5432/app",
        ),
        (
            "dial redis://:pa/ss-hunter2@cache:6379",
            "hunter2",
            "@cache:6379",
        ),
        (
            "admin:$apr1$hunter2$Hunter2Hunter2Hunt/",
            "hunter2",
            "admin:",
        ),
        ("bob:$2y$05$hunter2hunter2hunter2hu", "hunter2", "bob:"),
        ("bob:$$2y$$05$$hunter2hunter2hunter2hu", "hunter2", "bob:"),
        (
            "carol:{SHA}hunter2hunter2hunter2=",
            "hunter2",
            "carol:{SHA}",
        ),
        (
            "dave:Restricted:0123456789abcdef0123456789abcdef",
            "0123456789abcdef",
            "dave:Restricted:",
        ),
        (
            "Authorization: Basic YWRtaW46aHVudGVyMg==",
            "YWRtaW46",
            "Authorization:",
        ),
        ("Cookie: sid=hunter2; theme=dark", "hunter2", "Cookie:"),
        (
            "api key Hunter2Hunter2Hunter2Hunter2xyz0 loaded",
            "Hunter2",
            "loaded",
        ),
        ("client_secret=hunter2", "hunter2", "client_secret="),
        ("session_id=hunter2 user=bob", "hunter2", "user=bob"),
        (
            "SENTRY: https://abcdefabcdefabcdef0123@o1.ingest.sentry.io/1",
            "abcdefabcdefabcdef0123",
            "ingest.sentry.io/1",
        ),
        (
            "npm_Hunter2Hunter2Hunter2Hunter2Hunter2ab published",
            "Hunter2",
            "published",
        ),
        (
            r#"{"headers":{"Authorization":["Bearer hunter2"],"Cookie":["sid=hunter3"]}}"#,
            "hunter",
            r#""Authorization":["#,
        ),
    ];

    #[test]
    fn every_shape_of_secret_in_real_logs_is_masked_and_the_rest_kept() {
        let wrong: Vec<String> = SHAPES
            .iter()
            .filter_map(|(line, secret, readable)| {
                let masked = redact_text(line);
                let ok = !masked.contains(secret) && masked.contains(readable);
                (!ok).then(|| format!("{line} → {masked} (secret {secret:?}, kept {readable:?})"))
            })
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn near_misses_stay_exactly_as_they_were() {
        let mut wrong = Vec::new();
        for line in [
            "password_reset_sent=true",
            r#"{"password_reset_sent":true,"token_count":3}"#,
            "compass=north passenger=2 bypass=on",
            "GET https://example.com/path/@bob?page=2 200",
            "GET http://web:8080/health 200",
            "Basic setup done",
            "Basic authentication is enabled",
            "the bearer of bad news",
            "Bearer token required",
            "image sha256:3f4a9c1e0b6d8a7f5e2c1b0a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e",
            "container qk8w4ks4sgw4gcgc8o0oc0g8-123456789012 started",
            "ssh -p2222 deploy@host",
            "docker run -u 1000:1000 app",
            "level=info msg=\"listening\" addr=:8080",
            "tcp 0 0 :::80 :::* LISTEN",
            "if a == b && c != d",
            "cost $5 total",
            "user=bob level=info",
        ] {
            let masked = redact_text(line);
            if masked != line {
                wrong.push(format!("{line} → {masked}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn a_private_key_logged_line_by_line_leaves_no_line_behind() {
        let lines = [
            "loading key",
            "-----BEGIN RSA PRIVATE KEY-----",
            "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB",
            "aGVsbG8gd29ybGQ",
            "-----END RSA PRIVATE KEY-----",
            "key loaded",
        ];
        let mut r = LineRedactor::new();
        let out: Vec<String> = lines.iter().map(|l| r.line(l)).collect();
        assert_eq!(out[0], "loading key");
        for line in &out[1..5] {
            assert_eq!(line, PRIVATE_KEY_LINE);
        }
        assert_eq!(out[5], "key loaded");
        // The same key in one text, and a key's body whose BEGIN line was cut off.
        let joined = redact_text(&lines.join("\n"));
        assert!(
            !joined.contains("MIIEpAIBAAKCAQEA") && !joined.contains("aGVsbG8"),
            "{joined}"
        );
        assert!(joined.starts_with("loading key\n") && joined.ends_with("\nkey loaded"));
        let mut r = LineRedactor::new();
        assert_eq!(r.line(lines[2]), PRIVATE_KEY_LINE);
    }

    #[test]
    fn labels_that_carry_credentials_are_dropped_by_key_or_by_value() {
        for (key, value) in [
            (
                "traefik.http.middlewares.a.basicauth.users",
                "admin:$apr1$x$y",
            ),
            (
                "traefik.http.middlewares.a.digestauth.users",
                "admin:r:0123",
            ),
            (
                "traefik.http.middlewares.a.headers.customrequestheaders.Authorization",
                "x",
            ),
            (
                "traefik.http.middlewares.a.headers.customrequestheaders.Cookie",
                "sid=x",
            ),
            (
                "traefik.http.middlewares.a.headers.customrequestheaders.X-Api-Key",
                "x",
            ),
            (
                "caddy_0.reverse_proxy.header_up",
                r#"Authorization "Bearer abc123hunter2""#,
            ),
            ("caddy.reverse_proxy.header_up", "+Cookie sid=x"),
            ("caddy.header", "X-Upstream Basic YWRtaW46aHVudGVyMg=="),
            ("caddy.basicauth./admin/*.bob", "$2a$14$hash"),
        ] {
            assert!(is_secret_label_entry(key, value), "{key}={value}");
        }
        for (key, value) in [
            ("traefik.http.routers.x.rule", "Host(`x.example.com`)"),
            ("caddy_0.reverse_proxy.header_up", "X-Real-IP {remote_host}"),
            ("caddy_0.reverse_proxy", "{{upstreams 80}}"),
            (
                "traefik.http.services.x.loadbalancer.sticky.cookie.name",
                "srv",
            ),
            ("coolify.name", "Basic setup"),
        ] {
            assert!(!is_secret_label_entry(key, value), "{key}={value}");
        }
    }

    #[test]
    fn odd_text_never_makes_the_redactor_panic_and_a_key_marker_never_survives() {
        let pieces = [
            "é",
            "🔑",
            "=",
            ":",
            " ",
            "'",
            "\"",
            "\\",
            "[",
            "$",
            "$$",
            "$2y$",
            "{SHA}",
            "@",
            "://",
            "-p",
            "--password",
            "Bearer",
            "Basic ",
            "password",
            "ghp_",
            "AKIA",
            "eyJ",
            "?sig=",
            "&",
            "a:b:",
            "-----BEGIN PRIVATE KEY-----",
            "\n",
            "ü0123456789abcdef0123456789abcdef",
        ];
        let mut r = LineRedactor::new();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}{a}");
                    let out = redact_text(&text);
                    assert!(!out.contains("BEGIN PRIVATE KEY"), "{text:?} → {out:?}");
                    assert!(!r.line(&text).contains("BEGIN PRIVATE KEY"), "{text:?}");
                    let _ = is_secret_label_entry(&text, &text);
                }
            }
        }
    }
}
