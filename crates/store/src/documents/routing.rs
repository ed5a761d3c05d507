//! Routing and handling: the leader's instruction with lead, coordinating and informed
//! units; the unit leader's choice of handler; progress notes; finishing, returning,
//! extending and reassigning, each with its reason where the decree wants one.

use super::incoming::notify;
use super::{get_in_tx, Document};
use crate::audit::{self, Change, Origin};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use vanphong_core::document::routing::{
    check_routing, incoming_status_from, next_status, AssignmentRole, AssignmentStatus,
    AssignmentStep, IncomingStatus,
};
use vanphong_core::ids::{UnitId, UserId};

/// One unit's part in a leader's routing.
#[derive(Clone, Debug)]
pub struct RoutingPart {
    pub unit: UnitId,
    pub role: AssignmentRole,
    pub due_date: Option<NaiveDate>,
}

/// An assignment as shown on the document page and in inboxes.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Assignment {
    pub id: i64,
    pub document_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub role: String,
    pub status: String,
    pub instruction: String,
    pub due_date: Option<NaiveDate>,
    pub handler_user_id: Option<i64>,
    pub handler_name: Option<String>,
    pub assigned_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub result: String,
    pub reply_document_id: Option<i64>,
    pub last_progress_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Assignment {
    pub fn status(&self) -> AssignmentStatus {
        AssignmentStatus::parse(&self.status).unwrap_or(AssignmentStatus::Assigned)
    }

    pub fn role(&self) -> AssignmentRole {
        AssignmentRole::parse(&self.role).unwrap_or(AssignmentRole::ForInformation)
    }
}

const ASSIGNMENT_SELECT: &str = "SELECT a.id, a.document_id, a.unit_id, un.name AS unit_name, a.role, a.status, a.instruction, \
    a.due_date, a.handler_user_id, hu.full_name AS handler_name, a.assigned_at, a.finished_at, a.result, a.reply_document_id, \
    a.last_progress_at, a.version FROM assignments a JOIN units un ON un.id = a.unit_id \
    LEFT JOIN users hu ON hu.id = a.handler_user_id";

/// The assignments of a document: the routing tree's branches, lead first.
pub async fn assignments(db: &Db, document_id: i64) -> StoreResult<Vec<Assignment>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(&format!(
            "{ASSIGNMENT_SELECT} WHERE a.document_id = $1 ORDER BY CASE a.role WHEN 'lead' THEN 0 WHEN 'coordinating' THEN 1 ELSE 2 END, a.id"
        ))
        .bind(document_id)
        .fetch_all(pool)
        .await?
    }))
}

pub async fn assignment(db: &Db, id: i64) -> StoreResult<Assignment> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(&format!("{ASSIGNMENT_SELECT} WHERE a.id = $1")).bind(id).fetch_one(pool).await?
    }))
}

async fn assignment_in_tx(tx: &mut Tx, id: i64) -> StoreResult<Assignment> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_as(&format!("{ASSIGNMENT_SELECT} WHERE a.id = $1")).bind(id).fetch_one(&mut *conn).await?
    }))
}

/// A progress note.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ProgressNote {
    pub id: i64,
    pub assignment_id: i64,
    pub user_name: String,
    pub note: String,
    pub percent: Option<i64>,
    pub created_at: DateTime<Utc>,
}

pub async fn progress_notes(db: &Db, document_id: i64) -> StoreResult<Vec<ProgressNote>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT p.id, p.assignment_id, u.full_name AS user_name, p.note, p.percent, p.created_at FROM progress_notes p \
             JOIN assignments a ON a.id = p.assignment_id JOIN users u ON u.id = p.user_id \
             WHERE a.document_id = $1 ORDER BY p.id",
        )
        .bind(document_id)
        .fetch_all(pool)
        .await?
    }))
}

/// Users holding the unit-leader role in `unit`: they are told of new assignments.
async fn unit_leaders(tx: &mut Tx, unit: UnitId) -> StoreResult<Vec<i64>> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_scalar(
            "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE u.unit_id = $1 AND r.role = 'unit_leader' AND NOT u.disabled",
        )
        .bind(unit.0)
        .fetch_all(&mut *conn)
        .await?
    }))
}

