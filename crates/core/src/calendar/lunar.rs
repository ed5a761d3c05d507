//! The Vietnamese lunar calendar (âm lịch), computed from new moons and the sun's longitude.
//!
//! The astronomy follows Hồ Ngọc Đức's well-known algorithm (after Jean Meeus, "Astronomical
//! Algorithms"): a month starts on the civil day of the new moon, month 11 is the month that
//! holds the winter solstice, and in a year of 13 months the first month without a major solar
//! term (the sun's longitude crossing a multiple of 30°) is the leap month. Days are civil days
//! of a chosen time zone: UTC+7 gives the Vietnamese calendar, UTC+8 the Chinese one, and the two
//! give a different Tết in ten years of 1900–2100 (1903, 1916, 1935, 1965, 1968, 1969, 1985,
//! 2007, 2030, 2053).
//!
//! Checked against a precise ephemeris (see `golden.py`): Tết at UTC+7 and UTC+8 and Giỗ Tổ at
//! UTC+7 agree in every year 1900–2100, and so do the first days of all 2,487 months but four, whose
//! new moon falls within two minutes of local midnight (June 1944, December 2072 and November
//! 2077 at UTC+7; August 2097 at UTC+8). There the formulas here start the month a day later.
//! They are kept: they are the widely used Hồ Ngọc Đức formulas, and decades ahead the
//! uncertainty in the Earth's rotation (ΔT) is itself a minute or more.

use std::f64::consts::PI;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::{CalendarError, FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR};

/// A day of the lunar calendar. `month` is 1 to 12; `leap` marks the leap month (tháng nhuận)
/// that repeats the number of the month before it; `day` is 1 to 29 or 30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LunarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub leap: bool,
}

impl LunarDate {
    /// A day of an ordinary (not leap) month.
    pub fn new(year: i32, month: u32, day: u32) -> Self {
        LunarDate {
            year,
            month,
            day,
            leap: false,
        }
    }

    /// A day of the leap month that follows month `month`.
    pub fn in_leap_month(year: i32, month: u32, day: u32) -> Self {
        LunarDate {
            year,
            month,
            day,
            leap: true,
        }
    }
}

impl fmt::Display for LunarDate {
    /// Written as Vietnamese calendars write it: `10/3/2024`, and `15/2 nhuận/2023` for a day of
    /// a leap month.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leap_marker = if self.leap { " nhuận" } else { "" };
        write!(
            formatter,
            "{}/{}{}/{}",
            self.day, self.month, leap_marker, self.year
        )
    }
}

/// The time zone whose civil days the lunar calendar is counted in, as hours east of UTC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UtcOffset {
    hours: f64,
}

impl UtcOffset {
    /// Vietnam, UTC+7: the calendar of Tết and of the statutory holidays.
    pub const VIETNAM: UtcOffset = UtcOffset { hours: 7.0 };
    /// China, UTC+8: the Chinese calendar, which differs from Vietnam's in some years.
    pub const CHINA: UtcOffset = UtcOffset { hours: 8.0 };

    /// An offset of `hours` east of UTC, between -12 and +14 (fractions allowed).
    pub fn from_hours(hours: f64) -> Result<Self, CalendarError> {
        if !hours.is_finite() || !(-12.0..=14.0).contains(&hours) {
            return Err(CalendarError::InvalidUtcOffset { hours });
        }
        Ok(UtcOffset { hours })
    }

    pub fn hours(self) -> f64 {
        self.hours
    }

    /// The offset as a fraction of a day, the unit of Julian days.
    fn days(self) -> f64 {
        self.hours / 24.0
    }
}

/// The first and last solar dates the lunar conversions answer for.
pub(super) fn first_supported_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_SUPPORTED_YEAR, 1, 1).unwrap_or(NaiveDate::MIN)
}

pub(super) fn last_supported_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(LAST_SUPPORTED_YEAR, 12, 31).unwrap_or(NaiveDate::MAX)
}

