//! Validation of weekly windows and parsing of "HH:MM" clock times.
//!
//! Computations silently skip invalid windows; these checks are how a user learns about
//! them, so each problem names the weekday and the window indexes and carries a message
//! meant for a person.

use chrono::Weekday;

use super::{Calendar, CalendarError, MINUTES_PER_DAY, Window, weekday_at};

/// What is wrong with one window or a pair of windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowProblemKind {
    /// Start equals end on a window not marked overnight.
    Empty,
    /// End before start on a window not marked overnight.
    Inverted,
    /// A time past 24:00, or a window starting at 24:00.
    OutOfRange,
    /// Marked overnight, but ends after it starts on the same day.
    NotOvernight,
    /// Two windows of the same weekday overlap.
    Overlap,
    /// An overnight window runs into a window of the next weekday.
    SpillsIntoNextDay,
}

/// A problem found in a weekday's window list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowProblem {
    /// The weekday whose list has the problem; `None` from [`check_windows`], which is
    /// not told the weekday.
    pub weekday: Option<Weekday>,
    /// Indexes into that weekday's list.
    pub windows: Vec<usize>,
    /// For [`WindowProblemKind::SpillsIntoNextDay`], indexes into the next weekday's list
    /// that the overnight window runs into; empty otherwise.
    pub next_day_windows: Vec<usize>,
    /// The kind of problem.
    pub kind: WindowProblemKind,
    /// A human-readable explanation.
    pub message: String,
}

/// Problems within one weekday's list of windows: empty, inverted or out-of-range
/// windows, overnight flags on windows that do not cross midnight, and overlapping
/// windows. Windows merely touching (12:00–13:00, 13:00–14:00) are fine.
pub fn check_windows(windows: &[Window]) -> Vec<WindowProblem> {
    let mut problems = Vec::new();
    for (index, window) in windows.iter().enumerate() {
        if let Some((kind, why)) = defect(*window) {
            problems.push(WindowProblem {
                weekday: None,
                windows: vec![index],
                next_day_windows: Vec::new(),
                kind,
                message: format!("window {index} ({}) {why}", describe(*window)),
            });
        }
    }
    let valid = valid_spans(windows);
    for (position, &(first, first_span)) in valid.iter().enumerate() {
        for &(second, second_span) in valid.iter().skip(position + 1) {
            if first_span.0 < second_span.1 && second_span.0 < first_span.1 {
                problems.push(WindowProblem {
                    weekday: None,
                    windows: vec![first, second],
                    next_day_windows: Vec::new(),
                    kind: WindowProblemKind::Overlap,
                    message: format!(
                        "windows {first} ({}) and {second} ({}) overlap",
                        describe_at(windows, first),
                        describe_at(windows, second),
                    ),
                });
            }
        }
    }
    problems
}

/// Parses "HH:MM" (two digits each) from 00:00 to 24:00 into minutes since midnight;
/// 24:00 is accepted only exactly, as the end of the day.
pub fn parse_clock_time(s: &str) -> Result<u16, CalendarError> {
    let invalid = |reason| CalendarError::InvalidClockTime {
        input: s.to_owned(),
        reason,
    };
    let &[h1, h2, b':', m1, m2] = s.as_bytes() else {
        return Err(invalid("expected HH:MM with two digits each"));
    };
    if ![h1, h2, m1, m2].iter().all(u8::is_ascii_digit) {
        return Err(invalid("expected HH:MM with two digits each"));
    }
    let digit = |c: u8| u16::from(c - b'0');
    let hours = digit(h1) * 10 + digit(h2);
    let minutes = digit(m1) * 10 + digit(m2);
    if minutes > 59 {
        return Err(invalid("minutes must be 00 to 59"));
    }
    if hours > 24 || (hours == 24 && minutes != 0) {
        return Err(invalid("hours must be 00 to 23, or the time exactly 24:00"));
    }
    Ok(hours * 60 + minutes)
}

/// Formats minutes since midnight as "HH:MM" (1440 as "24:00"; larger values keep
/// counting hours so that invalid input stays visible).
pub fn format_clock_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Per-weekday problems plus overnight windows spilling into the next weekday's windows.
pub(super) fn calendar_problems(calendar: &Calendar) -> Vec<WindowProblem> {
    let mut problems = Vec::new();
    for (index, windows) in calendar.weekly.iter().enumerate() {
        let weekday = weekday_at(index);
        for mut problem in check_windows(windows) {
            problem.weekday = Some(weekday);
            problem.message = format!("{}: {}", day_name(weekday), problem.message);
            problems.push(problem);
        }
    }
    let day = u32::from(MINUTES_PER_DAY);
    for (index, windows) in calendar.weekly.iter().enumerate() {
        let weekday = weekday_at(index);
        let next_weekday = weekday_at(index + 1);
        let next = calendar.windows_on(next_weekday);
        let next_valid = valid_spans(next);
        for (window, span) in valid_spans(windows) {
            let Some(spill_end) = span.1.checked_sub(day).filter(|end| *end > 0) else {
                continue;
            };
            let hit: Vec<usize> = next_valid
                .iter()
                .filter(|(_, next_span)| next_span.0 < spill_end)
                .map(|&(i, _)| i)
                .collect();
            if hit.is_empty() {
                continue;
            }
            let names: Vec<String> = hit
                .iter()
                .map(|&i| format!("{i} ({})", describe_at(next, i)))
                .collect();
            problems.push(WindowProblem {
                weekday: Some(weekday),
                windows: vec![window],
                next_day_windows: hit,
                kind: WindowProblemKind::SpillsIntoNextDay,
                message: format!(
                    "{}: overnight window {window} ({}) runs into {} window {}",
                    day_name(weekday),
                    describe_at(windows, window),
                    day_name(next_weekday),
                    names.join(", "),
                ),
            });
        }
    }
    problems
}

/// Windows without a defect, with their spans, in list order.
fn valid_spans(windows: &[Window]) -> Vec<(usize, (u32, u32))> {
    windows
        .iter()
        .enumerate()
        .filter(|(_, w)| defect(**w).is_none())
        .filter_map(|(i, w)| w.span().map(|span| (i, span)))
        .collect()
}

fn defect(window: Window) -> Option<(WindowProblemKind, &'static str)> {
    let (start, end) = (window.start, window.end);
    if start > MINUTES_PER_DAY || end > MINUTES_PER_DAY {
        Some((WindowProblemKind::OutOfRange, "has a time past 24:00"))
    } else if start == MINUTES_PER_DAY {
        Some((
            WindowProblemKind::OutOfRange,
            "starts at 24:00; start it at 00:00 on the next day instead",
        ))
    } else if window.overnight && end > start {
        Some((
            WindowProblemKind::NotOvernight,
            "is marked overnight but ends after it starts on the same day",
        ))
    } else if !window.overnight && start == end {
        Some((WindowProblemKind::Empty, "is empty"))
    } else if !window.overnight && start > end {
        Some((
            WindowProblemKind::Inverted,
            "ends before it starts; mark it overnight if it runs past midnight",
        ))
    } else {
        None
    }
}

fn describe(window: Window) -> String {
    let suffix = if window.overnight { " overnight" } else { "" };
    format!(
        "{}-{}{suffix}",
        format_clock_time(window.start),
        format_clock_time(window.end)
    )
}

fn describe_at(windows: &[Window], index: usize) -> String {
    windows
        .get(index)
        .copied()
        .map_or_else(String::new, describe)
}

fn day_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
