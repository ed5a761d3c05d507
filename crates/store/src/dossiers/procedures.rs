//! The procedure catalogue: entries with their versions, each made by a decision that
//! announced, amended or abolished the procedure; and the import of a whole catalogue.

use crate::audit::{self, Change, Origin};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use vanphong_core::dossier::{Component, ProcedureChange, ProcedureContent, ProcedureLevel};
use vanphong_core::ids::UnitId;

/// A catalogue entry with its current version's content.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Procedure {
    pub id: i64,
    pub code: String,
    pub abolished: bool,
    pub handling_unit_id: Option<i64>,
    pub version: i64,
    pub current_version_id: i64,
    pub name: String,
    pub field: String,
    pub level: String,
    pub processing_days: i64,
    pub fee: i64,
    pub decision: String,
    pub decision_date: NaiveDate,
}

/// One version of an entry.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ProcedureVersion {
    pub id: i64,
    pub procedure_id: i64,
    pub seq: i64,
    pub change: String,
    pub decision: String,
    pub decision_date: NaiveDate,
    pub name: String,
    pub field: String,
    pub level: String,
    pub steps: String,
    pub components: String,
    pub processing_days: i64,
    pub applicants: String,
    pub implementing_agency: String,
    pub result: String,
    pub fee: i64,
    pub fee_note: String,
    pub created_at: DateTime<Utc>,
}

impl ProcedureVersion {
    pub fn components(&self) -> Vec<Component> {
        components_from_json(&self.components)
    }

    pub fn change(&self) -> ProcedureChange {
        ProcedureChange::parse(&self.change).unwrap_or(ProcedureChange::Amended)
    }

    pub fn content(&self) -> ProcedureContent {
        ProcedureContent {
            name: self.name.clone(),
            field: self.field.clone(),
            level: ProcedureLevel::parse(&self.level).unwrap_or(ProcedureLevel::Central),
            steps: self.steps.clone(),
            components: self.components(),
            processing_days: self.processing_days as i32,
            applicants: self.applicants.clone(),
            implementing_agency: self.implementing_agency.clone(),
            result: self.result.clone(),
            fee: self.fee,
            fee_note: self.fee_note.clone(),
        }
    }
}

pub(crate) fn components_from_json(text: &str) -> Vec<Component> {
    serde_json::from_str::<Vec<serde_json::Value>>(text)
        .unwrap_or_default()
        .into_iter()
        .map(|v| Component {
            name: v["name"].as_str().unwrap_or_default().to_owned(),
            form: v["form"].as_str().unwrap_or_default().to_owned(),
            required: v["required"].as_bool().unwrap_or(true),
        })
        .collect()
}

fn components_json(components: &[Component]) -> String {
    serde_json::Value::Array(
        components
            .iter()
            .map(|c| json!({"name": c.name, "form": c.form, "required": c.required}))
            .collect(),
    )
    .to_string()
}

/// The decision that made a version (`1756/QĐ-BTNMT` of 17/12/2020).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub number: String,
    pub date: NaiveDate,
}

const PROCEDURE_COLUMNS: &str =
    "p.id, p.code, p.abolished, p.handling_unit_id, p.version, p.current_version_id, \
    v.name, v.field, v.level, v.processing_days, v.fee, v.decision, v.decision_date";
const VERSION_COLUMNS: &str = "id, procedure_id, seq, change, decision, decision_date, name, field, level, steps, \
    components, processing_days, applicants, implementing_agency, result, fee, fee_note, created_at";

/// The catalogue, in code order; abolished entries only when asked for.
pub async fn list(db: &Db, include_abolished: bool) -> StoreResult<Vec<Procedure>> {
    let sql = format!(
        "SELECT {PROCEDURE_COLUMNS} FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id \
         WHERE ($1 OR p.abolished = FALSE) ORDER BY p.code"
    );
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(include_abolished).fetch_all(pool).await?))
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Procedure> {
    let sql = format!(
        "SELECT {PROCEDURE_COLUMNS} FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id WHERE p.id = $1"
    );
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await?))
}

pub async fn by_code(db: &Db, code: &str) -> StoreResult<Option<Procedure>> {
    let sql = format!(
        "SELECT {PROCEDURE_COLUMNS} FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id WHERE p.code = $1"
    );
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(code).fetch_optional(pool).await?))
}

pub(crate) async fn get_in_tx(tx: &mut Tx, id: i64) -> StoreResult<Procedure> {
    let sql = format!(
        "SELECT {PROCEDURE_COLUMNS} FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id WHERE p.id = $1"
    );
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql).bind(id).fetch_one(&mut *conn).await?))
}

