//! Business-hours calendars and the clocks that SLA due times are computed on.
//!
//! A [`Calendar`] describes when the clock runs: weekly windows in the calendar's own
//! time zone, holidays (whole local dates off) and exclusions (local spans in which the
//! clock stops, such as maintenance or a change freeze). A [`Clock`] is either plain
//! elapsed time or such a calendar.
//!
//! # How local times become instants
//!
//! Working periods are built per local date from that weekday's windows, skipping the
//! date when it is a holiday, then merged, and exclusions are cut out. Every local
//! boundary (window start or end, exclusion start or end) is turned into a UTC instant by
//! one rule: *the first instant at which the wall clock of the calendar's zone reads that
//! local time or later*. That means:
//!
//! - in a spring-forward gap, a local time that never occurs maps to the first instant
//!   after the gap (02:30 on a Berlin spring-forward night is 03:00 CEST);
//! - in a fall-back overlap, a local time that occurs twice maps to its first occurrence,
//!   for starts and ends alike.
//!
//! Using the same rule for both ends keeps the mapping monotone, so windows that touch
//! in local time (12:00–13:00 and 13:00–14:00) also touch in real time, with neither a
//! hole nor a double count. A 00:00–24:00 window counts 25 real hours on a fall-back day
//! and 23 on a spring-forward day, because working time is always real elapsed time
//! inside working periods. A window that lies wholly inside a gap is empty.
//!
//! Windows that are invalid (see [`check_windows`]) contribute no working time instead of
//! failing, so computations never panic on a calendar that skipped validation; a window
//! marked `overnight` whose end is after its start is treated as a same-day window.

mod periods;
mod validate;

/// Sets the due instant of every next target that falls within the working
/// period of `length` starting at `period_start`, when `elapsed` working time
/// came before it; a target that exactly fills the period ends at its end.
/// True once every target is placed.
// Called once per working period in both walks; a call per period cost more
// than the placing itself.
#[allow(clippy::inline_always)]
#[inline(always)]
fn place_targets(
    period_start: Nanos,
    length: Nanos,
    elapsed: Nanos,
    next: &mut std::iter::Peekable<std::slice::Iter<'_, (Nanos, usize)>>,
    due: &mut [Option<DateTime<Utc>>],
) -> Result<bool, CalendarError> {
    while let Some(&&(target, index)) = next.peek() {
        if target - elapsed > length {
            break;
        }
        let instant =
            nanos_to_instant(period_start + (target - elapsed)).ok_or(CalendarError::OutOfRange)?;
        if let Some(slot) = due.get_mut(index) {
            *slot = Some(instant);
        }
        next.next();
    }
    Ok(next.peek().is_none())
}

