//! Search in log lines: case-insensitive (ASCII) matches on the text without escape codes, and
//! the styled pieces of a line with the matches marked.

use super::ansi::{self, Span, Style};
use std::ops::Range;

/// Longest search text accepted from the URL or the search box.
pub const MAX_QUERY: usize = 200;

/// Byte ranges of `needle` in `haystack`, ignoring ASCII case, not overlapping.
pub fn find(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() || n.len() > h.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i + n.len() <= h.len() {
        if h[i..i + n.len()].eq_ignore_ascii_case(n) {
            out.push(i..i + n.len());
            i += n.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Whether the line's text (escape codes removed) contains `needle`.
pub fn matches(line: &str, needle: &str) -> bool {
    !needle.is_empty() && !find(&ansi::strip(line), needle).is_empty()
}

/// A styled piece of a line, marked when it is part of a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub style: Style,
    pub hit: bool,
}

/// The line as styled pieces, the matches of `needle` marked.
pub fn pieces(line: &str, needle: &str) -> Vec<Piece> {
    let spans = ansi::parse(line);
    let plain: String = spans.iter().map(|s| s.text.as_str()).collect();
    let hits = find(&plain, needle);
    let mut out = Vec::new();
    let mut offset = 0;
    for Span { text, style } in spans {
        let end = offset + text.len();
        // Cut points inside this span: every match boundary that falls within it.
        let mut cuts: Vec<usize> = hits
            .iter()
            .flat_map(|r| [r.start, r.end])
            .filter(|p| *p > offset && *p < end)
            .collect();
        cuts.push(end);
        let mut start = offset;
        for cut in cuts {
            let hit = hits.iter().any(|r| r.start <= start && start < r.end);
            out.push(Piece {
                text: plain[start..cut].to_owned(),
                style,
                hit,
            });
            start = cut;
        }
        offset = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ignore_ascii_case_and_do_not_overlap() {
        assert_eq!(
            find("Error error ERROR", "error"),
            vec![0..5, 6..11, 12..17]
        );
        assert_eq!(find("aaaa", "aa"), vec![0..2, 2..4]);
        assert!(find("abc", "").is_empty());
        assert!(find("ab", "abc").is_empty());
    }

    #[test]
    fn a_match_is_found_through_colour_codes() {
        assert!(matches("\x1b[31mtime\x1b[0mout", "timeout"));
        assert!(!matches("\x1b[31mtime\x1b[0mout", "31m"));
    }

    #[test]
    fn pieces_mark_the_matched_text_and_keep_colours() {
        let p = pieces("\x1b[31mconnection refused\x1b[0m by db", "refused by");
        let text: Vec<(&str, bool)> = p.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(
            text,
            vec![
                ("connection ", false),
                ("refused", true),
                (" by", true),
                (" db", false)
            ]
        );
        assert_eq!(p[1].style.fg, Some(1));
        assert_eq!(p[2].style.fg, None);
    }

    #[test]
    fn without_a_query_a_line_is_its_spans() {
        let p = pieces("plain", "");
        assert_eq!(p.len(), 1);
        assert!(!p[0].hit);
    }

    #[test]
    fn matches_next_to_multibyte_characters_cut_at_the_right_bytes() {
        let p = pieces("ünï ERR ö", "err");
        let text: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, vec!["ünï ", "ERR", " ö"]);
    }
}