/// Brings the document's overall status in line with its assignments.
async fn refresh_document_status(tx: &mut Tx, document_id: i64) -> StoreResult<()> {
    let document = get_in_tx(tx, document_id).await?;
    let rows: Vec<(String, String)> = on_tx!(tx, conn => {
        sqlx::query_as("SELECT role, status FROM assignments WHERE document_id = $1")
            .bind(document_id)
            .fetch_all(&mut *conn)
            .await?
    });
    let parts: Vec<_> = rows
        .iter()
        .filter_map(|(r, s)| Some((AssignmentRole::parse(r)?, AssignmentStatus::parse(s)?)))
        .collect();
    let current = IncomingStatus::parse(&document.status).unwrap_or(IncomingStatus::Registered);
    let next = incoming_status_from(current, &parts);
    if next != current {
        on_tx!(tx, conn => {
            sqlx::query("UPDATE documents SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(next.code())
                .bind(crate::now())
                .bind(document_id)
                .execute(&mut *conn)
                .await?;
        });
    }
    Ok(())
}

/// The leader's instruction: refuses unless the document still has `expected_version`
/// (another leader may have routed it a moment ago).
pub async fn route(
    db: &Db,
    origin: &Origin,
    document_id: i64,
    expected_version: i64,
    instruction: &str,
    parts: &[RoutingPart],
) -> StoreResult<Document> {
    let units: Vec<(UnitId, AssignmentRole)> = parts.iter().map(|p| (p.unit, p.role)).collect();
    check_routing(&units).map_err(|e| StoreError::Invalid(format!("routing: {e}")))?;
    let mut tx = db.begin().await?;
    let before = get_in_tx(&mut tx, document_id).await?;
    if before.version != expected_version {
        return Err(StoreError::Stale);
    }
    if !before.is_incoming()
        || !matches!(
            IncomingStatus::parse(&before.status),
            Some(IncomingStatus::Registered | IncomingStatus::AwaitingInstruction)
        )
    {
        return Err(StoreError::Invalid("not_routable".into()));
    }
    let start = before
        .arrival_date
        .unwrap_or_else(|| crate::now().date_naive());
    if parts.iter().any(|p| p.due_date.is_some_and(|d| d < start)) {
        return Err(StoreError::Invalid("due_before_arrival".into()));
    }
    // Taking the document's version first makes a concurrent routing fail here, not after
    // it has written its assignments.
    let now = crate::now();
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE documents SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(IncomingStatus::InProgress.code())
            .bind(now)
            .bind(document_id)
            .bind(expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    // Assignments from an earlier routing that the lead unit returned are closed already;
    // a unit assigned again gets a fresh assignment.
    for part in parts {
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO assignments (document_id, unit_id, role, status, instruction, due_date, assigned_by, assigned_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(document_id)
            .bind(part.unit.0)
            .bind(part.role.code())
            .bind(AssignmentStatus::Assigned.code())
            .bind(instruction)
            .bind(part.due_date)
            .bind(origin.user_id.map(|u| u.0))
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(|e| match StoreError::from(e) {
                e if e.is_foreign_key_violation() => StoreError::Invalid("unknown_unit".into()),
                other => other,
            })?;
        });
        // Every unit named, informed ones included, hears of it through its leaders.
        for leader in unit_leaders(&mut tx, part.unit).await? {
            let title = format!(
                "{} — {}",
                before.number_symbol.as_deref().unwrap_or(""),
                before.subject
            );
            notify(
                &mut tx,
                UserId(leader),
                "document.assigned",
                &title,
                document_id,
            )
            .await?;
        }
    }
    let lead_due = parts
        .iter()
        .find(|p| p.role == AssignmentRole::Lead)
        .and_then(|p| p.due_date);
    if lead_due.is_some() && before.due_date.is_none() {
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE documents SET due_date = $1 WHERE id = $2").bind(lead_due).bind(document_id).execute(&mut *conn).await?;
        });
    }
    let after = get_in_tx(&mut tx, document_id).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "document.route",
            object_kind: "document",
            object_id: document_id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({"instruction": instruction, "parts": parts.iter().map(|p| json!({"unit_id": p.unit.0, "role": p.role.code(), "due_date": p.due_date})).collect::<Vec<_>>()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A step on one assignment, with what it needs.
#[derive(Clone, Debug)]
pub enum Step {
    NameHandler {
        handler: UserId,
    },
    Reassign {
        handler: UserId,
        reason: String,
    },
    ReportProgress {
        note: String,
        percent: Option<i64>,
    },
    Finish {
        result: String,
        reply_document_id: Option<i64>,
    },
    Return {
        reason: String,
    },
    ExtendDueDate {
        due_date: NaiveDate,
        reason: String,
    },
}

impl Step {
    fn core(&self) -> AssignmentStep {
        match self {
            Self::NameHandler { .. } => AssignmentStep::NameHandler,
            Self::Reassign { .. } => AssignmentStep::Reassign,
            Self::ReportProgress { .. } => AssignmentStep::ReportProgress,
            Self::Finish { .. } => AssignmentStep::Finish,
            Self::Return { .. } => AssignmentStep::Return,
            Self::ExtendDueDate { .. } => AssignmentStep::ExtendDueDate,
        }
    }

    fn action(&self) -> &'static str {
        match self {
            Self::NameHandler { .. } => "assignment.name_handler",
            Self::Reassign { .. } => "assignment.reassign",
            Self::ReportProgress { .. } => "assignment.progress",
            Self::Finish { .. } => "assignment.finish",
            Self::Return { .. } => "assignment.return",
            Self::ExtendDueDate { .. } => "assignment.extend",
        }
    }
}

/// Applies a step to an assignment if nobody changed it since `expected_version`.
pub async fn apply(
    db: &Db,
    origin: &Origin,
    assignment_id: i64,
    expected_version: i64,
    step: Step,
) -> StoreResult<Assignment> {
    let reason = match &step {
        Step::Reassign { reason, .. }
        | Step::Return { reason }
        | Step::ExtendDueDate { reason, .. } => Some(reason),
        _ => None,
    };
    if reason.is_some_and(|r| r.trim().is_empty()) {
        return Err(StoreError::Invalid("reason_required".into()));
    }
    let mut tx = db.begin().await?;
    let before = assignment_in_tx(&mut tx, assignment_id).await?;
    if before.version != expected_version {
        return Err(StoreError::Stale);
    }
    let next = next_status(before.status(), step.core())
        .map_err(|_| StoreError::Invalid("invalid_step".into()))?;
    let now = crate::now();
    on_tx!(&mut tx, conn => {
        match &step {
            Step::NameHandler { handler } | Step::Reassign { handler, .. } => {
                sqlx::query("UPDATE assignments SET handler_user_id = $1 WHERE id = $2").bind(handler.0).bind(assignment_id).execute(&mut *conn).await?;
            }
            Step::ReportProgress { note, percent } => {
                sqlx::query("INSERT INTO progress_notes (assignment_id, user_id, note, percent, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(assignment_id)
                    .bind(origin.user_id.map(|u| u.0).unwrap_or_default())
                    .bind(note)
                    .bind(percent)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("UPDATE assignments SET last_progress_at = $1 WHERE id = $2").bind(now).bind(assignment_id).execute(&mut *conn).await?;
            }
            Step::Finish { result, reply_document_id } => {
                sqlx::query("UPDATE assignments SET finished_at = $1, result = $2, reply_document_id = $3 WHERE id = $4")
                    .bind(now)
                    .bind(result)
                    .bind(reply_document_id)
                    .bind(assignment_id)
                    .execute(&mut *conn)
                    .await?;
            }
            Step::Return { reason } => {
                sqlx::query("UPDATE assignments SET finished_at = $1, result = $2 WHERE id = $3")
                    .bind(now)
                    .bind(reason)
                    .bind(assignment_id)
                    .execute(&mut *conn)
                    .await?;
            }
            Step::ExtendDueDate { due_date, .. } => {
                sqlx::query("UPDATE assignments SET due_date = $1 WHERE id = $2").bind(due_date).bind(assignment_id).execute(&mut *conn).await?;
            }
        }
        let changed = sqlx::query("UPDATE assignments SET status = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(next.code())
            .bind(assignment_id)
            .bind(expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::Stale);
        }
    });
    if let Step::Finish {
        reply_document_id: Some(reply),
        ..
    } = &step
    {
        super::link(&mut tx, *reply, before.document_id, "reply_to").await?;
    }
    if let Step::NameHandler { handler } | Step::Reassign { handler, .. } = &step {
        notify(
            &mut tx,
            *handler,
            "document.handler_named",
            &format!("Được giao xử lý văn bản #{}", before.document_id),
            before.document_id,
        )
        .await?;
    }
    refresh_document_status(&mut tx, before.document_id).await?;
    let after = assignment_in_tx(&mut tx, assignment_id).await?;
    let details = match &step {
        Step::NameHandler { handler } => json!({"handler_user_id": handler.0}),
        Step::Reassign { handler, reason } => {
            json!({"handler_user_id": handler.0, "reason": reason})
        }
        Step::ReportProgress { note, percent } => json!({"note": note, "percent": percent}),
        Step::Finish {
            result,
            reply_document_id,
        } => json!({"result": result, "reply_document_id": reply_document_id}),
        Step::Return { reason } => json!({"reason": reason}),
        Step::ExtendDueDate { due_date, reason } => json!({"due_date": due_date, "reason": reason}),
    };
    audit::append(
        &mut tx,
        origin,
        Change {
            action: step.action(),
            object_kind: "document",
            object_id: before.document_id.to_string(),
            before: Some(json!({"assignment_id": before.id, "status": before.status, "handler": before.handler_user_id, "due_date": before.due_date})),
            after: Some(json!({"assignment_id": after.id, "status": after.status, "handler": after.handler_user_id, "due_date": after.due_date})),
            details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
