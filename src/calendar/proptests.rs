//! Property tests over random calendars: due instants land in working time, more target
//! never gives an earlier due, adding is additive, and measuring undoes adding.

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::{Calendar, CalendarError, DayMemo, Exclusion, Window};

const ZONES: [Tz; 5] = [
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::UTC,
    // Switches at midnight, so local midnight itself is skipped or repeated.
    chrono_tz::America::Santiago,
];

/// 2025-01-01 .. 2028-01-01 in seconds.
const SPAN_SECS: i64 = 3 * 365 * 86_400;

fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
}

fn base_instant() -> DateTime<Utc> {
    base_date().and_time(NaiveTime::MIN).and_utc()
}

fn window() -> impl Strategy<Value = Window> {
    // Quarter-hour boundaries; end <= start becomes an overnight window.
    (0u16..96, 0u16..=96).prop_map(|(start, end)| {
        let (start, end) = (start * 15, end * 15);
        if end <= start {
            Window::overnight(start, end)
        } else {
            Window::new(start, end)
        }
    })
}

fn calendar() -> impl Strategy<Value = Calendar> {
    (
        0usize..ZONES.len(),
        proptest::collection::vec(window(), 1..3),
        proptest::collection::vec(proptest::collection::vec(window(), 0..3), 6),
        proptest::collection::vec(0u64..1100, 0..12),
        proptest::option::of((0i64..SPAN_SECS / 60, 0i64..10 * 24 * 60)),
    )
        .prop_map(|(zone, monday, rest, holidays, exclusion)| {
            let mut cal = Calendar::new(ZONES[zone]);
            cal.weekly[0] = monday;
            for (day, windows) in rest.into_iter().enumerate() {
                cal.weekly[day + 1] = windows;
            }
            cal.holidays = holidays
                .into_iter()
                .filter_map(|d| base_date().checked_add_days(Days::new(d)))
                .collect();
            if let Some((start, length)) = exclusion {
                let start: NaiveDateTime =
                    base_date().and_time(NaiveTime::MIN) + Duration::minutes(start);
                cal.exclusions.push(Exclusion {
                    start,
                    end: start + Duration::minutes(length),
                });
            }
            cal
        })
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..SPAN_SECS).prop_map(|s| base_instant() + Duration::seconds(s))
}

fn target() -> impl Strategy<Value = Duration> {
    (0i64..=100 * 60).prop_map(Duration::minutes)
}

