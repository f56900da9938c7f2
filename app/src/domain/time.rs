//! Time as people write and read it: durations like `90s`, `15m`, `2h`, `7d` (log views, link
//! lifetimes) and instants as UTC text (expiry dates, error messages), without a date library.

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Seconds in `90s`, `15m`, `2h`, `7d` (unit in either case) or a plain number of seconds.
/// `None` for anything else: signs, fractions, spaces, other units, or more seconds than a `u64`
/// holds. Zero is zero: whether it means anything is the caller's rule.
pub fn parse_seconds(input: &str) -> Option<u64> {
    let (digits, scale) = match input.char_indices().last()? {
        (i, unit) if unit.is_ascii_alphabetic() => {
            let scale = match unit.to_ascii_lowercase() {
                's' => 1,
                'm' => MINUTE,
                'h' => HOUR,
                'd' => DAY,
                _ => return None,
            };
            (&input[..i], scale)
        }
        _ => (input, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(scale)
}

/// Seconds in their largest whole unit, as [`parse_seconds`] reads them back: `7d`, `36h`,
/// `90m`, `45s`.
pub fn format_seconds(seconds: u64) -> String {
    match seconds {
        0 => "0s".into(),
        s if s.is_multiple_of(DAY) => format!("{}d", s / DAY),
        s if s.is_multiple_of(HOUR) => format!("{}h", s / HOUR),
        s if s.is_multiple_of(MINUTE) => format!("{}m", s / MINUTE),
        s => format!("{s}s"),
    }
}

/// Milliseconds since 1970 as `2025-11-27 10:15:03 UTC` (to the second, proleptic Gregorian).
pub fn utc_text(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let (days, of_day) = (secs / DAY, secs % DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        of_day / HOUR,
        of_day % HOUR / MINUTE,
        of_day % MINUTE
    )
}

/// Year, month and day of the `days`th day after 1970-01-01 (Howard Hinnant's algorithm,
/// unsigned because nothing here predates 1970).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_seconds_minutes_hours_and_days() {
        assert_eq!(parse_seconds("90s"), Some(90));
        assert_eq!(parse_seconds("15m"), Some(900));
        assert_eq!(parse_seconds("2H"), Some(7_200));
        assert_eq!(parse_seconds("7d"), Some(604_800));
        assert_eq!(parse_seconds("45"), Some(45));
        assert_eq!(parse_seconds("0d"), Some(0));
    }

    #[test]
    fn anything_that_is_not_a_whole_duration_is_refused() {
        for bad in [
            "",
            "d",
            "5y",
            "-5m",
            "+5m",
            "1.5h",
            " 5m",
            "5 m",
            "$(date)",
            "5mm",
            "é",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_seconds(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn durations_print_in_their_largest_whole_unit_and_read_back() {
        for (seconds, text) in [
            (0, "0s"),
            (45, "45s"),
            (5_400, "90m"),
            (129_600, "36h"),
            (604_800, "7d"),
        ] {
            assert_eq!(format_seconds(seconds), text);
            assert_eq!(parse_seconds(text), Some(seconds));
        }
    }

    #[test]
    fn instants_print_as_utc_dates_leap_days_included() {
        assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_text(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_text(1_764_238_503_123), "2025-11-27 10:15:03 UTC");
        assert_eq!(utc_text(4_102_444_799_000), "2099-12-31 23:59:59 UTC");
        assert_eq!(utc_text(253_402_300_799_000), "9999-12-31 23:59:59 UTC");
    }
}
