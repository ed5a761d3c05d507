//! Cases: the list (filters, pages, CSV/XLSX), the case page with its reports, history and
//! actions (steps, routing, merging, sharing the reporter's identity), evidence downloads,
//! and the administrator's page of province officers.

use super::{
    access, channel_label, kind_label, readable_case, routed_label, start_of_vietnam_day,
    status_label, Places,
};
use crate::context::SignedIn;
// Where the list's count stops ("more than 2000"), as on the document lists.
use crate::error::{AppError, AppResult, FieldError};
use crate::export::{Format, Table};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, export_links, page, Field};
use crate::pages::documents::incoming::COUNT_CAP;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;
use vanphong_core::hotline::duplicates::Candidate;
use vanphong_core::hotline::{CaseStatus, Channel, HotlineAccess, PollutionKind};
use vanphong_core::ids::{AreaId, CaseId, UserId};
use vanphong_core::permission::Action;
use vanphong_store::hotline::lists::{self, CaseFilter};
use vanphong_store::hotline::{self, Case};
use vanphong_store::{users, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hotline", get(list_page))
        .route("/hotline/cases/{id}", get(case_page))
        .route("/hotline/cases/{id}/step", post(take_step))
        .route("/hotline/cases/{id}/route", post(route_case))
        .route("/hotline/cases/{id}/merge", post(merge_case))
        .route("/hotline/cases/{id}/share", post(share_identity))
        .route(
            "/hotline/cases/{id}/evidence/{sha256}",
            get(download_evidence),
        )
        .route("/hotline/officers", get(officers_page).post(set_officer))
}

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    province_id: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    format: Option<String>,
}

impl ListQuery {
    fn filter(&self, access: HotlineAccess) -> CaseFilter {
        let date = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
        CaseFilter {
            status: CaseStatus::parse(&self.status).ok(),
            kind: PollutionKind::parse(&self.kind).ok(),
            province: self.province_id.trim().parse().ok().map(AreaId),
            channel: Channel::parse(&self.channel).ok(),
            from: date(&self.from).map(start_of_vietnam_day),
            until: date(&self.to)
                .and_then(|d| d.succ_opt())
                .map(start_of_vietnam_day),
            text: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
            routed_to: access.province_scope(),
            overdue_on: (self.overdue == "1").then(crate::vietnam_today),
        }
    }

