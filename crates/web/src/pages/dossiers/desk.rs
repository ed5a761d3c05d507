//! The one-stop desk: the queue of dossiers (counter and online together) with filters and
//! exports, reception at the counter with the checklist and files, the dossier page with
//! every step of its handling, the printable receipt, and the statistics.

use super::procedures::text_area;
use super::{
    day, desk_unit, dossier_scope, may_handle, may_receive, may_take, money, parse_money,
    read_upload, readable, refusal_key, status_label, timeliness_label, UploadedForm,
};
use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::export::{Format, Table};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, export_links, page, select, Field};
use crate::AppState;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use chrono::{Datelike, NaiveDate};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;
use vanphong_core::dossier::{Channel, DossierAction, DossierStatus, Timeliness};
use vanphong_core::ids::UnitId;
use vanphong_core::permission::{Action, Target};
use vanphong_core::text;
use vanphong_store::dossiers::lists::{self, DossierFilter, GroupBy, StatRow};
use vanphong_store::dossiers::procedures;
use vanphong_store::dossiers::{self, Dossier, NewDossier, NewStep, Reception};
use vanphong_store::{org, StoreError};

const PAGE_SIZE: i64 = 50;
const EXPORT_LIMIT: i64 = 100_000;
const COUNT_CAP: i64 = 2_000;

pub fn router() -> Router<AppState> {
    Router::new()
        // Files stream into the blob store, which enforces its own limit on each file.
        .route(
            "/dossiers",
            get(list_page)
                .post(receive)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/dossiers/new", get(new_page))
        .route("/dossiers/statistics", get(statistics_page))
        .route("/dossiers/{id}", get(dossier_page))
        .route("/dossiers/{id}/act", post(act))
        .route(
            "/dossiers/{id}/resubmit",
            post(resubmit_at_desk).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/dossiers/{id}/result",
            post(upload_result).layer(DefaultBodyLimit::disable()),
        )
        .route("/dossiers/{id}/receipt.pdf", get(receipt))
        .route("/dossiers/{id}/apology.pdf", get(apology_slip))
        .route("/dossiers/{id}/files/{file}", get(download))
}

pub fn parse_date(value: &str) -> Option<Result<NaiveDate, ()>> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    Some(NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| ()))
}

// ----- The queue -----

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    procedure_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    timeliness: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    overdue: String,
    page: Option<i64>,
    format: Option<String>,
}

