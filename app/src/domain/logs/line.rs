//! One log line: cut from one frame of `GET /containers/{id}/logs?timestamps=1`, made valid UTF-8
//! and bounded in size; and the message that ends a stream.

use serde::{Deserialize, Serialize};

/// Longest line text sent to the browser, in bytes. Docker's log copier splits a longer line
/// into 16 KiB pieces, which [`LineAssembler`](super::assemble::LineAssembler) joins again; the
/// bytes after the first 16 KiB are dropped and counted in [`LogLine::cut`].
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// Which output a line came from. Containers with a TTY have one combined stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogStream {
    #[serde(rename = "o")]
    Stdout,
    #[serde(rename = "e")]
    Stderr,
    #[serde(rename = "t")]
    Tty,
}

impl LogStream {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
            Self::Tty => "tty",
        }
    }
}

/// One line as the browser receives it. Field names are short: 100,000 of them may travel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Position in this stream, from 0: the browser checks order and counts what it dropped.
    pub n: u64,
    pub s: LogStream,
    /// The Engine's RFC 3339 timestamp (UTC, nanoseconds), empty when the frame had none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ts: String,
    /// The line without its line ending; invalid UTF-8 replaced by U+FFFD. May hold ANSI codes.
    pub text: String,
    /// Bytes dropped from the end because the line was longer than [`MAX_LINE_BYTES`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cut: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl LogLine {
    /// A line from one Engine frame requested with `timestamps=1`: `<RFC 3339> <text>\n`.
    /// A stream of frames goes through [`LineAssembler`](super::assemble::LineAssembler), which
    /// puts lines split by the log driver back together.
    pub fn from_frame(n: u64, s: LogStream, frame: &[u8]) -> Self {
        let (ts, body) = split_timestamp(frame);
        let body = strip_line_ending(body);
        let kept = body.len().min(MAX_LINE_BYTES);
        Self::from_parts(n, s, ts.to_owned(), &body[..kept], body.len() - kept)
    }

    /// A line from its first [`MAX_LINE_BYTES`] bytes (at most) and the count of bytes dropped
    /// after them. A character cut in half at the end is dropped and counted too; invalid UTF-8
    /// becomes U+FFFD, and should that make the text longer than the cap, the excess is cut.
    pub(super) fn from_parts(n: u64, s: LogStream, ts: String, kept: &[u8], cut: usize) -> Self {
        let (kept, mut cut) = if cut > 0 {
            let whole = kept.len() - incomplete_tail(kept);
            (&kept[..whole], cut + kept.len() - whole)
        } else {
            (kept, 0)
        };
        let mut text = String::from_utf8_lossy(kept).into_owned();
        if text.len() > MAX_LINE_BYTES {
            let mut end = MAX_LINE_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            cut += text.len() - end;
            text.truncate(end);
        }
        Self {
            n,
            s,
            ts,
            text,
            cut,
        }
    }

    /// `07:30:01.123`: the time of day (UTC) to milliseconds, or "" without a timestamp.
    pub fn short_time(&self) -> &str {
        self.ts.get(11..23).unwrap_or("")
    }

    /// The line as plain text for a download: optional timestamp, ANSI codes removed.
    pub fn plain(&self, with_time: bool) -> String {
        let text = super::ansi::strip(&self.text);
        if with_time && !self.ts.is_empty() {
            format!("{} {text}", self.ts)
        } else {
            text
        }
    }
}

/// Splits `2026-11-26T07:30:01.123456789Z rest` into timestamp and rest. A frame whose start
/// does not look like the Engine's timestamp is all text.
pub(super) fn split_timestamp(frame: &[u8]) -> (&str, &[u8]) {
    let Some(space) = frame.iter().take(40).position(|b| *b == b' ') else {
        return ("", frame);
    };
    let head = &frame[..space];
    let looks_like_time = head.len() >= 20
        && head[..4].iter().all(u8::is_ascii_digit)
        && head[4] == b'-'
        && head[10] == b'T'
        && head
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b':' | b'.' | b'T' | b'Z' | b'+'));
    match (looks_like_time, std::str::from_utf8(head)) {
        (true, Ok(ts)) => (ts, &frame[space + 1..]),
        _ => ("", frame),
    }
}

fn strip_line_ending(body: &[u8]) -> &[u8] {
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    body.strip_suffix(b"\r").unwrap_or(body)
}

/// How many bytes at the end of `bytes` are the start of a UTF-8 character whose other bytes
/// are missing (0 when the last character is whole, or not UTF-8 at all).
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(4) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: the lead is further back
        }
        let needed = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if needed > back { back } else { 0 };
    }
    0
}

/// Why a stream ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LogEndReason {
    /// The container stopped; its exit code.
    Exited { code: i64 },
    /// The container was removed while we followed it.
    Removed,
    /// Not following: every line asked for was sent.
    Complete,
    /// The Engine closed the stream while the container kept running (engine restart, log
    /// driver rotation) or could not be asked any more.
    EngineClosed { detail: String },
    /// The Engine refused to serve this container's logs (a log driver that cannot be read
    /// back, such as `none` or `syslog`).
    Unavailable { detail: String },
}

