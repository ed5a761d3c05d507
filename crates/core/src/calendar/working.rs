//! The working calendar: which days the office works, and deadline arithmetic in working days.
//!
//! A day is a working day when it is a Monday to Friday that is not a holiday, or a Saturday or
//! Sunday an administrator declared worked (ngày làm bù). The calendar is built once for a span
//! of years into one bit per day plus a running count of working days per 64-day word, so
//! counting n working days forward or back is a few word operations, whatever n is.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate, Weekday};

use super::holidays::{statutory_holidays, Holiday, YearOverrides};
use super::lunar::check_supported_year;
use super::{CalendarError, FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR};

/// The office's working days over a span of years, with each year's holidays and the
/// administrator's overrides applied. Pure data: build it again when the overrides change.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    years: RangeInclusive<i32>,
    first_day: NaiveDate,
    last_day: NaiveDate,
    /// `first_day.num_days_from_ce()`, to turn a date into a bit position.
    first_day_number: i32,
    /// One bit per day from `first_day`, set on working days, with one spare word at the end
    /// so the count up to the day after `last_day` needs no special case.
    working_days: Vec<u64>,
    /// How many working days come before each word of `working_days` (one more entry than
    /// words: the last is the total).
    working_days_before_word: Vec<u32>,
    /// Each year's holidays, sorted by date, indexed from the first year.
    holidays_by_year: Vec<Vec<Holiday>>,
}

impl WorkingCalendar {
    /// The calendar for every supported year, 1900 to 2100, with the given overrides. Building
    /// it computes 201 years of lunar dates and takes a few milliseconds: build it once and
    /// share it.
    pub fn new(overrides: &BTreeMap<i32, YearOverrides>) -> Result<Self, CalendarError> {
        Self::for_years(FIRST_SUPPORTED_YEAR..=LAST_SUPPORTED_YEAR, overrides)
    }

    /// The calendar for the given years only. Overrides are all checked, but those for years
    /// outside the span are not used.
    pub fn for_years(
        years: RangeInclusive<i32>,
        overrides: &BTreeMap<i32, YearOverrides>,
    ) -> Result<Self, CalendarError> {
        // Rebuilt so that a range already iterated over still yields every year.
        let (first_year, last_year) = (*years.start(), *years.end());
        let years = first_year..=last_year;
        check_supported_year(first_year)?;
        check_supported_year(last_year)?;
        if last_year < first_year {
            return Err(CalendarError::YearOutOfRange { year: last_year });
        }
        for (&year, year_overrides) in overrides {
            year_overrides.check(year)?;
        }
        let out_of_range = |year| CalendarError::YearOutOfRange { year };
        let first_day =
            NaiveDate::from_ymd_opt(first_year, 1, 1).ok_or(out_of_range(first_year))?;
        let last_day = NaiveDate::from_ymd_opt(last_year, 12, 31).ok_or(out_of_range(last_year))?;
        let first_day_number = first_day.num_days_from_ce();
        let day_count = usize::try_from(last_day.num_days_from_ce() - first_day_number + 1)
            .map_err(|_| out_of_range(last_year))?;

        let mut working_days = vec![0u64; day_count / 64 + 1];
        for (position, day) in first_day.iter_days().take(day_count).enumerate() {
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                working_days[position / 64] |= 1u64 << (position % 64);
            }
        }
        let position_of = |date: NaiveDate| (date.num_days_from_ce() - first_day_number) as usize;
        let mut holidays_by_year = Vec::with_capacity(day_count / 365 + 1);
        for year in years.clone() {
            let computed = statutory_holidays(year)?;
            let no_overrides = YearOverrides::default();
            let year_overrides = overrides.get(&year).unwrap_or(&no_overrides);
            let holidays = year_overrides.apply(computed)?;
            for holiday in &holidays {
                let position = position_of(holiday.date);
                working_days[position / 64] &= !(1u64 << (position % 64));
            }
            for &date in &year_overrides.working_weekend_days {
                let position = position_of(date);
                working_days[position / 64] |= 1u64 << (position % 64);
            }
            holidays_by_year.push(holidays);
        }

