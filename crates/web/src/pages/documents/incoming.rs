//! Incoming documents: registration (form with scanned files, or API), lists with filters
//! and exports, the document page with its routing tree and history, and the steps of
//! routing and handling. Also the attachment download shared by every document.

use super::{authorize_on, read_scope, readable};
use crate::context::SignedIn;
use crate::error::{text_error, AppError, AppResult, FieldError};
use crate::export::{Format, Table};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, export_links, format_bytes, page, select, Field};
use crate::AppState;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use chrono::{Datelike, NaiveDate};
use futures::TryStreamExt;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;
use vanphong_core::attachment::check_upload;
use vanphong_core::auth::{Role, Secrecy};
use vanphong_core::document::deadline;
use vanphong_core::document::kind::{
    DocumentKind, DocumentType, PetitionSource, Urgency, DOCUMENT_TYPES,
};
use vanphong_core::document::routing::{AssignmentRole, AssignmentStatus, IncomingStatus};
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::ids::{OrganisationId, UnitId, UserId};
use vanphong_core::permission::Action;
use vanphong_core::text;
use vanphong_store::documents::incoming::{self, NewIncoming, Sender};
use vanphong_store::documents::lists::{self, DocumentFilter, Sort};
use vanphong_store::documents::routing::{self, RoutingPart, Step};
use vanphong_store::documents::{self, Document, NewAttachment};
use vanphong_store::users::{self, UserFilter};
use vanphong_store::{audit, org, StoreError};

const PAGE_SIZE: i64 = 50;
const EXPORT_LIMIT: i64 = 100_000;
/// Lists count their rows up to this many and then say "more than".
pub const COUNT_CAP: i64 = 2_000;

pub fn router() -> Router<AppState> {
    Router::new()
        // Scans stream into the blob store, which enforces its own size limit.
        .route(
            "/documents/incoming",
            get(list_page).merge(post(register).layer(DefaultBodyLimit::disable())),
        )
        .route("/documents/incoming/new", get(new_page))
        .route("/documents/{id}", get(document_page))
        .route(
            "/documents/{id}/attachments/{attachment}",
            get(download_attachment),
        )
        .route("/documents/{id}/submit", post(submit_to_leader))
        .route("/documents/{id}/route", post(route_document))
        .route("/assignments/{id}/step", post(assignment_step))
        .route("/documents/{id}/tasks", post(add_task))
        .route("/tasks/{id}/complete", post(complete_task))
        .route("/documents/tracked", get(tracked_page))
        .route("/inbox", get(inbox_page))
}

pub fn type_name(lang: Lang, code: &str) -> &'static str {
    DocumentType::by_code(code)
        .map(|t| {
            if lang == Lang::En {
                t.name_en
            } else {
                t.name_vi
            }
        })
        .unwrap_or("—")
}

fn status_label(lang: Lang, status: &str) -> &'static str {
    t(lang, &format!("document_status.{status}"))
}

pub fn secrecy_label(lang: Lang, rank: i64) -> &'static str {
    let code = Secrecy::from_rank(rank)
        .map(|s| s.code())
        .unwrap_or("top_secret");
    t(lang, &format!("secrecy.{code}"))
}

pub fn urgency_label(lang: Lang, rank: i64) -> &'static str {
    let code = Urgency::from_rank(rank)
        .map(|u| u.code())
        .unwrap_or("normal");
    t(lang, &format!("urgency.{code}"))
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

fn parse_date(value: &str) -> Option<Result<NaiveDate, ()>> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    Some(NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| ()))
}

/// Names of the senders of a page of documents.
async fn sender_names(state: &AppState, docs: &[Document]) -> AppResult<HashMap<i64, String>> {
    let mut names = HashMap::new();
    let units: HashMap<i64, String> = org::units(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id.0, u.name))
        .collect();
    let senders: Vec<OrganisationId> = docs
        .iter()
        .filter_map(|d| d.sender_organisation_id.map(OrganisationId))
        .collect();
    let organisations = org::organisation_names(&state.db, &senders).await?;
    for d in docs {
        let name = if let Some(o) = d.sender_organisation_id {
            organisations
                .get(&OrganisationId(o))
                .cloned()
                .unwrap_or_default()
        } else if let Some(u) = d.sender_unit_id {
            units.get(&u).cloned().unwrap_or_default()
        } else {
            d.sender_name.clone()
        };
        names.insert(d.id, name);
    }
    Ok(names)
}

// ----- Lists -----

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    type_code: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    secrecy: String,
    #[serde(default)]
    due_before: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<i64>,
    format: Option<String>,
    saved: Option<i64>,
}