fn check_supported_date(date: NaiveDate) -> Result<(), CalendarError> {
    let (first, last) = (first_supported_date(), last_supported_date());
    if date < first || date > last {
        return Err(CalendarError::DateOutOfRange { date, first, last });
    }
    Ok(())
}

pub(super) fn check_supported_year(year: i32) -> Result<(), CalendarError> {
    if !(FIRST_SUPPORTED_YEAR..=LAST_SUPPORTED_YEAR).contains(&year) {
        return Err(CalendarError::YearOutOfRange { year });
    }
    Ok(())
}

/// Converts a solar (Gregorian) date to the lunar calendar of the given time zone.
/// Dates from 1900-01-01 to 2100-12-31 are supported.
pub fn solar_to_lunar(date: NaiveDate, offset: UtcOffset) -> Result<LunarDate, CalendarError> {
    check_supported_date(date)?;
    let day = julian_day_number(date);
    // The solstice year that holds `day` starts at month 11 of this year or of the one before.
    let mut solstice_year = SolsticeYear::new(date.year(), offset);
    if day < solstice_year.month_starts[0] {
        solstice_year = SolsticeYear::new(date.year() - 1, offset);
    }
    let index = (0..solstice_year.month_count)
        .rev()
        .find(|&index| solstice_year.month_starts[index] <= day)
        .unwrap_or(0);
    let (year, month, leap) = solstice_year.month_name(index);
    let day_of_month = day - solstice_year.month_starts[index] + 1;
    Ok(LunarDate {
        year,
        month,
        day: u32::try_from(day_of_month).unwrap_or(1),
        leap,
    })
}

/// Converts a lunar date of the given time zone's calendar to the solar (Gregorian) date.
/// Fails for a lunar date that does not exist (a leap month the year does not have, day 30 of a
/// 29-day month) and for one whose solar date falls outside 1900-01-01 to 2100-12-31.
pub fn lunar_to_solar(lunar: LunarDate, offset: UtcOffset) -> Result<NaiveDate, CalendarError> {
    let no_such_date = CalendarError::NoSuchLunarDate {
        year: lunar.year,
        month: lunar.month,
        day: lunar.day,
        leap: lunar.leap,
    };
    if !(1..=12).contains(&lunar.month) || !(1..=30).contains(&lunar.day) {
        return Err(no_such_date);
    }
    // Lunar year 1899 ends, and lunar year 2101 starts, inside the supported solar dates.
    if !(FIRST_SUPPORTED_YEAR - 1..=LAST_SUPPORTED_YEAR + 1).contains(&lunar.year) {
        return Err(CalendarError::YearOutOfRange { year: lunar.year });
    }
    let solstice_year = if lunar.month >= 11 {
        SolsticeYear::new(lunar.year, offset)
    } else {
        SolsticeYear::new(lunar.year - 1, offset)
    };
    let Some(index) = solstice_year.month_index(lunar.month, lunar.leap) else {
        return Err(no_such_date);
    };
    let month_start = solstice_year.month_starts[index];
    let month_length = solstice_year.month_starts[index + 1] - month_start;
    let day_of_month = i32::try_from(lunar.day).unwrap_or(i32::MAX);
    if day_of_month > month_length {
        return Err(no_such_date);
    }
    let date = date_from_julian_day_number(month_start + day_of_month - 1)
        .ok_or(CalendarError::YearOutOfRange { year: lunar.year })?;
    check_supported_date(date)?;
    Ok(date)
}

/// The first day of the first lunar month (Tết Nguyên đán) of `year` in the given time zone.
pub fn lunar_new_year(year: i32, offset: UtcOffset) -> Result<NaiveDate, CalendarError> {
    check_supported_year(year)?;
    lunar_to_solar(LunarDate::new(year, 1, 1), offset)
}

/// Tết Nguyên đán of `year` in Vietnam: the first day of the first lunar month at UTC+7.
pub fn tet(year: i32) -> Result<NaiveDate, CalendarError> {
    lunar_new_year(year, UtcOffset::VIETNAM)
}

