//! People who sign in: accounts, roles, clearance and password hashes (argon2id).

use crate::audit::{self, Change, Origin};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use serde_json::json;
use std::sync::OnceLock;
use vanphong_core::auth::{NewPassword, Role, Secrecy, Username};
use vanphong_core::ids::{PositionId, UnitId, UserId};
use vanphong_core::permission::Actor;

/// An account, without its password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub unit_id: Option<UnitId>,
    pub position_id: Option<PositionId>,
    pub clearance: Secrecy,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub language: String,
    pub version: i64,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            roles: self.roles.clone(),
            unit: self.unit_id,
            clearance: self.clearance,
        }
    }

    fn snapshot(&self) -> serde_json::Value {
        json!({"id": self.id.0, "username": self.username, "full_name": self.full_name, "email": self.email,
               "phone": self.phone, "unit_id": self.unit_id.map(|u| u.0),
               "position_id": self.position_id.map(|p| p.0), "clearance": self.clearance.code(),
               "roles": self.roles.iter().map(|r| r.code()).collect::<Vec<_>>(), "disabled": self.disabled,
               "language": self.language})
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    full_name: String,
    email: String,
    phone: String,
    unit_id: Option<i64>,
    position_id: Option<i64>,
    clearance: i64,
    disabled: bool,
    language: String,
    version: i64,
    roles: Option<String>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> StoreResult<Self> {
        let mut roles = Vec::new();
        for code in r
            .roles
            .unwrap_or_default()
            .split(',')
            .filter(|c| !c.is_empty())
        {
            roles.push(Role::parse(code).map_err(|e| StoreError::Other(e.into()))?);
        }
        roles.sort();
        Ok(User {
            id: UserId(r.id),
            username: r.username,
            full_name: r.full_name,
            email: r.email,
            phone: r.phone,
            unit_id: r.unit_id.map(UnitId),
            position_id: r.position_id.map(PositionId),
            clearance: Secrecy::from_rank(r.clearance).map_err(|e| StoreError::Other(e.into()))?,
            disabled: r.disabled,
            language: r.language,
            version: r.version,
            roles,
        })
    }
}

/// The roles as one comma-separated column, with the aggregate each backend spells.
pub(crate) fn select_users(backend: crate::Backend, filter: &str) -> String {
    let aggregate = match backend {
        crate::Backend::Sqlite => {
            "(SELECT GROUP_CONCAT(role, ',') FROM user_roles r WHERE r.user_id = u.id)"
        }
        crate::Backend::Postgres => {
            "(SELECT STRING_AGG(role, ',') FROM user_roles r WHERE r.user_id = u.id)"
        }
    };
    format!(
        "SELECT u.id, u.username, u.full_name, u.email, u.phone, u.unit_id, u.position_id, u.clearance, \
         u.disabled, u.language, u.version, {aggregate} AS roles FROM users u {filter}"
    )
}

/// A new account, already parsed.
#[derive(Debug)]
pub struct NewUser {
    pub username: Username,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub unit_id: Option<UnitId>,
    pub position_id: Option<PositionId>,
    pub clearance: Secrecy,
    pub roles: Vec<Role>,
    pub password: NewPassword,
}

/// Changes to an account's profile, roles and clearance.
#[derive(Clone, Debug)]
pub struct UserUpdate {
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub unit_id: Option<UnitId>,
    pub position_id: Option<PositionId>,
    pub clearance: Secrecy,
    pub roles: Vec<Role>,
}

fn search_key(username: &str, full_name: &str) -> String {
    vanphong_core::text::fold(&format!("{username} {full_name}"))
}

fn argon2() -> Argon2<'static> {
    // The crate's defaults are the OWASP-recommended argon2id parameters (19 MiB, t=2, p=1).
    Argon2::default()
}

/// Hashes a password with argon2id and a random salt. Slow on purpose: call it off the
/// async runtime (`spawn_blocking`).
pub fn hash_password(password: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Other(anyhow::anyhow!("hashing a password failed: {e}")))
}

/// Checks a password against a stored hash. For an unknown user, pass `None`: the work
/// done is the same, so timing does not reveal whether the account exists.
pub fn verify_password(stored_hash: Option<&str>, candidate: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| hash_password("not a real password, only for timing").unwrap_or_default());
    let (hash, real) = match stored_hash {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    argon2()
        .verify_password(candidate.as_bytes(), &parsed)
        .is_ok()
        && real
}

async fn write_roles(tx: &mut Tx, user_id: UserId, roles: &[Role]) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user_id.0).execute(&mut *conn).await?;
        for role in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(user_id.0)
                .bind(role.code())
                .execute(&mut *conn)
                .await?;
        }
    });
    Ok(())
}

async fn load_in_tx(tx: &mut Tx, id: UserId) -> StoreResult<User> {
    let sql = select_users(tx.backend(), "WHERE u.id = $1");
    let row: UserRow = on_tx!(tx, conn => {
        sqlx::query_as(&sql).bind(id.0).fetch_one(&mut *conn).await?
    });
    row.try_into()
}

