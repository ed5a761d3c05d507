//! The agency's news: the public list and article pages (no sign-in; the public rate limit
//! applies as to every anonymous request), and the editors' pages to write drafts, publish,
//! unpublish and export the list. Every text an editor types is shown escaped; the body is
//! plain paragraphs where web addresses become links.

use crate::context::{RequestContext, SignedIn};
use crate::error::{text_error, AppError, AppResult, FieldError};
use crate::export::{Format, Table};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, export_links, field_error, page, select, Field};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use futures::TryStreamExt;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;
use vanphong_core::news::{self as core_news, Inline, NewsCategory, Slug};
use vanphong_core::permission::Action;
use vanphong_core::text;
use vanphong_store::blobs::StoredBlob;
use vanphong_store::news::{self, Article, ArticleInput, ArticleStatus, NewsFilter};
use vanphong_store::StoreError;

const PUBLIC_PAGE_SIZE: i64 = 10;
const STAFF_PAGE_SIZE: i64 = 50;
/// The kinds of image a cover may be, by the type its bytes show.
const COVER_TYPES: &[&str] = &["image/png", "image/jpeg", "image/webp", "image/gif"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/news", get(public_list))
        .route("/news/manage", get(manage_list))
        .route("/news/manage/new", get(new_page).post(create))
        .route("/news/manage/{id}", get(edit_page).post(update))
        .route("/news/manage/{id}/publish", post(publish))
        .route("/news/manage/{id}/unpublish", post(unpublish))
        .route("/news/{key}", get(public_article))
        .route("/news/{key}/cover", get(cover))
}

pub fn category_label(lang: Lang, category: NewsCategory) -> &'static str {
    t(lang, &format!("news.category.{}", category.code()))
}

fn status_label(lang: Lang, status: ArticleStatus) -> &'static str {
    t(lang, &format!("news.status.{}", status.code()))
}

/// The body as paragraphs: text escaped by maud, addresses as links that leave the site.
fn render_body(body: &str) -> Markup {
    html! {
        @for paragraph in core_news::paragraphs(body) {
            p {
                @for piece in paragraph {
                    @match piece {
                        Inline::Text(text) => (text),
                        Inline::Link(url) => a href=(url) rel="nofollow noopener" { (url) },
                    }
                }
            }
        }
    }
}

fn article_href(a: &Article) -> String {
    format!("/news/{}", a.slug)
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: String,
    #[serde(default)]
    category: String,
}

async fn public_list(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let category = NewsCategory::parse(&query.category).ok();
    let filter = NewsFilter {
        status: Some(ArticleStatus::Published),
        category,
        ..NewsFilter::default()
    };
    let page_number: i64 = query.page.parse().unwrap_or(1).max(1);
    let total = news::count(&state.db, &filter).await?;
    let articles = news::list(
        &state.db,
        &filter,
        (page_number - 1) * PUBLIC_PAGE_SIZE,
        PUBLIC_PAGE_SIZE,
    )
    .await?;
    let base = match category {
        Some(c) => format!("/news?category={}&", c.code()),
        None => "/news?".to_owned(),
    };
    let body = html! {
        h1 { (t(lang, "news.title")) }
        nav.tabs aria-label=(t(lang, "news.categories")) {
            a href="/news" aria-current=[category.is_none().then_some("page")] { (t(lang, "news.all")) }
            @for c in NewsCategory::ALL {
                " · " a href={ "/news?category=" (c.code()) } aria-current=[(category == Some(c)).then_some("page")] { (category_label(lang, c)) }
            }
        }
        @if articles.is_empty() {
            p.muted { (t(lang, "news.none")) }
        }
        @for a in &articles {
            article.news-item {
                h2 { a href=(article_href(a)) { (a.title) } }
                p.muted {
                    (category_label(lang, a.category))
                    @if let Some(at) = a.published_at { " · " time datetime=(at.to_rfc3339()) { (crate::vietnam_time(at)) } }
                }
                @if !a.summary.is_empty() { p { (a.summary) } }
            }
        }
        nav.pager aria-label=(t(lang, "list.pagination")) {
            @if page_number > 1 { a href={ (base) "page=" (page_number - 1) } rel="prev" { "← " (t(lang, "news.newer")) } " " }
            @if page_number * PUBLIC_PAGE_SIZE < total { a href={ (base) "page=" (page_number + 1) } rel="next" { (t(lang, "news.older")) " →" } }
        }
    };
    Ok(page(&ctx, t(lang, "news.title"), body).into_response())
}

