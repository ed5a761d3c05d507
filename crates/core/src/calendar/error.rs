//! The errors of the calendar: dates outside the supported years, lunar dates that do not exist,
//! and administrator overrides that contradict themselves.

use chrono::NaiveDate;

use super::{FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR};

/// Why a calendar question could not be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalendarError {
    #[error("year {year} is outside the supported years {FIRST_SUPPORTED_YEAR} to {LAST_SUPPORTED_YEAR}")]
    YearOutOfRange { year: i32 },

    #[error("{date} is outside the calendar, which covers {first} to {last}")]
    DateOutOfRange {
        date: NaiveDate,
        first: NaiveDate,
        last: NaiveDate,
    },

    #[error("counting {working_days} working days from {date} leaves the calendar")]
    CountLeavesCalendar { date: NaiveDate, working_days: i32 },

    #[error(
        "lunar date {day}/{month}{leap_marker}/{year} does not exist",
        leap_marker = if *leap { " (leap)" } else { "" }
    )]
    NoSuchLunarDate {
        year: i32,
        month: u32,
        day: u32,
        leap: bool,
    },

    #[error("a time zone offset of {hours} hours is not between -12 and +14")]
    InvalidUtcOffset { hours: f64 },

    #[error("the overrides for {year} name {date}, which is in another year")]
    OverrideDateInAnotherYear { year: i32, date: NaiveDate },

    #[error("{date} is not a Saturday or Sunday, so it cannot be declared a working day")]
    DeclaredWorkingDayIsNotWeekend { date: NaiveDate },

    #[error("{date} is both a holiday and a declared working day")]
    DeclaredWorkingDayIsHoliday { date: NaiveDate },
}
