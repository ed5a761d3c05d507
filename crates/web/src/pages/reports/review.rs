//! The review page: the period picker, every figure beside the period before and the
//! change, each linked to its records, the charts as inline SVG, and the list of records
//! behind a figure (paginated, exported as CSV or XLSX).

use super::{
    label, number, period_query, period_title, records_markup, records_table, report_scope,
    PeriodInput, EXPORT_LIMIT, PAGE_SIZE,
};
use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::export::Format;
use crate::i18n::{t, Lang};
use crate::layout::{export_links, page, select, Field};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use vanphong_core::report::{Figure, Period, Review, Value};
use vanphong_store::reports::{self, PageRequest};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(review_page))
        .route("/reports/review.{format}", get(export_review))
        .route("/reports/records/{key}", get(records_page))
}

/// A figure's value as it reads.
pub fn value_text(value: Value) -> String {
    match value {
        Value::Count(n) => number(n),
        Value::Percent(Some(p)) => format!("{p:.1}%").replace('.', ","),
        Value::Percent(None) => "—".into(),
    }
}

/// The change from the period before: "+12 (+8,1%)", "−3", "+2,5 điểm %".
pub fn change_text(lang: Lang, figure: &Figure) -> String {
    match (figure.value, figure.previous) {
        (Value::Count(now), Value::Count(before)) => {
            let difference = now - before;
            let sign = if difference > 0 { "+" } else { "" };
            if before > 0 {
                let share = difference as f64 * 100.0 / before as f64;
                format!(
                    "{sign}{} ({sign}{}%)",
                    number(difference),
                    format!("{share:.1}").replace('.', ",")
                )
            } else {
                format!("{sign}{}", number(difference))
            }
        }
        (Value::Percent(Some(now)), Value::Percent(Some(before))) => {
            let difference = now - before;
            let sign = if difference > 0.0 { "+" } else { "" };
            format!(
                "{sign}{} {}",
                format!("{difference:.1}").replace('.', ","),
                t(lang, "report.percentage_points")
            )
        }
        _ => "—".into(),
    }
}

/// The title of a figure in the reader's language.
pub fn figure_title(lang: Lang, key: &str) -> &'static str {
    t(lang, &format!("report.figure.{key}"))
}

/// The period picker with its errors beside the fields.
fn picker(
    lang: Lang,
    input: &PeriodInput,
    period: Option<&Period>,
    errors: &[FieldError],
) -> Markup {
    let kind = if input.kind.is_empty() {
        period.map(|p| p.kind.code()).unwrap_or("year").to_owned()
    } else {
        input.kind.clone()
    };
    let kinds: Vec<(String, String)> = ["year", "quarter", "month", "week", "custom"]
        .iter()
        .map(|k| {
            (
                (*k).to_owned(),
                t(lang, &format!("report.kind.{k}")).to_owned(),
            )
        })
        .collect();
    let year = if input.year.is_empty() {
        period
            .map(|p| p.start.format("%Y").to_string())
            .unwrap_or_default()
    } else {
        input.year.clone()
    };
    let quarters: Vec<(String, String)> = (1..=4).map(|q| (q.to_string(), q.to_string())).collect();
    let months: Vec<(String, String)> = (1..=12).map(|m| (m.to_string(), m.to_string())).collect();
    html! {
        form.filters.report-period method="get" action="/reports" {
            (select(lang, errors, "kind", t(lang, "report.picker.kind"), &kinds, &kind))
            (Field::text("year", t(lang, "report.picker.year"), &year).kind("number").render(lang, errors))
            (select(lang, errors, "quarter", t(lang, "report.picker.quarter"), &quarters, &input.quarter))
            (select(lang, errors, "month", t(lang, "report.picker.month"), &months, &input.month))
            (Field::text("day", t(lang, "report.picker.week_day"), &input.day).kind("date").render(lang, errors))
            (Field::text("from", t(lang, "report.picker.from"), &input.from).kind("date").render(lang, errors))
            (Field::text("to", t(lang, "report.picker.to"), &input.to).kind("date").render(lang, errors))
            button type="submit" { (t(lang, "report.picker.show")) }
        }
    }
}

/// The figures and charts of a review.
pub fn review_markup(lang: Lang, review: &Review) -> Markup {
    let translate = |l: &vanphong_core::report::Label| label(lang, l);
    let current = period_query(&review.period);
    html! {
        @if !review.hidden_units.is_empty() {
            div.alert.note role="note" {
                p { (t(lang, "report.hidden_units")) ": " (review.hidden_units.join(", ")) }
            }
        }
        @for section in &review.sections {
            section.report-section id={ "section-" (section.key) } {
                h2 { (t(lang, &format!("report.section.{}", section.key))) }
                table.list.figures {
                    thead { tr {
                        th { (t(lang, "report.column.figure")) }
                        th.num { (period_title(lang, &review.period)) }
                        th.num { (period_title(lang, &review.previous)) }
                        th.num { (t(lang, "report.column.change")) }
                    } }
                    tbody {
                        @for figure in &section.figures {
                            tr data-figure=(figure.key) {
                                td {
                                    @if figure.has_records {
                                        a href={ "/reports/records/" (figure.key) "?" (current) } { (figure_title(lang, figure.key)) }
                                    } @else {
                                        (figure_title(lang, figure.key))
                                    }
                                }
                                td.num { (value_text(figure.value)) }
                                td.num {
                                    @if figure.has_records {
                                        a href={ "/reports/records/" (figure.key) "?" (period_query(&review.previous)) } { (value_text(figure.previous)) }
                                    } @else {
                                        (value_text(figure.previous))
                                    }
                                }
                                td.num { (change_text(lang, figure)) }
                            }
                        }
                    }
                }
                @for chart in &section.charts {
                    figure.chart data-chart=(chart.key) {
                        (PreEscaped(chart.to_svg(t(lang, &format!("report.chart.{}", chart.key)), &translate)))
                    }
                }
            }
        }
    }
}

