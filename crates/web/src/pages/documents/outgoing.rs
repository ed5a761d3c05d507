//! Outgoing documents: the list (filters, pages, CSV and XLSX), the new draft form, the
//! document page with its versions, comments, recipients and history, the steps of its
//! life (submit, return, approve, issue, recall, replace), and the administration of the
//! numbering series.
//!
//! Every step checks the permission for the document's unit and secrecy; a refused step
//! shows the page again with the message beside the field, a stale one with the current
//! state.

use super::incoming::{secrecy_label, type_name, urgency_label, COUNT_CAP};
use super::{authorize_on, read_scope, readable};
use crate::context::{RequestContext, SignedIn};
use crate::error::{text_error, AppError, AppResult, FieldError};
use crate::export::{Format, Table};
use crate::i18n::{t, Lang};
use crate::layout::{
    csrf_field, error_summary, export_links, field_error, format_bytes, page, select, Field,
};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
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
use vanphong_core::document::kind::{DocumentType, Urgency, DOCUMENT_TYPES};
use vanphong_core::document::numbering::pick_series;
use vanphong_core::document::outgoing::{OutgoingStatus, SigningAuthority};
use vanphong_core::ids::{OrganisationId, UnitId, UserId};
use vanphong_core::permission::{self, Action, Target};
use vanphong_core::text;
use vanphong_store::documents::lists::{self, DocumentFilter, Sort};
use vanphong_store::documents::outgoing::{
    self, DraftFile, IssueInput, NewDraft, Recipients, SeriesInput, Signer,
};
use vanphong_store::documents::{self, Document};
use vanphong_store::users::{self, UserFilter};
use vanphong_store::{audit, org, StoreError};

const PAGE_SIZE: i64 = 50;
const EXPORT_LIMIT: i64 = 100_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents/outgoing", get(list_page).post(create_draft))
        .route("/documents/outgoing/new", get(new_page))
        .route("/documents/outgoing/{id}", get(document_page))
        // File uploads stream into the blob store, which enforces its own size limit.
        .route(
            "/documents/outgoing/{id}/versions",
            post(add_version).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/documents/outgoing/{id}/issue",
            post(issue).layer(DefaultBodyLimit::disable()),
        )
        .route("/documents/outgoing/{id}/{step}", post(step))
        .route(
            "/admin/numbering-series",
            get(series_page).post(create_series),
        )
        .route(
            "/admin/numbering-series/{id}",
            get(edit_series_page).post(update_series),
        )
}

/// Today in Vietnam (UTC+7): the issue date of a document numbered now.
fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
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

fn status_label(lang: Lang, status: &str) -> &'static str {
    t(lang, &format!("document_status.{status}"))
}

fn authority_label(lang: Lang, code: &str) -> &'static str {
    t(lang, &format!("signing_authority.{code}"))
}

