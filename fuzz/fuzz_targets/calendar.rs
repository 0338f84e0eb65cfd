//! Calendar arithmetic on random calendars and instants: any IANA zone,
//! random windows (valid, inverted, overnight, past 24:00), holidays and
//! exclusions, any start instant and target. Nothing may panic, and where an
//! answer comes back it must agree with the others:
//!
//! - a zero target is due at once; a positive one strictly later;
//! - measuring from the start to the due time gives the target back;
//! - the second before the due time is working time;
//! - adding in two steps lands where adding at once does.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use escalate::calendar::{Calendar, CalendarError, Clock, Exclusion, Window};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

#[derive(Arbitrary, Debug)]
struct RawWindow {
    start: u16,
    end: u16,
    overnight: bool,
}

#[derive(Arbitrary, Debug)]
struct Input {
    zone: u16,
    weekly: [Vec<RawWindow>; 7],
    /// Days after the start's date (may be negative).
    holidays: Vec<i16>,
    /// Minutes after the start's local midnight, and a length in minutes.
    exclusions: Vec<(i32, i32)>,
    start: i64,
    /// Anywhere in chrono's range rather than near 2026.
    anywhere: bool,
    target_minutes: u32,
    split_minutes: u32,
    /// Whether window times may be past 24:00 (invalid, so ignored).
    raw_times: bool,
}

fn calendar(input: &Input, day0: NaiveDate) -> Calendar {
    let zones = chrono_tz::TZ_VARIANTS;
    let zone = zones[usize::from(input.zone) % zones.len()];
    let mut cal = Calendar::new(zone);
    for (day, windows) in input.weekly.iter().enumerate() {
        cal.weekly[day] = windows
            .iter()
            .take(4)
            .map(|w| {
                let (start, end) = if input.raw_times {
                    (w.start, w.end)
                } else {
                    (w.start % 1441, w.end % 1441)
                };
                Window {
                    start,
                    end,
                    overnight: w.overnight,
                }
            })
            .collect();
    }
    for offset in input.holidays.iter().take(32) {
        if let Some(date) = day0.checked_add_signed(Duration::days(i64::from(*offset))) {
            cal.holidays.insert(date);
        }
    }
    let midnight = day0.and_hms_opt(0, 0, 0).unwrap_or_default();
    for (start, length) in input.exclusions.iter().take(4) {
        let start = midnight.checked_add_signed(Duration::minutes(i64::from(*start)));
        let end = start.and_then(|s| s.checked_add_signed(Duration::minutes(i64::from(*length))));
        if let (Some(start), Some(end)) = (start, end) {
            cal.exclusions.push(Exclusion { start, end });
        }
    }
    cal
}

fn reachable(result: &Result<DateTime<Utc>, CalendarError>) -> bool {
    match result {
        Ok(_) => true,
        Err(
            CalendarError::NoWorkingTime { .. }
            | CalendarError::HorizonExceeded { .. }
            | CalendarError::OutOfRange,
        ) => false,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

fuzz_target!(|input: Input| {
    let start = if input.anywhere {
        DateTime::from_timestamp(input.start, 0).unwrap_or(if input.start < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    } else {
        // 1970 .. about 2106, second by second.
        DateTime::from_timestamp(i64::from(input.start as u32), 0).unwrap_or_default()
    };
    let day0: NaiveDate = start.date_naive();
    let cal = calendar(&input, day0);
    // Up to about 100 business days of 8 hours; more only makes runs slower.
    let target = Duration::minutes(i64::from(input.target_minutes % (100 * 8 * 60 + 1)));
    let split = Duration::minutes(i64::from(input.split_minutes % (100 * 8 * 60 + 1))).min(target);

    let _ = cal.window_problems();
    let _ = cal.weekly_working_minutes();
    let _ = cal.is_working(start);
    let _ = cal.upcoming_holidays(day0).take(3).count();
    let clock = Clock::Business(Arc::new(cal.clone()));
    if let Some(later) = start.checked_add_signed(Duration::days(3)) {
        let _ = clock.between(start, later);
    }
    let _ = Clock::AroundTheClock.add(start, target);

    let whole = cal.add_working_time(start, target);
    if !reachable(&whole) {
        return;
    }
    let Ok(due) = whole else { return };
    if target.is_zero() {
        assert_eq!(due, start, "a zero target is due at once");
        return;
    }
    assert!(due > start, "due {due} is not after the start {start}");
    match cal.working_time_between(start, due) {
        Ok(measured) => assert_eq!(measured, target, "measuring undoes adding"),
        Err(CalendarError::OutOfRange) => {}
        Err(other) => panic!("measuring {start}..{due}: {other:?}"),
    }
    let before: NaiveDateTime = (due - Duration::seconds(1)).naive_utc();
    assert!(
        cal.is_working(before.and_utc()),
        "the second before the due time {due} is not working time"
    );
    if let Ok(first) = cal.add_working_time(start, split) {
        match cal.add_working_time(first, target - split) {
            Ok(second) => assert_eq!(second, due, "adding in two steps ({split} then the rest)"),
            Err(CalendarError::OutOfRange) => {}
            Err(other) => panic!("the rest after {first}: {other:?}"),
        }
    }
});
