//! Write transactions under concurrency: on SQLite the writers that queue share one
//! transaction (group commit); each must still commit or vanish alone, and what a commit
//! reports must be visible at once to every other connection.

use super::*;
use vanphong_store::Tx;

/// Claims `key` of job `"tx-test"` inside `tx`.
async fn claim_in(tx: &mut Tx, key: &str) {
    let sql = "INSERT INTO job_runs (job, run_key, claimed_at) VALUES ('tx-test', $1, $2)";
    let now = chrono::Utc::now();
    match tx {
        Tx::Sqlite(t) => {
            sqlx::query(sql)
                .bind(key)
                .bind(now)
                .execute(&mut **t)
                .await
                .unwrap();
        }
        Tx::Postgres(t) => {
            sqlx::query(sql)
                .bind(key)
                .bind(now)
                .execute(&mut **t)
                .await
                .unwrap();
        }
    }
}

async fn claimed(db: &vanphong_store::Db, key: &str) -> bool {
    let sql = "SELECT COUNT(*) FROM job_runs WHERE job = 'tx-test' AND run_key = $1";
    let n: i64 = match db {
        vanphong_store::Db::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(key)
            .fetch_one(pool)
            .await
            .unwrap(),
        vanphong_store::Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(key)
            .fetch_one(pool)
            .await
            .unwrap(),
    };
    n == 1
}

async fn concurrent_writers_commit_or_vanish_each_alone(backend: Backend) {
    let t = TestDb::new(backend).await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let key = format!("k{i}");
            let mut tx = db.begin().await.unwrap();
            claim_in(&mut tx, &key).await;
            // Give the others time to queue behind this writer.
            tokio::task::yield_now().await;
            match i % 6 {
                // Dropped half-way, as an error returned with `?` does.
                0 => drop(tx),
                1 => tx.rollback().await.unwrap(),
                _ => {
                    tx.commit().await.unwrap();
                    // Visible to every connection as soon as commit returns.
                    assert!(claimed(&db, &key).await, "{key} committed but not visible");
                }
            }
            (i, key)
        }));
    }
    for task in tasks {
        let (i, key) = task.await.unwrap();
        assert_eq!(claimed(&t.db, &key).await, i % 6 > 1, "{key}");
    }
    // A writer after the crowd works as usual, and a single statement outside any
    // transaction gets its turn.
    let mut tx = t.db.begin().await.unwrap();
    claim_in(&mut tx, "last").await;
    tx.commit().await.unwrap();
    assert!(jobs::claim(&t.db, "tx-test-single", "one").await.unwrap());
    assert!(claimed(&t.db, "last").await);
}

/// A failed statement inside a member rolls back that member only, even when it is in a
/// group with committed members.
async fn a_failed_statement_undoes_only_its_own_writer(backend: Backend) {
    let t = TestDb::new(backend).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            claim_in(&mut tx, &format!("f{i}")).await;
            if i % 4 == 0 {
                // The same key again: the primary key refuses it, the caller gives up.
                let sql =
                    "INSERT INTO job_runs (job, run_key, claimed_at) VALUES ('tx-test', $1, $2)";
                let refused = match &mut tx {
                    Tx::Sqlite(c) => sqlx::query(sql)
                        .bind(format!("f{i}"))
                        .bind(chrono::Utc::now())
                        .execute(&mut **c)
                        .await
                        .is_err(),
                    Tx::Postgres(c) => sqlx::query(sql)
                        .bind(format!("f{i}"))
                        .bind(chrono::Utc::now())
                        .execute(&mut **c)
                        .await
                        .is_err(),
                };
                assert!(refused);
                drop(tx);
            } else {
                tx.commit().await.unwrap();
            }
            i
        }));
    }
    for task in tasks {
        let i = task.await.unwrap();
        assert_eq!(claimed(&t.db, &format!("f{i}")).await, i % 4 != 0, "f{i}");
    }
}

on_both_backends!(
    concurrent_writers_commit_or_vanish_each_alone,
    a_failed_statement_undoes_only_its_own_writer,
);
