//! What a log view asks for, parsed once: how many lines back (`tail`), from when (`since`),
//! and the view's own settings, all kept in the URL (`/containers/web?tail=500&since=1h&q=err`).

use super::search::MAX_QUERY;
use crate::domain::time::{format_seconds, parse_seconds, parse_utc, rfc3339};
use serde::{Deserialize, Serialize};

/// Most lines a view may ask back for; "all" asks for everything the log driver kept.
pub const MAX_TAIL: u32 = 100_000;
/// Lines asked back for when the URL says nothing.
pub const DEFAULT_TAIL: u32 = 500;

/// How many past lines to start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tail {
    Lines(u32),
    All,
}

impl Tail {
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.eq_ignore_ascii_case("all") {
            return Ok(Self::All);
        }
        match input.parse::<u32>() {
            Ok(n) if n <= MAX_TAIL => Ok(Self::Lines(n)),
            _ => Err(format!(
                "tail must be a number of lines from 0 to {MAX_TAIL}, or \"all\" (got {:?})",
                clip(input)
            )),
        }
    }

    /// The Engine's `tail` parameter.
    pub fn to_engine(self) -> String {
        match self {
            Self::Lines(n) => n.to_string(),
            Self::All => "all".into(),
        }
    }
}

impl Default for Tail {
    fn default() -> Self {
        Self::Lines(DEFAULT_TAIL)
    }
}

/// From when: everything, the last so many seconds, or from an instant on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Since {
    #[default]
    Any,
    SecondsAgo(u32),
    /// Seconds since 1970 (UTC).
    At(u64),
}

impl Since {
    /// `5m`, `2h`, `7d`, `90s` or a plain number of seconds back; or an instant, as RFC 3339
    /// (`2026-11-26T07:30:00Z`) or `2026-11-26 07:30[:00]` in UTC; empty means any time.
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() || input == "0" {
            return Ok(Self::Any);
        }
        if let Some(at) = parse_utc(input) {
            return Ok(Self::At(at));
        }
        match parse_seconds(input) {
            Some(n) if n > 0 => u32::try_from(n)
                .map(Self::SecondsAgo)
                .map_err(|_| format!("since is too far back: {:?}", clip(input))),
            _ => Err(format!(
                "since must look like 90s, 15m, 2h or 7d, or be a UTC time such as \
                 2026-11-26 07:30 or 2026-11-26T07:30:00Z (got {:?})",
                clip(input)
            )),
        }
    }

    /// The Engine's `since` parameter (a UNIX time), given the time now; 0 for any time.
    pub fn to_engine(self, now_unix: i64) -> i32 {
        match self {
            Self::Any => 0,
            Self::SecondsAgo(s) => {
                i32::try_from((now_unix - i64::from(s)).max(1)).unwrap_or(i32::MAX)
            }
            Self::At(at) => i32::try_from(at.max(1)).unwrap_or(i32::MAX),
        }
    }

    /// The URL form.
    pub fn to_param(self) -> String {
        match self {
            Self::Any => String::new(),
            Self::SecondsAgo(s) => format_seconds(u64::from(s)),
            Self::At(at) => rfc3339(at),
        }
    }
}

/// Which outputs the view shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamFilter {
    #[default]
    Both,
    Stdout,
    Stderr,
}

impl StreamFilter {
    pub fn shows(self, stream: super::LogStream) -> bool {
        use super::LogStream::*;
        match self {
            Self::Both => true,
            Self::Stdout => matches!(stream, Stdout | Tty),
            Self::Stderr => stream == Stderr,
        }
    }

    pub fn as_param(self) -> &'static str {
        match self {
            Self::Both => "",
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }
}

/// The log view's state in the URL. Unreadable values fall back to defaults in the browser;
/// the server refuses them (see [`Tail::parse`], [`Since::parse`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogQuery {
    pub tail: Tail,
    pub since: Since,
    /// Show timestamps.
    pub timestamps: bool,
    pub streams: StreamFilter,
    /// Search text; matches are highlighted.
    pub search: String,
    /// Show only the lines that match the search.
    pub only_matching: bool,
}

impl LogQuery {
    /// Reads `tail`, `since`, `ts`, `streams`, `q`, `only`.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            tail: get("tail")
                .and_then(|t| Tail::parse(&t).ok())
                .unwrap_or_default(),
            since: get("since")
                .and_then(|s| Since::parse(&s).ok())
                .unwrap_or_default(),
            timestamps: matches!(get("ts").as_deref(), Some("1" | "true")),
            streams: match get("streams").as_deref() {
                Some("stdout") => StreamFilter::Stdout,
                Some("stderr") => StreamFilter::Stderr,
                _ => StreamFilter::Both,
            },
            search: get("q")
                .map(|q| q.chars().take(MAX_QUERY).collect())
                .unwrap_or_default(),
            only_matching: matches!(get("only").as_deref(), Some("1" | "true")),
        }
    }

    /// URL parameters for this view; defaults are left out.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if self.tail != Tail::default() {
            params.push(("tail", self.tail.to_engine()));
        }
        if self.since != Since::Any {
            params.push(("since", self.since.to_param()));
        }
        if self.timestamps {
            params.push(("ts", "1".into()));
        }
        if self.streams != StreamFilter::Both {
            params.push(("streams", self.streams.as_param().into()));
        }
        if !self.search.is_empty() {
            params.push(("q", self.search.clone()));
        }
        if self.only_matching {
            params.push(("only", "1".into()));
        }
        params
    }

    /// The parameters of the stream itself (`/api/logs`): changing these restarts it.
    pub fn stream_params(&self, name: &str) -> Vec<(&'static str, String)> {
        let mut params = vec![("name", name.to_owned()), ("tail", self.tail.to_engine())];
        if self.since != Since::Any {
            params.push(("since", self.since.to_param()));
        }
        params
    }
}