/// The last message of a stream, shown under the last line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEnd {
    pub reason: LogEndReason,
    /// Lines sent in this stream.
    pub lines: u64,
}

impl LogEnd {
    pub fn message(&self) -> String {
        match &self.reason {
            LogEndReason::Exited { code } => {
                format!("The container stopped (exit code {code}). The stream has ended.")
            }
            LogEndReason::Removed => "The container was removed. The stream has ended.".into(),
            LogEndReason::Complete => format!("End of the log ({} lines).", self.lines),
            LogEndReason::EngineClosed { detail } => {
                format!("The Docker Engine closed the log stream: {detail}")
            }
            LogEndReason::Unavailable { detail } => {
                format!("The Docker Engine cannot show this container's logs: {detail}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamped_frame_is_split_into_time_and_text_without_its_newline() {
        let line = LogLine::from_frame(
            7,
            LogStream::Stdout,
            b"2026-11-26T07:30:01.123456789Z GET / 200\n",
        );
        assert_eq!(line.n, 7);
        assert_eq!(line.ts, "2026-11-26T07:30:01.123456789Z");
        assert_eq!(line.text, "GET / 200");
        assert_eq!(line.short_time(), "07:30:01.123");
        assert_eq!(line.cut, 0);
    }

    #[test]
    fn a_frame_without_a_timestamp_is_all_text() {
        let line = LogLine::from_frame(0, LogStream::Tty, b"hello world\r\n");
        assert_eq!(line.ts, "");
        assert_eq!(line.text, "hello world");
        assert_eq!(line.short_time(), "");
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters_and_nothing_is_lost_around_it() {
        let line = LogLine::from_frame(
            0,
            LogStream::Stderr,
            b"2026-11-26T07:30:01.1Z caf\xe9 \xff ok\n",
        );
        assert_eq!(line.text, "caf\u{fffd} \u{fffd} ok");
    }

    #[test]
    fn a_very_long_line_is_cut_at_a_character_boundary_and_the_cut_is_counted() {
        let mut frame = b"2026-11-26T07:30:01.1Z ".to_vec();
        frame.extend("é".repeat(MAX_LINE_BYTES).as_bytes()); // 2 bytes each
        frame.push(b'\n');
        let line = LogLine::from_frame(0, LogStream::Stdout, &frame);
        assert!(line.text.len() <= MAX_LINE_BYTES);
        assert!(line.text.chars().all(|c| c == 'é'));
        assert_eq!(line.text.len() + line.cut, 2 * MAX_LINE_BYTES);
    }

    #[test]
    fn a_character_cut_in_half_by_the_cap_is_dropped_and_counted() {
        let mut frame = b"2026-11-26T07:30:01.1Z ab".to_vec();
        frame.extend("€".repeat(MAX_LINE_BYTES).as_bytes()); // 3 bytes each: the cap splits one
        let line = LogLine::from_frame(0, LogStream::Stdout, &frame);
        assert!(!line.text.contains('\u{fffd}'));
        assert_eq!(line.text.len(), MAX_LINE_BYTES - 2);
        assert_eq!(line.text.len() + line.cut, 2 + 3 * MAX_LINE_BYTES);
    }

    #[test]
    fn an_empty_line_stays_an_empty_line() {
        let line = LogLine::from_frame(0, LogStream::Stdout, b"2026-11-26T07:30:01.1Z \n");
        assert_eq!(line.text, "");
        assert_eq!(line.ts, "2026-11-26T07:30:01.1Z");
    }

    #[test]
    fn lines_travel_as_compact_json() {
        let line = LogLine::from_frame(3, LogStream::Stderr, b"2026-11-26T07:30:01.1Z oops\n");
        let json = serde_json::to_string(&line).unwrap();
        assert_eq!(
            json,
            r#"{"n":3,"s":"e","ts":"2026-11-26T07:30:01.1Z","text":"oops"}"#
        );
        assert_eq!(serde_json::from_str::<LogLine>(&json).unwrap(), line);
    }

    #[test]
    fn the_download_text_has_no_ansi_codes_and_an_optional_timestamp() {
        let line = LogLine::from_frame(
            0,
            LogStream::Stdout,
            b"2026-11-26T07:30:01.1Z \x1b[31merror\x1b[0m here\n",
        );
        assert_eq!(line.plain(false), "error here");
        assert_eq!(line.plain(true), "2026-11-26T07:30:01.1Z error here");
    }

    #[test]
    fn each_end_reason_reads_as_a_sentence() {
        let end = |reason| LogEnd { reason, lines: 3 }.message();
        assert!(end(LogEndReason::Exited { code: 137 }).contains("exit code 137"));
        assert!(end(LogEndReason::Removed).contains("removed"));
        assert_eq!(end(LogEndReason::Complete), "End of the log (3 lines).");
        assert!(end(LogEndReason::EngineClosed {
            detail: "engine restarted".into()
        })
        .contains("engine restarted"));
        assert!(end(LogEndReason::Unavailable {
            detail: "configured logging driver does not support reading".into()
        })
        .contains("cannot show"));
    }
}