/// Giỗ Tổ Hùng Vương of `year`: the 10th day of the 3rd lunar month at UTC+7.
pub fn hung_kings_day(year: i32) -> Result<NaiveDate, CalendarError> {
    check_supported_year(year)?;
    lunar_to_solar(LunarDate::new(year, 3, 10), UtcOffset::VIETNAM)
}

/// The lunar months from month 11 of one lunar year up to, not including, month 11 of the
/// next: the span between two winter solstices in which a leap month may be inserted.
struct SolsticeYear {
    /// The lunar year that month 11 at the start belongs to.
    year: i32,
    /// Julian day numbers of each month's first day; `month_starts[month_count]` is the next
    /// month 11.
    month_starts: [i32; 14],
    /// 12, or 13 when the span holds a leap month.
    month_count: usize,
    /// Position of the leap month in `month_starts`, always at least 1.
    leap_index: Option<usize>,
}

impl SolsticeYear {
    fn new(year: i32, offset: UtcOffset) -> Self {
        let start = month_11_start(year, offset);
        let next_start = month_11_start(year + 1, offset);
        let first_lunation = ((f64::from(start) - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor();
        let first_lunation = first_lunation as i32;
        let month_count = if next_start - start > 365 { 13 } else { 12 };
        let mut month_starts = [0; 14];
        month_starts[0] = start;
        for (index, month_start) in month_starts
            .iter_mut()
            .enumerate()
            .take(month_count)
            .skip(1)
        {
            *month_start = new_moon_day(first_lunation + index as i32, offset);
        }
        month_starts[month_count] = next_start;
        let leap_index = (month_count == 13).then(|| leap_month_index(&month_starts, offset));
        SolsticeYear {
            year,
            month_starts,
            month_count,
            leap_index,
        }
    }

    /// The lunar year, month number and leap flag of the month at `index`.
    fn month_name(&self, index: usize) -> (i32, u32, bool) {
        let (months_before, leap) = match self.leap_index {
            Some(leap_index) if index >= leap_index => (index - 1, index == leap_index),
            _ => (index, false),
        };
        // Position 0 is month 11, position 1 month 12, position 2 month 1 of the next year.
        let month = ((10 + months_before) % 12 + 1) as u32;
        let year = if month >= 11 {
            self.year
        } else {
            self.year + 1
        };
        (year, month, leap)
    }

    /// Where month `month` (or its leap repetition) sits in `month_starts`, if the span has it.
    fn month_index(&self, month: u32, leap: bool) -> Option<usize> {
        let months_before = ((month + 1) % 12) as usize;
        match (self.leap_index, leap) {
            (None, false) => Some(months_before),
            (None, true) => None,
            (Some(leap_index), true) => (months_before + 1 == leap_index).then_some(leap_index),
            (Some(leap_index), false) if months_before < leap_index => Some(months_before),
            (Some(_), false) => Some(months_before + 1),
        }
    }
}

/// The mean length of a lunation in days.
const SYNODIC_MONTH: f64 = 29.530588853;
/// The Julian day of the new moon of 1900-01-01, the lunation numbered 0.
const NEW_MOON_EPOCH: f64 = 2415021.076998695;
/// `NaiveDate::num_days_from_ce` of a date plus this is its Julian day number.
const JULIAN_DAY_OF_COMMON_ERA: i32 = 1_721_425;

fn julian_day_number(date: NaiveDate) -> i32 {
    date.num_days_from_ce() + JULIAN_DAY_OF_COMMON_ERA
}

fn date_from_julian_day_number(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day - JULIAN_DAY_OF_COMMON_ERA)
}

/// The moment (Julian day, UTC) of the new moon numbered `lunation` from 1900-01-01, after
/// Meeus, with the corrections Hồ Ngọc Đức uses.
fn new_moon(lunation: i32) -> f64 {
    let k = f64::from(lunation);
    let t = k / 1236.85; // Julian centuries since 1900-01-00.5.
    let t2 = t * t;
    let t3 = t2 * t;
    let radians = PI / 180.0;
    let mean = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
        + 0.00033 * ((166.56 + 132.87 * t - 0.009173 * t2) * radians).sin();
    let sun_anomaly = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
    let moon_anomaly = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
    let moon_latitude = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
    let (m, mp, f) = (
        sun_anomaly * radians,
        moon_anomaly * radians,
        moon_latitude * radians,
    );
    let correction = (0.1734 - 0.000393 * t) * m.sin() + 0.0021 * (2.0 * m).sin()
        - 0.4068 * mp.sin()
        + 0.0161 * (2.0 * mp).sin()
        - 0.0004 * (3.0 * mp).sin()
        + 0.0104 * (2.0 * f).sin()
        - 0.0051 * (m + mp).sin()
        - 0.0074 * (m - mp).sin()
        + 0.0004 * (2.0 * f + m).sin()
        - 0.0004 * (2.0 * f - m).sin()
        - 0.0006 * (2.0 * f + mp).sin()
        + 0.0010 * (2.0 * f - mp).sin()
        + 0.0005 * (2.0 * mp + m).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    } else {
        -0.000278 + 0.000265 * t + 0.000262 * t2
    };
    mean + correction - delta_t
}