/// Why a walk ended at the horizon with targets left: time was found but not
/// enough, or none at all.
fn beyond_horizon(found: bool) -> CalendarError {
    if found {
        CalendarError::HorizonExceeded {
            horizon_days: HORIZON_DAYS,
        }
    } else {
        CalendarError::NoWorkingTime {
            horizon_days: HORIZON_DAYS,
        }
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use chrono_tz::Tz;

pub use validate::{
    WindowProblem, WindowProblemKind, check_windows, format_clock_time, parse_clock_time,
};

pub use periods::DayMemo;
use periods::{Nanos, Periods};

/// Minutes in a day; a window end of this value means "24:00".
pub const MINUTES_PER_DAY: u16 = 1440;

/// How many days after the start a search for working time goes before giving up
/// (ten years, so that a calendar whose windows all fall on holidays or inside an
/// exclusion fails instead of searching forever).
pub const HORIZON_DAYS: u32 = 3653;

/// The longest range [`Calendar::working_time_between`] accepts, in days; it bounds the
/// day-by-day walk while leaving room for any range that
/// [`Calendar::add_working_time`] can produce.
pub const MAX_SPAN_DAYS: u32 = 4 * HORIZON_DAYS;

const NANOS_PER_SEC: Nanos = 1_000_000_000;
const SECS_PER_DAY: Nanos = 86_400;

/// A daily working window in local time, as minutes since local midnight (0..=1440,
/// where 1440 is "24:00").
///
/// A normal window has `start < end`. An overnight window (`overnight = true`) has
/// `end <= start` and runs from `start` on its day to `end` on the next day; it belongs to
/// the day it starts on, so a holiday on that day cancels all of it and a holiday on the
/// next day does not cut it. `end == start` with `overnight` is a full 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// Opening time, minutes since local midnight.
    pub start: u16,
    /// Closing time, minutes since local midnight (of the next day when `overnight`).
    pub end: u16,
    /// Whether the window closes on the day after it opens.
    pub overnight: bool,
}

impl Window {
    /// A same-day window from `start` to `end` (minutes since local midnight).
    pub const fn new(start: u16, end: u16) -> Self {
        Self {
            start,
            end,
            overnight: false,
        }
    }

    /// A window from `start` on its day to `end` on the next day.
    pub const fn overnight(start: u16, end: u16) -> Self {
        Self {
            start,
            end,
            overnight: true,
        }
    }

    /// Where the window opens and closes, in minutes after the local midnight that starts
    /// its own day (the close is past 1440 for an overnight window), or `None` when the
    /// window is invalid or empty and so contributes no working time.
    pub fn span(&self) -> Option<(u32, u32)> {
        let (start, end) = (u32::from(self.start), u32::from(self.end));
        let day = u32::from(MINUTES_PER_DAY);
        if start >= day || end > day {
            return None;
        }
        if self.overnight && end <= start {
            Some((start, end + day))
        } else if start < end {
            Some((start, end))
        } else {
            None
        }
    }

    /// Nominal length in minutes (ignoring DST), zero for an invalid or empty window.
    pub fn minutes(&self) -> u32 {
        self.span().map_or(0, |(start, end)| end - start)
    }
}

/// A local-time span in which the clock stops (maintenance, change freeze).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Exclusion {
    /// First local time of the pause, in the calendar's zone.
    pub start: NaiveDateTime,
    /// Local time at which the clock runs again; must be after `start` or the exclusion
    /// is ignored.
    pub end: NaiveDateTime,
}

/// A business-hours calendar: weekly windows, holidays and exclusions in one time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// The zone all windows, holidays and exclusions are read in.
    pub zone: Tz,
    /// Windows per weekday, index 0 = Monday ... 6 = Sunday, in local time.
    pub weekly: [Vec<Window>; 7],
    /// Local dates without working time (cancelling windows that start on them).
    pub holidays: BTreeSet<NaiveDate>,
    /// Local spans in which the clock stops.
    pub exclusions: Vec<Exclusion>,
}

/// What SLA time is measured on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    /// Plain elapsed real time; DST is irrelevant.
    AroundTheClock,
    /// Working time of a business-hours calendar.
    Business(Arc<Calendar>),
}

