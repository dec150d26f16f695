//! Timestamps: parsing the forms bar files use, and formatting them back.
//!
//! Internally a timestamp is milliseconds since the Unix epoch, UTC. A bare date
//! (`YYYY-MM-DD`) is midnight UTC of that date: exchange dates carry no time zone, and treating
//! them as UTC midnight keeps one calendar day per date. ISO date-times are accepted with `T` or a
//! space between date and time, optional seconds and fractions, and an optional `Z` or `±HH:MM`
//! offset (converted to UTC).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

/// What a timestamp cell must look like, for error messages.
pub const EXPECTED: &str = "a date YYYY-MM-DD or an ISO date-time such as 2020-01-02T15:30:00Z";

/// Parses a date or ISO date-time into ms since the epoch (UTC).
pub fn parse_ts(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.len() == 10 {
        return parse_date(text).map(date_to_ms);
    }
    parse_plain_date_time(text).or_else(|| parse_date_time_with_formats(text))
}

/// The common date-time forms (`YYYY-MM-DD`, `T` or a space, `HH:MM`, optional `:SS` with up to
/// nine fraction digits, optional `Z`), parsed by hand: minute-bar feeds are millions of lines,
/// and chrono's format machinery costs more than the rest of a line. `None` sends anything
/// else (offsets, leap seconds, odd widths) to [`parse_date_time_with_formats`].
fn parse_plain_date_time(text: &str) -> Option<i64> {
    let bytes = text.strip_suffix('Z').unwrap_or(text).as_bytes();
    if bytes.len() < 16 || !matches!(bytes[10], b'T' | b' ') || bytes[13] != b':' {
        return None;
    }
    let date = parse_date(std::str::from_utf8(&bytes[..10]).ok()?)?;
    let field = |range: std::ops::Range<usize>| bytes.get(range).and_then(digits).map(i64::from);
    let (hour, minute) = (field(11..13)?, field(14..16)?);
    let (mut second, mut millis) = (0, 0);
    if bytes.len() > 16 {
        if bytes[16] != b':' {
            return None;
        }
        second = field(17..19)?;
        if bytes.len() > 19 {
            let fraction = bytes
                .get(20..)
                .filter(|f| bytes[19] == b'.' && (1..=9).contains(&f.len()))?;
            // Milliseconds: the first three digits, padded; the rest cut off (as chrono's
            // timestamp_millis does).
            let mut first = *b"000";
            let n = fraction.len().min(3);
            first[..n].copy_from_slice(&fraction[..n]);
            digits(fraction)?;
            millis = i64::from(digits(&first)?);
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(date_to_ms(date) + ((hour * 60 + minute) * 60 + second) * 1000 + millis)
}

/// Every accepted date-time form, through chrono.
fn parse_date_time_with_formats(text: &str) -> Option<i64> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.timestamp_millis());
    }
    // rfc3339 wants seconds and a T; accept a space and missing seconds when there is no offset.
    const NAIVE: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ];
    let text = text.strip_suffix('Z').unwrap_or(text);
    NAIVE.iter().find_map(|format| {
        NaiveDateTime::parse_from_str(text, format)
            .ok()
            .map(|dt| dt.and_utc().timestamp_millis())
    })
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    // The common case in daily files: parse by hand, it is several times faster than a format.
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&bytes[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&bytes[5..7])?, digits(&bytes[8..10])?)
}

/// The number `bytes` spell, when they are all ASCII digits.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Midnight UTC of `date`, in ms since the epoch.
pub fn date_to_ms(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

/// How to print the timestamps of one series: dates when every bar is at midnight UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsFormat {
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
    DateTime,
}

impl TsFormat {
    /// Dates when every timestamp is a midnight, date-times otherwise.
    pub fn for_series(ts: &[i64]) -> TsFormat {
        if ts.iter().all(|t| t.rem_euclid(DAY_MS) == 0) {
            TsFormat::Date
        } else {
            TsFormat::DateTime
        }
    }

