//! The search page: one box for everything (also in the page header), filters combined with
//! the text, results grouped by kind with counts, highlighted snippets (escaped like all
//! maud output: matches are `<mark>` around escaped text), saved searches, and the list of
//! scanned attachments that search cannot read inside.

use crate::context::{RequestContext, SignedIn};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, page, select, Field};
use crate::pages::documents::incoming::{type_name, urgency_label};
use crate::pages::documents::read_scope;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use vanphong_core::document::kind::Urgency;
use vanphong_core::document::DOCUMENT_TYPES;
use vanphong_core::permission::ReadScope;
use vanphong_core::search::{snippet, SearchQuery, SnippetPart, QUERY_MAX_CHARS};
use vanphong_store::news::ArticleStatus;
use vanphong_store::search::{self, saved, Kind, SearchRequest, SearchResults, SearchSort};
use vanphong_store::{org, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search", get(search_page))
        .route("/search/saved", post(save_search))
        .route("/search/saved/{id}/delete", post(delete_saved))
        .route("/search/scans", get(scans_page))
}

/// Results per page.
pub const PAGE_SIZE: usize = 20;
/// The longest snippet, in characters.
pub const SNIPPET_CHARS: usize = 220;

/// A search as the page's query string and the API's parameters carry it. Every field is
/// text, so nothing a person types fails to parse: bad values come back as field messages.
#[derive(Deserialize, Default, Clone, Debug, utoipa::IntoParams)]
pub struct SearchParams {
    /// The words. Quotes make a phrase; the last word matches as a prefix unless followed
    /// by a space; a number and symbol is found in any spelling. At most 200 characters
    /// are used.
    #[serde(default)]
    pub q: String,
    /// `incoming`, `outgoing`, `dossier`, `hotline` or `news` (several separated by commas);
    /// empty: every kind the reader may search.
    #[serde(default)]
    pub kind: String,
    /// ISO date: the record's date (arrival or issue) from.
    #[serde(default)]
    pub from: String,
    /// ISO date: the record's date to, inclusive.
    #[serde(default)]
    pub to: String,
    /// Owned by or assigned to this unit.
    #[serde(default)]
    pub unit_id: String,
    /// A document type code (`quyet_dinh`, `cong_van`, …).
    #[serde(default)]
    pub type_code: String,
    /// A status code (`registered`, `in_progress`, `done`, `issued`, …).
    #[serde(default)]
    pub status: String,
    /// `normal`, `urgent`, `very_urgent`, `flash`.
    #[serde(default)]
    pub urgency: String,
    /// `relevance` (default) or `date` (newest first).
    #[serde(default)]
    pub sort: String,
    /// 1-based page number.
    #[serde(default)]
    pub page: String,
}

/// What a person should be told about how their query was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// No words: the newest records (with the filters) are shown.
    EmptyQuery,
    /// The query was cut to its first 200 characters (or 12 words and phrases).
    Truncated,
}

impl Notice {
    pub fn code(self) -> &'static str {
        match self {
            Self::EmptyQuery => "empty_query",
            Self::Truncated => "truncated",
        }
    }
}

