//! `calendar`: the holidays of a year and working-day arithmetic, and refusals of bad input.

use crate::{vanphong, Outcome};
use chrono::{Datelike, Days, NaiveDate, Weekday};

fn calendar(args: &[&str]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let mut command = vanphong(dir.path());
    command.arg("calendar").args(args);
    crate::run(command)
}

/// The holidays `calendar YEAR` prints, checking that every line reads `YYYY-MM-DD name`.
#[track_caller]
fn printed_holidays(year: &str) -> Vec<(NaiveDate, String)> {
    let listing = calendar(&[year]);
    listing.expect_success();
    let holidays: Vec<(NaiveDate, String)> = listing
        .stdout
        .lines()
        .map(|line| {
            let (date, name) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("{line:?} is not `DATE NAME`"));
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .unwrap_or_else(|e| panic!("{line:?}: {e}"));
            assert!(!name.trim().is_empty(), "{line:?} has no name");
            (date, name.to_owned())
        })
        .collect();
    assert!(!holidays.is_empty(), "{listing}");
    holidays
}

fn day(iso: &str) -> NaiveDate {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap()
}

#[test]
fn calendar_lists_the_holidays_of_2026_including_new_year_and_tet() {
    let holidays = printed_holidays("2026");
    assert!(holidays.iter().all(|(date, _)| date.year() == 2026));
    assert!(
        holidays.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "one line per day, in order"
    );
    let name_on = |iso: &str| {
        holidays
            .iter()
            .find(|(date, _)| *date == day(iso))
            .map(|(_, name)| name.as_str())
    };
    assert!(
        name_on("2026-01-01").is_some_and(|n| n.contains("Tết Dương lịch")),
        "{holidays:?}"
    );
    assert!(
        name_on("2026-02-17").is_some_and(|n| n.contains("Tết Nguyên đán")),
        "{holidays:?}"
    );
    assert!(
        name_on("2026-04-30").is_some()
            && name_on("2026-05-01").is_some()
            && name_on("2026-09-02").is_some()
    );
}

#[test]
fn adding_working_days_skips_weekends_and_the_tet_holidays() {
    let holidays: Vec<NaiveDate> = printed_holidays("2026")
        .into_iter()
        .map(|(date, _)| date)
        .collect();
    let is_working_day = |date: NaiveDate| {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date)
    };
    // The answer worked out from the printed list: the first working day after Friday 13 February.
    let mut expected = day("2026-02-13");
    loop {
        expected = expected.checked_add_days(Days::new(1)).unwrap();
        if is_working_day(expected) {
            break;
        }
    }
    assert_eq!(
        expected,
        day("2026-02-23"),
        "the weekend and five days of Tết lie between"
    );
    let answer = calendar(&["add-working-days", "2026-02-13", "1"]);
    answer.expect_success();
    assert_eq!(answer.stdout.trim(), "2026-02-23", "{answer}");
    // And back again: one working day before 23 February is 13 February.
    let back = calendar(&["add-working-days", "2026-02-23", "-1"]);
    assert_eq!(back.expect_success().stdout.trim(), "2026-02-13", "{back}");
}

#[test]
fn calendar_refuses_impossible_dates_unsupported_years_and_non_numbers() {
    calendar(&["add-working-days", "2026-02-30", "1"])
        .expect_clean_failure()
        .expect_stderr("2026-02-30");
    calendar(&["add-working-days", "13/02/2026", "1"])
        .expect_clean_failure()
        .expect_stderr("13/02/2026");
    calendar(&["add-working-days", "2026-02-13", "mot"])
        .expect_clean_failure()
        .expect_stderr("\"mot\"");
    calendar(&["1800"])
        .expect_clean_failure()
        .expect_stderr("1800");
    calendar(&["năm nay"])
        .expect_clean_failure()
        .expect_stderr("not a year");
    calendar(&[]).expect_clean_failure().expect_stderr("YEAR");
}
