//! Paths the gate refuses before it decides anything: dot segments, doubled slashes,
//! backslashes and encoded separators, however they are spelled.
//!
//! The gate decides on the path as it arrived, while a router (axum's, then Leptos's on the
//! page) may collapse `..` or decode `%2e`. A path that two readers could see differently is
//! refused outright, so `/pkg/../containers` can never pass as a static file and render a page.
//! No netdoctor URL needs any of these spellings: container names start with a letter or digit
//! and hold no `/` or `\`.

/// Why a path was refused; the text is the whole 400 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRefusal {
    DotSegment,
    EmptySegment,
    Backslash,
    EncodedSeparator,
    ControlCharacter,
    BadEncoding,
}

impl PathRefusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::DotSegment => "bad request: '.' and '..' path segments are not allowed",
            Self::EmptySegment => "bad request: empty path segments ('//') are not allowed",
            Self::Backslash => "bad request: backslashes are not allowed in paths",
            Self::EncodedSeparator => "bad request: encoded '/' is not allowed in paths",
            Self::ControlCharacter => "bad request: control characters are not allowed in paths",
            Self::BadEncoding => "bad request: the path's percent-encoding is malformed",
        }
    }
}

/// How often a segment is decoded again: `%252e` is `%2e` after one round and `.` after two.
const DECODE_ROUNDS: usize = 3;

/// `Ok` when every reader of `raw` (the path as sent, still percent-encoded) sees the same
/// segments the gate sees.
pub fn check_path(raw: &str) -> Result<(), PathRefusal> {
    if !raw.starts_with('/') {
        // `*` (OPTIONS) and absolute-form targets never reach a page either way; the router
        // answers them. Only origin-form paths are judged here.
        return if raw == "*" {
            Ok(())
        } else {
            Err(PathRefusal::BadEncoding)
        };
    }
    if raw.contains('\\') {
        return Err(PathRefusal::Backslash);
    }
    let segments: Vec<&str> = raw[1..].split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        // `/` alone, and one trailing slash (`/containers/`), are ordinary.
        if segment.is_empty() {
            if i == last {
                continue;
            }
            return Err(PathRefusal::EmptySegment);
        }
        let mut decoded = (*segment).to_owned();
        for _ in 0..DECODE_ROUNDS {
            judge(&decoded)?;
            if !decoded.contains('%') {
                break;
            }
            decoded = percent_decode(&decoded).ok_or(PathRefusal::BadEncoding)?;
        }
        judge(&decoded)?;
    }
    Ok(())
}

fn judge(segment: &str) -> Result<(), PathRefusal> {
    if segment == "." || segment == ".." {
        return Err(PathRefusal::DotSegment);
    }
    if segment.contains('/') {
        return Err(PathRefusal::EncodedSeparator);
    }
    if segment.contains('\\') {
        return Err(PathRefusal::Backslash);
    }
    if segment.chars().any(char::is_control) {
        return Err(PathRefusal::ControlCharacter);
    }
    Ok(())
}

/// One round of percent-decoding; `None` for a `%` not followed by two hex digits or bytes
/// that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_paths_pass() {
        for p in [
            "/",
            "/containers",
            "/containers/",
            "/containers/my-app.v2_1",
            "/containers/web%20x",
            "/pkg/netdoctor.wasm",
            "/s/abc.def",
            "/api/logs",
            "*",
        ] {
            assert_eq!(check_path(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn dot_segments_are_refused_raw_or_encoded_in_any_case() {
        for p in [
            "/pkg/../containers",
            "/pkg/./containers",
            "/pkg/%2e%2e/containers",
            "/pkg/%2E%2E/containers",
            "/pkg/.%2e/diagnose",
            "/pkg/%2e./diagnose",
            "/pkg/%2E./diagnose",
            "/pkg/%2e/containers",
            "/pkg/%252e%252e/containers",
            "/s/../containers",
            "/..",
            "/pkg/..",
        ] {
            assert_eq!(check_path(p), Err(PathRefusal::DotSegment), "{p}");
        }
    }

    #[test]
    fn doubled_slashes_backslashes_and_encoded_separators_are_refused() {
        assert_eq!(check_path("//containers"), Err(PathRefusal::EmptySegment));
        assert_eq!(check_path("/pkg//x"), Err(PathRefusal::EmptySegment));
        assert_eq!(check_path("/pkg\\..\\x"), Err(PathRefusal::Backslash));
        assert_eq!(check_path("/pkg/%5c..%5cx"), Err(PathRefusal::Backslash));
        assert_eq!(check_path("/pkg/%5C"), Err(PathRefusal::Backslash));
        assert_eq!(
            check_path("/pkg/..%2fcontainers"),
            Err(PathRefusal::EncodedSeparator)
        );
        assert_eq!(
            check_path("/pkg/%2F%2Fx"),
            Err(PathRefusal::EncodedSeparator)
        );
        assert_eq!(check_path("/pkg/a%00b"), Err(PathRefusal::ControlCharacter));
        assert_eq!(check_path("/pkg/%zz"), Err(PathRefusal::BadEncoding));
        assert_eq!(check_path("/pkg/%e2%28"), Err(PathRefusal::BadEncoding));
    }

    #[test]
    fn every_refusal_says_bad_request_and_why() {
        for r in [
            PathRefusal::DotSegment,
            PathRefusal::EmptySegment,
            PathRefusal::Backslash,
            PathRefusal::EncodedSeparator,
            PathRefusal::ControlCharacter,
            PathRefusal::BadEncoding,
        ] {
            assert!(r.message().starts_with("bad request: "), "{r:?}");
        }
    }
}