impl SearchParams {
    /// The store's request, or the fields in error.
    pub fn to_request(&self, limit: usize) -> Result<SearchRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let date = |name: &str, value: &str, errors: &mut Vec<FieldError>| {
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map_err(|_| errors.push(FieldError::new(name, "form.date_invalid")))
                .ok()
        };
        let from = date("from", &self.from, &mut errors);
        let to = date("to", &self.to, &mut errors);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new("to", "documents.period_reversed"));
            }
        }
        let mut kinds = Vec::new();
        for code in self
            .kind
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            match Kind::parse(code) {
                Some(kind) => kinds.push(kind),
                None => errors.push(FieldError::new("kind", "form.unknown_value")),
            }
        }
        let unit = match self.unit_id.trim() {
            "" => None,
            value => match value.parse::<i64>() {
                Ok(id) => Some(vanphong_core::ids::UnitId(id)),
                Err(_) => {
                    errors.push(FieldError::new("unit_id", "form.unknown_value"));
                    None
                }
            },
        };
        let type_code = match self.type_code.trim() {
            "" => None,
            code if DOCUMENT_TYPES.iter().any(|d| d.code == code) => Some(code.to_owned()),
            _ => {
                errors.push(FieldError::new("type_code", "form.unknown_value"));
                None
            }
        };
        let status = match self.status.trim() {
            "" => None,
            code if code.len() <= 40
                && code.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
            {
                Some(code.to_owned())
            }
            _ => {
                errors.push(FieldError::new("status", "form.unknown_value"));
                None
            }
        };
        let urgency = match self.urgency.trim() {
            "" => None,
            code => match Urgency::parse(code) {
                Ok(u) => Some(u.rank()),
                Err(_) => {
                    errors.push(FieldError::new("urgency", "form.unknown_value"));
                    None
                }
            },
        };
        let page = self.page_number();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SearchRequest {
            query: SearchQuery::parse(&self.q),
            kinds,
            from,
            to,
            unit,
            type_code,
            status,
            urgency,
            sort: SearchSort::parse(self.sort.trim()),
            offset: (page - 1) * limit,
            limit,
            ..SearchRequest::default()
        })
    }

    pub fn page_number(&self) -> usize {
        self.page
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|p| (1..=1000).contains(p))
            .unwrap_or(1)
    }

    /// The query string of this search (without the page), for links and saved searches.
    pub fn query_string(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
            ("unit_id", &self.unit_id),
            ("type_code", &self.type_code),
            ("status", &self.status),
            ("urgency", &self.urgency),
            ("sort", &self.sort),
        ];
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs {
            if !value.is_empty() {
                serializer.append_pair(key, value);
            }
        }
        serializer.finish()
    }
}

/// Runs a search for the signed-in user: their read scope is part of the query.
pub async fn run(
    state: &AppState,
    ctx: &RequestContext,
    request: &SearchRequest,
) -> AppResult<SearchResults> {
    let (scope, request) = scoped(state, ctx, request).await?;
    let user = ctx.user().ok_or(AppError::Forbidden)?;
    Ok(search::search(&state.db, &scope, user.id, &request).await?)
}