    fn query_string(&self) -> String {
        [
            ("status", &self.status),
            ("kind", &self.kind),
            ("province_id", &self.province_id),
            ("channel", &self.channel),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("overdue", &self.overdue),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::context::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// The list as a table: no reporter, ever.
pub fn cases_table(lang: Lang, cases: &[Case]) -> Table {
    Table {
        sheet: t(lang, "hotline.cases").to_owned(),
        headers: [
            "hotline.case_number",
            "hotline.received_at",
            "hotline.kind",
            "hotline.case_title",
            "hotline.province",
            "hotline.handled_by",
            "hotline.status",
            "hotline.due_date",
            "hotline.report_count",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: cases
            .iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    crate::vietnam_time(c.received_at),
                    kind_label(lang, c.kind).to_owned(),
                    c.title.clone(),
                    c.province_name.clone().unwrap_or_default(),
                    routed_label(lang, c),
                    status_label(lang, c.status).to_owned(),
                    c.due_date.format("%d/%m/%Y").to_string(),
                    c.report_count.to_string(),
                ]
            })
            .collect(),
    }
}

async fn list_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let access = access(&state, &ctx).await?;
    let lang = ctx.lang;
    let filter = query.filter(access);
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let cases = lists::cases(&state.db, &filter, 0, 100_000).await?;
        return cases_table(lang, &cases).respond(format, "vu-viec-duong-day-nong");
    }
    let page_number: i64 = query.page.parse().unwrap_or(1).max(1);
    // The count stops at COUNT_CAP ("more than 2000"); the pager asks for one case more
    // than a page to know whether there is a next one.
    let total = lists::count_up_to(&state.db, &filter, COUNT_CAP + 1).await?;
    let mut cases = lists::cases(
        &state.db,
        &filter,
        (page_number - 1) * PAGE_SIZE,
        PAGE_SIZE + 1,
    )
    .await?;
    let has_next = cases.len() as i64 > PAGE_SIZE;
    cases.truncate(PAGE_SIZE as usize);
    let places = Places::load(&state).await?;
    let base = format!("/hotline?{}", query.query_string());
    let option = |value: &str, label: &str, selected: &str| {
        html! { option value=(value) selected[value == selected] { (label) } }
    };
    let body = html! {
        h1 { (t(lang, "hotline.cases")) }
        @if access.is_operator() {
            p.actions {
                a.button.primary href="/hotline/new" accesskey="n" { (t(lang, "hotline.intake_title")) }
                " " a.button href="/hotline/press/new" { (t(lang, "hotline.press_title")) }
            }
        }
        p { a href="/hotline/statistics" { (t(lang, "hotline.statistics")) } " · " a href="/hotline/summary" { (t(lang, "hotline.summary")) } " · " a href="/hotline/map" { (t(lang, "hotline.map")) } }
        form.filters method="get" action="/hotline" {
            label { (t(lang, "hotline.status")) " "
                select name="status" { (option("", t(lang, "hotline.any"), &query.status))
                    @for s in CaseStatus::ALL { (option(s.code(), status_label(lang, *s), &query.status)) } } }
            label { (t(lang, "hotline.kind")) " "
                select name="kind" { (option("", t(lang, "hotline.any"), &query.kind))
                    @for k in PollutionKind::ALL { (option(k.code(), kind_label(lang, *k), &query.kind)) } } }
            label { (t(lang, "hotline.channel")) " "
                select name="channel" { (option("", t(lang, "hotline.any"), &query.channel))
                    @for c in Channel::ALL { (option(c.code(), channel_label(lang, *c), &query.channel)) } } }
            label { (t(lang, "hotline.province")) " "
                select name="province_id" { (option("", t(lang, "hotline.any"), &query.province_id))
                    @for p in &places.provinces { (option(&p.id.to_string(), &p.name, &query.province_id)) } } }
            label { (t(lang, "hotline.from")) " " input type="date" name="from" value=(query.from); }
            label { (t(lang, "hotline.to")) " " input type="date" name="to" value=(query.to); }
            label { (t(lang, "list.search")) " " input type="search" name="q" value=(query.q); }
            label { input type="checkbox" name="overdue" value="1" checked[query.overdue == "1"]; " " (t(lang, "hotline.overdue")) }
            button type="submit" { (t(lang, "list.filter")) }
        }
        p.muted { (t(lang, "hotline.found")) ": "
            @if total > COUNT_CAP { (t(lang, "documents.more_than")) " " (COUNT_CAP) } @else { (total) } }
        @if cases.is_empty() {
            p.muted { (t(lang, "list.empty")) }
        } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "hotline.case_number")) } th { (t(lang, "hotline.received_at")) } th { (t(lang, "hotline.kind")) }
                    th { (t(lang, "hotline.case_title")) } th { (t(lang, "hotline.province")) } th { (t(lang, "hotline.handled_by")) }
                    th { (t(lang, "hotline.status")) } th { (t(lang, "hotline.due_date")) }
                } }
                tbody {
                    @for c in &cases {
                        tr.overdue[!c.status.is_final() && c.status != CaseStatus::Responded && c.due_date < crate::vietnam_today()] {
                            td { a href={ "/hotline/cases/" (c.id) } { "#" (c.id) } }
                            td { (crate::vietnam_time(c.received_at)) }
                            td { (kind_label(lang, c.kind)) }
                            td { (c.title) }
                            td { (c.province_name.as_deref().unwrap_or("—")) }
                            td { (routed_label(lang, c)) }
                            td { (status_label(lang, c.status)) }
                            td { (c.due_date.format("%d/%m/%Y")) }
                        }
                    }
                }
            }
        }
        nav.pager aria-label=(t(lang, "list.pagination")) {
            @if page_number > 1 {
                a href={ (base) "&page=" (page_number - 1) } rel="prev" { "← " (t(lang, "hotline.previous_page")) } " "
            }
            @if has_next {
                a href={ (base) "&page=" (page_number + 1) } rel="next" { (t(lang, "list.next_page")) " →" }
            }
        }
        (export_links(lang, &base))
    };
    Ok(page(&ctx, t(lang, "hotline.cases"), body).into_response())
}

#[derive(Deserialize, Default)]
struct CasePageQuery {
    #[serde(default)]
    taken: String,
    #[serde(default)]
    saved: String,
}

