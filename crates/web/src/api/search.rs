//! The search API: the same search as the page (`/search`), as JSON. Snippets come as
//! parts with a `matched` flag, never as HTML, so a client cannot be tricked into
//! injecting markup from a document's text.

use super::ErrorBody;
use crate::context::SignedIn;
use crate::error::{AppError, AppResult};
use crate::pages::search::{hit_parts, notices, record_url, run, SearchParams};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

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
    /// `incoming` or `outgoing`.
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
    let items = results
        .hits
        .iter()
        .map(|hit| {
            let (title, snippet) = hit_parts(hit, &request.query);
            HitBody {
                kind: hit.kind.code().to_owned(),
                id: hit.record_id,
                url: record_url(hit.kind, hit.record_id),
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
