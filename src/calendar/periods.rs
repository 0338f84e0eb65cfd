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

/// Sorts and merges overlapping or touching intervals in place.
fn merge(intervals: &mut Vec<Interval>) {
    intervals.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for &(start, end) in intervals.iter() {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    *intervals = merged;
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
}

impl<'a> Periods<'a> {
    pub(super) fn new(
        calendar: &'a Calendar,
        from: Nanos,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Self {
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
        Self {
            calendar,
            exclusions,
            from,
            next_date: Some(first),
            last_date: last,
            pending: Vec::new(),
            ready: VecDeque::new(),
            done: false,
        }
    }

    fn midnight_utc(&self, date: NaiveDate) -> Option<i64> {
        utc_of_local(self.calendar.zone, date.and_time(NaiveTime::MIN))
    }

    /// Adds the intervals of the windows that start on `date`.
    fn push_day(&mut self, date: NaiveDate) {
        if self.calendar.holidays.contains(&date) {
            return;
        }
        let zone = self.calendar.zone;
        let midnight = date.and_time(NaiveTime::MIN);
        let at = |minutes: u32| {
            let local = midnight.checked_add_signed(TimeDelta::try_minutes(i64::from(minutes))?)?;
            utc_of_local(zone, local)
        };
        for (start, end) in self
            .calendar
            .windows_on(date.weekday())
            .iter()
            .filter_map(super::Window::span)
        {
            // A window lying wholly inside a spring-forward gap maps to nothing.
            if let (Some(start), Some(end)) = (at(start), at(end)) {
                self.pending.extend((start < end).then_some((start, end)));
            }
        }
    }

    /// Processes one more local date, or finishes when the dates are used up.
    fn step(&mut self) {
        let date = match self.next_date {
            Some(date) if date <= self.last_date => date,
            _ => return self.finish(),
        };
        self.push_day(date);
        merge(&mut self.pending);
        self.next_date = date.succ_opt();
        let Some(next) = self.next_date else {
            return self.finish();
        };
        // The boundary mapping is monotone, so windows of later dates open no earlier than
        // the next local midnight; whatever closes before it can no longer grow. Without a
        // boundary nothing is released yet, which only delays it to a later step.
        if let Some(boundary) = self.midnight_utc(next) {
            let settled = self.pending.partition_point(|p| p.1 < boundary);
            let released: Vec<Interval> = self.pending.drain(..settled).collect();
            for interval in released {
                self.emit(interval);
            }
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
        let mut pieces = Vec::new();
        let mut cursor = start;
        for &(pause_start, pause_end) in self.exclusions.get(first..).unwrap_or_default() {
            if pause_start >= end {
                break;
            }
            if pause_start > cursor {
                pieces.push((cursor, pause_start));
            }
            cursor = cursor.max(pause_end);
        }
        if cursor < end {
            pieces.push((cursor, end));
        }
        for (piece_start, piece_end) in pieces {
            let piece_start = (Nanos::from(piece_start) * NANOS_PER_SEC).max(self.from);
            let piece_end = Nanos::from(piece_end) * NANOS_PER_SEC;
            if piece_start < piece_end {
                self.ready.push_back((piece_start, piece_end));
            }
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
