//! Public holidays: the defaults computed from the Labour Code 2019 (Art. 112), the
//! compensatory days off (nghỉ bù) when a holiday falls on a weekend, and the overrides an
//! administrator sets for a year once the Prime Minister has announced its exact days.
//!
//! The defaults, each replaceable through [`YearOverrides`]:
//! - Tết Dương lịch: 1 January.
//! - Tết Nguyên đán: five days, the last day of the old lunar year (29 or 30 Tết) and the
//!   first four days of the new one. The law leaves the exact days to the Prime Minister, who
//!   usually shifts them to join weekends; enter the announced days as overrides.
//! - Giỗ Tổ Hùng Vương: the 10th day of the 3rd lunar month.
//! - Ngày Chiến thắng: 30 April. Ngày Quốc tế Lao động: 1 May.
//! - Quốc khánh: 2 September and one adjacent day, chosen by [`national_day_adjacent_day`].
//! - Nghỉ bù: a holiday on a Saturday or Sunday, or on a day that is already a holiday, is
//!   made up on the next working day (Mon–Fri, not a holiday, not already a made-up day).

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::lunar::{check_supported_year, solar_to_lunar, UtcOffset};
use super::{hung_kings_day, tet, CalendarError};

/// A day off for everyone in the office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name_vi: String,
    pub name_en: String,
    pub kind: HolidayKind,
}

/// Where a holiday comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolidayKind {
    /// A day named by the Labour Code, on its default date.
    Statutory,
    /// A day off that makes up for a holiday on a weekend (nghỉ bù).
    Compensatory,
    /// A day an administrator declared a holiday for the year.
    Declared,
}

/// A holiday an administrator adds for one year, such as a Tết day the Prime Minister moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedHoliday {
    pub date: NaiveDate,
    pub name_vi: String,
    pub name_en: String,
}

/// Whether a year starts from the computed statutory holidays or only from the added ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DefaultHolidays {
    /// Start from the computed holidays and compensatory days, then remove and add.
    #[default]
    Keep,
    /// Ignore the computed holidays: the year's holidays are exactly the added ones.
    Replace,
}

/// An administrator's changes to one year's calendar.
///
/// The year's holidays are the computed defaults (unless `default_holidays` is
/// [`DefaultHolidays::Replace`]), less every day in `removed_holidays` (whatever produced it,
/// compensatory days included; a day that is not a holiday is ignored), with `added_holidays`
/// on top (an added day replaces any holiday on the same date). `working_weekend_days` are
/// Saturdays or Sundays worked to bridge a gap (ngày làm bù); they must not be holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearOverrides {
    pub default_holidays: DefaultHolidays,
    pub added_holidays: Vec<AddedHoliday>,
    pub removed_holidays: Vec<NaiveDate>,
    pub working_weekend_days: Vec<NaiveDate>,
}

impl YearOverrides {
    /// Checks that every date is in `year` and that declared working days fall on a weekend.
    pub(super) fn check(&self, year: i32) -> Result<(), CalendarError> {
        check_supported_year(year)?;
        let dates = self
            .added_holidays
            .iter()
            .map(|added| added.date)
            .chain(self.removed_holidays.iter().copied())
            .chain(self.working_weekend_days.iter().copied());
        for date in dates {
            if date.year() != year {
                return Err(CalendarError::OverrideDateInAnotherYear { year, date });
            }
        }
        if let Some(&date) = self
            .working_weekend_days
            .iter()
            .find(|date| !is_weekend(**date))
        {
            return Err(CalendarError::DeclaredWorkingDayIsNotWeekend { date });
        }
        Ok(())
    }

    /// The year's holidays once the overrides are applied to `computed`, sorted by date.
    pub(super) fn apply(&self, computed: Vec<Holiday>) -> Result<Vec<Holiday>, CalendarError> {
        let mut holidays = match self.default_holidays {
            DefaultHolidays::Keep => computed,
            DefaultHolidays::Replace => Vec::new(),
        };
        holidays.retain(|holiday| {
            !self.removed_holidays.contains(&holiday.date)
                && !self
                    .added_holidays
                    .iter()
                    .any(|added| added.date == holiday.date)
        });
        holidays.extend(self.added_holidays.iter().map(|added| Holiday {
            date: added.date,
            name_vi: added.name_vi.clone(),
            name_en: added.name_en.clone(),
            kind: HolidayKind::Declared,
        }));
        holidays.sort_by_key(|holiday| holiday.date);
        if let Some(&date) = self
            .working_weekend_days
            .iter()
            .find(|date| holidays.iter().any(|holiday| holiday.date == **date))
        {
            return Err(CalendarError::DeclaredWorkingDayIsHoliday { date });
        }
        Ok(holidays)
    }
}

