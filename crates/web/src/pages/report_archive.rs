//! The report archive (`/reports/archive`): the periodic reports the job wrote and those
//! generated on demand, filtered by kind and year, each downloadable as PDF, DOCX and XLSX;
//! the list itself exports to CSV and XLSX. Archived reports are the whole agency's
//! figures, so the page needs `ViewReports` across the agency (agency leaders).

use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::export::{Format, Table};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, export_links, page, select, Field};
use crate::report_export::format_date;
use crate::report_export::periodic::{self, ReportError};
use crate::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;
use vanphong_core::permission::Action;
use vanphong_core::report::{Period, PeriodKind};
use vanphong_store::report_archive::{self, ArchiveFilter, ArchivedReport};

/// Reports on one screen page.
pub const PAGE_SIZE: i64 = 50;
/// Rows in one download of the list.
const EXPORT_LIMIT: i64 = 10_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/archive", get(archive))
        .route("/reports/archive/generate", post(generate))
        .route("/reports/archive/{id}/{file}", get(download))
}

#[derive(Deserialize, Default, Debug)]
pub struct ArchiveQuery {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

const KINDS: [PeriodKind; 5] = [
    PeriodKind::Week,
    PeriodKind::Month,
    PeriodKind::Quarter,
    PeriodKind::Year,
    PeriodKind::Custom,
];

fn kind_name(kind: PeriodKind, lang: Lang) -> &'static str {
    t(lang, &format!("report_archive.kind.{}", kind.code()))
}

fn vietnam_today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

async fn archive(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<ArchiveQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ViewReports)?;
    let lang = ctx.lang;
    let mut errors = Vec::new();
    let kind = match query.kind.as_deref().map(str::trim).unwrap_or("") {
        "" => None,
        raw => match PeriodKind::parse(raw) {
            Some(kind) => Some(kind),
            None => {
                errors.push(FieldError::new("kind", "form.unknown_value"));
                None
            }
        },
    };
    let year = match query.year.as_deref().map(str::trim).unwrap_or("") {
        "" => None,
        raw => match raw
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
        {
            Some(year) => Some(year),
            None => {
                errors.push(FieldError::new("year", "report_archive.year_invalid"));
                None
            }
        },
    };
    let filter = ArchiveFilter { kind, year };
    let format = query.format.as_deref();
    if let Some(format) = Format::parse(format) {
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let (reports, _) = report_archive::list(&state.db, &filter, EXPORT_LIMIT, 0).await?;
        return table(&reports, lang).respond(format, "bao-cao-luu-tru");
    }
    let page_number = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let (reports, total) =
        report_archive::list(&state.db, &filter, PAGE_SIZE, (page_number - 1) * PAGE_SIZE).await?;
    let years = report_archive::years(&state.db).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let markup = render(
        &ctx,
        &filter,
        &reports,
        total,
        page_number,
        &years,
        &errors,
        &[],
        None,
    );
    Ok((status, page(&ctx, t(lang, "report_archive.title"), markup)).into_response())
}

/// The query string of a filter, for links that keep it.
fn filter_query(filter: &ArchiveFilter) -> String {
    let mut parts = Vec::new();
    if let Some(kind) = filter.kind {
        parts.push(format!("kind={}", kind.code()));
    }
    if let Some(year) = filter.year {
        parts.push(format!("year={year}"));
    }
    parts.join("&")
}

fn render(
    ctx: &SignedIn,
    filter: &ArchiveFilter,
    reports: &[ArchivedReport],
    total: i64,
    page_number: i64,
    years: &[i32],
    filter_errors: &[FieldError],
    generate_errors: &[FieldError],
    generate_values: Option<(&str, &str)>,
) -> maud::Markup {
    let lang = ctx.lang;
    let query = filter_query(filter);
    let base = if query.is_empty() {
        "/reports/archive".to_owned()
    } else {
        format!("/reports/archive?{query}")
    };
    let mut kind_options = vec![(
        String::new(),
        t(lang, "report_archive.all_kinds").to_owned(),
    )];
    kind_options.extend(
        KINDS
            .iter()
            .map(|k| (k.code().to_owned(), kind_name(*k, lang).to_owned())),
    );
    let mut year_options = vec![(
        String::new(),
        t(lang, "report_archive.all_years").to_owned(),
    )];
    year_options.extend(years.iter().map(|y| (y.to_string(), y.to_string())));
    let generate_kinds: Vec<(String, String)> = KINDS[..4]
        .iter()
        .map(|k| (k.code().to_owned(), kind_name(*k, lang).to_owned()))
        .collect();
    let (generate_kind, generate_day) = generate_values.unwrap_or(("month", ""));
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let sep = if base.contains('?') { "&" } else { "?" };
    html! {
        h1 { (t(lang, "report_archive.title")) }
        p { (t(lang, "report_archive.intro")) }
        form.filters method="get" action="/reports/archive" {
            (error_summary(lang, filter_errors))
            (select(lang, filter_errors, "kind", t(lang, "report_archive.kind"), &kind_options,
                filter.kind.map(|k| k.code()).unwrap_or("")))
            (select(lang, filter_errors, "year", t(lang, "report_archive.year"), &year_options,
                &filter.year.map(|y| y.to_string()).unwrap_or_default()))
            button type="submit" { (t(lang, "report_archive.filter")) }
        }
        p { (t(lang, "report_archive.count").replace("{count}", &total.to_string())) }
        @if reports.is_empty() {
            p.empty { (t(lang, "report_archive.empty")) }
        } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "report_archive.column.title")) }
                    th { (t(lang, "report_archive.column.period")) }
                    th { (t(lang, "report_archive.column.generated")) }
                    th { (t(lang, "report_archive.column.files")) }
                } }
                tbody {
                    @for report in reports {
                        tr {
                            td { (report.title) }
                            td { (format_date(report.start)) " – " (format_date(report.end)) }
                            td {
                                (generated_at(report))
                                br;
                                (report.generated_by_name.clone().unwrap_or_else(|| t(lang, "report_archive.by_job").to_owned()))
                            }
                            td {
                                a href={ "/reports/archive/" (report.id) "/pdf" } { "PDF" } " · "
                                a href={ "/reports/archive/" (report.id) "/docx" } { "DOCX" } " · "
                                a href={ "/reports/archive/" (report.id) "/xlsx" } { "XLSX" }
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pager aria-label=(t(lang, "list.pagination")) {
                    @if page_number > 1 {
                        a href={ (base) (sep) "page=" (page_number - 1) } rel="prev" { "← " (t(lang, "report_archive.previous_page")) }
                        " "
                    }
                    (t(lang, "report_archive.page").replace("{page}", &page_number.to_string()).replace("{pages}", &pages.to_string()))
                    @if page_number < pages {
                        " "
                        a href={ (base) (sep) "page=" (page_number + 1) } rel="next" { (t(lang, "list.next_page")) " →" }
                    }
                }
            }
        }
        (export_links(lang, &base))
        section {
            h2 { (t(lang, "report_archive.generate_title")) }
            p { (t(lang, "report_archive.generate_intro")) }
            form method="post" action="/reports/archive/generate" {
                (csrf_field(ctx))
                (error_summary(lang, generate_errors))
                (select(lang, generate_errors, "period_kind", t(lang, "report_archive.kind"), &generate_kinds, generate_kind))
                (Field::text("day", t(lang, "report_archive.day"), generate_day)
                    .hint(t(lang, "report_archive.day_hint"))
                    .required()
                    .render(lang, generate_errors))
                button type="submit" { (t(lang, "report_archive.generate")) }
            }
        }
    }
}