/// The request as this reader may run it, with the scope of each kind they work with, and
/// their read scope of documents. Everyone signed in may search (published news at
/// least); a reader of no documents (a news editor, a hotline operator) searches none.
pub async fn scoped(
    state: &AppState,
    ctx: &RequestContext,
    request: &SearchRequest,
) -> AppResult<(ReadScope, SearchRequest)> {
    let user = ctx.user().ok_or(AppError::Forbidden)?;
    let mut request = request.clone();
    let scope = match read_scope(state, ctx).await {
        Ok(scope) => scope,
        Err(AppError::Forbidden) => {
            request.without_documents = true;
            ReadScope {
                units: Some(Vec::new()),
                max_secrecy: vanphong_core::auth::Secrecy::Normal,
            }
        }
        Err(e) => return Err(e),
    };
    // Dossiers and hotline cases with the scope of their own lists; a reader who does not
    // work with them does not search them (and their counts are not shown).
    request.dossiers = if crate::pages::dossiers::works_with_dossiers(ctx) {
        match crate::pages::dossiers::dossier_scope(state, ctx).await {
            Ok(scope) => Some(scope),
            Err(AppError::Forbidden) => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    request.hotline = match crate::pages::hotline::access(state, ctx).await {
        Ok(access) => Some(search::hotline::HotlineScope {
            routed_to: access.province_scope(),
        }),
        Err(AppError::Forbidden) => None,
        Err(e) => return Err(e),
    };
    // News: published articles for everyone who searches, drafts for those who edit news
    // (the decision the news writers make).
    request.news = Some(search::news::NewsScope {
        drafts: vanphong_store::news::may_edit(&state.db, &user.actor()).await?,
    });
    Ok((scope, request))
}

/// What to tell the reader about their query.
pub fn notices(params: &SearchParams, request: &SearchRequest) -> Vec<Notice> {
    let mut out = Vec::new();
    if request.query.is_empty() {
        out.push(Notice::EmptyQuery);
    }
    if request.query.truncated || params.q.chars().count() > QUERY_MAX_CHARS {
        out.push(Notice::Truncated);
    }
    out
}

/// The link to a record of a kind (a news article's public page by its id, which answers
/// only while it is published: [`hit_urls`] links drafts to the editor's page).
pub fn record_url(kind: Kind, id: i64) -> String {
    match kind {
        Kind::Incoming | Kind::Outgoing => format!("/documents/{id}"),
        Kind::Dossier => format!("/dossiers/{id}"),
        Kind::Hotline => format!("/hotline/cases/{id}"),
        Kind::News => format!("/news/{id}"),
    }
}

/// The links of a page of hits, in order. A news article links to its public page (by its
/// slug) while published and to the editor's page while a draft (only editors find drafts).
pub async fn hit_urls(state: &AppState, hits: &[search::Hit]) -> AppResult<Vec<String>> {
    let news: Vec<i64> = hits
        .iter()
        .filter(|h| h.kind == Kind::News)
        .map(|h| h.record_id)
        .collect();
    let articles = search::news::slugs_and_statuses(&state.db, &news).await?;
    Ok(hits
        .iter()
        .map(|hit| match (hit.kind, articles.get(&hit.record_id)) {
            (Kind::News, Some((slug, ArticleStatus::Published))) => format!("/news/{slug}"),
            (Kind::News, _) => format!("/news/manage/{}", hit.record_id),
            (kind, _) => record_url(kind, hit.record_id),
        })
        .collect())
}

/// The title and the snippet of a hit, as marked parts.
pub fn hit_parts(hit: &search::Hit, query: &SearchQuery) -> (Vec<SnippetPart>, Vec<SnippetPart>) {
    (
        snippet(&hit.title, query, 1000),
        snippet(&hit.body, query, SNIPPET_CHARS),
    )
}

fn marked(parts: &[SnippetPart]) -> Markup {
    html! {
        @for part in parts {
            @if part.matched { mark { (part.text) } } @else { (part.text) }
        }
    }
}

fn kind_label(lang: Lang, kind: Kind) -> &'static str {
    t(lang, &format!("search.kind.{}", kind.code()))
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

async fn search_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let params = SearchParams::from_query_string(raw.as_deref().unwrap_or_default());
    let lang = ctx.lang;
    let (request, errors) = match params.to_request(PAGE_SIZE) {
        Ok(request) => (request, Vec::new()),
        Err(errors) => (
            SearchRequest {
                query: SearchQuery::parse(&params.q),
                ..SearchRequest::default()
            },
            errors,
        ),
    };
    let (scope, allowed) = scoped(&state, &ctx, &request).await?;
    let results = if errors.is_empty() {
        search::search(&state.db, &scope, ctx.user().id, &allowed).await?
    } else {
        SearchResults::default()
    };
    // The kinds and filters offered are those this reader can use.
    let readable = allowed.readable_kinds();
    let notices = if errors.is_empty() {
        notices(&params, &request)
    } else {
        Vec::new()
    };
    let saved_searches = saved::list(&state.db, ctx.user().id).await?;
    let units = org::units(&state.db).await?;
    let query_string = params.query_string();
    let page_number = params.page_number();
    let urls = hit_urls(&state, &results.hits).await?;
    let body = render(
        &ctx,
        &params,
        &request,
        &results,
        &urls,
        &errors,
        &notices,
        &saved_searches,
        &units,
        &query_string,
        page_number,
        &readable,
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page(&ctx, t(lang, "search.title"), body)).into_response())
}

