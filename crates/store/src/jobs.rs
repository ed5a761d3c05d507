//! Scheduled jobs that must run once per period however many nodes are up: a node claims
//! the (job, run key) pair by inserting it; the primary key lets exactly one insert win.

use crate::db::Db;
use crate::error::StoreResult;

/// Claims the run `run_key` (for example a date) of `job`. True for the one caller that
/// should do the work.
pub async fn claim(db: &Db, job: &str, run_key: &str) -> StoreResult<bool> {
    let _turn = db.write_turn().await?;
    let inserted = on_pool!(db, pool => {
        sqlx::query("INSERT INTO job_runs (job, run_key, claimed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(job)
            .bind(run_key)
            .bind(crate::now())
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(inserted == 1)
}

/// Records that a claimed run finished.
pub async fn finish(db: &Db, job: &str, run_key: &str) -> StoreResult<()> {
    let _turn = db.write_turn().await?;
    on_pool!(db, pool => {
        sqlx::query("UPDATE job_runs SET finished_at = $1 WHERE job = $2 AND run_key = $3")
            .bind(crate::now())
            .bind(job)
            .bind(run_key)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Gives back a claimed run that failed before it finished, so the next attempt (on any
/// node) claims it again. A finished run is never given back.
pub async fn release(db: &Db, job: &str, run_key: &str) -> StoreResult<()> {
    let _turn = db.write_turn().await?;
    on_pool!(db, pool => {
        sqlx::query("DELETE FROM job_runs WHERE job = $1 AND run_key = $2 AND finished_at IS NULL")
            .bind(job)
            .bind(run_key)
            .execute(pool)
            .await?;
    });
    Ok(())
}
