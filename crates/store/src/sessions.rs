//! Sign-in sessions kept in the database, so any node can serve any request, and the
//! throttle on repeated sign-in failures.

use crate::audit::{self, Change, Origin};
use crate::db::Db;
use crate::error::StoreResult;
use crate::users::{self, User};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use vanphong_core::ids::UserId;

/// How long a session lives without use, and at most.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::hours(8),
            absolute: Duration::days(7),
        }
    }
}

/// A random token, 256 bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Only the token's hash is stored: a leaked database does not give live sessions.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opens a session for `user` and returns the token for the cookie.
pub async fn open(
    db: &Db,
    origin: &Origin,
    user: &User,
    user_agent: &str,
    policy: SessionPolicy,
) -> StoreResult<String> {
    let token = random_token();
    let now = crate::now();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, source_address, user_agent) \
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(user.id.0)
        .bind(now)
        .bind(now + policy.idle.min(policy.absolute))
        .bind(&origin.address)
        .bind(user_agent.chars().take(300).collect::<String>())
        .execute(&mut *conn)
        .await?;
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "session.sign_in",
            object_kind: "user",
            object_id: user.id.to_string(),
            before: None,
            after: None,
            details: json!({"username": user.username}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// user id, created, last seen, expires.
type SessionRow = (i64, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);

/// The signed-in user behind a token, if the session is alive and the account enabled.
/// Extends the idle expiry, at most once a minute to spare the database.
pub async fn resolve(db: &Db, token: &str, policy: SessionPolicy) -> StoreResult<Option<User>> {
    let hash = token_hash(token);
    let now = crate::now();
    let found: Option<SessionRow> = on_pool!(db, pool => {
        sqlx::query_as("SELECT user_id, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1")
            .bind(&hash)
            .fetch_optional(pool)
            .await?
    });
    let Some((user_id, created_at, last_seen_at, expires_at)) = found else {
        return Ok(None);
    };
    if expires_at <= now {
        return Ok(None);
    }
    let user = users::get(db, UserId(user_id)).await?;
    if user.disabled {
        return Ok(None);
    }
    if now - last_seen_at > Duration::minutes(1) {
        let new_expiry = (now + policy.idle).min(created_at + policy.absolute);
        let _turn = db.write_turn().await?;
        on_pool!(db, pool => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
                .bind(now)
                .bind(new_expiry)
                .bind(&hash)
                .execute(pool)
                .await?;
        });
    }
    Ok(Some(user))
}

/// Ends a session (sign-out).
pub async fn close(db: &Db, origin: &Origin, token: &str) -> StoreResult<()> {
    let hash = token_hash(token);
    let mut tx = db.begin().await?;
    let user_id: Option<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
            .bind(&hash)
            .fetch_optional(&mut *conn)
            .await?
    });
    if let Some(user_id) = user_id {
        audit::append(
            &mut tx,
            origin,
            Change {
                action: "session.sign_out",
                object_kind: "user",
                object_id: user_id.to_string(),
                before: None,
                after: None,
                details: json!({}),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Removes expired sessions and old failure records; returns how many sessions went.
pub async fn sweep(db: &Db) -> StoreResult<u64> {
    let now = crate::now();
    let _turn = db.write_turn().await?;
    Ok(on_pool!(db, pool => {
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(now - Duration::days(1))
            .execute(pool)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(pool).await?.rows_affected()
    }))
}

/// Limits on failed sign-ins.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    pub window: Duration,
    pub per_username: i64,
    pub per_address: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            window: Duration::minutes(15),
            per_username: 5,
            per_address: 30,
        }
    }
}

/// True when too many recent failures name this user name or come from this address.
/// The user name need not exist: unknown and known names are throttled alike.
pub async fn is_throttled(
    db: &Db,
    username_key: &str,
    address: &str,
    policy: ThrottlePolicy,
) -> StoreResult<bool> {
    let since = crate::now() - policy.window;
    let (by_name, by_address): (i64, i64) = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM login_failures WHERE username_key = $1 AND at > $3), \
                    (SELECT COUNT(*) FROM login_failures WHERE source_address = $2 AND at > $3)",
        )
        .bind(username_key)
        .bind(address)
        .bind(since)
        .fetch_one(pool)
        .await?
    });
    Ok(by_name >= policy.per_username || by_address >= policy.per_address)
}

pub async fn record_failure(db: &Db, username_key: &str, address: &str) -> StoreResult<()> {
    let _turn = db.write_turn().await?;
    on_pool!(db, pool => {
        sqlx::query("INSERT INTO login_failures (username_key, source_address, at) VALUES ($1, $2, $3)")
            .bind(username_key)
            .bind(address)
            .bind(crate::now())
            .execute(pool)
            .await?;
    });
    Ok(())
}

pub async fn clear_failures(db: &Db, username_key: &str) -> StoreResult<()> {
    let _turn = db.write_turn().await?;
    on_pool!(db, pool => {
        sqlx::query("DELETE FROM login_failures WHERE username_key = $1").bind(username_key).execute(pool).await?;
    });
    Ok(())
}