fn clip(input: &str) -> String {
    input.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn tail_accepts_numbers_up_to_the_cap_and_all() {
        assert_eq!(Tail::parse("500"), Ok(Tail::Lines(500)));
        assert_eq!(Tail::parse(" ALL "), Ok(Tail::All));
        assert_eq!(Tail::parse("0"), Ok(Tail::Lines(0)));
        assert!(Tail::parse("100001").is_err());
        assert!(Tail::parse("-1").is_err());
        assert!(Tail::parse("10; rm -rf /")
            .unwrap_err()
            .contains("tail must be"));
    }

    #[test]
    fn since_reads_units_and_turns_into_a_unix_time() {
        assert_eq!(Since::parse(""), Ok(Since::Any));
        assert_eq!(Since::parse("90s"), Ok(Since::SecondsAgo(90)));
        assert_eq!(Since::parse("15m"), Ok(Since::SecondsAgo(900)));
        assert_eq!(Since::parse("2h"), Ok(Since::SecondsAgo(7_200)));
        assert_eq!(Since::parse("7d"), Ok(Since::SecondsAgo(604_800)));
        assert_eq!(Since::parse("45"), Ok(Since::SecondsAgo(45)));
        assert_eq!(Since::SecondsAgo(60).to_engine(1_000), 940);
        assert_eq!(Since::Any.to_engine(1_000), 0);
    }

    #[test]
    fn since_refuses_what_is_not_a_duration() {
        for bad in ["h", "5y", "-5m", "1.5h", "$(date)", "99999999999d"] {
            assert!(Since::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn since_also_takes_an_absolute_utc_time_and_sends_it_as_is() {
        let at = Since::At(1_795_678_200);
        assert_eq!(Since::parse("2026-11-26T07:30:00Z"), Ok(at));
        assert_eq!(Since::parse("2026-11-26 07:30"), Ok(at));
        assert_eq!(Since::parse("2026-11-26T08:30:00+01:00"), Ok(at));
        assert_eq!(
            at.to_engine(1_900_000_000),
            1_795_678_200,
            "not relative to now"
        );
        assert_eq!(at.to_param(), "2026-11-26T07:30:00Z");
        assert_eq!(Since::parse(&at.to_param()), Ok(at));
        let refused = Since::parse("2026-02-30 07:30").unwrap_err();
        assert!(refused.starts_with("since must"), "{refused}");
        assert!(refused.contains("UTC time"), "{refused}");
    }

    #[test]
    fn since_prints_back_in_its_largest_whole_unit() {
        for p in ["90s", "15m", "2h", "7d"] {
            assert_eq!(Since::parse(p).unwrap().to_param(), p);
        }
    }

    #[test]
    fn the_view_round_trips_through_the_url_and_defaults_stay_out_of_it() {
        let q = LogQuery {
            tail: Tail::All,
            since: Since::SecondsAgo(3_600),
            timestamps: true,
            streams: StreamFilter::Stderr,
            search: "refused".into(),
            only_matching: true,
        };
        let params: HashMap<_, _> = q.to_params().into_iter().collect();
        let back = LogQuery::from_params(|k| params.get(k).cloned());
        assert_eq!(back, q);
        assert!(LogQuery::default().to_params().is_empty());
    }

    #[test]
    fn unreadable_url_values_fall_back_to_defaults() {
        let q = LogQuery::from_params(|k| match k {
            "tail" => Some("lots".into()),
            "since" => Some("yesterday".into()),
            "q" => Some("x".repeat(1_000)),
            _ => None,
        });
        assert_eq!(q.tail, Tail::default());
        assert_eq!(q.since, Since::Any);
        assert_eq!(q.search.len(), MAX_QUERY);
    }

    #[test]
    fn stderr_only_hides_stdout_and_tty_lines() {
        use crate::domain::logs::LogStream;
        assert!(StreamFilter::Stderr.shows(LogStream::Stderr));
        assert!(!StreamFilter::Stderr.shows(LogStream::Stdout));
        assert!(StreamFilter::Stdout.shows(LogStream::Tty));
        assert!(StreamFilter::Both.shows(LogStream::Stderr));
    }
}
