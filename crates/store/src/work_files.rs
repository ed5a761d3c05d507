//! Work files (hồ sơ công việc) and their handover to the agency archive: a unit opens a
//! file from its file plan, adds documents to it (linked, never copied), closes it, and
//! hands closed files over with a handover record; a records clerk receives the record
//! into the archive, which gives every file on it its received date.
//!
//! Every write checks the actor's permission here, in the store, and is one transaction
//! with its audit event: a unit's own files are `HandleAssignment` in that unit; receiving
//! into the archive is `ReceiveIntoArchive`. Every read goes through a [`WorkFileScope`].
//!
//! The year-end review counts "files received into the archive" with
//! [`archive_received_count`] and lists them with [`archive_received_list`]: both apply
//! the one condition [`build`] writes, so the figure and its list always agree.

use crate::audit::{self, Change, Origin};
use crate::db::{Db, Tx};
use crate::documents;
use crate::error::{StoreError, StoreResult};
use crate::org;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::permission::{self, Action, Actor, Target};
use vanphong_core::work_file::{self, FileAction, FileCode, FileStatus, Retention, WorkFileError};

/// Which files a reader may see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkFileScope {
    /// `None`: every file. Otherwise the files of these units.
    pub units: Option<Vec<UnitId>>,
}

impl WorkFileScope {
    pub const ALL: WorkFileScope = WorkFileScope { units: None };

