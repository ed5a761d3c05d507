//! In-app notifications. Each carries a dedupe key, unique per user, so a reminder sent by
//! one node is never sent again by another.

use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use vanphong_core::ids::UserId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Sends a notification unless one with the same key was already sent to this user.
/// Returns whether it was new.
pub async fn send(
    db: &Db,
    user: UserId,
    kind: &str,
    title: &str,
    link: &str,
    dedupe_key: &str,
) -> StoreResult<bool> {
    let _turn = db.write_turn().await?;
    let inserted = on_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO notifications (user_id, kind, title, link, dedupe_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, dedupe_key) DO NOTHING",
        )
        .bind(user.0)
        .bind(kind)
        .bind(title)
        .bind(link)
        .bind(dedupe_key)
        .bind(crate::now())
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(inserted == 1)
}

pub async fn unread_count(db: &Db, user: UserId) -> StoreResult<i64> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .fetch_one(pool)
            .await?
    }))
}

pub async fn recent(db: &Db, user: UserId, limit: i64) -> StoreResult<Vec<Notification>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT id, kind, title, link, created_at, read_at FROM notifications WHERE user_id = $1 \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(user.0)
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}

pub async fn mark_all_read(db: &Db, user: UserId) -> StoreResult<()> {
    let _turn = db.write_turn().await?;
    on_pool!(db, pool => {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(crate::now())
            .bind(user.0)
            .execute(pool)
            .await?;
    });
    Ok(())
}