impl ListQuery {
    pub fn filter(&self, errors: &mut Vec<FieldError>) -> DossierFilter {
        let mut date = |field: &str, value: &str| match parse_date(value) {
            Some(Ok(d)) => Some(d),
            Some(Err(())) => {
                errors.push(FieldError::new(field, "form.date_invalid"));
                None
            }
            None => None,
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new("to", "documents.period_reversed"));
            }
        }
        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        DossierFilter {
            status: self.status.trim().parse().ok(),
            procedure_id: self.procedure_id.trim().parse().ok(),
            handling_unit: self.unit_id.trim().parse().ok().map(UnitId),
            channel: Channel::parse(self.channel.trim()).map(|c| c.code().to_owned()),
            timeliness: Timeliness::parse(self.timeliness.trim()).map(|t| t.code().to_owned()),
            from,
            to,
            overdue_on: (!self.overdue.is_empty()).then(crate::vietnam_today),
            text: nonempty(&self.q).map(|q| text::normalize(&q).chars().take(200).collect()),
        }
    }

    fn query_string(&self) -> String {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("procedure_id", &self.procedure_id),
            ("unit_id", &self.unit_id),
            ("channel", &self.channel),
            ("timeliness", &self.timeliness),
            ("from", &self.from),
            ("to", &self.to),
            ("overdue", &self.overdue),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::context::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

fn unit_name(units: &[org::Unit], id: Option<i64>) -> String {
    id.and_then(|id| units.iter().find(|u| u.id.0 == id))
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

pub fn dossier_table(lang: Lang, list: &[Dossier], units: &[org::Unit]) -> Table {
    Table {
        sheet: t(lang, "dossiers.title").into(),
        headers: [
            "dossiers.code",
            "dossiers.procedure",
            "dossiers.applicant",
            "dossiers.phone",
            "dossiers.channel",
            "dossiers.submitted_on",
            "dossiers.received_on",
            "dossiers.due_date",
            "dossiers.handling_unit",
            "dossiers.status",
            "dossiers.finished_on",
            "dossiers.timeliness",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: list
            .iter()
            .map(|d| {
                vec![
                    d.code.clone(),
                    d.procedure_name.clone(),
                    d.applicant_name.clone(),
                    d.applicant_phone.clone(),
                    t(lang, &format!("channel.{}", d.channel)).to_owned(),
                    day(Some(d.submitted_on)),
                    day(d.received_on),
                    day(d.due_date),
                    unit_name(units, d.handling_unit_id),
                    status_label(lang, d.status()).to_owned(),
                    day(d.finished_on),
                    timeliness_label(lang, d.timeliness.as_deref()).to_owned(),
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
    let lang = ctx.lang;
    let scope = dossier_scope(&state, &ctx).await?;
    let mut errors = Vec::new();
    let filter = query.filter(&mut errors);
    let units = org::units(&state.db).await?;
    if let Some(format) = Format::parse(query.format.as_deref()) {
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let list = lists::list(&state.db, &scope, &filter, 0, EXPORT_LIMIT).await?;
        return dossier_table(lang, &list, &units).respond(format, "ho-so");
    }
    let page_number = query.page.unwrap_or(1).max(1);
    let (mut list, total) = if errors.is_empty() {
        let list = lists::list(
            &state.db,
            &scope,
            &filter,
            (page_number - 1) * PAGE_SIZE,
            PAGE_SIZE + 1,
        )
        .await?;
        let total = lists::count_up_to(&state.db, &scope, &filter, COUNT_CAP + 1).await?;
        (list, total)
    } else {
        (Vec::new(), 0)
    };
    let has_next = list.len() as i64 > PAGE_SIZE;
    list.truncate(PAGE_SIZE as usize);
    let today = crate::vietnam_today();
    let base = format!("/dossiers?{}", query.query_string());
    let mut status_options = vec![(String::new(), t(lang, "documents.any_status").to_owned())];
    status_options.extend(
        DossierStatus::ALL
            .iter()
            .map(|s| (s.number().to_string(), status_label(lang, *s).to_owned())),
    );
    let mut procedure_options = vec![(String::new(), t(lang, "dossiers.any_procedure").to_owned())];
    procedure_options.extend(
        procedures::list(&state.db, true)
            .await?
            .into_iter()
            .map(|p| (p.id.to_string(), format!("{} · {}", p.code, p.name))),
    );
    let mut unit_options = vec![(String::new(), t(lang, "list.all_units").to_owned())];
    unit_options.extend(units.iter().map(|u| (u.id.to_string(), u.name.clone())));
    let channel_options = vec![
        (String::new(), t(lang, "dossiers.any_channel").to_owned()),
        ("counter".to_owned(), t(lang, "channel.counter").to_owned()),
        ("online".to_owned(), t(lang, "channel.online").to_owned()),
    ];
    let mut timeliness_options =
        vec![(String::new(), t(lang, "dossiers.any_timeliness").to_owned())];
    timeliness_options.extend(Timeliness::ALL.iter().map(|x| {
        (
            x.code().to_owned(),
            timeliness_label(lang, Some(x.code())).to_owned(),
        )
    }));
    let receives = ctx
        .user()
        .roles
        .contains(&vanphong_core::auth::Role::OneStopOfficer);
    let body = html! {
        h1 { (t(lang, "dossiers.title")) }
        p {
            @if receives { a.button href="/dossiers/new" accesskey="n" { (t(lang, "dossiers.receive")) } " " }
            a href="/procedures" { (t(lang, "procedures.title")) } " · "
            a href="/dossiers/statistics" { (t(lang, "dossiers.statistics")) }
        }
        (error_summary(lang, &errors))
        form.filters method="get" action="/dossiers" role="search" {
            (Field::text("q", t(lang, "list.search"), &query.q).kind("search").hint(t(lang, "dossiers.search_hint")).render(lang, &errors))
            (select(lang, &errors, "status", t(lang, "dossiers.status"), &status_options, &query.status))
            (select(lang, &errors, "procedure_id", t(lang, "dossiers.procedure"), &procedure_options, &query.procedure_id))
            (select(lang, &errors, "unit_id", t(lang, "dossiers.handling_unit"), &unit_options, &query.unit_id))
            (select(lang, &errors, "channel", t(lang, "dossiers.channel"), &channel_options, &query.channel))
            (select(lang, &errors, "timeliness", t(lang, "dossiers.timeliness"), &timeliness_options, &query.timeliness))
            (Field::text("from", t(lang, "documents.from"), &query.from).kind("date").render(lang, &errors))
            (Field::text("to", t(lang, "documents.to"), &query.to).kind("date").render(lang, &errors))
            div.field.check { label { input type="checkbox" name="overdue" value="1" checked[!query.overdue.is_empty()]; " " (t(lang, "documents.only_overdue")) } }
            button type="submit" { (t(lang, "list.filter")) }
        }
        p { @if total > COUNT_CAP { (t(lang, "documents.more_than")) " " (COUNT_CAP) } @else { (total) } " " (t(lang, "dossiers.count")) }
        (export_links(lang, &base))
        @if list.is_empty() { p.muted { (t(lang, "list.empty")) } } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "dossiers.code")) } th { (t(lang, "dossiers.procedure")) } th { (t(lang, "dossiers.applicant")) }
                    th { (t(lang, "dossiers.channel")) } th { (t(lang, "dossiers.submitted_on")) } th { (t(lang, "dossiers.due_date")) }
                    th { (t(lang, "dossiers.status")) }
                } }
                tbody { @for d in &list {
                    @let overdue = d.status().is_open() && !d.status().clock_stopped() && d.due_date.is_some_and(|due| due < today);
                    tr class=[overdue.then_some("deadline-overdue")] {
                        td { a href={ "/dossiers/" (d.id) } { (d.code) } }
                        td { (d.procedure_name) }
                        td { (d.applicant_name) }
                        td { (t(lang, &format!("channel.{}", d.channel))) }
                        td { (day(Some(d.submitted_on))) }
                        td { (day(d.due_date)) @if overdue { " " span.badge.overdue { (t(lang, "deadline.overdue")) } } }
                        td { (status_label(lang, d.status())) @if let Some(x) = &d.timeliness { " · " (timeliness_label(lang, Some(x))) } }
                    }
                } }
            }
        }
        @if page_number > 1 || has_next {
            nav.pager aria-label=(t(lang, "list.pagination")) {
                @if page_number > 1 { a href={ (base) "&page=" (page_number - 1) } rel="prev" { "← " (t(lang, "list.previous_page")) } " " }
                span { (page_number) } " "
                @if has_next { a href={ (base) "&page=" (page_number + 1) } rel="next" { (t(lang, "list.next_page")) " →" } }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page(&ctx, t(lang, "dossiers.title"), body)).into_response())
}

// ----- Reception -----

/// The applicant's details, checked; shared by the desk and the public form.
pub struct Applicant {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub subject: String,
}

pub fn parse_applicant(form: &UploadedForm, errors: &mut Vec<FieldError>) -> Option<Applicant> {
    let mut line = |field: &str, max: usize, required: bool| -> Option<String> {
        let r = if required {
            text::required_line(form.get(field), max)
        } else {
            text::optional_line(form.get(field), max).map(Option::unwrap_or_default)
        };
        r.map_err(|e| errors.push(crate::error::text_error(field, e)))
            .ok()
    };
    let name = line("applicant_name", 300, true);
    let id_number = line("applicant_id_number", 30, false);
    let phone = line("applicant_phone", 30, true);
    let email = line("applicant_email", 200, false);
    let address = line("applicant_address", 500, false);
    let subject = line("subject", 500, false);
    let phone = phone.filter(|p| {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        let ok = (8..=15).contains(&digits)
            && p.chars()
                .all(|c| c.is_ascii_digit() || " +.-()".contains(c));
        if !ok {
            errors.push(FieldError::new("applicant_phone", "dossiers.phone_invalid"));
        }
        ok
    });
    let email = email.filter(|e| {
        let ok = e.is_empty() || (e.contains('@') && !e.contains(' '));
        if !ok {
            errors.push(FieldError::new("applicant_email", "dossiers.email_invalid"));
        }
        ok
    });
    Some(Applicant {
        name: name?,
        id_number: id_number?,
        phone: phone?,
        email: email?,
        address: address?,
        subject: subject?,
    })
}

/// Refuses a checklist whose required lines are neither ticked nor attached, beside each line.
pub fn check_components(
    components: &[vanphong_core::dossier::Component],
    provided: &[usize],
    files: &[dossiers::NewFile],
    errors: &mut Vec<FieldError>,
) {
    for (i, c) in components.iter().enumerate() {
        let attached = files.iter().any(|f| f.component == Some(i));
        if c.required && !attached && !provided.contains(&i) {
            errors.push(FieldError::new(
                &format!("file_{i}"),
                "dossiers.component_missing",
            ));
        }
    }
}

#[derive(Deserialize, Default)]
struct NewQuery {
    procedure_id: Option<String>,
}

async fn new_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    let desk = own_desk(&state, &ctx).await?;
    let _ = desk;
    let form = UploadedForm::default();
    let procedure_id = query.procedure_id.and_then(|p| p.trim().parse().ok());
    render_new(&state, &ctx, procedure_id, &form, &[], StatusCode::OK).await
}

/// The officer's desk: their own unit, where they may receive.
pub async fn own_desk(state: &AppState, ctx: &SignedIn) -> AppResult<UnitId> {
    let unit = ctx.user().unit_id.ok_or(AppError::Forbidden)?;
    let tree = org::unit_tree(&state.db).await?;
    ctx.authorize(Action::ReceiveDossier, Target::in_unit(unit), &tree)?;
    Ok(unit)
}

