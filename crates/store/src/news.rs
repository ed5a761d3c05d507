//! News articles of the agency's public site: editors write drafts, publish and unpublish
//! them; anyone reads the published ones. Every write checks `PublishNews` here and is one
//! transaction with its audit event and the article's search entry
//! (`search::news::index_articles`), so what commits is searchable when it commits.
//!
//! The year-end review counts "news articles published" with [`published_count`] and lists
//! them with [`published_list`]; both apply the one condition of [`build`]. An article counts
//! in the period its `published_at` falls in (in Vietnam's time), while it is published.

use crate::audit::{self, Change, Origin};
use crate::blobs::{self, StoredBlob};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::org;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use vanphong_core::ids::UserId;
use vanphong_core::news::{NewsCategory, Slug};
use vanphong_core::permission::{self, Action, Actor, Target};

/// An article as the editor writes it, already parsed.
#[derive(Clone, Debug)]
pub struct ArticleInput {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    /// Plain text; blank lines separate paragraphs.
    pub body: String,
    pub category: NewsCategory,
    /// A new cover image, already stored and checked to be an image.
    pub cover: Option<StoredBlob>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArticleStatus {
    Draft,
    Published,
}

impl ArticleStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "draft" => Some(Self::Draft),
            "published" => Some(Self::Published),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub category: NewsCategory,
    pub cover_sha256: Option<String>,
    pub cover_content_type: Option<String>,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Article {
    fn snapshot(&self) -> serde_json::Value {
        json!({
            "id": self.id, "slug": self.slug, "title": self.title, "summary": self.summary,
            "body_chars": self.body.chars().count(), "category": self.category.code(),
            "cover_sha256": self.cover_sha256, "status": self.status.code(),
            "published_at": self.published_at, "version": self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    slug: String,
    title: String,
    summary: String,
    body: String,
    category: String,
    cover_sha256: Option<String>,
    cover_content_type: Option<String>,
    status: String,
    published_at: Option<DateTime<Utc>>,
    author_id: Option<i64>,
    author_name: Option<String>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!("a news article has an unknown {what}"))
}

impl TryFrom<ArticleRow> for Article {
    type Error = StoreError;
    fn try_from(r: ArticleRow) -> StoreResult<Self> {
        Ok(Article {
            id: r.id,
            slug: r.slug,
            title: r.title,
            summary: r.summary,
            body: r.body,
            category: NewsCategory::parse(&r.category).map_err(|_| corrupt("category"))?,
            cover_sha256: r.cover_sha256,
            cover_content_type: r.cover_content_type,
            status: ArticleStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            published_at: r.published_at,
            author_id: r.author_id.map(UserId),
            author_name: r.author_name,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const ARTICLE_SELECT: &str = "SELECT a.id, a.slug, a.title, a.summary, a.body, a.category, a.cover_sha256, \
     a.cover_content_type, a.status, a.published_at, a.author_id, w.full_name AS author_name, a.version, \
     a.created_at, a.updated_at FROM news_articles a LEFT JOIN users w ON w.id = a.author_id";

async fn require_editor(db: &Db, actor: &Actor) -> StoreResult<()> {
    let tree = org::unit_tree(db).await?;
    permission::authorize(actor, Action::PublishNews, Target::AGENCY, &tree)
        .map_err(|_| StoreError::Forbidden)
}

/// Whether this actor may edit news, hence read drafts (the search's news scope): the same
/// decision as every write here.
pub async fn may_edit(db: &Db, actor: &Actor) -> StoreResult<bool> {
    match require_editor(db, actor).await {
        Ok(()) => Ok(true),
        Err(StoreError::Forbidden) => Ok(false),
        Err(e) => Err(e),
    }
}

/// One article, published or not (staff pages; the public ones use [`published`]).
pub async fn get(db: &Db, id: i64) -> StoreResult<Article> {
    let sql = format!("{ARTICLE_SELECT} WHERE a.id = $1");
    let row: ArticleRow =
        on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await?);
    row.try_into()
}

async fn get_in_tx(tx: &mut Tx, id: i64) -> StoreResult<Article> {
    let sql = format!("{ARTICLE_SELECT} WHERE a.id = $1");
    let row: ArticleRow =
        on_tx!(&mut *tx, conn => sqlx::query_as(&sql).bind(id).fetch_one(&mut *conn).await?);
    row.try_into()
}

/// An article for an editor's page: only editors read drafts.
pub async fn for_editor(db: &Db, actor: &Actor, id: i64) -> StoreResult<Article> {
    require_editor(db, actor).await?;
    get(db, id).await
}

/// A published article by its slug, or by its id when the key is all digits; a draft or
/// an unknown key is "not found" alike.
pub async fn published(db: &Db, key: &str) -> StoreResult<Article> {
    let (condition, id) = match key.parse::<i64>() {
        Ok(id) => ("a.id = $1", Some(id)),
        Err(_) => ("a.slug = $1", None),
    };
    let sql = format!("{ARTICLE_SELECT} WHERE {condition} AND a.status = 'published'");
    let row: ArticleRow = on_pool!(db, pool => {
        let q = sqlx::query_as(&sql);
        let q = match id {
            Some(id) => q.bind(id),
            None => q.bind(key.to_owned()),
        };
        q.fetch_one(pool).await?
    });
    row.try_into()
}

/// Saves a new draft. A slug already used is a conflict on `news_articles_slug_uq`
/// ([`StoreError::is_conflict_on`] with "slug").
pub async fn create(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    input: &ArticleInput,
) -> StoreResult<Article> {
    require_editor(db, actor).await?;
    let now = crate::now();
    let mut tx = db.begin().await?;
    if let Some(cover) = &input.cover {
        blobs::record(&mut tx, cover).await?;
    }
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO news_articles (slug, title, summary, body, category, cover_sha256, cover_content_type, status, \
             author_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $9) RETURNING id",
        )
        .bind(input.slug.as_str())
        .bind(&input.title)
        .bind(&input.summary)
        .bind(&input.body)
        .bind(input.category.code())
        .bind(input.cover.as_ref().map(|c| c.sha256.clone()))
        .bind(input.cover.as_ref().map(|c| c.content_type.clone()))
        .bind(actor.user_id.0)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    let after = get_in_tx(&mut tx, id).await?;
    crate::search::news::index_articles(&mut tx, &[id]).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "news.create",
            object_kind: "news_article",
            object_id: id.to_string(),
            before: None,
            after: Some(after.snapshot()),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn load_for_change(tx: &mut Tx, id: i64, expected_version: i64) -> StoreResult<Article> {
    on_tx!(&mut *tx, conn => {
        sqlx::query("UPDATE news_articles SET version = version WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    let article = get_in_tx(tx, id).await?;
    if article.version != expected_version {
        return Err(StoreError::Stale);
    }
    Ok(article)
}

async fn finish(
    mut tx: Tx,
    origin: &Origin,
    action: &str,
    before: &Article,
) -> StoreResult<Article> {
    let after = get_in_tx(&mut tx, before.id).await?;
    crate::search::news::index_articles(&mut tx, &[before.id]).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action,
            object_kind: "news_article",
            object_id: before.id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Edits an article (draft or published); `cover: None` keeps the current cover.
pub async fn update(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &ArticleInput,
) -> StoreResult<Article> {
    require_editor(db, actor).await?;
    let now = crate::now();
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, expected_version).await?;
    if let Some(cover) = &input.cover {
        blobs::record(&mut tx, cover).await?;
    }
    let (cover, content_type) = match &input.cover {
        Some(blob) => (Some(blob.sha256.clone()), Some(blob.content_type.clone())),
        None => (
            before.cover_sha256.clone(),
            before.cover_content_type.clone(),
        ),
    };
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE news_articles SET slug = $2, title = $3, summary = $4, body = $5, category = $6, cover_sha256 = $7, \
             cover_content_type = $8, version = version + 1, updated_at = $9 WHERE id = $1",
        )
        .bind(id)
        .bind(input.slug.as_str())
        .bind(&input.title)
        .bind(&input.summary)
        .bind(&input.body)
        .bind(input.category.code())
        .bind(cover)
        .bind(content_type)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    finish(tx, origin, "news.update", &before).await
}

/// Publishes a draft at `at` (now, or the time the editor gives).
pub async fn publish(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    at: DateTime<Utc>,
) -> StoreResult<Article> {
    require_editor(db, actor).await?;
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, expected_version).await?;
    if before.status == ArticleStatus::Published {
        return Err(StoreError::Invalid("news_already_published".into()));
    }
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE news_articles SET status = 'published', published_at = $2, version = version + 1, updated_at = $3 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(at)
        .bind(crate::now())
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    finish(tx, origin, "news.publish", &before).await
}

/// Takes an article off the public site: it is a draft again and no longer counted.
pub async fn unpublish(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    id: i64,
    expected_version: i64,
) -> StoreResult<Article> {
    require_editor(db, actor).await?;
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, expected_version).await?;
    if before.status != ArticleStatus::Published {
        return Err(StoreError::Invalid("news_not_published".into()));
    }
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE news_articles SET status = 'draft', published_at = NULL, version = version + 1, updated_at = $2 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(crate::now())
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    finish(tx, origin, "news.unpublish", &before).await
}

/// What a list of articles shows.
#[derive(Clone, Debug, Default)]
pub struct NewsFilter {
    pub status: Option<ArticleStatus>,
    pub category: Option<NewsCategory>,
    /// Published from and to, days in Vietnam's time, inclusive.
    pub published_from: Option<NaiveDate>,
    pub published_to: Option<NaiveDate>,
}

/// The first instant of a day in Vietnam's time (UTC+7, no daylight saving), in UTC.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    (day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(7)).and_utc()
}

/// The one condition every list and count of articles applies (alias `a`).
fn build(filter: &NewsFilter) -> (String, Vec<DateTime<Utc>>) {
    let mut sql = vec!["1 = 1".to_owned()];
    let mut binds = Vec::new();
    if let Some(s) = filter.status {
        sql.push(format!("a.status = '{}'", s.code()));
    }
    if let Some(c) = filter.category {
        sql.push(format!("a.category = '{}'", c.code()));
    }
    if let Some(from) = filter.published_from {
        binds.push(day_start(from));
        sql.push(format!("a.published_at >= ${}", binds.len()));
    }
    if let Some(to) = filter.published_to {
        let end = to
            .succ_opt()
            .map(day_start)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        binds.push(end);
        sql.push(format!("a.published_at < ${}", binds.len()));
    }
    (sql.join(" AND "), binds)
}

/// A page of articles: published ones newest first, then drafts by last change.
pub async fn list(
    db: &Db,
    filter: &NewsFilter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<Article>> {
    let (condition, binds) = build(filter);
    let sql = format!(
        "{ARTICLE_SELECT} WHERE {condition} ORDER BY a.published_at DESC NULLS LAST, a.updated_at DESC, a.id DESC \
         LIMIT {} OFFSET {}",
        limit.clamp(1, 100_000),
        offset.max(0)
    );
    let rows: Vec<ArticleRow> = on_pool!(db, pool => {
        let mut q = sqlx::query_as::<_, ArticleRow>(&sql);
        for b in &binds {
            q = q.bind(*b);
        }
        q.fetch_all(pool).await?
    });
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn count(db: &Db, filter: &NewsFilter) -> StoreResult<i64> {
    let (condition, binds) = build(filter);
    let sql = format!("SELECT COUNT(*) FROM news_articles a WHERE {condition}");
    Ok(on_pool!(db, pool => {
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for b in &binds {
            q = q.bind(*b);
        }
        q.fetch_one(pool).await?
    }))
}

/// The filter of the review's figure: published from `from` to `to`, both days included.
pub fn published_filter(from: NaiveDate, to: NaiveDate) -> NewsFilter {
    NewsFilter {
        status: Some(ArticleStatus::Published),
        published_from: Some(from),
        published_to: Some(to),
        ..NewsFilter::default()
    }
}

/// How many articles were published from `from` to `to` (days in Vietnam's time, both
/// included) and are published still.
pub async fn published_count(db: &Db, from: NaiveDate, to: NaiveDate) -> StoreResult<i64> {
    count(db, &published_filter(from, to)).await
}

/// The articles counted by [`published_count`] with the same days (the same SQL
/// condition), newest first: `offset` skipped, at most `limit`.
pub async fn published_list(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<Article>> {
    list(db, &published_filter(from, to), offset, limit).await
}
