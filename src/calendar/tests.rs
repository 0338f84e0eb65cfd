//! Unit tests: the D1–D11 due-time table, DST edges, overnight and split windows,
//! exclusions, the search horizon, validation and clock-time parsing.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::America::New_York;
use chrono_tz::Europe::{Berlin, London};
use chrono_tz::Tz;

use super::*;

const NINE: u16 = 9 * 60;
const FIVE_PM: u16 = 17 * 60;

fn calendar(zone: Tz, days: &[usize], windows: &[Window]) -> Calendar {
    let mut cal = Calendar::new(zone);
    for &day in days {
        cal.weekly[day] = windows.to_vec();
    }
    cal
}

fn office(zone: Tz) -> Calendar {
    calendar(zone, &[0, 1, 2, 3, 4], &[Window::new(NINE, FIVE_PM)])
}

fn naive(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A local time in `zone` that exists exactly once.
fn local(zone: Tz, s: &str) -> DateTime<Utc> {
    zone.from_local_datetime(&naive(s))
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn rfc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

fn hm(s: &str) -> u16 {
    parse_clock_time(s).unwrap()
}

#[test]
fn d1_friday_after_hours_rolls_to_monday() {
    let cal = office(Berlin);
    let due = cal
        .add_working_time(local(Berlin, "2026-03-06 17:30"), hours(4))
        .unwrap();
    assert_eq!(due, rfc("2026-03-09T13:00:00+01:00"));
}

#[test]
fn d2_exact_fill_ends_at_window_end() {
    let cal = office(Berlin);
    let due = cal
        .add_working_time(local(Berlin, "2026-03-06 09:00"), hours(8))
        .unwrap();
    assert_eq!(due, rfc("2026-03-06T17:00:00+01:00"));
}

#[test]
fn d3_opened_at_close_fills_monday() {
    let cal = office(Berlin);
    let due = cal
        .add_working_time(local(Berlin, "2026-03-06 17:00"), hours(8))
        .unwrap();
    assert_eq!(due, rfc("2026-03-09T17:00:00+01:00"));
}

#[test]
fn d4_zero_target_is_due_at_once() {
    let cal = office(Berlin);
    let opened = local(Berlin, "2026-03-07 10:00");
    let due = cal.add_working_time(opened, Duration::zero()).unwrap();
    assert_eq!(due, rfc("2026-03-07T10:00:00+01:00"));
    assert_eq!(due, opened);
}

#[test]
fn d5_holiday_is_skipped() {
    let mut cal = office(New_York);
    cal.holidays.insert(date("2014-01-20"));
    let due = cal
        .add_working_time(local(New_York, "2014-01-17 15:00"), hours(8))
        .unwrap();
    assert_eq!(due, rfc("2014-01-21T15:00:00-05:00"));
}

#[test]
fn d6_around_the_clock_spring_forward() {
    let due = Clock::AroundTheClock
        .add(local(Berlin, "2026-03-28 23:00"), hours(4))
        .unwrap();
    assert_eq!(due, rfc("2026-03-29T04:00:00+02:00"));
}

#[test]
fn d7_around_the_clock_fall_back() {
    let due = Clock::AroundTheClock
        .add(rfc("2026-10-25T00:30:00+02:00"), hours(4))
        .unwrap();
    assert_eq!(due, rfc("2026-10-25T03:30:00+01:00"));
}

#[test]
fn d8_dst_begins_over_the_weekend() {
    let cal = office(New_York);
    let due = cal
        .add_working_time(rfc("2026-03-06T16:00:00-05:00"), hours(4))
        .unwrap();
    assert_eq!(due, rfc("2026-03-09T12:00:00-04:00"));
}

#[test]
fn d9_calendar_zone_counts_not_the_openers() {
    let clock = Clock::Business(Arc::new(office(London)));
    let due = clock
        .add(rfc("2026-01-05T08:00:00-05:00"), hours(8))
        .unwrap();
    assert_eq!(due, rfc("2026-01-06T13:00:00+00:00"));
}

#[test]
fn d10_exclusion_pauses_the_clock() {
    let mut cal = office(Berlin);
    cal.exclusions.push(Exclusion {
        start: naive("2026-02-05 15:00"),
        end: naive("2026-02-09 11:00"),
    });
    let due = cal
        .add_working_time(local(Berlin, "2026-02-05 10:00"), hours(16))
        .unwrap();
    assert_eq!(due, rfc("2026-02-10T14:00:00+01:00"));
}

#[test]
fn d11_full_days_run_across_midnight() {
    let cal = calendar(
        chrono_tz::UTC,
        &[0, 1, 2, 3, 4, 5, 6],
        &[Window::new(0, MINUTES_PER_DAY)],
    );
    let due = cal
        .add_working_time(local(chrono_tz::UTC, "2026-01-05 23:30"), hours(1))
        .unwrap();
    assert_eq!(due, rfc("2026-01-06T00:30:00+00:00"));
}

fn night_shift() -> Calendar {
    calendar(
        Berlin,
        &[0, 1, 2, 3, 4],
        &[Window::overnight(hm("22:00"), hm("06:00"))],
    )
}

#[test]
fn overnight_window_runs_into_the_next_day() {
    let cal = night_shift();
    let due = cal
        .add_working_time(local(Berlin, "2026-01-05 21:00"), hours(10))
        .unwrap();
    assert_eq!(due, rfc("2026-01-07T00:00:00+01:00"));
}

#[test]
fn overnight_window_belongs_to_its_start_day() {
    let cal = night_shift();
    // Friday's window covers Saturday morning; Sunday has none, so Monday morning is off.
    assert!(cal.is_working(local(Berlin, "2026-01-10 05:00")));
    assert!(!cal.is_working(local(Berlin, "2026-01-10 06:00")));
    assert!(!cal.is_working(local(Berlin, "2026-01-10 23:00")));
    assert!(!cal.is_working(local(Berlin, "2026-01-12 03:00")));
    assert!(cal.is_working(local(Berlin, "2026-01-12 22:00")));
}

#[test]
fn holiday_cancels_overnight_window_only_on_its_start_day() {
    let mut cal = night_shift();
    cal.holidays.insert(date("2026-01-06"));
    // Monday night still runs into the Tuesday holiday; Tuesday night is cancelled.
    assert!(cal.is_working(local(Berlin, "2026-01-06 05:00")));
    assert!(!cal.is_working(local(Berlin, "2026-01-06 23:00")));
    let due = cal
        .add_working_time(local(Berlin, "2026-01-05 21:00"), hours(10))
        .unwrap();
    assert_eq!(due, rfc("2026-01-08T00:00:00+01:00"));
}

fn split_day() -> Calendar {
    calendar(
        Berlin,
        &[0, 1, 2, 3, 4],
        &[
            Window::new(hm("09:00"), hm("12:00")),
            Window::new(hm("13:00"), hm("17:00")),
        ],
    )
}

#[test]
fn several_windows_a_day_skip_the_lunch_break() {
    let cal = split_day();
    let due = cal
        .add_working_time(local(Berlin, "2026-01-05 11:00"), hours(3))
        .unwrap();
    assert_eq!(due, local(Berlin, "2026-01-05 15:00"));
    let morning = cal
        .add_working_time(local(Berlin, "2026-01-05 09:00"), hours(3))
        .unwrap();
    assert_eq!(morning, local(Berlin, "2026-01-05 12:00"));
    assert!(!cal.is_working(local(Berlin, "2026-01-05 12:30")));
    let day = cal
        .working_time_between(
            local(Berlin, "2026-01-05 00:00"),
            local(Berlin, "2026-01-06 00:00"),
        )
        .unwrap();
    assert_eq!(day, hours(7));
}

fn all_day(zone: Tz) -> Calendar {
    calendar(
        zone,
        &[0, 1, 2, 3, 4, 5, 6],
        &[Window::new(0, MINUTES_PER_DAY)],
    )
}

#[test]
fn fall_back_day_has_25_working_hours() {
    let cal = all_day(Berlin);
    let start = rfc("2026-10-25T00:00:00+02:00");
    let end = rfc("2026-10-26T00:00:00+01:00");
    assert_eq!(cal.working_time_between(start, end).unwrap(), hours(25));
    assert_eq!(cal.add_working_time(start, hours(25)).unwrap(), end);
}

#[test]
fn fall_back_day_with_a_single_window_day() {
    // Only Sunday has a window, so merging with neighbours cannot hide a wrong length.
    let cal = calendar(Berlin, &[6], &[Window::new(0, MINUTES_PER_DAY)]);
    let start = rfc("2026-10-24T00:00:00+02:00");
    let end = rfc("2026-10-27T00:00:00+01:00");
    assert_eq!(cal.working_time_between(start, end).unwrap(), hours(25));
}

#[test]
fn spring_forward_day_has_23_working_hours() {
    let cal = all_day(Berlin);
    let start = rfc("2026-03-29T00:00:00+01:00");
    let end = rfc("2026-03-30T00:00:00+02:00");
    assert_eq!(cal.working_time_between(start, end).unwrap(), hours(23));
}

#[test]
fn boundary_in_the_repeated_hour_means_its_first_occurrence() {
    let cal = calendar(Berlin, &[6], &[Window::new(hm("01:00"), hm("02:30"))]);
    let day_start = rfc("2026-10-25T00:00:00+02:00");
    let day_end = rfc("2026-10-26T00:00:00+01:00");
    let worked = cal.working_time_between(day_start, day_end).unwrap();
    assert_eq!(worked, Duration::minutes(90));
    let due = cal
        .add_working_time(day_start, Duration::minutes(90))
        .unwrap();
    assert_eq!(due, rfc("2026-10-25T02:30:00+02:00"));
}

#[test]
fn boundary_in_the_spring_gap_means_the_end_of_the_gap() {
    let inside = calendar(Berlin, &[6], &[Window::new(hm("02:15"), hm("02:45"))]);
    let across = calendar(Berlin, &[6], &[Window::new(hm("02:30"), hm("04:00"))]);
    let day_start = rfc("2026-03-29T00:00:00+01:00");
    let day_end = rfc("2026-03-30T00:00:00+02:00");
    assert_eq!(
        inside.working_time_between(day_start, day_end).unwrap(),
        Duration::zero()
    );
    assert_eq!(
        across.working_time_between(day_start, day_end).unwrap(),
        hours(1)
    );
    assert!(across.is_working(rfc("2026-03-29T03:00:00+02:00")));
    assert!(!across.is_working(rfc("2026-03-29T01:59:59+01:00")));
}

#[test]
fn lord_howe_half_hour_shift() {
    let zone = chrono_tz::Australia::Lord_Howe;
    let cal = all_day(zone);
    // DST ends 2026-04-05 (02:00 falls back to 01:30): 24.5 hours that day.
    let start = local(zone, "2026-04-05 00:00");
    let end = local(zone, "2026-04-06 00:00");
    assert_eq!(
        cal.working_time_between(start, end).unwrap(),
        Duration::minutes(24 * 60 + 30)
    );
}

#[test]
fn zone_switching_at_midnight() {
    let zone = chrono_tz::America::Santiago;
    let cal = all_day(zone);
    // 2026-09-06 00:00 never happens (24:00 on Saturday jumps to 01:00 on Sunday).
    let saturday = rfc("2026-09-05T00:00:00-04:00");
    let sunday = rfc("2026-09-06T01:00:00-03:00");
    let monday = rfc("2026-09-07T00:00:00-03:00");
    assert_eq!(
        cal.working_time_between(saturday, sunday).unwrap(),
        hours(24)
    );
    assert_eq!(cal.working_time_between(sunday, monday).unwrap(), hours(23));
    let office = office(zone);
    let due = office
        .add_working_time(rfc("2026-09-04T16:00:00-04:00"), hours(2))
        .unwrap();
    assert_eq!(due, rfc("2026-09-07T10:00:00-03:00"));
}

#[test]
fn no_working_time_fails_fast() {
    let began = Instant::now();
    let empty = Calendar::new(Berlin);
    let start = local(Berlin, "2026-01-05 09:00");
    assert_eq!(
        empty.add_working_time(start, hours(1)),
        Err(CalendarError::NoWorkingTime {
            horizon_days: HORIZON_DAYS
        })
    );

    // Windows exist, but every Monday for twelve years is a holiday.
    let mut mondays = calendar(Berlin, &[0], &[Window::new(NINE, FIVE_PM)]);
    mondays.holidays = (0..12 * 53)
        .filter_map(|week| date("2026-01-05").checked_add_days(chrono::Days::new(week * 7)))
        .collect::<BTreeSet<_>>();
    assert_eq!(
        mondays.add_working_time(start, hours(1)),
        Err(CalendarError::NoWorkingTime {
            horizon_days: HORIZON_DAYS
        })
    );

    // Everything inside one enormous exclusion.
    let mut frozen = office(Berlin);
    frozen.exclusions.push(Exclusion {
        start: naive("2000-01-01 00:00"),
        end: naive("2100-01-01 00:00"),
    });
    assert_eq!(
        frozen.add_working_time(start, hours(1)),
        Err(CalendarError::NoWorkingTime {
            horizon_days: HORIZON_DAYS
        })
    );
    assert!(began.elapsed().as_secs() < 10, "took {:?}", began.elapsed());
}

#[test]
fn target_beyond_the_horizon_fails() {
    let cal = calendar(Berlin, &[0], &[Window::new(NINE, NINE + 15)]);
    let start = local(Berlin, "2026-01-05 09:00");
    assert_eq!(
        cal.add_working_time(start, hours(1000)),
        Err(CalendarError::HorizonExceeded {
            horizon_days: HORIZON_DAYS
        })
    );
}

#[test]
fn negative_targets_are_rejected() {
    let start = local(Berlin, "2026-01-05 09:00");
    assert_eq!(
        office(Berlin).add_working_time(start, hours(-1)),
        Err(CalendarError::NegativeDuration)
    );
    assert_eq!(
        Clock::AroundTheClock.add(start, hours(-1)),
        Err(CalendarError::NegativeDuration)
    );
}

#[test]
fn extreme_instants_do_not_panic() {
    let cal = office(Berlin);
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    assert!(cal.add_working_time(max, hours(1)).is_err());
    assert!(cal.add_working_time(min, hours(1)).is_err());
    assert!(!cal.is_working(max));
    assert!(!cal.is_working(min));
    assert!(cal.working_time_between(min, max).is_err());
    assert!(Clock::AroundTheClock.add(max, hours(1)).is_err());
    assert!(Clock::AroundTheClock.between(min, max).is_ok());
}

#[test]
fn between_agrees_with_add() {
    let mut cal = split_day();
    cal.holidays.insert(date("2026-03-09"));
    cal.exclusions.push(Exclusion {
        start: naive("2026-03-11 10:00"),
        end: naive("2026-03-11 14:30"),
    });
    let starts = [
        "2026-03-05 08:00",
        "2026-03-05 11:59",
        "2026-03-06 16:45",
        "2026-03-07 12:00",
        "2026-03-11 11:00",
    ];
    for start in starts {
        let start = local(Berlin, start);
        for minutes in [1, 59, 60, 180, 420, 421, 2000, 6000] {
            let target = Duration::minutes(minutes);
            let due = cal.add_working_time(start, target).unwrap();
            assert_eq!(cal.working_time_between(start, due).unwrap(), target);
            assert!(cal.is_working(due - Duration::seconds(1)));
        }
    }
    let a = local(Berlin, "2026-03-05 10:00");
    assert_eq!(cal.working_time_between(a, a).unwrap(), Duration::zero());
    assert_eq!(
        cal.working_time_between(a, a - hours(5)).unwrap(),
        Duration::zero()
    );
}

#[test]
fn sub_second_starts_are_kept() {
    let cal = office(Berlin);
    let start = local(Berlin, "2026-03-05 10:00") + Duration::milliseconds(250);
    let due = cal.add_working_time(start, hours(1)).unwrap();
    assert_eq!(due, start + hours(1));
    assert_eq!(cal.working_time_between(start, due).unwrap(), hours(1));
}

#[test]
fn clock_between_and_is_working() {
    let a = rfc("2026-10-25T00:00:00+02:00");
    let b = rfc("2026-10-26T00:00:00+01:00");
    assert_eq!(Clock::AroundTheClock.between(a, b).unwrap(), hours(25));
    assert_eq!(
        Clock::AroundTheClock.between(b, a).unwrap(),
        Duration::zero()
    );
    assert!(Clock::AroundTheClock.is_working(a));
    let business = Clock::Business(Arc::new(office(Berlin)));
    assert_eq!(business.between(a, b).unwrap(), Duration::zero());
    assert!(business.is_working(local(Berlin, "2026-10-26 09:00")));
    assert!(!business.is_working(local(Berlin, "2026-10-26 17:00")));
}

#[test]
fn weekly_minutes_count_the_union() {
    assert_eq!(office(Berlin).weekly_working_minutes(), 5 * 8 * 60);
    assert_eq!(night_shift().weekly_working_minutes(), 5 * 8 * 60);
    let overlapping = calendar(
        Berlin,
        &[0],
        &[
            Window::new(NINE, FIVE_PM),
            Window::new(hm("16:00"), hm("18:00")),
        ],
    );
    assert_eq!(overlapping.weekly_working_minutes(), 9 * 60);
    let sunday_night = calendar(Berlin, &[6], &[Window::overnight(hm("22:00"), hm("02:00"))]);
    assert_eq!(sunday_night.weekly_working_minutes(), 4 * 60);
    let broken = calendar(
        Berlin,
        &[0],
        &[Window::new(FIVE_PM, NINE), Window::new(0, 2000)],
    );
    assert_eq!(broken.weekly_working_minutes(), 0);
    assert_eq!(Calendar::new(Berlin).weekly_working_minutes(), 0);
}

#[test]
fn upcoming_holidays_are_ascending_from_the_date() {
    let mut cal = office(Berlin);
    for d in ["2026-12-25", "2026-01-01", "2026-12-26", "2027-01-01"] {
        cal.holidays.insert(date(d));
    }
    let upcoming: Vec<_> = cal.upcoming_holidays(date("2026-12-25")).collect();
    assert_eq!(
        upcoming,
        vec![date("2026-12-25"), date("2026-12-26"), date("2027-01-01")]
    );
    assert_eq!(cal.upcoming_holidays(date("2027-01-02")).count(), 0);
}

#[test]
fn window_problems_find_overlaps() {
    let cal = calendar(
        Berlin,
        &[0],
        &[
            Window::new(hm("09:00"), hm("12:00")),
            Window::new(hm("11:00"), hm("13:00")),
            Window::new(hm("13:00"), hm("14:00")),
        ],
    );
    let problems = cal.window_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = &problems[0];
    assert_eq!(problem.kind, WindowProblemKind::Overlap);
    assert_eq!(problem.weekday, Some(Weekday::Mon));
    assert_eq!(problem.windows, vec![0, 1]);
    assert!(problem.message.contains("Monday"), "{}", problem.message);
    assert!(
        problem.message.contains("11:00-13:00"),
        "{}",
        problem.message
    );
}

#[test]
fn window_problems_find_inverted_empty_and_out_of_range() {
    let windows = [
        Window::new(FIVE_PM, NINE),
        Window::new(NINE, NINE),
        Window::new(NINE, 1441),
        Window::overnight(MINUTES_PER_DAY, 60),
        Window::overnight(NINE, FIVE_PM),
        Window::overnight(NINE, NINE),
    ];
    let kinds: Vec<_> = check_windows(&windows)
        .into_iter()
        .map(|p| (p.kind, p.windows, p.weekday))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (WindowProblemKind::Inverted, vec![0], None),
            (WindowProblemKind::Empty, vec![1], None),
            (WindowProblemKind::OutOfRange, vec![2], None),
            (WindowProblemKind::OutOfRange, vec![3], None),
            (WindowProblemKind::NotOvernight, vec![4], None),
        ]
    );
    assert!(check_windows(&[Window::new(0, MINUTES_PER_DAY)]).is_empty());
}

