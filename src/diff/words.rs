//! Values in words a business reader understands: durations, names, lists.

use crate::calendar::{Calendar, Window, format_clock_time, weekday_at};
use crate::matrix::Matrix;

/// Texts longer than this (or with a line break) are not repeated inline.
const INLINE_LIMIT: usize = 60;

/// The part of a display name before ` - ` (`Severity 2 - High` -> `Severity 2`).
pub fn short(name: &str) -> &str {
    name.split(" - ")
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(name)
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Minutes as words: `16 business hours`, `24 hours`, `2 days`, `1 hour 30 minutes`.
pub fn duration(minutes: u64, business: bool) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    if business {
        return match (hours, rest) {
            (0, m) => plural(m, "business minute", "business minutes"),
            (h, 0) => plural(h, "business hour", "business hours"),
            (h, m) => format!(
                "{} {}",
                plural(h, "business hour", "business hours"),
                plural(m, "minute", "minutes")
            ),
        };
    }
    if minutes >= 2 * 1440 && minutes.is_multiple_of(1440) {
        return plural(minutes / 1440, "day", "days");
    }
    match (hours, rest) {
        (0, m) => plural(m, "minute", "minutes"),
        (h, 0) => plural(h, "hour", "hours"),
        (h, m) => format!(
            "{} {}",
            plural(h, "hour", "hours"),
            plural(m, "minute", "minutes")
        ),
    }
}

/// A duration in the units it is written in: `2bd` reads `2 business
/// days`, `1d` `1 day`; hours and minutes read as [`duration`] has them.
pub fn written_duration(spec: &crate::matrix::duration::DurationSpec, business: bool) -> String {
    let mut parts = Vec::new();
    if spec.days > 0 {
        parts.push(plural(u64::from(spec.days), "day", "days"));
    }
    if spec.business_days > 0 {
        parts.push(plural(
            u64::from(spec.business_days),
            "business day",
            "business days",
        ));
    }
    let rest = u64::from(spec.hours) * 60 + u64::from(spec.minutes);
    if rest > 0 || parts.is_empty() {
        parts.push(duration(rest, business));
    }
    parts.join(" ")
}

/// `from 8 business hours to 16`: the unit is not repeated when both are
/// a number and the same unit.
pub fn from_to(old: &str, new: &str) -> String {
    let unit = |text: &str| -> Option<(String, String)> {
        let (number, unit) = text.split_once(' ')?;
        if !number.bytes().all(|b| b.is_ascii_digit()) || unit.contains(char::is_numeric) {
            return None;
        }
        Some((number.to_string(), unit.trim_end_matches('s').to_string()))
    };
    match (unit(old), unit(new)) {
        (Some((_, a)), Some((number, b))) if a == b => format!("from {old} to {number}"),
        _ => format!("from {old} to {new}"),
    }
}

/// A text short enough to quote inline, or `None`.
pub fn inline(text: &str) -> Option<&str> {
    (text.chars().count() <= INLINE_LIMIT && !text.contains('\n')).then_some(text)
}

/// Redacts sensitive details (phone numbers, emails, secrets) from free text.
pub fn safe(text: &str) -> String {
    crate::redact::redact(text).text
}

/// A party's display name; the reserved names read as what they stand for.
pub fn party(old: &Matrix, new: &Matrix, id: &str) -> String {
    match id {
        "owner" => "the owner".into(),
        "backup" => "the backup".into(),
        "next-tier" => "the next tier".into(),
        "sponsor" => "the executive sponsor".into(),
        _ => new
            .party(id)
            .or_else(|| old.party(id))
            .map_or_else(|| id.to_string(), |p| p.name.clone()),
    }
}

/// Quoted items joined with commas: `"a", "b"`.
pub fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Items joined as in a sentence: `a`, `a and b`, `a, b and c`.
pub fn sentence(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The weekly windows of a calendar, days with equal windows grouped:
/// `mon-fri 08:00-12:00, 13:00-17:00`.
pub fn weekly(calendar: &Calendar) -> String {
    let day_text = |windows: &[Window]| -> String {
        let mut sorted: Vec<Window> = windows.to_vec();
        sorted.sort_by_key(|w| (w.start, w.end, w.overnight));
        sorted
            .iter()
            .map(|w| {
                let end = format_clock_time(w.end);
                format!(
                    "{}-{}{}",
                    format_clock_time(w.start),
                    end,
                    if w.overnight { " (next day)" } else { "" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let days: Vec<String> = (0..7)
        .map(|d| {
            calendar
                .weekly
                .get(d)
                .map_or_else(String::new, |w| day_text(w))
        })
        .collect();
    let mut groups: Vec<(usize, usize, &str)> = Vec::new();
    for (d, text) in days.iter().enumerate() {
        match groups.last_mut() {
            Some((_, end, last)) if *last == text.as_str() && *end + 1 == d => *end = d,
            _ => groups.push((d, d, text)),
        }
    }
    let name = |d: usize| weekday_at(d).to_string().to_lowercase();
    let parts: Vec<String> = groups
        .into_iter()
        .filter(|(_, _, text)| !text.is_empty())
        .map(|(start, end, text)| {
            if start == end {
                format!("{} {text}", name(start))
            } else {
                format!("{}-{} {text}", name(start), name(end))
            }
        })
        .collect();
    if parts.is_empty() {
        "no working time".into()
    } else {
        parts.join("; ")
    }
}

/// Weekly working time in words: `40 hours a week`.
pub fn weekly_hours(calendar: &Calendar) -> String {
    format!(
        "{} a week",
        duration(u64::from(calendar.weekly_working_minutes()), false)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration(480, true), "8 business hours");
        assert_eq!(duration(60, true), "1 business hour");
        assert_eq!(duration(90, true), "1 business hour 30 minutes");
        assert_eq!(duration(1440, false), "24 hours");
        assert_eq!(duration(2880, false), "2 days");
        assert_eq!(duration(30, false), "30 minutes");
        assert_eq!(
            from_to("8 business hours", "16 business hours"),
            "from 8 business hours to 16"
        );
        assert_eq!(
            from_to("1 business hour", "2 business hours"),
            "from 1 business hour to 2"
        );
        assert_eq!(from_to("24 hours", "2 days"), "from 24 hours to 2 days");
        assert_eq!(short("Severity 2 - High"), "Severity 2");
        assert_eq!(short("IT Service Desk"), "IT Service Desk");
        assert_eq!(
            sentence(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