/// The sun's apparent longitude in radians, 0 to 2π, at Julian day `julian_day` (UTC).
fn sun_longitude(julian_day: f64) -> f64 {
    let t = (julian_day - 2451545.0) / 36525.0; // Julian centuries since 2000-01-01 12:00 UTC.
    let t2 = t * t;
    let radians = PI / 180.0;
    let mean_anomaly = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
    let mean_longitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
    let m = mean_anomaly * radians;
    let centre = (1.914600 - 0.004817 * t - 0.000014 * t2) * m.sin()
        + (0.019993 - 0.000101 * t) * (2.0 * m).sin()
        + 0.000290 * (3.0 * m).sin();
    let longitude = (mean_longitude + centre) * radians;
    longitude - 2.0 * PI * (longitude / (2.0 * PI)).floor()
}

/// The Julian day number of the civil day on which new moon `lunation` falls.
fn new_moon_day(lunation: i32, offset: UtcOffset) -> i32 {
    (new_moon(lunation) + 0.5 + offset.days()).floor() as i32
}

/// Which 30° sector (0 to 11) the sun is in at the local midnight that starts civil day `day`;
/// sector boundaries are the major solar terms, so a month whose first day and the next month's
/// first day share a sector holds no major term.
fn major_term_sector(day: i32, offset: UtcOffset) -> i32 {
    (sun_longitude(f64::from(day) - 0.5 - offset.days()) / PI * 6.0).floor() as i32
}

/// The Julian day number of the first day of lunar month 11, the month of the winter solstice
/// of Gregorian year `year`.
fn month_11_start(year: i32, offset: UtcOffset) -> i32 {
    let december_31 = NaiveDate::from_ymd_opt(year, 12, 31).map_or(0, julian_day_number);
    let lunation = ((f64::from(december_31) - 2415021.0) / SYNODIC_MONTH).floor() as i32;
    let new_moon_before_new_year = new_moon_day(lunation, offset);
    // Sector 9 starts at 270°, the winter solstice: a new moon past it starts month 12.
    if major_term_sector(new_moon_before_new_year, offset) >= 9 {
        return new_moon_day(lunation - 1, offset);
    }
    new_moon_before_new_year
}

/// The position of the leap month in a 13-month solstice year: the first month after month 11
/// during which the sun crosses no major solar term.
fn leap_month_index(month_starts: &[i32; 14], offset: UtcOffset) -> usize {
    let sectors: Vec<i32> = month_starts[1..]
        .iter()
        .map(|&start| major_term_sector(start, offset))
        .collect();
    let index = sectors
        .windows(2)
        .position(|pair| pair[0] == pair[1])
        .map_or(12, |position| position + 1);
    index.min(12)
}