#[allow(clippy::too_many_arguments)]
fn render(
    ctx: &RequestContext,
    params: &SearchParams,
    request: &SearchRequest,
    results: &SearchResults,
    urls: &[String],
    errors: &[FieldError],
    notices: &[Notice],
    saved_searches: &[saved::SavedSearch],
    units: &[org::Unit],
    query_string: &str,
    page_number: usize,
    readable: &[Kind],
) -> Markup {
    let lang = ctx.lang;
    let documents = readable.iter().any(|k| k.is_document());
    let mut kind_options = vec![(String::new(), t(lang, "search.every_kind").to_owned())];
    kind_options.extend(
        readable
            .iter()
            .map(|k| (k.code().to_owned(), kind_label(lang, *k).to_owned())),
    );
    let mut type_options = vec![(String::new(), t(lang, "documents.any_type").to_owned())];
    type_options.extend(
        DOCUMENT_TYPES
            .iter()
            .map(|d| (d.code.to_owned(), type_name(lang, d.code).to_owned())),
    );
    let mut status_options = vec![(String::new(), t(lang, "documents.any_status").to_owned())];
    let mut status_codes: Vec<&str> = vanphong_core::document::routing::IncomingStatus::ALL
        .iter()
        .map(|s| s.code())
        .collect();
    for s in vanphong_core::document::outgoing::OutgoingStatus::ALL {
        if !status_codes.contains(&s.code()) {
            status_codes.push(s.code());
        }
    }
    status_options.extend(status_codes.iter().map(|code| {
        (
            (*code).to_owned(),
            t(lang, &format!("document_status.{code}")).to_owned(),
        )
    }));
    let mut urgency_options = vec![(String::new(), t(lang, "documents.any_urgency").to_owned())];
    urgency_options.extend(Urgency::ALL.iter().map(|u| {
        (
            u.code().to_owned(),
            urgency_label(lang, u.rank()).to_owned(),
        )
    }));
    let mut unit_options = vec![(String::new(), t(lang, "list.all_units").to_owned())];
    unit_options.extend(units.iter().map(|u| (u.id.to_string(), u.name.clone())));
    let sort_options = vec![
        (
            "relevance".to_owned(),
            t(lang, "search.sort_relevance").to_owned(),
        ),
        ("date".to_owned(), t(lang, "search.sort_date").to_owned()),
    ];
    let sort_code = SearchSort::parse(params.sort.trim()).code();
    let kind_link = |kind: &str| {
        let mut p = params.clone();
        p.kind = kind.to_owned();
        p.page = String::new();
        format!("/search?{}", p.query_string())
    };
    let base = format!("/search?{query_string}");
    let sep = if query_string.is_empty() { "" } else { "&" };
    let has_next = results.total > (page_number * PAGE_SIZE) as u64;
    html! {
        h1 { (t(lang, "search.title")) }
        (error_summary(lang, errors))
        form.filters.search method="get" action="/search" role="search" {
            (Field::text("q", t(lang, "search.words"), &params.q).kind("search").autofocus().hint(t(lang, "search.hint")).render(lang, errors))
            (select(lang, errors, "kind", t(lang, "search.kind"), &kind_options, &params.kind))
            @if documents {
                (select(lang, errors, "type_code", t(lang, "documents.type"), &type_options, &params.type_code))
                (select(lang, errors, "status", t(lang, "documents.status"), &status_options, &params.status))
                (select(lang, errors, "urgency", t(lang, "documents.urgency"), &urgency_options, &params.urgency))
                (select(lang, errors, "unit_id", t(lang, "user.unit"), &unit_options, &params.unit_id))
            }
            (Field::text("from", t(lang, "documents.from"), &params.from).kind("date").render(lang, errors))
            (Field::text("to", t(lang, "documents.to"), &params.to).kind("date").render(lang, errors))
            (select(lang, errors, "sort", t(lang, "search.sort"), &sort_options, sort_code))
            button type="submit" { (t(lang, "search.submit")) }
        }
        @for notice in notices {
            p.alert.info role="status" { (t(lang, &format!("search.notice.{}", notice.code()))) }
        }
        @if errors.is_empty() {
            nav.kinds aria-label=(t(lang, "search.by_kind")) {
                a href=(kind_link("")) aria-current=[params.kind.is_empty().then_some("page")] {
                    (t(lang, "search.every_kind")) " (" (results.total) @if results.total_is_lower_bound { "+" } ")"
                }
                @for count in &results.counts {
                    " · "
                    a href=(kind_link(count.kind.code())) aria-current=[(params.kind == count.kind.code()).then_some("page")] {
                        (kind_label(lang, count.kind)) " (" (count.count) @if count.more { "+" } ")"
                    }
                }
            }
            @if results.hits.is_empty() {
                p.muted { (t(lang, "search.nothing_found")) }
            } @else {
                ol.results start=((page_number - 1) * PAGE_SIZE + 1) {
                    @for (hit, url) in results.hits.iter().zip(urls) {
                        @let (title, body) = hit_parts(hit, &request.query);
                        li.result {
                            p.meta {
                                span.badge { (kind_label(lang, hit.kind)) } " "
                                @if !hit.reference.is_empty() { strong { (hit.reference) } " · " }
                                (day(hit.record_date))
                            }
                            p.title { a href=(url) { (marked(&title)) } }
                            @if !hit.body.is_empty() { p.snippet { (marked(&body)) } }
                        }
                    }
                }
                @if page_number > 1 || has_next {
                    nav.pager aria-label=(t(lang, "list.pagination")) {
                        @if page_number > 1 { a href={ (base) (sep) "page=" (page_number - 1) } rel="prev" { "← " (t(lang, "list.previous_page")) } " " }
                        span { (page_number) } " "
                        @if has_next { a href={ (base) (sep) "page=" (page_number + 1) } rel="next" { (t(lang, "list.next_page")) " →" } }
                    }
                }
            }
        }
        section.saved-searches {
            h2 { (t(lang, "search.saved")) }
            @if saved_searches.is_empty() { p.muted { (t(lang, "search.no_saved")) } }
            ul {
                @for s in saved_searches {
                    li {
                        a href={ "/search?" (s.query) } { (s.name) } " "
                        form.inline method="post" action={ "/search/saved/" (s.id) "/delete" } {
                            (csrf_field(ctx))
                            button.link type="submit" { (t(lang, "search.delete_saved")) }
                        }
                    }
                }
            }
            @if !query_string.is_empty() {
                form.inline method="post" action="/search/saved" {
                    (csrf_field(ctx))
                    input type="hidden" name="query" value=(query_string);
                    (Field::text("name", t(lang, "search.saved_name"), "").render(lang, errors))
                    button type="submit" { (t(lang, "search.save")) }
                }
            }
        }
        @if documents { p { a href="/search/scans" { (t(lang, "search.scans_link")) } } }
    }
}