        let mut working_days_before_word = Vec::with_capacity(working_days.len() + 1);
        let mut running_count = 0u32;
        working_days_before_word.push(running_count);
        for word in &working_days {
            running_count += word.count_ones();
            working_days_before_word.push(running_count);
        }
        Ok(WorkingCalendar {
            years,
            first_day,
            last_day,
            first_day_number,
            working_days,
            working_days_before_word,
            holidays_by_year,
        })
    }

    /// The years this calendar answers for.
    pub fn years(&self) -> RangeInclusive<i32> {
        self.years.clone()
    }

    /// Whether the office works on `date`.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let position = self.position(date)?;
        Ok(self.working_days[position / 64] & (1u64 << (position % 64)) != 0)
    }

    /// The holidays of `year`, sorted by date: statutory, compensatory and declared ones,
    /// including those that fall on a weekend.
    pub fn holidays(&self, year: i32) -> Result<&[Holiday], CalendarError> {
        let index = year
            .checked_sub(*self.years.start())
            .and_then(|index| usize::try_from(index).ok());
        match index.and_then(|index| self.holidays_by_year.get(index)) {
            Some(holidays) => Ok(holidays.as_slice()),
            None => Err(CalendarError::YearOutOfRange { year }),
        }
    }

    /// The holiday on `date`, if there is one.
    pub fn holiday_on(&self, date: NaiveDate) -> Result<Option<&Holiday>, CalendarError> {
        self.position(date)?;
        let holidays = self.holidays(date.year())?;
        Ok(holidays.iter().find(|holiday| holiday.date == date))
    }

    /// The date `working_days` working days after `date`, the way deadlines are counted: the
    /// day of `date` itself is not counted, the first working day after it is day 1. So a
    /// five-working-day deadline from a Friday ends on the next Friday, and from a Saturday it
    /// ends on the next Friday too.
    ///
    /// With `working_days == 0` the answer is `date` when it is a working day, else the next
    /// working day. A negative count goes back: the `-working_days`th working day before `date`.
    pub fn add_working_days(
        &self,
        date: NaiveDate,
        working_days: i32,
    ) -> Result<NaiveDate, CalendarError> {
        let position = self.position(date)?;
        // Working days are numbered 0, 1, 2, ... from `first_day`; find the wanted number.
        let wanted = if working_days > 0 {
            i64::from(self.working_days_before(position + 1)) + i64::from(working_days) - 1
        } else {
            i64::from(self.working_days_before(position)) + i64::from(working_days)
        };
        let leaves_calendar = CalendarError::CountLeavesCalendar { date, working_days };
        let Some(found) = u32::try_from(wanted)
            .ok()
            .and_then(|wanted| self.working_day_numbered(wanted))
        else {
            return Err(leaves_calendar);
        };
        NaiveDate::from_num_days_from_ce_opt(self.first_day_number + found as i32)
            .ok_or(leaves_calendar)
    }

    /// How many working days come after `from`, up to and including `to`; negative when `to`
    /// is before `from`. It undoes [`add_working_days`](Self::add_working_days): when `to` is a
    /// working day after `from`, `add_working_days(from, working_days_between(from, to)) == to`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i32, CalendarError> {
        let from = self.working_days_before(self.position(from)? + 1);
        let to = self.working_days_before(self.position(to)? + 1);
        Ok(to as i32 - from as i32)
    }

    /// The bit position of `date`, if the calendar covers it.
    fn position(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        if date < self.first_day || date > self.last_day {
            return Err(CalendarError::DateOutOfRange {
                date,
                first: self.first_day,
                last: self.last_day,
            });
        }
        Ok((date.num_days_from_ce() - self.first_day_number) as usize)
    }

    /// How many working days come before the day at `position`.
    fn working_days_before(&self, position: usize) -> u32 {
        let (word, bit) = (position / 64, position % 64);
        let earlier_bits = self.working_days[word] & ((1u64 << bit) - 1);
        self.working_days_before_word[word] + earlier_bits.count_ones()
    }

    /// The position of the working day numbered `number` (0 for the first), if there is one.
    fn working_day_numbered(&self, number: u32) -> Option<u32> {
        // The last word whose running count does not pass `number` holds the day.
        let word = self
            .working_days_before_word
            .partition_point(|&before| before <= number)
            .checked_sub(1)?;
        let mut bits = *self.working_days.get(word)?;
        for _ in 0..number - self.working_days_before_word[word] {
            bits &= bits - 1;
        }
        (bits != 0).then(|| word as u32 * 64 + bits.trailing_zeros())
    }
}

