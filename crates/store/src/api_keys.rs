//! Bearer API keys for machine clients. A key is `vpk_PREFIX_SECRET`; only a hash of the
//! secret is stored, and the whole key is shown once, when it is created.

use crate::audit::{self, Change, Origin};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::sessions::{random_token, token_hash};
use crate::users::{self, User};
use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::json;
use subtle_compare::equal;
use vanphong_core::ids::{ApiKeyId, UserId};

mod subtle_compare {
    /// Constant-time comparison of two hex digests.
    pub fn equal(a: &str, b: &str) -> bool {
        a.len() == b.len()
            && a.bytes()
                .zip(b.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0
    }
}

#[derive(Clone, Debug)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    pub user_id: UserId,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    user_id: i64,
    prefix: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<Row> for ApiKey {
    fn from(r: Row) -> Self {
        ApiKey {
            id: ApiKeyId(r.id),
            name: r.name,
            user_id: UserId(r.user_id),
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A key with its secret's hash and its owner, read together.
#[derive(sqlx::FromRow)]
struct KeyAndUser {
    secret_hash: String,
    key_id: i64,
    key_name: String,
    key_prefix: String,
    key_created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    user: users::UserRow,
}

const COLUMNS: &str = "id, name, user_id, prefix, created_at, last_used_at, revoked_at";

/// Creates a key acting as `user` and returns it with the full token (shown once).
pub async fn create(
    db: &Db,
    origin: &Origin,
    name: &str,
    user: UserId,
) -> StoreResult<(ApiKey, String)> {
    let prefix: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(10)
        .map(|b| char::from(b).to_ascii_lowercase())
        .collect();
    let secret = random_token();
    let token = format!("vpk_{prefix}_{secret}");
    // A key for a disabled account could never authenticate: refuse it now.
    if users::get(db, user).await?.disabled {
        return Err(StoreError::Invalid("user_disabled".into()));
    }
    let mut tx = db.begin().await?;
    let row: Row = on_tx!(&mut tx, conn => {
        sqlx::query_as(&format!(
            "INSERT INTO api_keys (name, user_id, prefix, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING {COLUMNS}"
        ))
        .bind(name)
        .bind(user.0)
        .bind(&prefix)
        .bind(token_hash(&secret))
        .bind(crate::now())
        .fetch_one(&mut *conn)
        .await?
    });
    let key = ApiKey::from(row);
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "api_key.create",
            object_kind: "api_key",
            object_id: key.id.to_string(),
            before: None,
            after: Some(json!({"name": key.name, "user_id": user.0, "prefix": key.prefix})),
            details: json!({"name": key.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((key, token))
}

pub async fn list(db: &Db) -> StoreResult<Vec<ApiKey>> {
    let rows: Vec<Row> = on_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_keys ORDER BY id")).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn revoke(db: &Db, origin: &Origin, id: ApiKeyId) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(crate::now())
            .bind(id.0)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "api_key.revoke",
            object_kind: "api_key",
            object_id: id.to_string(),
            before: None,
            after: None,
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The key's owner, if the token is a live key of an enabled account.
pub async fn authenticate(db: &Db, token: &str) -> StoreResult<Option<(ApiKey, User)>> {
    let Some(rest) = token.strip_prefix("vpk_") else {
        return Ok(None);
    };
    let Some((prefix, secret)) = rest.split_once('_') else {
        return Ok(None);
    };
    // The key and its owner in one query: this runs on every API call.
    let sql = users::select_users(
        db.backend(),
        "JOIN api_keys k ON k.user_id = u.id WHERE k.prefix = $1",
    )
    .replacen(
        "SELECT ",
        "SELECT k.secret_hash, k.id AS key_id, k.name AS key_name, k.prefix AS key_prefix, \
         k.created_at AS key_created_at, k.last_used_at, k.revoked_at, ",
        1,
    );
    let found: Option<KeyAndUser> = on_pool!(db, pool => {
        sqlx::query_as::<_, KeyAndUser>(&sql).bind(prefix).fetch_optional(pool).await?
    });
    let Some(found) = found else {
        return Ok(None);
    };
    if found.revoked_at.is_some() || !equal(&found.secret_hash, &token_hash(secret)) {
        return Ok(None);
    }
    // Recording every use would make every API call a write; once a minute is enough to
    // tell administrators which keys are alive.
    let now = crate::now();
    if found
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::minutes(1))
    {
        let _turn = db.write_turn().await?;
        on_pool!(db, pool => {
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2").bind(now).bind(found.key_id).execute(pool).await?;
        });
    }
    let user = User::try_from(found.user)?;
    if user.disabled {
        return Ok(None);
    }
    let key = ApiKey {
        id: ApiKeyId(found.key_id),
        name: found.key_name,
        user_id: user.id,
        prefix: found.key_prefix,
        created_at: found.key_created_at,
        last_used_at: found.last_used_at,
        revoked_at: found.revoked_at,
    };
    Ok(Some((key, user)))
}
