//! `migrate-data` moves an office from the embedded SQLite database and file folder to
//! PostgreSQL and an S3 bucket (a real moto server), verifies every table and file, and the
//! office then runs on the cluster; a target that already holds an office is refused.
//! This test always uses both backends: SQLite is the source, PostgreSQL the target.

use crate::Installation;
use vanphong_store::testing::s3::S3Server;
use vanphong_store::testing::TestDb;
use vanphong_store::Backend;

#[tokio::test(flavor = "multi_thread")]
async fn an_office_moves_from_sqlite_to_postgres_and_s3_and_is_verified() {
    let s3 = S3Server::start().await;
    s3.create_bucket("moved-office").await;
    let office = Installation::empty_with_embedded_default(Backend::Sqlite).await;
    office
        .run(&["demo", "--no-serve", "--scale", "0.02"])
        .expect_success();
    // A file of the office, uploaded as a clerk would.
    let source = office.database().await;
    let files_before = vanphong_store::migrate_data::recorded_blobs(&source)
        .await
        .unwrap();
    assert!(!files_before.is_empty(), "the demo office has files");
    let target = TestDb::new(Backend::Postgres).await;

    let mut command = office.command(&[
        "migrate-data",
        "--to",
        &target.url,
        "--blobs-to",
        "s3://moved-office",
    ]);
    command
        .env("AWS_ENDPOINT_URL", s3.endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ALLOW_HTTP", "true");
    let moved = crate::run(command);
    moved
        .expect_success()
        .expect_stdout("Every table has the same rows and checksum in both databases.")
        .expect_stdout("Done: the office now runs on");
    assert!(!moved.stdout.contains("MISMATCH"), "{moved}");

    // The same people, documents and trail, now on PostgreSQL.
    let count = |sql: &'static str| {
        let (source, target) = (source.clone(), target.db.clone());
        async move {
            let a: i64 = match &source {
                vanphong_store::Db::Sqlite(p) => {
                    sqlx::query_scalar(sql).fetch_one(p).await.unwrap()
                }
                _ => unreachable!(),
            };
            let b: i64 = match &target {
                vanphong_store::Db::Postgres(p) => {
                    sqlx::query_scalar(sql).fetch_one(p).await.unwrap()
                }
                _ => unreachable!(),
            };
            (a, b)
        }
    };
    for sql in [
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM documents",
        "SELECT COUNT(*) FROM assignments",
        "SELECT COUNT(*) FROM audit_events",
        "SELECT COUNT(*) FROM document_access",
    ] {
        let (a, b) = count(sql).await;
        assert!(a > 0, "{sql}: the demo office has some");
        assert_eq!(a, b, "{sql}");
    }
    // The verification sees a change made behind its back.
    let plan = vanphong_store::migrate_data::plan(&source, &target.db)
        .await
        .unwrap();
    let users = plan.tables.iter().find(|t| t.name == "users").unwrap();
    let check = vanphong_store::migrate_data::verify_table(&source, &target.db, users)
        .await
        .unwrap();
    assert!(check.matches(), "{check:?}");
    let vanphong_store::Db::Postgres(pool) = &target.db else {
        unreachable!()
    };
    sqlx::query("UPDATE users SET full_name = 'Ai Đó' WHERE username = 'vanthu'")
        .execute(pool)
        .await
        .unwrap();
    let check = vanphong_store::migrate_data::verify_table(&source, &target.db, users)
        .await
        .unwrap();
    assert!(!check.matches(), "{check:?}");

    let target_storage = crate::Storage {
        data_dir: office.scratch_dir().join("cluster-node"),
        database_url: Some(target.url.clone()),
    };
    target_storage.verify_audit_trail().expect_success();
    // The search index, which each database builds its own way, was built on the target.
    target_storage.run(&["search", "verify"]).expect_success();
    // New rows continue after the copied ids.
    target_storage
        .add_user("moi", "Người Mới", "specialist", "mat-khau-du-dai-2026")
        .expect_success();
    let mut expected: Vec<String> = files_before
        .iter()
        .map(|s| crate::cluster::blob_key(s))
        .collect();
    expected.sort();
    assert_eq!(
        s3.keys("moved-office").await,
        expected,
        "every file is in the bucket"
    );

    // A second move into the same database is refused: it already holds an office.
    let mut again = office.command(&["migrate-data", "--to", &target.url]);
    again.env("NO_COLOR", "1");
    crate::run(again)
        .expect_clean_failure()
        .expect_stderr("already holds an office");
}
