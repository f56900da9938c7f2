//! ANSI escape codes in log lines: SGR colours and styles become styled spans; every other
//! escape sequence (cursor moves, titles, hyperlinks) is dropped. Colours map onto the 16 basic
//! ones so the page can style them with classes (the CSP forbids inline styles).

/// The look of a run of text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// Basic colour 0–15 (8–15 are the bright ones).
    pub fg: Option<u8>,
    pub bg: Option<u8>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
}

impl Style {
    /// CSS classes for this style, "" for plain text.
    pub fn classes(&self) -> String {
        let mut out = Vec::new();
        if let Some(c) = self.fg {
            out.push(format!("fg{c}"));
        }
        if let Some(c) = self.bg {
            out.push(format!("bg{c}"));
        }
        for (on, class) in [
            (self.bold, "b"),
            (self.dim, "dim"),
            (self.italic, "i"),
            (self.underline, "u"),
        ] {
            if on {
                out.push(class.to_owned());
            }
        }
        out.join(" ")
    }

    fn apply(&mut self, params: &[u16]) {
        let mut i = 0;
        if params.is_empty() {
            *self = Style::default();
        }
        while i < params.len() {
            match params[i] {
                0 => *self = Style::default(),
                1 => self.bold = true,
                2 => self.dim = true,
                3 => self.italic = true,
                4 => self.underline = true,
                22 => {
                    self.bold = false;
                    self.dim = false;
                }
                23 => self.italic = false,
                24 => self.underline = false,
                p @ 30..=37 => self.fg = Some((p - 30) as u8),
                39 => self.fg = None,
                p @ 40..=47 => self.bg = Some((p - 40) as u8),
                49 => self.bg = None,
                p @ 90..=97 => self.fg = Some((p - 90 + 8) as u8),
                p @ 100..=107 => self.bg = Some((p - 100 + 8) as u8),
                p @ (38 | 48) => {
                    let (colour, used) = extended_colour(&params[i + 1..]);
                    if p == 38 {
                        self.fg = colour;
                    } else {
                        self.bg = colour;
                    }
                    i += used;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// `5;n` (256 colours) or `2;r;g;b` (true colour) after 38/48, as a basic colour, and how many
/// parameters it used.
fn extended_colour(rest: &[u16]) -> (Option<u8>, usize) {
    match rest {
        [5, n, ..] => (Some(indexed_to_basic(*n)), 2),
        [2, r, g, b, ..] => (Some(rgb_to_basic(*r, *g, *b)), 4),
        [5] => (None, 1),
        [2, ..] => (None, rest.len()),
        _ => (None, 0),
    }
}

fn indexed_to_basic(n: u16) -> u8 {
    match n {
        0..=15 => n as u8,
        16..=231 => {
            let n = n - 16;
            let level = |v: u16| [0u16, 95, 135, 175, 215, 255][v as usize];
            rgb_to_basic(level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        _ => {
            let grey = 8 + (n.min(255) - 232) * 10;
            rgb_to_basic(grey, grey, grey)
        }
    }
}

/// The nearest of the 16 basic colours (xterm's palette).
fn rgb_to_basic(r: u16, g: u16, b: u16) -> u8 {
    const PALETTE: [(u16, u16, u16); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let distance = |(pr, pg, pb): (u16, u16, u16)| {
        let d = |a: u16, b: u16| (i32::from(a) - i32::from(b)).pow(2);
        d(r, pr) + d(g, pg) + d(b, pb)
    };
    (0u8..16)
        .min_by_key(|i| distance(PALETTE[usize::from(*i)]))
        .unwrap_or(7)
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub style: Style,
}

/// Splits a line into styled spans; adjacent text in the same style is one span.
pub fn parse(line: &str) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let mut style = Style::default();
    let mut text = String::new();
    let mut chars = line.char_indices().peekable();
    let flush = |spans: &mut Vec<Span>, text: &mut String, style: Style| {
        if !text.is_empty() {
            spans.push(Span {
                text: std::mem::take(text),
                style,
            });
        }
    };
    while let Some((_, c)) = chars.next() {
        if c != '\x1b' {
            text.push(c);
            continue;
        }
        match chars.peek().map(|(_, c)| *c) {
            Some('[') => {
                chars.next();
                let mut body = String::new();
                let mut last = None;
                for (_, c) in chars.by_ref() {
                    if ('\x40'..='\x7e').contains(&c) {
                        last = Some(c);
                        break;
                    }
                    body.push(c);
                }
                if last == Some('m') {
                    let params: Vec<u16> = body
                        .split([';', ':'])
                        .map(|p| p.parse().unwrap_or(0))
                        .collect();
                    let params = if body.is_empty() { Vec::new() } else { params };
                    let mut next = style;
                    next.apply(&params);
                    if next != style {
                        flush(&mut spans, &mut text, style);
                        style = next;
                    }
                }
            }
            Some(']') => {
                // OSC: up to BEL or ESC \ (hyperlinks, window titles).
                chars.next();
                while let Some((_, c)) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' && chars.peek().map(|(_, c)| *c) == Some('\\') {
                        chars.next();
                        break;
                    }
                }
            }
            Some(_) => {
                // A two-character escape (ESC c, ESC =, …).
                chars.next();
            }
            None => {}
        }
    }
    flush(&mut spans, &mut text, style);
    spans
}

/// The line without escape codes.
pub fn strip(line: &str) -> String {
    if !line.contains('\x1b') {
        return line.to_owned();
    }
    parse(line).into_iter().map(|s| s.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fg(c: u8) -> Style {
        Style {
            fg: Some(c),
            ..Style::default()
        }
    }

    #[test]
    fn plain_text_is_one_unstyled_span() {
        assert_eq!(
            parse("hello"),
            vec![Span {
                text: "hello".into(),
                style: Style::default()
            }]
        );
        assert!(parse("").is_empty());
    }

    #[test]
    fn a_red_word_and_a_reset_become_two_spans() {
        let spans = parse("\x1b[31merror\x1b[0m: disk full");
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].text, "error");
        assert_eq!(spans[0].style, fg(1));
        assert_eq!(spans[1].text, ": disk full");
        assert_eq!(spans[1].style, Style::default());
    }

    #[test]
    fn bold_bright_colours_and_backgrounds_combine() {
        let spans = parse("\x1b[1;92;41mOK\x1b[22m done");
        assert_eq!(spans[0].style.classes(), "fg10 bg1 b");
        assert_eq!(spans[1].style.classes(), "fg10 bg1");
    }

    #[test]
    fn colours_from_256_and_true_colour_map_to_the_nearest_basic_one() {
        assert_eq!(parse("\x1b[38;5;196mx")[0].style.fg, Some(9));
        assert_eq!(parse("\x1b[38;5;4mx")[0].style.fg, Some(4));
        assert_eq!(parse("\x1b[38;2;0;200;0mx")[0].style.fg, Some(2));
        assert_eq!(parse("\x1b[48;5;231mx")[0].style.bg, Some(15));
        assert_eq!(parse("\x1b[48;5;255mx")[0].style.bg, Some(7));
    }

    #[test]
    fn cursor_moves_titles_and_lone_escapes_are_dropped() {
        assert_eq!(strip("\x1b[2K\x1b[1Gprogress 50%"), "progress 50%");
        assert_eq!(strip("\x1b]0;title\x07text"), "text");
        assert_eq!(strip("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"), "link");
        assert_eq!(strip("a\x1b"), "a");
        assert_eq!(strip("\x1b[31"), "");
    }

    #[test]
    fn an_empty_sgr_resets_like_zero() {
        let spans = parse("\x1b[33mwarn\x1b[m rest");
        assert_eq!(spans[1].style, Style::default());
    }

    #[test]
    fn text_without_escapes_is_returned_unchanged_by_strip() {
        assert_eq!(strip("plain ünïcode"), "plain ünïcode");
    }
}
