//! Lines put back together from the Engine's log frames.
//!
//! Docker's log copier cuts a line longer than 16 KiB into 16 KiB pieces, and the log drivers
//! store each piece as its own message; `GET /containers/{id}/logs` then sends one frame per
//! piece, only the last ending in `\n`, and with `timestamps=1` every piece starts with its own
//! timestamp. A TTY container's raw stream is cut wherever the socket reads end instead.
//! [`LineAssembler`] joins what belongs together per stream (stdout and stderr interleave), keeps
//! the first [`MAX_LINE_BYTES`] of a line and counts the rest, so it never holds more than the
//! cap per stream, whatever the length of the line.

use super::line::{split_timestamp, MAX_LINE_BYTES};
use super::{LogLine, LogStream};

/// Joins frames into lines, numbering them in the order they complete.
#[derive(Debug, Default)]
pub struct LineAssembler {
    next: u64,
    /// The line each stream has begun and not yet ended, by [`slot`].
    open: [Option<Open>; 3],
}

#[derive(Debug)]
struct Open {
    ts: String,
    /// The line's first bytes, at most [`MAX_LINE_BYTES`].
    kept: Vec<u8>,
    /// Bytes seen after the first [`MAX_LINE_BYTES`].
    cut: usize,
    /// The last byte seen, kept or not: a `\r` before the `\n` is no part of the line.
    last: Option<u8>,
}

impl Open {
    fn append(&mut self, piece: &[u8]) {
        let room = MAX_LINE_BYTES - self.kept.len();
        let take = piece.len().min(room);
        self.kept.extend_from_slice(&piece[..take]);
        self.cut += piece.len() - take;
        if let Some(b) = piece.last() {
            self.last = Some(*b);
        }
    }
}

fn slot(s: LogStream) -> usize {
    match s {
        LogStream::Stdout => 0,
        LogStream::Stderr => 1,
        LogStream::Tty => 2,
    }
}

const SLOTS: [LogStream; 3] = [LogStream::Stdout, LogStream::Stderr, LogStream::Tty];