/// Why a calendar computation or a clock-time parse failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar has no working time at all within the search horizon.
    #[error("the calendar has no working time within {horizon_days} days of the start")]
    NoWorkingTime {
        /// Length of the search horizon in days.
        horizon_days: u32,
    },
    /// There is working time, but not enough to reach the target within the horizon.
    #[error("the target is not reached within {horizon_days} days of the start")]
    HorizonExceeded {
        /// Length of the search horizon in days.
        horizon_days: u32,
    },
    /// A working-time range is longer than [`MAX_SPAN_DAYS`].
    #[error("the range spans more than {max_days} days")]
    RangeTooLong {
        /// The longest accepted range in days.
        max_days: u32,
    },
    /// A negative working-time target was given.
    #[error("a time target cannot be negative")]
    NegativeDuration,
    /// The computation left the range of dates that can be represented.
    #[error("the date is outside the supported range")]
    OutOfRange,
    /// A clock time was not "HH:MM" between 00:00 and 24:00.
    #[error("invalid clock time {input:?}: {reason}")]
    InvalidClockTime {
        /// The rejected text.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl Calendar {
    /// An empty calendar (no windows, holidays or exclusions) in `zone`.
    pub fn new(zone: Tz) -> Self {
        Self {
            zone,
            weekly: Default::default(),
            holidays: BTreeSet::new(),
            exclusions: Vec::new(),
        }
    }

    /// The windows listed for `weekday`.
    pub fn windows_on(&self, weekday: Weekday) -> &[Window] {
        let index = usize::from(weekday_index(weekday));
        self.weekly.get(index).map_or(&[], Vec::as_slice)
    }

    /// The local date of instant `t` in the calendar's zone; `None` only within a day of
    /// the edges of chrono's range.
    pub fn local_date(&self, t: DateTime<Utc>) -> Option<NaiveDate> {
        periods::wall_clock_at(self.zone, t.naive_utc()).map(|local| local.date())
    }

    fn local_date_shifted(&self, t: DateTime<Utc>, days: i64) -> Result<NaiveDate, CalendarError> {
        shift_date(self.local_date(t).ok_or(CalendarError::OutOfRange)?, days)
    }

    /// Working time in `[a, b)`, zero if `b <= a`.
    ///
    /// Fails with [`CalendarError::RangeTooLong`] when the range exceeds
    /// [`MAX_SPAN_DAYS`], which keeps the walk bounded.
    pub fn working_time_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<Duration, CalendarError> {
        if b <= a {
            return Ok(Duration::zero());
        }
        let (from, until) = (to_nanos(a), to_nanos(b));
        if until - from > Nanos::from(MAX_SPAN_DAYS) * SECS_PER_DAY * NANOS_PER_SEC {
            return Err(CalendarError::RangeTooLong {
                max_days: MAX_SPAN_DAYS,
            });
        }
        // Two days of slack on both sides cover overnight windows and any UTC offset.
        let first = self.local_date_shifted(a, -2)?;
        let last = self.local_date_shifted(b, 2)?;
        let mut total: Nanos = 0;
        for (start, end) in Periods::new(self, from, first, last, None) {
            if start >= until {
                break;
            }
            total += end.min(until) - start;
        }
        nanos_to_duration(total).ok_or(CalendarError::OutOfRange)
    }

    /// The instant at which `target` working time has elapsed after `start`.
    ///
    /// A zero target returns `start` unchanged, even outside working time. Otherwise the
    /// clock starts at `start` or at the next working period, and a target that exactly
    /// fills a period ends at that period's end rather than at the next one's start.
    pub fn add_working_time(
        &self,
        start: DateTime<Utc>,
        target: Duration,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let mut due = self.add_working_times(start, &[target], None)?;
        due.pop().ok_or(CalendarError::OutOfRange)
    }

    /// The instants at which each of `targets` working time has elapsed after `start`,
    /// in the order of `targets`: the same answers as [`Calendar::add_working_time`] for
    /// each target, found in one walk along the calendar.
    ///
    /// `memo`, when given, remembers per-date work for later calls on this same
    /// calendar (see [`DayMemo`]); it never changes a result. Fails as
    /// [`Calendar::add_working_time`] would for the first target in order that fails.
    pub fn add_working_times(
        &self,
        start: DateTime<Utc>,
        targets: &[Duration],
        memo: Option<&mut DayMemo>,
    ) -> Result<Vec<DateTime<Utc>>, CalendarError> {
        if targets.iter().any(|t| *t < Duration::zero()) {
            return Err(CalendarError::NegativeDuration);
        }
        let mut due: Vec<Option<DateTime<Utc>>> = targets
            .iter()
            .map(|t| t.is_zero().then_some(start))
            .collect();
        // Positions of the non-zero targets, smallest target first.
        let mut order: Vec<(Nanos, usize)> = targets
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_zero())
            .map(|(i, t)| (duration_to_nanos(*t), i))
            .collect();
        if !order.is_empty() {
            order.sort_unstable();
            self.walk(start, &order, &mut due, memo)?;
        }
        due.into_iter()
            .map(|d| d.ok_or(CalendarError::OutOfRange))
            .collect()
    }

    /// Fills `due` for the ascending non-zero `targets` (nanoseconds, index into `due`).
    fn walk(
        &self,
        start: DateTime<Utc>,
        targets: &[(Nanos, usize)],
        due: &mut [Option<DateTime<Utc>>],
        mut memo: Option<&mut DayMemo>,
    ) -> Result<(), CalendarError> {
        let no_time = CalendarError::NoWorkingTime {
            horizon_days: HORIZON_DAYS,
        };
        let weekly = match memo.as_deref_mut() {
            Some(memo) => memo.weekly_minutes(self),
            None => self.weekly_working_minutes(),
        };
        if weekly == 0 {
            return Err(no_time);
        }
        let today = self.local_date(start).ok_or(CalendarError::OutOfRange)?;
        let first = shift_date(today, -2)?;
        let last = shift_date(today, i64::from(HORIZON_DAYS))?;
        if let Some(memo) = memo.as_deref_mut()
            && let Some(outcome) = self.walk_days(start, today, last, targets, due, memo)
        {
            return outcome;
        }
        // Working time used up by the periods before the current one.
        let mut elapsed: Nanos = 0;
        let mut next = targets.iter().peekable();
        let mut found = false;
        for (period_start, period_end) in Periods::new(self, to_nanos(start), first, last, memo) {
            found = true;
            let length = period_end - period_start;
            if place_targets(period_start, length, elapsed, &mut next, due)? {
                return Ok(());
            }
            elapsed += length;
        }
        Err(beyond_horizon(found))
    }

    /// [`Calendar::walk`] a date at a time along the memo's settled dates: a date
    /// whose whole working time falls short of the next target is passed over by its
    /// total, and only the dates where targets fall are looked into. The answers are
    /// those of the walk along [`Periods`]; `None` (a date out of chrono's range)
    /// leaves the walk to that one.
    fn walk_days(
        &self,
        start: DateTime<Utc>,
        today: NaiveDate,
        last: NaiveDate,
        targets: &[(Nanos, usize)],
        due: &mut [Option<DateTime<Utc>>],
        memo: &mut DayMemo,
    ) -> Option<Result<(), CalendarError>> {
        let from = to_nanos(start);
        let mut elapsed: Nanos = 0;
        let mut next = targets.iter().peekable();
        let mut found = false;
        let mut date = today;
        while date <= last {
            let day = memo.settled(self, date)?;
            let &&(target, _) = next.peek()?;
            let whole_day = day
                .periods
                .first()
                .is_some_and(|p| Nanos::from(p.0) * NANOS_PER_SEC >= from);
            if whole_day && target - elapsed > Nanos::from(day.total) * NANOS_PER_SEC {
                found |= day.total > 0;
                elapsed += Nanos::from(day.total) * NANOS_PER_SEC;
            } else {
                for &(period_start, period_end) in &day.periods {
                    let period_start = (Nanos::from(period_start) * NANOS_PER_SEC).max(from);
                    let period_end = Nanos::from(period_end) * NANOS_PER_SEC;
                    if period_start >= period_end {
                        continue;
                    }
                    found = true;
                    let length = period_end - period_start;
                    match place_targets(period_start, length, elapsed, &mut next, due) {
                        Ok(false) => {}
                        done => return Some(done.map(|_| ())),
                    }
                    elapsed += length;
                }
            }
            date = date.succ_opt()?;
        }
        Some(Err(beyond_horizon(found)))
    }

    /// Whether `t` lies inside a working period.
    pub fn is_working(&self, t: DateTime<Utc>) -> bool {
        let (Ok(first), Ok(last)) = (
            self.local_date_shifted(t, -2),
            self.local_date_shifted(t, 2),
        ) else {
            return false;
        };
        let at = to_nanos(t);
        // Periods come clipped to `at`, so a period containing `t` starts exactly there.
        Periods::new(self, at, first, last, None)
            .next()
            .is_some_and(|(start, _)| start == at)
    }

    /// Nominal weekly working minutes: the union of all valid windows over one week,
    /// ignoring holidays, exclusions and DST (used by validation to reject a calendar
    /// with no working time).
    pub fn weekly_working_minutes(&self) -> u32 {
        let day = u32::from(MINUTES_PER_DAY);
        let week = 7 * day;
        let mut spans = Vec::new();
        for (offset, windows) in (0u32..).zip(&self.weekly) {
            let base = offset * day;
            for (start, end) in windows.iter().filter_map(Window::span) {
                let (start, end) = (base + start, base + end);
                // Sunday's overnight windows wrap into Monday.
                if end > week {
                    spans.push((start, week));
                    spans.push((0, end - week));
                } else {
                    spans.push((start, end));
                }
            }
        }
        spans.sort_unstable();
        let mut total = 0;
        let mut covered_until = 0;
        for (start, end) in spans {
            let from = start.max(covered_until);
            if end > from {
                total += end - from;
                covered_until = end;
            }
        }
        total
    }

    /// Holidays on or after `from`, ascending.
    pub fn upcoming_holidays(&self, from: NaiveDate) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.range(from..).copied()
    }

    /// Problems in the weekly windows: those of [`check_windows`] for each weekday, plus
    /// overnight windows that run into a window of the next day.
    pub fn window_problems(&self) -> Vec<WindowProblem> {
        validate::calendar_problems(self)
    }
}