/// The holidays the Labour Code gives in `year`, on their default dates, with the compensatory
/// days, sorted by date. See the module documentation for the defaults.
pub fn statutory_holidays(year: i32) -> Result<Vec<Holiday>, CalendarError> {
    check_supported_year(year)?;
    let on = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    let (Some(new_year), Some(victory_day), Some(labour_day), Some(national_day)) =
        (on(1, 1), on(4, 30), on(5, 1), on(9, 2))
    else {
        return Err(CalendarError::YearOutOfRange { year });
    };
    let lunar_new_year = tet(year)?;
    let lunar_new_years_eve = lunar_new_year
        .pred_opt()
        .ok_or(CalendarError::YearOutOfRange { year })?;
    let last_day_of_old_year = solar_to_lunar(lunar_new_years_eve, UtcOffset::VIETNAM)?.day;

    let tet_day = |day_of_tet: u64| {
        lunar_new_year
            .checked_add_days(Days::new(day_of_tet - 1))
            .ok_or(CalendarError::YearOutOfRange { year })
    };
    let mut days = vec![
        Occasion::NewYear.on(new_year),
        Occasion::LunarNewYear.named(
            lunar_new_years_eve,
            format!("Tết Nguyên đán ({last_day_of_old_year} Tết)"),
            "Lunar New Year's Eve".to_owned(),
        ),
    ];
    for day_of_tet in 1..=4u64 {
        days.push(Occasion::LunarNewYear.named(
            tet_day(day_of_tet)?,
            format!("Tết Nguyên đán (mùng {day_of_tet})"),
            format!("Lunar New Year (day {day_of_tet})"),
        ));
    }
    days.push(Occasion::HungKings.on(hung_kings_day(year)?));
    days.push(Occasion::VictoryDay.on(victory_day));
    days.push(Occasion::LabourDay.on(labour_day));
    days.push(Occasion::NationalDay.on(national_day));
    days.push(Occasion::NationalDay.named(
        national_day_adjacent_day(year)?,
        "Quốc khánh (ngày liền kề)".to_owned(),
        "National Day (adjacent day)".to_owned(),
    ));
    days.sort_by_key(|(_, holiday)| holiday.date);
    let compensatory_days = compensatory_days(&days);
    let mut holidays: Vec<Holiday> = days.into_iter().map(|(_, holiday)| holiday).collect();
    holidays.extend(compensatory_days);
    holidays.sort_by_key(|holiday| holiday.date);
    Ok(holidays)
}

/// The second day off for Quốc khánh. The law says "the day before or after 2 September" and
/// the Prime Minister picks; the default follows the picks of 2021–2026: 1 September, unless
/// that is a weekend day (2 September on a Sunday or Monday) or 3 September is a Friday
/// (2 September on a Thursday), in which case 3 September.
pub fn national_day_adjacent_day(year: i32) -> Result<NaiveDate, CalendarError> {
    check_supported_year(year)?;
    let on = |day| NaiveDate::from_ymd_opt(year, 9, day);
    let (Some(day_before), Some(national_day), Some(day_after)) = (on(1), on(2), on(3)) else {
        return Err(CalendarError::YearOutOfRange { year });
    };
    let adjacent = match national_day.weekday() {
        Weekday::Sun | Weekday::Mon | Weekday::Thu => day_after,
        _ => day_before,
    };
    Ok(adjacent)
}

/// The occasions the Labour Code names; a compensatory day carries its occasion's name.
#[derive(Debug, Clone, Copy)]
enum Occasion {
    NewYear,
    LunarNewYear,
    HungKings,
    VictoryDay,
    LabourDay,
    NationalDay,
}