#[test]
fn window_problems_find_overnight_spill() {
    let mut cal = night_shift();
    cal.weekly[1].push(Window::new(hm("05:00"), hm("07:00")));
    cal.weekly[6] = vec![Window::overnight(hm("20:00"), hm("09:30"))];
    let problems = cal.window_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    // Monday's night shift runs into Tuesday's 05:00 window (index 1); Sunday's window
    // wraps into Monday but ends before Monday's own night shift starts.
    assert_eq!(problems[0].kind, WindowProblemKind::SpillsIntoNextDay);
    assert_eq!(problems[0].weekday, Some(Weekday::Mon));
    assert_eq!(problems[0].windows, vec![0]);
    assert_eq!(problems[0].next_day_windows, vec![1]);
    assert!(
        problems[0].message.contains("Tuesday"),
        "{}",
        problems[0].message
    );
    let mut wrap = office(Berlin);
    wrap.weekly[6] = vec![Window::overnight(hm("20:00"), hm("09:30"))];
    let problems = wrap.window_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].weekday, Some(Weekday::Sun));
    assert_eq!(problems[0].next_day_windows, vec![0]);
    assert!(problems[0].message.contains("Monday"));
    assert!(night_shift().window_problems().is_empty());
    assert!(office(Berlin).window_problems().is_empty());
}

