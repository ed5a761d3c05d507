//! The leader dashboard: pending work by unit (overdue, due this week, stale progress
//! notes), open hotline cases by status and age, dossiers at risk of being late. Every
//! number links to the records behind it.

use super::{number, records_markup, records_table, report_scope, EXPORT_LIMIT, PAGE_SIZE};
use crate::context::SignedIn;
use crate::error::{AppError, AppResult};
use crate::export::Format;
use crate::i18n::{t, Lang};
use crate::layout::{export_links, page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use vanphong_core::ids::UnitId;
use vanphong_store::reports::dashboard::{self, CaseAge, Dashboard, DashboardList};
use vanphong_store::reports::PageRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/dashboard", get(dashboard_page))
        .route("/reports/dashboard/records/{list}", get(records_page))
}

/// The link to the records of a dashboard number.
pub fn list_url(list: &DashboardList) -> String {
    let mut url = format!("/reports/dashboard/records/{}", list.code());
    let mut params = Vec::new();
    match list {
        DashboardList::Pending(Some(u))
        | DashboardList::Overdue(Some(u))
        | DashboardList::DueThisWeek(Some(u))
        | DashboardList::Stale(Some(u)) => params.push(format!("unit={}", u.0)),
        DashboardList::HotlineOpen { status, age } => {
            if let Some(status) = status {
                params.push(format!("status={status}"));
            }
            if let Some(age) = age {
                params.push(format!("age={}", age.code()));
            }
        }
        _ => {}
    }
    if !params.is_empty() {
        url.push('?');
        url.push_str(&params.join("&"));
    }
    url
}

fn linked(n: i64, list: DashboardList) -> Markup {
    html! { a href=(list_url(&list)) { (number(n)) } }
}

fn age_label(lang: Lang, age: CaseAge) -> &'static str {
    t(lang, &format!("report.dashboard.age.{}", age.code()))
}