    /// The SQL condition (on alias `f`). Unit ids are our own integers.
    pub fn condition(&self) -> String {
        match &self.units {
            None => "1 = 1".into(),
            Some(units) if units.is_empty() => "1 = 0".into(),
            Some(units) => format!(
                "f.unit_id IN ({})",
                units
                    .iter()
                    .map(|u| u.0.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }

    fn allows(&self, unit: UnitId) -> bool {
        self.units.as_ref().is_none_or(|u| u.contains(&unit))
    }
}

/// The files `actor` may read: those of the units they read records in, and every file for
/// the archive's records clerks. `None` when they may read none.
pub async fn scope_of(db: &Db, actor: &Actor) -> StoreResult<Option<WorkFileScope>> {
    let tree = org::unit_tree(db).await?;
    let units: Vec<UnitId> = org::units(db).await?.into_iter().map(|u| u.id).collect();
    if permission::read_scope(actor, Action::ReceiveIntoArchive, &units, &tree).is_some() {
        return Ok(Some(WorkFileScope::ALL));
    }
    Ok(
        permission::read_scope(actor, Action::ReadRecord, &units, &tree)
            .map(|s| WorkFileScope { units: s.units }),
    )
}

/// A new file, already parsed.
#[derive(Clone, Debug)]
pub struct NewWorkFile {
    pub code: FileCode,
    pub title: String,
    pub year: i32,
    pub unit: UnitId,
    pub retention: Retention,
    pub keeper: Option<UserId>,
    pub opened_on: NaiveDate,
    pub notes: String,
}

/// A work file as its readers see it.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkFile {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub year: i32,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub retention: Retention,
    pub keeper_id: Option<UserId>,
    pub keeper_name: Option<String>,
    pub status: FileStatus,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub handover_id: Option<i64>,
    pub received_on: Option<NaiveDate>,
    pub notes: String,
    pub document_count: i64,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl WorkFile {
    fn snapshot(&self) -> serde_json::Value {
        json!({
            "id": self.id, "code": self.code, "title": self.title, "year": self.year,
            "unit_id": self.unit_id.0, "retention": self.retention.code(),
            "keeper_id": self.keeper_id.map(|k| k.0), "status": self.status.code(),
            "opened_on": self.opened_on, "closed_on": self.closed_on, "handover_id": self.handover_id,
            "received_on": self.received_on, "notes": self.notes, "version": self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    code: String,
    title: String,
    year: i64,
    unit_id: i64,
    unit_name: String,
    retention_years: Option<i64>,
    keeper_id: Option<i64>,
    keeper_name: Option<String>,
    status: String,
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    handover_id: Option<i64>,
    received_on: Option<NaiveDate>,
    notes: String,
    document_count: i64,
    version: i64,
    updated_at: DateTime<Utc>,
}

fn corrupt(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Other(anyhow::Error::new(e))
}

impl TryFrom<FileRow> for WorkFile {
    type Error = StoreError;
    fn try_from(r: FileRow) -> StoreResult<Self> {
        Ok(WorkFile {
            id: r.id,
            code: r.code,
            title: r.title,
            year: r.year as i32,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            retention: Retention::from_years(r.retention_years).map_err(corrupt)?,
            keeper_id: r.keeper_id.map(UserId),
            keeper_name: r.keeper_name,
            status: FileStatus::parse(&r.status).map_err(corrupt)?,
            opened_on: r.opened_on,
            closed_on: r.closed_on,
            handover_id: r.handover_id,
            received_on: r.received_on,
            notes: r.notes,
            document_count: r.document_count,
            version: r.version,
            updated_at: r.updated_at,
        })
    }
}

const FILE_SELECT: &str = "SELECT f.id, f.code, f.title, f.year, f.unit_id, u.name AS unit_name, f.retention_years, \
     f.keeper_id, k.full_name AS keeper_name, f.status, f.opened_on, f.closed_on, f.handover_id, f.received_on, \
     f.notes, (SELECT COUNT(*) FROM work_file_documents wd WHERE wd.file_id = f.id) AS document_count, \
     f.version, f.updated_at \
     FROM work_files f JOIN units u ON u.id = f.unit_id LEFT JOIN users k ON k.id = f.keeper_id";

/// The refusal of a domain rule, by its code (the web layer has a message for each).
fn refused(error: WorkFileError) -> StoreError {
    StoreError::Invalid(error.code().into())
}

async fn authorize(db: &Db, actor: &Actor, action: Action, target: Target) -> StoreResult<()> {
    let tree = org::unit_tree(db).await?;
    permission::authorize(actor, action, target, &tree).map_err(|_| StoreError::Forbidden)
}

/// An unknown unit is `unknown_unit`; any other failure stays what it is.
async fn require_unit(db: &Db, unit: UnitId) -> StoreResult<()> {
    match org::unit(db, unit).await {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(StoreError::Invalid("unknown_unit".into())),
        Err(e) => Err(e),
    }
}

/// One file, whoever asks (callers check the scope; see [`readable`]).
pub async fn get(db: &Db, id: i64) -> StoreResult<WorkFile> {
    let sql = format!("{FILE_SELECT} WHERE f.id = $1");
    let row: FileRow = on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await?);
    row.try_into()
}

async fn get_in_tx(tx: &mut Tx, id: i64) -> StoreResult<WorkFile> {
    let sql = format!("{FILE_SELECT} WHERE f.id = $1");
    let row: FileRow =
        on_tx!(&mut *tx, conn => sqlx::query_as(&sql).bind(id).fetch_one(&mut *conn).await?);
    row.try_into()
}

/// A file the actor may read; outside their scope it is "not found".
pub async fn readable(db: &Db, actor: &Actor, id: i64) -> StoreResult<WorkFile> {
    let scope = scope_of(db, actor).await?.ok_or(StoreError::NotFound)?;
    let file = get(db, id).await?;
    if !scope.allows(file.unit_id) {
        return Err(StoreError::NotFound);
    }
    Ok(file)
}

/// Opens a file in a unit. A code already used by the unit that year is a conflict on
/// `work_files_code_uq`; an unknown unit or keeper is a foreign-key violation.
pub async fn open(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    new: &NewWorkFile,
) -> StoreResult<WorkFile> {
    work_file::check_year(new.year).map_err(refused)?;
    // An unknown unit is the caller's mistake, not a refusal.
    require_unit(db, new.unit).await?;
    authorize(
        db,
        actor,
        Action::HandleAssignment,
        Target::in_unit(new.unit),
    )
    .await?;
    let now = crate::now();
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO work_files (code, title, year, unit_id, retention_years, keeper_id, status, opened_on, notes, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9) RETURNING id",
        )
        .bind(new.code.as_str())
        .bind(&new.title)
        .bind(i64::from(new.year))
        .bind(new.unit.0)
        .bind(new.retention.years())
        .bind(new.keeper.map(|k| k.0))
        .bind(new.opened_on)
        .bind(&new.notes)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    let after = get_in_tx(&mut tx, id).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "work_file.open",
            object_kind: "work_file",
            object_id: id.to_string(),
            before: None,
            after: Some(after.snapshot()),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Loads the file for a change, checks the version the form was made from, and asks
/// whether `actor` may act for the file's unit.
async fn load_for_change(
    tx: &mut Tx,
    id: i64,
    expected_version: Option<i64>,
) -> StoreResult<WorkFile> {
    // Taking the row's lock first (a no-op update on PostgreSQL; SQLite's write
    // transaction is exclusive already) makes the version check and the write one step.
    on_tx!(&mut *tx, conn => {
        sqlx::query("UPDATE work_files SET version = version WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    let file = get_in_tx(tx, id).await?;
    if expected_version.is_some_and(|v| v != file.version) {
        return Err(StoreError::Stale);
    }
    Ok(file)
}

/// Adds a document the actor may read to an open file of their unit. The document is
/// linked, not copied; one document may be in several files.
pub async fn add_document(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    file_id: i64,
    document_id: i64,
) -> StoreResult<WorkFile> {
    let file = readable(db, actor, file_id).await?;
    authorize(
        db,
        actor,
        Action::HandleAssignment,
        Target::in_unit(file.unit_id),
    )
    .await?;
    let tree = org::unit_tree(db).await?;
    let units: Vec<UnitId> = org::units(db).await?.into_iter().map(|u| u.id).collect();
    let document_scope = permission::read_scope(actor, Action::ReadRecord, &units, &tree)
        .ok_or(StoreError::Forbidden)?;
    if !documents::scope_allows(db, &document_scope, actor.user_id, document_id).await? {
        return Err(StoreError::Invalid("unknown_document".into()));
    }
    let now = crate::now();
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, file_id, None).await?;
    work_file::transition(before.status, FileAction::AddDocument).map_err(refused)?;
    let inserted = on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO work_file_documents (file_id, document_id, added_by, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (file_id, document_id) DO NOTHING",
        )
        .bind(file_id)
        .bind(document_id)
        .bind(actor.user_id.0)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::Invalid("work_file_document_already".into()));
    }
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE work_files SET version = version + 1, updated_at = $2 WHERE id = $1")
            .bind(file_id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    let after = get_in_tx(&mut tx, file_id).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "work_file.add_document",
            object_kind: "work_file",
            object_id: file_id.to_string(),
            before: None,
            after: None,
            details: json!({"document_id": document_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A document in a file, as its list shows it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FileDocument {
    pub id: i64,
    pub direction: String,
    pub number_symbol: Option<String>,
    pub subject: String,
    pub document_date: Option<NaiveDate>,
    pub added_at: DateTime<Utc>,
}

/// The documents of a file that the actor may read, in date order (as the file is
/// exported); documents outside their scope are left out, never shown.
pub async fn file_documents(
    db: &Db,
    actor: &Actor,
    file_id: i64,
) -> StoreResult<Vec<FileDocument>> {
    let tree = org::unit_tree(db).await?;
    let units: Vec<UnitId> = org::units(db).await?.into_iter().map(|u| u.id).collect();
    let Some(scope) = permission::read_scope(actor, Action::ReadRecord, &units, &tree) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT d.id, d.direction, d.number_symbol, d.subject, d.document_date, wd.added_at \
         FROM work_file_documents wd JOIN documents d ON d.id = wd.document_id \
         WHERE wd.file_id = $1 AND {} ORDER BY d.document_date, d.id",
        documents::scope_condition(&scope, actor.user_id)
    );
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(file_id).fetch_all(pool).await?))
}

/// Closes an open file of the actor's unit: the work is done.
pub async fn close(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    file_id: i64,
    expected_version: i64,
    closed_on: NaiveDate,
) -> StoreResult<WorkFile> {
    let file = readable(db, actor, file_id).await?;
    authorize(
        db,
        actor,
        Action::HandleAssignment,
        Target::in_unit(file.unit_id),
    )
    .await?;
    let now = crate::now();
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, file_id, Some(expected_version)).await?;
    let status = work_file::transition(before.status, FileAction::Close).map_err(refused)?;
    if closed_on < before.opened_on {
        return Err(StoreError::Invalid("work_file_closed_before_opened".into()));
    }
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE work_files SET status = $2, closed_on = $3, version = version + 1, updated_at = $4 WHERE id = $1",
        )
        .bind(file_id)
        .bind(status.code())
        .bind(closed_on)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    let after = get_in_tx(&mut tx, file_id).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "work_file.close",
            object_kind: "work_file",
            object_id: file_id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A handover record to be made.
#[derive(Clone, Debug)]
pub struct NewHandover {
    pub unit: UnitId,
    pub handed_on: NaiveDate,
    pub file_ids: Vec<i64>,
    pub notes: String,
}

/// A handover record (biên bản giao nộp) with its list of files.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Handover {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub handed_on: NaiveDate,
    pub handed_by: Option<i64>,
    pub handed_by_name: Option<String>,
    pub notes: String,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<i64>,
    pub received_by_name: Option<String>,
    pub file_count: i64,
}

const HANDOVER_SELECT: &str = "SELECT h.id, h.unit_id, u.name AS unit_name, h.handed_on, h.handed_by, \
     hb.full_name AS handed_by_name, h.notes, h.received_on, h.received_by, rb.full_name AS received_by_name, \
     (SELECT COUNT(*) FROM work_files wf WHERE wf.handover_id = h.id) AS file_count \
     FROM archive_handovers h JOIN units u ON u.id = h.unit_id \
     LEFT JOIN users hb ON hb.id = h.handed_by LEFT JOIN users rb ON rb.id = h.received_by";

pub async fn handover(db: &Db, id: i64) -> StoreResult<Handover> {
    let sql = format!("{HANDOVER_SELECT} WHERE h.id = $1");
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await?))
}

async fn handover_in_tx(tx: &mut Tx, id: i64) -> StoreResult<Handover> {
    let sql = format!("{HANDOVER_SELECT} WHERE h.id = $1");
    Ok(on_tx!(&mut *tx, conn => sqlx::query_as(&sql).bind(id).fetch_one(&mut *conn).await?))
}

/// A handover the actor may read (one of their units', or any for the archive).
pub async fn readable_handover(db: &Db, actor: &Actor, id: i64) -> StoreResult<Handover> {
    let scope = scope_of(db, actor).await?.ok_or(StoreError::NotFound)?;
    let record = handover(db, id).await?;
    if !scope.allows(UnitId(record.unit_id)) {
        return Err(StoreError::NotFound);
    }
    Ok(record)
}

/// The handovers in the scope, newest first; `waiting` keeps those not received yet.
pub async fn handovers(
    db: &Db,
    scope: &WorkFileScope,
    waiting: bool,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<Handover>> {
    let condition = scope.condition().replace("f.unit_id", "h.unit_id");
    let waiting = if waiting {
        " AND h.received_on IS NULL"
    } else {
        ""
    };
    let sql = format!(
        "{HANDOVER_SELECT} WHERE {condition}{waiting} ORDER BY h.handed_on DESC, h.id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 10_000),
        offset.max(0)
    );
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}

/// The files listed in a handover, by code.
pub async fn handover_files(db: &Db, handover_id: i64) -> StoreResult<Vec<WorkFile>> {
    let sql = format!("{FILE_SELECT} WHERE f.handover_id = $1 ORDER BY f.code, f.id");
    let rows: Vec<FileRow> =
        on_pool!(db, pool => sqlx::query_as(&sql).bind(handover_id).fetch_all(pool).await?);
    rows.into_iter().map(TryInto::try_into).collect()
}

/// A unit hands closed files over to the agency archive: the record and the files' new
/// state, in one transaction. Every file must be the unit's, closed, and kept 5 years or
/// more (`work_file_retention_too_short` otherwise); nothing is written if one is refused.
pub async fn hand_over(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    new: &NewHandover,
) -> StoreResult<Handover> {
    require_unit(db, new.unit).await?;
    authorize(
        db,
        actor,
        Action::HandleAssignment,
        Target::in_unit(new.unit),
    )
    .await?;
    let mut ids = new.file_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(StoreError::Invalid("handover_no_files".into()));
    }
    let now = crate::now();
    let mut tx = db.begin().await?;
    // Lock the files in id order, so two handovers never wait on each other.
    let mut files = Vec::with_capacity(ids.len());
    for id in &ids {
        let file = match load_for_change(&mut tx, *id, None).await {
            Err(StoreError::NotFound) => {
                return Err(StoreError::Invalid("unknown_work_file".into()))
            }
            other => other?,
        };
        if file.unit_id != new.unit {
            return Err(StoreError::Invalid("unknown_work_file".into()));
        }
        work_file::check_handover(file.status, file.retention).map_err(refused)?;
        if file.closed_on.is_some_and(|c| c > new.handed_on) {
            return Err(StoreError::Invalid("handover_before_closed".into()));
        }
        files.push(file);
    }
    let handover_id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO archive_handovers (unit_id, handed_on, handed_by, notes, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(new.unit.0)
        .bind(new.handed_on)
        .bind(actor.user_id.0)
        .bind(&new.notes)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    for file in &files {
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE work_files SET status = 'handed_over', handover_id = $2, version = version + 1, updated_at = $3 \
                 WHERE id = $1",
            )
            .bind(file.id)
            .bind(handover_id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
    }
    let record = handover_in_tx(&mut tx, handover_id).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "archive_handover.hand_over",
            object_kind: "archive_handover",
            object_id: handover_id.to_string(),
            before: None,
            after: Some(
                json!({"unit_id": new.unit.0, "handed_on": new.handed_on, "notes": new.notes}),
            ),
            details: json!({"files": ids}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// The archive's records clerk receives a handover on a date (not before it was handed
/// over): the record and every file on it get that received date.
pub async fn receive(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    handover_id: i64,
    received_on: NaiveDate,
) -> StoreResult<Handover> {
    let existing = handover(db, handover_id).await?;
    authorize(
        db,
        actor,
        Action::ReceiveIntoArchive,
        Target::in_unit(UnitId(existing.unit_id)),
    )
    .await?;
    if received_on < existing.handed_on {
        return Err(StoreError::Invalid("received_before_handed".into()));
    }
    let now = crate::now();
    let mut tx = db.begin().await?;
    // The conditional update is the lock and the check: a second receipt changes nothing.
    let updated = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE archive_handovers SET received_on = $2, received_by = $3 WHERE id = $1 AND received_on IS NULL",
        )
        .bind(handover_id)
        .bind(received_on)
        .bind(actor.user_id.0)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    if updated == 0 {
        return Err(StoreError::Invalid("handover_already_received".into()));
    }
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE work_files SET status = 'received', received_on = $2, version = version + 1, updated_at = $3 \
             WHERE handover_id = $1 AND status = 'handed_over'",
        )
        .bind(handover_id)
        .bind(received_on)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    let record = handover_in_tx(&mut tx, handover_id).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "archive_handover.receive",
            object_kind: "archive_handover",
            object_id: handover_id.to_string(),
            before: None,
            after: Some(json!({"received_on": received_on, "received_by": actor.user_id.0})),
            details: json!({"files": record.file_count}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// What a list of files shows; every field narrows it.
#[derive(Clone, Debug, Default)]
pub struct WorkFileFilter {
    pub status: Option<FileStatus>,
    pub unit: Option<UnitId>,
    pub year: Option<i32>,
    /// Received into the archive from and to, inclusive.
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// Words of the code or title, as typed (letters A-Z in any case).
    pub text: Option<String>,
}

enum Bind {
    Text(String),
    Date(NaiveDate),
}

/// The one condition every list and count of files applies (alias `f`).
fn build(filter: &WorkFileFilter, scope: &WorkFileScope) -> (String, Vec<Bind>) {
    let mut sql = vec![scope.condition()];
    let mut binds = Vec::new();
    if let Some(v) = filter.status {
        sql.push(format!("f.status = '{}'", v.code()));
    }
    if let Some(v) = filter.unit {
        sql.push(format!("f.unit_id = {}", v.0));
    }
    if let Some(v) = filter.year {
        sql.push(format!("f.year = {v}"));
    }
    let mut push = |condition: &str, bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        sql.push(condition.replace('?', &format!("${}", binds.len())));
    };
    if let Some(v) = filter.received_from {
        push(
            "f.received_on IS NOT NULL AND f.received_on >= ?",
            Bind::Date(v),
            &mut binds,
        );
    }
    if let Some(v) = filter.received_to {
        push(
            "f.received_on IS NOT NULL AND f.received_on <= ?",
            Bind::Date(v),
            &mut binds,
        );
    }
    if let Some(v) = &filter.text {
        for word in v.split_whitespace().take(8) {
            let escaped = word
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            push(
                "(LOWER(f.title) LIKE ? ESCAPE '\\' OR LOWER(f.code) LIKE ? ESCAPE '\\')",
                Bind::Text(format!("%{escaped}%")),
                &mut binds,
            );
        }
    }
    (sql.join(" AND "), binds)
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Date(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// A page of files: newest year first, then by unit and code.
pub async fn list(
    db: &Db,
    scope: &WorkFileScope,
    filter: &WorkFileFilter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<WorkFile>> {
    let (condition, binds) = build(filter, scope);
    let sql = format!(
        "{FILE_SELECT} WHERE {condition} ORDER BY f.year DESC, u.sort_order, u.name, f.code, f.id LIMIT {} OFFSET {}",
        limit.clamp(1, 100_000),
        offset.max(0)
    );
    let rows: Vec<FileRow> = on_pool!(db, pool => {
        bind_all!(sqlx::query_as::<_, FileRow>(&sql), &binds).fetch_all(pool).await?
    });
    rows.into_iter().map(TryInto::try_into).collect()
}

/// How many files match.
pub async fn count(db: &Db, scope: &WorkFileScope, filter: &WorkFileFilter) -> StoreResult<i64> {
    let (condition, binds) = build(filter, scope);
    let sql = format!("SELECT COUNT(*) FROM work_files f WHERE {condition}");
    Ok(on_pool!(db, pool => {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(pool).await?
    }))
}

/// The filter of the review's figure: received into the archive from `from` to `to`,
/// both days included.
pub fn received_filter(from: NaiveDate, to: NaiveDate) -> WorkFileFilter {
    WorkFileFilter {
        received_from: Some(from),
        received_to: Some(to),
        ..WorkFileFilter::default()
    }
}

/// How many files the agency archive received from `from` to `to` (both included), among
/// the files of `scope`.
pub async fn archive_received_count(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    scope: &WorkFileScope,
) -> StoreResult<i64> {
    count(db, scope, &received_filter(from, to)).await
}

/// The files counted by [`archive_received_count`] with the same arguments (the same SQL
/// condition), a page of them: `offset` skipped, at most `limit`.
pub async fn archive_received_list(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    scope: &WorkFileScope,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<WorkFile>> {
    list(db, scope, &received_filter(from, to), offset, limit).await
}
