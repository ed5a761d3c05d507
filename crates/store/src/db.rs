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

/// A write transaction. On SQLite it is a member of a group transaction (see
/// [`SqliteTx`]), so a transaction that reads and then writes never fails half-way with
/// SQLITE_BUSY.
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// An SQLite write transaction: a savepoint inside the group transaction of its database
/// file, and its turn in the process's write queue.
///
/// SQLite lets one writer in at a time. Write transactions of one process therefore queue
/// first come, first served on an async mutex per database file, and meet SQLite's lock
/// only when it is theirs. Each commit of SQLite writes every page it changed (the
/// document's row, each index's leaf, a new full-text segment, the audit chain's head)
/// to the WAL; under load most of that is the same pages again and again. So the writers
/// that queue while one works share one SQLite transaction ("group commit"): the first
/// opens it (`BEGIN IMMEDIATE`), each runs inside its own `SAVEPOINT` (a failed or
/// dropped one is rolled back alone), and a committed one releases its savepoint and
/// waits for the group's `COMMIT`, which a flush task queued behind the waiting writers
/// issues for all of them at once. A commit returns only after that `COMMIT`: what it
/// wrote is then durable and visible to every connection, as before. Alone, a writer pays
/// two statements more (the savepoint) and one hand-over of the queue.
pub struct SqliteTx {
    turn: Option<tokio::sync::OwnedMutexGuard<Option<Group>>>,
    queue: std::sync::Arc<tokio::sync::Mutex<Option<Group>>>,
}

/// The SQLite transaction the queued writers share.
pub struct Group {
    conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
    /// Members that released their savepoint and wait for the `COMMIT`.
    waiting: Vec<tokio::sync::oneshot::Sender<Result<(), String>>>,
}

impl std::ops::Deref for SqliteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self
            .turn
            .as_ref()
            .and_then(|t| t.as_ref())
            .expect("an open SQLite transaction has its group")
            .conn
    }
}

impl std::ops::DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self
            .turn
            .as_mut()
            .and_then(|t| t.as_mut())
            .expect("an open SQLite transaction has its group")
            .conn
    }
}

/// Runs transaction-control SQL (not prepared, not cached). Boxed: the futures of the
/// group's tasks must be `Send` for every lifetime, which sqlx's executor bound alone is
/// not proven to be.
fn raw<'a>(
    conn: &'a mut sqlx::SqliteConnection,
    sql: &'static str,
) -> futures::future::BoxFuture<'a, Result<(), sqlx::Error>> {
    Box::pin(async move { sqlx::Executor::execute(conn, sql).await.map(|_| ()) })
}

/// Ends the group in `turn` with `COMMIT` (or `ROLLBACK` when `commit` is false, which is
/// only done when no member waits) and tells the waiting members how it went. A group
/// whose connection cannot end its transaction is closed, so no half-open transaction
/// goes back to the pool.
async fn end_group(turn: &mut Option<Group>, commit: bool) -> Result<(), String> {
    let Some(mut group) = turn.take() else {
        return Ok(());
    };
    let outcome = if commit {
        match raw(&mut group.conn, "COMMIT").await {
            Ok(()) => Ok(()),
            Err(e) => Err(format!("the group commit failed: {e}")),
        }
    } else {
        raw(&mut group.conn, "ROLLBACK")
            .await
            .map_err(|e| format!("the group rollback failed: {e}"))
    };
    if outcome.is_err() && raw(&mut group.conn, "ROLLBACK").await.is_err() {
        // Autocommit again or not, this connection is not trusted with another writer.
        let _ = group.conn.close().await;
    }
    for member in group.waiting {
        let _ = member.send(outcome.clone());
    }
    outcome
}

/// Commits the open group once the writers queued before this flush have joined it.
async fn flush(queue: std::sync::Arc<tokio::sync::Mutex<Option<Group>>>) {
    let mut turn = queue.lock_owned().await;
    if let Err(e) = end_group(&mut turn, true).await {
        tracing::error!(error = %e, "An SQLite group commit failed; its writers were told.");
    }
}

impl SqliteTx {
    async fn begin(pool: &SqlitePool) -> StoreResult<Self> {
        let queue = write_queue(pool);
        let mut turn = queue.clone().lock_owned().await;
        if turn.is_none() {
            let mut conn = pool.acquire().await?;
            raw(&mut conn, "BEGIN IMMEDIATE").await?;
            *turn = Some(Group {
                conn,
                waiting: Vec::new(),
            });
        }
        let group = turn.as_mut().expect("the group was just opened");
        if let Err(e) = raw(&mut group.conn, "SAVEPOINT member").await {
            let waiting = !group.waiting.is_empty();
            let _ = end_group(&mut turn, waiting).await;
            return Err(e.into());
        }
        Ok(Self {
            turn: Some(turn),
            queue,
        })
    }