#[cfg(test)]
mod tests {
    use super::super::holidays::{AddedHoliday, DefaultHolidays, HolidayKind};
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn calendar_for(years: RangeInclusive<i32>) -> WorkingCalendar {
        WorkingCalendar::for_years(years, &BTreeMap::new()).unwrap()
    }

    /// The overrides an administrator would enter for 2024 after the Prime Minister's
    /// announcement: Tết from Thursday 8 to Wednesday 14 February (the five statutory days
    /// being 8, 9, 12, 13 and 14 February), and 29 April off in exchange for Saturday 4 May.
    fn overrides_for_2024() -> BTreeMap<i32, YearOverrides> {
        let tet_day = |day| AddedHoliday {
            date: date(2024, 2, day),
            name_vi: "Tết Nguyên đán".to_owned(),
            name_en: "Lunar New Year".to_owned(),
        };
        let year_overrides = YearOverrides {
            default_holidays: DefaultHolidays::Keep,
            added_holidays: vec![
                tet_day(8),
                AddedHoliday {
                    date: date(2024, 4, 29),
                    name_vi: "Nghỉ hoán đổi".to_owned(),
                    name_en: "Swapped day off".to_owned(),
                },
            ],
            removed_holidays: vec![date(2024, 2, 15)],
            working_weekend_days: vec![date(2024, 5, 4)],
        };
        BTreeMap::from([(2024, year_overrides)])
    }

    #[test]
    fn deadline_skips_tet_holidays() {
        let calendar = calendar_for(2026..=2026);
        // Friday 13 February 2026, then Tết from Monday 16 to Friday 20 February.
        let cases = [
            (date(2026, 2, 13), 1, date(2026, 2, 23)),
            (date(2026, 2, 13), 5, date(2026, 2, 27)),
            (date(2026, 2, 12), 2, date(2026, 2, 23)),
            (date(2026, 2, 17), 0, date(2026, 2, 23)),
            (date(2026, 2, 23), -1, date(2026, 2, 13)),
        ];
        for (from, working_days, expected) in cases {
            assert_eq!(
                calendar.add_working_days(from, working_days),
                Ok(expected),
                "{working_days} working days from {from}"
            );
        }
    }

    #[test]
    fn counting_starts_on_the_next_working_day() {
        let calendar = calendar_for(2025..=2025);
        let cases = [
            // Wednesday 4 June 2025, an ordinary week.
            (date(2025, 6, 4), 0, date(2025, 6, 4)),
            (date(2025, 6, 4), 1, date(2025, 6, 5)),
            (date(2025, 6, 4), 2, date(2025, 6, 6)),
            (date(2025, 6, 4), 3, date(2025, 6, 9)),
            // Friday, Saturday and Sunday all count from the Monday.
            (date(2025, 6, 6), 1, date(2025, 6, 9)),
            (date(2025, 6, 7), 1, date(2025, 6, 9)),
            (date(2025, 6, 8), 1, date(2025, 6, 9)),
            (date(2025, 6, 6), 5, date(2025, 6, 13)),
            (date(2025, 6, 7), 5, date(2025, 6, 13)),
            // Zero on a weekend gives the next working day.
            (date(2025, 6, 7), 0, date(2025, 6, 9)),
            // Backwards.
            (date(2025, 6, 9), -1, date(2025, 6, 6)),
            (date(2025, 6, 8), -1, date(2025, 6, 6)),
            (date(2025, 6, 9), -5, date(2025, 6, 2)),
        ];
        for (from, working_days, expected) in cases {
            assert_eq!(
                calendar.add_working_days(from, working_days),
                Ok(expected),
                "{working_days} working days from {from}"
            );
        }
    }