async fn review_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(input): Query<PeriodInput>,
) -> AppResult<Response> {
    let scope = report_scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let title = t(lang, "report.title");
    let period = match input.parse(crate::vietnam_today()) {
        Ok(period) => period,
        Err(errors) => {
            let content = html! {
                h1 { (title) }
                (crate::layout::error_summary(lang, &errors))
                (picker(lang, &input, None, &errors))
            };
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, title, content)).into_response(),
            );
        }
    };
    let review = reports::review(&state.db, period, &scope).await?;
    let content = html! {
        h1 { (title) ": " (period_title(lang, &period)) }
        p.lead { (t(lang, "report.compared_with")) " " (period_title(lang, &review.previous)) "." }
        (picker(lang, &input, Some(&period), &[]))
        // The same review, as the reader sees it, as a Decree 30 report to edit or file.
        p.report-exports id="report-exports" {
            (t(lang, "report.download")) " "
            @for (format, label) in [("pdf", "PDF"), ("docx", "DOCX (Word)"), ("xlsx", "XLSX (Excel)")] {
                a.button.secondary href={ "/reports/review." (format) "?" (period_query(&period)) } download { (label) } " "
            }
            a href="/reports/archive" { (t(lang, "report.archive_link")) }
        }
        (review_markup(lang, &review))
    };
    Ok(page(
        &ctx,
        &format!("{title}: {}", period_title(lang, &period)),
        content,
    )
    .into_response())
}

#[derive(Deserialize, Default)]
struct RecordsQuery {
    #[serde(flatten)]
    period: PeriodInput,
    #[serde(default)]
    page: String,
    format: Option<String>,
}

async fn records_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(key): Path<String>,
    Query(query): Query<RecordsQuery>,
) -> AppResult<Response> {
    let scope = report_scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let Some(def) = reports::figure_def(&key) else {
        return Err(AppError::NotFound);
    };
    let period = query
        .period
        .parse(crate::vietnam_today())
        .map_err(AppError::fields)?;
    let title = format!(
        "{}: {}",
        figure_title(lang, def.key),
        period_title(lang, &period)
    );
    let base = format!("/reports/records/{}?{}", def.key, period_query(&period));
    if let Some(format) = query.format.as_deref() {
        let format = Format::parse(Some(format))
            .ok_or_else(|| AppError::field("validation", "format", "form.unknown_value"))?;
        let all = reports::figure_records(
            &state.db,
            def.key,
            period,
            &scope,
            PageRequest::first(EXPORT_LIMIT),
        )
        .await?;
        return records_table(lang, figure_title(lang, def.key), &all.rows).respond(
            format,
            &format!("{}-{}-{}", def.key, period.start, period.end),
        );
    }
    let page_number = query.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let records = reports::figure_records(
        &state.db,
        def.key,
        period,
        &scope,
        PageRequest {
            offset: (page_number - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        },
    )
    .await?;
    let content = html! {
        p.back { a href={ "/reports?" (period_query(&period)) } { "← " (t(lang, "report.back_to_review")) } }
        h1 { (title) }
        (export_links(lang, &base))
        (records_markup(lang, &records.rows, records.total, page_number, &base))
    };
    Ok(page(&ctx, &title, content).into_response())
}

/// The review the reader sees, as PDF, DOCX or XLSX: the same figures and charts as the
/// page, laid out as a Decree 30 report (the number left for the clerk who issues it).
async fn export_review(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(format): Path<String>,
    Query(input): Query<PeriodInput>,
) -> AppResult<Response> {
    use crate::report_export::{self, periodic};
    use axum::http::header;
    let content_type = match format.as_str() {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => return Err(AppError::NotFound),
    };
    let scope = report_scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let today = crate::vietnam_today();
    let period = input.parse(today).map_err(AppError::fields)?;
    let review = reports::review(&state.db, period, &scope).await?;
    let heading = periodic::heading_for(&state, &period, today, lang)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    let render_format = format.clone();
    let bytes = tokio::task::spawn_blocking(move || match render_format.as_str() {
        "pdf" => report_export::pdf(&review, &heading, lang),
        "docx" => report_export::docx(&review, &heading, lang),
        _ => report_export::xlsx(&review, &heading, lang),
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    let name = format!(
        "bao-cao-{}-{}.{format}",
        period.start.format("%Y%m%d"),
        period.end.format("%Y%m%d")
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