#[test]
fn parse_clock_time_edges() {
    assert_eq!(parse_clock_time("00:00"), Ok(0));
    assert_eq!(parse_clock_time("09:05"), Ok(545));
    assert_eq!(parse_clock_time("23:59"), Ok(1439));
    assert_eq!(parse_clock_time("24:00"), Ok(1440));
    for bad in [
        "9:5",
        "25:00",
        "24:01",
        "17.30",
        "",
        "9:00",
        "09:0",
        "09:60",
        "0900",
        "09:00 ",
        " 09:00",
        "+9:00",
        "-1:00",
        "09:0a",
        "２３:００",
        "99:99",
    ] {
        assert!(
            matches!(
                parse_clock_time(bad),
                Err(CalendarError::InvalidClockTime { .. })
            ),
            "{bad:?} was accepted"
        );
    }
    assert_eq!(format_clock_time(545), "09:05");
    assert_eq!(format_clock_time(1440), "24:00");
}

/// A memo covers a bounded run of dates: a walk far into the future starts it over
/// instead of growing it, and answers stay those of a walk without a memo.
#[test]
fn a_memo_stays_bounded_on_a_long_walk() {
    let cal = office(Berlin);
    let mut memo = super::DayMemo::new();
    let start = local(Berlin, "2026-03-06 09:00");
    // About twelve years of office hours: beyond the memo's 4,096 dates.
    let targets = [hours(8), hours(8 * 5 * 52 * 9)];
    let with = cal.add_working_times(start, &targets, Some(&mut memo));
    let without = cal.add_working_times(start, &targets, None);
    assert_eq!(with, without);
    assert!(memo.len() <= 4096, "memo holds {} dates", memo.len());
    assert!(!memo.is_empty());
}