#[derive(Deserialize)]
struct SaveForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

async fn save_search(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<SaveForm>,
) -> AppResult<Response> {
    let saved = save(&state, &ctx, &form.name, &form.query).await?;
    Ok(Redirect::to(&format!("/search?{}", saved.query)).into_response())
}

/// Saves a search for the signed-in user (the page's form and the API): the name is one
/// line, and only a query string the search page could have made is kept (parsed and
/// written again).
pub(crate) async fn save(
    state: &AppState,
    ctx: &SignedIn,
    name: &str,
    query: &str,
) -> AppResult<saved::SavedSearch> {
    let user = ctx.user();
    read_scope(state, ctx).await?;
    let name = match vanphong_core::text::required_line(name, saved::NAME_MAX) {
        Ok(name) => name,
        Err(e) => return Err(AppError::fields(vec![crate::error::text_error("name", e)])),
    };
    let query = SearchParams::from_query_string(query).query_string();
    match saved::create(&state.db, &ctx.origin(), user.id, &name, &query).await {
        Ok(saved) => Ok(saved),
        Err(e) if e.is_conflict_on("saved_searches") => {
            Err(AppError::fields(vec![FieldError::new(
                "name",
                "search.saved_name_taken",
            )]))
        }
        Err(StoreError::Invalid(code)) => Err(AppError::fields(vec![FieldError::new(
            "name",
            &format!("search.{code}"),
        )])),
        Err(e) => Err(e.into()),
    }
}

impl SearchParams {
    /// Reads a query string, ignoring anything it does not know; invalid UTF-8 and
    /// repeated keys are not errors (the last value wins).
    pub fn from_query_string(query: &str) -> SearchParams {
        let mut params = SearchParams::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            match key.as_ref() {
                "q" => params.q = value,
                "kind" => params.kind = value,
                "from" => params.from = value,
                "to" => params.to = value,
                "unit_id" => params.unit_id = value,
                "type_code" => params.type_code = value,
                "status" => params.status = value,
                "urgency" => params.urgency = value,
                "sort" => params.sort = value,
                "page" => params.page = value,
                _ => {}
            }
        }
        params
    }
}

async fn delete_saved(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = ctx.user();
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    match saved::delete(&state.db, &ctx.origin(), user.id, id).await {
        Ok(()) => Ok(Redirect::to("/search").into_response()),
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

async fn scans_page(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    let lang = ctx.lang;
    let scope = read_scope(&state, &ctx).await?;
    let user = ctx.user();
    let list = search::attachments::scans(&state.db, &scope, user.id, 500).await?;
    let body = html! {
        h1 { (t(lang, "search.scans_title")) }
        p { (t(lang, "search.scans_hint")) }
        @if list.is_empty() { p.muted { (t(lang, "list.empty")) } } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "search.kind")) } th { (t(lang, "documents.number_symbol")) }
                    th { (t(lang, "documents.subject")) } th { (t(lang, "search.file")) }
                } }
                tbody {
                    @for s in &list {
                        tr {
                            td { (Kind::parse(&s.direction).map(|k| kind_label(lang, k)).unwrap_or("")) }
                            td { (s.number_symbol.as_deref().unwrap_or("")) }
                            td { a href={ "/documents/" (s.document_id) } { (s.subject) } }
                            td { (s.file_name) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, t(lang, "search.scans_title"), body).into_response())
}
