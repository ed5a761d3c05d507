//! Reports: the review of any period (`/reports`) with its figures, the period before and
//! the change, its charts and the records behind every figure (`/reports/records/{key}`),
//! and the leader dashboard (`/reports/dashboard`) whose every number opens its records.

pub mod dashboard;
pub mod review;

use crate::context::RequestContext;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::AppState;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use vanphong_core::dossier::DossierStatus;
use vanphong_core::report::{Label, Period, PeriodError, PeriodKind};
use vanphong_store::hotline;
use vanphong_store::reports::{RecordKind, RecordRow, ReportScope};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(review::router())
        .merge(dashboard::router())
}

/// True when the signed-in user may see reports (for the navigation).
pub fn sees_reports(ctx: &RequestContext) -> bool {
    ctx.user().is_some_and(|u| {
        u.roles.iter().any(|r| {
            matches!(
                r,
                vanphong_core::auth::Role::AgencyLeader | vanphong_core::auth::Role::UnitLeader
            )
        })
    })
}

/// What the signed-in user may see in reports; refuses those without
/// `Action::ViewReports` (agency leaders see the agency, unit leaders their units).
pub async fn report_scope(state: &AppState, ctx: &RequestContext) -> AppResult<ReportScope> {
    let user = ctx.user().ok_or_else(|| AppError::SignInRequired {
        next: ctx.path.clone(),
    })?;
    let officer_of = hotline::officer_province(&state.db, user.id).await?;
    ReportScope::of(&state.db, &user.actor(), officer_of)
        .await?
        .ok_or(AppError::Forbidden)
}

/// The period fields of the picker, as typed (all optional).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PeriodInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub quarter: String,
    #[serde(default)]
    pub month: String,
    /// A day of the week wanted.
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

fn parse_date(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
        Ok(date) if (1900..=2200).contains(&date.year()) => Some(date),
        _ => {
            errors.push(FieldError::new(
                field,
                if value.trim().is_empty() {
                    "form.required"
                } else {
                    "report.error.date"
                },
            ));
            None
        }
    }
}

fn parse_number(
    value: &str,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    match value.trim().parse::<i64>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, "report.error.number"));
            None
        }
    }
}

/// The period a custom span stands for: a whole year, quarter, month or week when it is one
/// (so it is compared with the year, quarter, month or week before), or a custom period.
pub fn recognise(start: NaiveDate, end: NaiveDate) -> Result<Period, PeriodError> {
    for kind in [
        PeriodKind::Year,
        PeriodKind::Quarter,
        PeriodKind::Month,
        PeriodKind::Week,
    ] {
        if let Ok(period) = Period::containing(kind, start) {
            if period.start == start && period.end == end {
                return Ok(period);
            }
        }
    }
    Period::custom(start, end)
}

impl PeriodInput {
    /// The period asked for, or the errors beside their fields. Nothing given: this year.
    pub fn parse(&self, today: NaiveDate) -> Result<Period, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = match self.kind.trim() {
            "" if !self.from.trim().is_empty() || !self.to.trim().is_empty() => PeriodKind::Custom,
            "" => PeriodKind::Year,
            code => match PeriodKind::parse(code) {
                Some(kind) => kind,
                None => return Err(vec![FieldError::new("kind", "form.unknown_value")]),
            },
        };
        let year = || -> Result<i32, Vec<FieldError>> {
            if self.year.trim().is_empty() {
                return Ok(today.year());
            }
            let mut errors = Vec::new();
            parse_number(&self.year, "year", 1900..=2200, &mut errors)
                .map(|y| y as i32)
                .ok_or(errors)
        };
        let result = match kind {
            PeriodKind::Year => Period::year(year()?),
            PeriodKind::Quarter => {
                let year = year()?;
                let quarter = parse_number(&self.quarter, "quarter", 1..=4, &mut errors);
                match quarter {
                    Some(q) => Period::quarter(year, q as u32),
                    None => return Err(errors),
                }
            }
            PeriodKind::Month => {
                let year = year()?;
                match parse_number(&self.month, "month", 1..=12, &mut errors) {
                    Some(m) => Period::month(year, m as u32),
                    None => return Err(errors),
                }
            }
            PeriodKind::Week => {
                let day = if self.day.trim().is_empty() {
                    Some(today)
                } else {
                    parse_date(&self.day, "day", &mut errors)
                };
                match day {
                    Some(day) => Ok(Period::week_of(day)),
                    None => return Err(errors),
                }
            }
            PeriodKind::Custom => {
                let from = parse_date(&self.from, "from", &mut errors);
                let to = parse_date(&self.to, "to", &mut errors);
                let (Some(from), Some(to)) = (from, to) else {
                    return Err(errors);
                };
                recognise(from, to)
            }
        };
        result.map_err(|error| {
            let (field, key) = match error {
                PeriodError::EndsBeforeStart => ("to", "report.error.ends_before_start"),
                PeriodError::TooLong => ("to", "report.error.too_long"),
                PeriodError::NoSuchDate => ("year", "report.error.date"),
            };
            vec![FieldError::new(field, key)]
        })
    }
}