#[cfg(test)]
mod tests {
    use super::super::golden::{
        HUNG_KINGS_DAY_IN_VIETNAM, TET_IN_CHINA_WHERE_DIFFERENT, TET_IN_VIETNAM,
    };
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn tet_matches_the_golden_table_for_every_year_from_1900_to_2100() {
        assert_eq!(TET_IN_VIETNAM.len(), 201);
        for &(year, month, day) in TET_IN_VIETNAM {
            assert_eq!(tet(year), Ok(date(year, month, day)), "Tết {year}");
        }
    }

    #[test]
    fn chinese_new_year_matches_the_golden_table_for_every_year_from_1900_to_2100() {
        for &(year, month, day) in TET_IN_VIETNAM {
            let chinese = TET_IN_CHINA_WHERE_DIFFERENT
                .iter()
                .find(|&&(chinese_year, _, _)| chinese_year == year)
                .map_or(date(year, month, day), |&(_, month, day)| {
                    date(year, month, day)
                });
            assert_eq!(
                lunar_new_year(year, UtcOffset::CHINA),
                Ok(chinese),
                "Chinese New Year {year}"
            );
        }
    }

    #[test]
    fn tet_differs_between_vietnam_and_china_in_exactly_ten_years() {
        let years: Vec<i32> = (FIRST_SUPPORTED_YEAR..=LAST_SUPPORTED_YEAR)
            .filter(|&year| tet(year) != lunar_new_year(year, UtcOffset::CHINA))
            .collect();
        assert_eq!(
            years,
            [1903, 1916, 1935, 1965, 1968, 1969, 1985, 2007, 2030, 2053]
        );
    }

    #[test]
    fn tet_in_well_known_years_falls_on_the_published_dates() {
        let cases = [
            (1968, date(1968, 1, 29)),
            (1985, date(1985, 1, 21)),
            (2007, date(2007, 2, 17)),
            (2020, date(2020, 1, 25)),
            (2021, date(2021, 2, 12)),
            (2024, date(2024, 2, 10)),
            (2025, date(2025, 1, 29)),
            (2026, date(2026, 2, 17)),
            (2030, date(2030, 2, 2)),
        ];
        for (year, expected) in cases {
            assert_eq!(tet(year), Ok(expected), "Tết {year}");
        }
    }

    #[test]
    fn tet_in_1985_differs_between_vietnam_and_china() {
        assert_eq!(tet(1985), Ok(date(1985, 1, 21)));
        assert_eq!(
            lunar_new_year(1985, UtcOffset::CHINA),
            Ok(date(1985, 2, 20))
        );
    }

    #[test]
    fn tet_in_2007_differs_between_vietnam_and_china() {
        assert_eq!(tet(2007), Ok(date(2007, 2, 17)));
        assert_eq!(
            lunar_new_year(2007, UtcOffset::CHINA),
            Ok(date(2007, 2, 18))
        );
    }

    #[test]
    fn tet_in_2030_differs_between_vietnam_and_china() {
        assert_eq!(tet(2030), Ok(date(2030, 2, 2)));
        assert_eq!(lunar_new_year(2030, UtcOffset::CHINA), Ok(date(2030, 2, 3)));
    }

    #[test]
    fn tet_in_1968_differs_between_vietnam_and_china() {
        assert_eq!(tet(1968), Ok(date(1968, 1, 29)));
        assert_eq!(
            lunar_new_year(1968, UtcOffset::CHINA),
            Ok(date(1968, 1, 30))
        );
    }

    #[test]
    fn vietnam_1985_has_a_leap_second_month_and_china_does_not() {
        let vietnam = lunar_to_solar(LunarDate::in_leap_month(1985, 2, 1), UtcOffset::VIETNAM);
        assert_eq!(vietnam, Ok(date(1985, 3, 21)));
        let china = lunar_to_solar(LunarDate::in_leap_month(1985, 2, 1), UtcOffset::CHINA);
        assert!(matches!(
            china,
            Err(CalendarError::NoSuchLunarDate { leap: true, .. })
        ));
    }

