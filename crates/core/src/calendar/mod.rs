//! The working-day calendar: the Vietnamese lunar calendar, the statutory holidays of the
//! Labour Code, an administrator's overrides per year, and working-day arithmetic for deadlines.
//!
//! Everything here is pure: no clock, no IO. [`WorkingCalendar`] is built once from the
//! overrides (a map from year to [`YearOverrides`]) and then answers from a bitset, so deadline
//! arithmetic never touches the lunar astronomy.

mod error;
#[cfg(test)]
mod golden;
mod holidays;
mod lunar;
mod working;

pub use error::CalendarError;
pub use holidays::{
    national_day_adjacent_day, statutory_holidays, AddedHoliday, DefaultHolidays, Holiday,
    HolidayKind, YearOverrides,
};
pub use lunar::{
    hung_kings_day, lunar_new_year, lunar_to_solar, solar_to_lunar, tet, LunarDate, UtcOffset,
};
pub use working::WorkingCalendar;

/// The first year the calendar answers for.
pub const FIRST_SUPPORTED_YEAR: i32 = 1900;
/// The last year the calendar answers for.
pub const LAST_SUPPORTED_YEAR: i32 = 2100;
