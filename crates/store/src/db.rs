//! Connecting to SQLite or PostgreSQL, applying migrations and starting transactions.

use crate::error::{StoreError, StoreResult};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A pool of connections to one database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, so a transaction that
/// reads and then writes never fails half-way with SQLITE_BUSY.
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// An SQLite write transaction and its place in the process's write queue.
///
/// SQLite lets one writer in at a time; others wait in its busy handler, which sleeps
/// and retries, so under load some writers starve while the lock keeps changing hands.
/// Write transactions of one process therefore queue first come, first served on an async
/// mutex per database file, and meet SQLite's lock only when it is theirs.
pub struct SqliteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl std::ops::Deref for SqliteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// The write queue of an SQLite database file.
fn write_queue(pool: &SqlitePool) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static QUEUES: OnceLock<Mutex<HashMap<std::path::PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        OnceLock::new();
    let file = pool.connect_options().get_filename().to_owned();
    let mut queues = QUEUES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    queues.entry(file).or_default().clone()
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite(_) => "Tx::Sqlite",
            Self::Postgres(_) => "Tx::Postgres",
        })
    }
}

/// Tuning for the connection pool.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// An sqlx configuration error as one sentence (its source chain repeats itself).
fn plain(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Configuration(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// How much of an SQLite database file is memory-mapped (address space, not memory).
const MMAP_SIZE: u64 = 1 << 30;

impl Db {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`) without touching the schema.
    pub async fn connect(url: &str, settings: &PoolSettings) -> StoreResult<Self> {
        if url.starts_with("sqlite:") {
            // Messages never repeat the URL: it may carry a password. Callers name the setting.
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| {
                    StoreError::Invalid(format!(
                        "the SQLite database URL is malformed: {}",
                        plain(&e)
                    ))
                })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // In WAL mode every commit makes the other connections drop their page
                // caches; without memory mapping each of their next reads copies the pages
                // back in through pread (measured: a sixth of the server's time while
                // registering). Mapping the file makes those reads plain memory accesses.
                .pragma("mmap_size", MMAP_SIZE.to_string());
            // Each SQLite connection runs on a thread of its own and writers take turns anyway;
            // beyond a few connections the threads only compete for the cores.
            let pool = SqlitePoolOptions::new()
                .max_connections(settings.max_connections.min(8))
                .acquire_timeout(settings.acquire_timeout)
                .connect_with(options)
                .await?;
            return Ok(Self::Sqlite(pool));
        }
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| {
                    StoreError::Invalid(format!(
                        "the PostgreSQL database URL is malformed: {}",
                        plain(&e)
                    ))
                })?
                .application_name("vanphong")
                // JIT compiling pays off for long analytic queries; ours are short, and a
                // search whose estimate crosses jit_above_cost spent more time compiling
                // than answering.
                .options([("jit", "off")]);
            // One direct connection first: a pool would only report that it timed out,
            // hiding the cause ("connection refused", "password authentication failed").
            let probe = sqlx::ConnectOptions::connect(&options)
                .await
                .map_err(StoreError::Database)?;
            let _ = sqlx::Connection::close(probe).await;
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(settings.acquire_timeout)
                .connect_with(options)
                .await?;
            return Ok(Self::Postgres(pool));
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StoreError::Invalid(format!(
            "the database URL must start with sqlite:// or postgres://, not {scheme}:"
        )))
    }

    /// Connects and brings the schema up to date, refusing a schema newer than this binary.
    pub async fn open(url: &str, settings: &PoolSettings) -> StoreResult<Self> {
        let db = Self::connect(url, settings).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self {
            Self::Sqlite(_) => &SQLITE_MIGRATIONS,
            Self::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// The newest migration this binary carries.
    pub fn binary_schema_version(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The newest migration applied to the database, or 0 for an empty database.
    pub async fn database_schema_version(&self) -> StoreResult<i64> {
        let exists: bool = match self {
            Self::Sqlite(pool) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(pool)
                .await?
                    > 0
            }
            Self::Postgres(pool) => {
                sqlx::query_scalar::<_, bool>("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                    .fetch_one(pool)
                    .await?
            }
        };
        if !exists {
            return Ok(0);
        }
        let version: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await?
        });
        Ok(version.unwrap_or(0))
    }

    /// Applies pending migrations. A database that has migrations this binary does not
    /// know was written by a newer version: it is refused rather than half-understood.
    pub async fn migrate(&self) -> StoreResult<()> {
        let database = self.database_schema_version().await?;
        let binary = self.binary_schema_version();
        if database > binary {
            return Err(StoreError::SchemaTooNew { database, binary });
        }
        let result = match self {
            Self::Sqlite(pool) => self.migrator().run(pool).await,
            Self::Postgres(pool) => self.migrator().run(pool).await,
        };
        result.map_err(|e| {
            StoreError::Other(anyhow::Error::new(e).context("applying database migrations"))
        })
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Self::Sqlite(pool) => {
                let turn = write_queue(pool).lock_owned().await;
                Tx::Sqlite(SqliteTx {
                    tx: pool.begin_with("BEGIN IMMEDIATE").await?,
                    _turn: turn,
                })
            }
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Self::Sqlite(tx) => tx.tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> StoreResult<()> {
        match self {
            Self::Sqlite(tx) => tx.tx.rollback().await?,
            Self::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}
