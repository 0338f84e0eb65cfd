//! The working periods of a calendar as ascending UTC intervals, and the one rule that
//! turns a local wall-clock time into an instant.
//!
//! Periods are produced a local date at a time, so a search costs a few time-zone
//! look-ups per day and never walks minute by minute; the walk is bounded by the dates
//! the caller passes in.

use std::collections::VecDeque;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone,
};
use chrono_tz::Tz;

use super::{Calendar, NANOS_PER_SEC};

/// Nanoseconds since the Unix epoch (or a length in nanoseconds); `i128` so that any
/// chrono instant and any sum of durations fits without overflow.
pub(super) type Nanos = i128;

/// How far either side of a nonexistent local time the end of its gap is searched for,
/// in seconds; wider than any UTC offset ever used, so the answer lies inside.
const GAP_SEARCH_SECS: i64 = 26 * 3600;

/// A half-open interval of UTC seconds.
type Interval = (i64, i64);

/// The first instant (UTC seconds) at which the wall clock of `zone` reads `local` or
/// later: the first occurrence of a repeated fall-back time, the end of the gap for a
/// spring-forward time that never occurs. `None` only at the edges of chrono's range.
pub(super) fn utc_of_local(zone: Tz, local: NaiveDateTime) -> Option<i64> {
    match zone.from_local_datetime(&local) {
        chrono::MappedLocalTime::Single(t) => Some(t.timestamp()),
        chrono::MappedLocalTime::Ambiguous(a, b) => Some(a.timestamp().min(b.timestamp())),
        chrono::MappedLocalTime::None => gap_end(zone, local),
    }
}

/// The wall-clock reading of `zone` at the UTC time `utc`; `None` past the edges of
/// chrono's range, where chrono's own `naive_local` would panic.
pub(super) fn wall_clock_at(zone: Tz, utc: NaiveDateTime) -> Option<NaiveDateTime> {
    utc.checked_add_offset(zone.offset_from_utc_datetime(&utc).fix())
}

fn wall_clock(zone: Tz, secs: i64) -> Option<NaiveDateTime> {
    wall_clock_at(zone, DateTime::from_timestamp(secs, 0)?.naive_utc())
}

/// Bisects for the first second whose wall-clock reading is at least `local`; chrono-tz
/// does not expose its transitions, and the search range is small enough (about 17
/// steps) that this stays cheap.
fn gap_end(zone: Tz, local: NaiveDateTime) -> Option<i64> {
    let naive_secs = local.and_utc().timestamp();
    let mut before = naive_secs.checked_sub(GAP_SEARCH_SECS)?;
    let mut after = naive_secs.checked_add(GAP_SEARCH_SECS)?;
    if wall_clock(zone, before)? >= local || wall_clock(zone, after)? < local {
        return None;
    }
    while after - before > 1 {
        let mid = before + (after - before) / 2;
        if wall_clock(zone, mid)? >= local {
            after = mid;
        } else {
            before = mid;
        }
    }
    Some(after)
}

/// The exclusions of `calendar` as merged UTC intervals.
fn exclusion_intervals(calendar: &Calendar) -> Vec<Interval> {
    let zone = calendar.zone;
    let mut exclusions: Vec<Interval> = calendar
        .exclusions
        .iter()
        .filter_map(|x| {
            let start = utc_of_local(zone, x.start)?;
            let end = utc_of_local(zone, x.end)?;
            (start < end).then_some((start, end))
        })
        .collect();
    merge(&mut exclusions);
    exclusions
}

