//! Durations as matrix authors write them: `30m`, `4h`, `1h30m`, `2d`, `3bd`.
//!
//! Units are defined once, here and in the README:
//! - `m` minutes and `h` hours: on a calendar they count working time, around
//!   the clock they count real elapsed time;
//! - `d` a day of 24 real hours, allowed only for around-the-clock targets and
//!   review cadences (on a calendar "a day" would be ambiguous);
//! - `bd` a business day, allowed only for calendar targets; its length is the
//!   manifest's `business_day` (8 working hours unless set).
//!
//! Anything else (`90`, `1.5h`, `4 hours`, `1mo`, `30m1h`) is rejected.

use std::fmt;

/// A duration as written, before its units are resolved against a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DurationSpec {
    /// Whole days of 24 hours.
    pub days: u32,
    /// Business days.
    pub business_days: u32,
    /// Hours.
    pub hours: u32,
    /// Minutes.
    pub minutes: u32,
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing was written.
    #[error("empty duration: write a number and a unit, for example `30m`, `4h` or `1h30m`")]
    Empty,
    /// A number with no unit.
    #[error("`{0}` has no unit: write `{0}m` for minutes or `{0}h` for hours")]
    MissingUnit(String),
    /// A unit that is not defined.
    #[error(
        "unknown unit `{unit}` in `{text}`: use m (minutes), h (hours), d (24-hour days) or bd (business days)"
    )]
    UnknownUnit {
        /// The whole text.
        text: String,
        /// The unit.
        unit: String,
    },
    /// Units out of order or repeated.
    #[error("`{0}`: write each unit once, largest first (for example `1d4h` or `1h30m`)")]
    Order(String),
    /// A fraction or other malformed number.
    #[error(
        "`{0}` is not a duration: use whole numbers with units, for example `1h30m` instead of `1.5h`"
    )]
    Malformed(String),
    /// Too large to be meaningful.
    #[error("`{0}` is too long: durations are limited to 10 years")]
    TooLarge(String),
}

const MAX_MINUTES: u64 = 10 * 366 * 24 * 60;

impl DurationSpec {
    /// Reads a duration.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(DurationError::Empty);
        }
        let mut spec = DurationSpec::default();
        let mut rest = trimmed;
        // Rank of the last unit seen: bd/d = 3, h = 2, m = 1.
        let mut last_rank = u8::MAX;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(DurationError::Malformed(trimmed.to_string()));
            }
            let (number, tail) = rest.split_at(digits);
            let unit_len = tail
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(tail.len());
            let (unit, tail) = tail.split_at(unit_len);
            if unit.is_empty() {
                return Err(if tail.is_empty() {
                    DurationError::MissingUnit(trimmed.to_string())
                } else {
                    DurationError::Malformed(trimmed.to_string())
                });
            }
            let value: u32 = number
                .parse()
                .map_err(|_| DurationError::TooLarge(trimmed.to_string()))?;
            let rank = match unit {
                "d" | "bd" => 3,
                "h" => 2,
                "m" => 1,
                other => {
                    return Err(DurationError::UnknownUnit {
                        text: trimmed.to_string(),
                        unit: other.to_string(),
                    });
                }
            };
            if rank >= last_rank {
                return Err(DurationError::Order(trimmed.to_string()));
            }
            last_rank = rank;
            match unit {
                "d" => spec.days = value,
                "bd" => spec.business_days = value,
                "h" => spec.hours = value,
                _ => spec.minutes = value,
            }
            rest = tail;
        }
        if spec.upper_bound_minutes() > MAX_MINUTES {
            return Err(DurationError::TooLarge(trimmed.to_string()));
        }
        Ok(spec)
    }

    fn upper_bound_minutes(&self) -> u64 {
        (u64::from(self.days) + u64::from(self.business_days)) * 24 * 60
            + u64::from(self.hours) * 60
            + u64::from(self.minutes)
    }

    /// Total minutes, with business days counted as `business_day_minutes`.
    pub fn total_minutes(&self, business_day_minutes: u32) -> u64 {
        u64::from(self.days) * 24 * 60
            + u64::from(self.business_days) * u64::from(business_day_minutes)
            + u64::from(self.hours) * 60
            + u64::from(self.minutes)
    }

    /// Whether the duration is zero.
    pub fn is_zero(&self) -> bool {
        self.upper_bound_minutes() == 0
    }
}

/// Formats minutes as the shortest duration text (`90` -> `1h30m`).
pub fn format_minutes(minutes: u64) -> String {
    let hours = minutes / 60;
    let rest = minutes % 60;
    match (hours, rest) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

impl fmt::Display for DurationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        for (value, unit) in [
            (self.days, "d"),
            (self.business_days, "bd"),
            (self.hours, "h"),
            (self.minutes, "m"),
        ] {
            if value > 0 {
                write!(f, "{value}{unit}")?;
                wrote = true;
            }
        }
        if !wrote {
            f.write_str("0m")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_forms() {
        assert_eq!(DurationSpec::parse("30m").unwrap().total_minutes(480), 30);
        assert_eq!(DurationSpec::parse("4h").unwrap().total_minutes(480), 240);
        assert_eq!(DurationSpec::parse("1h30m").unwrap().total_minutes(480), 90);
        assert_eq!(DurationSpec::parse("2d").unwrap().total_minutes(480), 2880);
        assert_eq!(DurationSpec::parse("3bd").unwrap().total_minutes(480), 1440);
        assert_eq!(DurationSpec::parse("0m").unwrap().total_minutes(480), 0);
    }

    #[test]
    fn rejects_ambiguous_forms() {
        assert!(matches!(
            DurationSpec::parse("90"),
            Err(DurationError::MissingUnit(_))
        ));
        assert!(matches!(
            DurationSpec::parse("1.5h"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            DurationSpec::parse("4 hours"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            DurationSpec::parse("1mo"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert!(matches!(
            DurationSpec::parse("30m1h"),
            Err(DurationError::Order(_))
        ));
        assert!(matches!(
            DurationSpec::parse("1h1h"),
            Err(DurationError::Order(_))
        ));
        assert!(matches!(DurationSpec::parse(""), Err(DurationError::Empty)));
        assert!(matches!(
            DurationSpec::parse("99999999d"),
            Err(DurationError::TooLarge(_))
        ));
    }

    #[test]
    fn formats_back() {
        assert_eq!(format_minutes(90), "1h30m");
        assert_eq!(format_minutes(240), "4h");
        assert_eq!(format_minutes(5), "5m");
        assert_eq!(DurationSpec::parse("1d4h").unwrap().to_string(), "1d4h");
    }
}