    async fn commit(mut self) -> StoreResult<()> {
        let mut turn = self.turn.take().expect("an open SQLite transaction");
        let Some(group) = turn.as_mut() else {
            return Err(StoreError::Other(anyhow::anyhow!(
                "the SQLite transaction was already ended"
            )));
        };
        if let Err(e) = raw(&mut group.conn, "RELEASE member").await {
            undo(&mut turn).await;
            return Err(e.into());
        }
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let first = group.waiting.is_empty();
        group.waiting.push(sender);
        if first {
            // One flush per group, queued behind the writers waiting now: they join the
            // group before it commits.
            tokio::spawn(flush(self.queue.clone()));
        }
        drop(turn);
        match receiver.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(StoreError::Other(anyhow::anyhow!(message))),
            Err(_) => Err(StoreError::Other(anyhow::anyhow!(
                "the SQLite group commit was abandoned"
            ))),
        }
    }

    async fn rollback(mut self) -> StoreResult<()> {
        if let Some(mut turn) = self.turn.take() {
            undo(&mut turn).await;
        }
        Ok(())
    }
}

/// Rolls back the member holding `turn` (its savepoint) and, when no committed member
/// waits in the group, the group's empty transaction too. When the savepoint cannot be
/// rolled back, the group's transaction is no longer whole: it is rolled back and its
/// waiting members are told that their commit failed.
async fn undo(turn: &mut Option<Group>) {
    let Some(group) = turn.as_mut() else {
        return;
    };
    let undone = raw(&mut group.conn, "ROLLBACK TO member; RELEASE member").await;
    if undone.is_err() || group.waiting.is_empty() {
        let _ = end_group(turn, false).await;
    }
}

impl Drop for SqliteTx {
    /// A transaction dropped without commit (an error returned with `?`, a panic, a
    /// cancelled request) is rolled back by a task that keeps its turn until it is done.
    fn drop(&mut self) {
        let Some(mut turn) = self.turn.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move { undo(&mut turn).await });
            }
            Err(_) => {
                // No runtime to roll back on: close the connection (SQLite rolls back
                // what it had not committed) and tell the waiting members.
                if let Some(group) = turn.take() {
                    for member in group.waiting {
                        let _ = member.send(Err("the SQLite group transaction was dropped".into()));
                    }
                    drop(group.conn.detach());
                }
            }
        }
    }
}

/// A single writer's turn in the SQLite write queue (see [`Db::write_turn`]).
pub struct WriteTurn(#[allow(dead_code)] Option<tokio::sync::OwnedMutexGuard<Option<Group>>>);

/// The write queue of an SQLite database file and its open group, if any.
fn write_queue(pool: &SqlitePool) -> std::sync::Arc<tokio::sync::Mutex<Option<Group>>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Queues = Mutex<HashMap<std::path::PathBuf, Arc<tokio::sync::Mutex<Option<Group>>>>>;
    static QUEUES: OnceLock<Queues> = OnceLock::new();
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
                .pragma("mmap_size", MMAP_SIZE.to_string())
                // Rows cross from the connection's thread to the caller's task through a
                // channel; at the default 50 the thread stops and is woken again every 50
                // rows (measured on a 1,000-row read at a million documents: 6.4 ms, and
                // 2.9 ms with room for them all).
                .row_buffer_size(1024);
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
            Self::Sqlite(pool) => Tx::Sqlite(SqliteTx::begin(pool).await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Taken before a single writing statement run on the pool, outside a transaction: on
    /// SQLite, the writer's turn in the write queue, with the open group committed first,
    /// so the statement meets no other writer of this process and never starves behind a
    /// stream of group transactions. Held until dropped; never take it while holding a
    /// [`Tx`]. Nothing to wait for on PostgreSQL.
    pub async fn write_turn(&self) -> StoreResult<WriteTurn> {
        match self {
            Self::Sqlite(pool) => {
                let queue = write_queue(pool);
                let mut turn = tokio::time::timeout(Duration::from_secs(10), queue.lock_owned())
                    .await
                    .map_err(|_| {
                        StoreError::Other(anyhow::anyhow!(
                            "timed out waiting for the SQLite write queue"
                        ))
                    })?;
                if let Err(e) = end_group(&mut turn, true).await {
                    tracing::error!(error = %e, "An SQLite group commit failed; its writers were told.");
                }
                Ok(WriteTurn(Some(turn)))
            }
            Self::Postgres(_) => Ok(WriteTurn(None)),
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await?;
        });
        Ok(())
    }

    /// Refreshes the query planner's statistics of every table (`ANALYZE`). After a bulk
    /// load the planner would otherwise plan on the statistics of near-empty tables (on
    /// PostgreSQL only autovacuum refreshes them, and it may be off; SQLite has none until
    /// asked): measured on the demo office on PostgreSQL, the incoming list took 36 ms
    /// through a bitmap scan and sort, and 14 ms once analysed.
    ///
    /// On PostgreSQL also `VACUUM`, which marks the loaded pages visible to every
    /// transaction: until then an index-only scan still reads each row from the table
    /// (migration 0019's indexes of open work count 160,000 open assignments in 27 ms from
    /// the index alone, 284 ms reading the rows). Autovacuum does it later, when it is on.
    pub async fn refresh_statistics(&self) -> StoreResult<()> {
        match self {
            Self::Sqlite(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
            Self::Postgres(pool) => {
                sqlx::query("VACUUM (ANALYZE)").execute(pool).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> StoreResult<()> {
        match self {
            Self::Sqlite(tx) => tx.rollback().await?,
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