/// Computes what `date` contributes to the periods of `calendar`.
fn plan_day(calendar: &Calendar, date: NaiveDate) -> DayPlan {
    let zone = calendar.zone;
    let midnight = date.and_time(NaiveTime::MIN);
    let mut plan = DayPlan {
        midnight: utc_of_local(zone, midnight),
        next_midnight: date
            .succ_opt()
            .and_then(|next| utc_of_local(zone, next.and_time(NaiveTime::MIN))),
        windows: Vec::new(),
    };
    if calendar.holidays.contains(&date) {
        return plan;
    }
    let at = |minutes: u32| {
        let local = midnight.checked_add_signed(TimeDelta::try_minutes(i64::from(minutes))?)?;
        utc_of_local(zone, local)
    };
    for (start, end) in calendar
        .windows_on(date.weekday())
        .iter()
        .filter_map(super::Window::span)
    {
        // A window lying wholly inside a spring-forward gap maps to nothing.
        if let (Some(start), Some(end)) = (at(start), at(end)) {
            plan.windows.extend((start < end).then_some((start, end)));
        }
    }
    plan
}

/// Sorts and merges overlapping or touching intervals in place.
fn merge(intervals: &mut Vec<Interval>) {
    intervals.sort_unstable();
    let mut kept: usize = 0;
    for index in 0..intervals.len() {
        let Some(&(start, end)) = intervals.get(index) else {
            break;
        };
        match kept.checked_sub(1).and_then(|last| intervals.get_mut(last)) {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => {
                if let Some(slot) = intervals.get_mut(kept) {
                    *slot = (start, end);
                }
                kept += 1;
            }
        }
    }
    intervals.truncate(kept);
}

/// What one local date contributes, in UTC seconds: the first instant of the date and
/// of the next one, and the intervals of the windows that start on the date (none on a
/// holiday).
#[derive(Debug, Clone, Default)]
struct DayPlan {
    midnight: Option<i64>,
    next_midnight: Option<i64>,
    windows: Vec<Interval>,
}

/// Most consecutive dates a [`DayMemo`] covers before it starts over: about eleven
/// years, a few hundred kilobytes at most.
const MEMO_DATES: i64 = 4096;

/// The per-date work of a walk along one calendar (time-zone look-ups for local
/// midnight and every window boundary), remembered for later walks along the same
/// calendar.
///
/// Due times for many incidents visit the same dates again and again, and a time-zone
/// look-up costs far more than an array access. A memo belongs to one calendar: using
/// it with another calendar, or after changing the calendar, gives wrong periods. It
/// covers at most 4,096 consecutive dates and starts over when a date falls outside
/// them. Results never depend on whether a memo is used or what it holds.
#[derive(Debug, Default)]
pub struct DayMemo {
    /// Days since the common era of `days[0]` and `settled[0]`.
    base: i64,
    days: Vec<Option<DayPlan>>,
    /// The final working periods of each date, as [`DayMemo::settled`] gives them.
    settled: Vec<Option<SettledDay>>,
    /// The calendar's exclusions as merged UTC intervals.
    exclusions: Option<Vec<Interval>>,
    /// The calendar's nominal weekly working minutes.
    weekly_minutes: Option<u32>,
}

impl DayMemo {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of dates remembered.
    pub fn len(&self) -> usize {
        self.days.iter().filter(|d| d.is_some()).count()
    }

    /// Whether no date is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The nominal weekly working minutes of the memo's calendar.
    pub(super) fn weekly_minutes(&mut self, calendar: &Calendar) -> u32 {
        *self
            .weekly_minutes
            .get_or_insert_with(|| calendar.weekly_working_minutes())
    }

    /// The slot of `date`, making room for it first.
    fn slot(&mut self, date: NaiveDate) -> Option<&mut Option<DayPlan>> {
        let day = i64::from(date.num_days_from_ce());
        let mut index = day - self.base;
        if self.days.is_empty() || !(0..MEMO_DATES).contains(&index) {
            // Start over a little before `date`, since walks begin two days early.
            self.days.clear();
            self.settled.clear();
            self.base = day - 16;
            index = 16;
        }
        let index = usize::try_from(index).ok()?;
        if self.days.len() <= index {
            self.days.resize(index + 1, None);
        }
        self.days.get_mut(index)
    }