/// Random calendars may be too sparse for a 100-hour target within the horizon; those
/// failures are legitimate and the property says nothing about them.
fn reachable(result: &Result<DateTime<Utc>, CalendarError>) -> bool {
    match result {
        Ok(_) => true,
        Err(CalendarError::NoWorkingTime { .. } | CalendarError::HorizonExceeded { .. }) => false,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn due_is_never_inside_a_closed_period(cal in calendar(), start in instant(), target in target()) {
        let result = cal.add_working_time(start, target);
        prop_assume!(reachable(&result));
        let due = result.unwrap();
        if target.is_zero() {
            prop_assert_eq!(due, start);
        } else {
            prop_assert!(due > start);
            prop_assert!(cal.is_working(due - Duration::seconds(1)), "due {due} ends no working time");
        }
    }

    #[test]
    fn more_target_never_gives_an_earlier_due(
        cal in calendar(), start in instant(), a in target(), b in target()
    ) {
        let (small, large) = if a <= b { (a, b) } else { (b, a) };
        let large_due = cal.add_working_time(start, large);
        prop_assume!(reachable(&large_due));
        let small_due = cal.add_working_time(start, small).unwrap();
        prop_assert!(small_due <= large_due.unwrap());
    }

    #[test]
    fn adding_is_additive(cal in calendar(), start in instant(), a in target(), b in target()) {
        let whole = cal.add_working_time(start, a + b);
        prop_assume!(reachable(&whole));
        let first = cal.add_working_time(start, a).unwrap();
        let second = cal.add_working_time(first, b).unwrap();
        prop_assert_eq!(second, whole.unwrap());
    }

    /// One walk for several targets gives each target's own answer, in the order given,
    /// zero and repeated targets included.
    #[test]
    fn several_targets_in_one_walk_match_one_at_a_time(
        cal in calendar(), start in instant(), targets in proptest::collection::vec(target(), 0..7)
    ) {
        let one_at_a_time: Vec<_> = targets.iter().map(|t| cal.add_working_time(start, *t)).collect();
        let together = cal.add_working_times(start, &targets, None);
        let expected: Result<Vec<_>, _> = one_at_a_time.into_iter().collect();
        prop_assert_eq!(together, expected);
    }

    /// A memo reused across many starts on the same calendar never changes an answer,
    /// whatever it already holds.
    #[test]
    fn a_memo_never_changes_a_result(
        cal in calendar(),
        starts in proptest::collection::vec(instant(), 1..6),
        targets in proptest::collection::vec(target(), 1..5),
    ) {
        let mut memo = DayMemo::new();
        for start in starts {
            let with = cal.add_working_times(start, &targets, Some(&mut memo));
            let without = cal.add_working_times(start, &targets, None);
            prop_assert_eq!(with, without);
        }
    }

    #[test]
    fn between_undoes_add(cal in calendar(), start in instant(), target in target()) {
        let result = cal.add_working_time(start, target);
        prop_assume!(reachable(&result));
        let due = result.unwrap();
        prop_assert_eq!(cal.working_time_between(start, due).unwrap(), target);
    }
}

/// Dates near DST transitions of the test zones (and one quiet week) that the reference
/// comparison starts from.
const AROUND: [(i32, u32, u32); 8] = [
    (2026, 1, 5),
    (2026, 3, 8),
    (2026, 3, 29),
    (2026, 4, 5),
    (2026, 10, 4),
    (2026, 10, 25),
    (2026, 11, 1),
    (2026, 9, 6),
];

/// Grid step of the reference check; every boundary in it lies on this grid.
const STEP_MINUTES: i64 = 15;

/// The first grid instant at which the wall clock reads `local` or later, found by plain
/// scanning rather than the module's bisection.
fn reference_instant(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut at = local.and_utc() - Duration::hours(16);
    for _ in 0..(40 * 60 / STEP_MINUTES) {
        if at.with_timezone(&zone).naive_local() >= local {
            break;
        }
        at += Duration::minutes(STEP_MINUTES);
    }
    at
}

/// Clock times around the hours that DST skips or repeats in the test zones.
const TRICKY: [u16; 14] = [
    0, 60, 90, 105, 120, 135, 150, 165, 180, 195, 540, 1020, 1320, 1440,
];

fn tricky_window() -> impl Strategy<Value = Window> {
    prop_oneof![
        window(),
        (0..TRICKY.len() - 1, 0..TRICKY.len()).prop_map(|(start, end)| {
            let (start, end) = (TRICKY[start], TRICKY[end]);
            if end <= start {
                Window::overnight(start, end)
            } else {
                Window::new(start, end)
            }
        }),
    ]
}

fn tricky_calendar() -> impl Strategy<Value = Calendar> {
    (
        0usize..ZONES.len(),
        proptest::collection::vec(proptest::collection::vec(tricky_window(), 0..4), 7),
    )
        .prop_map(|(zone, weekly)| {
            let mut cal = Calendar::new(ZONES[zone]);
            for (day, windows) in weekly.into_iter().enumerate() {
                cal.weekly[day] = windows;
            }
            cal
        })
}

fn near_transitions() -> impl Strategy<Value = (Calendar, DateTime<Utc>)> {
    (
        tricky_calendar(),
        0usize..AROUND.len(),
        0i64..4 * 24 * 4,
        proptest::collection::vec(0u64..10, 0..3),
        proptest::option::of((0i64..10 * 24 * 4, 1i64..3 * 24 * 4)),
    )
        .prop_map(|(mut cal, around, offset, holidays, exclusion)| {
            let (y, m, d) = AROUND[around];
            let first = NaiveDate::from_ymd_opt(y, m, d).unwrap() - Days::new(3);
            let midnight = first.and_time(NaiveTime::MIN);
            cal.holidays = holidays.into_iter().map(|d| first + Days::new(d)).collect();
            cal.exclusions.clear();
            if let Some((start, length)) = exclusion {
                let start = midnight + Duration::minutes(start * STEP_MINUTES);
                cal.exclusions.push(Exclusion {
                    start,
                    end: start + Duration::minutes(length * STEP_MINUTES),
                });
            }
            let start =
                reference_instant(cal.zone, midnight) + Duration::minutes(offset * STEP_MINUTES);
            (cal, start)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Working time and `is_working` agree, on a quarter-hour grid over a week around a
    /// DST transition, with periods built independently from the documented rule.
    #[test]
    fn matches_a_brute_force_reference((cal, start) in near_transitions()) {
        let zone = cal.zone;
        let first = start.with_timezone(&zone).date_naive() - Days::new(2);
        let mut working = Vec::new();
        for day in 0..12 {
            let date = first + Days::new(day);
            if cal.holidays.contains(&date) {
                continue;
            }
            let midnight = date.and_time(NaiveTime::MIN);
            for (open, close) in cal.windows_on(chrono::Datelike::weekday(&date)).iter().filter_map(Window::span) {
                working.push((
                    reference_instant(zone, midnight + Duration::minutes(i64::from(open))),
                    reference_instant(zone, midnight + Duration::minutes(i64::from(close))),
                ));
            }
        }
        let paused: Vec<_> = cal
            .exclusions
            .iter()
            .map(|x| (reference_instant(zone, x.start), reference_instant(zone, x.end)))
            .collect();
        let inside = |t: DateTime<Utc>, spans: &[(DateTime<Utc>, DateTime<Utc>)]| {
            spans.iter().any(|&(a, b)| a <= t && t < b)
        };
        let mut expected = Duration::zero();
        for step in 0..(7 * 24 * 60 / STEP_MINUTES) {
            let t = start + Duration::minutes(step * STEP_MINUTES);
            let reference = inside(t, &working) && !inside(t, &paused);
            prop_assert_eq!(cal.is_working(t), reference, "at {}", t.with_timezone(&zone));
            if reference {
                expected += Duration::minutes(STEP_MINUTES);
            }
        }
        let end = start + Duration::days(7);
        prop_assert_eq!(cal.working_time_between(start, end).unwrap(), expected);
    }
}
