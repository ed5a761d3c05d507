//! Due dates: given in working days or as a date, computed with the working-day calendar,
//! and classified for display (overdue, due soon, on track).

use crate::calendar::WorkingCalendar;
use chrono::NaiveDate;

/// How a due date was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueSpec {
    WorkingDays(u32),
    Date(NaiveDate),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("the due date is before the start date")]
    BeforeStart,
    #[error("the due date is outside the calendar's years")]
    OutOfRange,
}

/// The due date for work that starts on `start`.
pub fn resolve(
    spec: DueSpec,
    start: NaiveDate,
    calendar: &WorkingCalendar,
) -> Result<NaiveDate, DeadlineError> {
    match spec {
        DueSpec::Date(date) if date < start => Err(DeadlineError::BeforeStart),
        DueSpec::Date(date) => Ok(date),
        DueSpec::WorkingDays(days) => calendar
            .add_working_days(
                start,
                i32::try_from(days).map_err(|_| DeadlineError::OutOfRange)?,
            )
            .map_err(|_| DeadlineError::OutOfRange),
    }
}

/// How an open item stands against its due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineState {
    Overdue,
    /// Due within the warning window (working days).
    DueSoon,
    OnTrack,
    NoDueDate,
}

impl DeadlineState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::DueSoon => "due_soon",
            Self::OnTrack => "on_track",
            Self::NoDueDate => "no_due_date",
        }
    }
}

/// Classifies an open item: overdue after its due date, due soon within `warning_days`
/// working days of it.
pub fn state(
    due: Option<NaiveDate>,
    today: NaiveDate,
    warning_days: i32,
    calendar: &WorkingCalendar,
) -> DeadlineState {
    let Some(due) = due else {
        return DeadlineState::NoDueDate;
    };
    if today > due {
        return DeadlineState::Overdue;
    }
    match calendar.working_days_between(today, due) {
        Ok(days) if days <= warning_days => DeadlineState::DueSoon,
        Ok(_) => DeadlineState::OnTrack,
        Err(_) => DeadlineState::OnTrack,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn calendar() -> WorkingCalendar {
        WorkingCalendar::for_years(2025..=2027, &BTreeMap::new()).unwrap()
    }

    #[test]
    fn a_due_date_in_working_days_skips_the_tet_holidays() {
        // Friday 13 February 2026; Tết runs to 20 February.
        assert_eq!(
            resolve(DueSpec::WorkingDays(1), day("2026-02-13"), &calendar()),
            Ok(day("2026-02-23"))
        );
    }

    #[test]
    fn a_due_date_before_the_start_is_refused() {
        assert_eq!(
            resolve(
                DueSpec::Date(day("2026-03-01")),
                day("2026-03-02"),
                &calendar()
            ),
            Err(DeadlineError::BeforeStart)
        );
    }

    #[test]
    fn items_are_overdue_due_soon_or_on_track() {
        let c = calendar();
        let today = day("2026-11-27"); // a Friday
        assert_eq!(
            state(Some(day("2026-11-26")), today, 2, &c),
            DeadlineState::Overdue
        );
        assert_eq!(
            state(Some(day("2026-12-01")), today, 2, &c),
            DeadlineState::DueSoon
        );
        assert_eq!(
            state(Some(day("2026-12-15")), today, 2, &c),
            DeadlineState::OnTrack
        );
        assert_eq!(state(None, today, 2, &c), DeadlineState::NoDueDate);
    }
}
