//! Scheduled jobs that must run once per period however many nodes are up: a node claims
//! the (job, run key) pair by inserting it; the primary key lets exactly one insert win.
//! A claim is a lease: a node killed while it holds one never finishes nor gives it back,
//! so a claim left unfinished for [`LEASE`] may be taken over by the next node that asks
//! (the jobs are safe to run again: reminders are keyed per day and recipient, and the
//! report archive refuses a second scheduled report of a period).

use crate::db::Db;
use crate::error::StoreResult;

/// How long an unfinished claim holds before another node may take the run over: longer
/// than any run takes (a day's reminders at ten million documents take about a minute).
pub const LEASE: chrono::Duration = chrono::Duration::minutes(30);

/// Claims the run `run_key` (for example a date) of `job`. True for the one caller that
/// should do the work: the first to ask, or the first after a claim left unfinished
/// for [`LEASE`] (its node died). A finished run is never claimed again.
pub async fn claim(db: &Db, job: &str, run_key: &str) -> StoreResult<bool> {
    let now = crate::now();
    let _turn = db.write_turn().await?;
    let inserted = on_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO job_runs (job, run_key, claimed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (job, run_key) DO UPDATE SET claimed_at = excluded.claimed_at \
             WHERE job_runs.finished_at IS NULL AND job_runs.claimed_at < $4",
        )
        .bind(job)
        .bind(run_key)
        .bind(now)
        .bind(now - LEASE)
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
