//! Reading a proxy's recent log for the errors that matter: lines at error level (or naming a
//! failed dial) that mention the domain, the target container or its address. Traefik logs
//! `level=error` (v2) or ` ERR ` (v3); caddy-docker-proxy logs JSON with `"level":"error"`.

use crate::domain::checks::outcome::{Observation, ProbeOutcome};

/// Words that make a line an error whatever its format.
const ERROR_MARKERS: [&str; 12] = [
    "level=error",
    "level=fatal",
    "\"level\":\"error\"",
    "\"level\":\"fatal\"",
    " err ",
    " ftl ",
    "bad gateway",
    "gateway timeout",
    "connection refused",
    "no such host",
    "no route to host",
    "i/o timeout",
];

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogScan {
    /// The newest matching error lines, oldest first, at most the `keep` asked for.
    pub lines: Vec<String>,
    /// Error lines that mention a needle (may exceed `lines.len()`).
    pub matching: usize,
    /// Error lines about something else.
    pub other_errors: usize,
}

/// Whether a line (ANSI codes removed) reads as an error.
pub fn is_error(line: &str) -> bool {
    let lower = format!(" {} ", line.to_ascii_lowercase());
    ERROR_MARKERS.iter().any(|m| lower.contains(m))
}

/// Scans `lines` for errors mentioning any of `needles` (case-insensitive; empty needles are
/// ignored; with no needles at all every error line counts), keeping the newest `keep`.
pub fn scan(lines: &[String], needles: &[String], keep: usize) -> LogScan {
    let needles: Vec<String> = needles
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let mut found = LogScan {
        lines: Vec::new(),
        matching: 0,
        other_errors: 0,
    };
    for line in lines {
        let plain = crate::domain::logs::ansi::strip(line);
        if !is_error(&plain) {
            continue;
        }
        let lower = plain.to_ascii_lowercase();
        if needles.is_empty() || needles.iter().any(|n| lower.contains(n.as_str())) {
            found.matching += 1;
            found.lines.push(plain);
            if found.lines.len() > keep {
                found.lines.remove(0);
            }
        } else {
            found.other_errors += 1;
        }
    }
    found
}

impl LogScan {
    /// The step's answer: failed when errors mention what the check is about.
    pub fn outcome(self, container: &str, scanned: usize) -> ProbeOutcome {
        let others = match self.other_errors {
            0 => String::new(),
            1 => " (1 other error line is about something else)".to_owned(),
            n => format!(" ({n} other error lines are about something else)"),
        };
        let summary = if self.matching == 0 {
            format!(
                "No error in the last {scanned} lines of {container}'s log mentions it{others}."
            )
        } else {
            let newest = self.lines.last().map(String::as_str).unwrap_or_default();
            let newest: String = newest.chars().take(300).collect();
            format!(
                "{} error line{} in the last {scanned} lines of {container}'s log mention{} it{others}; the newest: {newest}",
                self.matching,
                if self.matching == 1 { "" } else { "s" },
                if self.matching == 1 { "s" } else { "" },
            )
        };
        let observation = Observation::LogErrors {
            matching: self.matching,
            other_errors: self.other_errors,
            scanned,
            lines: self.lines,
        };
        if self.matching == 0 {
            ProbeOutcome::ok(observation, summary)
        } else {
            ProbeOutcome::failed(observation, summary)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn traefik_v2_v3_and_caddy_error_lines_are_errors_and_info_lines_are_not() {
        assert!(is_error(
            r#"time="2026-11-26T10:00:00Z" level=error msg="service \"app\" error: dial tcp 10.0.1.5:3000: connect: connection refused""#
        ));
        assert!(is_error("2026-11-26T10:00:00Z ERR error=\"dial tcp 10.0.1.5:3000: i/o timeout\" routerName=app@docker"));
        assert!(is_error(
            r#"{"level":"error","ts":1.7e9,"logger":"http.log.error","msg":"dial tcp 10.0.1.5:3000: connect: connection refused"}"#
        ));
        assert!(!is_error(
            r#"time="2026-11-26T10:00:00Z" level=info msg="Configuration loaded from flags.""#
        ));
        assert!(!is_error(
            "2026-11-26T10:00:00Z INF Traefik version 3.1.0 built on 2024-07-29"
        ));
        assert!(!is_error("GET /errors/page 200"));
    }

    #[test]
    fn only_errors_that_mention_the_domain_or_target_count_and_the_newest_are_kept() {
        let log = lines(
            "level=error msg=\"dial tcp 10.0.1.5:3000: connect: connection refused\"\n\
             level=info msg=\"app.example.com ok\"\n\
             level=error msg=\"unable to obtain ACME certificate for domains \\\"other.example.com\\\"\"\n\
             level=error msg=\"502 Bad Gateway\" host=APP.example.com\n\
             level=error msg=\"dial tcp 10.0.1.5:3000: i/o timeout\"",
        );
        let needles = [
            "app.example.com".to_owned(),
            "10.0.1.5".to_owned(),
            String::new(),
        ];
        let found = scan(&log, &needles, 2);
        assert_eq!(found.matching, 3);
        assert_eq!(found.other_errors, 1);
        assert_eq!(found.lines.len(), 2);
        assert!(found.lines[0].contains("Bad Gateway"));
        assert!(found.lines[1].contains("i/o timeout"));
        let outcome = found.outcome("coolify-proxy", log.len());
        assert_eq!(outcome.status, crate::domain::checks::StepStatus::Failed);
        assert!(outcome.summary.starts_with("3 error lines in the last 5 lines of coolify-proxy's log mention it (1 other error line"), "{}", outcome.summary);
    }

    #[test]
    fn a_quiet_log_passes_and_ansi_colours_do_not_hide_an_error() {
        let found = scan(&lines("level=info msg=started"), &["app".to_owned()], 10);
        assert_eq!(found.matching, 0);
        assert_eq!(
            found.outcome("proxy", 1).status,
            crate::domain::checks::StepStatus::Ok
        );
        let coloured = vec!["2026-11-26 \u{1b}[31mERR\u{1b}[0m dial app:3000 failed".to_owned()];
        let found = scan(&coloured, &["app".to_owned()], 10);
        assert_eq!(found.matching, 1);
        assert!(!found.lines[0].contains('\u{1b}'));
    }
}
