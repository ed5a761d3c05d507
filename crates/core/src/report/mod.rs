//! Reports: the year-end review and the periodic reports, as data.
//!
//! A [`Review`] is what the store computes for a [`Period`] and a reader: sections of
//! [`Figure`]s (each compared with the period before) and [`Chart`]s. Every export (the page,
//! PDF, DOCX, XLSX) renders the same value, so the figures and pictures agree everywhere.
//! Labels are message keys or raw text ([`Label`]); the web crate translates keys.
//!
//! Each figure has a stable `key`; the store defines it by one SQL condition, and the list of
//! records behind a figure applies the same condition, so its count equals the figure.

pub mod chart;

use chrono::{Datelike, Duration, NaiveDate};

pub use chart::{Chart, ChartKind, Series};

/// Why a period could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period ends before it starts")]
    EndsBeforeStart,
    #[error("the period is longer than ten years")]
    TooLong,
    #[error("no such date")]
    NoSuchDate,
}

/// What sort of period a report covers; periodic reports are made for the first four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Year,
    Custom,
}

impl PeriodKind {
    pub const PERIODIC: [PeriodKind; 3] = [Self::Week, Self::Month, Self::Quarter];

    pub fn code(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
            Self::Custom => "custom",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::Week,
            Self::Month,
            Self::Quarter,
            Self::Year,
            Self::Custom,
        ]
        .into_iter()
        .find(|kind| kind.code() == code)
    }
}

/// A span of whole days, both ends included, in Vietnam's calendar (UTC+7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    /// The last day of the period (included).
    pub end: NaiveDate,
}

impl Period {
    /// A custom period; refuses one that ends before it starts.
    pub fn custom(start: NaiveDate, end: NaiveDate) -> Result<Self, PeriodError> {
        if end < start {
            return Err(PeriodError::EndsBeforeStart);
        }
        if (end - start).num_days() > 3660 {
            return Err(PeriodError::TooLong);
        }
        Ok(Self {
            kind: PeriodKind::Custom,
            start,
            end,
        })
    }

    pub fn year(year: i32) -> Result<Self, PeriodError> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(PeriodError::NoSuchDate)?;
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(PeriodError::NoSuchDate)?;
        Ok(Self {
            kind: PeriodKind::Year,
            start,
            end,
        })
    }

    pub fn month(year: i32, month: u32) -> Result<Self, PeriodError> {
        let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or(PeriodError::NoSuchDate)?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .ok_or(PeriodError::NoSuchDate)?;
        Ok(Self {
            kind: PeriodKind::Month,
            start,
            end: next - Duration::days(1),
        })
    }

    /// Quarter 1 to 4 of `year`.
    pub fn quarter(year: i32, quarter: u32) -> Result<Self, PeriodError> {
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::NoSuchDate);
        }
        let first = Self::month(year, quarter * 3 - 2)?;
        let last = Self::month(year, quarter * 3)?;
        Ok(Self {
            kind: PeriodKind::Quarter,
            start: first.start,
            end: last.end,
        })
    }

    /// The week (Monday to Sunday) that contains `day`.
    pub fn week_of(day: NaiveDate) -> Self {
        let start = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        Self {
            kind: PeriodKind::Week,
            start,
            end: start + Duration::days(6),
        }
    }

    /// The period of the same kind that contains `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Result<Self, PeriodError> {
        match kind {
            PeriodKind::Week => Ok(Self::week_of(day)),
            PeriodKind::Month => Self::month(day.year(), day.month()),
            PeriodKind::Quarter => Self::quarter(day.year(), (day.month() - 1) / 3 + 1),
            PeriodKind::Year => Self::year(day.year()),
            PeriodKind::Custom => Self::custom(day, day),
        }
    }

    /// The period just before this one, of the same kind (the same length for a custom one).
    pub fn previous(&self) -> Self {
        let day_before = self.start - Duration::days(1);
        match self.kind {
            PeriodKind::Custom => {
                let length = self.end - self.start;
                Self {
                    kind: PeriodKind::Custom,
                    start: day_before - length,
                    end: day_before,
                }
            }
            kind => Self::containing(kind, day_before).unwrap_or(*self),
        }
    }

    /// Number of days in the period.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }
}

/// Something the interface shows: a message key to translate, or text from the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Key(&'static str),
    Text(String),
}

/// How a figure's value reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Count(i64),
    /// A share in percent, or none when there is nothing to divide by.
    Percent(Option<f64>),
}

/// One number of the review, with the same number for the period before.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Stable identifier: names the message key (`report.figure.<key>`) and the list of
    /// records behind the figure.
    pub key: &'static str,
    pub value: Value,
    pub previous: Value,
    /// Whether the figure has a list of records behind it (rates do not).
    pub has_records: bool,
}

/// A part of the review: documents, questions and petitions, dossiers, hotline, news.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub key: &'static str,
    pub figures: Vec<Figure>,
    pub charts: Vec<Chart>,
}

/// The review of a period as one reader may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub period: Period,
    pub previous: Period,
    /// Units whose records the reader may not see, so their figures leave them out; empty
    /// when the reader's figures are the whole agency's.
    pub hidden_units: Vec<String>,
    pub sections: Vec<Section>,
}

impl Review {
    pub fn figure(&self, key: &str) -> Option<&Figure> {
        self.sections
            .iter()
            .flat_map(|section| &section.figures)
            .find(|figure| figure.key == key)
    }

    pub fn charts(&self) -> impl Iterator<Item = &Chart> {
        self.sections.iter().flat_map(|section| &section.charts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_and_the_one_before() {
        let year = Period::year(2020).unwrap();
        assert_eq!(year.previous(), Period::year(2019).unwrap());
        assert_eq!(year.days(), 366);
        let march = Period::month(2021, 3).unwrap();
        assert_eq!(march.previous(), Period::month(2021, 2).unwrap());
        assert_eq!(march.previous().end, day(2021, 2, 28));
        let q1 = Period::quarter(2021, 1).unwrap();
        assert_eq!(q1.previous(), Period::quarter(2020, 4).unwrap());
        let week = Period::week_of(day(2026, 11, 29));
        assert_eq!(week.start, day(2026, 11, 23));
        assert_eq!(week.previous().start, day(2026, 11, 16));
        let custom = Period::custom(day(2026, 1, 10), day(2026, 1, 19)).unwrap();
        assert_eq!(
            custom.previous(),
            Period::custom(day(2025, 12, 31), day(2026, 1, 9)).unwrap()
        );
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused() {
        assert_eq!(
            Period::custom(day(2026, 2, 1), day(2026, 1, 31)),
            Err(PeriodError::EndsBeforeStart)
        );
        assert_eq!(Period::quarter(2026, 5), Err(PeriodError::NoSuchDate));
        assert_eq!(Period::month(2026, 13), Err(PeriodError::NoSuchDate));
    }
}