/// "KT. Tổng cục trưởng — Trần Thị Hoa": the signature block on one line.
fn signature(document: &Document) -> String {
    let prefix = SigningAuthority::parse(&document.signing_authority)
        .map(|a| a.prefix())
        .unwrap_or_default();
    let position = [prefix, document.signer_position.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match (position.is_empty(), document.signer_name.is_empty()) {
        (true, _) => document.signer_name.clone(),
        (false, true) => position,
        (false, false) => format!("{position} — {}", document.signer_name),
    }
}

fn options<T: Copy>(
    items: &[T],
    code: impl Fn(T) -> String,
    label: impl Fn(T) -> String,
) -> Vec<(String, String)> {
    items.iter().map(|i| (code(*i), label(*i))).collect()
}

fn type_options(lang: Lang) -> Vec<(String, String)> {
    DOCUMENT_TYPES
        .iter()
        .map(|d| (d.code.to_owned(), type_label(lang, d)))
        .collect()
}

fn type_label(lang: Lang, d: &DocumentType) -> String {
    if d.abbreviation.is_empty() {
        type_name(lang, d.code).to_owned()
    } else {
        format!("{} ({})", type_name(lang, d.code), d.abbreviation)
    }
}

/// The units where the user may draft, for the drafting-unit select.
async fn draftable_units(state: &AppState, ctx: &RequestContext) -> AppResult<Vec<org::Unit>> {
    let user = ctx.user().ok_or(AppError::Forbidden)?;
    let tree = org::unit_tree(&state.db).await?;
    let units = org::units(&state.db).await?;
    let ids: Vec<UnitId> = units.iter().map(|u| u.id).collect();
    let scope = permission::read_scope(&user.actor(), Action::DraftOutgoing, &ids, &tree)
        .ok_or(AppError::Forbidden)?;
    Ok(units
        .into_iter()
        .filter(|u| u.active && scope.units.as_ref().is_none_or(|s| s.contains(&u.id)))
        .collect())
}

fn can_draft_somewhere(ctx: &RequestContext) -> bool {
    ctx.user().is_some_and(|u| {
        u.roles.iter().any(|r| {
            matches!(
                r,
                Role::RecordsClerk | Role::AgencyLeader | Role::UnitLeader | Role::Specialist
            )
        })
    })
}

// ----- The list -----

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    type_code: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<i64>,
    format: Option<String>,
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
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new("to", "outgoing.period_reversed"));
            }
        }
        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        DocumentFilter {
            direction: Some("outgoing".into()),
            status: nonempty(&self.status).filter(|s| OutgoingStatus::parse(s).is_some()),
            type_code: nonempty(&self.type_code),
            unit: self.unit_id.trim().parse().ok().map(UnitId),
            from,
            to,
            text: nonempty(&self.q).map(|q| text::normalize(&q).chars().take(200).collect()),
            ..DocumentFilter::default()
        }
    }

    fn query_string(&self) -> String {
        [
            ("status", &self.status),
            ("type_code", &self.type_code),
            ("unit_id", &self.unit_id),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("sort", &self.sort),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::context::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// The outgoing register's columns (Decree 30, Appendix VI).
fn outgoing_table(lang: Lang, docs: &[Document], units: &HashMap<i64, String>) -> Table {
    Table {
        sheet: t(lang, "nav.outgoing").into(),
        headers: [
            "outgoing.number_symbol",
            "outgoing.issued_on",
            "outgoing.type",
            "outgoing.subject",
            "outgoing.signer",
            "outgoing.recipients",
            "outgoing.drafting_unit",
            "outgoing.copies",
            "outgoing.urgency",
            "outgoing.secrecy",
            "outgoing.status",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: docs
            .iter()
            .map(|d| {
                vec![
                    d.number_symbol.clone().unwrap_or_default(),
                    day(d.issued_on),
                    type_name(lang, &d.type_code).to_owned(),
                    d.subject.clone(),
                    signature(d),
                    d.recipients_text.clone(),
                    d.owner_unit_id
                        .and_then(|u| units.get(&u))
                        .cloned()
                        .unwrap_or_default(),
                    d.copies.map(|c| c.to_string()).unwrap_or_default(),
                    urgency_label(lang, d.urgency).to_owned(),
                    secrecy_label(lang, d.secrecy).to_owned(),
                    status_label(lang, &d.status).to_owned(),
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
    let units = org::units(&state.db).await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|u| (u.id.0, u.name.clone())).collect();
    if let Some(format) = Format::parse(query.format.as_deref()) {
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let docs = lists::list(&state.db, &scope, user, &filter, sort, 0, EXPORT_LIMIT).await?;
        return outgoing_table(lang, &docs, &unit_names).respond(format, "van-ban-di");
    }
    let page_number = query.page.unwrap_or(1).max(1);
    // As the incoming list: one row more than a page says whether there is a next page, and
    // the count stops at COUNT_CAP ("more than 2000"): counting millions of documents on
    // every view took 0.8–1.6 s at national scale.
    let (mut docs, total) = if errors.is_empty() {
        let docs = lists::list(
            &state.db,
            &scope,
            user,
            &filter,
            sort,
            (page_number - 1) * PAGE_SIZE,
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
    let capped = total > COUNT_CAP;
    let base = format!("/documents/outgoing?{}", query.query_string());
    let mut unit_options = vec![(String::new(), t(lang, "list.all_units").to_owned())];
    unit_options.extend(units.iter().map(|u| (u.id.to_string(), u.name.clone())));
    let mut status_options = vec![(String::new(), t(lang, "outgoing.any_status").to_owned())];
    status_options.extend(options(
        &OutgoingStatus::ALL,
        |s| s.code().to_owned(),
        |s| status_label(lang, s.code()).to_owned(),
    ));
    let mut types = vec![(String::new(), t(lang, "outgoing.any_type").to_owned())];
    types.extend(type_options(lang));
    let sort_options = vec![
        (
            "newest".to_owned(),
            t(lang, "outgoing.sort_newest").to_owned(),
        ),
        (
            "oldest".to_owned(),
            t(lang, "outgoing.sort_oldest").to_owned(),
        ),
    ];
    let pages = (!capped).then(|| (total + PAGE_SIZE - 1) / PAGE_SIZE);
    let body = html! {
        h1 { (t(lang, "nav.outgoing")) }
        @if can_draft_somewhere(&ctx) {
            p { a.button href="/documents/outgoing/new" accesskey="n" { (t(lang, "outgoing.new_draft")) } }
        }
        (error_summary(lang, &errors))
        form.filters method="get" action="/documents/outgoing" role="search" {
            (Field::text("q", t(lang, "list.search"), &query.q).kind("search").hint(t(lang, "outgoing.search_hint")).render(lang, &errors))
            (select(lang, &errors, "status", t(lang, "outgoing.status"), &status_options, &query.status))
            (select(lang, &errors, "type_code", t(lang, "outgoing.type"), &types, &query.type_code))
            (select(lang, &errors, "unit_id", t(lang, "outgoing.drafting_unit"), &unit_options, &query.unit_id))
            (Field::text("from", t(lang, "outgoing.issued_from"), &query.from).kind("date").render(lang, &errors))
            (Field::text("to", t(lang, "outgoing.issued_to"), &query.to).kind("date").render(lang, &errors))
            (select(lang, &errors, "sort", t(lang, "outgoing.sort"), &sort_options, sort.code()))
            button type="submit" { (t(lang, "list.filter")) }
        }
        p { @if capped { (t(lang, "documents.more_than")) " " (COUNT_CAP) } @else { (total) } " " (t(lang, "outgoing.count")) }
        (export_links(lang, &base))
        @if docs.is_empty() { p.muted { (t(lang, "list.empty")) } } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "outgoing.number_symbol")) } th { (t(lang, "outgoing.issued_on")) }
                    th { (t(lang, "outgoing.type")) } th { (t(lang, "outgoing.subject")) }
                    th { (t(lang, "outgoing.drafting_unit")) } th { (t(lang, "outgoing.status")) }
                } }
                tbody {
                    @for d in &docs {
                        tr {
                            td { a href={ "/documents/outgoing/" (d.id) } { (d.number_symbol.as_deref().unwrap_or("—")) } }
                            td { (day(d.issued_on)) }
                            td { (type_name(lang, &d.type_code)) }
                            td {
                                a href={ "/documents/outgoing/" (d.id) } { (d.subject) }
                                @if d.urgency > 0 { " " span.badge.urgent { (urgency_label(lang, d.urgency)) } }
                                @if d.secrecy > 0 { " " span.badge.urgent { (secrecy_label(lang, d.secrecy)) } }
                            }
                            td { (d.owner_unit_id.and_then(|u| unit_names.get(&u)).map(String::as_str).unwrap_or("")) }
                            td { (status_label(lang, &d.status)) }
                        }
                    }
                }
            }
        }
        @if page_number > 1 || has_next {
            nav.pager aria-label=(t(lang, "list.pagination")) {
                @if page_number > 1 { a href={ (base) "&page=" (page_number - 1) } rel="prev" { "← " (t(lang, "outgoing.previous_page")) } " " }
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
    Ok((status, page(&ctx, t(lang, "nav.outgoing"), body)).into_response())
}

// ----- A new draft -----

#[derive(Deserialize, Default, Clone)]
pub struct DraftForm {
    #[serde(default)]
    type_code: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    drafting_unit_id: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    secrecy: String,
    #[serde(default)]
    signer_name: String,
    #[serde(default)]
    signer_position: String,
    #[serde(default)]
    signing_authority: String,
    #[serde(default)]
    recipient_units: Vec<String>,
    #[serde(default)]
    recipient_organisations: Vec<String>,
    #[serde(default)]
    recipients_note: String,
    #[serde(default)]
    copies: String,
    #[serde(default)]
    reply_to: String,
}

impl DraftForm {
    /// Parses the form into a draft by `drafter`, collecting every field's error.
    fn parse(&self, drafter: UserId, errors: &mut Vec<FieldError>) -> Option<NewDraft> {
        let type_code = DocumentType::by_code(&self.type_code)
            .map_err(|_| errors.push(FieldError::new("type_code", "outgoing.unknown_type")))
            .ok()
            .map(|t| t.code.to_owned());
        let subject = text::required_line(&self.subject, 500)
            .map_err(|e| errors.push(text_error("subject", e)))
            .ok();
        let drafting_unit = match self.drafting_unit_id.trim().parse::<i64>() {
            Ok(id) => Some(UnitId(id)),
            Err(_) => {
                errors.push(FieldError::new("drafting_unit_id", "form.required"));
                None
            }
        };
        let or_default = |value: &str, default: &'static str| -> String {
            if value.trim().is_empty() {
                default.to_owned()
            } else {
                value.to_owned()
            }
        };
        let urgency = Urgency::parse(&or_default(&self.urgency, "normal"))
            .map_err(|_| errors.push(FieldError::new("urgency", "form.unknown_value")))
            .ok();
        let secrecy = Secrecy::parse(&or_default(&self.secrecy, "normal"))
            .map_err(|_| errors.push(FieldError::new("secrecy", "form.unknown_value")))
            .ok();
        let authority = SigningAuthority::parse(&or_default(&self.signing_authority, "own"))
            .map_err(|_| errors.push(FieldError::new("signing_authority", "form.unknown_value")))
            .ok();
        let signer_name = text::optional_line(&self.signer_name, 200)
            .map_err(|e| errors.push(text_error("signer_name", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        let signer_position = text::optional_line(&self.signer_position, 200)
            .map_err(|e| errors.push(text_error("signer_position", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut units = Vec::new();
        for value in self.recipient_units.iter().filter(|v| !v.trim().is_empty()) {
            match value.trim().parse::<i64>() {
                Ok(id) => units.push(UnitId(id)),
                Err(_) => errors.push(FieldError::new("recipient_units", "form.unknown_value")),
            }
        }
        let mut organisations = Vec::new();
        for value in self
            .recipient_organisations
            .iter()
            .filter(|v| !v.trim().is_empty())
        {
            match value.trim().parse::<i64>() {
                Ok(id) => organisations.push(OrganisationId(id)),
                Err(_) => errors.push(FieldError::new(
                    "recipient_organisations",
                    "form.unknown_value",
                )),
            }
        }
        let note = text::optional_line(&self.recipients_note, 1000)
            .map_err(|e| errors.push(text_error("recipients_note", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        let copies = match self.copies.trim() {
            "" => None,
            c => match c.parse::<i64>() {
                Ok(n) if (1..=100_000).contains(&n) => Some(n),
                _ => {
                    errors.push(FieldError::new("copies", "form.not_a_number"));
                    None
                }
            },
        };
        let reply_to = match self.reply_to.trim().trim_start_matches('#') {
            "" => None,
            r => match r.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new("reply_to", "outgoing.unknown_reply_to"));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return None;
        }
        Some(NewDraft {
            type_code: type_code?,
            subject: subject?,
            drafting_unit: drafting_unit?,
            drafter,
            urgency: urgency?,
            secrecy: secrecy?,
            signer: Signer {
                name: signer_name,
                position: signer_position,
                authority: authority?,
            },
            recipients: Recipients {
                units,
                organisations,
                note,
            },
            copies,
            reply_to,
            first_version: None,
        })
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    reply_to: Option<String>,
}

async fn new_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    if !can_draft_somewhere(&ctx) {
        return Err(AppError::Forbidden);
    }
    let user = ctx.user();
    let form = DraftForm {
        type_code: "cong_van".into(),
        drafting_unit_id: user.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        reply_to: query.reply_to.unwrap_or_default(),
        ..DraftForm::default()
    };
    render_new(&state, &ctx, &form, &[], StatusCode::OK).await
}

async fn render_new(
    state: &AppState,
    ctx: &SignedIn,
    form: &DraftForm,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let drafting_units = draftable_units(state, ctx).await?;
    let all_units = org::units(&state.db).await?;
    let organisations = org::organisations(&state.db, None, None, 10_000).await?;
    let unit_options: Vec<(String, String)> = drafting_units
        .iter()
        .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.abbreviation)))
        .collect();
    let urgency_options = options(
        &Urgency::ALL,
        |u| u.code().to_owned(),
        |u| urgency_label(lang, u.rank()).to_owned(),
    );
    let clearance = ctx.user().clearance;
    let secrecy_options = options(
        &Secrecy::ALL
            .into_iter()
            .filter(|s| *s <= clearance)
            .collect::<Vec<_>>(),
        |s| s.code().to_owned(),
        |s| secrecy_label(lang, i64::from(s.rank())).to_owned(),
    );
    let authority_options = options(
        &SigningAuthority::ALL,
        |a| a.code().to_owned(),
        |a| authority_label(lang, a.code()).to_owned(),
    );
    let units_error = field_error(lang, errors, "recipient_units");
    let organisations_error = field_error(lang, errors, "recipient_organisations");
    let body = html! {
        p { a href="/documents/outgoing" { "← " (t(lang, "nav.outgoing")) } }
        h1 { (t(lang, "outgoing.new_draft")) }
        p.muted { (t(lang, "outgoing.new_draft_hint")) }
        (error_summary(lang, errors))
        form method="post" action="/documents/outgoing" {
            (csrf_field(ctx))
            (select(lang, errors, "type_code", t(lang, "outgoing.type"), &type_options(lang), &form.type_code))
            (Field::text("subject", t(lang, "outgoing.subject"), &form.subject).required().autofocus().hint(t(lang, "outgoing.subject_hint")).render(lang, errors))
            (select(lang, errors, "drafting_unit_id", t(lang, "outgoing.drafting_unit"), &unit_options, &form.drafting_unit_id))
            (select(lang, errors, "urgency", t(lang, "outgoing.urgency"), &urgency_options, if form.urgency.is_empty() { "normal" } else { &form.urgency }))
            (select(lang, errors, "secrecy", t(lang, "outgoing.secrecy"), &secrecy_options, if form.secrecy.is_empty() { "normal" } else { &form.secrecy }))
            (select(lang, errors, "signing_authority", t(lang, "outgoing.signing_authority"), &authority_options, if form.signing_authority.is_empty() { "own" } else { &form.signing_authority }))
            (Field::text("signer_position", t(lang, "outgoing.signer_position"), &form.signer_position).hint(t(lang, "outgoing.signer_position_hint")).render(lang, errors))
            (Field::text("signer_name", t(lang, "outgoing.signer_name"), &form.signer_name).render(lang, errors))
            fieldset.field.invalid[units_error.is_some()] {
                legend { (t(lang, "outgoing.recipient_units")) }
                small.hint { (t(lang, "outgoing.recipient_units_hint")) }
                @for u in all_units.iter().filter(|u| u.active) {
                    label.inline {
                        input type="checkbox" name="recipient_units" value=(u.id) checked[form.recipient_units.iter().any(|v| v.trim() == u.id.to_string())];
                        " " (u.name)
                    }
                }
                @if let Some(message) = units_error { p.error role="alert" { (message) } }
            }
            div.field.invalid[organisations_error.is_some()] {
                label for="f-recipient_organisations" { (t(lang, "outgoing.recipient_organisations")) }
                select id="f-recipient_organisations" name="recipient_organisations" multiple size="8" aria-describedby="h-recipient_organisations" {
                    @for o in organisations.iter().filter(|o| o.active) {
                        option value=(o.id) selected[form.recipient_organisations.iter().any(|v| v.trim() == o.id.to_string())] { (o.name) }
                    }
                }
                small.hint id="h-recipient_organisations" { (t(lang, "outgoing.recipient_organisations_hint")) }
                @if let Some(message) = organisations_error { p.error role="alert" { (message) } }
            }
            (Field::text("recipients_note", t(lang, "outgoing.recipients_note"), &form.recipients_note).hint(t(lang, "outgoing.recipients_note_hint")).render(lang, errors))
            (Field::text("copies", t(lang, "outgoing.copies"), &form.copies).kind("number").render(lang, errors))
            (Field::text("reply_to", t(lang, "outgoing.reply_to"), &form.reply_to).hint(t(lang, "outgoing.reply_to_hint")).render(lang, errors))
            button.primary type="submit" { (t(lang, "outgoing.create_draft")) }
        }
    };
    Ok((status, page(ctx, t(lang, "outgoing.new_draft"), body)).into_response())
}

/// Field errors for the store's refusals of a draft.
fn draft_errors(code: &str) -> Option<FieldError> {
    Some(match code {
        "unknown_type" => FieldError::new("type_code", "outgoing.unknown_type"),
        "subject_required" => FieldError::new("subject", "form.required"),
        "subject_invalid" => FieldError::new("subject", "form.too_long"),
        "unknown_unit" => FieldError::new("drafting_unit_id", "form.unknown_value"),
        "unknown_recipient" => FieldError::new("recipient_units", "outgoing.unknown_recipient"),
        "unknown_reply_to" => FieldError::new("reply_to", "outgoing.unknown_reply_to"),
        "copies_out_of_range" => FieldError::new("copies", "form.not_a_number"),
        "signer_invalid" => FieldError::new("signer_name", "form.too_long"),
        "text_too_long" => FieldError::new("recipients_note", "form.too_long"),
        _ => return None,
    })
}

async fn create_draft(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<DraftForm>,
) -> AppResult<Response> {
    if !can_draft_somewhere(&ctx) {
        return Err(AppError::Forbidden);
    }
    let user = ctx.user();
    let mut errors = Vec::new();
    let new = form.parse(user.id, &mut errors);
    if let Some(new) = &new {
        // The drafting unit and the secrecy must be within the drafter's reach.
        let tree = org::unit_tree(&state.db).await?;
        let target = Target::in_unit(new.drafting_unit).with_secrecy(new.secrecy);
        match permission::authorize(&user.actor(), Action::DraftOutgoing, target, &tree) {
            Ok(()) => {}
            Err(permission::Denied::Clearance) => {
                errors.push(FieldError::new("secrecy", "outgoing.above_clearance"))
            }
            Err(_) => errors.push(FieldError::new(
                "drafting_unit_id",
                "outgoing.unit_not_allowed",
            )),
        }
        // A reply may only name a document the drafter can read.
        if let Some(reply_to) = new.reply_to {
            let scope = read_scope(&state, &ctx).await?;
            if !documents::scope_allows(&state.db, &scope, user.id, reply_to).await? {
                errors.push(FieldError::new("reply_to", "outgoing.unknown_reply_to"));
            }
        }
    }
    if let (Some(new), true) = (new, errors.is_empty()) {
        match outgoing::create_draft(&state.db, &ctx.origin(), &new).await {
            Ok(document) => {
                return Ok(
                    Redirect::to(&format!("/documents/outgoing/{}?saved=1", document.id))
                        .into_response(),
                )
            }
            Err(StoreError::Invalid(code)) => match draft_errors(&code) {
                Some(error) => errors.push(error),
                None => return Err(StoreError::Invalid(code).into()),
            },
            Err(e) => return Err(e.into()),
        }
    }
    render_new(
        &state,
        &ctx,
        &form,
        &errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

// ----- The document page -----

#[derive(Deserialize, Default)]
pub struct DocumentQuery {
    saved: Option<String>,
}

/// What a refused step brings back to the page: messages beside fields, a message at the
/// top, and what the user had typed.
#[derive(Default)]
struct Feedback {
    errors: Vec<FieldError>,
    alert: Option<&'static str>,
    saved: bool,
    values: StepForm,
}

async fn document_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<DocumentQuery>,
) -> AppResult<Response> {
    let document = readable(&state, &ctx, id).await?;
    if document.is_incoming() {
        return Ok(Redirect::to(&format!("/documents/{id}")).into_response());
    }
    documents::record_view(&state.db, id, ctx.user().id).await?;
    let feedback = Feedback {
        saved: query.saved.is_some(),
        ..Feedback::default()
    };
    render_document(&state, &ctx, &document, &feedback, StatusCode::OK).await
}

/// A labelled multi-line field with its error beside it.
fn text_area(
    lang: Lang,
    errors: &[FieldError],
    name: &str,
    label: &str,
    value: &str,
    required: bool,
) -> Markup {
    let error = field_error(lang, errors, name);
    let id = format!("f-{name}");
    let error_id = format!("e-{name}");
    let focus = errors.first().is_some_and(|e| e.field == name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) @if required { span.req aria-hidden="true" { " *" } } }
            textarea id=(id) name=(name) rows="3" required[required] autofocus[focus]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.clone())] { (value) }
            @if let Some(message) = error { p.error id=(error_id) role="alert" { (message) } }
        }
    }
}

/// What the user may do on this document, from their permissions for its unit and secrecy.
struct Abilities {
    draft: bool,
    review: bool,
    issue: bool,
}

async fn abilities(state: &AppState, ctx: &SignedIn, document: &Document) -> Abilities {
    Abilities {
        draft: authorize_on(state, ctx, Action::DraftOutgoing, document)
            .await
            .is_ok(),
        review: authorize_on(state, ctx, Action::RouteDocument, document)
            .await
            .is_ok(),
        issue: authorize_on(state, ctx, Action::IssueOutgoing, document)
            .await
            .is_ok(),
    }
}

/// The leaders who may review and sign this document: those whose permission to route
/// documents reaches its unit and secrecy.
async fn reviewers_of(state: &AppState, document: &Document) -> AppResult<Vec<users::User>> {
    let tree = org::unit_tree(&state.db).await?;
    let target = Target {
        unit: document.owner_unit(),
        secrecy: document.secrecy(),
    };
    Ok(users::list(&state.db, &UserFilter::default(), None, 10_000)
        .await?
        .into_iter()
        .filter(|u| permission::authorize(&u.actor(), Action::RouteDocument, target, &tree).is_ok())
        .collect())
}

async fn render_document(
    state: &AppState,
    ctx: &SignedIn,
    document: &Document,
    feedback: &Feedback,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let id = document.id;
    let current = outgoing::status_of(document);
    let can = abilities(state, ctx, document).await;
    let units = org::units(&state.db).await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|u| (u.id.0, u.name.clone())).collect();
    let versions = outgoing::versions(&state.db, id).await?;
    let others = documents::attachments(&state.db, id)
        .await?
        .into_iter()
        .filter(|a| a.role != "draft")
        .collect::<Vec<_>>();
    let comments = outgoing::comments(&state.db, id).await?;
    let recipients = outgoing::dispatches(&state.db, id).await?;
    let links = documents::links(&state.db, id).await?;
    let history = audit::history(&state.db, "document", &id.to_string()).await?;
    let views = documents::views(&state.db, id).await?;
    let drafter = match document.drafter_user_id {
        Some(u) => users::get(&state.db, UserId(u))
            .await
            .map(|u| u.full_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let all_series = outgoing::all_series(&state.db).await?;
    let series_name = document
        .series_id
        .and_then(|s| all_series.iter().find(|x| x.id == s))
        .map(|s| s.name.clone());
    let errors = feedback.errors.as_slice();
    let values = &feedback.values;
    let me = ctx.user();

    // What the clerk will see before giving the number: the series and its next number.
    let numbering_preview = if current == Some(OutgoingStatus::Approved) && can.issue {
        let rules: Vec<_> = all_series
            .iter()
            .filter(|s| s.active)
            .map(|s| s.rule())
            .collect();
        match pick_series(&rules, &document.type_code, document.secrecy()) {
            Ok(series_id) => {
                let counters = outgoing::series_counters(&state.db, today().year()).await?;
                counters
                    .into_iter()
                    .find(|c| c.series.id == series_id)
                    .map(|c| (c.series.name, c.last_number.unwrap_or(0) + 1))
            }
            Err(_) => None,
        }
    } else {
        None
    };
    let reviewers: Vec<(String, String)> = if current
        .is_some_and(|s| matches!(s, OutgoingStatus::Draft | OutgoingStatus::Returned))
        && can.draft
    {
        let mut list = vec![(String::new(), t(lang, "outgoing.no_reviewer").to_owned())];
        list.extend(
            reviewers_of(state, document)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.full_name)),
        );
        list
    } else {
        Vec::new()
    };
    let authority_options = options(
        &SigningAuthority::ALL,
        |a| a.code().to_owned(),
        |a| authority_label(lang, a.code()).to_owned(),
    );
    let signer_name_default = if values.signer_name.is_empty() {
        if document.signer_name.is_empty() {
            me.full_name.clone()
        } else {
            document.signer_name.clone()
        }
    } else {
        values.signer_name.clone()
    };
    let signer_position_default = if values.signer_position.is_empty() {
        document.signer_position.clone()
    } else {
        values.signer_position.clone()
    };
    let authority_default = if values.signing_authority.is_empty() {
        document.signing_authority.clone()
    } else {
        values.signing_authority.clone()
    };
    let with_drafter = matches!(
        current,
        Some(OutgoingStatus::Draft | OutgoingStatus::Returned)
    );
    let open_for_comments = matches!(
        current,
        Some(
            OutgoingStatus::Draft
                | OutgoingStatus::InReview
                | OutgoingStatus::Returned
                | OutgoingStatus::Approved
        )
    );
    let file_error = field_error(lang, errors, "file");
    let upload_action = format!(
        "/documents/outgoing/{id}/versions?_csrf={}",
        crate::context::urlencode(&ctx.csrf_token)
    );
    let issue_action = format!(
        "/documents/outgoing/{id}/issue?_csrf={}",
        crate::context::urlencode(&ctx.csrf_token)
    );
    let title = document
        .number_symbol
        .clone()
        .unwrap_or_else(|| t(lang, "outgoing.not_numbered").to_owned());
    let body = html! {
        p { a href="/documents/outgoing" { "← " (t(lang, "nav.outgoing")) } }
        @if feedback.saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        @if let Some(key) = feedback.alert { div.alert.error role="alert" { (t(lang, key)) } }
        (error_summary(lang, errors))
        h1 { span id="number-symbol" { (title) } " — " (document.subject) }
        dl.facts {
            dt { (t(lang, "outgoing.status")) } dd id="status" { (status_label(lang, &document.status)) }
            dt { (t(lang, "outgoing.type")) } dd { (type_name(lang, &document.type_code)) }
            dt { (t(lang, "outgoing.drafting_unit")) } dd { (document.owner_unit_id.and_then(|u| unit_names.get(&u)).map(String::as_str).unwrap_or("—")) }
            dt { (t(lang, "outgoing.drafter")) } dd { (drafter) }
            dt { (t(lang, "outgoing.urgency")) } dd { (urgency_label(lang, document.urgency)) }
            dt { (t(lang, "outgoing.secrecy")) } dd { (secrecy_label(lang, document.secrecy)) }
            dt { (t(lang, "outgoing.signer")) } dd { (signature(document)) }
            dt { (t(lang, "outgoing.recipients")) } dd { (document.recipients_text) }
            @if let Some(copies) = document.copies { dt { (t(lang, "outgoing.copies")) } dd { (copies) } }
            @if let Some(issued) = document.issued_on { dt { (t(lang, "outgoing.issued_on")) } dd { (day(Some(issued))) } }
            @if let Some(name) = &series_name { dt { (t(lang, "outgoing.series")) } dd { (name) } }
            @if !document.notes.is_empty() { dt { (t(lang, "outgoing.notes")) } dd { (document.notes) } }
        }

        h2 { (t(lang, "outgoing.versions")) }
        @if versions.is_empty() { p.muted { (t(lang, "outgoing.no_versions")) } } @else {
            table.list {
                thead { tr { th { (t(lang, "outgoing.version")) } th { (t(lang, "outgoing.file")) } th { (t(lang, "audit.time")) } } }
                tbody { @for v in &versions { tr {
                    td { (v.draft_version.unwrap_or_default()) }
                    td { a href={ "/documents/" (id) "/attachments/" (v.id) } { (v.file_name) } " (" (format_bytes(v.size as u64)) ")" }
                    td { (crate::vietnam_time(v.created_at)) }
                } } }
            }
        }
        @if !others.is_empty() {
            h2 { (t(lang, "outgoing.signed_files")) }
            ul { @for a in &others { li { a href={ "/documents/" (id) "/attachments/" (a.id) } { (a.file_name) } " (" (format_bytes(a.size as u64)) ")" } } }
        }
        @if with_drafter && can.draft {
            form method="post" action=(upload_action) enctype="multipart/form-data" {
                input type="hidden" name="version" value=(document.version);
                div.field.invalid[file_error.is_some()] {
                    label for="f-file" { (t(lang, "outgoing.new_version")) }
                    input id="f-file" type="file" name="file" required autofocus[file_error.is_some()] accept=".pdf,.doc,.docx,.odt,.xls,.xlsx,.zip,.txt";
                    @if let Some(message) = file_error { p.error role="alert" { (message) } }
                }
                button type="submit" { (t(lang, "outgoing.upload_version")) }
            }
        }

        h2 { (t(lang, "outgoing.recipients")) }
        @if recipients.is_empty() { p.muted { (t(lang, "outgoing.no_recipients")) } } @else {
            table.list {
                thead { tr { th { (t(lang, "outgoing.recipient")) } th { (t(lang, "outgoing.dispatch")) } th { (t(lang, "outgoing.arrival_number")) } } }
                tbody { @for r in &recipients { tr {
                    td { (r.recipient_name) }
                    td {
                        (t(lang, &format!("dispatch_method.{}", r.method)))
                        @if !r.is_planned() { " " (crate::vietnam_time(r.sent_at)) }
                        @if let Some(recalled) = r.recalled_at { " · " (t(lang, "outgoing.recalled_at")) " " (recalled.format("%d/%m/%Y")) }
                    }
                    td { @if let (Some(number), Some(copy)) = (r.arrival_number, r.incoming_document_id) { a href={ "/documents/" (copy) } { (number) } } }
                } } }
            }
        }

        @if with_drafter && can.draft {
            h2 { (t(lang, "outgoing.submit")) }
            form method="post" action={ "/documents/outgoing/" (id) "/submit" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(document.version);
                (select(lang, errors, "reviewer_id", t(lang, "outgoing.reviewer"), &reviewers, &values.reviewer_id))
                button.primary type="submit" { (t(lang, "outgoing.submit")) }
            }
        }
        @if current == Some(OutgoingStatus::InReview) && can.review {
            h2 { (t(lang, "outgoing.approve")) }
            form method="post" action={ "/documents/outgoing/" (id) "/approve" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(document.version);
                (select(lang, errors, "signing_authority", t(lang, "outgoing.signing_authority"), &authority_options, &authority_default))
                (Field::text("signer_position", t(lang, "outgoing.signer_position"), &signer_position_default).render(lang, errors))
                (Field::text("signer_name", t(lang, "outgoing.signer_name"), &signer_name_default).required().render(lang, errors))
                button.primary type="submit" { (t(lang, "outgoing.approve")) }
            }
            h2 { (t(lang, "outgoing.return")) }
            form method="post" action={ "/documents/outgoing/" (id) "/return" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(document.version);
                (text_area(lang, errors, "return_comment", t(lang, "outgoing.return_comment"), &values.return_comment, true))
                button type="submit" { (t(lang, "outgoing.return")) }
            }
        }
        @if current == Some(OutgoingStatus::Approved) && can.issue {
            h2 { (t(lang, "outgoing.issue")) }
            @if let Some((series, next)) = &numbering_preview {
                p { (t(lang, "outgoing.issue_preview")) " " strong { (series) } ", " (t(lang, "outgoing.next_number")) " " strong { (format!("{next:02}")) } "." }
            }
            p.muted { (t(lang, "outgoing.issue_hint")) }
            form method="post" action=(issue_action) enctype="multipart/form-data" {
                input type="hidden" name="version" value=(document.version);
                div.field {
                    label for="f-signed_file" { (t(lang, "outgoing.signed_file")) }
                    input id="f-signed_file" type="file" name="signed_file" accept=".pdf";
                    small.hint { (t(lang, "outgoing.signed_file_hint")) }
                }
                button.primary type="submit" { (t(lang, "outgoing.issue")) }
            }
        }
        @if current == Some(OutgoingStatus::Issued) && can.issue {
            h2 { (t(lang, "outgoing.recall")) }
            form method="post" action={ "/documents/outgoing/" (id) "/recall" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(document.version);
                (text_area(lang, errors, "recall_reason", t(lang, "outgoing.recall_reason"), &values.recall_reason, true))
                button.danger type="submit" { (t(lang, "outgoing.recall")) }
            }
        }
        @if matches!(current, Some(OutgoingStatus::Issued | OutgoingStatus::Recalled)) && can.draft {
            h2 { (t(lang, "outgoing.replace")) }
            p.muted { (t(lang, "outgoing.replace_hint")) }
            form method="post" action={ "/documents/outgoing/" (id) "/replace" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(document.version);
                button type="submit" { (t(lang, "outgoing.replace")) }
            }
        }

        h2 { (t(lang, "outgoing.comments")) }
        @if comments.is_empty() { p.muted { (t(lang, "outgoing.no_comments")) } } @else {
            ul.comments { @for c in &comments {
                li {
                    strong { (c.user_name) } " · " (crate::vietnam_time(c.created_at))
                    @if let Some(v) = c.draft_version { " · " (t(lang, "outgoing.version")) " " (v) }
                    p { (c.comment) }
                }
            } }
        }
        @if open_for_comments {
            form method="post" action={ "/documents/outgoing/" (id) "/comment" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(document.version);
                (text_area(lang, errors, "comment", t(lang, "outgoing.comment"), &values.comment, true))
                button type="submit" { (t(lang, "outgoing.add_comment")) }
            }
        }

        @if !links.is_empty() {
            h2 { (t(lang, "outgoing.links")) }
            ul { @for l in &links {
                @let other = if l.document_id == id { l.related_id } else { l.document_id };
                @let key = match (l.kind.as_str(), l.document_id == id) {
                    ("replaces", false) => "outgoing.replaced_by",
                    ("reply_to", false) => "outgoing.answered_by",
                    ("replaces", true) => "link.replaces",
                    ("reply_to", true) => "link.reply_to",
                    _ => "link.related",
                };
                li { (t(lang, key)) ": " a href={ "/documents/" (other) } { "#" (other) } }
            } }
        }
        h2 { (t(lang, "history.title")) }
        table.list.audit {
            thead { tr { th { (t(lang, "audit.time")) } th { (t(lang, "audit.actor")) } th { (t(lang, "audit.action")) } } }
            tbody { @for e in &history { tr { td { (e.occurred_at) } td { (e.actor_label) } td { (crate::i18n::t_or(lang, &format!("audit_action.{}", e.action), &e.action)) } } } }
        }
        h2 { (t(lang, "outgoing.viewed_by")) }
        ul { @for (_, name, first, last) in &views { li { (name) " — " (crate::vietnam_time(*first)) " … " (crate::vietnam_time(*last)) } } }
    };
    Ok((status, page(ctx, &document.subject, body)).into_response())
}

// ----- Steps -----

#[derive(Deserialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    reviewer_id: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    return_comment: String,
    #[serde(default)]
    signer_name: String,
    #[serde(default)]
    signer_position: String,
    #[serde(default)]
    signing_authority: String,
    #[serde(default)]
    recall_reason: String,
}

/// Turns a store refusal into what the page shows: a field error for `field` where the
/// message belongs to a field, otherwise a message at the top.
fn refusal(error: StoreError, field: &str) -> Result<(StatusCode, Feedback), AppError> {
    let mut feedback = Feedback::default();
    let status = match error {
        StoreError::Stale => {
            feedback.alert = Some("form.stale");
            StatusCode::CONFLICT
        }
        StoreError::Invalid(code) => {
            let beside = |key: &str| Some(FieldError::new(field, key));
            let (error, alert) = match code.as_str() {
                "comment_required" | "recall_reason_required" => (beside("form.required"), None),
                "text_too_long" => (beside("form.too_long"), None),
                "text_control_characters" => (beside("form.control_characters"), None),
                "signer_required" => (Some(FieldError::new("signer_name", "form.required")), None),
                "signer_invalid" => (Some(FieldError::new("signer_name", "form.too_long")), None),
                "unknown_reviewer" => (
                    Some(FieldError::new("reviewer_id", "form.unknown_value")),
                    None,
                ),
                "invalid_transition" => (None, Some("outgoing.error_state")),
                "no_draft_version" => (None, Some("outgoing.error_no_draft_version")),
                "no_series" => (None, Some("outgoing.error_no_series")),
                "agency_not_configured" => (None, Some("outgoing.error_agency_not_configured")),
                "unknown_unit" => (None, Some("outgoing.error_unknown_unit")),
                "duplicate_number_symbol" => (None, Some("outgoing.error_duplicate_number")),
                "series_exhausted" => (None, Some("outgoing.error_series_exhausted")),
                _ => return Err(StoreError::Invalid(code).into()),
            };
            feedback.errors.extend(error);
            feedback.alert = alert;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        other => return Err(other.into()),
    };
    Ok((status, feedback))
}

/// The page again after a refused step, with the document as it is now.
async fn refused(
    state: &AppState,
    ctx: &SignedIn,
    id: i64,
    error: StoreError,
    field: &str,
    values: StepForm,
) -> AppResult<Response> {
    let (status, mut feedback) = refusal(error, field)?;
    feedback.values = values;
    let document = documents::get(&state.db, id).await?;
    render_document(state, ctx, &document, &feedback, status).await
}

fn saved(id: i64) -> Response {
    Redirect::to(&format!("/documents/outgoing/{id}?saved=1")).into_response()
}

/// Loads an outgoing document the user may read for a step.
async fn outgoing_document(state: &AppState, ctx: &SignedIn, id: i64) -> AppResult<Document> {
    let document = readable(state, ctx, id).await?;
    if document.is_incoming() {
        return Err(AppError::NotFound);
    }
    Ok(document)
}

async fn step(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path((id, step)): Path<(i64, String)>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let document = outgoing_document(&state, &ctx, id).await?;
    let origin = ctx.origin();
    let me = ctx.user().id;
    let db = &state.db;
    let (result, field) = match step.as_str() {
        "submit" => {
            authorize_on(&state, &ctx, Action::DraftOutgoing, &document).await?;
            let reviewer = match form.reviewer_id.trim() {
                "" => None,
                value => match value.parse::<i64>() {
                    Ok(reviewer)
                        if reviewers_of(&state, &document)
                            .await?
                            .iter()
                            .any(|u| u.id.0 == reviewer) =>
                    {
                        Some(UserId(reviewer))
                    }
                    _ => {
                        return refused(
                            &state,
                            &ctx,
                            id,
                            StoreError::Invalid("unknown_reviewer".into()),
                            "reviewer_id",
                            form,
                        )
                        .await
                    }
                },
            };
            (
                outgoing::submit_for_review(db, &origin, id, form.version, reviewer)
                    .await
                    .map(|_| id),
                "reviewer_id",
            )
        }
        "comment" => (
            outgoing::comment(db, &origin, id, form.version, me, &form.comment)
                .await
                .map(|_| id),
            "comment",
        ),
        "return" => {
            authorize_on(&state, &ctx, Action::RouteDocument, &document).await?;
            (
                outgoing::return_for_changes(
                    db,
                    &origin,
                    id,
                    form.version,
                    me,
                    &form.return_comment,
                )
                .await
                .map(|_| id),
                "return_comment",
            )
        }
        "approve" => {
            authorize_on(&state, &ctx, Action::RouteDocument, &document).await?;
            let authority = match SigningAuthority::parse(if form.signing_authority.is_empty() {
                "own"
            } else {
                &form.signing_authority
            }) {
                Ok(a) => a,
                Err(_) => {
                    let mut feedback = Feedback {
                        values: form.clone(),
                        ..Feedback::default()
                    };
                    feedback
                        .errors
                        .push(FieldError::new("signing_authority", "form.unknown_value"));
                    return render_document(
                        &state,
                        &ctx,
                        &document,
                        &feedback,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await;
                }
            };
            let signer = Signer {
                name: form.signer_name.clone(),
                position: form.signer_position.clone(),
                authority,
            };
            (
                outgoing::approve(db, &origin, id, form.version, me, &signer)
                    .await
                    .map(|_| id),
                "signer_name",
            )
        }
        "recall" => {
            authorize_on(&state, &ctx, Action::IssueOutgoing, &document).await?;
            (
                outgoing::recall(db, &origin, id, form.version, &form.recall_reason)
                    .await
                    .map(|_| id),
                "recall_reason",
            )
        }
        "replace" => {
            authorize_on(&state, &ctx, Action::DraftOutgoing, &document).await?;
            (
                outgoing::replace(db, &origin, id, form.version, me)
                    .await
                    .map(|d| d.id),
                "",
            )
        }
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(target) => Ok(saved(target)),
        Err(error) => refused(&state, &ctx, id, error, field, form).await,
    }
}

/// The parts of a multipart form: the text fields, and the file of `file_field` stored
/// in the blob store (or the reason it was refused, as a field error).
struct Upload {
    fields: HashMap<String, String>,
    file: Option<DraftFile>,
    error: Option<FieldError>,
}

async fn read_upload(
    state: &AppState,
    mut multipart: Multipart,
    file_field: &str,
) -> AppResult<Upload> {
    let mut upload = Upload {
        fields: HashMap::new(),
        file: None,
        error: None,
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("malformed_multipart"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name != file_field {
            let value = field
                .text()
                .await
                .map_err(|_| AppError::invalid("malformed_multipart"))?;
            upload.fields.insert(name, value);
            continue;
        }
        let file_name = text::normalize(field.file_name().unwrap_or_default());
        if file_name.is_empty() || upload.file.is_some() {
            // An empty file input still sends a part; one file per form.
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
                // Its text is read now, so the draft is searchable by it when it is saved.
                vanphong_store::search::attachments::read_and_record(
                    &state.db,
                    &state.blobs,
                    &blob,
                )
                .await?;
                upload.file = Some(DraftFile { blob, file_name })
            }
            Err(StoreError::Invalid(code)) if code.starts_with("upload_") => {
                upload.error = Some(FieldError::new(file_field, &format!("error.{code}")))
            }
            Err(StoreError::TooLarge { .. }) => {
                upload.error = Some(FieldError::new(file_field, "error.too_large"))
            }
            Err(StoreError::Invalid(_)) => return Err(AppError::invalid("upload_interrupted")),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(upload)
}

fn version_of(upload: &Upload) -> i64 {
    upload
        .fields
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_default()
}

async fn add_version(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let document = outgoing_document(&state, &ctx, id).await?;
    authorize_on(&state, &ctx, Action::DraftOutgoing, &document).await?;
    let upload = read_upload(&state, multipart, "file").await?;
    let error = upload.error.clone().or_else(|| {
        upload
            .file
            .is_none()
            .then(|| FieldError::new("file", "form.required"))
    });
    if let Some(error) = error {
        let feedback = Feedback {
            errors: vec![error],
            ..Feedback::default()
        };
        return render_document(
            &state,
            &ctx,
            &document,
            &feedback,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let Some(file) = &upload.file else {
        return Err(AppError::invalid("malformed_multipart"));
    };
    match outgoing::add_version(&state.db, &ctx.origin(), id, version_of(&upload), file).await {
        Ok(_) => Ok(saved(id)),
        Err(error) => refused(&state, &ctx, id, error, "file", StepForm::default()).await,
    }
}

async fn issue(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let document = outgoing_document(&state, &ctx, id).await?;
    authorize_on(&state, &ctx, Action::IssueOutgoing, &document).await?;
    let upload = read_upload(&state, multipart, "signed_file").await?;
    if let Some(error) = upload.error.clone() {
        let feedback = Feedback {
            errors: vec![error],
            ..Feedback::default()
        };
        return render_document(
            &state,
            &ctx,
            &document,
            &feedback,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = IssueInput {
        issued_on: today(),
        signed_files: upload.file.clone().into_iter().collect(),
    };
    match outgoing::issue(&state.db, &ctx.origin(), id, version_of(&upload), &input).await {
        Ok(_) => Ok(saved(id)),
        Err(error) => refused(&state, &ctx, id, error, "signed_file", StepForm::default()).await,
    }
}

// ----- Numbering series (administrators) -----

#[derive(Deserialize, Default, Clone)]
pub struct SeriesForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    type_codes: Vec<String>,
}

impl SeriesForm {
    fn input(&self) -> SeriesInput {
        SeriesInput {
            name: self.name.clone(),
            secret: self.secret.is_some(),
            type_codes: self
                .type_codes
                .iter()
                .filter(|c| !c.trim().is_empty())
                .cloned()
                .collect(),
            active: self.active.is_some(),
        }
    }
}

fn series_error(error: StoreError) -> Result<FieldError, AppError> {
    let StoreError::Invalid(code) = error else {
        return Err(error.into());
    };
    Ok(match code.as_str() {
        "series_name_required" => FieldError::new("name", "form.required"),
        "series_name_invalid" => FieldError::new("name", "form.too_long"),
        "series_name_taken" => FieldError::new("name", "series.name_taken"),
        "unknown_type" => FieldError::new("type_codes", "form.unknown_value"),
        "type_in_two_series" => FieldError::new("type_codes", "series.type_in_two_series"),
        "two_default_series" => FieldError::new("type_codes", "series.two_default"),
        "secret_series_with_types" => FieldError::new("type_codes", "series.secret_with_types"),
        "two_secret_series" => FieldError::new("secret", "series.two_secret"),
        _ => return Err(StoreError::Invalid(code).into()),
    })
}

fn series_form(
    ctx: &RequestContext,
    form: &SeriesForm,
    errors: &[FieldError],
    action: &str,
    submit_key: &str,
) -> Markup {
    let lang = ctx.lang;
    let types_error = field_error(lang, errors, "type_codes");
    let secret_error = field_error(lang, errors, "secret");
    html! {
        (error_summary(lang, errors))
        form method="post" action=(action) {
            (csrf_field(ctx))
            (Field::text("name", t(lang, "series.name"), &form.name).required().autofocus().render(lang, errors))
            div.field.check.invalid[secret_error.is_some()] {
                label { input type="checkbox" name="secret" value="1" checked[form.secret.is_some()]; " " (t(lang, "series.secret")) }
                @if let Some(message) = secret_error { p.error role="alert" { (message) } }
            }
            fieldset.field.invalid[types_error.is_some()] {
                legend { (t(lang, "series.types")) }
                small.hint { (t(lang, "series.types_hint")) }
                @for d in DOCUMENT_TYPES {
                    label.inline {
                        input type="checkbox" name="type_codes" value=(d.code) checked[form.type_codes.iter().any(|c| c == d.code)];
                        " " (type_label(lang, d))
                    }
                }
                @if let Some(message) = types_error { p.error role="alert" { (message) } }
            }
            div.field.check {
                label { input type="checkbox" name="active" value="1" checked[form.active.is_some()]; " " (t(lang, "series.active")) }
            }
            button.primary type="submit" { (t(lang, submit_key)) }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SeriesQuery {
    year: Option<i32>,
    format: Option<String>,
    saved: Option<String>,
}

fn types_text(lang: Lang, codes: &[String]) -> String {
    if codes.is_empty() {
        return t(lang, "series.all_other_types").to_owned();
    }
    codes
        .iter()
        .map(|c| type_name(lang, c))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn series_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<SeriesQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let form = SeriesForm {
        active: Some("1".into()),
        ..SeriesForm::default()
    };
    render_series(&state, &ctx, &query, &form, &[], StatusCode::OK).await
}

async fn render_series(
    state: &AppState,
    ctx: &SignedIn,
    query: &SeriesQuery,
    form: &SeriesForm,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let year = query.year.unwrap_or_else(|| today().year());
    let counters = outgoing::series_counters(&state.db, year).await?;
    let yes_no = |b: bool| t(lang, if b { "common.yes" } else { "common.no" }).to_owned();
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let table = Table {
            sheet: t(lang, "series.title").into(),
            headers: [
                "series.name",
                "series.secret",
                "series.types",
                "series.active",
                "series.last_number",
                "series.issued",
            ]
            .iter()
            .map(|k| t(lang, k).to_owned())
            .collect(),
            rows: counters
                .iter()
                .map(|c| {
                    vec![
                        c.series.name.clone(),
                        yes_no(c.series.secret),
                        types_text(lang, &c.series.type_codes),
                        yes_no(c.series.active),
                        c.last_number.map(|n| n.to_string()).unwrap_or_default(),
                        c.issued.to_string(),
                    ]
                })
                .collect(),
        };
        return table.respond(format, &format!("so-van-ban-{year}"));
    }
    let body = html! {
        h1 { (t(lang, "series.title")) }
        @if query.saved.is_some() { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        p.muted { (t(lang, "series.explanation")) }
        form.filters method="get" action="/admin/numbering-series" {
            (Field::text("year", t(lang, "series.year"), &year.to_string()).kind("number").render(lang, &[]))
            button type="submit" { (t(lang, "list.filter")) }
        }
        (export_links(lang, &format!("/admin/numbering-series?year={year}")))
        table.list {
            thead { tr {
                th { (t(lang, "series.name")) } th { (t(lang, "series.types")) } th { (t(lang, "series.secret")) }
                th { (t(lang, "series.active")) } th { (t(lang, "series.last_number")) } th { (t(lang, "series.issued")) } th {}
            } }
            tbody { @for c in &counters { tr.disabled[!c.series.active] {
                td { (c.series.name) }
                td { (types_text(lang, &c.series.type_codes)) }
                td { (yes_no(c.series.secret)) }
                td { (yes_no(c.series.active)) }
                td { (c.last_number.map(|n| format!("{n:02}")).unwrap_or_else(|| "—".into())) }
                td { (c.issued) }
                td { a href={ "/admin/numbering-series/" (c.series.id) } { (t(lang, "common.edit")) } }
            } } }
        }
        h2 { (t(lang, "series.create")) }
        (series_form(ctx, form, errors, "/admin/numbering-series", "series.create"))
    };
    Ok((status, page(ctx, t(lang, "series.title"), body)).into_response())
}

async fn create_series(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<SeriesForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    match outgoing::create_series(&state.db, &ctx.origin(), &form.input()).await {
        Ok(_) => Ok(Redirect::to("/admin/numbering-series?saved=1").into_response()),
        Err(e) => {
            let errors = [series_error(e)?];
            render_series(
                &state,
                &ctx,
                &SeriesQuery::default(),
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

fn render_edit_series(
    ctx: &SignedIn,
    id: i64,
    form: &SeriesForm,
    errors: &[FieldError],
) -> crate::layout::Page {
    let lang = ctx.lang;
    let body = html! {
        p { a href="/admin/numbering-series" { "← " (t(lang, "series.title")) } }
        h1 { (t(lang, "series.edit")) }
        p.muted { (t(lang, "series.edit_hint")) }
        (series_form(ctx, form, errors, &format!("/admin/numbering-series/{id}"), "form.save"))
    };
    page(ctx, t(lang, "series.edit"), body)
}

async fn edit_series_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let series = outgoing::series(&state.db, id).await?;
    let form = SeriesForm {
        name: series.name,
        secret: series.secret.then(|| "1".to_owned()),
        active: series.active.then(|| "1".to_owned()),
        type_codes: series.type_codes,
    };
    Ok(render_edit_series(&ctx, id, &form, &[]).into_response())
}

async fn update_series(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<SeriesForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    match outgoing::update_series(&state.db, &ctx.origin(), id, &form.input()).await {
        Ok(_) => Ok(Redirect::to("/admin/numbering-series?saved=1").into_response()),
        Err(e) => {
            let errors = [series_error(e)?];
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render_edit_series(&ctx, id, &form, &errors),
            )
                .into_response())
        }
    }
}