async fn render_new(
    state: &AppState,
    ctx: &SignedIn,
    procedure_id: Option<i64>,
    form: &UploadedForm,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let catalogue = procedures::list(&state.db, false).await?;
    let chosen = procedure_id.and_then(|id| catalogue.iter().find(|p| p.id == id));
    let version = match chosen {
        Some(p) => Some(procedures::version(&state.db, p.current_version_id).await?),
        None => None,
    };
    let options: Vec<(String, String)> = catalogue
        .iter()
        .map(|p| (p.id.to_string(), format!("{} · {}", p.code, p.name)))
        .collect();
    let today = crate::vietnam_today().format("%Y-%m-%d").to_string();
    let received_on = if form.get("received_on").is_empty() {
        today.as_str()
    } else {
        form.get("received_on")
    };
    let provided: Vec<&str> = form.all("provided");
    let body = html! {
        h1 { (t(lang, "dossiers.receive")) }
        (error_summary(lang, errors))
        form method="get" action="/dossiers/new" {
            (select(lang, errors, "procedure_id", t(lang, "dossiers.procedure"), &options, &procedure_id.map(|p| p.to_string()).unwrap_or_default()))
            button type="submit" { (t(lang, "dossiers.choose_procedure")) }
        }
        @if let (Some(p), Some(v)) = (chosen, &version) {
            h2 { (p.name) }
            p.muted { (t(lang, "procedures.processing_days")) ": " (v.processing_days) " · " (t(lang, "procedures.fee")) ": " (money(v.fee)) }
            form #reception method="post" action={ "/dossiers?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
                (csrf_field(ctx))
                input type="hidden" name="procedure_id" value=(p.id);
                (Field::text("applicant_name", t(lang, "dossiers.applicant"), form.get("applicant_name")).required().autofocus().render(lang, errors))
                (Field::text("applicant_id_number", t(lang, "dossiers.id_number"), form.get("applicant_id_number")).render(lang, errors))
                (Field::text("applicant_phone", t(lang, "dossiers.phone"), form.get("applicant_phone")).kind("tel").required().render(lang, errors))
                (Field::text("applicant_email", t(lang, "dossiers.email"), form.get("applicant_email")).kind("email").render(lang, errors))
                (Field::text("applicant_address", t(lang, "dossiers.address"), form.get("applicant_address")).render(lang, errors))
                (Field::text("subject", t(lang, "dossiers.subject"), form.get("subject")).hint(t(lang, "dossiers.subject_hint")).render(lang, errors))
                (Field::text("received_on", t(lang, "dossiers.received_on"), received_on).kind("date").required().render(lang, errors))
                fieldset {
                    legend { (t(lang, "dossiers.checklist")) }
                    @for (i, c) in v.components().iter().enumerate() {
                        @let name = format!("file_{i}");
                        @let error = crate::layout::field_error(lang, errors, &name);
                        div.field.check.invalid[error.is_some()] {
                            label { input type="checkbox" name="provided" value=(i) checked[provided.contains(&i.to_string().as_str())]; " " (c.name) @if !c.form.is_empty() { " (" (c.form) ")" } @if c.required { span.req aria-hidden="true" { " *" } } }
                            input type="file" name=(name) aria-label=(c.name) accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx";
                            @if let Some(message) = error { p.error role="alert" { (message) } }
                        }
                    }
                    @let files_error = crate::layout::field_error(lang, errors, "files");
                    div.field.invalid[files_error.is_some()] {
                        label for="f-files" { (t(lang, "dossiers.other_files")) }
                        input #f-files type="file" name="files" multiple accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx";
                        @if let Some(message) = files_error { p.error role="alert" { (message) } }
                    }
                }
                button type="submit" { (t(lang, "dossiers.receive_and_print")) }
            }
        }
    };
    Ok((status, page(ctx, t(lang, "dossiers.receive"), body)).into_response())
}