impl Clock {
    /// The instant at which `target` time has elapsed on this clock after `start`.
    pub fn add(
        &self,
        start: DateTime<Utc>,
        target: Duration,
    ) -> Result<DateTime<Utc>, CalendarError> {
        match self {
            Self::AroundTheClock => {
                if target < Duration::zero() {
                    return Err(CalendarError::NegativeDuration);
                }
                start
                    .checked_add_signed(target)
                    .ok_or(CalendarError::OutOfRange)
            }
            Self::Business(calendar) => calendar.add_working_time(start, target),
        }
    }

    /// The instants at which each of `targets` has elapsed on this clock after `start`,
    /// in the order given; see [`Calendar::add_working_times`]. `memo` is only used by a
    /// business-hours clock and must belong to its calendar.
    pub fn add_all(
        &self,
        start: DateTime<Utc>,
        targets: &[Duration],
        memo: Option<&mut DayMemo>,
    ) -> Result<Vec<DateTime<Utc>>, CalendarError> {
        match self {
            Self::AroundTheClock => targets.iter().map(|t| self.add(start, *t)).collect(),
            Self::Business(calendar) => calendar.add_working_times(start, targets, memo),
        }
    }

    /// Time elapsed on this clock in `[a, b)`, zero if `b <= a`.
    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Result<Duration, CalendarError> {
        match self {
            Self::AroundTheClock => {
                if b <= a {
                    Ok(Duration::zero())
                } else {
                    nanos_to_duration(to_nanos(b) - to_nanos(a)).ok_or(CalendarError::OutOfRange)
                }
            }
            Self::Business(calendar) => calendar.working_time_between(a, b),
        }
    }

