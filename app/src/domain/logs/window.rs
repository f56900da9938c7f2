//! The browser's bounded copy of a stream: at most `cap` lines, the oldest dropped first, and
//! which of them a filtered view shows. Plus the arithmetic of virtualised rendering: which rows
//! a scrolled viewport needs.

use super::query::LogQuery;
use super::search;
use super::LogLine;
use std::collections::VecDeque;
use std::ops::Range;

/// Lines a browser tab keeps per stream.
pub const WINDOW_CAP: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogWindow {
    cap: usize,
    lines: VecDeque<LogLine>,
    /// Lines that left the window to keep it within `cap`.
    dropped: u64,
    /// Lines the server numbered but that never arrived (should stay 0).
    missing: u64,
    next: u64,
}

impl LogWindow {
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            ..Self::default()
        }
    }

    /// Appends a batch in arrival order, dropping the oldest lines beyond the cap.
    pub fn push(&mut self, batch: Vec<LogLine>) {
        for line in batch {
            if line.n > self.next {
                self.missing += line.n - self.next;
            }
            self.next = self.next.max(line.n + 1);
            self.lines.push_back(line);
        }
        let excess = self.lines.len().saturating_sub(self.cap);
        if excess > 0 {
            self.lines.drain(..excess);
            self.dropped += excess as u64;
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn missing(&self) -> u64 {
        self.missing
    }

    /// Lines received in this stream so far, kept or not.
    pub fn received(&self) -> u64 {
        self.dropped + self.lines.len() as u64
    }

    pub fn get(&self, index: usize) -> Option<&LogLine> {
        self.lines.get(index)
    }

    /// Indexes of the lines the view shows: its stream filter, and only matching lines when
    /// asked.
    pub fn shown(&self, query: &LogQuery) -> Vec<usize> {
        let only = query.only_matching && !query.search.is_empty();
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| query.streams.shows(l.s))
            .filter(|(_, l)| !only || search::matches(&l.text, &query.search))
            .map(|(i, _)| i)
            .collect()
    }

    /// How many of the shown lines match the search.
    pub fn match_count(&self, shown: &[usize], needle: &str) -> usize {
        if needle.is_empty() {
            return 0;
        }
        shown
            .iter()
            .filter(|i| search::matches(&self.lines[**i].text, needle))
            .count()
    }

    /// The shown lines as a plain-text file, as the view shows them.
    pub fn download_text(&self, shown: &[usize], with_time: bool) -> String {
        let mut out = String::new();
        for i in shown {
            out.push_str(&self.lines[*i].plain(with_time));
            out.push('\n');
        }
        out
    }
}

/// The rows a viewport needs: those between the scroll offset and the bottom of the viewport,
/// plus `overscan` rows either side, within `0..total`.
pub fn visible_rows(
    total: usize,
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    overscan: usize,
) -> Range<usize> {
    if total == 0 || row_height <= 0.0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let count = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(total);
    let end = (first + count + overscan).min(total);
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::logs::query::StreamFilter;
    use crate::domain::logs::LogStream;

    fn line(n: u64, s: LogStream, text: &str) -> LogLine {
        LogLine {
            n,
            s,
            ts: String::new(),
            text: text.into(),
            cut: 0,
        }
    }

    fn lines(range: Range<u64>) -> Vec<LogLine> {
        range
            .map(|n| line(n, LogStream::Stdout, &format!("line {n}")))
            .collect()
    }

    #[test]
    fn the_window_keeps_the_newest_lines_up_to_its_cap_and_counts_the_rest() {
        let mut w = LogWindow::new(100);
        for start in (0..1_000).step_by(250) {
            w.push(lines(start..start + 250));
        }
        assert_eq!(w.len(), 100);
        assert_eq!(w.dropped(), 900);
        assert_eq!(w.received(), 1_000);
        assert_eq!(w.get(0).unwrap().n, 900);
        assert_eq!(w.get(99).unwrap().n, 999);
        assert_eq!(w.missing(), 0);
    }

    #[test]
    fn a_gap_in_the_numbering_is_counted_as_missing() {
        let mut w = LogWindow::new(10);
        w.push(lines(0..3));
        w.push(lines(5..6));
        assert_eq!(w.missing(), 2);
    }

    #[test]
    fn filters_show_one_stream_and_only_matching_lines() {
        let mut w = LogWindow::new(10);
        w.push(vec![
            line(0, LogStream::Stdout, "GET / 200"),
            line(1, LogStream::Stderr, "connection refused"),
            line(2, LogStream::Stdout, "GET /health 200"),
            line(3, LogStream::Stderr, "retrying"),
        ]);
        let mut q = LogQuery::default();
        assert_eq!(w.shown(&q), vec![0, 1, 2, 3]);
        q.streams = StreamFilter::Stderr;
        assert_eq!(w.shown(&q), vec![1, 3]);
        q.streams = StreamFilter::Both;
        q.search = "get".into();
        assert_eq!(w.shown(&q), vec![0, 1, 2, 3]);
        assert_eq!(w.match_count(&w.shown(&q), &q.search), 2);
        q.only_matching = true;
        assert_eq!(w.shown(&q), vec![0, 2]);
    }

    #[test]
    fn the_download_is_what_the_view_shows() {
        let mut w = LogWindow::new(10);
        w.push(vec![
            LogLine::from_frame(
                0,
                LogStream::Stdout,
                b"2026-11-26T07:00:00.1Z \x1b[32mok\x1b[0m\n",
            ),
            LogLine::from_frame(1, LogStream::Stderr, b"2026-11-26T07:00:01.1Z bad\n"),
        ]);
        let q = LogQuery {
            streams: StreamFilter::Stdout,
            ..LogQuery::default()
        };
        assert_eq!(w.download_text(&w.shown(&q), false), "ok\n");
        assert_eq!(
            w.download_text(&w.shown(&LogQuery::default()), true),
            "2026-11-26T07:00:00.1Z ok\n2026-11-26T07:00:01.1Z bad\n"
        );
    }

    #[test]
    fn a_scrolled_viewport_renders_only_its_rows_and_the_overscan() {
        assert_eq!(visible_rows(10_000, 0.0, 400.0, 20.0, 5), 0..26);
        assert_eq!(visible_rows(10_000, 2_000.0, 400.0, 20.0, 5), 95..126);
        assert_eq!(visible_rows(50, 900.0, 400.0, 20.0, 5), 40..50);
        assert_eq!(visible_rows(0, 0.0, 400.0, 20.0, 5), 0..0);
        assert_eq!(visible_rows(10, 0.0, 400.0, 0.0, 5), 0..0);
    }
}