    /// The working periods of the local date `date` on `calendar`: every period of
    /// [`Periods`] that lies on or after the date's first instant and before the next
    /// date's, cut at both (so an overnight window shows up on both dates), with
    /// their total length. Computed on first use and remembered. `None` where a
    /// date's first instant is outside chrono's range.
    pub(super) fn settled(&mut self, calendar: &Calendar, date: NaiveDate) -> Option<&SettledDay> {
        let known = self
            .settled_index(date)
            .and_then(|i| self.settled.get(i))
            .is_some_and(Option::is_some);
        if !known {
            let day = self.compute_settled(calendar, date)?;
            // Planning the date may have started the memo over; place it afterwards.
            self.slot(date)?;
            let index = self.settled_index(date)?;
            if self.settled.len() <= index {
                self.settled.resize(index + 1, None);
            }
            *self.settled.get_mut(index)? = Some(day);
        }
        let index = self.settled_index(date)?;
        self.settled.get(index)?.as_ref()
    }

    /// Where `date` sits in `settled`, if inside the memo's current run of dates.
    fn settled_index(&self, date: NaiveDate) -> Option<usize> {
        let index = i64::from(date.num_days_from_ce()) - self.base;
        if self.days.is_empty() || !(0..MEMO_DATES).contains(&index) {
            return None;
        }
        usize::try_from(index).ok()
    }

    fn compute_settled(&mut self, calendar: &Calendar, date: NaiveDate) -> Option<SettledDay> {
        let (midnight, next_midnight) = {
            let plan = self
                .slot(date)?
                .get_or_insert_with(|| plan_day(calendar, date));
            (plan.midnight?, plan.next_midnight?)
        };
        // Two dates back bring overnight windows that reach into `date`; periods are
        // exact up to the first instant after `last`, past the end of `date`.
        let first = date.checked_sub_days(chrono::Days::new(2))?;
        let last = date.succ_opt()?;
        let from = Nanos::from(midnight) * NANOS_PER_SEC;
        let mut day = SettledDay::default();
        for (start, end) in Periods::new(calendar, from, first, last, Some(self)) {
            // Every boundary is a whole second: windows, exclusions and `from` are.
            let start = i64::try_from(start / NANOS_PER_SEC).ok()?;
            let end = i64::try_from(end / NANOS_PER_SEC).ok()?.min(next_midnight);
            if start >= next_midnight {
                break;
            }
            if start < end {
                day.periods.push((start, end));
                day.total += end - start;
            }
        }
        Some(day)
    }
}

/// The working periods of one local date, in UTC seconds, ascending and disjoint, and
/// their total length in seconds.
#[derive(Debug, Clone, Default)]
pub(super) struct SettledDay {
    pub(super) periods: Vec<(i64, i64)>,
    pub(super) total: i64,
}

/// Iterator over the working periods of a calendar, in nanoseconds, ascending and
/// disjoint, clipped to start no earlier than `from`.
///
/// Windows of the local dates `first..=last` are considered; periods are exact up to the
/// first instant of the day after `last` and cut off there.
pub(super) struct Periods<'a> {
    calendar: &'a Calendar,
    /// Exclusions as merged UTC intervals.
    exclusions: Vec<Interval>,
    from: Nanos,
    next_date: Option<NaiveDate>,
    last_date: NaiveDate,
    /// Merged intervals that a later day's windows could still extend.
    pending: Vec<Interval>,
    ready: VecDeque<(Nanos, Nanos)>,
    done: bool,
    memo: Option<&'a mut DayMemo>,
}

impl<'a> Periods<'a> {
    pub(super) fn new(
        calendar: &'a Calendar,
        from: Nanos,
        first: NaiveDate,
        last: NaiveDate,
        memo: Option<&'a mut DayMemo>,
    ) -> Self {
        let (exclusions, memo) = match memo {
            Some(memo) => {
                let exclusions = memo
                    .exclusions
                    .get_or_insert_with(|| exclusion_intervals(calendar))
                    .clone();
                (exclusions, Some(memo))
            }
            None => (exclusion_intervals(calendar), None),
        };
        Self {
            calendar,
            exclusions,
            from,
            next_date: Some(first),
            last_date: last,
            // A date seldom brings more than a few windows; room for them up
            // front saves growing both on every walk.
            pending: Vec::with_capacity(8),
            ready: VecDeque::with_capacity(8),
            done: false,
            memo,
        }
    }