impl ListQuery {
    fn filter(&self, errors: &mut Vec<FieldError>) -> DocumentFilter {
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
        let due_before = date("due_before", &self.due_before);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new("to", "documents.period_reversed"));
            }
        }
        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        DocumentFilter {
            direction: Some("incoming".into()),
            status: nonempty(&self.status),
            kind: nonempty(&self.kind),
            type_code: nonempty(&self.type_code),
            urgency: Urgency::parse(&self.urgency).ok().map(|u| u.rank()),
            secrecy: Secrecy::parse(&self.secrecy)
                .ok()
                .map(|s| i64::from(s.rank())),
            unit: self.unit_id.trim().parse().ok().map(UnitId),
            from,
            to,
            due_before,
            text: nonempty(&self.q)
                .map(|q| text::normalize(&q))
                .map(|q| q.chars().take(200).collect()),
            overdue_on: (!self.overdue.is_empty()).then(crate::vietnam_today),
            ..DocumentFilter::default()
        }
    }

    fn query_string(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("kind", &self.kind),
            ("type_code", &self.type_code),
            ("urgency", &self.urgency),
            ("unit_id", &self.unit_id),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("overdue", &self.overdue),
            ("secrecy", &self.secrecy),
            ("due_before", &self.due_before),
            ("sort", &self.sort),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::context::urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn incoming_table(lang: Lang, docs: &[Document], senders: &HashMap<i64, String>) -> Table {
    Table {
        sheet: t(lang, "nav.incoming").into(),
        headers: [
            "documents.arrival_number",
            "documents.arrival_date",
            "documents.sender",
            "documents.number_symbol",
            "documents.document_date",
            "documents.type",
            "documents.subject",
            "documents.urgency",
            "documents.status",
            "documents.due_date",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: docs
            .iter()
            .map(|d| {
                vec![
                    d.arrival_number.map(|n| n.to_string()).unwrap_or_default(),
                    day(d.arrival_date),
                    senders.get(&d.id).cloned().unwrap_or_default(),
                    d.number_symbol.clone().unwrap_or_default(),
                    day(d.document_date),
                    type_name(lang, &d.type_code).to_owned(),
                    d.subject.clone(),
                    urgency_label(lang, d.urgency).to_owned(),
                    status_label(lang, &d.status).to_owned(),
                    day(d.due_date),
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
    let scope = read_scope(&state, &ctx).await?;
    let user = ctx.user().id;
    let mut errors = Vec::new();
    let filter = query.filter(&mut errors);
    let sort = Sort::parse(&query.sort);
    if let Some(format) = Format::parse(query.format.as_deref()) {
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let docs = lists::list(&state.db, &scope, user, &filter, sort, 0, EXPORT_LIMIT).await?;
        let senders = sender_names(&state, &docs).await?;
        return incoming_table(lang, &docs, &senders).respond(format, "van-ban-den");
    }
    let page_number = query.page.unwrap_or(1).max(1);
    let (mut docs, total) = if errors.is_empty() {
        let offset = (page_number - 1) * PAGE_SIZE;
        let docs = lists::list(
            &state.db,
            &scope,
            user,
            &filter,
            sort,
            offset,
            PAGE_SIZE + 1,
        )
        .await?;
        let total = lists::count_up_to(&state.db, &scope, user, &filter, COUNT_CAP + 1).await?;
        (docs, total)
    } else {
        (Vec::new(), 0)
    };
    let has_next = docs.len() as i64 > PAGE_SIZE;
    docs.truncate(PAGE_SIZE as usize);
    let senders = sender_names(&state, &docs).await?;
    let calendar = state.calendar().await?;
    let today = crate::vietnam_today();
    let units = org::units(&state.db).await?;
    let base = format!("/documents/incoming?{}", query.query_string());
    let mut unit_options = vec![(String::new(), t(lang, "list.all_units").to_owned())];
    unit_options.extend(units.iter().map(|u| (u.id.to_string(), u.name.clone())));
    let mut status_options = vec![(String::new(), t(lang, "documents.any_status").to_owned())];
    status_options.extend(
        IncomingStatus::ALL
            .iter()
            .map(|s| (s.code().to_owned(), status_label(lang, s.code()).to_owned())),
    );
    let mut kind_options = vec![(String::new(), t(lang, "documents.any_kind").to_owned())];
    kind_options.extend(DocumentKind::ALL.iter().map(|k| {
        (
            k.code().to_owned(),
            t(lang, &format!("document_kind.{}", k.code())).to_owned(),
        )
    }));
    let mut type_options = vec![(String::new(), t(lang, "documents.any_type").to_owned())];
    type_options.extend(
        DOCUMENT_TYPES
            .iter()
            .map(|d| (d.code.to_owned(), type_name(lang, d.code).to_owned())),
    );
    let mut urgency_options = vec![(String::new(), t(lang, "documents.any_urgency").to_owned())];
    urgency_options.extend(Urgency::ALL.iter().map(|u| {
        (
            u.code().to_owned(),
            urgency_label(lang, u.rank()).to_owned(),
        )
    }));
    let mut secrecy_options = vec![(String::new(), t(lang, "documents.any_secrecy").to_owned())];
    secrecy_options.extend(Secrecy::ALL.iter().map(|s| {
        (
            s.code().to_owned(),
            t(lang, &format!("secrecy.{}", s.code())).to_owned(),
        )
    }));
    let sort_options = vec![
        (
            "newest".to_owned(),
            t(lang, "documents.sort_newest").to_owned(),
        ),
        (
            "oldest".to_owned(),
            t(lang, "documents.sort_oldest").to_owned(),
        ),
        ("due".to_owned(), t(lang, "documents.sort_due").to_owned()),
    ];
    let capped = total > COUNT_CAP;
    let pages = if capped {
        None
    } else {
        Some((total + PAGE_SIZE - 1) / PAGE_SIZE)
    };
    let body = html! {
        h1 { (t(lang, "nav.incoming")) }
        @if query.saved.is_some() { div.alert.ok role="status" { (t(lang, "documents.registered")) } }
        @if ctx.can(Action::RegisterIncoming) {
            p { a.button href="/documents/incoming/new" accesskey="n" { (t(lang, "documents.register")) } }
        }
        (error_summary(lang, &errors))
        form.filters method="get" action="/documents/incoming" role="search" {
            (Field::text("q", t(lang, "list.search"), &query.q).kind("search").hint(t(lang, "documents.search_hint")).render(lang, &errors))
            (select(lang, &errors, "status", t(lang, "documents.status"), &status_options, &query.status))
            (select(lang, &errors, "kind", t(lang, "documents.kind"), &kind_options, &query.kind))
            (select(lang, &errors, "type_code", t(lang, "documents.type"), &type_options, &query.type_code))
            (select(lang, &errors, "urgency", t(lang, "documents.urgency"), &urgency_options, &query.urgency))
            (select(lang, &errors, "unit_id", t(lang, "user.unit"), &unit_options, &query.unit_id))
            (Field::text("from", t(lang, "documents.from"), &query.from).kind("date").render(lang, &errors))
            (Field::text("to", t(lang, "documents.to"), &query.to).kind("date").render(lang, &errors))
            (select(lang, &errors, "secrecy", t(lang, "documents.secrecy"), &secrecy_options, &query.secrecy))
            (Field::text("due_before", t(lang, "documents.due_before"), &query.due_before).kind("date").render(lang, &errors))
            div.field.check { label { input type="checkbox" name="overdue" value="1" checked[!query.overdue.is_empty()]; " " (t(lang, "documents.only_overdue")) } }
            (select(lang, &errors, "sort", t(lang, "documents.sort"), &sort_options, sort.code()))
            button type="submit" { (t(lang, "list.filter")) }
        }
        p { @if capped { (t(lang, "documents.more_than")) " " (COUNT_CAP) } @else { (total) } " " (t(lang, "documents.count")) }
        (export_links(lang, &base))
        @if docs.is_empty() { p.muted { (t(lang, "list.empty")) } } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "documents.arrival_number")) } th { (t(lang, "documents.arrival_date")) }
                    th { (t(lang, "documents.number_symbol")) } th { (t(lang, "documents.sender")) }
                    th { (t(lang, "documents.subject")) } th { (t(lang, "documents.status")) } th { (t(lang, "documents.due_date")) }
                } }
                tbody {
                    @for d in &docs {
                        @let state_code = deadline_code(d, today, &calendar);
                        tr class=(format!("deadline-{state_code}")) {
                            td { (d.arrival_number.unwrap_or_default()) }
                            td { (day(d.arrival_date)) }
                            td { a href={ "/documents/" (d.id) } { (d.number_symbol.as_deref().unwrap_or("")) } }
                            td { (senders.get(&d.id).map(String::as_str).unwrap_or("")) }
                            td { a href={ "/documents/" (d.id) } { (d.subject) } @if d.urgency > 0 { " " span.badge.urgent { (urgency_label(lang, d.urgency)) } } }
                            td { (status_label(lang, &d.status)) }
                            td { (day(d.due_date)) @if state_code != "on_track" && state_code != "no_due_date" && state_code != "closed" { " " span class=(format!("badge {state_code}")) { (t(lang, &format!("deadline.{state_code}"))) } } }
                        }
                    }
                }
            }
        }
        @if page_number > 1 || has_next {
            nav.pager aria-label=(t(lang, "list.pagination")) {
                @if page_number > 1 { a href={ (base) "&page=" (page_number - 1) } rel="prev" { "← " (t(lang, "list.previous_page")) } " " }
                span { (page_number) @if let Some(pages) = pages { " / " (pages) } } " "
                @if has_next { a href={ (base) "&page=" (page_number + 1) } rel="next" { (t(lang, "list.next_page")) " →" } }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page(&ctx, t(lang, "nav.incoming"), body)).into_response())
}

fn deadline_code(
    d: &Document,
    today: NaiveDate,
    calendar: &vanphong_core::calendar::WorkingCalendar,
) -> &'static str {
    if matches!(d.status.as_str(), "done" | "issued" | "recalled") {
        return "closed";
    }
    deadline::state(d.due_date, today, 2, calendar).code()
}

// ----- Registration -----

#[derive(Default, Clone, Debug)]
pub struct RegisterForm {
    kind: String,
    type_code: String,
    number_symbol: String,
    document_date: String,
    subject: String,
    pages: String,
    urgency: String,
    secrecy: String,
    signer_name: String,
    sender_organisation_id: String,
    sender_name: String,
    arrival_date: String,
    receiving_unit_id: String,
    due_date: String,
    petition_source: String,
    deputy_name: String,
    notes: String,
    accept_duplicate: bool,
}

impl RegisterForm {
    /// The same fields from a JSON request, so the API and the form share one parser.
    pub fn from_api(body: &crate::api::documents::IncomingRequest) -> Self {
        Self {
            kind: body.kind.clone(),
            type_code: body.type_code.clone(),
            number_symbol: body.number_symbol.clone(),
            document_date: body.document_date.clone().unwrap_or_default(),
            subject: body.subject.clone(),
            pages: body.pages.map(|p| p.to_string()).unwrap_or_default(),
            urgency: body.urgency.clone(),
            secrecy: body.secrecy.clone(),
            signer_name: body.signer_name.clone(),
            sender_organisation_id: body
                .sender_organisation_id
                .map(|o| o.to_string())
                .unwrap_or_default(),
            sender_name: body.sender_name.clone(),
            arrival_date: body
                .arrival_date
                .clone()
                .unwrap_or_else(|| crate::vietnam_today().format("%Y-%m-%d").to_string()),
            receiving_unit_id: body
                .receiving_unit_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
            due_date: body.due_date.clone().unwrap_or_default(),
            petition_source: body.petition_source.clone().unwrap_or_default(),
            deputy_name: body.deputy_name.clone(),
            notes: body.notes.clone(),
            accept_duplicate: body.accept_duplicate,
        }
    }