    #[test]
    fn hung_kings_day_matches_the_golden_table_for_every_year_from_1900_to_2100() {
        assert_eq!(HUNG_KINGS_DAY_IN_VIETNAM.len(), 201);
        for &(year, month, day) in HUNG_KINGS_DAY_IN_VIETNAM {
            assert_eq!(
                hung_kings_day(year),
                Ok(date(year, month, day)),
                "Giỗ Tổ {year}"
            );
        }
    }

    #[test]
    fn hung_kings_day_is_the_tenth_day_of_the_third_lunar_month() {
        let cases = [
            (2020, date(2020, 4, 2)),
            (2021, date(2021, 4, 21)),
            (2022, date(2022, 4, 10)),
            (2023, date(2023, 4, 29)),
            (2024, date(2024, 4, 18)),
            (2025, date(2025, 4, 7)),
            (2026, date(2026, 4, 26)),
        ];
        for (year, expected) in cases {
            assert_eq!(hung_kings_day(year), Ok(expected), "Giỗ Tổ {year}");
        }
    }

    #[test]
    fn solar_dates_convert_to_the_lunar_dates_printed_in_vietnamese_calendars() {
        let cases = [
            (date(2024, 2, 9), LunarDate::new(2023, 12, 30)),
            (date(2024, 2, 10), LunarDate::new(2024, 1, 1)),
            (date(2023, 3, 22), LunarDate::in_leap_month(2023, 2, 1)),
            (date(2023, 4, 20), LunarDate::new(2023, 3, 1)),
            (date(2025, 1, 28), LunarDate::new(2024, 12, 29)),
            (date(2020, 5, 23), LunarDate::in_leap_month(2020, 4, 1)),
            (date(1900, 1, 1), LunarDate::new(1899, 12, 1)),
            (date(2100, 12, 31), LunarDate::new(2100, 12, 1)),
        ];
        for (solar, lunar) in cases {
            assert_eq!(
                solar_to_lunar(solar, UtcOffset::VIETNAM),
                Ok(lunar),
                "{solar}"
            );
            assert_eq!(
                lunar_to_solar(lunar, UtcOffset::VIETNAM),
                Ok(solar),
                "{lunar}"
            );
        }
    }