    /// Applies `use_plan` to the plan of `date`, from the memo when there is one.
    fn with_plan<T>(
        &mut self,
        date: NaiveDate,
        use_plan: impl FnOnce(&DayPlan, &mut Vec<Interval>) -> T,
    ) -> T {
        let calendar = self.calendar;
        if let Some(slot) = self.memo.as_deref_mut().and_then(|m| m.slot(date)) {
            let plan = slot.get_or_insert_with(|| plan_day(calendar, date));
            return use_plan(plan, &mut self.pending);
        }
        use_plan(&plan_day(calendar, date), &mut self.pending)
    }

    fn midnight_utc(&mut self, date: NaiveDate) -> Option<i64> {
        self.with_plan(date, |plan, _| plan.midnight)
    }

    /// Processes one more local date, or finishes when the dates are used up.
    fn step(&mut self) {
        let date = match self.next_date {
            Some(date) if date <= self.last_date => date,
            _ => return self.finish(),
        };
        let next_midnight = self.with_plan(date, |plan, pending| {
            pending.extend_from_slice(&plan.windows);
            plan.next_midnight
        });
        merge(&mut self.pending);
        self.next_date = date.succ_opt();
        if self.next_date.is_none() {
            return self.finish();
        }
        // The boundary mapping is monotone, so windows of later dates open no earlier than
        // the next local midnight; whatever closes before it can no longer grow. Without a
        // boundary nothing is released yet, which only delays it to a later step.
        if let Some(boundary) = next_midnight {
            let settled = self.pending.partition_point(|p| p.1 < boundary);
            for index in 0..settled {
                if let Some(&interval) = self.pending.get(index) {
                    self.emit(interval);
                }
            }
            self.pending.drain(..settled);
        }
    }

    /// Releases everything pending, cut at the first instant after the last date: beyond
    /// it, windows of later dates (not considered) could be missing.
    fn finish(&mut self) {
        let boundary = self.next_date.and_then(|d| self.midnight_utc(d));
        for (start, end) in std::mem::take(&mut self.pending) {
            let end = boundary.map_or(end, |b| end.min(b));
            if start < end {
                self.emit((start, end));
            }
        }
        self.done = true;
    }

    /// Queues `interval` minus the exclusions, clipped to `from`.
    fn emit(&mut self, (start, end): Interval) {
        let first = self.exclusions.partition_point(|x| x.1 <= start);
        let mut cursor = start;
        for index in first..self.exclusions.len() {
            let Some(&(pause_start, pause_end)) = self.exclusions.get(index) else {
                break;
            };
            if pause_start >= end {
                break;
            }
            if pause_start > cursor {
                self.queue(cursor, pause_start);
            }
            cursor = cursor.max(pause_end);
        }
        if cursor < end {
            self.queue(cursor, end);
        }
    }

    /// Queues one piece of working time, clipped to `from`.
    fn queue(&mut self, start: i64, end: i64) {
        let start = (Nanos::from(start) * NANOS_PER_SEC).max(self.from);
        let end = Nanos::from(end) * NANOS_PER_SEC;
        if start < end {
            self.ready.push_back((start, end));
        }
    }
}

impl Iterator for Periods<'_> {
    type Item = (Nanos, Nanos);

    fn next(&mut self) -> Option<Self::Item> {
        // Each step consumes a date or finishes, so this ends within the date range.
        loop {
            if let Some(period) = self.ready.pop_front() {
                return Some(period);
            }
            if self.done {
                return None;
            }
            self.step();
        }
    }
}
