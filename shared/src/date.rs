//! Calendar dates and instants in UTC, as far as the report needs them: the report
//! date, the month it belongs to, and when a note was written.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

const SECONDS_PER_DAY: i64 = 86_400;

/// A day of the proleptic Gregorian calendar, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date of the form YYYY-MM-DD")]
pub struct DateError(pub String);

impl Date {
    /// The date with these parts, if it exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Today in UTC.
    pub fn today() -> Date {
        Date::of_instant(now_seconds())
    }

    /// The UTC date of an instant given in seconds since the Unix epoch.
    pub fn of_instant(seconds: i64) -> Date {
        let (year, month, day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
        Date { year, month, day }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u32 {
        self.day
    }

    /// The first day of this date's month.
    pub fn month_start(self) -> Date {
        Date { day: 1, ..self }
    }

    /// Seconds since the Unix epoch at the start (00:00:00 UTC) of this date.
    pub fn start_seconds(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * SECONDS_PER_DAY
    }

    /// Seconds since the Unix epoch at the end of this date (the next day's start).
    pub fn end_seconds(self) -> i64 {
        self.start_seconds() + SECONDS_PER_DAY
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// `YYYY-MM-DD`; a longer RFC 3339 time is cut to its date.
    fn from_str(text: &str) -> Result<Date, DateError> {
        let err = || DateError(text.to_owned());
        let head = text.trim().get(..10).ok_or_else(err)?;
        let bytes = head.as_bytes();
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(err());
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = &head[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let year = i32::try_from(number(0..4)?).map_err(|_| err())?;
        Date::new(year, number(5..7)?, number(8..10)?).ok_or_else(err)
    }
}

/// Seconds since the Unix epoch of an ASFF timestamp: `YYYY-MM-DDTHH:MM:SS`, an
/// optional fraction, then `Z` or an offset `±HH`, `±HHMM` or `±HH:MM`.
pub fn parse_instant(text: &str) -> Option<i64> {
    let text = text.trim();
    let date: Date = text.get(..10)?.parse().ok()?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix('t'))?;
    let two = |s: &str, at: usize| -> Option<i64> {
        let part = s.get(at..at + 2)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (hour, minute, second) = (two(rest, 0)?, two(rest, 3)?, two(rest, 6)?);
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let zone = rest.get(8..)?;
    let zone = match zone.strip_prefix('.') {
        Some(fraction) => {
            let zone = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
            if zone.len() == fraction.len() {
                return None;
            }
            zone
        }
        None => zone,
    };
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let (h, m) = match zone.len() {
                3 => (two(zone, 1)?, 0),
                5 => (two(zone, 1)?, two(zone, 3)?),
                6 if zone.get(3..4)? == ":" => (two(zone, 1)?, two(zone, 4)?),
                _ => return None,
            };
            if h > 18 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    Some(date.start_seconds() + hour * 3600 + minute * 60 + second - offset)
}

/// Now, in seconds since the Unix epoch.
pub fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// An instant as RFC 3339 UTC with seconds, e.g. `2025-02-23T06:00:00Z`.
pub fn rfc3339(seconds: i64) -> String {
    let date = Date::of_instant(seconds);
    let in_day = seconds.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (i32::try_from(year).unwrap_or(i32::MAX), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_print_and_round_trip_through_instants() {
        let d: Date = "2024-02-29".parse().unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(Date::of_instant(d.start_seconds()), d);
        assert_eq!(Date::of_instant(d.end_seconds() - 1), d);
        assert_eq!(d.month_start().to_string(), "2024-02-01");
        assert_eq!(
            "2025-02-23T06:00:00Z".parse::<Date>().unwrap().to_string(),
            "2025-02-23"
        );
        assert_eq!(Date::of_instant(0).to_string(), "1970-01-01");
        assert_eq!(Date::of_instant(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn bad_dates_are_errors_not_panics() {
        for bad in [
            "",
            "2025-02-30",
            "2023-02-29",
            "2025-13-01",
            "25-02-23",
            "2025/02/23",
            "2025-0a-23",
            "ééééééééééé",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_parse_with_offsets_and_print_in_utc() {
        let t = parse_instant("2025-02-23T06:00:00.000Z").unwrap();
        assert_eq!(rfc3339(t), "2025-02-23T06:00:00Z");
        assert_eq!(
            parse_instant("2025-02-23T08:00:00+02:00"),
            Some(t),
            "offsets are honoured"
        );
        assert_eq!(
            parse_instant("2025-02-22T23:30:00-06:30"),
            Some(t),
            "negative offsets too"
        );
        assert_eq!(parse_instant("2025-02-23T06:00:00Z"), Some(t));
        assert_eq!(parse_instant("2025-02-23T08:00:00+0200"), Some(t));
        assert_eq!(parse_instant("2025-02-23T08:00:00.123456789+02"), Some(t));
        for bad in [
            "yesterday",
            "2025-02-23",
            "2025-02-23T06:00:00",
            "2025-02-23T06:00Z",
            "2025-02-23T25:00:00Z",
            "2025-02-23T06:00:00+020",
            "2025-02-23T06:00:00+19:00",
            "2025-02-23T06:00:00.Z",
            "2025-02-23 06:00:00Z",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }
}
