//! Work files and the agency archive: the list of files (filters, pages, CSV/XLSX), a
//! file's page with its documents, the forms to open, fill and close a file, the handover
//! records a unit makes and the archive's "received" action.

use crate::context::SignedIn;
use crate::error::{text_error, AppError, AppResult, FieldError};
use crate::export::{Format, Table};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, export_links, field_error, page, select, Field};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;
use vanphong_core::ids::UnitId;
use vanphong_core::permission::{self, Action, Target};
use vanphong_core::text;
use vanphong_core::work_file::{FileCode, FileStatus, Retention};
use vanphong_store::work_files::{
    self, Handover, NewHandover, NewWorkFile, WorkFile, WorkFileFilter, WorkFileScope,
};
use vanphong_store::{org, StoreError};

const PAGE_SIZE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/files", get(list_page))
        .route("/files/new", get(new_page).post(create))
        .route("/files/{id}", get(file_page))
        .route("/files/{id}/documents", post(add_document))
        .route("/files/{id}/close", post(close))
        .route("/files/handovers", get(handovers_page))
        .route(
            "/files/handovers/new",
            get(new_handover_page).post(create_handover),
        )
        .route("/files/handovers/{id}", get(handover_page))
        .route("/files/handovers/{id}/receive", post(receive))
}

/// A url-encoded form read whole, keeping repeated fields (the handover's file list).
struct FormFields(HashMap<String, Vec<String>>);

