//! The documents API: registering incoming documents (attachments uploaded first through
//! `/api/v1/blobs`), listing inside the caller's scope, and reading one document.

use super::{ApiJson, ApiQuery, ErrorBody};
use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::pages::documents::incoming::RegisterForm;
use crate::pages::documents::{read_scope, readable};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vanphong_core::permission::Action;
use vanphong_store::documents::incoming;
use vanphong_store::documents::lists::{self, DocumentFilter, Sort};
use vanphong_store::documents::{self, Document, NewAttachment};
use vanphong_store::{blobs, StoreError};

#[derive(Serialize, ToSchema)]
pub struct DocumentBody {
    pub id: i64,
    /// `incoming` or `outgoing`.
    pub direction: String,
    pub kind: String,
    pub type_code: String,
    pub number_symbol: Option<String>,
    pub document_date: Option<NaiveDate>,
    pub subject: String,
    pub urgency: i64,
    pub secrecy: i64,
    pub status: String,
    pub sender_organisation_id: Option<i64>,
    pub sender_name: String,
    pub arrival_year: Option<i64>,
    pub arrival_number: Option<i64>,
    pub arrival_date: Option<NaiveDate>,
    pub issued_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub owner_unit_id: Option<i64>,
    pub petition_source: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl From<Document> for DocumentBody {
    fn from(d: Document) -> Self {
        Self {
            id: d.id,
            direction: d.direction,
            kind: d.kind,
            type_code: d.type_code,
            number_symbol: d.number_symbol,
            document_date: d.document_date,
            subject: d.subject,
            urgency: d.urgency,
            secrecy: d.secrecy,
            status: d.status,
            sender_organisation_id: d.sender_organisation_id,
            sender_name: d.sender_name,
            arrival_year: d.arrival_year,
            arrival_number: d.arrival_number,
            arrival_date: d.arrival_date,
            issued_on: d.issued_on,
            due_date: d.due_date,
            owner_unit_id: d.owner_unit_id,
            petition_source: d.petition_source,
            version: d.version,
            created_at: d.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct IncomingRequest {
    /// `ordinary` (default), `deputy_question`, `voter_petition`, `conclusion_notice`.
    #[serde(default)]
    pub kind: String,
    /// A type code such as `cong_van`, `quyet_dinh` (see DOCUMENT_TYPES).
    pub type_code: String,
    /// `1756/QĐ-BTNMT`.
    pub number_symbol: String,
    pub document_date: Option<String>,
    pub subject: String,
    pub pages: Option<i64>,
    /// `normal`, `urgent`, `very_urgent`, `flash`.
    #[serde(default)]
    pub urgency: String,
    /// `normal`, `confidential`, `secret`, `top_secret`.
    #[serde(default)]
    pub secrecy: String,
    #[serde(default)]
    pub signer_name: String,
    /// An organisation of the directory, or…
    pub sender_organisation_id: Option<i64>,
    /// …the sender's name.
    #[serde(default)]
    pub sender_name: String,
    /// ISO date; default today.
    pub arrival_date: Option<String>,
    pub receiving_unit_id: Option<i64>,
    pub due_date: Option<String>,
    pub petition_source: Option<String>,
    #[serde(default)]
    pub deputy_name: String,
    #[serde(default)]
    pub notes: String,
    /// Files uploaded before by the caller through `POST /api/v1/blobs`.
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    /// Register even if the same number, symbol and sender is already registered.
    #[serde(default)]
    pub accept_duplicate: bool,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct AttachmentRef {
    pub sha256: String,
}

/// Registers an incoming document with the next arrival number of its year.
/// A second registration of the same number, symbol and sender is refused with 409
/// `duplicate_registration` unless `accept_duplicate` is set.
#[utoipa::path(post, path = "/api/v1/documents/incoming", tag = "documents", request_body = IncomingRequest,
    responses((status = 201, body = DocumentBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_incoming(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiJson(body): ApiJson<IncomingRequest>,
) -> AppResult<(StatusCode, Json<DocumentBody>)> {
    ctx.authorize_agency(Action::RegisterIncoming)?;
    let form = RegisterForm::from_api(&body);
    let mut errors = Vec::new();
    let mut attachments = Vec::new();
    for (i, reference) in body.attachments.iter().enumerate() {
        // Only files this caller uploaded may be attached by reference.
        match blobs::uploaded_by(&state.db, &reference.sha256, ctx.user().id).await? {
            Some(file_name) => attachments.push(NewAttachment {
                blob: blobs::metadata(&state.db, &reference.sha256).await?,
                file_name,
                role: "main",
                draft_version: None,
            }),
            None => errors.push(FieldError::new(
                &format!("attachments[{i}]"),
                "form.unknown_value",
            )),
        }
    }
    let new = form.parse(attachments, &mut errors);
    let (Some(new), true) = (new, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    match incoming::register(&state.db, &ctx.origin(), &new, body.accept_duplicate).await {
        Ok(document) => Ok((StatusCode::CREATED, Json(document.into()))),
        Err(StoreError::Invalid(code)) if code == "duplicate_registration" => {
            Err(AppError::Conflict { code })
        }
        Err(e) if e.is_foreign_key_violation() => Err(AppError::fields(vec![FieldError::new(
            "sender_organisation_id",
            "form.unknown_value",
        )])),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// `incoming` or `outgoing`.
    pub direction: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub type_code: Option<String>,
    pub unit_id: Option<i64>,
    /// ISO dates (arrival or issue date), inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Words of the subject, number and symbol or sender.
    pub q: Option<String>,
    /// `newest` (default), `oldest`, `due`.
    pub sort: Option<String>,
    /// 1-based page number.
    pub page: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentPage {
    pub items: Vec<DocumentBody>,
    /// How many documents match, counted up to 10,000.
    pub total: i64,
    /// True when there are more than `total`.
    pub total_is_lower_bound: bool,
    pub page: i64,
}

/// Documents inside the caller's scope, filtered.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(ListQuery),
    responses((status = 200, body = DocumentPage), (status = 422, body = ErrorBody)))]
pub async fn list_documents(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<Json<DocumentPage>> {
    let scope = read_scope(&state, &ctx).await?;
    let limit = super::check_limit(query.limit)?;
    let page = query.page.unwrap_or(1);
    if page < 1 {
        return Err(AppError::fields(vec![FieldError::new(
            "page",
            "form.not_a_number",
        )]));
    }
    if let (Some(f), Some(t)) = (query.from, query.to) {
        if t < f {
            return Err(AppError::fields(vec![FieldError::new(
                "to",
                "documents.period_reversed",
            )]));
        }
    }
    let filter = DocumentFilter {
        direction: query.direction.clone(),
        status: query.status.clone(),
        kind: query.kind.clone(),
        type_code: query.type_code.clone(),
        unit: query.unit_id.map(vanphong_core::ids::UnitId),
        from: query.from,
        to: query.to,
        text: query
            .q
            .as_deref()
            .map(vanphong_core::text::normalize)
            .map(|q| q.chars().take(200).collect()),
        ..Default::default()
    };
    let sort = Sort::parse(query.sort.as_deref().unwrap_or_default());
    let user = ctx.user().id;
    let items = lists::list(
        &state.db,
        &scope,
        user,
        &filter,
        sort,
        (page - 1) * limit,
        limit,
    )
    .await?;
    let cap = crate::pages::documents::incoming::COUNT_CAP;
    let counted = lists::count_up_to(&state.db, &scope, user, &filter, cap + 1).await?;
    Ok(Json(DocumentPage {
        items: items.into_iter().map(Into::into).collect(),
        total: counted.min(cap),
        total_is_lower_bound: counted > cap,
        page,
    }))
}

/// One document the caller may read (404 otherwise, so existence is not revealed).
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = DocumentBody), (status = 404, body = ErrorBody)))]
pub async fn get_document(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<DocumentBody>> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let document = readable(&state, &ctx, id).await?;
    documents::record_view(&state.db, id, ctx.user().id).await?;
    Ok(Json(document.into()))
}