    #[test]
    fn every_supported_day_converts_to_lunar_and_back() {
        for offset in [UtcOffset::VIETNAM, UtcOffset::CHINA] {
            let mut day = first_supported_date();
            let mut previous: Option<LunarDate> = None;
            while day <= last_supported_date() {
                let lunar = solar_to_lunar(day, offset).unwrap();
                assert_eq!(lunar_to_solar(lunar, offset), Ok(day), "{day} is {lunar}");
                assert!((1..=30).contains(&lunar.day), "{day} is {lunar}");
                if let Some(previous) = previous {
                    let next_day_of_month = lunar.day == previous.day + 1
                        && lunar.month == previous.month
                        && lunar.leap == previous.leap;
                    assert!(
                        next_day_of_month || lunar.day == 1,
                        "{day} follows {previous}"
                    );
                }
                previous = Some(lunar);
                day = day.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn any_time_zone_from_minus_12_to_plus_14_converts_every_week_and_back() {
        for hours in [-12.0, -3.5, 0.0, 5.75, 14.0] {
            let offset = UtcOffset::from_hours(hours).unwrap();
            let mut day = first_supported_date();
            while day <= last_supported_date() {
                let lunar = solar_to_lunar(day, offset).unwrap();
                assert_eq!(lunar_to_solar(lunar, offset), Ok(day), "UTC{hours:+} {day}");
                day = day.checked_add_days(chrono::Days::new(7)).unwrap();
            }
        }
    }

    #[test]
    fn every_month_from_1899_to_2100_has_29_or_30_days_and_at_most_one_leap_month_a_year() {
        for offset in [UtcOffset::VIETNAM, UtcOffset::CHINA] {
            for year in FIRST_SUPPORTED_YEAR - 1..=LAST_SUPPORTED_YEAR {
                let solstice_year = SolsticeYear::new(year, offset);
                let starts = &solstice_year.month_starts[..=solstice_year.month_count];
                for pair in starts.windows(2) {
                    assert!((29..=30).contains(&(pair[1] - pair[0])), "{year}");
                }
                // Month 11 found from the solstice is the same new moon as the lunation count
                // that numbers the months after it.
                let first_lunation =
                    ((f64::from(starts[0]) - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i32;
                let last = solstice_year.month_count as i32;
                assert_eq!(new_moon_day(first_lunation, offset), starts[0], "{year}");
                assert_eq!(
                    new_moon_day(first_lunation + last, offset),
                    *starts.last().unwrap(),
                    "{year}"
                );
                assert_eq!(
                    solstice_year.leap_index.is_some(),
                    solstice_year.month_count == 13
                );
            }
        }
    }

    #[test]
    fn lunar_dates_that_do_not_exist_are_refused() {
        let cases = [
            LunarDate::new(2024, 13, 1),
            LunarDate::new(2024, 0, 1),
            LunarDate::new(2024, 1, 0),
            LunarDate::new(2024, 1, 31),
            // Month 12 of 2024 (Giáp Thìn) has 29 days.
            LunarDate::new(2024, 12, 30),
            // 2024 has no leap month; 2023 has a leap month 2, not 3.
            LunarDate::in_leap_month(2024, 5, 1),
            LunarDate::in_leap_month(2023, 3, 1),
        ];
        for lunar in cases {
            assert!(
                matches!(
                    lunar_to_solar(lunar, UtcOffset::VIETNAM),
                    Err(CalendarError::NoSuchLunarDate { .. })
                ),
                "{lunar}"
            );
        }
    }

    #[test]
    fn years_and_dates_outside_1900_to_2100_are_refused_without_panicking() {
        for year in [i32::MIN, -1, 0, 1899, 2101, i32::MAX] {
            assert_eq!(tet(year), Err(CalendarError::YearOutOfRange { year }));
            assert_eq!(
                hung_kings_day(year),
                Err(CalendarError::YearOutOfRange { year })
            );
        }
        for lunar in [
            LunarDate::new(i32::MIN, 1, 1),
            LunarDate::new(1899, 1, 1),
            LunarDate::new(2101, 12, 1),
            LunarDate::new(i32::MAX, 1, 1),
        ] {
            assert!(
                lunar_to_solar(lunar, UtcOffset::VIETNAM).is_err(),
                "{lunar}"
            );
        }
        for solar in [
            date(1899, 12, 31),
            date(2101, 1, 1),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ] {
            assert!(matches!(
                solar_to_lunar(solar, UtcOffset::VIETNAM),
                Err(CalendarError::DateOutOfRange { .. })
            ));
        }
    }

    #[test]
    fn time_zone_offsets_outside_minus_12_to_plus_14_are_refused() {
        for hours in [f64::NAN, f64::INFINITY, -12.5, 14.5] {
            assert!(UtcOffset::from_hours(hours).is_err(), "{hours}");
        }
        assert_eq!(UtcOffset::from_hours(7.0), Ok(UtcOffset::VIETNAM));
        assert_eq!(UtcOffset::from_hours(5.75).map(UtcOffset::hours), Ok(5.75));
    }

    #[test]
    fn lunar_dates_are_written_day_month_year_with_leap_months_marked() {
        assert_eq!(LunarDate::new(2024, 3, 10).to_string(), "10/3/2024");
        assert_eq!(
            LunarDate::in_leap_month(2023, 2, 15).to_string(),
            "15/2 nhuận/2023"
        );
    }
}
