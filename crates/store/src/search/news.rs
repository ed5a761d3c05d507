//! The search source for news articles: the title, the summary and the body, with the slug
//! as the reference. The reader's scope is the news pages' own: published articles for
//! everyone who searches, drafts too for those who may edit news (`crate::news::may_edit`).
//! The scope reads the article's status from `news_articles` at search time, so an article
//! taken off the site is a draft to readers at once, whatever its entry says.

use super::records::Source;
use super::{Entry, Found, Kind, Matches, SearchRequest, BODY_MAX_CHARS};
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::news::ArticleStatus;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub(crate) const SOURCE: Source = Source {
    kind: Kind::News,
    table: "news_articles a",
    id: "a.id",
};

/// Which news articles a reader may find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewsScope {
    /// Drafts too (editors); otherwise only published articles.
    pub drafts: bool,
}

impl NewsScope {
    fn condition(&self) -> String {
        if self.drafts {
            "1 = 1".into()
        } else {
            format!("a.status = '{}'", ArticleStatus::Published.code())
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    slug: String,
    title: String,
    summary: String,
    body: String,
    published_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

pub(crate) async fn entries(tx: &mut Tx, ids: &[i64]) -> StoreResult<Vec<Entry>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT a.id, a.slug, a.title, a.summary, a.body, a.published_at, a.created_at \
         FROM news_articles a WHERE a.id IN ({list}) ORDER BY a.id"
    );
    let rows: Vec<Row> =
        on_tx!(tx, conn => sqlx::query_as::<_, Row>(&sql).fetch_all(&mut *conn).await?);
    let vietnam = crate::vietnam();
    Ok(rows
        .into_iter()
        .map(|row| {
            let body: String = [row.summary.as_str(), &row.body]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
                .chars()
                .take(BODY_MAX_CHARS)
                .collect();
            // Published: the day it was published; a draft (unpublished ones have no
            // publication moment any more): the day it was written.
            let date = row.published_at.unwrap_or(row.created_at);
            Entry {
                kind: Kind::News,
                record_id: row.id,
                title: row.title,
                reference: row.slug,
                body,
                record_date: Some(date.with_timezone(&vietnam).date_naive()),
            }
        })
        .collect())
}

/// (Re)indexes news articles in the caller's transaction: creating, editing, publishing and
/// unpublishing an article call this.
pub async fn index_articles(tx: &mut Tx, ids: &[i64]) -> StoreResult<()> {
    let entries = entries(tx, ids).await?;
    super::write_entries(tx, &entries).await
}

pub(crate) async fn candidates(
    db: &Db,
    scope: &NewsScope,
    request: &SearchRequest,
    matches: Option<&Matches>,
) -> StoreResult<Found> {
    SOURCE
        .candidates(db, request, &scope.condition(), matches)
        .await
}

/// The slug and status of these articles, for linking search results: a published article
/// to its public page, a draft to the editor's. Articles that are gone are left out.
pub async fn slugs_and_statuses(
    db: &Db,
    ids: &[i64],
) -> StoreResult<HashMap<i64, (String, ArticleStatus)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT id, slug, status FROM news_articles WHERE id IN ({list})");
    let rows: Vec<(i64, String, String)> =
        on_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
    Ok(rows
        .into_iter()
        .filter_map(|(id, slug, status)| Some((id, (slug, ArticleStatus::parse(&status)?))))
        .collect())
}