    /// Formats one timestamp.
    pub fn format(self, ms: i64) -> String {
        let Some(dt) = DateTime::from_timestamp_millis(ms) else {
            return ms.to_string();
        };
        match self {
            TsFormat::Date => dt.format("%Y-%m-%d").to_string(),
            TsFormat::DateTime if ms.rem_euclid(1000) == 0 => {
                dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            }
            TsFormat::DateTime => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2018-12-31 is day 17896 since 1970-01-01 (checked: 48 years, 12 leap days, 364 days).
    const D_2018_12_31: i64 = 17_896 * DAY_MS;

    #[test]
    fn dates_are_midnight_utc() {
        assert_eq!(parse_ts("2018-12-31"), Some(D_2018_12_31));
        assert_eq!(parse_ts("1970-01-01"), Some(0));
        assert_eq!(parse_ts(" 1970-01-02 "), Some(DAY_MS));
    }

    #[test]
    fn iso_date_times_with_and_without_offsets() {
        let half_past_three = D_2018_12_31 + (15 * 60 + 30) * 60_000;
        assert_eq!(parse_ts("2018-12-31T15:30:00Z"), Some(half_past_three));
        assert_eq!(parse_ts("2018-12-31T15:30:00"), Some(half_past_three));
        assert_eq!(parse_ts("2018-12-31 15:30:00"), Some(half_past_three));
        assert_eq!(parse_ts("2018-12-31T15:30"), Some(half_past_three));
        assert_eq!(parse_ts("2018-12-31T10:30:00-05:00"), Some(half_past_three));
        assert_eq!(
            parse_ts("2018-12-31T15:30:00.250Z"),
            Some(half_past_three + 250)
        );
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for bad in [
            "",
            "2018-13-01",
            "2018-02-30",
            "31/12/2018",
            "20181231",
            "abc",
            "NaN",
        ] {
            assert_eq!(parse_ts(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_hand_parser_agrees_with_chrono() {
        let forms = [
            "2018-12-31T15:30:00",
            "2018-12-31 15:30:00Z",
            "2018-12-31T15:30",
            "2018-12-31 15:30Z",
            "2018-12-31T15:30:59.5",
            "2018-12-31T15:30:59.999999999Z",
            "2018-12-31T23:59:07.0101",
            "2000-02-29T00:00:00.000",
            "1969-12-31T23:59:59.999",
            "2018-12-31T24:00:00",
            "2018-12-31T15:60:00",
            "2018-12-31T15:30:61",
            "2018-12-31T15:30:00.",
            "2018-12-31T15:30:00.1234567890",
            "2018-12-31T15:30:0x",
            "2018-12-31T1:30:00",
            "2018-12-31X15:30:00",
            "2019-02-29T00:00:00",
            "2018-12-31T15:30:00+01:00",
        ];
        for text in forms {
            let by_hand = parse_plain_date_time(text);
            if by_hand.is_some() {
                assert_eq!(by_hand, parse_date_time_with_formats(text), "{text}");
            }
            assert_eq!(parse_ts(text), parse_date_time_with_formats(text), "{text}");
        }
        for text in &forms[..9] {
            assert!(parse_plain_date_time(text).is_some(), "{text}");
        }
        // The last millisecond before the epoch, worked out by hand.
        assert_eq!(parse_plain_date_time("1969-12-31T23:59:59.999"), Some(-1));
        assert_eq!(
            parse_plain_date_time("2018-12-31T15:30:59.5"),
            Some(D_2018_12_31 + ((15 * 60 + 30) * 60 + 59) * 1000 + 500)
        );
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(TsFormat::Date.format(D_2018_12_31), "2018-12-31");
        let t = D_2018_12_31 + 61_000;
        assert_eq!(TsFormat::DateTime.format(t), "2018-12-31T00:01:01Z");
        assert_eq!(parse_ts(&TsFormat::DateTime.format(t + 5)), Some(t + 5));
        assert_eq!(TsFormat::for_series(&[0, DAY_MS]), TsFormat::Date);
        assert_eq!(TsFormat::for_series(&[0, 60_000]), TsFormat::DateTime);
    }
}