/// Every version of an entry, oldest first.
pub async fn versions(db: &Db, procedure_id: i64) -> StoreResult<Vec<ProcedureVersion>> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM procedure_versions WHERE procedure_id = $1 ORDER BY seq"
    );
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(procedure_id).fetch_all(pool).await?))
}

pub async fn version(db: &Db, version_id: i64) -> StoreResult<ProcedureVersion> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM procedure_versions WHERE id = $1");
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(version_id).fetch_one(pool).await?))
}

pub(crate) async fn version_in_tx(tx: &mut Tx, version_id: i64) -> StoreResult<ProcedureVersion> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM procedure_versions WHERE id = $1");
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql).bind(version_id).fetch_one(&mut *conn).await?))
}

async fn insert_version(
    tx: &mut Tx,
    procedure_id: i64,
    seq: i64,
    change: ProcedureChange,
    content: &ProcedureContent,
    decision: &Decision,
) -> StoreResult<i64> {
    let id: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO procedure_versions (procedure_id, seq, change, decision, decision_date, name, field, level, steps, \
             components, processing_days, applicants, implementing_agency, result, fee, fee_note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
        )
        .bind(procedure_id)
        .bind(seq)
        .bind(change.code())
        .bind(&decision.number)
        .bind(decision.date)
        .bind(&content.name)
        .bind(&content.field)
        .bind(content.level.code())
        .bind(&content.steps)
        .bind(components_json(&content.components))
        .bind(i64::from(content.processing_days))
        .bind(&content.applicants)
        .bind(&content.implementing_agency)
        .bind(&content.result)
        .bind(content.fee)
        .bind(&content.fee_note)
        .bind(crate::now())
        .fetch_one(&mut *conn)
        .await?
    });
    Ok(id)
}

fn snapshot(
    code: &str,
    handling_unit: Option<UnitId>,
    content: &ProcedureContent,
    decision: &Decision,
) -> serde_json::Value {
    json!({"code": code, "handling_unit_id": handling_unit.map(|u| u.0), "name": content.name, "field": content.field,
           "level": content.level.code(), "steps": content.steps, "components": components_json(&content.components),
           "processing_days": content.processing_days, "applicants": content.applicants,
           "implementing_agency": content.implementing_agency, "result": content.result, "fee": content.fee,
           "fee_note": content.fee_note, "decision": decision.number, "decision_date": decision.date})
}

/// A new catalogue entry announced by `decision`. A code already in the catalogue is a
/// conflict on `procedures_code_uq`.
pub async fn announce(
    db: &Db,
    origin: &Origin,
    code: &str,
    handling_unit: Option<UnitId>,
    content: &ProcedureContent,
    decision: &Decision,
) -> StoreResult<Procedure> {
    let mut tx = db.begin().await?;
    let id = announce_in_tx(&mut tx, origin, code, handling_unit, content, decision).await?;
    let procedure = get_in_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(procedure)
}