pub fn dashboard_markup(lang: Lang, board: &Dashboard) -> Markup {
    html! {
        section.dashboard-totals {
            dl.counters {
                div { dt { (t(lang, "report.dashboard.pending")) } dd { (linked(board.pending, DashboardList::Pending(None))) } }
                div { dt { (t(lang, "report.dashboard.overdue")) } dd { (linked(board.overdue, DashboardList::Overdue(None))) } }
                div { dt { (t(lang, "report.dashboard.due_this_week")) } dd { (linked(board.due_this_week, DashboardList::DueThisWeek(None))) } }
                div { dt { (t(lang, "report.dashboard.stale")) } dd { (linked(board.stale, DashboardList::Stale(None))) } }
                div { dt { (t(lang, "report.dashboard.dossiers_at_risk")) } dd { (linked(board.dossiers_at_risk, DashboardList::DossiersAtRisk)) } }
                div { dt { (t(lang, "report.dashboard.dossiers_overdue")) } dd { (linked(board.dossiers_overdue, DashboardList::DossiersOverdue)) } }
            }
        }
        section {
            h2 { (t(lang, "report.dashboard.by_unit")) }
            @if board.units.is_empty() {
                p.empty { (t(lang, "report.dashboard.no_pending")) }
            } @else {
                table.list {
                    thead { tr {
                        th { (t(lang, "report.records.unit")) }
                        th.num { (t(lang, "report.dashboard.pending")) }
                        th.num { (t(lang, "report.dashboard.overdue")) }
                        th.num { (t(lang, "report.dashboard.due_this_week")) }
                        th.num { (t(lang, "report.dashboard.stale")) }
                    } }
                    tbody {
                        @for line in &board.units {
                            tr.stale[line.stale > 0] {
                                td { (line.name) }
                                td.num { (linked(line.pending, DashboardList::Pending(Some(line.unit)))) }
                                td.num { (linked(line.overdue, DashboardList::Overdue(Some(line.unit)))) }
                                td.num { (linked(line.due_this_week, DashboardList::DueThisWeek(Some(line.unit)))) }
                                td.num { (linked(line.stale, DashboardList::Stale(Some(line.unit)))) }
                            }
                        }
                    }
                }
                p.hint { (t(lang, "report.dashboard.stale_hint").replace("{days}", &dashboard::STALE_DAYS.to_string())) }
            }
        }
        @if let (Some(by_status), Some(by_age)) = (&board.hotline_by_status, &board.hotline_by_age) {
            section {
                h2 { (t(lang, "report.dashboard.hotline")) }
                table.list {
                    thead { tr { th { (t(lang, "report.records.status")) } th.num { (t(lang, "report.series.cases")) } } }
                    tbody {
                        @for (status, n) in by_status {
                            tr {
                                td { (t(lang, &format!("hotline.status.{status}"))) }
                                td.num { (linked(*n, DashboardList::HotlineOpen { status: Some(status.clone()), age: None })) }
                            }
                        }
                    }
                }
                table.list {
                    thead { tr { th { (t(lang, "report.dashboard.age")) } th.num { (t(lang, "report.series.cases")) } } }
                    tbody {
                        @for (age, n) in by_age {
                            tr {
                                td { (age_label(lang, *age)) }
                                td.num { (linked(*n, DashboardList::HotlineOpen { status: None, age: Some(*age) })) }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn dashboard_page(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    let scope = report_scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let calendar = state.calendar().await?;
    let today = crate::vietnam_today();
    let board = dashboard::dashboard(&state.db, today, &calendar, &scope).await?;
    let title = t(lang, "report.dashboard.title");
    let content = html! {
        h1 { (title) }
        p.lead { (t(lang, "report.dashboard.as_of")) " " (today.format("%d/%m/%Y")) }
        p { a href="/reports" { (t(lang, "report.title")) } }
        (dashboard_markup(lang, &board))
    };
    Ok(page(&ctx, title, content).into_response())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    unit: Option<String>,
    status: Option<String>,
    age: Option<String>,
    #[serde(default)]
    page: String,
    format: Option<String>,
}

/// Reads a list from the path and query; unknown values are "not found".
pub fn parse_list(
    code: &str,
    unit: Option<&str>,
    status: Option<&str>,
    age: Option<&str>,
) -> AppResult<DashboardList> {
    let unit = match unit.filter(|u| !u.is_empty()) {
        Some(u) => Some(UnitId(u.parse().map_err(|_| AppError::NotFound)?)),
        None => None,
    };
    let status = match status.filter(|s| !s.is_empty()) {
        Some(s) => {
            vanphong_core::hotline::CaseStatus::parse(s).map_err(|_| AppError::NotFound)?;
            Some(s.to_owned())
        }
        None => None,
    };
    let age = match age.filter(|a| !a.is_empty()) {
        Some(a) => Some(CaseAge::parse(a).ok_or(AppError::NotFound)?),
        None => None,
    };
    DashboardList::parse(code, unit, status, age).ok_or(AppError::NotFound)
}

async fn records_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = report_scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let list = parse_list(
        &code,
        query.unit.as_deref(),
        query.status.as_deref(),
        query.age.as_deref(),
    )?;
    let calendar = state.calendar().await?;
    let today = crate::vietnam_today();
    let title = t(lang, &format!("report.dashboard.{}", list.code()));
    let base = list_url(&list);
    if let Some(format) = query.format.as_deref() {
        let format = Format::parse(Some(format))
            .ok_or_else(|| AppError::field("validation", "format", "form.unknown_value"))?;
        let all = dashboard::dashboard_records(
            &state.db,
            &list,
            today,
            &calendar,
            &scope,
            PageRequest::first(EXPORT_LIMIT),
        )
        .await?;
        return records_table(lang, title, &all.rows)
            .respond(format, &format!("{}-{today}", list.code()));
    }
    let page_number = query.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let records = dashboard::dashboard_records(
        &state.db,
        &list,
        today,
        &calendar,
        &scope,
        PageRequest {
            offset: (page_number - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        },
    )
    .await?;
    let content = html! {
        p.back { a href="/reports/dashboard" { "← " (t(lang, "report.dashboard.title")) } }
        h1 { (title) }
        (export_links(lang, &base))
        (records_markup(lang, &records.rows, records.total, page_number, &base))
    };
    Ok(page(&ctx, title, content).into_response())
}
