//! The tasks of a conclusion notice: each with a unit and a due date, done or not.

use crate::audit::{self, Change, Origin};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use vanphong_core::ids::UnitId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub document_id: i64,
    pub description: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
}

pub async fn list(db: &Db, document_id: i64) -> StoreResult<Vec<Task>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT t.id, t.document_id, t.description, t.unit_id, u.name AS unit_name, t.due_date, t.done_at \
             FROM conclusion_tasks t LEFT JOIN units u ON u.id = t.unit_id WHERE t.document_id = $1 ORDER BY t.id",
        )
        .bind(document_id)
        .fetch_all(pool)
        .await?
    }))
}

/// Adds a task to a conclusion notice.
pub async fn add(
    db: &Db,
    origin: &Origin,
    document_id: i64,
    description: &str,
    unit: Option<UnitId>,
    due_date: Option<NaiveDate>,
) -> StoreResult<i64> {
    let document = super::get(db, document_id).await?;
    if document.kind != "conclusion_notice" {
        return Err(StoreError::Invalid("not_a_conclusion_notice".into()));
    }
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO conclusion_tasks (document_id, description, unit_id, due_date, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(document_id)
        .bind(description)
        .bind(unit.map(|u| u.0))
        .bind(due_date)
        .bind(crate::now())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match StoreError::from(e) {
            e if e.is_foreign_key_violation() => StoreError::Invalid("unknown_unit".into()),
            other => other,
        })?
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "conclusion_task.add",
            object_kind: "document",
            object_id: document_id.to_string(),
            before: None,
            after: Some(json!({"task_id": id, "description": description, "unit_id": unit.map(|u| u.0), "due_date": due_date})),
            details: json!({"task_id": id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks a task done (once).
pub async fn complete(db: &Db, origin: &Origin, task_id: i64) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let document_id: Option<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("UPDATE conclusion_tasks SET done_at = $1 WHERE id = $2 AND done_at IS NULL RETURNING document_id")
            .bind(crate::now())
            .bind(task_id)
            .fetch_optional(&mut *conn)
            .await?
    });
    let Some(document_id) = document_id else {
        return Err(StoreError::Invalid("task_done_or_missing".into()));
    };
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "conclusion_task.complete",
            object_kind: "document",
            object_id: document_id.to_string(),
            before: None,
            after: None,
            details: json!({"task_id": task_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The document a task belongs to.
pub async fn document_of(db: &Db, task_id: i64) -> StoreResult<i64> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar("SELECT document_id FROM conclusion_tasks WHERE id = $1").bind(task_id).fetch_one(pool).await?
    }))
}