/// The query string that names a period by its days (`from=…&to=…`).
pub fn period_query(period: &Period) -> String {
    format!("from={}&to={}", period.start, period.end)
}

/// A label in the reader's language.
pub fn label(lang: Lang, label: &Label) -> String {
    match label {
        Label::Key(key) => t(lang, key).to_owned(),
        Label::Text(text) => text.clone(),
    }
}

/// How a period reads: "Năm 2020", "Quý 1/2021", "Tháng 3/2021", "Tuần 02/03–08/03/2020".
pub fn period_title(lang: Lang, period: &Period) -> String {
    let (start, end) = (period.start, period.end);
    match period.kind {
        PeriodKind::Year => format!("{} {}", t(lang, "report.period.year"), start.year()),
        PeriodKind::Quarter => format!(
            "{} {}/{}",
            t(lang, "report.period.quarter"),
            (start.month() - 1) / 3 + 1,
            start.year()
        ),
        PeriodKind::Month => format!(
            "{} {}/{}",
            t(lang, "report.period.month"),
            start.month(),
            start.year()
        ),
        PeriodKind::Week => format!(
            "{} {}–{}",
            t(lang, "report.period.week"),
            start.format("%d/%m"),
            end.format("%d/%m/%Y")
        ),
        PeriodKind::Custom => format!("{}–{}", start.format("%d/%m/%Y"), end.format("%d/%m/%Y")),
    }
}

/// The page a record opens, if it has one.
pub fn record_url(row: &RecordRow) -> Option<String> {
    match row.kind {
        RecordKind::Document => Some(format!("/documents/{}", row.id)),
        RecordKind::Dossier => Some(format!("/dossiers/{}", row.id)),
        RecordKind::HotlineCase => Some(format!("/hotline/cases/{}", row.id)),
        RecordKind::WorkFile => Some(format!("/files/{}", row.id)),
        RecordKind::NewsArticle => Some(format!("/news/{}", row.id)),
    }
}

/// A record's status in the reader's language.
pub fn status_text(lang: Lang, row: &RecordRow) -> String {
    let key = match row.kind {
        RecordKind::Document => {
            let document = format!("document_status.{}", row.status);
            if crate::i18n::has(lang, &document) {
                document
            } else {
                format!("assignment_status.{}", row.status)
            }
        }
        RecordKind::Dossier => match row
            .status
            .parse::<i64>()
            .ok()
            .and_then(DossierStatus::from_number)
        {
            Some(status) => format!("dossier_status.{}", status.code()),
            None => return row.status.clone(),
        },
        RecordKind::HotlineCase => format!("hotline.status.{}", row.status),
        RecordKind::WorkFile => format!("files.status.{}", row.status),
        RecordKind::NewsArticle => format!("news.status.{}", row.status),
    };
    if crate::i18n::has(lang, &key) {
        t(lang, &key).to_owned()
    } else {
        row.status.clone()
    }
}

/// The rows of a records list as a table to export.
pub fn records_table(lang: Lang, sheet: &str, rows: &[RecordRow]) -> crate::export::Table {
    crate::export::Table {
        sheet: sheet.to_owned(),
        headers: vec![
            t(lang, "report.records.reference").to_owned(),
            t(lang, "report.records.title").to_owned(),
            t(lang, "report.records.date").to_owned(),
            t(lang, "report.records.unit").to_owned(),
            t(lang, "report.records.status").to_owned(),
        ],
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    row.reference.clone(),
                    row.title.clone(),
                    row.date
                        .map(|d| d.format("%d/%m/%Y").to_string())
                        .unwrap_or_default(),
                    row.unit.clone(),
                    status_text(lang, row),
                ]
            })
            .collect(),
    }
}

/// Records shown on one page of a list.
pub const PAGE_SIZE: i64 = 50;
/// The most records an export holds.
pub const EXPORT_LIMIT: i64 = 100_000;