impl Occasion {
    /// The Vietnamese and English names of the occasion.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Occasion::NewYear => ("Tết Dương lịch", "New Year's Day"),
            Occasion::LunarNewYear => ("Tết Nguyên đán", "Lunar New Year"),
            Occasion::HungKings => ("Giỗ Tổ Hùng Vương", "Hung Kings' Commemoration Day"),
            Occasion::VictoryDay => ("Ngày Chiến thắng", "Victory Day"),
            Occasion::LabourDay => ("Ngày Quốc tế Lao động", "International Labour Day"),
            Occasion::NationalDay => ("Quốc khánh", "National Day"),
        }
    }

    /// The statutory day of the occasion on `date`, under the occasion's own name.
    fn on(self, date: NaiveDate) -> (Occasion, Holiday) {
        let (name_vi, name_en) = self.names();
        self.named(date, name_vi.to_owned(), name_en.to_owned())
    }

    /// One of several statutory days of the occasion, under a name that tells them apart.
    fn named(self, date: NaiveDate, name_vi: String, name_en: String) -> (Occasion, Holiday) {
        let holiday = Holiday {
            date,
            name_vi,
            name_en,
            kind: HolidayKind::Statutory,
        };
        (self, holiday)
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The days off that make up for holidays on a weekend or on another holiday, given the
/// statutory days sorted by date. Each goes to the first later weekday that is neither a
/// holiday nor already a compensatory day, so 30 April and 1 May on a weekend become the next
/// Monday and Tuesday.
fn compensatory_days(days: &[(Occasion, Holiday)]) -> Vec<Holiday> {
    let is_holiday = |date: NaiveDate| days.iter().any(|(_, holiday)| holiday.date == date);
    let mut compensatory: Vec<Holiday> = Vec::new();
    for (position, (occasion, holiday)) in days.iter().enumerate() {
        let shares_its_day = days[..position]
            .iter()
            .any(|(_, earlier)| earlier.date == holiday.date);
        if !is_weekend(holiday.date) && !shares_its_day {
            continue;
        }
        let is_free = |date: NaiveDate| {
            !is_weekend(date)
                && !is_holiday(date)
                && !compensatory.iter().any(|day: &Holiday| day.date == date)
        };
        let Some(date) = holiday.date.iter_days().skip(1).find(|&date| is_free(date)) else {
            continue;
        };
        let (name_vi, name_en) = occasion.names();
        compensatory.push(Holiday {
            date,
            name_vi: format!("Nghỉ bù {name_vi}"),
            name_en: format!("Compensatory day off for {name_en}"),
            kind: HolidayKind::Compensatory,
        });
    }
    compensatory
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn dates(holidays: &[Holiday]) -> Vec<NaiveDate> {
        holidays.iter().map(|holiday| holiday.date).collect()
    }

    #[test]
    fn holidays_of_2026_follow_the_labour_code_defaults() {
        let holidays = statutory_holidays(2026).unwrap();
        let listed: Vec<(NaiveDate, &str, HolidayKind)> = holidays
            .iter()
            .map(|holiday| (holiday.date, holiday.name_vi.as_str(), holiday.kind))
            .collect();
        use HolidayKind::{Compensatory, Statutory};
        assert_eq!(
            listed,
            [
                (date(2026, 1, 1), "Tết Dương lịch", Statutory),
                (date(2026, 2, 16), "Tết Nguyên đán (29 Tết)", Statutory),
                (date(2026, 2, 17), "Tết Nguyên đán (mùng 1)", Statutory),
                (date(2026, 2, 18), "Tết Nguyên đán (mùng 2)", Statutory),
                (date(2026, 2, 19), "Tết Nguyên đán (mùng 3)", Statutory),
                (date(2026, 2, 20), "Tết Nguyên đán (mùng 4)", Statutory),
                (date(2026, 4, 26), "Giỗ Tổ Hùng Vương", Statutory),
                (date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương", Compensatory),
                (date(2026, 4, 30), "Ngày Chiến thắng", Statutory),
                (date(2026, 5, 1), "Ngày Quốc tế Lao động", Statutory),
                (date(2026, 9, 1), "Quốc khánh (ngày liền kề)", Statutory),
                (date(2026, 9, 2), "Quốc khánh", Statutory),
            ]
        );
    }

    #[test]
    fn every_holiday_has_a_vietnamese_and_an_english_name() {
        for year in [1900, 2023, 2024, 2100] {
            for holiday in statutory_holidays(year).unwrap() {
                assert!(!holiday.name_vi.is_empty() && !holiday.name_en.is_empty());
            }
        }
        let holidays = statutory_holidays(2024).unwrap();
        assert_eq!(holidays[1].name_vi, "Tết Nguyên đán (30 Tết)");
        assert_eq!(holidays[1].name_en, "Lunar New Year's Eve");
        assert_eq!(holidays[2].name_en, "Lunar New Year (day 1)");
    }

    #[test]
    fn holidays_on_a_weekend_or_on_another_holiday_are_made_up_on_the_next_working_day() {
        let cases = [
            // New Year on a Saturday and on a Sunday.
            (
                2022,
                date(2022, 1, 1),
                date(2022, 1, 3),
                "Nghỉ bù Tết Dương lịch",
            ),
            (
                2023,
                date(2023, 1, 1),
                date(2023, 1, 2),
                "Nghỉ bù Tết Dương lịch",
            ),
            // 30 April on a Saturday and 1 May on a Sunday: Monday and Tuesday.
            (
                2022,
                date(2022, 4, 30),
                date(2022, 5, 2),
                "Nghỉ bù Ngày Chiến thắng",
            ),
            (
                2022,
                date(2022, 5, 1),
                date(2022, 5, 3),
                "Nghỉ bù Ngày Quốc tế Lao động",
            ),
            // Giỗ Tổ on Saturday 29 April 2023 queues behind 30 April and 1 May.
            (
                2023,
                date(2023, 4, 29),
                date(2023, 5, 2),
                "Nghỉ bù Giỗ Tổ Hùng Vương",
            ),
            (
                2023,
                date(2023, 4, 30),
                date(2023, 5, 3),
                "Nghỉ bù Ngày Chiến thắng",
            ),
            // Tết 2024: Saturday and Sunday are mùng 1 and mùng 2, made up after mùng 4.
            (
                2024,
                date(2024, 2, 10),
                date(2024, 2, 14),
                "Nghỉ bù Tết Nguyên đán",
            ),
            (
                2024,
                date(2024, 2, 11),
                date(2024, 2, 15),
                "Nghỉ bù Tết Nguyên đán",
            ),
            // 2 September 2023 is a Saturday: 1 September is the adjacent day, 4 September
            // makes up for the Saturday.
            (
                2023,
                date(2023, 9, 2),
                date(2023, 9, 4),
                "Nghỉ bù Quốc khánh",
            ),
            // Giỗ Tổ fell on 30 April in 1947, a Wednesday: the doubled day is made up on the
            // Friday, after 1 May.
            (
                1947,
                date(1947, 4, 30),
                date(1947, 5, 2),
                "Nghỉ bù Ngày Chiến thắng",
            ),
        ];
        for (year, holiday_on_weekend, made_up_on, name) in cases {
            let holidays = statutory_holidays(year).unwrap();
            assert!(dates(&holidays).contains(&holiday_on_weekend));
            let made_up = holidays
                .iter()
                .find(|holiday| holiday.date == made_up_on)
                .unwrap_or_else(|| panic!("no day off on {made_up_on}"));
            assert_eq!(made_up.kind, HolidayKind::Compensatory);
            assert_eq!(made_up.name_vi, name, "{made_up_on}");
            assert!(made_up.name_en.starts_with("Compensatory day off for "));
        }
    }

    #[test]
    fn tet_2025_keeps_its_eve_and_four_days_and_makes_up_the_saturday() {
        let early_2025: Vec<(NaiveDate, HolidayKind)> = statutory_holidays(2025)
            .unwrap()
            .into_iter()
            .filter(|holiday| holiday.date < date(2025, 3, 1))
            .map(|holiday| (holiday.date, holiday.kind))
            .collect();
        use HolidayKind::{Compensatory, Statutory};
        assert_eq!(
            early_2025,
            [
                (date(2025, 1, 1), Statutory),
                (date(2025, 1, 28), Statutory),
                (date(2025, 1, 29), Statutory),
                (date(2025, 1, 30), Statutory),
                (date(2025, 1, 31), Statutory),
                (date(2025, 2, 1), Statutory),
                (date(2025, 2, 3), Compensatory),
            ]
        );
    }

    #[test]
    fn national_day_adjacent_day_follows_the_prime_ministers_recent_picks() {
        let cases = [
            (2021, date(2021, 9, 3)), // Thursday: Friday joins the weekend.
            (2022, date(2022, 9, 1)), // Friday.
            (2023, date(2023, 9, 1)), // Saturday.
            (2024, date(2024, 9, 3)), // Monday: 1 September is a Sunday.
            (2025, date(2025, 9, 1)), // Tuesday: Monday joins the weekend.
            (2026, date(2026, 9, 1)), // Wednesday.
            (2029, date(2029, 9, 3)), // Sunday.
        ];
        for (year, expected) in cases {
            assert_eq!(national_day_adjacent_day(year), Ok(expected), "{year}");
        }
    }

    #[test]
    fn every_year_has_eleven_statutory_days_and_no_weekend_compensation() {
        for year in 1900..=2100 {
            let holidays = statutory_holidays(year).unwrap();
            let statutory = holidays
                .iter()
                .filter(|holiday| holiday.kind == HolidayKind::Statutory)
                .count();
            assert_eq!(statutory, 11, "{year}");
            for holiday in &holidays {
                assert_eq!(holiday.date.year(), year);
                if holiday.kind == HolidayKind::Compensatory {
                    assert!(!is_weekend(holiday.date), "{}", holiday.date);
                }
            }
            let mut sorted = dates(&holidays);
            sorted.sort();
            assert_eq!(sorted, dates(&holidays), "{year} is sorted");
        }
    }

    #[test]
    fn statutory_holidays_outside_1900_to_2100_are_refused() {
        for year in [i32::MIN, 1899, 2101, i32::MAX] {
            assert_eq!(
                statutory_holidays(year),
                Err(CalendarError::YearOutOfRange { year })
            );
            assert_eq!(
                national_day_adjacent_day(year),
                Err(CalendarError::YearOutOfRange { year })
            );
        }
    }

    #[test]
    fn overrides_remove_add_and_replace_holidays() {
        let computed = statutory_holidays(2024).unwrap();
        let added = AddedHoliday {
            date: date(2024, 2, 8),
            name_vi: "Tết Nguyên đán (29 Tết)".to_owned(),
            name_en: "Lunar New Year (29th day of the 12th month)".to_owned(),
        };
        let moved_tet = YearOverrides {
            added_holidays: vec![added.clone()],
            removed_holidays: vec![date(2024, 2, 15), date(2024, 6, 3)],
            ..YearOverrides::default()
        };
        let holidays = moved_tet.apply(computed.clone()).unwrap();
        assert!(dates(&holidays).contains(&date(2024, 2, 8)));
        assert!(!dates(&holidays).contains(&date(2024, 2, 15)));
        assert_eq!(holidays.len(), computed.len());
        let declared = holidays
            .iter()
            .find(|h| h.date == date(2024, 2, 8))
            .unwrap();
        assert_eq!(declared.kind, HolidayKind::Declared);

        let only_added = YearOverrides {
            default_holidays: DefaultHolidays::Replace,
            added_holidays: vec![added],
            ..YearOverrides::default()
        };
        assert_eq!(
            dates(&only_added.apply(computed).unwrap()),
            [date(2024, 2, 8)]
        );
    }

    #[test]
    fn overrides_that_contradict_themselves_are_refused() {
        let cases = [
            (
                YearOverrides {
                    removed_holidays: vec![date(2025, 1, 1)],
                    ..YearOverrides::default()
                },
                CalendarError::OverrideDateInAnotherYear {
                    year: 2024,
                    date: date(2025, 1, 1),
                },
            ),
            (
                YearOverrides {
                    working_weekend_days: vec![date(2024, 5, 6)],
                    ..YearOverrides::default()
                },
                CalendarError::DeclaredWorkingDayIsNotWeekend {
                    date: date(2024, 5, 6),
                },
            ),
        ];
        for (overrides, error) in cases {
            assert_eq!(overrides.check(2024), Err(error));
        }
        let saturday_holiday = YearOverrides {
            working_weekend_days: vec![date(2024, 2, 10)],
            ..YearOverrides::default()
        };
        assert_eq!(saturday_holiday.check(2024), Ok(()));
        assert_eq!(
            saturday_holiday.apply(statutory_holidays(2024).unwrap()),
            Err(CalendarError::DeclaredWorkingDayIsHoliday {
                date: date(2024, 2, 10)
            })
        );
    }
}
