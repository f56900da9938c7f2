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

/// An instant as a person or a program writes it, in seconds since 1970: RFC 3339
/// (`2026-11-26T07:30:00Z`, `2026-11-26T09:30:00.5+02:00`) or `2026-11-26 07:30[:00]` in UTC
/// (a trailing `Z` or ` UTC` allowed). `None` for anything else, or a time before 1970.
pub fn parse_utc(input: &str) -> Option<u64> {
    let input = input.trim();
    let input = input
        .strip_suffix(" UTC")
        .or_else(|| input.strip_suffix(" utc"))
        .unwrap_or(input);
    let b = input.as_bytes();
    if b.len() < 16 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u64> {
        let part = input.get(range)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b[4] != b'-' || b[7] != b'-' || b[13] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let mut rest = &input[16..];
    let mut second = 0;
    if let Some(after) = rest.strip_prefix(':') {
        second = num(17..19)?;
        rest = after.get(2..)?;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            rest = &frac[digits..];
        }
    }
    let offset: i64 = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = &rest[1..];
            let zb = zone.as_bytes();
            if zb.len() != 5 || zb[2] != b':' {
                return None;
            }
            let (h, m) = (
                zone[..2].parse::<i64>().ok()?,
                zone[3..].parse::<i64>().ok()?,
            );
            if h > 23
                || m > 59
                || !zone[..2]
                    .bytes()
                    .chain(zone[3..].bytes())
                    .all(|c| c.is_ascii_digit())
            {
                return None;
            }
            sign * (h * 3_600 + m * 60)
        }
    };
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    let local = days * DAY + hour * HOUR + minute * MINUTE + second.min(59);
    u64::try_from(i64::try_from(local).ok()? - offset).ok()
}

/// Seconds since 1970 as RFC 3339 in UTC: `2026-11-26T07:30:00Z`.
pub fn rfc3339(unix_seconds: u64) -> String {
    let (days, of_day) = (unix_seconds / DAY, unix_seconds % DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / HOUR,
        of_day % HOUR / MINUTE,
        of_day % MINUTE
    )
}

fn days_in_month(year: u64, month: u64) -> u64 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date (the inverse of [`civil_from_days`]); `None` before 1970.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y / 400;
    let yoe = y % 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
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
    fn instants_read_as_rfc3339_or_as_a_plain_utc_date_and_time() {
        let t = 1_795_678_200; // 2026-11-26T07:30:00Z
        assert_eq!(rfc3339(t), "2026-11-26T07:30:00Z");
        assert_eq!(parse_utc("2026-11-26T07:30:00Z"), Some(t));
        assert_eq!(parse_utc("2026-11-26T07:30:00.123456789Z"), Some(t));
        assert_eq!(parse_utc("2026-11-26T09:30:00+02:00"), Some(t));
        assert_eq!(parse_utc("2026-11-26T02:30:00-05:00"), Some(t));
        assert_eq!(parse_utc("2026-11-26 07:30"), Some(t));
        assert_eq!(parse_utc("2026-11-26 07:30:05"), Some(t + 5));
        assert_eq!(parse_utc(" 2026-11-26 07:30 UTC "), Some(t));
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc("2024-02-29 00:00"), Some(1_709_164_800));
        assert_eq!(parse_utc(&rfc3339(t)), Some(t), "round trip");
    }

    #[test]
    fn what_is_not_an_instant_is_refused() {
        for bad in [
            "",
            "2026-11-26",
            "2026-13-01 00:00",
            "2026-02-30 00:00",
            "2025-02-29 00:00",
            "2026-11-26 24:00",
            "2026-11-26 07:60",
            "2026-11-26T07:30:00+2:00",
            "2026-11-26T07:30:00.Z",
            "2026-11-26T07:30:00 PST",
            "1969-12-31 23:59",
            "2026/11/26 07:30",
            "$(date) 07:30:00000",
            "2026-11-26 07:30;rm",
            "2026-11-26T07:30:00+02:0é",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad} was accepted");
        }
    }

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