    fn set(&mut self, name: &str, value: String) {
        match name {
            "kind" => self.kind = value,
            "type_code" => self.type_code = value,
            "number_symbol" => self.number_symbol = value,
            "document_date" => self.document_date = value,
            "subject" => self.subject = value,
            "pages" => self.pages = value,
            "urgency" => self.urgency = value,
            "secrecy" => self.secrecy = value,
            "signer_name" => self.signer_name = value,
            "sender_organisation_id" => self.sender_organisation_id = value,
            "sender_name" => self.sender_name = value,
            "arrival_date" => self.arrival_date = value,
            "receiving_unit_id" => self.receiving_unit_id = value,
            "due_date" => self.due_date = value,
            "petition_source" => self.petition_source = value,
            "deputy_name" => self.deputy_name = value,
            "notes" => self.notes = value,
            "accept_duplicate" => self.accept_duplicate = !value.is_empty(),
            _ => {}
        }
    }

    /// Parses the form into a registration, collecting every field's error.
    pub fn parse(
        &self,
        attachments: Vec<NewAttachment>,
        errors: &mut Vec<FieldError>,
    ) -> Option<NewIncoming> {
        let kind = DocumentKind::parse(if self.kind.is_empty() {
            "ordinary"
        } else {
            &self.kind
        })
        .map_err(|_| errors.push(FieldError::new("kind", "form.unknown_value")))
        .ok();
        let type_code = DocumentType::by_code(&self.type_code)
            .map_err(|_| errors.push(FieldError::new("type_code", "documents.unknown_type")))
            .ok()
            .map(|t| t.code.to_owned());
        let number_symbol = NumberAndSymbol::parse(&self.number_symbol)
            .map_err(|_| {
                errors.push(FieldError::new(
                    "number_symbol",
                    "documents.number_symbol_invalid",
                ))
            })
            .ok();
        let mut date = |field: &str, value: &str, required: bool| match parse_date(value) {
            Some(Ok(d)) => Some(d),
            Some(Err(())) => {
                errors.push(FieldError::new(field, "form.date_invalid"));
                None
            }
            None if required => {
                errors.push(FieldError::new(field, "form.required"));
                None
            }
            None => None,
        };
        let document_date = date("document_date", &self.document_date, false);
        let arrival_date = date("arrival_date", &self.arrival_date, true);
        let due_date = date("due_date", &self.due_date, false);
        if let (Some(arrival), Some(document)) = (arrival_date, document_date) {
            if document > arrival {
                errors.push(FieldError::new(
                    "document_date",
                    "documents.document_after_arrival",
                ));
            }
        }
        if let (Some(arrival), Some(due)) = (arrival_date, due_date) {
            if due < arrival {
                errors.push(FieldError::new("due_date", "documents.due_before_arrival"));
            }
        }
        let subject = text::required_line(&self.subject, 500)
            .map_err(|e| errors.push(text_error("subject", e)))
            .ok();
        let pages = match self.pages.trim() {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(n) if (1..=100_000).contains(&n) => Some(n),
                _ => {
                    errors.push(FieldError::new("pages", "form.not_a_number"));
                    None
                }
            },
        };
        let urgency = Urgency::parse(if self.urgency.is_empty() {
            "normal"
        } else {
            &self.urgency
        })
        .map_err(|_| errors.push(FieldError::new("urgency", "form.unknown_value")))
        .ok();
        let secrecy = Secrecy::parse(if self.secrecy.is_empty() {
            "normal"
        } else {
            &self.secrecy
        })
        .map_err(|_| errors.push(FieldError::new("secrecy", "form.unknown_value")))
        .ok();
        let signer_name = text::optional_line(&self.signer_name, 200)
            .map_err(|e| errors.push(text_error("signer_name", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        let sender = match self.sender_organisation_id.trim().parse::<i64>() {
            Ok(id) => Some(Sender::Organisation(OrganisationId(id))),
            Err(_) => match text::optional_line(&self.sender_name, 300) {
                Ok(Some(name)) => Some(Sender::Named(name)),
                Ok(None) => {
                    errors.push(FieldError::new(
                        "sender_organisation_id",
                        "documents.sender_required",
                    ));
                    None
                }
                Err(e) => {
                    errors.push(text_error("sender_name", e));
                    None
                }
            },
        };
        let petition_source = if self.petition_source.trim().is_empty() {
            None
        } else {
            PetitionSource::parse(&self.petition_source)
                .map_err(|_| errors.push(FieldError::new("petition_source", "form.unknown_value")))
                .ok()
        };
        if kind == Some(DocumentKind::VoterPetition)
            && petition_source.is_none()
            && !errors.iter().any(|e| e.field == "petition_source")
        {
            errors.push(FieldError::new(
                "petition_source",
                "documents.petition_source_required",
            ));
        }
        let deputy_name = text::optional_line(&self.deputy_name, 200)
            .map_err(|e| errors.push(text_error("deputy_name", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        let notes = text::optional_line(&self.notes, 1000)
            .map_err(|e| errors.push(text_error("notes", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        if !errors.is_empty() {
            return None;
        }
        Some(NewIncoming {
            kind: kind?,
            type_code: type_code?,
            number_symbol: number_symbol?,
            document_date,
            subject: subject?,
            pages,
            urgency: urgency?,
            secrecy: secrecy?,
            signer_name,
            sender: sender?,
            arrival_date: arrival_date?,
            receiving_unit: self.receiving_unit_id.trim().parse().ok().map(UnitId),
            due_date,
            petition_source,
            deputy_name,
            notes,
            attachments,
        })
    }
}

async fn new_page(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    ctx.authorize_agency(Action::RegisterIncoming)?;
    let form = RegisterForm {
        arrival_date: crate::vietnam_today().format("%Y-%m-%d").to_string(),
        type_code: "cong_van".into(),
        receiving_unit_id: ctx
            .user()
            .unit_id
            .map(|u| u.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    Ok(
        render_register(&state, &ctx, &form, &[], &[], StatusCode::OK)
            .await?
            .into_response(),
    )
}

async fn render_register(
    state: &AppState,
    ctx: &SignedIn,
    form: &RegisterForm,
    errors: &[FieldError],
    duplicates: &[incoming::Duplicate],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let organisations = org::organisations(&state.db, None, None, 10_000).await?;
    let units = org::units(&state.db).await?;
    let mut org_options = vec![(String::new(), t(lang, "documents.sender_other").to_owned())];
    org_options.extend(
        organisations
            .iter()
            .map(|o| (o.id.to_string(), o.name.clone())),
    );
    let mut unit_options = vec![(String::new(), t(lang, "user.no_unit").to_owned())];
    unit_options.extend(units.iter().map(|u| (u.id.to_string(), u.name.clone())));
    let type_options: Vec<(String, String)> = DOCUMENT_TYPES
        .iter()
        .map(|d| (d.code.to_owned(), type_name(lang, d.code).to_owned()))
        .collect();
    let kind_options: Vec<(String, String)> = DocumentKind::ALL
        .iter()
        .map(|k| {
            (
                k.code().to_owned(),
                t(lang, &format!("document_kind.{}", k.code())).to_owned(),
            )
        })
        .collect();
    let urgency_options: Vec<(String, String)> = Urgency::ALL
        .iter()
        .map(|u| {
            (
                u.code().to_owned(),
                urgency_label(lang, u.rank()).to_owned(),
            )
        })
        .collect();
    let secrecy_options: Vec<(String, String)> = Secrecy::ALL
        .iter()
        .map(|s| {
            (
                s.code().to_owned(),
                t(lang, &format!("secrecy.{}", s.code())).to_owned(),
            )
        })
        .collect();
    let mut source_options = vec![(String::new(), "—".to_owned())];
    source_options.extend(PetitionSource::ALL.iter().map(|s| {
        (
            s.code().to_owned(),
            t(lang, &format!("petition_source.{}", s.code())).to_owned(),
        )
    }));
    let body = html! {
        p { a href="/documents/incoming" { "← " (t(lang, "nav.incoming")) } }
        h1 { (t(lang, "documents.register")) }
        (error_summary(lang, errors))
        @if !duplicates.is_empty() {
            div.alert.warn role="alert" {
                p { strong { (t(lang, "documents.duplicate_warning")) } }
                ul { @for d in duplicates {
                    li { a href={ "/documents/" (d.id) } { (t(lang, "documents.arrival_number")) " " (d.arrival_number.unwrap_or_default()) "/" (d.arrival_year.unwrap_or_default()) } " — " (d.subject) }
                } }
            }
        }
        form method="post" action={ "/documents/incoming?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
            (csrf_field(ctx))
            (select(lang, errors, "kind", t(lang, "documents.kind"), &kind_options, if form.kind.is_empty() { "ordinary" } else { &form.kind }))
            (select(lang, errors, "sender_organisation_id", t(lang, "documents.sender"), &org_options, &form.sender_organisation_id))
            (Field::text("sender_name", t(lang, "documents.sender_name"), &form.sender_name).hint(t(lang, "documents.sender_name_hint")).render(lang, errors))
            (Field { autofocus: errors.is_empty(), ..Field::text("number_symbol", t(lang, "documents.number_symbol"), &form.number_symbol).required().hint("1756/QĐ-BTNMT") }.render(lang, errors))
            (select(lang, errors, "type_code", t(lang, "documents.type"), &type_options, &form.type_code))
            (Field::text("document_date", t(lang, "documents.document_date"), &form.document_date).kind("date").render(lang, errors))
            (Field::text("subject", t(lang, "documents.subject"), &form.subject).required().render(lang, errors))
            (Field::text("signer_name", t(lang, "documents.signer"), &form.signer_name).render(lang, errors))
            (Field::text("pages", t(lang, "documents.pages"), &form.pages).kind("number").render(lang, errors))
            (select(lang, errors, "urgency", t(lang, "documents.urgency"), &urgency_options, if form.urgency.is_empty() { "normal" } else { &form.urgency }))
            (select(lang, errors, "secrecy", t(lang, "documents.secrecy"), &secrecy_options, if form.secrecy.is_empty() { "normal" } else { &form.secrecy }))
            (Field::text("arrival_date", t(lang, "documents.arrival_date"), &form.arrival_date).kind("date").required().render(lang, errors))
            (select(lang, errors, "receiving_unit_id", t(lang, "documents.receiving_unit"), &unit_options, &form.receiving_unit_id))
            (Field::text("due_date", t(lang, "documents.due_date"), &form.due_date).kind("date").hint(t(lang, "documents.due_date_hint")).render(lang, errors))
            (select(lang, errors, "petition_source", t(lang, "documents.petition_source"), &source_options, &form.petition_source))
            (Field::text("deputy_name", t(lang, "documents.deputy_name"), &form.deputy_name).render(lang, errors))
            (Field::text("notes", t(lang, "documents.notes"), &form.notes).render(lang, errors))
            div.field.invalid[crate::layout::field_error(lang, errors, "files").is_some()] {
                label for="f-files" { (t(lang, "documents.files")) }
                input id="f-files" type="file" name="files" multiple accept=".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png,.tif,.tiff,.zip,.txt";
                small.hint { (t(lang, "documents.files_hint")) }
                @if let Some(message) = crate::layout::field_error(lang, errors, "files") { p.error role="alert" { (message) } }
            }
            @if !duplicates.is_empty() {
                div.field.check { label { input type="checkbox" name="accept_duplicate" value="1"; " " (t(lang, "documents.accept_duplicate")) } }
            }
            button.primary type="submit" { (t(lang, "documents.register")) }
        }
    };
    Ok((status, page(ctx, t(lang, "documents.register"), body)).into_response())
}

async fn register(
    State(state): State<AppState>,
    ctx: SignedIn,
    mut multipart: Multipart,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::RegisterIncoming)?;
    let mut form = RegisterForm::default();
    let mut attachments = Vec::new();
    let mut errors = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("malformed_multipart"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" {
            let file_name = text::normalize(field.file_name().unwrap_or_default());
            if file_name.is_empty() {
                // An empty file input still sends a part; skip it.
                let _ = field.bytes().await;
                continue;
            }
            let checked_name = file_name.clone();
            let stream = field.map_err(|e| std::io::Error::other(e.to_string()));
            match state
                .blobs
                .put_stream_checked(stream, move |blob| {
                    check_upload(&checked_name, &blob.content_type).map_err(|r| r.code().to_owned())
                })
                .await
            {
                Ok(blob) => {
                    // Its text is read now, so the registration indexes it in its own transaction.
                    vanphong_store::search::attachments::read_and_record(
                        &state.db,
                        &state.blobs,
                        &blob,
                    )
                    .await?;
                    attachments.push(NewAttachment {
                        blob,
                        file_name,
                        role: "main",
                        draft_version: None,
                    })
                }
                Err(StoreError::Invalid(code)) if code.starts_with("upload_") => {
                    errors.push(FieldError::new("files", &format!("error.{code}")))
                }
                Err(StoreError::TooLarge { .. }) => {
                    errors.push(FieldError::new("files", "error.too_large"))
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|_| AppError::invalid("malformed_multipart"))?;
            form.set(&name, value);
        }
    }
    let Some(new) = form.parse(attachments, &mut errors) else {
        return render_register(
            &state,
            &ctx,
            &form,
            &errors,
            &[],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if !errors.is_empty() {
        return render_register(
            &state,
            &ctx,
            &form,
            &errors,
            &[],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match incoming::register(&state.db, &ctx.origin(), &new, form.accept_duplicate).await {
        Ok(document) => {
            Ok(Redirect::to(&format!("/documents/{}?saved=1", document.id)).into_response())
        }
        Err(StoreError::Invalid(code)) if code == "duplicate_registration" => {
            let duplicates =
                incoming::find_duplicates(&state.db, &new.number_symbol, &new.sender).await?;
            let errors = [FieldError::new(
                "number_symbol",
                "documents.duplicate_field",
            )];
            render_register(
                &state,
                &ctx,
                &form,
                &errors,
                &duplicates,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) if e.is_foreign_key_violation() => {
            // A sender or unit that does not exist (the only foreign keys a form sets).
            let errors = [FieldError::new(
                "sender_organisation_id",
                "form.unknown_value",
            )];
            render_register(
                &state,
                &ctx,
                &form,
                &errors,
                &[],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- The document page -----

#[derive(Deserialize, Default)]
pub struct DocumentQuery {
    saved: Option<String>,
    error: Option<String>,
}

async fn document_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<DocumentQuery>,
) -> AppResult<Response> {
    let document = readable(&state, &ctx, id).await?;
    if !document.is_incoming() {
        return Ok(Redirect::to(&format!("/documents/outgoing/{id}")).into_response());
    }
    documents::record_view(&state.db, id, ctx.user().id).await?;
    let lang = ctx.lang;
    let senders = sender_names(&state, std::slice::from_ref(&document)).await?;
    let attachments = documents::attachments(&state.db, id).await?;
    let assignments = routing::assignments(&state.db, id).await?;
    let notes = routing::progress_notes(&state.db, id).await?;
    let links = documents::links(&state.db, id).await?;
    // Each linked document with its number and symbol (or its draft number).
    let mut linked = Vec::new();
    for l in &links {
        let other = if l.document_id == id {
            l.related_id
        } else {
            l.document_id
        };
        let number = match documents::get(&state.db, other).await {
            Ok(d) => d.number_symbol.unwrap_or_else(|| format!("#{other}")),
            Err(_) => format!("#{other}"),
        };
        linked.push((l.clone(), other, number));
    }
    // Replies drafted for this document, offered when the handler finishes.
    let replies: Vec<(String, String)> = linked
        .iter()
        .filter(|(l, _, _)| l.kind == "reply_to" && l.related_id == id)
        .map(|(_, other, number)| (other.to_string(), number.clone()))
        .collect();
    let history = audit::history(&state.db, "document", &id.to_string()).await?;
    let views = documents::views(&state.db, id).await?;
    let tasks = documents::tasks::list(&state.db, id).await?;
    let units = org::units(&state.db).await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|u| (u.id.0, u.name.clone())).collect();
    let calendar = state.calendar().await?;
    let today = crate::vietnam_today();
    let user = ctx.user();
    let tree = org::unit_tree(&state.db).await?;
    let target = vanphong_core::permission::Target {
        unit: document.owner_unit(),
        secrecy: document.secrecy(),
    };
    let can_route = ctx.authorize(Action::RouteDocument, target, &tree).is_ok()
        && user.roles.contains(&Role::AgencyLeader);
    let can_submit = ctx.can(Action::RegisterIncoming);
    let routable = matches!(
        IncomingStatus::parse(&document.status),
        Some(IncomingStatus::Registered | IncomingStatus::AwaitingInstruction)
    );
    let leaders = users::list(&state.db, &UserFilter::default(), None, 10_000)
        .await?
        .into_iter()
        .filter(|u| u.roles.contains(&Role::AgencyLeader))
        .collect::<Vec<_>>();
    let mut unit_users: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for u in users::list(&state.db, &UserFilter::default(), None, 100_000).await? {
        if let Some(unit) = u.unit_id {
            unit_users
                .entry(unit.0)
                .or_default()
                .push((u.id.0, u.full_name.clone()));
        }
    }
    let mut lead_options = vec![(String::new(), t(lang, "form.choose").to_owned())];
    lead_options.extend(units.iter().map(|u| (u.id.to_string(), u.name.clone())));
    let body = html! {
        p { a href="/documents/incoming" { "← " (t(lang, "nav.incoming")) } }
        @if query.saved.is_some() { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        @if let Some(code) = &query.error { div.alert.error role="alert" { (t(lang, &format!("documents.error_{code}"))) } }
        h1 { (document.number_symbol.as_deref().unwrap_or("")) " — " (document.subject) }
        dl.facts {
            dt { (t(lang, "documents.arrival_number")) } dd { (document.arrival_number.unwrap_or_default()) "/" (document.arrival_year.unwrap_or_default()) }
            dt { (t(lang, "documents.arrival_date")) } dd { (day(document.arrival_date)) }
            dt { (t(lang, "documents.sender")) } dd { (senders.get(&id).map(String::as_str).unwrap_or("")) }
            dt { (t(lang, "documents.type")) } dd { (type_name(lang, &document.type_code)) }
            dt { (t(lang, "documents.kind")) } dd { (t(lang, &format!("document_kind.{}", document.kind))) }
            @if let Some(source) = &document.petition_source { dt { (t(lang, "documents.petition_source")) } dd { (t(lang, &format!("petition_source.{source}"))) } }
            @if !document.deputy_name.is_empty() { dt { (t(lang, "documents.deputy_name")) } dd { (document.deputy_name) } }
            dt { (t(lang, "documents.document_date")) } dd { (day(document.document_date)) }
            dt { (t(lang, "documents.signer")) } dd { (document.signer_name) }
            dt { (t(lang, "documents.urgency")) } dd { (urgency_label(lang, document.urgency)) }
            dt { (t(lang, "documents.secrecy")) } dd { (secrecy_label(lang, document.secrecy)) }
            dt { (t(lang, "documents.status")) } dd { (status_label(lang, &document.status)) }
            dt { (t(lang, "documents.receiving_unit")) } dd { (document.owner_unit_id.and_then(|u| unit_names.get(&u)).map(String::as_str).unwrap_or("—")) }
            dt { (t(lang, "documents.due_date")) } dd { (day(document.due_date)) }
            dt { (t(lang, "documents.receipt_acknowledged")) } dd { (document.receipt_acknowledged_at.map(crate::vietnam_time).unwrap_or_default()) }
            @if !document.notes.is_empty() { dt { (t(lang, "documents.notes")) } dd { (document.notes) } }
        }
        @if ctx.user().roles.iter().any(|r| matches!(r, Role::Specialist | Role::UnitLeader | Role::RecordsClerk | Role::AgencyLeader)) {
            p { a.button href={ "/documents/outgoing/new?reply_to=" (id) } { (t(lang, "documents.draft_reply")) } }
        }
        h2 { (t(lang, "documents.files")) }
        @if attachments.is_empty() { p.muted { (t(lang, "documents.no_files")) } } @else {
            ul { @for a in &attachments {
                li {
                    a href={ "/documents/" (id) "/attachments/" (a.id) } { (a.file_name) } " (" (format_bytes(a.size as u64)) ")"
                    @if a.content_type == "application/pdf" { " · " a href={ "/documents/" (id) "/attachments/" (a.id) "?inline=1" } target="_blank" { (t(lang, "documents.view_inline")) } }
                }
            } }
        }
        @if routable && can_submit {
            h2 { (t(lang, "documents.submit_to_leader")) }
            form method="post" action={ "/documents/" (id) "/submit" } {
                (csrf_field(&ctx))
                input type="hidden" name="version" value=(document.version);
                (select(lang, &[], "leader_id", t(lang, "documents.leader"), &leaders.iter().map(|l| (l.id.to_string(), l.full_name.clone())).collect::<Vec<_>>(), &document.leader_user_id.map(|l| l.to_string()).unwrap_or_default()))
                button type="submit" { (t(lang, "documents.submit_to_leader")) }
            }
        }
        @if routable && can_route {
            h2 { (t(lang, "documents.route")) }
            form method="post" action={ "/documents/" (id) "/route" } {
                (csrf_field(&ctx))
                input type="hidden" name="version" value=(document.version);
                (Field::text("instruction", t(lang, "documents.instruction"), "").required().render(lang, &[]))
                (select(lang, &[], "lead_unit", t(lang, "documents.lead_unit"), &lead_options, ""))
                (Field::text("lead_due", t(lang, "documents.lead_due"), "").kind("date").render(lang, &[]))
                (Field::text("lead_days", t(lang, "documents.lead_days"), "").kind("number").hint(t(lang, "documents.lead_days_hint")).render(lang, &[]))
                fieldset.field {
                    legend { (t(lang, "documents.coordinating_units")) }
                    @for u in &units { label.inline { input type="checkbox" name="coordinating" value=(u.id); " " (u.name) } }
                }
                fieldset.field {
                    legend { (t(lang, "documents.informed_units")) }
                    @for u in &units { label.inline { input type="checkbox" name="informed" value=(u.id); " " (u.name) } }
                }
                button.primary type="submit" { (t(lang, "documents.route")) }
            }
        }
        h2 { (t(lang, "documents.routing_tree")) }
        @if assignments.is_empty() { p.muted { (t(lang, "documents.not_routed")) } } @else {
            ul.tree {
                @for a in &assignments {
                    @let state_code = if a.status().is_open() { deadline::state(a.due_date, today, 2, &calendar).code() } else { "closed" };
                    li class=(format!("deadline-{state_code}")) {
                        strong { (t(lang, &format!("assignment_role.{}", a.role))) ": " (a.unit_name) }
                        " — " (t(lang, &format!("assignment_status.{}", a.status)))
                        @if let Some(due) = a.due_date { " · " (t(lang, "documents.due_date")) " " (day(Some(due))) }
                        @if state_code == "overdue" || state_code == "due_soon" { " " span class=(format!("badge {state_code}")) { (t(lang, &format!("deadline.{state_code}"))) } }
                        @if let Some(h) = &a.handler_name { " · " (t(lang, "documents.handler")) ": " (h) }
                        @if !a.instruction.is_empty() { br; small.muted { (t(lang, "documents.instruction")) ": " (a.instruction) } }
                        @if !a.result.is_empty() { br; small { (t(lang, "documents.result")) ": " (a.result) } }
                        ul { @for n in notes.iter().filter(|n| n.assignment_id == a.id) {
                            li { small { (crate::vietnam_time(n.created_at)) " · " (n.user_name) ": " (n.note) @if let Some(p) = n.percent { " (" (p) "%)" } } }
                        } }
                        @if a.status().is_open() { (assignment_actions(&ctx, a, unit_users.get(&a.unit_id).map(Vec::as_slice).unwrap_or(&[]), user.id, &replies)) }
                    }
                }
            }
        }
        @if document.kind == "conclusion_notice" {
            h2 { (t(lang, "tasks.title")) }
            @if tasks.is_empty() { p.muted { (t(lang, "tasks.none")) } } @else {
                table.list {
                    thead { tr { th { (t(lang, "tasks.description")) } th { (t(lang, "user.unit")) } th { (t(lang, "documents.due_date")) } th { (t(lang, "documents.status")) } } }
                    tbody { @for task in &tasks {
                        @let overdue = task.done_at.is_none() && task.due_date.is_some_and(|d| d < today);
                        tr class=(if overdue { "deadline-overdue" } else { "" }) {
                            td { (task.description) } td { (task.unit_name.as_deref().unwrap_or("—")) } td { (day(task.due_date)) }
                            td {
                                @if let Some(done) = task.done_at { (t(lang, "tasks.done")) " " (done.format("%d/%m/%Y")) } @else {
                                    form.inline method="post" action={ "/tasks/" (task.id) "/complete" } { (csrf_field(&ctx)) button type="submit" { (t(lang, "tasks.complete")) } }
                                }
                            }
                        }
                    } }
                }
            }
            @if can_route || can_submit {
                form method="post" action={ "/documents/" (id) "/tasks" } {
                    (csrf_field(&ctx))
                    (Field::text("description", t(lang, "tasks.description"), "").required().render(lang, &[]))
                    (select(lang, &[], "unit_id", t(lang, "user.unit"), &units.iter().map(|u| (u.id.to_string(), u.name.clone())).collect::<Vec<_>>(), ""))
                    (Field::text("due_date", t(lang, "documents.due_date"), "").kind("date").render(lang, &[]))
                    button type="submit" { (t(lang, "tasks.add")) }
                }
            }
        }
        @if !linked.is_empty() {
            h2 { (t(lang, "documents.links")) }
            ul { @for (l, other, number) in &linked {
                @let key = if l.document_id == id { format!("link.{}", l.kind) } else { format!("link_back.{}", l.kind) };
                li { (t(lang, &key)) ": " a href={ "/documents/" (other) } { (number) } }
            } }
        }
        h2 { (t(lang, "history.title")) }
        table.list.audit {
            thead { tr { th { (t(lang, "audit.time")) } th { (t(lang, "audit.actor")) } th { (t(lang, "audit.action")) } th { (t(lang, "audit.details")) } } }
            tbody { @for e in &history { tr { td { (e.occurred_at) } td { (e.actor_label) } td { (crate::i18n::t_or(lang, &format!("audit_action.{}", e.action), &e.action)) } td { (e.details) } } } }
        }
        h2 { (t(lang, "documents.viewed_by")) }
        ul { @for (_, name, first, last) in &views { li { (name) " — " (crate::vietnam_time(*first)) " … " (crate::vietnam_time(*last)) } } }
    };
    Ok(page(&ctx, &document.subject, body).into_response())
}

/// The forms a user may use on an open assignment: the unit leader names a handler; the
/// handler reports progress, finishes, returns or asks for more time.
fn assignment_actions(
    ctx: &SignedIn,
    a: &routing::Assignment,
    unit_users: &[(i64, String)],
    me: UserId,
    replies: &[(String, String)],
) -> Markup {
    let lang = ctx.lang;
    let user = ctx.user();
    let leads_unit =
        user.roles.contains(&Role::UnitLeader) && user.unit_id.map(|u| u.0) == Some(a.unit_id);
    let handles = a.handler_user_id == Some(me.0);
    let step_form = |step: &str, inner: Markup, label_key: &str| {
        html! {
            form.inline method="post" action={ "/assignments/" (a.id) "/step" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(a.version);
                input type="hidden" name="step" value=(step);
                (inner)
                button type="submit" { (t(lang, label_key)) }
            }
        }
    };
    // No one is preselected: a single click must not assign the wrong person.
    let mut handler_options = vec![(String::new(), t(lang, "form.choose").to_owned())];
    handler_options.extend(
        unit_users
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone())),
    );
    let mut reply_options = vec![(String::new(), t(lang, "documents.no_reply").to_owned())];
    reply_options.extend(replies.iter().cloned());
    html! {
        div.actions {
            @if leads_unit && a.status() == AssignmentStatus::Assigned {
                (step_form("name_handler", select(lang, &[], "handler_id", t(lang, "documents.handler"), &handler_options, ""), "documents.name_handler"))
            }
            @if leads_unit && a.status() != AssignmentStatus::Assigned {
                (step_form("reassign", html! { (select(lang, &[], "handler_id", t(lang, "documents.handler"), &handler_options, "")) (Field::text("reason", t(lang, "documents.reason"), "").render(lang, &[])) }, "documents.reassign"))
            }
            @if handles {
                (step_form("progress", html! { (Field::text("note", t(lang, "documents.progress_note"), "").required().render(lang, &[])) (Field::text("percent", "%", "").kind("number").render(lang, &[])) }, "documents.report_progress"))
                (step_form("finish", html! { (Field::text("result", t(lang, "documents.result"), "").render(lang, &[])) (select(lang, &[], "reply_document_id", t(lang, "documents.reply_document"), &reply_options, "")) }, "documents.finish"))
            }
            @if handles || leads_unit {
                (step_form("return", Field::text("reason", t(lang, "documents.reason"), "").required().render(lang, &[]), "documents.return"))
                (step_form("extend", html! { (Field::text("due_date", t(lang, "documents.new_due_date"), "").kind("date").required().render(lang, &[])) (Field::text("reason", t(lang, "documents.reason"), "").required().render(lang, &[])) }, "documents.extend"))
            }
        }
    }
}

async fn download_attachment(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path((id, attachment_id)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    readable(&state, &ctx, id).await?;
    let attachment = documents::attachment(&state.db, attachment_id)
        .await
        .map_err(|_| AppError::NotFound)?;
    if attachment.document_id != id {
        return Err(AppError::NotFound);
    }
    let stream = state.blobs.open_stream(&attachment.sha256).await?;
    // PDFs may be shown in the browser; everything else downloads.
    let inline = query.contains_key("inline") && attachment.content_type == "application/pdf";
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        crate::context::urlencode(&attachment.file_name)
    );
    let mut response = (
        [
            (header::CONTENT_TYPE, attachment.content_type.clone()),
            (header::CONTENT_LENGTH, attachment.size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

// ----- Steps -----

#[derive(Deserialize, Default)]
pub struct SubmitForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    leader_id: String,
}

async fn submit_to_leader(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<SubmitForm>,
) -> AppResult<Response> {
    let document = readable(&state, &ctx, id).await?;
    authorize_on(&state, &ctx, Action::RegisterIncoming, &document).await?;
    let leader = form
        .leader_id
        .trim()
        .parse::<i64>()
        .map(UserId)
        .map_err(|_| AppError::fields(vec![FieldError::new("leader_id", "form.required")]))?;
    let leader_user = users::get(&state.db, leader)
        .await
        .map_err(|_| AppError::fields(vec![FieldError::new("leader_id", "form.unknown_value")]))?;
    if !leader_user.roles.contains(&Role::AgencyLeader) {
        return Err(AppError::fields(vec![FieldError::new(
            "leader_id",
            "form.unknown_value",
        )]));
    }
    match incoming::submit_to_leader(&state.db, &ctx.origin(), id, form.version, leader).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?saved=1")).into_response()),
        Err(StoreError::Stale) => {
            Ok(Redirect::to(&format!("/documents/{id}?error=stale")).into_response())
        }
        Err(StoreError::Invalid(_)) => {
            Ok(Redirect::to(&format!("/documents/{id}?error=state")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct RouteForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    instruction: String,
    #[serde(default)]
    lead_unit: String,
    #[serde(default)]
    lead_due: String,
    #[serde(default)]
    lead_days: String,
    #[serde(default)]
    coordinating: Vec<String>,
    #[serde(default)]
    informed: Vec<String>,
}

async fn route_document(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<RouteForm>,
) -> AppResult<Response> {
    let document = readable(&state, &ctx, id).await?;
    authorize_on(&state, &ctx, Action::RouteDocument, &document).await?;
    let instruction = text::required_line(&form.instruction, 2000)
        .map_err(|e| AppError::fields(vec![text_error("instruction", e)]))?;
    let lead = form
        .lead_unit
        .trim()
        .parse::<i64>()
        .map(UnitId)
        .map_err(|_| AppError::fields(vec![FieldError::new("lead_unit", "form.required")]))?;
    let start = document.arrival_date.unwrap_or_else(crate::vietnam_today);
    let calendar = state.calendar().await?;
    let due = match (
        parse_date(&form.lead_due),
        form.lead_days.trim().parse::<u32>(),
    ) {
        (Some(Ok(d)), _) => Some(deadline::resolve(
            deadline::DueSpec::Date(d),
            start,
            &calendar,
        )),
        (Some(Err(())), _) => {
            return Err(AppError::fields(vec![FieldError::new(
                "lead_due",
                "form.date_invalid",
            )]))
        }
        (None, Ok(days)) => Some(deadline::resolve(
            deadline::DueSpec::WorkingDays(days),
            start,
            &calendar,
        )),
        (None, Err(_)) => None,
    };
    let due = match due {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            return Err(AppError::fields(vec![FieldError::new(
                "lead_due",
                "documents.due_before_arrival",
            )]))
        }
        None => None,
    };
    let mut parts = vec![RoutingPart {
        unit: lead,
        role: AssignmentRole::Lead,
        due_date: due,
    }];
    for (list, role) in [
        (&form.coordinating, AssignmentRole::Coordinating),
        (&form.informed, AssignmentRole::ForInformation),
    ] {
        for unit in list.iter().filter_map(|u| u.trim().parse::<i64>().ok()) {
            if parts.iter().all(|p| p.unit.0 != unit) {
                parts.push(RoutingPart {
                    unit: UnitId(unit),
                    role,
                    due_date: if role == AssignmentRole::Coordinating {
                        due
                    } else {
                        None
                    },
                });
            }
        }
    }
    match routing::route(
        &state.db,
        &ctx.origin(),
        id,
        form.version,
        &instruction,
        &parts,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?saved=1")).into_response()),
        // Another leader routed it first: show the current state with a message.
        Err(StoreError::Stale) => {
            Ok(Redirect::to(&format!("/documents/{id}?error=stale")).into_response())
        }
        Err(StoreError::Invalid(code)) if code == "not_routable" => {
            Ok(Redirect::to(&format!("/documents/{id}?error=state")).into_response())
        }
        Err(StoreError::Invalid(code)) if code == "unknown_unit" => {
            Err(AppError::fields(vec![FieldError::new(
                "lead_unit",
                "form.unknown_value",
            )]))
        }
        Err(StoreError::Invalid(code)) if code == "due_before_arrival" => Err(AppError::fields(
            vec![FieldError::new("lead_due", "documents.due_before_arrival")],
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    step: String,
    #[serde(default)]
    handler_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    reply_document_id: String,
    #[serde(default)]
    due_date: String,
}

async fn assignment_step(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let assignment = routing::assignment(&state.db, id)
        .await
        .map_err(|_| AppError::NotFound)?;
    let document = readable(&state, &ctx, assignment.document_id).await?;
    let user = ctx.user();
    let leads_unit = user.roles.contains(&Role::UnitLeader)
        && user.unit_id.map(|u| u.0) == Some(assignment.unit_id);
    let handles = assignment.handler_user_id == Some(user.id.0);
    let tree = org::unit_tree(&state.db).await?;
    let target = vanphong_core::permission::Target {
        unit: Some(UnitId(assignment.unit_id)),
        secrecy: document.secrecy(),
    };
    ctx.authorize(Action::HandleAssignment, target, &tree)?;
    let handler = || -> AppResult<UserId> {
        form.handler_id
            .trim()
            .parse::<i64>()
            .map(UserId)
            .map_err(|_| AppError::fields(vec![FieldError::new("handler_id", "form.required")]))
    };
    let step = match form.step.as_str() {
        "name_handler" if leads_unit => Step::NameHandler {
            handler: handler()?,
        },
        "reassign" if leads_unit => Step::Reassign {
            handler: handler()?,
            reason: text::normalize(&form.reason),
        },
        "progress" if handles => Step::ReportProgress {
            note: text::required_line(&form.note, 2000)
                .map_err(|e| AppError::fields(vec![text_error("note", e)]))?,
            percent: form
                .percent
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|p| (0..=100).contains(p)),
        },
        "finish" if handles => Step::Finish {
            result: text::normalize(&form.result),
            reply_document_id: form.reply_document_id.trim().parse().ok(),
        },
        "return" if handles || leads_unit => Step::Return {
            reason: text::normalize(&form.reason),
        },
        "extend" if handles || leads_unit => Step::ExtendDueDate {
            due_date: match parse_date(&form.due_date) {
                Some(Ok(d)) => d,
                _ => {
                    return Err(AppError::fields(vec![FieldError::new(
                        "due_date",
                        "form.date_invalid",
                    )]))
                }
            },
            reason: text::normalize(&form.reason),
        },
        "name_handler" | "reassign" | "progress" | "finish" | "return" | "extend" => {
            return Err(AppError::Forbidden)
        }
        _ => return Err(AppError::invalid("unknown_step")),
    };
    // A handler must belong to the assignment's unit.
    if let Step::NameHandler { handler } | Step::Reassign { handler, .. } = &step {
        let h = users::get(&state.db, *handler).await.map_err(|_| {
            AppError::fields(vec![FieldError::new("handler_id", "form.unknown_value")])
        })?;
        if h.unit_id.map(|u| u.0) != Some(assignment.unit_id) {
            return Err(AppError::fields(vec![FieldError::new(
                "handler_id",
                "form.unknown_value",
            )]));
        }
    }
    match routing::apply(&state.db, &ctx.origin(), id, form.version, step).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/documents/{}?saved=1", assignment.document_id)).into_response(),
        ),
        Err(StoreError::Stale) => Ok(Redirect::to(&format!(
            "/documents/{}?error=stale",
            assignment.document_id
        ))
        .into_response()),
        Err(StoreError::Invalid(code)) if code == "reason_required" => {
            Err(AppError::fields(vec![FieldError::new(
                "reason",
                "documents.reason_required",
            )]))
        }
        Err(StoreError::Invalid(_)) => Ok(Redirect::to(&format!(
            "/documents/{}?error=state",
            assignment.document_id
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

// ----- Conclusion tasks -----

#[derive(Deserialize, Default)]
pub struct TaskForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    due_date: String,
}

async fn add_task(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<TaskForm>,
) -> AppResult<Response> {
    let document = readable(&state, &ctx, id).await?;
    if !(ctx.can(Action::RegisterIncoming)
        || authorize_on(&state, &ctx, Action::RouteDocument, &document)
            .await
            .is_ok())
    {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let description = text::required_line(&form.description, 1000)
        .map_err(|e| errors.push(text_error("description", e)))
        .ok();
    let due = match parse_date(&form.due_date) {
        Some(Ok(d)) => Some(d),
        Some(Err(())) => {
            errors.push(FieldError::new("due_date", "form.date_invalid"));
            None
        }
        None => None,
    };
    let (Some(description), true) = (description, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    match documents::tasks::add(
        &state.db,
        &ctx.origin(),
        id,
        &description,
        form.unit_id.trim().parse().ok().map(UnitId),
        due,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?saved=1")).into_response()),
        Err(StoreError::Invalid(code)) if code == "unknown_unit" => {
            Err(AppError::fields(vec![FieldError::new(
                "unit_id",
                "form.unknown_value",
            )]))
        }
        Err(StoreError::Invalid(_)) => {
            Ok(Redirect::to(&format!("/documents/{id}?error=state")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn complete_task(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let document_id: i64 = {
        let task_doc = vanphong_store::documents::tasks::document_of(&state.db, id)
            .await
            .map_err(|_| AppError::NotFound)?;
        task_doc
    };
    readable(&state, &ctx, document_id).await?;
    match documents::tasks::complete(&state.db, &ctx.origin(), id).await {
        Ok(()) => Ok(Redirect::to(&format!("/documents/{document_id}?saved=1")).into_response()),
        Err(StoreError::Invalid(_)) => {
            Ok(Redirect::to(&format!("/documents/{document_id}?error=state")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ----- Tracked kinds -----

#[derive(Deserialize, Default)]
pub struct TrackedQuery {
    year: Option<i32>,
}

async fn tracked_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<TrackedQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let scope = read_scope(&state, &ctx).await?;
    let year = query
        .year
        .filter(|y| (1900..=2100).contains(y))
        .unwrap_or_else(|| crate::vietnam_today().year());
    let rows = lists::tracked_counts(&state.db, &scope, ctx.user().id, year).await?;
    let body = html! {
        h1 { (t(lang, "tracked.title")) " " (year) }
        p { a href={ "/documents/tracked?year=" (year - 1) } { "← " (year - 1) } " · " a href={ "/documents/tracked?year=" (year + 1) } { (year + 1) " →" } }
        @if rows.is_empty() { p.muted { (t(lang, "list.empty")) } } @else {
            table.list {
                thead { tr { th { (t(lang, "documents.kind")) } th { (t(lang, "documents.petition_source")) } th { (t(lang, "tracked.received")) } th { (t(lang, "tracked.finished")) } } }
                tbody { @for (kind, source, received, finished) in &rows {
                    tr {
                        td { a href={ "/documents/incoming?kind=" (kind) "&from=" (year) "-01-01&to=" (year) "-12-31" } { (t(lang, &format!("document_kind.{kind}"))) } }
                        td { @if let Some(s) = source { (t(lang, &format!("petition_source.{s}"))) } }
                        td { (received) } td { (finished) }
                    }
                } }
            }
        }
    };
    Ok(page(&ctx, t(lang, "tracked.title"), body).into_response())
}

// ----- Inbox -----

async fn inbox_page(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    let lang = ctx.lang;
    let user = ctx.user();
    let today = crate::vietnam_today();
    let scope = read_scope(&state, &ctx).await.ok();
    let awaiting_me = match &scope {
        Some(scope) => {
            let filter = DocumentFilter {
                direction: Some("incoming".into()),
                status: Some("awaiting_instruction".into()),
                leader: Some(user.id),
                ..Default::default()
            };
            lists::list(&state.db, scope, user.id, &filter, Sort::Oldest, 0, 200).await?
        }
        None => Vec::new(),
    };
    let to_submit = match (&scope, ctx.can(Action::RegisterIncoming)) {
        (Some(scope), true) => {
            let filter = DocumentFilter {
                direction: Some("incoming".into()),
                status: Some("registered".into()),
                ..Default::default()
            };
            lists::list(&state.db, scope, user.id, &filter, Sort::Oldest, 0, 200).await?
        }
        _ => Vec::new(),
    };
    let to_assign = if user.roles.contains(&Role::UnitLeader) {
        lists::open_assignments(&state.db, user.unit_id, None, 200).await?
    } else {
        Vec::new()
    };
    let mine = lists::open_assignments(&state.db, None, Some(user.id), 200).await?;
    // Outgoing work: drafts put before me for review, approved drafts to number (clerks),
    // and my own drafts sent back for changes.
    let outgoing = |status: &'static str| DocumentFilter {
        direction: Some("outgoing".into()),
        status: Some(status.into()),
        ..Default::default()
    };
    let (to_review, to_issue, my_returned) = match &scope {
        Some(scope) => {
            let to_review: Vec<Document> = lists::list(
                &state.db,
                scope,
                user.id,
                &DocumentFilter {
                    leader: Some(user.id),
                    ..outgoing("in_review")
                },
                Sort::Oldest,
                0,
                200,
            )
            .await?;
            let to_issue = if ctx.can(Action::IssueOutgoing) {
                lists::list(
                    &state.db,
                    scope,
                    user.id,
                    &outgoing("approved"),
                    Sort::Oldest,
                    0,
                    200,
                )
                .await?
            } else {
                Vec::new()
            };
            let my_returned: Vec<Document> = lists::list(
                &state.db,
                scope,
                user.id,
                &DocumentFilter {
                    drafter: Some(user.id),
                    ..outgoing("returned")
                },
                Sort::Oldest,
                0,
                200,
            )
            .await?;
            (to_review, to_issue, my_returned)
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let doc_rows = |docs: &[Document]| {
        html! {
            table.list { tbody { @for d in docs {
                tr { td { a href={ "/documents/" (d.id) } { (d.number_symbol.as_deref().unwrap_or("")) } } td { (d.subject) } td { (day(d.arrival_date)) } }
            } } }
        }
    };
    let assignment_rows = |rows: &[(routing::Assignment, String, Option<String>)]| {
        html! {
            table.list { tbody { @for (a, subject, number) in rows {
                @let overdue = a.due_date.is_some_and(|d| d < today);
                tr class=(if overdue { "deadline-overdue" } else { "" }) {
                    td { a href={ "/documents/" (a.document_id) } { (number.as_deref().unwrap_or("")) } }
                    td { (subject) }
                    td { (t(lang, &format!("assignment_role.{}", a.role))) }
                    td { (day(a.due_date)) @if overdue { " " span.badge.overdue { (t(lang, "deadline.overdue")) } } }
                }
            } } }
        }
    };
    let body = html! {
        h1 { (t(lang, "nav.inbox")) }
        @if !to_submit.is_empty() { h2 { (t(lang, "inbox.to_submit")) " (" (to_submit.len()) ")" } (doc_rows(&to_submit)) }
        @if !awaiting_me.is_empty() { h2 { (t(lang, "inbox.awaiting_instruction")) " (" (awaiting_me.len()) ")" } (doc_rows(&awaiting_me)) }
        @if !to_assign.is_empty() { h2 { (t(lang, "inbox.to_assign")) " (" (to_assign.len()) ")" } (assignment_rows(&to_assign)) }
        @if !mine.is_empty() { h2 { (t(lang, "inbox.mine")) " (" (mine.len()) ")" } (assignment_rows(&mine)) }
        @if !to_review.is_empty() { h2 { (t(lang, "inbox.to_review")) " (" (to_review.len()) ")" } (doc_rows(&to_review)) }
        @if !to_issue.is_empty() { h2 { (t(lang, "inbox.to_issue")) " (" (to_issue.len()) ")" } (doc_rows(&to_issue)) }
        @if !my_returned.is_empty() { h2 { (t(lang, "inbox.returned")) " (" (my_returned.len()) ")" } (doc_rows(&my_returned)) }
        @if to_submit.is_empty() && awaiting_me.is_empty() && to_assign.is_empty() && mine.is_empty()
            && to_review.is_empty() && to_issue.is_empty() && my_returned.is_empty() { p.muted { (t(lang, "inbox.empty")) } }
    };
    Ok(page(&ctx, t(lang, "nav.inbox"), body).into_response())
}