async fn receive(
    State(state): State<AppState>,
    ctx: SignedIn,
    multipart: Multipart,
) -> AppResult<Response> {
    let desk = own_desk(&state, &ctx).await?;
    let form = read_upload(&state, multipart).await?;
    let mut errors = form.errors.clone();
    let procedure_id: Option<i64> = form.get("procedure_id").trim().parse().ok();
    let Some(procedure) = (match procedure_id {
        Some(id) => procedures::list(&state.db, false)
            .await?
            .into_iter()
            .find(|p| p.id == id),
        None => None,
    }) else {
        errors.push(FieldError::new(
            "procedure_id",
            "dossiers.unknown_procedure",
        ));
        return render_new(
            &state,
            &ctx,
            None,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let applicant = parse_applicant(&form, &mut errors);
    let received_on = match parse_date(form.get("received_on")) {
        Some(Ok(d)) => Some(d),
        _ => {
            errors.push(FieldError::new("received_on", "form.date_invalid"));
            None
        }
    };
    let calendar = state.calendar().await?;
    if let Some(d) = received_on {
        if !calendar.is_working_day(d).unwrap_or(false) {
            errors.push(FieldError::new("received_on", "dossiers.not_working_day"));
        }
    }
    let provided: Vec<usize> = form
        .all("provided")
        .iter()
        .filter_map(|p| p.parse().ok())
        .collect();
    let version = procedures::version(&state.db, procedure.current_version_id).await?;
    check_components(&version.components(), &provided, &form.files, &mut errors);
    let (Some(applicant), Some(received_on), true) = (applicant, received_on, errors.is_empty())
    else {
        return render_new(
            &state,
            &ctx,
            Some(procedure.id),
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let new = NewDossier {
        procedure_id: procedure.id,
        channel: Channel::Counter,
        applicant_name: applicant.name,
        applicant_id_number: applicant.id_number,
        applicant_phone: applicant.phone,
        applicant_email: applicant.email,
        applicant_address: applicant.address,
        subject: applicant.subject,
        submitted_on: received_on,
        provided,
        files: form.files.clone(),
        reception: Some(Reception {
            unit: desk,
            user: Some(ctx.user().id),
            on: received_on,
        }),
    };
    match dossiers::submit(&state.db, &ctx.origin(), &calendar, &new).await {
        Ok(d) => Ok(Redirect::to(&format!("/dossiers/{}?saved=1", d.id)).into_response()),
        Err(StoreError::Invalid(code)) if refusal_key(&code).is_some() => {
            let errors = [FieldError::new(
                "procedure_id",
                refusal_key(&code).unwrap_or_default(),
            )];
            render_new(
                &state,
                &ctx,
                Some(procedure.id),
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- The dossier page -----

#[derive(Deserialize, Default)]
struct PageQuery {
    saved: Option<String>,
}

async fn dossier_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let d = readable(&state, &ctx, id).await?;
    render_dossier(&state, &ctx, d, &[], query.saved.is_some(), StatusCode::OK).await
}

fn allowed(d: &Dossier, action: DossierAction) -> bool {
    vanphong_core::dossier::transition(
        d.status(),
        action,
        d.resume_status.and_then(DossierStatus::from_number),
    )
    .is_ok()
}

async fn render_dossier(
    state: &AppState,
    ctx: &SignedIn,
    d: Dossier,
    errors: &[FieldError],
    saved: bool,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let units = org::units(&state.db).await?;
    let checklist = dossiers::checklist(&state.db, d.id).await?;
    let files = dossiers::files(&state.db, d.id).await?;
    let steps = dossiers::steps(&state.db, d.id).await?;
    let events = dossiers::events(&state.db, d.id).await?;
    let desk = may_receive(state, ctx, &d).await?;
    let handler = may_handle(state, ctx, &d).await?;
    let version = procedures::version(&state.db, d.procedure_version_id).await?;
    let calendar = state.calendar().await?;
    let today = crate::vietnam_today();
    let left = d
        .due_date
        .and_then(|due| calendar.working_days_between(today, due).ok());
    let mut unit_options: Vec<(String, String)> = units
        .iter()
        .filter(|u| u.active)
        .map(|u| (u.id.to_string(), u.name.clone()))
        .collect();
    if let Some(h) = d.handling_unit_id {
        if let Some(pos) = unit_options.iter().position(|(id, _)| *id == h.to_string()) {
            let chosen = unit_options.remove(pos);
            unit_options.insert(0, chosen);
        }
    }
    let first_days = left.map(|l| (l - 1).max(1)).unwrap_or(1).to_string();
    let form = |action: &str, body: maud::Markup| {
        html! {
            form.action method="post" action={ "/dossiers/" (d.id) "/act" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(d.version);
                input type="hidden" name="action" value=(action);
                (body)
            }
        }
    };
    let body = html! {
        h1 { (t(lang, "dossiers.dossier")) " " (d.code) }
        @if saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        (error_summary(lang, errors))
        @for e in errors.iter().filter(|e| e.field == "action") { p.error role="alert" { (t(lang, &e.key)) } }
        dl.facts {
            dt { (t(lang, "dossiers.status")) } dd #status { (status_label(lang, d.status())) @if let Some(x) = &d.timeliness { " · " (timeliness_label(lang, Some(x))) } }
            dt { (t(lang, "dossiers.procedure")) } dd { a href={ "/procedures/" (d.procedure_id) } { (d.procedure_name) } " — " (t(lang, "procedures.decision")) " " (version.decision) }
            dt { (t(lang, "dossiers.applicant")) } dd { (d.applicant_name) " · " (d.applicant_phone) @if !d.applicant_email.is_empty() { " · " (d.applicant_email) } }
            @if !d.applicant_address.is_empty() { dt { (t(lang, "dossiers.address")) } dd { (d.applicant_address) } }
            @if !d.subject.is_empty() { dt { (t(lang, "dossiers.subject")) } dd { (d.subject) } }
            dt { (t(lang, "dossiers.channel")) } dd { (t(lang, &format!("channel.{}", d.channel))) }
            dt { (t(lang, "dossiers.submitted_on")) } dd { (day(Some(d.submitted_on))) }
            dt { (t(lang, "dossiers.received_on")) } dd { (day(d.received_on)) }
            dt { (t(lang, "dossiers.due_date")) } dd #due { (day(d.due_date)) @if d.original_due_date.is_some() && d.original_due_date != d.due_date { " (" (t(lang, "dossiers.originally")) " " (day(d.original_due_date)) ")" } }
            @if let Some(a) = d.apology_date { dt { (t(lang, "dossiers.apology_date")) } dd { (day(Some(a))) " — " (d.apology_reason) " · " a href={ "/dossiers/" (d.id) "/apology.pdf" } { (t(lang, "dossiers.print_apology")) } } }
            dt { (t(lang, "dossiers.handling_unit")) } dd { (unit_name(&units, d.handling_unit_id)) }
            dt { (t(lang, "procedures.fee")) } dd { (money(d.fee)) @if d.fee_paid { " · " (t(lang, "dossiers.fee_paid")) } }
            @if !d.refusal_reason.is_empty() { dt { (t(lang, "dossiers.refusal_reason")) } dd { (d.refusal_reason) } }
            @if let Some(r) = d.rating { dt { (t(lang, "dossiers.rating")) } dd { (r) "/5 " (d.rating_note) } }
            @if d.status().clock_stopped() { @if let Some(p) = d.paused_on { dt { (t(lang, "dossiers.clock_stopped_on")) } dd #paused { (day(Some(p))) } } }
        }
        @if d.received_on.is_some() { p { a href={ "/dossiers/" (d.id) "/receipt.pdf" } { (t(lang, "dossiers.print_receipt")) } } }
        h2 { (t(lang, "dossiers.checklist")) }
        ul.checklist { @for c in &checklist {
            li { (if c.provided { "☑ " } else { "☐ " }) (c.name) @if !c.form.is_empty() { " (" (c.form) ")" } @if !c.required { " — " em { (t(lang, "procedures.optional")) } } }
        } }
        @if !files.is_empty() {
            h2 { (t(lang, "dossiers.files")) }
            ul { @for f in &files { li { a href={ "/dossiers/" (d.id) "/files/" (f.id) } { (f.file_name) } " · " (t(lang, &format!("file_stage.{}", f.stage))) } } }
        }
        @if !steps.is_empty() {
            h2 { (t(lang, "dossiers.steps")) }
            table.list {
                thead { tr { th { "#" } th { (t(lang, "dossiers.step")) } th { (t(lang, "dossiers.handling_unit")) } th { (t(lang, "dossiers.step_days")) } th { (t(lang, "dossiers.due_date")) } th { (t(lang, "dossiers.finished_on")) } } }
                tbody { @for s in &steps { tr { td { (s.position + 1) } td { (s.name) } td { (unit_name(&units, s.unit_id)) } td { (s.days) } td { (day(Some(s.due_date))) } td { (day(s.finished_on)) } } } }
            }
        }
        h2 { (t(lang, "dossiers.history")) }
        ol.timeline { @for e in &events {
            li { (day(Some(e.occurred_on))) " — " (t(lang, &format!("dossier_action.{}", e.action))) @if !e.note.is_empty() { ": " (e.note) } }
        } }
        section.actions {
            @if desk && allowed(&d, DossierAction::Accept) {
                (form("accept", html! {
                    (Field::text("on", t(lang, "dossiers.received_on"), &today.format("%Y-%m-%d").to_string()).kind("date").render(lang, errors))
                    button type="submit" { (t(lang, "dossiers.accept")) }
                }))
            }
            @if desk && allowed(&d, DossierAction::Route) {
                (form("route", html! {
                    h3 { (t(lang, "dossiers.route")) }
                    (select(lang, errors, "unit_id", t(lang, "dossiers.handling_unit"), &unit_options, ""))
                    (Field::text("step_name_0", t(lang, "dossiers.step"), t(lang, "dossiers.default_step_1")).render(lang, errors))
                    (Field::text("step_days_0", t(lang, "dossiers.step_days"), &first_days).kind("number").render(lang, errors))
                    (Field::text("step_name_1", t(lang, "dossiers.step"), t(lang, "dossiers.default_step_2")).render(lang, errors))
                    (Field::text("step_days_1", t(lang, "dossiers.step_days"), "1").kind("number").render(lang, errors))
                    button type="submit" { (t(lang, "dossiers.route")) }
                }))
            }
            @if may_take("finish", desk, handler, &d) == Some(true) && allowed(&d, DossierAction::Finish) {
                (result_form(ctx, &d, "finish", errors))
            }
            @if may_take("attach_result", desk, handler, &d) == Some(true) && allowed(&d, DossierAction::AttachResult) {
                (result_form(ctx, &d, "attach_result", errors))
            }
            @if (desk || handler) && allowed(&d, DossierAction::RequestFeePayment) {
                (form("request_fee_payment", html! {
                    h3 { (t(lang, "dossiers.request_fee_payment")) }
                    (Field::text("amount", t(lang, "dossiers.fee_amount"), "").hint(t(lang, "dossiers.fee_amount_hint")).render(lang, errors))
                    (text_area(lang, errors, "fee_note", t(lang, "dossiers.fee_note"), "", None))
                    button type="submit" { (t(lang, "dossiers.request_fee_payment")) }
                }))
            }
            @if (desk || handler) && allowed(&d, DossierAction::ConfirmFeePayment) {
                (form("confirm_fee_payment", html! {
                    h3 { (t(lang, "dossiers.confirm_fee_payment")) }
                    p.muted { (t(lang, "dossiers.clock_resumes")) }
                    (Field::text("note", t(lang, "dossiers.payment_reference"), "").render(lang, errors))
                    button type="submit" { (t(lang, "dossiers.confirm_fee_payment")) }
                }))
            }
            @if (desk || handler) && allowed(&d, DossierAction::Stop) {
                (form("stop", html! {
                    h3 { (t(lang, "dossiers.stop")) }
                    (text_area(lang, errors, "stop_reason", t(lang, "dossiers.stop_reason"), "", None))
                    button.danger type="submit" { (t(lang, "dossiers.stop")) }
                }))
            }
            @if (desk || handler) && allowed(&d, DossierAction::Resume) {
                (form("resume", html! {
                    h3 { (t(lang, "dossiers.resume")) }
                    p.muted { (t(lang, "dossiers.clock_resumes")) }
                    (Field::text("note", t(lang, "dossiers.note"), "").render(lang, errors))
                    button type="submit" { (t(lang, "dossiers.resume")) }
                }))
            }
            @if (desk || handler) && allowed(&d, DossierAction::RequestSupplementation) {
                (form("request_supplementation", html! {
                    (text_area(lang, errors, "supplementation_note", t(lang, "dossiers.supplementation_note"), "", None))
                    button type="submit" { (t(lang, "dossiers.request_supplementation")) }
                }))
            }
            @if desk && allowed(&d, DossierAction::Resubmit) {
                form.action method="post" action={ "/dossiers/" (d.id) "/resubmit?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
                    input type="hidden" name="version" value=(d.version);
                    div.field { label for="f-files" { (t(lang, "dossiers.supplement_files")) } input #f-files type="file" name="files" multiple; }
                    button type="submit" { (t(lang, "dossiers.resubmit")) }
                }
            }
            @if (desk || handler) && allowed(&d, DossierAction::Apologise) {
                (form("apologise", html! {
                    h3 { (t(lang, "dossiers.apologise")) }
                    (Field::text("new_date", t(lang, "dossiers.apology_date"), "").kind("date").render(lang, errors))
                    (Field::text("reason", t(lang, "dossiers.apology_reason"), "").render(lang, errors))
                    button type="submit" { (t(lang, "dossiers.apologise")) }
                }))
            }
            @if desk && allowed(&d, DossierAction::ReturnResult) {
                (form("return_result", html! { button type="submit" { (t(lang, "dossiers.return_result")) } }))
            }
            @if desk && matches!(d.status(), DossierStatus::ResultReturned | DossierStatus::Refused) && d.rating.is_none() {
                (form("rate", html! {
                    (select(lang, errors, "rating", t(lang, "dossiers.rating"), &(1..=5).rev().map(|r| (r.to_string(), t(lang, &format!("rating.{r}")).to_owned())).collect::<Vec<_>>(), "5"))
                    (Field::text("note", t(lang, "dossiers.note"), "").render(lang, errors))
                    button type="submit" { (t(lang, "dossiers.record_rating")) }
                }))
            }
            @if (desk || handler) && allowed(&d, DossierAction::Refuse) {
                (form("refuse", html! {
                    (text_area(lang, errors, "refusal_reason", t(lang, "dossiers.refusal_reason"), "", None))
                    button.danger type="submit" { (t(lang, "dossiers.refuse")) }
                }))
            }
            @if desk && allowed(&d, DossierAction::Withdraw) {
                (form("withdraw", html! {
                    (Field::text("note", t(lang, "dossiers.note"), "").render(lang, errors))
                    button.danger type="submit" { (t(lang, "dossiers.withdraw")) }
                }))
            }
        }
    };
    Ok((status, page(ctx, &d.code, body)).into_response())
}

/// The fields of an action form. Read as plain pairs: the fields differ per action.
struct ActForm {
    version: i64,
    action: String,
    on: String,
    unit_id: String,
    rest: HashMap<String, String>,
}

impl ActForm {
    fn new(rest: HashMap<String, String>) -> Self {
        let get = |k: &str| rest.get(k).cloned().unwrap_or_default();
        Self {
            version: get("version").trim().parse().unwrap_or(0),
            action: get("action"),
            on: get("on"),
            unit_id: get("unit_id"),
            rest,
        }
    }

    fn get(&self, name: &str) -> &str {
        self.rest.get(name).map(String::as_str).unwrap_or_default()
    }
}

async fn act(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    // Steps with files come through the multipart forms.
    if matches!(
        fields.get("action").map(String::as_str),
        Some("attach_result" | "resubmit")
    ) {
        return Err(AppError::invalid("unknown_step"));
    }
    let d = readable(&state, &ctx, id).await?;
    match take_step(&state, &ctx, &d, fields, &[]).await? {
        StepOutcome::Done(_) => {
            Ok(Redirect::to(&format!("/dossiers/{id}?saved=1")).into_response())
        }
        StepOutcome::Refused { status, errors, .. } => {
            let d = dossiers::get(&state.db, id).await?;
            render_dossier(&state, &ctx, d, &errors, false, status).await
        }
    }
}

/// How a step on a dossier ended.
pub enum StepOutcome {
    Done(Dossier),
    /// Nothing was changed; the errors go beside the fields (`action` for the step as a
    /// whole). `code` is the store's refusal code when the store refused.
    Refused {
        status: StatusCode,
        errors: Vec<FieldError>,
        code: Option<String>,
    },
}

/// Takes one step on a dossier the user may read, from the step's fields as a form sends
/// them (`action`, `version`, and the step's own fields), with files already stored for
/// the steps that take them (`finish`, `attach_result`, `resubmit`). The dossier page and
/// the API both come here, so the same permission checks and the same parsing apply.
/// Forbidden and unknown steps are errors; refusals are an outcome.
pub async fn take_step(
    state: &AppState,
    ctx: &SignedIn,
    d: &Dossier,
    fields: HashMap<String, String>,
    files: &[dossiers::NewFile],
) -> AppResult<StepOutcome> {
    let form = ActForm::new(fields);
    let id = d.id;
    let desk = may_receive(state, ctx, d).await?;
    let handler = may_handle(state, ctx, d).await?;
    let Some(allowed_here) = may_take(&form.action, desk, handler, d) else {
        return Err(AppError::invalid("unknown_step"));
    };
    if !allowed_here {
        return Err(AppError::Forbidden);
    }
    let calendar = state.calendar().await?;
    let today = crate::vietnam_today();
    let origin = ctx.origin();
    let mut errors = Vec::new();
    let required = |field: &str, max: usize, errors: &mut Vec<FieldError>| -> Option<String> {
        text::required_line(form.get(field), max)
            .map_err(|e| errors.push(crate::error::text_error(field, e)))
            .ok()
    };
    let result = match form.action.as_str() {
        "accept" => {
            let on = match parse_date(&form.on) {
                Some(Ok(d)) => d,
                None => today,
                Some(Err(())) => {
                    errors.push(FieldError::new("on", "form.date_invalid"));
                    today
                }
            };
            let unit = desk_unit(ctx, d).ok_or(AppError::Forbidden)?;
            if errors.is_empty() {
                Some(
                    dossiers::accept(
                        &state.db,
                        &origin,
                        &calendar,
                        id,
                        form.version,
                        Reception {
                            unit,
                            user: Some(ctx.user().id),
                            on,
                        },
                    )
                    .await,
                )
            } else {
                None
            }
        }
        "route" => {
            let unit: Option<UnitId> = form.unit_id.trim().parse().ok().map(UnitId);
            if unit.is_none() {
                errors.push(FieldError::new("unit_id", "form.required"));
            }
            let mut steps = Vec::new();
            for i in 0..5 {
                let name = text::normalize(form.get(&format!("step_name_{i}")));
                let days_text = form.get(&format!("step_days_{i}")).trim().to_owned();
                if name.is_empty() && days_text.is_empty() {
                    continue;
                }
                match (
                    name.is_empty(),
                    days_text
                        .parse::<i32>()
                        .ok()
                        .filter(|d| (1..=365).contains(d)),
                ) {
                    (false, Some(days)) => steps.push(NewStep {
                        name: name.chars().take(300).collect(),
                        unit,
                        days,
                    }),
                    (true, _) => {
                        errors.push(FieldError::new(&format!("step_name_{i}"), "form.required"))
                    }
                    (_, None) => errors.push(FieldError::new(
                        &format!("step_days_{i}"),
                        "dossiers.step_days_invalid",
                    )),
                }
            }
            // The steps must end by the appointment date (unless it has already passed).
            if let (Some(due), true) = (d.due_date.filter(|due| today <= *due), errors.is_empty()) {
                let days: Vec<i32> = steps.iter().map(|s| s.days).collect();
                if let Ok(dues) = vanphong_core::dossier::step_due_dates(&calendar, today, &days) {
                    if dues.last().is_some_and(|last| *last > due) {
                        errors.push(FieldError::new(
                            &format!("step_days_{}", steps.len() - 1),
                            "dossiers.steps_beyond_due",
                        ));
                    }
                }
            }
            match (unit, errors.is_empty()) {
                (Some(unit), true) => Some(
                    dossiers::route(
                        &state.db,
                        &origin,
                        &calendar,
                        id,
                        form.version,
                        unit,
                        &steps,
                        today,
                    )
                    .await,
                ),
                _ => None,
            }
        }
        "request_supplementation" => match required("supplementation_note", 2000, &mut errors) {
            Some(note) => Some(
                dossiers::request_supplementation(
                    &state.db,
                    &origin,
                    id,
                    form.version,
                    &note,
                    today,
                )
                .await,
            ),
            None => None,
        },
        "request_fee_payment" => {
            let amount_text = form.get("amount").trim();
            let amount = if amount_text.is_empty() {
                None
            } else {
                match parse_money(amount_text) {
                    Some(a) => Some(a),
                    None => {
                        errors.push(FieldError::new("amount", "dossiers.fee_invalid"));
                        None
                    }
                }
            };
            let note = required("fee_note", 2000, &mut errors);
            match (note, errors.is_empty()) {
                (Some(note), true) => Some(
                    dossiers::request_fee_payment(
                        &state.db,
                        &origin,
                        id,
                        form.version,
                        amount,
                        &note,
                        today,
                    )
                    .await,
                ),
                _ => None,
            }
        }
        "confirm_fee_payment" => Some(
            dossiers::confirm_fee_payment(
                &state.db,
                &origin,
                &calendar,
                id,
                form.version,
                &optional_line(form.get("note")),
                today,
            )
            .await,
        ),
        "stop" => match required("stop_reason", 2000, &mut errors) {
            Some(reason) => {
                Some(dossiers::stop(&state.db, &origin, id, form.version, &reason, today).await)
            }
            None => None,
        },
        "resume" => Some(
            dossiers::resume(
                &state.db,
                &origin,
                &calendar,
                id,
                form.version,
                &optional_line(form.get("note")),
                today,
            )
            .await,
        ),
        "refuse" => match required("refusal_reason", 2000, &mut errors) {
            Some(reason) => {
                Some(dossiers::refuse(&state.db, &origin, id, form.version, &reason, today).await)
            }
            None => None,
        },
        "withdraw" => Some(
            dossiers::withdraw(
                &state.db,
                &origin,
                id,
                form.version,
                &text::normalize(form.get("note")),
                today,
            )
            .await,
        ),
        "apologise" => {
            let date = match parse_date(form.get("new_date")) {
                Some(Ok(d)) => Some(d),
                _ => {
                    errors.push(FieldError::new("new_date", "form.date_invalid"));
                    None
                }
            };
            let reason = required("reason", 1000, &mut errors);
            match (date, reason) {
                (Some(date), Some(reason)) => Some(
                    dossiers::apologise(
                        &state.db,
                        &origin,
                        &calendar,
                        id,
                        form.version,
                        date,
                        &reason,
                        today,
                    )
                    .await,
                ),
                _ => None,
            }
        }
        "finish" => Some(
            dossiers::finish(
                &state.db,
                &origin,
                id,
                form.version,
                files,
                &optional_line(form.get("note")),
                today,
            )
            .await,
        ),
        "attach_result" => Some(
            dossiers::attach_result(
                &state.db,
                &origin,
                id,
                form.version,
                files,
                &optional_line(form.get("note")),
                today,
            )
            .await,
        ),
        "resubmit" => Some(
            dossiers::resubmit(
                &state.db,
                &origin,
                &calendar,
                id,
                Some(form.version),
                files,
                &optional_line(form.get("note")),
                today,
            )
            .await,
        ),
        "return_result" => {
            Some(dossiers::return_result(&state.db, &origin, id, form.version, today).await)
        }
        "rate" => {
            let rating = form.get("rating").trim().parse::<i64>().unwrap_or(0);
            Some(
                dossiers::rate(
                    &state.db,
                    &origin,
                    id,
                    rating,
                    &text::normalize(form.get("note")),
                    today,
                )
                .await,
            )
        }
        _ => None,
    };
    let (status, code) = match result {
        Some(Ok(after)) => return Ok(StepOutcome::Done(after)),
        Some(Err(StoreError::Stale)) => {
            errors.push(FieldError::new("action", "form.stale"));
            (StatusCode::CONFLICT, Some("stale".to_owned()))
        }
        Some(Err(StoreError::Invalid(code))) => {
            let field = match code.as_str() {
                "not_working_day" | "apology_not_later" if form.action == "apologise" => "new_date",
                "not_working_day" => "on",
                "result_files_missing" => "files",
                _ => "action",
            };
            errors.push(FieldError::new(
                field,
                refusal_key(&code).unwrap_or("dossiers.transition_refused"),
            ));
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code))
        }
        Some(Err(e)) => return Err(e.into()),
        None => (StatusCode::UNPROCESSABLE_ENTITY, None),
    };
    Ok(StepOutcome::Refused {
        status,
        errors,
        code,
    })
}

/// An optional one-line note: normalised and cut to a sensible length.
fn optional_line(value: &str) -> String {
    text::normalize(value).chars().take(1000).collect()
}

/// The form that sends result files: with the finishing step, or later while the result
/// waits at the desk.
fn result_form(ctx: &SignedIn, d: &Dossier, action: &str, errors: &[FieldError]) -> maud::Markup {
    let lang = ctx.lang;
    let (title, button) = match action {
        "finish" => ("dossiers.finish", "dossiers.finish"),
        _ => ("dossiers.attach_result", "dossiers.attach_result"),
    };
    html! {
        form.action #{ "form-" (action) } method="post" action={ "/dossiers/" (d.id) "/result?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
            h3 { (t(lang, title)) }
            input type="hidden" name="version" value=(d.version);
            input type="hidden" name="action" value=(action);
            div.field {
                label for={ "f-result-" (action) } { (t(lang, "dossiers.result_files")) }
                input id={ "f-result-" (action) } type="file" name="files" multiple required[action == "attach_result"] accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx" aria-describedby={ "h-result-" (action) };
                p.hint id={ "h-result-" (action) } { (t(lang, "dossiers.result_files_hint")) }
                @for e in errors.iter().filter(|e| e.field == "files") { p.error role="alert" { (t(lang, &e.key)) } }
            }
            (Field::text("note", t(lang, "dossiers.note"), "").render(lang, &[]))
            button type="submit" { (t(lang, button)) }
        }
    }
}

/// Finishes the handling with its result files, or adds result files to a processed
/// dossier. Each file is streamed into the blob store and checked; any refused file
/// refuses the whole form with the message beside the input, and nothing is recorded.
async fn upload_result(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let d = readable(&state, &ctx, id).await?;
    let form = read_upload(&state, multipart).await?;
    let action = form.get("action").to_owned();
    if !matches!(action.as_str(), "finish" | "attach_result") {
        return Err(AppError::invalid("unknown_step"));
    }
    let desk = may_receive(&state, &ctx, &d).await?;
    let handler = may_handle(&state, &ctx, &d).await?;
    if may_take(&action, desk, handler, &d) != Some(true) {
        return Err(AppError::Forbidden);
    }
    let (status, errors) = if form.errors.is_empty() {
        let fields: HashMap<String, String> = ["action", "version", "note"]
            .into_iter()
            .map(|k| (k.to_owned(), form.get(k).to_owned()))
            .collect();
        match take_step(&state, &ctx, &d, fields, &form.files).await? {
            StepOutcome::Done(_) => {
                return Ok(Redirect::to(&format!("/dossiers/{id}?saved=1")).into_response())
            }
            StepOutcome::Refused { status, errors, .. } => (status, errors),
        }
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, form.errors.clone())
    };
    let d = dossiers::get(&state.db, id).await?;
    render_dossier(&state, &ctx, d, &errors, false, status).await
}

async fn resubmit_at_desk(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let d = readable(&state, &ctx, id).await?;
    if !may_receive(&state, &ctx, &d).await? {
        return Err(AppError::Forbidden);
    }
    let form = read_upload(&state, multipart).await?;
    let mut errors = form.errors.clone();
    let version: Option<i64> = form.get("version").trim().parse().ok();
    if errors.is_empty() {
        let calendar = state.calendar().await?;
        match dossiers::resubmit(
            &state.db,
            &ctx.origin(),
            &calendar,
            id,
            version,
            &form.files,
            "",
            crate::vietnam_today(),
        )
        .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/dossiers/{id}?saved=1")).into_response()),
            Err(StoreError::Stale) => errors.push(FieldError::new("action", "form.stale")),
            Err(StoreError::Invalid(code)) => errors.push(FieldError::new(
                "action",
                refusal_key(&code).unwrap_or("dossiers.transition_refused"),
            )),
            Err(e) => return Err(e.into()),
        }
    }
    let d = dossiers::get(&state.db, id).await?;
    render_dossier(
        &state,
        &ctx,
        d,
        &errors,
        false,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn download(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path((id, file_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    readable(&state, &ctx, id).await?;
    let file = dossiers::file(&state.db, file_id)
        .await
        .map_err(|_| AppError::NotFound)?;
    if file.dossier_id != id {
        return Err(AppError::NotFound);
    }
    let stream = state.blobs.open_stream(&file.sha256).await?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        crate::context::urlencode(&file.file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The receipt and appointment slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả) as a PDF.
async fn receipt(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let d = readable(&state, &ctx, id).await?;
    if d.received_on.is_none() {
        return Err(AppError::NotFound);
    }
    let checklist = dossiers::checklist(&state.db, id).await?;
    let agency = org::agency(&state.db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    use crate::pdf::{Align, Column, TableReport};
    let mut subtitle = vec![
        format!("{}: {}", t(lang, "dossiers.code"), d.code),
        format!("{}: {}", t(lang, "dossiers.procedure"), d.procedure_name),
        format!(
            "{}: {} · {}",
            t(lang, "dossiers.applicant"),
            d.applicant_name,
            d.applicant_phone
        ),
        format!(
            "{}: {}",
            t(lang, "dossiers.received_on"),
            day(d.received_on)
        ),
        format!("{}: {}", t(lang, "dossiers.appointment"), day(d.due_date)),
        format!("{}: {}", t(lang, "procedures.fee"), money(d.fee)),
    ];
    if !d.applicant_address.is_empty() {
        subtitle.insert(
            3,
            format!("{}: {}", t(lang, "dossiers.address"), d.applicant_address),
        );
    }
    let report = TableReport {
        agency,
        title: t(lang, "dossiers.receipt_title").to_owned(),
        subtitle,
        columns: vec![
            Column {
                title: t(lang, "dossiers.number").into(),
                width: 0.08,
                align: Align::Center,
            },
            Column {
                title: t(lang, "dossiers.component").into(),
                width: 0.62,
                align: Align::Left,
            },
            Column {
                title: t(lang, "dossiers.form").into(),
                width: 0.15,
                align: Align::Center,
            },
            Column {
                title: t(lang, "dossiers.provided").into(),
                width: 0.15,
                align: Align::Center,
            },
        ],
        rows: checklist
            .iter()
            .map(|c| {
                vec![
                    (c.position + 1).to_string(),
                    c.name.clone(),
                    c.form.clone(),
                    if c.provided {
                        "✓".into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect(),
        empty_text: String::new(),
        page_label: t(lang, "registers.page_label").to_owned(),
        footer: format!(
            "{} · {}",
            t(lang, "dossiers.received_by"),
            ctx.user().full_name
        ),
        language: lang.code().to_owned(),
    };
    let bytes = tokio::task::spawn_blocking(move || crate::pdf::render(&report))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", d.code),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The apology slip (phiếu xin lỗi và hẹn lại ngày trả kết quả) as a PDF.
async fn apology_slip(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let d = readable(&state, &ctx, id).await?;
    let Some(new_date) = d.apology_date else {
        return Err(AppError::NotFound);
    };
    let agency = org::agency(&state.db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    use crate::pdf::{Align, Column, TableReport};
    let report = TableReport {
        agency,
        title: t(lang, "dossiers.apology_title").to_owned(),
        subtitle: vec![
            format!("{}: {}", t(lang, "dossiers.code"), d.code),
            format!("{}: {}", t(lang, "dossiers.procedure"), d.procedure_name),
            format!("{}: {}", t(lang, "dossiers.applicant"), d.applicant_name),
            format!(
                "{}: {}",
                t(lang, "dossiers.received_on"),
                day(d.received_on)
            ),
        ],
        columns: vec![
            Column {
                title: String::new(),
                width: 0.3,
                align: Align::Left,
            },
            Column {
                title: String::new(),
                width: 0.7,
                align: Align::Left,
            },
        ],
        rows: vec![
            vec![t(lang, "dossiers.appointment").to_owned(), day(d.due_date)],
            vec![
                t(lang, "dossiers.apology_reason").to_owned(),
                d.apology_reason.clone(),
            ],
            vec![
                t(lang, "dossiers.apology_date").to_owned(),
                day(Some(new_date)),
            ],
        ],
        empty_text: String::new(),
        page_label: t(lang, "registers.page_label").to_owned(),
        footer: t(lang, "dossiers.apology_footer").to_owned(),
        language: lang.code().to_owned(),
    };
    let bytes = tokio::task::spawn_blocking(move || crate::pdf::render(&report))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}-xin-loi.pdf\"", d.code),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ----- Statistics -----

#[derive(Deserialize, Default)]
struct StatsQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    group: String,
    format: Option<String>,
}

pub fn stats_table(lang: Lang, group: GroupBy, rows: &[StatRow]) -> Table {
    Table {
        sheet: t(lang, "dossiers.statistics").into(),
        headers: [
            &format!("stats.group_{}", group.code()) as &str,
            "stats.submitted",
            "stats.finished",
            "timeliness.early",
            "timeliness.on_time",
            "timeliness.late",
            "stats.on_time_rate",
            "stats.refused",
            "stats.withdrawn",
            "stats.open",
            "stats.online",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    if r.key == "total" {
                        t(lang, "stats.total").to_owned()
                    } else if r.label.is_empty() {
                        r.key.clone()
                    } else {
                        format!(
                            "{} {}",
                            if group == GroupBy::Procedure {
                                r.key.as_str()
                            } else {
                                ""
                            },
                            r.label
                        )
                        .trim()
                        .to_owned()
                    },
                    r.submitted.to_string(),
                    r.finished.to_string(),
                    r.early.to_string(),
                    r.on_time.to_string(),
                    r.late.to_string(),
                    r.on_time_rate()
                        .map(|x| format!("{x:.1} %"))
                        .unwrap_or_default(),
                    r.refused.to_string(),
                    r.withdrawn.to_string(),
                    r.open.to_string(),
                    r.online.to_string(),
                ]
            })
            .collect(),
    }
}

async fn statistics_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<StatsQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let scope = dossier_scope(&state, &ctx).await?;
    let today = crate::vietnam_today();
    let mut errors = Vec::new();
    let from = match parse_date(&query.from) {
        None => NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
        Some(Ok(d)) => d,
        Some(Err(())) => {
            errors.push(FieldError::new("from", "form.date_invalid"));
            today
        }
    };
    let to = match parse_date(&query.to) {
        None => today,
        Some(Ok(d)) => d,
        Some(Err(())) => {
            errors.push(FieldError::new("to", "form.date_invalid"));
            today
        }
    };
    if to < from {
        errors.push(FieldError::new("to", "documents.period_reversed"));
    }
    let group = GroupBy::parse(&query.group).unwrap_or(GroupBy::Procedure);
    let rows = if errors.is_empty() {
        lists::statistics(&state.db, &scope, from, to, group).await?
    } else {
        Vec::new()
    };
    let table = stats_table(lang, group, &rows);
    if let Some(format) = Format::parse(query.format.as_deref()) {
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        return table.respond(format, "thong-ke-ho-so");
    }
    let group_options: Vec<(String, String)> = [GroupBy::Procedure, GroupBy::Unit, GroupBy::Month]
        .iter()
        .map(|g| {
            (
                g.code().to_owned(),
                t(lang, &format!("stats.group_{}", g.code())).to_owned(),
            )
        })
        .collect();
    let base = format!(
        "/dossiers/statistics?from={from}&to={to}&group={}",
        group.code()
    );
    let body = html! {
        h1 { (t(lang, "dossiers.statistics")) }
        (error_summary(lang, &errors))
        form.filters method="get" action="/dossiers/statistics" {
            (Field::text("from", t(lang, "documents.from"), &from.format("%Y-%m-%d").to_string()).kind("date").render(lang, &errors))
            (Field::text("to", t(lang, "documents.to"), &to.format("%Y-%m-%d").to_string()).kind("date").render(lang, &errors))
            (select(lang, &errors, "group", t(lang, "stats.group"), &group_options, group.code()))
            button type="submit" { (t(lang, "list.filter")) }
        }
        (export_links(lang, &base))
        table.list #statistics {
            thead { tr { @for h in &table.headers { th { (h) } } } }
            tbody { @for row in &table.rows { tr { @for c in row { td { (c) } } } } }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page(&ctx, t(lang, "dossiers.statistics"), body)).into_response())
}