/// The records of a list as a page: a table with links and the page links.
pub fn records_markup(
    lang: Lang,
    rows: &[RecordRow],
    total: i64,
    page: i64,
    base: &str,
) -> maud::Markup {
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let sep = if base.contains('?') { "&" } else { "?" };
    maud::html! {
        p.count { (t(lang, "report.records.total")) ": " strong { (number(total)) } }
        @if rows.is_empty() {
            p.empty { (t(lang, "report.records.none")) }
        } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "report.records.reference")) }
                    th { (t(lang, "report.records.title")) }
                    th { (t(lang, "report.records.date")) }
                    th { (t(lang, "report.records.unit")) }
                    th { (t(lang, "report.records.status")) }
                } }
                tbody {
                    @for row in rows {
                        tr {
                            td { (row.reference) }
                            td {
                                @if let Some(url) = record_url(row) {
                                    a href=(url) { (row.title) }
                                } @else {
                                    (row.title)
                                }
                            }
                            td { (row.date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()) }
                            td { (row.unit) }
                            td { (status_text(lang, row)) }
                        }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.pager aria-label=(t(lang, "list.pagination")) {
                @if page > 1 {
                    a href={ (base) (sep) "page=" (page - 1) } rel="prev" { "← " (t(lang, "report.records.previous_page")) }
                    " "
                }
                span { (page) " / " (pages) }
                @if page < pages {
                    " "
                    a href={ (base) (sep) "page=" (page + 1) } rel="next" { (t(lang, "list.next_page")) " →" }
                }
            }
        }
    }
}

/// A whole number with the Vietnamese thousands separator (18.935).
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_are_read_from_the_picker_with_errors_beside_their_fields() {
        let today = day("2026-11-29");
        let input = |pairs: &[(&str, &str)]| {
            let mut input = PeriodInput::default();
            for (k, v) in pairs {
                let v = v.to_string();
                match *k {
                    "kind" => input.kind = v,
                    "year" => input.year = v,
                    "quarter" => input.quarter = v,
                    "month" => input.month = v,
                    "day" => input.day = v,
                    "from" => input.from = v,
                    _ => input.to = v,
                }
            }
            input.parse(today)
        };
        assert_eq!(input(&[]), Ok(Period::year(2026).unwrap()));
        assert_eq!(
            input(&[("kind", "quarter"), ("year", "2021"), ("quarter", "1")]),
            Ok(Period::quarter(2021, 1).unwrap())
        );
        assert_eq!(
            input(&[("from", "2020-01-01"), ("to", "2020-12-31")]),
            Ok(Period::year(2020).unwrap())
        );
        assert_eq!(
            input(&[("from", "2020-03-02"), ("to", "2020-03-08")]),
            Ok(Period::week_of(day("2020-03-02")))
        );
        assert_eq!(
            input(&[("from", "2020-03-02"), ("to", "2020-03-10")])
                .unwrap()
                .kind,
            PeriodKind::Custom
        );
        let field = |r: Result<Period, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.key))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            field(input(&[("from", "2020-03-10"), ("to", "2020-03-01")])),
            [("to".to_owned(), "report.error.ends_before_start".to_owned())]
        );
        assert_eq!(
            field(input(&[("from", "2020-02-30"), ("to", "x")])),
            [
                ("from".to_owned(), "report.error.date".to_owned()),
                ("to".to_owned(), "report.error.date".to_owned())
            ]
        );
        assert_eq!(
            field(input(&[("kind", "month"), ("month", "13")])),
            [("month".to_owned(), "report.error.number".to_owned())]
        );
        assert_eq!(
            field(input(&[("kind", "decade")])),
            [("kind".to_owned(), "form.unknown_value".to_owned())]
        );
    }

    #[test]
    fn every_figure_section_and_chart_has_its_title_in_both_languages() {
        use vanphong_store::reports::{FIGURES, RATES, SECTIONS};
        let mut keys: Vec<String> = FIGURES
            .iter()
            .map(|f| format!("report.figure.{}", f.key))
            .chain(RATES.iter().map(|r| format!("report.figure.{}", r.0)))
            .chain(SECTIONS.iter().map(|s| format!("report.section.{s}")))
            .collect();
        for chart in [
            "monthly_volumes",
            "on_time_rates",
            "overdue_by_unit",
            "dossiers_by_procedure",
            "hotline_by_kind",
            "hotline_by_province",
            "hotline_by_status",
        ] {
            keys.push(format!("report.chart.{chart}"));
        }
        for code in [
            "pending",
            "overdue",
            "due_this_week",
            "stale",
            "hotline_open",
            "dossiers_at_risk",
            "dossiers_overdue",
        ] {
            keys.push(format!("report.dashboard.{code}"));
        }
        for lang in [Lang::Vi, Lang::En] {
            for key in &keys {
                assert!(crate::i18n::has(lang, key), "{key} in {lang:?}");
            }
        }
    }

    #[test]
    fn numbers_use_the_vietnamese_thousands_separator() {
        assert_eq!(number(18_935), "18.935");
        assert_eq!(number(795), "795");
        assert_eq!(number(1_000_000), "1.000.000");
    }
}