async fn announce_in_tx(
    tx: &mut Tx,
    origin: &Origin,
    code: &str,
    handling_unit: Option<UnitId>,
    content: &ProcedureContent,
    decision: &Decision,
) -> StoreResult<i64> {
    let now = crate::now();
    let id: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO procedures (code, handling_unit_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(code)
        .bind(handling_unit.map(|u| u.0))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    let version_id =
        insert_version(tx, id, 1, ProcedureChange::Announced, content, decision).await?;
    on_tx!(tx, conn => {
        sqlx::query("UPDATE procedures SET current_version_id = $1 WHERE id = $2")
            .bind(version_id).bind(id).execute(&mut *conn).await?;
    });
    audit::append(
        tx,
        origin,
        Change {
            action: "procedure.announce",
            object_kind: "procedure",
            object_id: id.to_string(),
            before: None,
            after: Some(snapshot(code, handling_unit, content, decision)),
            details: json!({"code": code, "decision": decision.number}),
        },
    )
    .await?;
    Ok(id)
}

/// A new version of an entry, made by an amending decision. Dossiers received before keep
/// the version they were received under.
pub async fn amend(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    handling_unit: Option<UnitId>,
    content: &ProcedureContent,
    decision: &Decision,
) -> StoreResult<Procedure> {
    let mut tx = db.begin().await?;
    amend_in_tx(
        &mut tx,
        origin,
        id,
        Some(expected_version),
        handling_unit,
        content,
        decision,
    )
    .await?;
    let procedure = get_in_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(procedure)
}

async fn amend_in_tx(
    tx: &mut Tx,
    origin: &Origin,
    id: i64,
    expected_version: Option<i64>,
    handling_unit: Option<UnitId>,
    content: &ProcedureContent,
    decision: &Decision,
) -> StoreResult<()> {
    let before = get_in_tx(tx, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    if before.abolished {
        return Err(StoreError::Invalid("procedure_abolished".into()));
    }
    let previous = version_in_tx(tx, before.current_version_id).await?;
    if decision.date < previous.decision_date {
        return Err(StoreError::Invalid("decision_before_previous".into()));
    }
    let seq = previous.seq + 1;
    let version_id =
        insert_version(tx, id, seq, ProcedureChange::Amended, content, decision).await?;
    on_tx!(tx, conn => {
        sqlx::query("UPDATE procedures SET current_version_id = $1, handling_unit_id = $2, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(version_id).bind(handling_unit.map(|u| u.0)).bind(crate::now()).bind(id).execute(&mut *conn).await?;
    });
    audit::append(
        tx,
        origin,
        Change {
            action: "procedure.amend",
            object_kind: "procedure",
            object_id: id.to_string(),
            before: Some(snapshot(
                &before.code,
                before.handling_unit_id.map(UnitId),
                &previous.content(),
                &Decision {
                    number: previous.decision.clone(),
                    date: previous.decision_date,
                },
            )),
            after: Some(snapshot(&before.code, handling_unit, content, decision)),
            details: json!({"code": before.code, "decision": decision.number, "seq": seq}),
        },
    )
    .await?;
    Ok(())
}

/// Abolishes an entry: a last version made by the abolishing decision. New dossiers under
/// it are refused; dossiers already received carry on.
pub async fn abolish(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    decision: &Decision,
) -> StoreResult<Procedure> {
    let mut tx = db.begin().await?;
    let before = get_in_tx(&mut tx, id).await?;
    if before.version != expected_version {
        return Err(StoreError::Stale);
    }
    if before.abolished {
        return Err(StoreError::Invalid("procedure_abolished".into()));
    }
    let previous = version_in_tx(&mut tx, before.current_version_id).await?;
    if decision.date < previous.decision_date {
        return Err(StoreError::Invalid("decision_before_previous".into()));
    }
    let version_id = insert_version(
        &mut tx,
        id,
        previous.seq + 1,
        ProcedureChange::Abolished,
        &previous.content(),
        decision,
    )
    .await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE procedures SET current_version_id = $1, abolished = TRUE, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(version_id).bind(crate::now()).bind(id).execute(&mut *conn).await?;
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "procedure.abolish",
            object_kind: "procedure",
            object_id: id.to_string(),
            before: None,
            after: None,
            details: json!({"code": before.code, "decision": decision.number}),
        },
    )
    .await?;
    let after = get_in_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(after)
}

/// One row of an imported catalogue.
#[derive(Clone, Debug)]
pub struct ImportRow {
    pub code: String,
    pub handling_unit: Option<UnitId>,
    pub content: ProcedureContent,
    pub decision: Decision,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub announced: usize,
    pub amended: usize,
    pub unchanged: usize,
}

/// Imports a catalogue in one transaction: new codes are announced, changed entries get a
/// new version by the row's decision, identical ones are left alone. Any refused row
/// (an abolished entry, a decision older than the current one) refuses the whole file.
pub async fn import(db: &Db, origin: &Origin, rows: &[ImportRow]) -> StoreResult<ImportSummary> {
    let mut tx = db.begin().await?;
    let mut summary = ImportSummary::default();
    for row in rows {
        let existing: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar("SELECT id FROM procedures WHERE code = $1").bind(&row.code).fetch_optional(&mut *conn).await?
        });
        match existing {
            None => {
                announce_in_tx(
                    &mut tx,
                    origin,
                    &row.code,
                    row.handling_unit,
                    &row.content,
                    &row.decision,
                )
                .await?;
                summary.announced += 1;
            }
            Some(id) => {
                let current = get_in_tx(&mut tx, id).await?;
                let version = version_in_tx(&mut tx, current.current_version_id).await?;
                if version.content() == row.content
                    && current.handling_unit_id == row.handling_unit.map(|u| u.0)
                {
                    summary.unchanged += 1;
                } else {
                    amend_in_tx(
                        &mut tx,
                        origin,
                        id,
                        None,
                        row.handling_unit,
                        &row.content,
                        &row.decision,
                    )
                    .await?;
                    summary.amended += 1;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(summary)
}