fn generated_at(report: &ArchivedReport) -> String {
    // Shown in Vietnam's time (UTC+7).
    (report.generated_at + chrono::Duration::hours(7))
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

fn table(reports: &[ArchivedReport], lang: Lang) -> Table {
    Table {
        sheet: t(lang, "report_archive.title").into(),
        headers: [
            "report_archive.column.title",
            "report_archive.kind",
            "report_archive.column.from",
            "report_archive.column.to",
            "report_archive.column.generated",
            "report_archive.column.generated_by",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: reports
            .iter()
            .map(|r| {
                vec![
                    r.title.clone(),
                    kind_name(r.kind, lang).to_owned(),
                    format_date(r.start),
                    format_date(r.end),
                    generated_at(r),
                    r.generated_by_name
                        .clone()
                        .unwrap_or_else(|| t(lang, "report_archive.by_job").to_owned()),
                ]
            })
            .collect(),
    }
}

#[derive(Deserialize, Debug)]
struct GenerateForm {
    #[serde(default)]
    period_kind: String,
    #[serde(default)]
    day: String,
}

/// A date typed as `30/11/2026` or `2026-11-30`.
fn parse_day(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%Y-%m-%d"))
        .ok()
}

async fn generate(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<GenerateForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ViewReports)?;
    let lang = ctx.lang;
    let today = vietnam_today();
    let mut errors = Vec::new();
    let kind = PeriodKind::parse(form.period_kind.trim()).filter(|k| *k != PeriodKind::Custom);
    if kind.is_none() {
        errors.push(FieldError::new("period_kind", "form.unknown_value"));
    }
    let day = parse_day(&form.day);
    match day {
        None => errors.push(FieldError::new("day", "report_archive.day_invalid")),
        Some(day) if day > today => {
            errors.push(FieldError::new("day", "report_archive.day_future"))
        }
        Some(_) => {}
    }
    let period = match (kind, day) {
        (Some(kind), Some(day)) if errors.is_empty() => match Period::containing(kind, day) {
            Ok(period) => Some(period),
            Err(_) => {
                errors.push(FieldError::new("day", "report_archive.day_invalid"));
                None
            }
        },
        _ => None,
    };
    let Some(period) = period else {
        let filter = ArchiveFilter::default();
        let (reports, total) = report_archive::list(&state.db, &filter, PAGE_SIZE, 0).await?;
        let years = report_archive::years(&state.db).await?;
        let markup = render(
            &ctx,
            &filter,
            &reports,
            total,
            1,
            &years,
            &[],
            &errors,
            Some((form.period_kind.as_str(), form.day.as_str())),
        );
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&ctx, t(lang, "report_archive.title"), markup),
        )
            .into_response());
    };
    let user = ctx.user().id;
    match periodic::generate(&state, period, &ctx.origin(), Some(user), today).await {
        Ok(_) => {}
        Err(ReportError::NoSource) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "no review source is configured for reports"
            )))
        }
        Err(e) => return Err(AppError::Internal(e.into())),
    }
    Ok(Redirect::to(&format!("/reports/archive?kind={}", period.kind.code())).into_response())
}

/// A file of an archived report, named after its period.
async fn download(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path((id, file)): Path<(i64, String)>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ViewReports)?;
    let report = report_archive::get(&state.db, id).await?;
    let (digest, content_type) = match file.as_str() {
        "pdf" => (&report.pdf_sha256, "application/pdf"),
        "docx" => (
            &report.docx_sha256,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx" => (
            &report.xlsx_sha256,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => return Err(AppError::NotFound),
    };
    let bytes = state.blobs.read_all(digest).await?;
    let name = format!(
        "bao-cao-{}-{}-{}.{file}",
        report.kind.code(),
        report.start.format("%Y%m%d"),
        report.end.format("%Y%m%d")
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
