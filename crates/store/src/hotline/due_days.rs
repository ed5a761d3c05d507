//! The working days new hotline cases get, as an administrator set them: one figure for
//! every kind and the kinds that differ. Kept in `hotline_due_days` (kind `*` for every
//! kind); without rows the built-in figure holds. Every change is audited.

use crate::audit::{self, Change, Origin};
use crate::db::Db;
use crate::error::StoreResult;
use serde_json::json;
use vanphong_core::hotline::{DueDays, PollutionKind};

/// The kind column's value for the figure that holds for every kind.
const EVERY_KIND: &str = "*";

fn snapshot(days: &DueDays) -> serde_json::Value {
    let per_kind: serde_json::Map<String, serde_json::Value> = days
        .per_kind
        .iter()
        .map(|(k, d)| (k.code().to_owned(), json!(d)))
        .collect();
    json!({"default": days.default, "per_kind": per_kind})
}

fn from_rows(rows: Vec<(String, i64)>) -> DueDays {
    let mut days = DueDays::default();
    for (kind, working_days) in rows {
        let working_days = working_days as i32;
        if kind == EVERY_KIND {
            days.default = working_days;
        } else if let Ok(kind) = PollutionKind::parse(&kind) {
            days.per_kind.insert(kind, working_days);
        }
    }
    days
}

/// The figures in force.
pub async fn load(db: &Db) -> StoreResult<DueDays> {
    let rows: Vec<(String, i64)> = on_pool!(db, pool => {
        sqlx::query_as("SELECT kind, working_days FROM hotline_due_days ORDER BY kind")
            .fetch_all(pool)
            .await?
    });
    Ok(from_rows(rows))
}

/// Replaces the figures (already checked against the allowed range by the caller; the
/// table's constraint refuses anything else), with the audit event, in one transaction.
/// Cases already open keep their due dates.
pub async fn save(db: &Db, origin: &Origin, days: &DueDays) -> StoreResult<DueDays> {
    let mut tx = db.begin().await?;
    let rows: Vec<(String, i64)> = on_tx!(&mut tx, conn => {
        sqlx::query_as("SELECT kind, working_days FROM hotline_due_days ORDER BY kind")
            .fetch_all(&mut *conn)
            .await?
    });
    let before = from_rows(rows);
    on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM hotline_due_days").execute(&mut *conn).await?;
    });
    let mut rows = vec![(EVERY_KIND.to_owned(), days.default)];
    rows.extend(days.per_kind.iter().map(|(k, d)| (k.code().to_owned(), *d)));
    for (kind, working_days) in &rows {
        on_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO hotline_due_days (kind, working_days) VALUES ($1, $2)")
                .bind(kind)
                .bind(i64::from(*working_days))
                .execute(&mut *conn)
                .await?;
        });
    }
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "hotline.due_days",
            object_kind: "hotline_settings",
            object_id: "due_days".into(),
            before: Some(snapshot(&before)),
            after: Some(snapshot(days)),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(days.clone())
}