pub async fn create(db: &Db, origin: &Origin, new: NewUser) -> StoreResult<User> {
    let password = new.password.expose().to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| StoreError::Other(e.into()))??;
    let mut tx = db.begin().await?;
    let now = crate::now();
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO users (username, full_name, email, phone, unit_id, position_id, clearance, password_hash, \
             created_at, password_changed_at, search_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
        )
        .bind(new.username.as_str())
        .bind(&new.full_name)
        .bind(&new.email)
        .bind(&new.phone)
        .bind(new.unit_id.map(|u| u.0))
        .bind(new.position_id.map(|p| p.0))
        .bind(i64::from(new.clearance.rank()))
        .bind(&hash)
        .bind(now)
        .bind(search_key(new.username.as_str(), &new.full_name))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| {
            let e = StoreError::from(e);
            if e.is_conflict_on("username") {
                StoreError::Invalid("username_taken".into())
            } else {
                e
            }
        })?
    });
    write_roles(&mut tx, UserId(id), &new.roles).await?;
    let user = load_in_tx(&mut tx, UserId(id)).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "user.create",
            object_kind: "user",
            object_id: id.to_string(),
            before: None,
            after: Some(user.snapshot()),
            details: json!({"username": user.username, "roles": user.roles.iter().map(|r| r.code()).collect::<Vec<_>>()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn get(db: &Db, id: UserId) -> StoreResult<User> {
    let sql = select_users(db.backend(), "WHERE u.id = $1");
    let row: UserRow = on_pool!(db, pool => sqlx::query_as(&sql).bind(id.0).fetch_one(pool).await?);
    row.try_into()
}

pub async fn by_username(db: &Db, username: &str) -> StoreResult<User> {
    let sql = select_users(db.backend(), "WHERE u.username = $1");
    let row: UserRow =
        on_pool!(db, pool => sqlx::query_as(&sql).bind(username).fetch_one(pool).await?);
    row.try_into()
}

/// The account and its password hash, for signing in.
pub async fn credentials(db: &Db, username: &str) -> StoreResult<Option<(User, String)>> {
    let hash: Option<String> = on_pool!(db, pool => {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(pool)
            .await?
    });
    let Some(hash) = hash else { return Ok(None) };
    Ok(Some((by_username(db, username).await?, hash)))
}

/// Filters for the user list.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub unit_id: Option<UnitId>,
    pub search: Option<String>,
    pub include_disabled: bool,
}

/// A page of users ordered by id after `after_id`.
pub async fn list(
    db: &Db,
    filter: &UserFilter,
    after_id: Option<UserId>,
    limit: i64,
) -> StoreResult<Vec<User>> {
    let sql = select_users(
        db.backend(),
        "WHERE u.id > $1 AND ($2 IS NULL OR u.unit_id = $2) \
         AND ($3 IS NULL OR u.search_key LIKE $3) \
         AND ($4 OR NOT u.disabled) ORDER BY u.id LIMIT $5",
    );
    let pattern = filter
        .search
        .as_ref()
        .map(|s| format!("%{}%", vanphong_core::text::fold(s)));
    let rows: Vec<UserRow> = on_pool!(db, pool => {
        sqlx::query_as(&sql)
            .bind(after_id.map(|u| u.0).unwrap_or(0))
            .bind(filter.unit_id.map(|u| u.0))
            .bind(pattern.as_deref())
            .bind(filter.include_disabled)
            .bind(limit)
            .fetch_all(pool)
            .await?
    });
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Updates profile, roles and clearance if nobody changed the account since it was read.
pub async fn update(
    db: &Db,
    origin: &Origin,
    id: UserId,
    expected_version: i64,
    change: &UserUpdate,
) -> StoreResult<User> {
    let mut tx = db.begin().await?;
    let before = load_in_tx(&mut tx, id).await?;
    if before.version != expected_version {
        return Err(StoreError::Stale);
    }
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE users SET full_name = $1, email = $2, phone = $3, unit_id = $4, position_id = $5, clearance = $6, \
             search_key = $9, version = version + 1 WHERE id = $7 AND version = $8",
        )
        .bind(&change.full_name)
        .bind(&change.email)
        .bind(&change.phone)
        .bind(change.unit_id.map(|u| u.0))
        .bind(change.position_id.map(|p| p.0))
        .bind(i64::from(change.clearance.rank()))
        .bind(id.0)
        .bind(expected_version)
        .bind(search_key(&before.username, &change.full_name))
        .execute(&mut *conn)
        .await?;
    });
    write_roles(&mut tx, id, &change.roles).await?;
    let after = load_in_tx(&mut tx, id).await?;
    let permissions_changed = before.roles != after.roles
        || before.clearance != after.clearance
        || before.unit_id != after.unit_id;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: if permissions_changed {
                "user.permissions_change"
            } else {
                "user.update"
            },
            object_kind: "user",
            object_id: id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({"username": after.username}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets a new password and signs the account out everywhere.
pub async fn set_password(
    db: &Db,
    origin: &Origin,
    id: UserId,
    password: &NewPassword,
) -> StoreResult<()> {
    let password = password.expose().to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| StoreError::Other(e.into()))??;
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2, version = version + 1 WHERE id = $3",
        )
        .bind(&hash)
        .bind(crate::now())
        .bind(id.0)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *conn).await?;
        changed
    });
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "user.password_change",
            object_kind: "user",
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

/// Disables or re-enables an account; disabling also ends its sessions and API keys' use.
pub async fn set_disabled(
    db: &Db,
    origin: &Origin,
    id: UserId,
    disabled: bool,
) -> StoreResult<User> {
    let mut tx = db.begin().await?;
    let before = load_in_tx(&mut tx, id).await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE users SET disabled = $1, version = version + 1 WHERE id = $2")
            .bind(disabled)
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *conn).await?;
        }
    });
    let after = load_in_tx(&mut tx, id).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            object_kind: "user",
            object_id: id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({"username": after.username}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets the interface language a user prefers.
pub async fn set_language(db: &Db, id: UserId, language: &str) -> StoreResult<()> {
    let _turn = db.write_turn().await?;
    on_pool!(db, pool => {
        sqlx::query("UPDATE users SET language = $1 WHERE id = $2").bind(language).bind(id.0).execute(pool).await?;
    });
    Ok(())
}

pub async fn count(db: &Db) -> StoreResult<i64> {
    Ok(
        on_pool!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?),
    )
}
