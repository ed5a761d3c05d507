//! Test helpers: every storage test runs on a fresh SQLite file and on a fresh PostgreSQL
//! database. PostgreSQL is found at `VANPHONG_TEST_POSTGRES_URL` (default: the machine's
//! `postgres://postgres@127.0.0.1:5432/postgres`); if it does not answer, the test fails.

pub mod s3;

use crate::db::{Backend, Db, PoolSettings};
use sqlx::Connection;

/// The server used to create and drop per-test PostgreSQL databases.
pub fn postgres_admin_url() -> String {
    std::env::var("VANPHONG_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh, migrated database that disappears when the value is dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pub backend: Backend,
    /// Holds the SQLite file and a place for blobs and other files of the test.
    pub dir: tempfile::TempDir,
    postgres_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for the test");
        let (url, postgres_name) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("test.db").display()),
                None,
            ),
            Backend::Postgres => {
                let name = format!("vp_test_{}", uuid::Uuid::new_v4().simple());
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL must be running for the tests ({admin}): {e}")
                    });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("creating a test database");
                let _ = conn.close().await;
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_owned())
                    .unwrap_or(admin);
                (format!("{base}/{name}"), Some(name))
            }
        };
        let settings = PoolSettings {
            max_connections: 8,
            ..PoolSettings::default()
        };
        let db = Db::open(&url, &settings)
            .await
            .expect("opening the test database");
        Self {
            db,
            url,
            backend,
            dir,
            postgres_name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        let db = self.db.clone();
        // Drop is synchronous; a short-lived runtime on another thread does the async work.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                db.close().await;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Declares tests that run once per backend. Each name must be an `async fn(Backend)` in
/// scope; the tests are `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        )*
    };
}