    #[test]
    fn deadline_skips_the_april_and_may_holidays_and_their_compensatory_days() {
        let calendar = calendar_for(2023..=2023);
        // 29 April (Giỗ Tổ, Saturday), 30 April (Sunday), 1 May (Monday), made up on 2 and 3 May.
        assert_eq!(
            calendar.add_working_days(date(2023, 4, 28), 1),
            Ok(date(2023, 5, 4))
        );
        for day in [date(2023, 5, 1), date(2023, 5, 2), date(2023, 5, 3)] {
            assert_eq!(calendar.is_working_day(day), Ok(false), "{day}");
        }
    }

    #[test]
    fn deadline_crosses_into_the_next_year() {
        let calendar = calendar_for(2025..=2026);
        // Wednesday 31 December 2025; 1 January 2026 is Thursday.
        assert_eq!(
            calendar.add_working_days(date(2025, 12, 31), 1),
            Ok(date(2026, 1, 2))
        );
        assert_eq!(
            calendar.add_working_days(date(2026, 1, 2), -2),
            Ok(date(2025, 12, 30))
        );
    }

    #[test]
    fn overrides_move_holidays_and_declare_working_saturdays() {
        let calendar = WorkingCalendar::for_years(2024..=2024, &overrides_for_2024()).unwrap();
        let cases = [
            (date(2024, 2, 7), true),
            (date(2024, 2, 8), false),
            (date(2024, 2, 14), false),
            (date(2024, 2, 15), true),
            (date(2024, 4, 29), false),
            (date(2024, 5, 4), true),
            (date(2024, 5, 5), false),
        ];
        for (day, working) in cases {
            assert_eq!(calendar.is_working_day(day), Ok(working), "{day}");
        }
        let declared = calendar.holiday_on(date(2024, 4, 29)).unwrap().unwrap();
        assert_eq!(declared.kind, HolidayKind::Declared);
        assert_eq!(calendar.holiday_on(date(2024, 2, 15)), Ok(None));
        // From Friday 3 May: the declared working Saturday is day 1.
        assert_eq!(
            calendar.add_working_days(date(2024, 5, 3), 1),
            Ok(date(2024, 5, 4))
        );
    }

    #[test]
    fn replacing_the_defaults_leaves_only_the_added_holidays() {
        let only_new_year = YearOverrides {
            default_holidays: DefaultHolidays::Replace,
            added_holidays: vec![AddedHoliday {
                date: date(2027, 1, 1),
                name_vi: "Tết Dương lịch".to_owned(),
                name_en: "New Year's Day".to_owned(),
            }],
            ..YearOverrides::default()
        };
        let overrides = BTreeMap::from([(2027, only_new_year)]);
        let calendar = WorkingCalendar::for_years(2027..=2027, &overrides).unwrap();
        let holidays = calendar.holidays(2027).unwrap();
        assert_eq!(holidays.len(), 1);
        assert_eq!(calendar.is_working_day(date(2027, 2, 8)), Ok(true));
    }

    #[test]
    fn holidays_are_listed_by_date_for_each_year() {
        let calendar = calendar_for(2024..=2026);
        for year in 2024..=2026 {
            let holidays = calendar.holidays(year).unwrap();
            assert_eq!(holidays, statutory_holidays(year).unwrap().as_slice());
            assert!(holidays.windows(2).all(|pair| pair[0].date <= pair[1].date));
        }
        for year in [i32::MIN, 2023, 2027, i32::MAX] {
            assert_eq!(
                calendar.holidays(year),
                Err(CalendarError::YearOutOfRange { year })
            );
        }
    }

    #[test]
    fn working_days_between_undoes_add_working_days() {
        let calendar = calendar_for(2023..=2026);
        let mut from = date(2023, 2, 1);
        while from < date(2026, 6, 1) {
            for working_days in [1, 2, 5, 7, 10, 15, 20, 30, 45, 60] {
                let to = calendar.add_working_days(from, working_days).unwrap();
                assert_eq!(calendar.is_working_day(to), Ok(true));
                assert_eq!(
                    calendar.working_days_between(from, to),
                    Ok(working_days),
                    "{working_days} from {from}"
                );
                assert_eq!(
                    calendar.working_days_between(to, from),
                    Ok(-working_days),
                    "{working_days} from {from}"
                );
                // Going back lands on the last working day on or before `from`.
                let back = calendar.add_working_days(to, -working_days).unwrap();
                assert!(back <= from, "{working_days} back from {to}");
                assert_eq!(calendar.is_working_day(back), Ok(true));
                assert_eq!(calendar.working_days_between(back, from), Ok(0));
            }
            if calendar.is_working_day(from).unwrap() {
                assert_eq!(calendar.add_working_days(from, 0), Ok(from));
            }
            from = from.succ_opt().unwrap();
        }
    }

