//! Saved searches: a user keeps a search (its text and filters, as the search page's query
//! string) under a name and runs it again later. Each user sees only their own.

use crate::audit::{self, Change, Origin};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use serde_json::json;
use vanphong_core::ids::UserId;

/// The longest name, in characters.
pub const NAME_MAX: usize = 100;
/// The longest stored query string, in bytes.
pub const QUERY_MAX: usize = 2000;
/// The most saved searches one user keeps.
pub const PER_USER_MAX: i64 = 100;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SavedSearch {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The search page's query string, without the leading `?`.
    pub query: String,
    pub created_at: DateTime<Utc>,
}

/// Saves a search for `user`. A second search under the same name is refused
/// (`StoreError::Conflict` on `saved_searches_name_uq` / `saved_searches.user_id, saved_searches.name`).
pub async fn create(
    db: &Db,
    origin: &Origin,
    user: UserId,
    name: &str,
    query: &str,
) -> StoreResult<SavedSearch> {
    if query.len() > QUERY_MAX {
        return Err(StoreError::Invalid("saved_search_too_long".into()));
    }
    let mut tx = db.begin().await?;
    let count: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("SELECT COUNT(*) FROM saved_searches WHERE user_id = $1").bind(user.0).fetch_one(&mut *conn).await?
    });
    if count >= PER_USER_MAX {
        return Err(StoreError::Invalid("saved_search_limit".into()));
    }
    let saved: SavedSearch = on_tx!(&mut tx, conn => {
        sqlx::query_as(
            "INSERT INTO saved_searches (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, user_id, name, query, created_at",
        )
        .bind(user.0)
        .bind(name)
        .bind(query)
        .bind(crate::now())
        .fetch_one(&mut *conn)
        .await?
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "search.save",
            object_kind: "saved_search",
            object_id: saved.id.to_string(),
            before: None,
            after: Some(json!({"name": saved.name, "query": saved.query, "user_id": user.0})),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// The user's saved searches, by name.
pub async fn list(db: &Db, user: UserId) -> StoreResult<Vec<SavedSearch>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT id, user_id, name, query, created_at FROM saved_searches WHERE user_id = $1 ORDER BY name, id",
        )
        .bind(user.0)
        .fetch_all(pool)
        .await?
    }))
}

/// Deletes one of the user's own saved searches (`NotFound` for anyone else's).
pub async fn delete(db: &Db, origin: &Origin, user: UserId, id: i64) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let before: SavedSearch = on_tx!(&mut tx, conn => {
        sqlx::query_as("SELECT id, user_id, name, query, created_at FROM saved_searches WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.0)
            .fetch_one(&mut *conn)
            .await?
    });
    on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM saved_searches WHERE id = $1").bind(id).execute(&mut *conn).await?;
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "search.delete_saved",
            object_kind: "saved_search",
            object_id: id.to_string(),
            before: Some(json!({"name": before.name, "query": before.query, "user_id": user.0})),
            after: None,
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