impl FormFields {
    fn parse(body: &[u8]) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            map.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        Self(map)
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .get(name)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

fn parse_day(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

pub fn status_label(lang: Lang, status: FileStatus) -> &'static str {
    t(lang, &format!("files.status.{}", status.code()))
}

pub fn retention_label(lang: Lang, retention: Retention) -> String {
    match retention {
        Retention::Permanent => t(lang, "files.permanent").to_owned(),
        Retention::Years(n) => format!("{n} {}", t(lang, "files.years")),
    }
}

/// The files the signed-in user may read; none at all is a refusal.
async fn scope(state: &AppState, ctx: &SignedIn) -> AppResult<WorkFileScope> {
    work_files::scope_of(&state.db, &ctx.user().actor())
        .await?
        .ok_or(AppError::Forbidden)
}

/// The units whose files the user keeps (opens, closes, hands over).
async fn keeping_units(state: &AppState, ctx: &SignedIn) -> AppResult<Vec<(UnitId, String)>> {
    let tree = org::unit_tree(&state.db).await?;
    let actor = ctx.user().actor();
    Ok(org::units(&state.db)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .filter(|u| {
            permission::authorize(
                &actor,
                Action::HandleAssignment,
                Target::in_unit(u.id),
                &tree,
            )
            .is_ok()
        })
        .map(|u| (u.id, u.name))
        .collect())
}

fn is_archivist(ctx: &SignedIn) -> bool {
    ctx.authorize(
        Action::ReceiveIntoArchive,
        Target::AGENCY,
        &Default::default(),
    )
    .is_ok()
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    received_from: String,
    #[serde(default)]
    received_to: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
    format: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> WorkFileFilter {
        WorkFileFilter {
            status: FileStatus::parse(&self.status).ok(),
            unit: self.unit_id.trim().parse().ok().map(UnitId),
            year: self.year.trim().parse().ok(),
            received_from: parse_day(&self.received_from),
            received_to: parse_day(&self.received_to),
            text: Some(text::normalize(&self.q)).filter(|q| !q.is_empty()),
        }
    }

    fn query_string(&self) -> String {
        [
            ("status", &self.status),
            ("unit_id", &self.unit_id),
            ("year", &self.year),
            ("received_from", &self.received_from),
            ("received_to", &self.received_to),
            ("q", &self.q),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::context::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub fn files_table(lang: Lang, files: &[WorkFile]) -> Table {
    Table {
        sheet: t(lang, "files.title").to_owned(),
        headers: [
            "files.code",
            "files.file_title",
            "files.year",
            "files.unit",
            "files.retention",
            "files.keeper",
            "files.status",
            "files.opened_on",
            "files.closed_on",
            "files.received_on",
            "files.document_count",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: files
            .iter()
            .map(|f| {
                vec![
                    f.code.clone(),
                    f.title.clone(),
                    f.year.to_string(),
                    f.unit_name.clone(),
                    retention_label(lang, f.retention),
                    f.keeper_name.clone().unwrap_or_default(),
                    status_label(lang, f.status).to_owned(),
                    day(Some(f.opened_on)),
                    day(f.closed_on),
                    day(f.received_on),
                    f.document_count.to_string(),
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
    let scope = scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let filter = query.filter();
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let files = work_files::list(&state.db, &scope, &filter, 0, 100_000).await?;
        return files_table(lang, &files).respond(format, "ho-so-cong-viec");
    }
    let page_number: i64 = query.page.parse().unwrap_or(1).max(1);
    let total = work_files::count(&state.db, &scope, &filter).await?;
    let files = work_files::list(
        &state.db,
        &scope,
        &filter,
        (page_number - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )
    .await?;
    let units: Vec<_> = org::units(&state.db)
        .await?
        .into_iter()
        .filter(|u| scope.units.as_ref().is_none_or(|s| s.contains(&u.id)))
        .collect();
    let may_open = !keeping_units(&state, &ctx).await?.is_empty();
    let base = format!("/files?{}", query.query_string());
    let option = |value: &str, label: &str, selected: &str| {
        html! { option value=(value) selected[value == selected] { (label) } }
    };
    let body = html! {
        h1 { (t(lang, "files.title")) }
        p.actions {
            @if may_open { a.button.primary href="/files/new" { (t(lang, "files.new")) } " " }
            a.button href="/files/handovers" { (t(lang, "files.handovers")) }
        }
        form.filters method="get" action="/files" {
            label { (t(lang, "files.status")) " "
                select name="status" { (option("", t(lang, "files.any"), &query.status))
                    @for s in FileStatus::ALL { (option(s.code(), status_label(lang, s), &query.status)) } } }
            label { (t(lang, "files.unit")) " "
                select name="unit_id" { (option("", t(lang, "files.any"), &query.unit_id))
                    @for u in &units { (option(&u.id.0.to_string(), &u.name, &query.unit_id)) } } }
            label { (t(lang, "files.year")) " " input type="number" name="year" value=(query.year) min="1945" max="2200"; }
            label { (t(lang, "files.received_from")) " " input type="date" name="received_from" value=(query.received_from); }
            label { (t(lang, "files.received_to")) " " input type="date" name="received_to" value=(query.received_to); }
            label { (t(lang, "list.search")) " " input type="search" name="q" value=(query.q); }
            button type="submit" { (t(lang, "list.filter")) }
        }
        p.muted { (t(lang, "files.found")) ": " (total) }
        @if files.is_empty() {
            p.muted { (t(lang, "list.empty")) }
        } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "files.code")) } th { (t(lang, "files.file_title")) } th { (t(lang, "files.year")) }
                    th { (t(lang, "files.unit")) } th { (t(lang, "files.retention")) } th { (t(lang, "files.status")) }
                    th { (t(lang, "files.received_on")) } th { (t(lang, "files.document_count")) }
                } }
                tbody {
                    @for f in &files {
                        tr {
                            td { a href={ "/files/" (f.id) } { (f.code) } }
                            td { (f.title) }
                            td { (f.year) }
                            td { (f.unit_name) }
                            td { (retention_label(lang, f.retention)) }
                            td { (status_label(lang, f.status)) }
                            td { (day(f.received_on)) }
                            td { (f.document_count) }
                        }
                    }
                }
            }
        }
        nav.pager aria-label=(t(lang, "list.pagination")) {
            @if page_number > 1 {
                a href={ (base) "&page=" (page_number - 1) } rel="prev" { "← " (t(lang, "files.previous_page")) } " "
            }
            @if page_number * PAGE_SIZE < total {
                a href={ (base) "&page=" (page_number + 1) } rel="next" { (t(lang, "list.next_page")) " →" }
            }
        }
        (export_links(lang, &base))
    };
    Ok(page(&ctx, t(lang, "files.title"), body).into_response())
}

/// The new-file form, with what was typed and the errors beside the fields.
async fn render_new(
    state: &AppState,
    ctx: &SignedIn,
    form: &FormFields,
    errors: &[FieldError],
) -> AppResult<Response> {
    let lang = ctx.lang;
    let units = keeping_units(state, ctx).await?;
    if units.is_empty() {
        return Err(AppError::Forbidden);
    }
    let options: Vec<(String, String)> = units
        .iter()
        .map(|(id, name)| (id.0.to_string(), name.clone()))
        .collect();
    let this_year = crate::vietnam_today().format("%Y").to_string();
    let today = crate::vietnam_today().to_string();
    let value = |name: &str, default: &str| -> String {
        match form.0.get(name) {
            Some(_) => form.get(name).to_owned(),
            None => default.to_owned(),
        }
    };
    let unit_default = ctx
        .user()
        .unit_id
        .map(|u| u.0.to_string())
        .unwrap_or_default();
    let body = html! {
        h1 { (t(lang, "files.new")) }
        (error_summary(lang, errors))
        form method="post" action="/files/new" novalidate {
            (csrf_field(ctx))
            (Field::text("code", t(lang, "files.code"), &value("code", "")).required().autofocus().hint(t(lang, "files.code_hint")).render(lang, errors))
            (Field::text("title", t(lang, "files.file_title"), &value("title", "")).required().render(lang, errors))
            (Field::text("year", t(lang, "files.year"), &value("year", &this_year)).required().kind("number").render(lang, errors))
            (select(lang, errors, "unit_id", t(lang, "files.unit"), &options, &value("unit_id", &unit_default)))
            (Field::text("retention", t(lang, "files.retention"), &value("retention", "permanent")).required().hint(t(lang, "files.retention_hint")).render(lang, errors))
            (Field::text("opened_on", t(lang, "files.opened_on"), &value("opened_on", &today)).required().kind("date").render(lang, errors))
            (Field::text("notes", t(lang, "files.notes"), &value("notes", "")).render(lang, errors))
            button.primary type="submit" { (t(lang, "files.open_action")) }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page(ctx, t(lang, "files.new"), body)).into_response())
}

async fn new_page(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    render_new(&state, &ctx, &FormFields(HashMap::new()), &[]).await
}

async fn create(State(state): State<AppState>, ctx: SignedIn, body: Bytes) -> AppResult<Response> {
    let form = FormFields::parse(&body);
    let mut errors = Vec::new();
    let code = FileCode::parse(form.get("code"))
        .map_err(|_| errors.push(FieldError::new("code", "files.code_invalid")))
        .ok();
    let title = text::required_line(form.get("title"), 500)
        .map_err(|e| errors.push(text_error("title", e)))
        .ok();
    let year = form
        .get("year")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| vanphong_core::work_file::check_year(*y).is_ok());
    if year.is_none() {
        errors.push(FieldError::new("year", "files.year_invalid"));
    }
    let unit = form.get("unit_id").trim().parse::<i64>().ok().map(UnitId);
    if unit.is_none() {
        errors.push(FieldError::new("unit_id", "files.unknown_unit"));
    }
    let retention = Retention::parse(form.get("retention"))
        .map_err(|_| errors.push(FieldError::new("retention", "files.retention_invalid")))
        .ok();
    let opened_on = parse_day(form.get("opened_on"));
    if opened_on.is_none() {
        errors.push(FieldError::new("opened_on", "form.date_invalid"));
    }
    let notes = text::optional_line(form.get("notes"), 1000)
        .map_err(|e| errors.push(text_error("notes", e)))
        .ok()
        .flatten()
        .unwrap_or_default();
    let (Some(code), Some(title), Some(year), Some(unit), Some(retention), Some(opened_on)) =
        (code, title, year, unit, retention, opened_on)
    else {
        return render_new(&state, &ctx, &form, &errors).await;
    };
    let new = NewWorkFile {
        code,
        title,
        year,
        unit,
        retention,
        keeper: Some(ctx.user().id),
        opened_on,
        notes,
    };
    match work_files::open(&state.db, &ctx.origin(), &ctx.user().actor(), &new).await {
        Ok(file) => Ok(Redirect::to(&format!("/files/{}", file.id)).into_response()),
        Err(e) if e.is_conflict_on("code") => {
            render_new(
                &state,
                &ctx,
                &form,
                &[FieldError::new("code", "files.code_taken")],
            )
            .await
        }
        Err(StoreError::Invalid(code)) if code == "unknown_unit" => {
            render_new(
                &state,
                &ctx,
                &form,
                &[FieldError::new("unit_id", "files.unknown_unit")],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct FileQuery {
    #[serde(default)]
    saved: String,
}

async fn file_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<FileQuery>,
) -> AppResult<Response> {
    let file = work_files::readable(&state.db, &ctx.user().actor(), id).await?;
    render_file(&state, &ctx, file, query.saved == "1", &[], StatusCode::OK).await
}

async fn render_file(
    state: &AppState,
    ctx: &SignedIn,
    file: WorkFile,
    saved: bool,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let documents = work_files::file_documents(&state.db, &ctx.user().actor(), file.id).await?;
    let tree = org::unit_tree(&state.db).await?;
    let keeps = ctx
        .authorize(
            Action::HandleAssignment,
            Target::in_unit(file.unit_id),
            &tree,
        )
        .is_ok();
    let today = crate::vietnam_today().to_string();
    let body = html! {
        p { a href="/files" { "← " (t(lang, "files.title")) } }
        h1 { (file.code) " · " (file.title) }
        @if saved { p.alert.success role="status" { (t(lang, "files.saved")) } }
        (error_summary(lang, errors))
        dl.facts {
            dt { (t(lang, "files.unit")) } dd { (file.unit_name) }
            dt { (t(lang, "files.year")) } dd { (file.year) }
            dt { (t(lang, "files.retention")) } dd { (retention_label(lang, file.retention)) }
            dt { (t(lang, "files.keeper")) } dd { (file.keeper_name.as_deref().unwrap_or("—")) }
            dt { (t(lang, "files.status")) } dd { (status_label(lang, file.status)) }
            dt { (t(lang, "files.opened_on")) } dd { (day(Some(file.opened_on))) }
            @if file.closed_on.is_some() { dt { (t(lang, "files.closed_on")) } dd { (day(file.closed_on)) } }
            @if let Some(h) = file.handover_id {
                dt { (t(lang, "files.handover")) } dd { a href={ "/files/handovers/" (h) } { "#" (h) } }
            }
            @if file.received_on.is_some() { dt { (t(lang, "files.received_on")) } dd { (day(file.received_on)) } }
            @if !file.notes.is_empty() { dt { (t(lang, "files.notes")) } dd { (file.notes) } }
        }
        h2 { (t(lang, "files.documents")) " (" (documents.len()) ")" }
        @if documents.is_empty() {
            p.muted { (t(lang, "list.empty")) }
        } @else {
            table.list {
                thead { tr { th { (t(lang, "files.document_number")) } th { (t(lang, "files.document_date")) } th { (t(lang, "files.document_subject")) } } }
                tbody {
                    @for d in &documents {
                        tr {
                            td { a href={ "/documents/" (d.direction) "/" (d.id) } { (d.number_symbol.as_deref().unwrap_or("—")) } }
                            td { (day(d.document_date)) }
                            td { (d.subject) }
                        }
                    }
                }
            }
        }
        @if keeps && file.status == FileStatus::Open {
            form method="post" action={ "/files/" (file.id) "/documents" } {
                (csrf_field(ctx))
                (Field::text("document_id", t(lang, "files.document_id"), "").kind("number").hint(t(lang, "files.document_id_hint")).render(lang, errors))
                button type="submit" { (t(lang, "files.add_document")) }
            }
            form method="post" action={ "/files/" (file.id) "/close" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(file.version);
                (Field::text("closed_on", t(lang, "files.closed_on"), &today).kind("date").required().render(lang, errors))
                button type="submit" { (t(lang, "files.close_action")) }
            }
        }
        @if keeps && file.status == FileStatus::Closed && file.retention.goes_to_archive() {
            p { a.button href={ "/files/handovers/new?unit_id=" (file.unit_id.0) } { (t(lang, "files.hand_over_action")) } }
        }
        @if keeps && file.status == FileStatus::Closed && !file.retention.goes_to_archive() {
            p.muted { (t(lang, "files.stays_in_unit")) }
        }
    };
    Ok((status, page(ctx, &file.title, body)).into_response())
}

/// The message beside a field for a refusal the store reports by code.
fn refusal(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "unknown_document" => ("document_id", "files.unknown_document"),
        "work_file_document_already" => ("document_id", "files.document_already"),
        "work_file_transition" => ("closed_on", "files.transition_refused"),
        "work_file_closed_before_opened" => ("closed_on", "files.closed_before_opened"),
        "work_file_retention_too_short" => ("file_id", "files.retention_too_short"),
        "handover_no_files" | "unknown_work_file" => ("file_id", "files.choose_files"),
        "handover_before_closed" => ("handed_on", "files.handover_before_closed"),
        "received_before_handed" => ("received_on", "files.received_before_handed"),
        "handover_already_received" => ("received_on", "files.already_received"),
        "unknown_unit" => ("unit_id", "files.unknown_unit"),
        _ => return None,
    })
}

/// Renders the file again with the store's refusal beside its field, or passes the error on.
async fn file_refused(
    state: &AppState,
    ctx: &SignedIn,
    id: i64,
    error: StoreError,
) -> AppResult<Response> {
    let (field, key, status) = match &error {
        StoreError::Invalid(code) => match refusal(code) {
            Some((field, key)) => (field, key, StatusCode::UNPROCESSABLE_ENTITY),
            None => return Err(error.into()),
        },
        StoreError::Stale => ("closed_on", "form.stale", StatusCode::CONFLICT),
        _ => return Err(error.into()),
    };
    let file = work_files::readable(&state.db, &ctx.user().actor(), id).await?;
    render_file(
        state,
        ctx,
        file,
        false,
        &[FieldError::new(field, key)],
        status,
    )
    .await
}

async fn add_document(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormFields::parse(&body);
    let Ok(document_id) = form.get("document_id").trim().parse::<i64>() else {
        let file = work_files::readable(&state.db, &ctx.user().actor(), id).await?;
        return render_file(
            &state,
            &ctx,
            file,
            false,
            &[FieldError::new("document_id", "files.unknown_document")],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match work_files::add_document(
        &state.db,
        &ctx.origin(),
        &ctx.user().actor(),
        id,
        document_id,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/files/{id}?saved=1")).into_response()),
        Err(e) => file_refused(&state, &ctx, id, e).await,
    }
}

async fn close(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormFields::parse(&body);
    let version: i64 = form.get("version").trim().parse().unwrap_or(-1);
    let Some(closed_on) = parse_day(form.get("closed_on")) else {
        let file = work_files::readable(&state.db, &ctx.user().actor(), id).await?;
        return render_file(
            &state,
            &ctx,
            file,
            false,
            &[FieldError::new("closed_on", "form.date_invalid")],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match work_files::close(
        &state.db,
        &ctx.origin(),
        &ctx.user().actor(),
        id,
        version,
        closed_on,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/files/{id}?saved=1")).into_response()),
        Err(e) => file_refused(&state, &ctx, id, e).await,
    }
}

fn handovers_list(lang: Lang, records: &[Handover]) -> Markup {
    html! {
        @if records.is_empty() {
            p.muted { (t(lang, "list.empty")) }
        } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "files.handover")) } th { (t(lang, "files.unit")) } th { (t(lang, "files.handed_on")) }
                    th { (t(lang, "files.file_count")) } th { (t(lang, "files.received_on")) } th { (t(lang, "files.received_by")) }
                } }
                tbody {
                    @for h in records {
                        tr {
                            td { a href={ "/files/handovers/" (h.id) } { "#" (h.id) } }
                            td { (h.unit_name) }
                            td { (day(Some(h.handed_on))) }
                            td { (h.file_count) }
                            td { @if h.received_on.is_some() { (day(h.received_on)) } @else { (t(lang, "files.waiting")) } }
                            td { (h.received_by_name.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
struct HandoversQuery {
    #[serde(default)]
    waiting: String,
    #[serde(default)]
    page: String,
}

async fn handovers_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<HandoversQuery>,
) -> AppResult<Response> {
    let scope = scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let page_number: i64 = query.page.parse().unwrap_or(1).max(1);
    let waiting = query.waiting == "1";
    let records = work_files::handovers(
        &state.db,
        &scope,
        waiting,
        (page_number - 1) * PAGE_SIZE,
        PAGE_SIZE + 1,
    )
    .await?;
    let more = records.len() as i64 > PAGE_SIZE;
    let records = &records[..records.len().min(PAGE_SIZE as usize)];
    let base = format!("/files/handovers?waiting={}", query.waiting);
    let body = html! {
        p { a href="/files" { "← " (t(lang, "files.title")) } }
        h1 { (t(lang, "files.handovers")) }
        p {
            a href="/files/handovers?waiting=1" aria-current=[waiting.then_some("page")] { (t(lang, "files.waiting_handovers")) }
            " · "
            a href="/files/handovers" aria-current=[(!waiting).then_some("page")] { (t(lang, "files.all_handovers")) }
        }
        (handovers_list(lang, records))
        nav.pager aria-label=(t(lang, "list.pagination")) {
            @if page_number > 1 { a href={ (base) "&page=" (page_number - 1) } rel="prev" { "← " (t(lang, "files.previous_page")) } " " }
            @if more { a href={ (base) "&page=" (page_number + 1) } rel="next" { (t(lang, "list.next_page")) " →" } }
        }
    };
    Ok(page(&ctx, t(lang, "files.handovers"), body).into_response())
}

#[derive(Deserialize, Default)]
struct NewHandoverQuery {
    #[serde(default)]
    unit_id: String,
}

async fn render_new_handover(
    state: &AppState,
    ctx: &SignedIn,
    form: &FormFields,
    errors: &[FieldError],
) -> AppResult<Response> {
    let lang = ctx.lang;
    let units = keeping_units(state, ctx).await?;
    let unit = form
        .get("unit_id")
        .parse::<i64>()
        .ok()
        .map(UnitId)
        .filter(|u| units.iter().any(|(id, _)| id == u))
        .or_else(|| units.first().map(|(id, _)| *id))
        .ok_or(AppError::Forbidden)?;
    let closed = work_files::list(
        &state.db,
        &WorkFileScope {
            units: Some(vec![unit]),
        },
        &WorkFileFilter {
            status: Some(FileStatus::Closed),
            ..WorkFileFilter::default()
        },
        0,
        2_000,
    )
    .await?;
    let chosen = form.all("file_id");
    let today = crate::vietnam_today().to_string();
    let handed_on = if form.0.contains_key("handed_on") {
        form.get("handed_on").to_owned()
    } else {
        today
    };
    let file_error = field_error(lang, errors, "file_id");
    let body = html! {
        p { a href="/files/handovers" { "← " (t(lang, "files.handovers")) } }
        h1 { (t(lang, "files.new_handover")) }
        (error_summary(lang, errors))
        form method="get" action="/files/handovers/new" {
            label { (t(lang, "files.unit")) " "
                select name="unit_id" { @for (id, name) in &units { option value=(id.0) selected[*id == unit] { (name) } } } }
            " " button type="submit" { (t(lang, "files.show_closed")) }
        }
        form method="post" action="/files/handovers/new" novalidate {
            (csrf_field(ctx))
            input type="hidden" name="unit_id" value=(unit.0);
            (Field::text("handed_on", t(lang, "files.handed_on"), &handed_on).kind("date").required().render(lang, errors))
            (Field::text("notes", t(lang, "files.notes"), form.get("notes")).render(lang, errors))
            fieldset.field.invalid[file_error.is_some()] {
                legend { (t(lang, "files.files_to_hand_over")) }
                @if closed.is_empty() { p.muted { (t(lang, "files.no_closed_files")) } }
                @for f in &closed {
                    @let id = f.id.to_string();
                    label {
                        input type="checkbox" name="file_id" value=(id) checked[chosen.contains(&id.as_str())] disabled[!f.retention.goes_to_archive()];
                        " " (f.code) " · " (f.title) " (" (retention_label(lang, f.retention)) ")"
                    }
                    br;
                }
                @if let Some(message) = file_error { p.error role="alert" { (message) } }
            }
            button.primary type="submit" { (t(lang, "files.hand_over_action")) }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page(ctx, t(lang, "files.new_handover"), body)).into_response())
}

async fn new_handover_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<NewHandoverQuery>,
) -> AppResult<Response> {
    let mut fields = HashMap::new();
    fields.insert("unit_id".to_owned(), vec![query.unit_id]);
    render_new_handover(&state, &ctx, &FormFields(fields), &[]).await
}

async fn create_handover(
    State(state): State<AppState>,
    ctx: SignedIn,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormFields::parse(&body);
    let mut errors = Vec::new();
    let Some(unit) = form.get("unit_id").trim().parse::<i64>().ok().map(UnitId) else {
        return render_new_handover(
            &state,
            &ctx,
            &form,
            &[FieldError::new("unit_id", "files.unknown_unit")],
        )
        .await;
    };
    let handed_on = parse_day(form.get("handed_on"));
    if handed_on.is_none() {
        errors.push(FieldError::new("handed_on", "form.date_invalid"));
    }
    let file_ids: Vec<i64> = form
        .all("file_id")
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    if file_ids.is_empty() {
        errors.push(FieldError::new("file_id", "files.choose_files"));
    }
    let notes = text::optional_line(form.get("notes"), 1000)
        .map_err(|e| errors.push(text_error("notes", e)))
        .ok()
        .flatten()
        .unwrap_or_default();
    let Some(handed_on) = handed_on.filter(|_| errors.is_empty()) else {
        return render_new_handover(&state, &ctx, &form, &errors).await;
    };
    let new = NewHandover {
        unit,
        handed_on,
        file_ids,
        notes,
    };
    match work_files::hand_over(&state.db, &ctx.origin(), &ctx.user().actor(), &new).await {
        Ok(record) => Ok(Redirect::to(&format!("/files/handovers/{}", record.id)).into_response()),
        Err(StoreError::Invalid(code)) if refusal(&code).is_some() => {
            let (field, key) = refusal(&code).unwrap_or(("file_id", "files.choose_files"));
            render_new_handover(&state, &ctx, &form, &[FieldError::new(field, key)]).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn handover_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let record = work_files::readable_handover(&state.db, &ctx.user().actor(), id).await?;
    render_handover(&state, &ctx, record, &[], StatusCode::OK).await
}

async fn render_handover(
    state: &AppState,
    ctx: &SignedIn,
    record: Handover,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let files = work_files::handover_files(&state.db, record.id).await?;
    let today = crate::vietnam_today().to_string();
    let title = format!("{} #{}", t(lang, "files.handover"), record.id);
    let body = html! {
        p { a href="/files/handovers" { "← " (t(lang, "files.handovers")) } }
        h1 { (title) }
        (error_summary(lang, errors))
        dl.facts {
            dt { (t(lang, "files.unit")) } dd { (record.unit_name) }
            dt { (t(lang, "files.handed_on")) } dd { (day(Some(record.handed_on))) }
            dt { (t(lang, "files.handed_by")) } dd { (record.handed_by_name.as_deref().unwrap_or("—")) }
            dt { (t(lang, "files.received_on")) } dd { @if record.received_on.is_some() { (day(record.received_on)) } @else { (t(lang, "files.waiting")) } }
            @if let Some(name) = &record.received_by_name { dt { (t(lang, "files.received_by")) } dd { (name) } }
            @if !record.notes.is_empty() { dt { (t(lang, "files.notes")) } dd { (record.notes) } }
        }
        h2 { (t(lang, "files.files_handed_over")) " (" (files.len()) ")" }
        table.list {
            thead { tr { th { (t(lang, "files.code")) } th { (t(lang, "files.file_title")) } th { (t(lang, "files.year")) } th { (t(lang, "files.retention")) } th { (t(lang, "files.document_count")) } } }
            tbody {
                @for f in &files {
                    tr {
                        td { a href={ "/files/" (f.id) } { (f.code) } }
                        td { (f.title) } td { (f.year) } td { (retention_label(lang, f.retention)) } td { (f.document_count) }
                    }
                }
            }
        }
        @if record.received_on.is_none() && is_archivist(ctx) {
            form method="post" action={ "/files/handovers/" (record.id) "/receive" } novalidate {
                (csrf_field(ctx))
                (Field::text("received_on", t(lang, "files.received_on"), &today).kind("date").required().render(lang, errors))
                button.primary type="submit" { (t(lang, "files.receive_action")) }
            }
        }
    };
    Ok((status, page(ctx, &title, body)).into_response())
}

async fn receive(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormFields::parse(&body);
    let actor = ctx.user().actor();
    let error = match parse_day(form.get("received_on")) {
        None => FieldError::new("received_on", "form.date_invalid"),
        Some(on) => match work_files::receive(&state.db, &ctx.origin(), &actor, id, on).await {
            Ok(_) => return Ok(Redirect::to(&format!("/files/handovers/{id}")).into_response()),
            Err(StoreError::Invalid(code)) if refusal(&code).is_some() => {
                let (field, key) = refusal(&code).unwrap_or(("received_on", "form.date_invalid"));
                FieldError::new(field, key)
            }
            Err(e) => return Err(e.into()),
        },
    };
    let record = work_files::readable_handover(&state.db, &actor, id).await?;
    render_handover(
        &state,
        &ctx,
        record,
        &[error],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
