//! The search API: the same search as the page (`/search`), as JSON. Snippets come as
//! parts with a `matched` flag, never as HTML, so a client cannot be tricked into
//! injecting markup from a document's text.

use super::ApiJson;
use super::ErrorBody;
use crate::context::SignedIn;
use crate::error::{AppError, AppResult};
use crate::pages::search::{hit_parts, hit_urls, notices, run, SearchParams};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vanphong_store::search::saved;
use vanphong_store::StoreError;

/// Results per page of the API.
const API_PAGE_SIZE: usize = 20;

#[derive(Serialize, ToSchema)]
pub struct SearchBody {
    /// What to tell the reader: `empty_query` (no words: the newest records are listed),
    /// `truncated` (the query was cut to 200 characters or 12 words and phrases).
    pub notices: Vec<String>,
    /// Results per kind, for the whole search (inside the caller's permissions).
    pub counts: Vec<KindCountBody>,
    pub total: u64,
    /// True when more records match than were counted (very common words).
    pub total_is_lower_bound: bool,
    pub page: usize,
    pub items: Vec<HitBody>,
}

#[derive(Serialize, ToSchema)]
pub struct KindCountBody {
    /// `incoming`, `outgoing`, `dossier`, `hotline` or `news`.
    pub kind: String,
    pub count: u64,
    /// True when there are more than `count`.
    pub more: bool,
}

#[derive(Serialize, ToSchema)]
pub struct HitBody {
    pub kind: String,
    /// The record's id within its kind (a document id for documents).
    pub id: i64,
    /// The page of the record.
    pub url: String,
    /// The number and symbol (or other reference), as written.
    pub reference: String,
    pub date: Option<NaiveDate>,
    /// The title (subject) with the matching words marked.
    pub title: Vec<PartBody>,
    /// A passage of the other text (sender, notes, attachment text) around the first match.
    pub snippet: Vec<PartBody>,
    pub score: f64,
}

/// A piece of text; `matched` pieces are the words that matched the query.
#[derive(Serialize, ToSchema)]
pub struct PartBody {
    pub text: String,
    pub matched: bool,
}

fn parts(parts: Vec<vanphong_core::search::SnippetPart>) -> Vec<PartBody> {
    parts
        .into_iter()
        .map(|p| PartBody {
            text: p.text,
            matched: p.matched,
        })
        .collect()
}

/// Searches every kind of record the caller may read. Diacritics are optional; quoted
/// phrases; the last word matches as a prefix; numbers and symbols in any spelling; any
/// input is accepted (an empty or punctuation-only query lists the newest records).
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ctx: SignedIn,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<SearchBody>> {
    let params = SearchParams::from_query_string(raw.as_deref().unwrap_or_default());
    let request = params.to_request(API_PAGE_SIZE).map_err(AppError::fields)?;
    let results = run(&state, &ctx, &request).await?;
    let notices = notices(&params, &request)
        .into_iter()
        .map(|n| n.code().to_owned())
        .collect();
    let urls = hit_urls(&state, &results.hits).await?;
    let items = results
        .hits
        .iter()
        .zip(urls)
        .map(|(hit, url)| {
            let (title, snippet) = hit_parts(hit, &request.query);
            HitBody {
                kind: hit.kind.code().to_owned(),
                id: hit.record_id,
                url,
                reference: hit.reference.clone(),
                date: hit.record_date,
                title: parts(title),
                snippet: parts(snippet),
                score: hit.score,
            }
        })
        .collect();
    Ok(Json(SearchBody {
        notices,
        counts: results
            .counts
            .iter()
            .map(|c| KindCountBody {
                kind: c.kind.code().to_owned(),
                count: c.count,
                more: c.more,
            })
            .collect(),
        total: results.total,
        total_is_lower_bound: results.total_is_lower_bound,
        page: params.page_number(),
        items,
    }))
}

/// A saved search: a name and the search's query string (as `/api/v1/search` and the
/// search page take it).
#[derive(Serialize, ToSchema)]
pub struct SavedSearchBody {
    pub id: i64,
    pub name: String,
    /// The query string, without the leading `?`, e.g. `q=ch%E1%BA%A5t+th%E1%BA%A3i&kind=incoming`.
    pub query: String,
    /// Where to run it: `/api/v1/search?{query}`.
    pub url: String,
    pub created_at: DateTime<Utc>,
}

impl From<saved::SavedSearch> for SavedSearchBody {
    fn from(saved: saved::SavedSearch) -> Self {
        Self {
            url: format!("/api/v1/search?{}", saved.query),
            id: saved.id,
            name: saved.name,
            query: saved.query,
            created_at: saved.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SavedSearchRequest {
    /// One line, at most 100 characters, unique among the caller's saved searches.
    pub name: String,
    /// The search's query string; keys the search does not know are dropped.
    #[serde(default)]
    pub query: String,
}

/// The caller's saved searches, by name. Each user sees only their own.
#[utoipa::path(get, path = "/api/v1/search/saved", tag = "search",
    responses((status = 200, body = Vec<SavedSearchBody>)))]
pub async fn list_saved(
    State(state): State<AppState>,
    ctx: SignedIn,
) -> AppResult<Json<Vec<SavedSearchBody>>> {
    let list = saved::list(&state.db, ctx.user().id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Saves a search under a name. A name already used by the caller is refused with 422
/// (`fields.name`), as is the hundred-and-first saved search.
#[utoipa::path(post, path = "/api/v1/search/saved", tag = "search", request_body = SavedSearchRequest,
    responses((status = 201, body = SavedSearchBody), (status = 422, body = ErrorBody)))]
pub async fn create_saved(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiJson(body): ApiJson<SavedSearchRequest>,
) -> AppResult<(StatusCode, Json<SavedSearchBody>)> {
    let saved = crate::pages::search::save(&state, &ctx, &body.name, &body.query).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// Deletes one of the caller's saved searches; anyone else's answers 404.
#[utoipa::path(delete, path = "/api/v1/search/saved/{id}", tag = "search",
    params(("id" = i64, Path, description = "The saved search")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_saved(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    match saved::delete(&state.db, &ctx.origin(), ctx.user().id, id).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}