    /// Whether the clock runs at `t` (always, around the clock).
    pub fn is_working(&self, t: DateTime<Utc>) -> bool {
        match self {
            Self::AroundTheClock => true,
            Self::Business(calendar) => calendar.is_working(t),
        }
    }
}

/// Index of `weekday` in [`Calendar::weekly`] (Monday = 0).
pub fn weekday_index(weekday: Weekday) -> u8 {
    match weekday {
        Weekday::Mon => 0,
        Weekday::Tue => 1,
        Weekday::Wed => 2,
        Weekday::Thu => 3,
        Weekday::Fri => 4,
        Weekday::Sat => 5,
        Weekday::Sun => 6,
    }
}

/// The weekday at `index` of [`Calendar::weekly`], wrapping past Sunday.
pub fn weekday_at(index: usize) -> Weekday {
    match index % 7 {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

fn shift_date(date: NaiveDate, days: i64) -> Result<NaiveDate, CalendarError> {
    let shifted = if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    shifted.ok_or(CalendarError::OutOfRange)
}

fn to_nanos(t: DateTime<Utc>) -> Nanos {
    Nanos::from(t.timestamp()) * NANOS_PER_SEC + Nanos::from(t.timestamp_subsec_nanos())
}

fn nanos_to_instant(n: Nanos) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(n.div_euclid(NANOS_PER_SEC)).ok()?;
    let nanos = u32::try_from(n.rem_euclid(NANOS_PER_SEC)).ok()?;
    DateTime::from_timestamp(secs, nanos)
}

fn duration_to_nanos(d: Duration) -> Nanos {
    Nanos::from(d.num_seconds()) * NANOS_PER_SEC + Nanos::from(d.subsec_nanos())
}

fn nanos_to_duration(n: Nanos) -> Option<Duration> {
    let secs = i64::try_from(n.div_euclid(NANOS_PER_SEC)).ok()?;
    let nanos = u32::try_from(n.rem_euclid(NANOS_PER_SEC)).ok()?;
    Duration::new(secs, nanos)
}