async fn case_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<CasePageQuery>,
) -> AppResult<Response> {
    let (case, access) = readable_case(&state, &ctx, id).await?;
    render_case(
        &state,
        &ctx,
        case,
        access,
        &query.taken,
        query.saved == "1",
        &[],
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_case(
    state: &AppState,
    ctx: &SignedIn,
    case: Case,
    access: HotlineAccess,
    taken: &str,
    saved: bool,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let reports = hotline::reports_of_case(&state.db, case.id).await?;
    let steps = hotline::steps(&state.db, case.id).await?;
    let sees_identity = access.sees_identity(case.routed_to, case.identity_shared);
    let mut report_views = Vec::new();
    for report in &reports {
        let reporter = if sees_identity {
            hotline::reporter(&state.db, report.id).await?
        } else {
            None
        };
        let evidence = hotline::evidence(&state.db, report.id).await?;
        report_views.push((report, reporter, evidence));
    }
    let suggestions = if access.is_operator() && !case.status.is_final() {
        let text = reports
            .iter()
            .map(|r| r.description.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let candidate = Candidate {
            kind: case.kind,
            province: case.province_id,
            commune: case.commune_id,
            coordinates: case.coordinates,
            received_at: case.received_at,
            text: &text,
        };
        hotline::suggest_duplicates(&state.db, &candidate, Some(case.id), 5).await?
    } else {
        Vec::new()
    };
    let next: Vec<CaseStatus> = case
        .status
        .next()
        .iter()
        .copied()
        .filter(|s| *s != CaseStatus::Duplicate && access.may_step(case.routed_to, *s))
        .collect();
    let places = if access.is_operator() {
        Some(Places::load(state).await?)
    } else {
        None
    };
    let error_of = |field: &str| crate::layout::field_error(lang, errors, field);
    let title = format!("{} #{}", t(lang, "hotline.case"), case.id);
    let body = html! {
        h1 { (title) ": " (case.title) }
        @if !taken.is_empty() {
            p.alert.success role="status" { (t(lang, "hotline.taken")) " " (t(lang, "hotline.tracking_code")) ": " strong.tracking { (taken) } }
        }
        @if saved { p.alert.success role="status" { (t(lang, "form.saved")) } }
        @if !errors.is_empty() { div.alert.error role="alert" { @for e in errors { p { (t(lang, &e.key)) } } } }
        dl.facts {
            dt { (t(lang, "hotline.status")) } dd.status { (status_label(lang, case.status)) }
            dt { (t(lang, "hotline.kind")) } dd { (kind_label(lang, case.kind)) }
            dt { (t(lang, "hotline.received_at")) } dd { (crate::vietnam_time(case.received_at)) }
            dt { (t(lang, "hotline.due_date")) } dd { (case.due_date.format("%d/%m/%Y")) }
            dt { (t(lang, "hotline.handled_by")) } dd { (routed_label(lang, &case)) @if case.inter_provincial { " (" (t(lang, "hotline.inter_provincial")) ")" } }
            dt { (t(lang, "hotline.where")) } dd {
                (case.commune_name.as_deref().unwrap_or("")) @if case.commune_name.is_some() { ", " }
                (case.province_name.as_deref().unwrap_or("—"))
                @if !case.address.is_empty() { br; (case.address) }
                @if let Some(c) = case.coordinates { br; (format!("{:.5}, {:.5}", c.latitude, c.longitude)) }
            }
            @if let Some(into) = case.merged_into { dt { (t(lang, "hotline.merged_into")) } dd { a href={ "/hotline/cases/" (into) } { "#" (into) } } }
        }
        h2 { (t(lang, "hotline.reports")) " (" (reports.len()) ")" }
        @for (report, reporter, evidence) in &report_views {
            article.report {
                h3 { (channel_label(lang, report.channel)) " · " (crate::vietnam_time(report.received_at)) " · " code { (report.tracking_code) } }
                p.description { (report.description) }
                dl.facts {
                    @if let Some(onset) = report.onset { dt { (t(lang, "hotline.onset")) } dd { (t(lang, &format!("hotline.onset.{}", onset.code()))) } }
                    @if let Some(severity) = report.severity { dt { (t(lang, "hotline.severity")) } dd { (t(lang, &format!("hotline.severity.{}", severity.code()))) } }
                    @if !report.signs.is_empty() { dt { (t(lang, "hotline.signs")) } dd { (report.signs.join(", ")) } }
                    @if let Some(at) = report.observed_at { dt { (t(lang, "hotline.observed_at")) } dd { (crate::vietnam_time(at)) } }
                    @if !report.polluter.is_empty() { dt { (t(lang, "hotline.polluter")) } dd { (report.polluter) } }
                    @if let Some(n) = report.affected_people { dt { (t(lang, "hotline.affected_people")) } dd { (n) } }
                    @if !report.extent.is_empty() { dt { (t(lang, "hotline.extent")) } dd { (report.extent) } }
                    @if !report.other_information.is_empty() { dt { (t(lang, "hotline.other_information")) } dd { (report.other_information) } }
                    @if !report.source_url.is_empty() {
                        dt { (t(lang, "hotline.source")) } dd { (report.outlet) " · " (report.published_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()) " · " a href=(report.source_url) rel="noopener noreferrer" { (report.source_url) } }
                    }
                }
                @if !evidence.is_empty() {
                    ul.evidence { @for e in evidence {
                        li { a href={ "/hotline/cases/" (case.id) "/evidence/" (e.sha256) } { (e.file_name) } " (" (crate::layout::format_bytes(e.size as u64)) ")" }
                    } }
                }
                @if let Some(r) = reporter {
                    section.protected {
                        h4 { (t(lang, "hotline.reporter")) }
                        p { (r.name) @if !r.phone.is_empty() { " · " (r.phone) } @if !r.email.is_empty() { " · " (r.email) } @if !r.address.is_empty() { " · " (r.address) } }
                    }
                }
            }
        }
        h2 { (t(lang, "hotline.history")) }
        ol.history {
            @for step in &steps {
                li {
                    time datetime=(step.at.to_rfc3339()) { (crate::vietnam_time(step.at)) } " — "
                    strong { (CaseStatus::parse(&step.to_status).map(|s| status_label(lang, s)).unwrap_or("—")) }
                    " · " (step.actor_label) ": " (super::step_note(lang, &step.note))
                }
            }
        }
        @if !next.is_empty() {
            section.action {
                h2 { (t(lang, "hotline.next_step")) }
                form method="post" action={ "/hotline/cases/" (case.id) "/step" } {
                    (csrf_field(ctx))
                    input type="hidden" name="version" value=(case.version);
                    div.field {
                        label for="f-to" { (t(lang, "hotline.new_status")) }
                        select id="f-to" name="to" { @for s in &next { option value=(s.code()) { (status_label(lang, *s)) } } }
                    }
                    div.field.invalid[error_of("note").is_some()] {
                        label for="f-note" { (t(lang, "hotline.note")) span.req aria-hidden="true" { " *" } }
                        textarea id="f-note" name="note" rows="3" required {}
                        @if let Some(m) = error_of("note") { p.error role="alert" { (m) } }
                    }
                    button.primary type="submit" { (t(lang, "hotline.record_step")) }
                }
            }
        }
        @if access.is_operator() && !case.status.is_final() {
            @if !suggestions.is_empty() {
                section.action {
                    h2 { (t(lang, "hotline.suggestions")) }
                    p.hint { (t(lang, "hotline.suggestions_hint")) }
                    ul.suggestions { @for s in &suggestions {
                        li {
                            a href={ "/hotline/cases/" (s.case_id) } { "#" (s.case_id) " " (s.title) } " · " (status_label(lang, s.status)) " · " (crate::vietnam_time(s.received_at))
                            form.inline method="post" action={ "/hotline/cases/" (case.id) "/merge" } {
                                (csrf_field(ctx))
                                input type="hidden" name="into" value=(s.case_id);
                                input type="hidden" name="note" value=(format!("{} #{}", t(lang, "hotline.merged_note"), s.case_id));
                                button type="submit" { (t(lang, "hotline.merge_into_this")) }
                            }
                        }
                    } }
                }
            }
            section.action {
                h2 { (t(lang, "hotline.merge")) }
                form method="post" action={ "/hotline/cases/" (case.id) "/merge" } {
                    (csrf_field(ctx))
                    (Field::text("into", t(lang, "hotline.merge_into"), "").kind("number").required().render(lang, errors))
                    (Field::text("note", t(lang, "hotline.note"), "").required().render(lang, &[]))
                    button type="submit" { (t(lang, "hotline.merge")) }
                }
            }
            @if let Some(places) = &places {
                section.action {
                    h2 { (t(lang, "hotline.route")) }
                    form method="post" action={ "/hotline/cases/" (case.id) "/route" } {
                        (csrf_field(ctx))
                        input type="hidden" name="version" value=(case.version);
                        div.field {
                            label for="f-route-province" { (t(lang, "hotline.province")) }
                            select id="f-route-province" name="province_id" {
                                option value="" { (t(lang, "hotline.central")) }
                                @for p in &places.provinces { option value=(p.id) selected[Some(p.id) == case.province_id] { (p.name) } }
                            }
                        }
                        div.field.check { label { input type="checkbox" name="inter_provincial" value="1" checked[case.inter_provincial]; " " (t(lang, "hotline.inter_provincial")) } }
                        (Field::text("note", t(lang, "hotline.note"), "").required().render(lang, &[]))
                        button type="submit" { (t(lang, "hotline.route")) }
                    }
                }
            }
            @if !case.identity_shared && case.routed_to.province().is_some() {
                section.action {
                    h2 { (t(lang, "hotline.share_identity")) }
                    p.hint { (t(lang, "hotline.share_identity_hint")) }
                    form method="post" action={ "/hotline/cases/" (case.id) "/share" } {
                        (csrf_field(ctx))
                        (Field::text("reason", t(lang, "hotline.reason"), "").required().render(lang, &[]))
                        button type="submit" { (t(lang, "hotline.share_identity")) }
                    }
                }
            }
        }
        p { a href="/hotline" { "← " (t(lang, "hotline.cases")) } }
    };
    Ok((status, page(ctx, &title, body)).into_response())
}

/// Store refusals of an action, shown on the case page.
async fn refused(
    state: &AppState,
    ctx: &SignedIn,
    id: i64,
    error: StoreError,
) -> AppResult<Response> {
    let (field, key, status) = match &error {
        StoreError::Invalid(code) if code == "hotline_note_missing" => (
            "note",
            "hotline.error.hotline_note_missing".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        StoreError::Invalid(code) => (
            "to",
            format!("hotline.error.{code}"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        StoreError::Stale => ("version", "form.stale".to_owned(), StatusCode::CONFLICT),
        StoreError::NotFound => (
            "into",
            "form.unknown_value".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        _ => return Err(error.into()),
    };
    let (case, access) = readable_case(state, ctx, id).await?;
    render_case(
        state,
        ctx,
        case,
        access,
        "",
        false,
        &[FieldError::new(field, &key)],
        status,
    )
    .await
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
}

async fn take_step(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let (case, access) = readable_case(&state, &ctx, id).await?;
    let to = CaseStatus::parse(&form.to)
        .map_err(|_| AppError::field("validation", "to", "form.unknown_value"))?;
    if !access.may_step(case.routed_to, to) {
        return Err(AppError::Forbidden);
    }
    let note = vanphong_core::text::normalize(&form.note);
    if note.chars().count() > 2000 {
        return Err(AppError::field("validation", "note", "form.too_long"));
    }
    match hotline::step(&state.db, &ctx.origin(), case.id, form.version, to, &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/hotline/cases/{id}?saved=1")).into_response()),
        Err(e) => refused(&state, &ctx, id, e).await,
    }
}

#[derive(Deserialize)]
struct RouteForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    province_id: String,
    #[serde(default)]
    inter_provincial: String,
    #[serde(default)]
    note: String,
}

async fn route_case(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<RouteForm>,
) -> AppResult<Response> {
    let (case, access) = readable_case(&state, &ctx, id).await?;
    if !access.is_operator() {
        return Err(AppError::Forbidden);
    }
    let places = Places::load(&state).await?;
    let province = match form.province_id.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .ok()
                .and_then(|p| places.provinces.iter().find(|a| a.id.0 == p))
                .map(|a| a.id)
                .ok_or_else(|| {
                    AppError::field("validation", "province_id", "form.unknown_value")
                })?,
        ),
    };
    let note = vanphong_core::text::normalize(&form.note);
    match hotline::route(
        &state.db,
        &ctx.origin(),
        case.id,
        form.version,
        province,
        form.inter_provincial == "1",
        &note,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/hotline/cases/{id}?saved=1")).into_response()),
        Err(e) => refused(&state, &ctx, id, e).await,
    }
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(default)]
    into: String,
    #[serde(default)]
    note: String,
}

async fn merge_case(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<MergeForm>,
) -> AppResult<Response> {
    let (case, access) = readable_case(&state, &ctx, id).await?;
    if !access.is_operator() {
        return Err(AppError::Forbidden);
    }
    let Ok(into) = form.into.trim().trim_start_matches('#').parse::<i64>() else {
        return refused(&state, &ctx, id, StoreError::NotFound).await;
    };
    let note = vanphong_core::text::normalize(&form.note);
    match hotline::merge(&state.db, &ctx.origin(), case.id, CaseId(into), &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/hotline/cases/{into}?saved=1")).into_response()),
        Err(e) => refused(&state, &ctx, id, e).await,
    }
}

#[derive(Deserialize)]
struct ShareForm {
    #[serde(default)]
    reason: String,
}

async fn share_identity(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ShareForm>,
) -> AppResult<Response> {
    let (case, access) = readable_case(&state, &ctx, id).await?;
    if !access.is_operator() {
        return Err(AppError::Forbidden);
    }
    let reason = vanphong_core::text::normalize(&form.reason);
    match hotline::share_identity(&state.db, &ctx.origin(), case.id, &reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/hotline/cases/{id}?saved=1")).into_response()),
        Err(StoreError::Invalid(_)) => {
            refused(
                &state,
                &ctx,
                id,
                StoreError::Invalid("hotline_note_missing".into()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn download_evidence(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path((id, sha256)): Path<(i64, String)>,
) -> AppResult<Response> {
    let (case, _) = readable_case(&state, &ctx, id).await?;
    let Some((_, file_name)) = hotline::evidence_report(&state.db, case.id, &sha256).await? else {
        return Err(AppError::NotFound);
    };
    let blob = vanphong_store::blobs::metadata(&state.db, &sha256).await?;
    let stream = state.blobs.open_stream(&sha256).await?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        crate::context::urlencode(&file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, blob.content_type.clone()),
            (header::CONTENT_LENGTH, blob.size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

async fn officers_page(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let lang = ctx.lang;
    let officers = hotline::officers(&state.db).await?;
    let places = Places::load(&state).await?;
    let body = html! {
        h1 { (t(lang, "hotline.officers")) }
        p.hint { (t(lang, "hotline.officers_hint")) }
        @if officers.is_empty() { p.muted { (t(lang, "list.empty")) } } @else {
            table.list {
                thead { tr { th { (t(lang, "hotline.username")) } th { (t(lang, "hotline.full_name")) } th { (t(lang, "hotline.province")) } } }
                tbody { @for (_, username, name, province) in &officers { tr { td { (username) } td { (name) } td { (province) } } } }
            }
        }
        form method="post" action="/hotline/officers" {
            (csrf_field(&ctx))
            (Field::text("username", t(lang, "hotline.username"), "").required().render(lang, &[]))
            div.field {
                label for="f-officer-province" { (t(lang, "hotline.province")) }
                select id="f-officer-province" name="province_id" {
                    option value="" { (t(lang, "hotline.no_longer_officer")) }
                    @for p in &places.provinces { option value=(p.id) { (p.name) } }
                }
            }
            button.primary type="submit" { (t(lang, "form.save")) }
        }
    };
    Ok(page(&ctx, t(lang, "hotline.officers"), body).into_response())
}

#[derive(Deserialize)]
struct OfficerForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    province_id: String,
}

async fn set_officer(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<OfficerForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let user = users::by_username(&state.db, form.username.trim())
        .await
        .map_err(|_| AppError::field("validation", "username", "form.unknown_value"))?;
    let places = Places::load(&state).await?;
    let province = match form.province_id.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .ok()
                .and_then(|p| places.provinces.iter().find(|a| a.id.0 == p))
                .map(|a| a.id)
                .ok_or_else(|| {
                    AppError::field("validation", "province_id", "form.unknown_value")
                })?,
        ),
    };
    hotline::set_officer(&state.db, &ctx.origin(), UserId(user.id.0), province).await?;
    Ok(Redirect::to("/hotline/officers").into_response())
}