async fn public_article(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let article = news::published(&state.db, &key).await?;
    let body = html! {
        p { a href="/news" { "← " (t(lang, "news.title")) } }
        article.news {
            h1 { (article.title) }
            p.muted {
                (category_label(lang, article.category))
                @if let Some(at) = article.published_at { " · " time datetime=(at.to_rfc3339()) { (crate::vietnam_time(at)) } }
            }
            @if article.cover_sha256.is_some() {
                img.cover src={ "/news/" (article.id) "/cover" } alt=(article.title);
            }
            @if !article.summary.is_empty() { p.lead { (article.summary) } }
            (render_body(&article.body))
        }
    };
    Ok(page(&ctx, &article.title, body).into_response())
}

/// The cover of a published article (editors see drafts' covers on their pages).
async fn cover(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let article = match news::published(&state.db, &key).await {
        Ok(a) => a,
        Err(StoreError::NotFound) if ctx.can(Action::PublishNews) => match key.parse() {
            Ok(id) => news::get(&state.db, id).await?,
            Err(_) => return Err(AppError::NotFound),
        },
        Err(e) => return Err(e.into()),
    };
    let (Some(sha256), Some(content_type)) = (article.cover_sha256, article.cover_content_type)
    else {
        return Err(AppError::NotFound);
    };
    let stream = state.blobs.open_stream(&sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct ManageQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
    format: Option<String>,
}

fn parse_day(value: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

pub fn news_table(lang: Lang, articles: &[Article]) -> Table {
    Table {
        sheet: t(lang, "news.title").to_owned(),
        headers: [
            "news.article_title",
            "news.slug",
            "news.category",
            "news.status",
            "news.published_at",
            "news.author",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: articles
            .iter()
            .map(|a| {
                vec![
                    a.title.clone(),
                    a.slug.clone(),
                    category_label(lang, a.category).to_owned(),
                    status_label(lang, a.status).to_owned(),
                    a.published_at.map(crate::vietnam_time).unwrap_or_default(),
                    a.author_name.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

async fn manage_list(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<ManageQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::PublishNews)?;
    let lang = ctx.lang;
    let filter = NewsFilter {
        status: ArticleStatus::parse(&query.status),
        category: NewsCategory::parse(&query.category).ok(),
        published_from: parse_day(&query.from),
        published_to: parse_day(&query.to),
    };
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let articles = news::list(&state.db, &filter, 0, 100_000).await?;
        return news_table(lang, &articles).respond(format, "tin-bai");
    }
    let page_number: i64 = query.page.parse().unwrap_or(1).max(1);
    let total = news::count(&state.db, &filter).await?;
    let articles = news::list(
        &state.db,
        &filter,
        (page_number - 1) * STAFF_PAGE_SIZE,
        STAFF_PAGE_SIZE,
    )
    .await?;
    let base = format!(
        "/news/manage?{}",
        [
            ("status", &query.status),
            ("category", &query.category),
            ("from", &query.from),
            ("to", &query.to)
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::context::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    );
    let option = |value: &str, label: &str, selected: &str| {
        html! { option value=(value) selected[value == selected] { (label) } }
    };
    let body = html! {
        h1 { (t(lang, "news.manage")) }
        p.actions { a.button.primary href="/news/manage/new" { (t(lang, "news.new")) } " " a href="/news" { (t(lang, "news.public_site")) } }
        form.filters method="get" action="/news/manage" {
            label { (t(lang, "news.status")) " "
                select name="status" { (option("", t(lang, "news.all"), &query.status))
                    @for s in [ArticleStatus::Draft, ArticleStatus::Published] { (option(s.code(), status_label(lang, s), &query.status)) } } }
            label { (t(lang, "news.category")) " "
                select name="category" { (option("", t(lang, "news.all"), &query.category))
                    @for c in NewsCategory::ALL { (option(c.code(), category_label(lang, c), &query.category)) } } }
            label { (t(lang, "news.published_from")) " " input type="date" name="from" value=(query.from); }
            label { (t(lang, "news.published_to")) " " input type="date" name="to" value=(query.to); }
            button type="submit" { (t(lang, "list.filter")) }
        }
        p.muted { (t(lang, "news.found")) ": " (total) }
        @if articles.is_empty() {
            p.muted { (t(lang, "list.empty")) }
        } @else {
            table.list {
                thead { tr { th { (t(lang, "news.article_title")) } th { (t(lang, "news.category")) } th { (t(lang, "news.status")) } th { (t(lang, "news.published_at")) } th { (t(lang, "news.author")) } } }
                tbody {
                    @for a in &articles {
                        tr {
                            td { a href={ "/news/manage/" (a.id) } { (a.title) } }
                            td { (category_label(lang, a.category)) }
                            td { (status_label(lang, a.status)) }
                            td { (a.published_at.map(crate::vietnam_time).unwrap_or_default()) }
                            td { (a.author_name.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
        nav.pager aria-label=(t(lang, "list.pagination")) {
            @if page_number > 1 { a href={ (base) "&page=" (page_number - 1) } rel="prev" { "← " (t(lang, "files.previous_page")) } " " }
            @if page_number * STAFF_PAGE_SIZE < total { a href={ (base) "&page=" (page_number + 1) } rel="next" { (t(lang, "list.next_page")) " →" } }
        }
        (export_links(lang, &base))
    };
    Ok(page(&ctx, t(lang, "news.manage"), body).into_response())
}

/// The article form as typed: its text fields and a new cover, if one was sent.
#[derive(Default)]
struct ArticleForm {
    fields: HashMap<String, String>,
    cover: Option<StoredBlob>,
    errors: Vec<FieldError>,
}

impl ArticleForm {
    fn get(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    fn from_article(a: &Article) -> Self {
        let mut fields = HashMap::new();
        fields.insert("title".into(), a.title.clone());
        fields.insert("slug".into(), a.slug.clone());
        fields.insert("summary".into(), a.summary.clone());
        fields.insert("body".into(), a.body.clone());
        fields.insert("category".into(), a.category.code().into());
        fields.insert("version".into(), a.version.to_string());
        Self {
            fields,
            ..Self::default()
        }
    }
}

/// Reads the multipart form; the cover streams into the blob store and is refused unless
/// its bytes are an image.
async fn read_form(state: &AppState, mut multipart: Multipart) -> AppResult<ArticleForm> {
    let mut form = ArticleForm::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("malformed_multipart"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "cover" {
            let file_name = text::normalize(field.file_name().unwrap_or_default());
            if file_name.is_empty() {
                let _ = field.bytes().await;
                continue;
            }
            let stream = field.map_err(|e| std::io::Error::other(e.to_string()));
            match state
                .blobs
                .put_stream_checked(stream, move |blob| {
                    if COVER_TYPES.contains(&blob.content_type.as_str()) {
                        Ok(())
                    } else {
                        Err("upload_type_not_allowed".to_owned())
                    }
                })
                .await
            {
                Ok(blob) => form.cover = Some(blob),
                Err(StoreError::Invalid(_)) => form
                    .errors
                    .push(FieldError::new("cover", "news.cover_not_image")),
                Err(StoreError::TooLarge { .. }) => form
                    .errors
                    .push(FieldError::new("cover", "error.too_large")),
                Err(e) => return Err(e.into()),
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|_| AppError::invalid("malformed_multipart"))?;
            form.fields.insert(name, value);
        }
    }
    Ok(form)
}

/// Parses the form into an article, or the errors beside the fields.
fn parse_article(form: &mut ArticleForm) -> Option<ArticleInput> {
    let mut errors = std::mem::take(&mut form.errors);
    let title = text::required_line(form.get("title"), 300)
        .map_err(|e| errors.push(text_error("title", e)))
        .ok();
    let slug_typed = text::normalize(form.get("slug"));
    let slug = if slug_typed.is_empty() {
        match &title {
            Some(title) => Slug::from_title(title)
                .map_err(|_| errors.push(FieldError::new("slug", "news.slug_invalid")))
                .ok(),
            None => None,
        }
    } else {
        Slug::parse(&slug_typed)
            .map_err(|_| errors.push(FieldError::new("slug", "news.slug_invalid")))
            .ok()
    };
    let summary = text::normalize(form.get("summary"));
    if summary.chars().count() > 1000 {
        errors.push(FieldError::new("summary", "form.too_long"));
    }
    let body = text::normalize(&form.get("body").replace("\r\n", "\n"));
    if body.chars().count() > 100_000 {
        errors.push(FieldError::new("body", "form.too_long"));
    }
    let category = NewsCategory::parse(form.get("category"))
        .map_err(|_| errors.push(FieldError::new("category", "form.unknown_value")))
        .ok();
    form.errors = errors;
    if !form.errors.is_empty() {
        return None;
    }
    Some(ArticleInput {
        slug: slug?,
        title: title?,
        summary,
        body,
        category: category?,
        cover: form.cover.clone(),
    })
}

fn render_form(
    ctx: &SignedIn,
    existing: Option<&Article>,
    form: &ArticleForm,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let errors = &form.errors;
    let (title, action) = match existing {
        Some(a) => (t(lang, "news.edit"), format!("/news/manage/{}", a.id)),
        None => (t(lang, "news.new"), "/news/manage/new".to_owned()),
    };
    let categories: Vec<(String, String)> = NewsCategory::ALL
        .iter()
        .map(|c| (c.code().to_owned(), category_label(lang, *c).to_owned()))
        .collect();
    let body_error = field_error(lang, errors, "body");
    let summary_error = field_error(lang, errors, "summary");
    let cover_error = field_error(lang, errors, "cover");
    let body = html! {
        p { a href="/news/manage" { "← " (t(lang, "news.manage")) } }
        h1 { (title) }
        (error_summary(lang, errors))
        @if let Some(a) = existing {
            p.muted { (status_label(lang, a.status))
                @if let Some(at) = a.published_at { " · " (crate::vietnam_time(at)) " · " a href=(article_href(a)) { (t(lang, "news.view_public")) } } }
            @if a.status == ArticleStatus::Published {
                form method="post" action={ "/news/manage/" (a.id) "/unpublish" } {
                    (csrf_field(ctx)) input type="hidden" name="version" value=(a.version);
                    button type="submit" { (t(lang, "news.unpublish")) }
                }
            } @else {
                form method="post" action={ "/news/manage/" (a.id) "/publish" } {
                    (csrf_field(ctx)) input type="hidden" name="version" value=(a.version);
                    button.primary type="submit" { (t(lang, "news.publish")) }
                }
            }
        }
        form method="post" action={ (action) "?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" novalidate {
            (csrf_field(ctx))
            input type="hidden" name="version" value=(form.get("version"));
            (Field::text("title", t(lang, "news.article_title"), form.get("title")).required().autofocus().render(lang, errors))
            (Field::text("slug", t(lang, "news.slug"), form.get("slug")).hint(t(lang, "news.slug_hint")).render(lang, errors))
            (select(lang, errors, "category", t(lang, "news.category"), &categories, form.get("category")))
            div.field.invalid[summary_error.is_some()] {
                label for="f-summary" { (t(lang, "news.summary")) }
                textarea id="f-summary" name="summary" rows="3" { (form.get("summary")) }
                @if let Some(m) = summary_error { p.error role="alert" { (m) } }
            }
            div.field.invalid[body_error.is_some()] {
                label for="f-body" { (t(lang, "news.body")) }
                textarea id="f-body" name="body" rows="16" aria-describedby="h-body" { (form.get("body")) }
                small.hint id="h-body" { (t(lang, "news.body_hint")) }
                @if let Some(m) = body_error { p.error role="alert" { (m) } }
            }
            div.field.invalid[cover_error.is_some()] {
                label for="f-cover" { (t(lang, "news.cover")) }
                input id="f-cover" type="file" name="cover" accept="image/png,image/jpeg,image/webp,image/gif";
                @if existing.is_some_and(|a| a.cover_sha256.is_some()) { small.hint { (t(lang, "news.cover_kept")) } }
                @if let Some(m) = cover_error { p.error role="alert" { (m) } }
            }
            button.primary type="submit" { (t(lang, "news.save_draft")) }
        }
        @if let Some(a) = existing {
            h2 { (t(lang, "news.preview")) }
            article.news {
                h1 { (a.title) }
                @if !a.summary.is_empty() { p.lead { (a.summary) } }
                (render_body(&a.body))
            }
        }
    };
    (status, page(ctx, title, body)).into_response()
}

async fn new_page(ctx: SignedIn) -> AppResult<Response> {
    ctx.authorize_agency(Action::PublishNews)?;
    let mut form = ArticleForm::default();
    form.fields
        .insert("category".into(), NewsCategory::Activities.code().into());
    Ok(render_form(&ctx, None, &form, StatusCode::OK))
}

fn slug_taken(form: &mut ArticleForm) {
    form.errors.push(FieldError::new("slug", "news.slug_taken"));
}

async fn create(
    State(state): State<AppState>,
    ctx: SignedIn,
    multipart: Multipart,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::PublishNews)?;
    let mut form = read_form(&state, multipart).await?;
    let Some(input) = parse_article(&mut form) else {
        return Ok(render_form(
            &ctx,
            None,
            &form,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    match news::create(&state.db, &ctx.origin(), &ctx.user().actor(), &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/news/manage/{}", a.id)).into_response()),
        Err(e) if e.is_conflict_on("slug") => {
            slug_taken(&mut form);
            Ok(render_form(
                &ctx,
                None,
                &form,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let article = news::for_editor(&state.db, &ctx.user().actor(), id).await?;
    let form = ArticleForm::from_article(&article);
    Ok(render_form(&ctx, Some(&article), &form, StatusCode::OK))
}

async fn update(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let actor = ctx.user().actor();
    let article = news::for_editor(&state.db, &actor, id).await?;
    let mut form = read_form(&state, multipart).await?;
    let version: i64 = form.get("version").trim().parse().unwrap_or(-1);
    let Some(input) = parse_article(&mut form) else {
        return Ok(render_form(
            &ctx,
            Some(&article),
            &form,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    match news::update(&state.db, &ctx.origin(), &actor, id, version, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/news/manage/{id}")).into_response()),
        Err(e) if e.is_conflict_on("slug") => {
            slug_taken(&mut form);
            Ok(render_form(
                &ctx,
                Some(&article),
                &form,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(StoreError::Stale) => {
            let mut fresh = ArticleForm::from_article(&article);
            fresh.errors.push(FieldError::new("title", "form.stale"));
            Ok(render_form(
                &ctx,
                Some(&article),
                &fresh,
                StatusCode::CONFLICT,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct VersionForm {
    #[serde(default)]
    version: String,
}

async fn publish(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    axum::extract::Form(form): axum::extract::Form<VersionForm>,
) -> AppResult<Response> {
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    news::publish(
        &state.db,
        &ctx.origin(),
        &ctx.user().actor(),
        id,
        version,
        vanphong_store::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/news/manage/{id}")).into_response())
}

async fn unpublish(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    axum::extract::Form(form): axum::extract::Form<VersionForm>,
) -> AppResult<Response> {
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    news::unpublish(&state.db, &ctx.origin(), &ctx.user().actor(), id, version).await?;
    Ok(Redirect::to(&format!("/news/manage/{id}")).into_response())
}