    #[test]
    fn add_working_days_agrees_with_counting_one_day_at_a_time() {
        let calendar = calendar_for(2020..=2030);
        let step_by_step = |from: NaiveDate, working_days: i32| {
            let mut day = from;
            if working_days == 0 {
                while !calendar.is_working_day(day).unwrap() {
                    day = day.succ_opt().unwrap();
                }
                return day;
            }
            let mut remaining = working_days.abs();
            while remaining > 0 {
                day = if working_days > 0 {
                    day.succ_opt().unwrap()
                } else {
                    day.pred_opt().unwrap()
                };
                if calendar.is_working_day(day).unwrap() {
                    remaining -= 1;
                }
            }
            day
        };
        let mut from = date(2021, 1, 1);
        while from < date(2029, 1, 1) {
            for working_days in [-70, -64, -63, -1, 0, 1, 63, 64, 65, 130] {
                assert_eq!(
                    calendar.add_working_days(from, working_days),
                    Ok(step_by_step(from, working_days)),
                    "{working_days} from {from}"
                );
            }
            from = from.checked_add_days(chrono::Days::new(3)).unwrap();
        }
    }

    #[test]
    fn counts_that_leave_the_calendar_are_refused() {
        let calendar = calendar_for(2025..=2025);
        let cases = [
            (date(2025, 12, 31), 1),
            (date(2025, 1, 2), -1),
            (date(2025, 6, 1), i32::MAX),
            (date(2025, 6, 1), i32::MIN),
        ];
        for (from, working_days) in cases {
            assert_eq!(
                calendar.add_working_days(from, working_days),
                Err(CalendarError::CountLeavesCalendar {
                    date: from,
                    working_days
                })
            );
        }
        assert!(matches!(
            calendar.is_working_day(date(2026, 1, 1)),
            Err(CalendarError::DateOutOfRange { .. })
        ));
        assert!(matches!(
            calendar.working_days_between(date(2024, 12, 31), date(2025, 1, 5)),
            Err(CalendarError::DateOutOfRange { .. })
        ));
    }

    #[test]
    fn the_full_calendar_covers_1900_to_2100() {
        let calendar = WorkingCalendar::new(&BTreeMap::new()).unwrap();
        assert_eq!(calendar.years(), 1900..=2100);
        assert_eq!(
            calendar.add_working_days(date(1900, 1, 1), 0),
            Ok(date(1900, 1, 2))
        );
        assert_eq!(
            calendar.add_working_days(date(2100, 12, 31), 0),
            Ok(date(2100, 12, 31))
        );
        assert_eq!(
            calendar.working_days_between(date(2024, 1, 1), date(2024, 12, 31)),
            // 104 weekend days and 11 holidays on weekdays.
            Ok(366 - 104 - 11)
        );
    }

    #[test]
    fn year_spans_outside_1900_to_2100_are_refused() {
        let no_overrides = BTreeMap::new();
        let backwards = RangeInclusive::new(2030, 2020);
        for years in [1899..=1950, 2000..=2101, backwards] {
            assert!(WorkingCalendar::for_years(years.clone(), &no_overrides).is_err());
        }
        let misplaced = BTreeMap::from([(
            2024,
            YearOverrides {
                working_weekend_days: vec![date(2023, 12, 30)],
                ..YearOverrides::default()
            },
        )]);
        assert_eq!(
            WorkingCalendar::for_years(2024..=2024, &misplaced).err(),
            Some(CalendarError::OverrideDateInAnotherYear {
                year: 2024,
                date: date(2023, 12, 30)
            })
        );
    }
}