impl LineAssembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Lines completed so far.
    pub fn lines(&self) -> u64 {
        self.next
    }

    /// Takes one frame of stream `s` and adds every line it completes to `out`. A frame that
    /// continues a line starts with its piece's own timestamp, which is dropped: the line keeps
    /// the time of its first piece.
    pub fn push(&mut self, s: LogStream, frame: &[u8], out: &mut impl Extend<LogLine>) {
        let mut rest = frame;
        while !rest.is_empty() {
            let (ts, body) = split_timestamp(rest);
            let (piece, after, complete) = match body.iter().position(|b| *b == b'\n') {
                Some(end) => (&body[..end], &body[end + 1..], true),
                None => (body, &body[body.len()..], false),
            };
            let open = self.open[slot(s)].get_or_insert_with(|| Open {
                ts: ts.to_owned(),
                kept: Vec::with_capacity(piece.len().min(MAX_LINE_BYTES)),
                cut: 0,
                last: None,
            });
            open.append(piece);
            if complete {
                self.close(s, out);
            }
            rest = after;
        }
    }

    /// The stream ended: a line still open (its last piece had no `\n`, as when a program
    /// exits mid-line) is complete as it is.
    pub fn finish(&mut self, out: &mut impl Extend<LogLine>) {
        for s in SLOTS {
            self.close(s, out);
        }
    }

    fn close(&mut self, s: LogStream, out: &mut impl Extend<LogLine>) {
        let Some(mut open) = self.open[slot(s)].take() else {
            return;
        };
        if open.last == Some(b'\r') {
            if open.cut > 0 {
                open.cut -= 1;
            } else {
                open.kept.pop();
            }
        }
        let line = LogLine::from_parts(self.next, s, open.ts, &open.kept, open.cut);
        self.next += 1;
        out.extend(std::iter::once(line));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIECE: usize = 16 * 1024;

    fn frame(ts: &str, body: &[u8]) -> Vec<u8> {
        let mut f = format!("{ts} ").into_bytes();
        f.extend_from_slice(body);
        f
    }

    /// A `len`-byte line of `fill` as the Engine sends it: 16 KiB pieces, each with a timestamp,
    /// the last ending in `\n`.
    fn split_line(fill: u8, len: usize, second: u32) -> Vec<Vec<u8>> {
        let line = vec![fill; len];
        let mut pieces: Vec<Vec<u8>> = line
            .chunks(PIECE)
            .enumerate()
            .map(|(i, chunk)| frame(&format!("2026-11-26T07:30:{second:02}.{i}Z"), chunk))
            .collect();
        if let Some(last) = pieces.last_mut() {
            last.push(b'\n');
        }
        pieces
    }

    #[test]
    fn a_line_split_into_pieces_by_the_log_driver_is_one_line_cut_at_the_cap() {
        let mut asm = LineAssembler::new();
        let mut out = Vec::new();
        for piece in split_line(b'a', 40_000, 1) {
            asm.push(LogStream::Stdout, &piece, &mut out);
        }
        assert_eq!(out.len(), 1, "three pieces, one line");
        let line = &out[0];
        assert_eq!(line.ts, "2026-11-26T07:30:01.0Z", "the first piece's time");
        assert_eq!(line.text.len(), MAX_LINE_BYTES);
        assert!(line.text.bytes().all(|b| b == b'a'), "no timestamp inside");
        assert_eq!(line.cut, 40_000 - MAX_LINE_BYTES);
    }

    #[test]
    fn pieces_of_stdout_and_stderr_interleaved_are_joined_per_stream() {
        let mut asm = LineAssembler::new();
        let mut out = Vec::new();
        let outs = split_line(b'o', 20_000, 1);
        let errs = split_line(b'e', 20_000, 2);
        asm.push(LogStream::Stdout, &outs[0], &mut out);
        asm.push(LogStream::Stderr, &errs[0], &mut out);
        assert!(out.is_empty(), "both lines are open");
        asm.push(LogStream::Stderr, &errs[1], &mut out);
        asm.push(LogStream::Stdout, &outs[1], &mut out);
        asm.push(
            LogStream::Stderr,
            &frame("2026-11-26T07:30:04.0Z", b"next\n"),
            &mut out,
        );

        let seen: Vec<(u64, LogStream, usize, usize)> = out
            .iter()
            .map(|l| (l.n, l.s, l.text.len(), l.cut))
            .collect();
        let cut = 20_000 - MAX_LINE_BYTES;
        assert_eq!(out.len(), 3);
        assert_eq!(seen[0], (0, LogStream::Stderr, MAX_LINE_BYTES, cut));
        assert!(out[0].text.bytes().all(|b| b == b'e'));
        assert_eq!(seen[1], (1, LogStream::Stdout, MAX_LINE_BYTES, cut));
        assert!(out[1].text.bytes().all(|b| b == b'o'));
        assert_eq!(
            (out[2].s, out[2].text.as_str()),
            (LogStream::Stderr, "next")
        );
        assert_eq!(asm.lines(), 3);
    }

    #[test]
    fn only_the_cap_is_held_however_long_the_line_grows() {
        let mut asm = LineAssembler::new();
        let mut out: Vec<LogLine> = Vec::new();
        let piece = frame("2026-11-26T07:30:01.0Z", &[b'x'; PIECE]);
        for _ in 0..200 {
            asm.push(LogStream::Stdout, &piece, &mut out);
            let held = asm.open[0].as_ref().map_or(0, |o| o.kept.capacity());
            assert!(held <= MAX_LINE_BYTES, "holds {held} bytes");
        }
        asm.push(LogStream::Stdout, b"2026-11-26T07:30:09.0Z end\n", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].text.len() + out[0].cut, 200 * PIECE + 3);
    }

    #[test]
    fn ordinary_frames_are_one_line_each_in_order() {
        let mut asm = LineAssembler::new();
        let mut out = Vec::new();
        asm.push(LogStream::Stdout, b"2026-11-26T07:30:01.1Z one\n", &mut out);
        asm.push(
            LogStream::Stderr,
            b"2026-11-26T07:30:01.2Z two\r\n",
            &mut out,
        );
        asm.push(LogStream::Stdout, b"2026-11-26T07:30:01.3Z \n", &mut out);
        let seen: Vec<(u64, &str, &str)> = out
            .iter()
            .map(|l| (l.n, l.ts.as_str(), l.text.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (0, "2026-11-26T07:30:01.1Z", "one"),
                (1, "2026-11-26T07:30:01.2Z", "two"),
                (2, "2026-11-26T07:30:01.3Z", ""),
            ]
        );
    }

    #[test]
    fn a_tty_chunk_holding_several_lines_and_half_of_one_is_cut_at_the_newlines() {
        let mut asm = LineAssembler::new();
        let mut out = Vec::new();
        asm.push(
            LogStream::Tty,
            b"2026-11-26T07:30:01.1Z a\r\n2026-11-26T07:30:01.2Z b\r\n2026-11-26T07:30:01.3Z hal",
            &mut out,
        );
        asm.push(LogStream::Tty, b"f\r\n", &mut out);
        let texts: Vec<&str> = out.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, vec!["a", "b", "half"]);
        assert_eq!(out[2].ts, "2026-11-26T07:30:01.3Z");
    }

    #[test]
    fn a_line_left_open_when_the_stream_ends_is_sent_as_it_is() {
        let mut asm = LineAssembler::new();
        let mut out = Vec::new();
        asm.push(
            LogStream::Stdout,
            b"2026-11-26T07:30:01.1Z no newline",
            &mut out,
        );
        assert!(out.is_empty());
        asm.finish(&mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].text, "no newline");
        asm.finish(&mut out);
        assert_eq!(out.len(), 1, "finishing twice sends nothing more");
    }

    #[test]
    fn a_carriage_return_before_the_newline_of_a_cut_line_is_not_counted() {
        let mut asm = LineAssembler::new();
        let mut out = Vec::new();
        let mut body = vec![b'z'; MAX_LINE_BYTES + 10];
        body.extend_from_slice(b"\r\n");
        asm.push(
            LogStream::Tty,
            &frame("2026-11-26T07:30:01.1Z", &body),
            &mut out,
        );
        assert_eq!(out[0].cut, 10);
    }
}
