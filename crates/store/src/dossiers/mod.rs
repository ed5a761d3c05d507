//! Procedure dossiers: submission at the counter or online with a code in the national
//! format, the component checklist and files, reception, routing with a due date per step,
//! supplementation that stops the clock, refusal, withdrawal, the apology slip, the result
//! and its return, and the applicant's rating. Every change is one transaction with its
//! event on the dossier's timeline and its audit event.

pub mod lists;
pub mod procedures;

use crate::audit::{self, Change, Origin};
use crate::blobs::StoredBlob;
use crate::db::{Db, Tx};
use crate::documents::counters;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::json;
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::dossier::{
    self, Channel, DossierAction, DossierCode, DossierError, DossierStatus, Timeliness,
};
use vanphong_core::ids::{UnitId, UserId};

/// A dossier as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Dossier {
    pub id: i64,
    pub code: String,
    pub procedure_id: i64,
    pub procedure_version_id: i64,
    /// The name of the procedure in the version the dossier was received under.
    pub procedure_name: String,
    pub channel: String,
    pub status: i64,
    pub resume_status: Option<i64>,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub applicant_phone: String,
    pub phone_tail: String,
    pub applicant_email: String,
    pub applicant_address: String,
    pub subject: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub received_unit_id: Option<i64>,
    pub received_by: Option<i64>,
    pub handling_unit_id: Option<i64>,
    pub due_date: Option<NaiveDate>,
    pub original_due_date: Option<NaiveDate>,
    pub apology_date: Option<NaiveDate>,
    pub apology_reason: String,
    pub paused_on: Option<NaiveDate>,
    pub fee: i64,
    pub fee_paid: bool,
    pub finished_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    pub timeliness: Option<String>,
    pub refusal_reason: String,
    pub supplementation_note: String,
    pub rating: Option<i64>,
    pub rating_note: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Dossier {
    pub fn status(&self) -> DossierStatus {
        DossierStatus::from_number(self.status).unwrap_or(DossierStatus::Stopped)
    }

    pub fn channel(&self) -> Channel {
        Channel::parse(&self.channel).unwrap_or(Channel::Counter)
    }

    pub fn timeliness(&self) -> Option<Timeliness> {
        self.timeliness.as_deref().and_then(Timeliness::parse)
    }

    /// The canonical form whose digest the audit trail keeps.
    pub fn snapshot(&self) -> serde_json::Value {
        json!({
            "id": self.id, "code": self.code, "procedure_version_id": self.procedure_version_id,
            "channel": self.channel, "status": self.status, "applicant_name": self.applicant_name,
            "applicant_phone": self.applicant_phone, "subject": self.subject, "submitted_on": self.submitted_on,
            "received_on": self.received_on, "received_unit_id": self.received_unit_id,
            "handling_unit_id": self.handling_unit_id, "due_date": self.due_date, "apology_date": self.apology_date,
            "paused_on": self.paused_on, "fee": self.fee, "fee_paid": self.fee_paid, "finished_on": self.finished_on,
            "returned_on": self.returned_on, "timeliness": self.timeliness, "refusal_reason": self.refusal_reason,
            "rating": self.rating, "version": self.version,
        })
    }
}

pub(crate) const DOSSIER_COLUMNS: &str = "d.id, d.code, d.procedure_id, d.procedure_version_id, v.name AS procedure_name, \
    d.channel, d.status, d.resume_status, d.applicant_name, d.applicant_id_number, d.applicant_phone, d.phone_tail, \
    d.applicant_email, d.applicant_address, d.subject, d.submitted_on, d.received_on, d.received_unit_id, d.received_by, \
    d.handling_unit_id, d.due_date, d.original_due_date, d.apology_date, d.apology_reason, d.paused_on, d.fee, d.fee_paid, \
    d.finished_on, d.returned_on, d.timeliness, d.refusal_reason, d.supplementation_note, d.rating, d.rating_note, \
    d.version, d.created_at, d.updated_at";

pub(crate) const DOSSIER_FROM: &str =
    "dossiers d JOIN procedure_versions v ON v.id = d.procedure_version_id";

/// Loads a dossier without any permission check.
pub async fn get(db: &Db, id: i64) -> StoreResult<Dossier> {
    let sql = format!("SELECT {DOSSIER_COLUMNS} FROM {DOSSIER_FROM} WHERE d.id = $1");
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await?))
}

/// Loads a dossier by its code.
pub async fn by_code(db: &Db, code: &str) -> StoreResult<Option<Dossier>> {
    let sql = format!("SELECT {DOSSIER_COLUMNS} FROM {DOSSIER_FROM} WHERE d.code = $1");
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(code).fetch_optional(pool).await?))
}

async fn get_in_tx(tx: &mut Tx, id: i64) -> StoreResult<Dossier> {
    let sql = format!("SELECT {DOSSIER_COLUMNS} FROM {DOSSIER_FROM} WHERE d.id = $1");
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql).bind(id).fetch_one(&mut *conn).await?))
}

/// One line of the checklist.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChecklistItem {
    pub position: i64,
    pub name: String,
    pub form: String,
    pub required: bool,
    pub provided: bool,
}

pub async fn checklist(db: &Db, dossier_id: i64) -> StoreResult<Vec<ChecklistItem>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as("SELECT position, name, form, required, provided FROM dossier_components WHERE dossier_id = $1 ORDER BY position")
            .bind(dossier_id).fetch_all(pool).await?
    }))
}

/// A file handed in with a dossier, or its result.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DossierFile {
    pub id: i64,
    pub dossier_id: i64,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub component_position: Option<i64>,
    pub stage: String,
    pub created_at: DateTime<Utc>,
}

pub async fn files(db: &Db, dossier_id: i64) -> StoreResult<Vec<DossierFile>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as("SELECT f.id, f.dossier_id, f.sha256, f.file_name, b.content_type, f.component_position, f.stage, f.created_at \
                        FROM dossier_files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.dossier_id = $1 ORDER BY f.id")
            .bind(dossier_id).fetch_all(pool).await?
    }))
}

pub async fn file(db: &Db, id: i64) -> StoreResult<DossierFile> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as("SELECT f.id, f.dossier_id, f.sha256, f.file_name, b.content_type, f.component_position, f.stage, f.created_at \
                        FROM dossier_files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.id = $1")
            .bind(id).fetch_one(pool).await?
    }))
}

/// A step of the handling.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Step {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub unit_id: Option<i64>,
    pub days: i64,
    pub due_date: NaiveDate,
    pub finished_on: Option<NaiveDate>,
}

pub async fn steps(db: &Db, dossier_id: i64) -> StoreResult<Vec<Step>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as("SELECT id, position, name, unit_id, days, due_date, finished_on FROM dossier_steps WHERE dossier_id = $1 ORDER BY position")
            .bind(dossier_id).fetch_all(pool).await?
    }))
}

/// An entry of the dossier's timeline.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Event {
    pub occurred_on: NaiveDate,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub status: i64,
    pub note: String,
}

pub async fn events(db: &Db, dossier_id: i64) -> StoreResult<Vec<Event>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as("SELECT occurred_on, occurred_at, action, status, note FROM dossier_events WHERE dossier_id = $1 ORDER BY id")
            .bind(dossier_id).fetch_all(pool).await?
    }))
}

/// A file to attach, already stored and accepted by the attachment policy.
#[derive(Clone, Debug)]
pub struct NewFile {
    pub blob: StoredBlob,
    pub file_name: String,
    /// The checklist line it belongs to (0-based), if any.
    pub component: Option<usize>,
}

/// Who received a dossier at the desk.
#[derive(Clone, Copy, Debug)]
pub struct Reception {
    pub unit: UnitId,
    pub user: Option<UserId>,
    pub on: NaiveDate,
}

/// A dossier as submitted, already parsed.
#[derive(Clone, Debug)]
pub struct NewDossier {
    pub procedure_id: i64,
    pub channel: Channel,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub applicant_phone: String,
    pub applicant_email: String,
    pub applicant_address: String,
    pub subject: String,
    /// The day it was handed in (online: the day it arrived, any day of the week).
    pub submitted_on: NaiveDate,
    /// Checklist lines (0-based) the officer ticked as handed in on paper.
    pub provided: Vec<usize>,
    pub files: Vec<NewFile>,
    /// Set for counter submissions: received at once.
    pub reception: Option<Reception>,
}

fn refused(error: DossierError) -> StoreError {
    StoreError::Invalid(error.code().to_owned())
}

async fn attach(tx: &mut Tx, dossier_id: i64, files: &[NewFile], stage: &str) -> StoreResult<()> {
    for f in files {
        crate::blobs::record(tx, &f.blob).await?;
        on_tx!(tx, conn => {
            sqlx::query("INSERT INTO dossier_files (dossier_id, sha256, file_name, component_position, stage, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(dossier_id).bind(&f.blob.sha256).bind(&f.file_name).bind(f.component.map(|c| c as i64)).bind(stage).bind(crate::now())
                .execute(&mut *conn).await?;
        });
        if let Some(position) = f.component {
            on_tx!(tx, conn => {
                sqlx::query("UPDATE dossier_components SET provided = TRUE WHERE dossier_id = $1 AND position = $2")
                    .bind(dossier_id).bind(position as i64).execute(&mut *conn).await?;
            });
        }
    }
    Ok(())
}

async fn add_event(
    tx: &mut Tx,
    origin: &Origin,
    dossier_id: i64,
    on: NaiveDate,
    action: &str,
    status: DossierStatus,
    note: &str,
) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query("INSERT INTO dossier_events (dossier_id, occurred_on, occurred_at, action, status, note, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(dossier_id).bind(on).bind(crate::now()).bind(action).bind(status.number()).bind(note).bind(origin.user_id.map(|u| u.0))
            .execute(&mut *conn).await?;
    });
    Ok(())
}

fn search_text(code: &str, applicant: &str, subject: &str, phone: &str) -> String {
    vanphong_core::text::fold(&format!("{code} {applicant} {subject} {phone}"))
}

/// Submits a dossier: at the counter it is received at once with its appointment date; online
/// it waits for the officer. The code's sequence is the day's next, gap-free and unique under
/// any number of concurrent submissions (the counter row is taken in this transaction).
///
/// Refused, with nothing written: an unknown or abolished procedure (`unknown_procedure`,
/// `procedure_abolished`), a required component neither ticked nor attached
/// (`missing_component`), a reception date that is not a working day (`not_working_day`),
/// an agency without its code (`agency_not_set`).
pub async fn submit(
    db: &Db,
    origin: &Origin,
    calendar: &WorkingCalendar,
    new: &NewDossier,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let procedure = match procedures::get_in_tx(&mut tx, new.procedure_id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Err(StoreError::Invalid("unknown_procedure".into())),
        Err(e) => return Err(e),
    };
    if procedure.abolished {
        return Err(StoreError::Invalid("procedure_abolished".into()));
    }
    let version = procedures::version_in_tx(&mut tx, procedure.current_version_id).await?;
    let components = version.components();
    for (i, c) in components.iter().enumerate() {
        let attached = new.files.iter().any(|f| f.component == Some(i));
        if c.required && !attached && !new.provided.contains(&i) {
            return Err(refused(DossierError::MissingComponent(c.name.clone())));
        }
    }
    let agency: Option<String> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("SELECT code FROM agency WHERE id = 1").fetch_optional(&mut *conn).await?
    });
    let Some(agency) = agency.filter(|a| !a.is_empty()) else {
        return Err(StoreError::Invalid("agency_not_set".into()));
    };
    let (status, received_on, due) = match &new.reception {
        Some(r) => {
            dossier::require_working_day(calendar, r.on).map_err(refused)?;
            let due = dossier::appointment_date(calendar, r.on, version.processing_days as i32)
                .map_err(refused)?;
            (DossierStatus::Accepted, Some(r.on), Some(due))
        }
        None => (DossierStatus::Submitted, None, None),
    };
    let code_date = received_on.unwrap_or(new.submitted_on);
    let sequence = counters::next(
        &mut tx,
        &DossierCode::counter_name(code_date),
        code_date.year(),
    )
    .await?;
    let code = DossierCode {
        agency,
        date: code_date,
        sequence: sequence as u32,
    }
    .to_string();
    let now = crate::now();
    let tail = dossier::phone_tail(&new.applicant_phone);
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO dossiers (code, procedure_id, procedure_version_id, channel, status, applicant_name, applicant_id_number, \
             applicant_phone, phone_tail, applicant_email, applicant_address, subject, submitted_on, received_on, received_unit_id, \
             received_by, handling_unit_id, due_date, original_due_date, fee, search_text, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $20, $21, $21) RETURNING id",
        )
        .bind(&code)
        .bind(procedure.id)
        .bind(version.id)
        .bind(new.channel.code())
        .bind(status.number())
        .bind(&new.applicant_name)
        .bind(&new.applicant_id_number)
        .bind(&new.applicant_phone)
        .bind(&tail)
        .bind(&new.applicant_email)
        .bind(&new.applicant_address)
        .bind(&new.subject)
        .bind(new.submitted_on)
        .bind(received_on)
        .bind(new.reception.map(|r| r.unit.0))
        .bind(new.reception.and_then(|r| r.user.map(|u| u.0)))
        .bind(procedure.handling_unit_id)
        .bind(due)
        .bind(version.fee)
        .bind(search_text(&code, &new.applicant_name, &new.subject, &new.applicant_phone))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    for (i, c) in components.iter().enumerate() {
        on_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO dossier_components (dossier_id, position, name, form, required, provided) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(i as i64).bind(&c.name).bind(&c.form).bind(c.required).bind(new.provided.contains(&i))
                .execute(&mut *conn).await?;
        });
    }
    attach(&mut tx, id, &new.files, "submission").await?;
    let action = match new.channel {
        Channel::Counter => "receive",
        Channel::Online => "submit_online",
    };
    add_event(&mut tx, origin, id, code_date, action, status, "").await?;
    crate::search::dossiers::index_dossier(&mut tx, id).await?;
    let after = get_in_tx(&mut tx, id).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: &format!("dossier.{action}"),
            object_kind: "dossier",
            object_id: id.to_string(),
            before: None,
            after: Some(after.snapshot()),
            details: json!({"code": code, "procedure": procedure.code, "files": new.files.len()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What a change sets besides the status.
#[derive(Default)]
struct Patch {
    received: Option<Reception>,
    due_date: Option<NaiveDate>,
    original_due_date: Option<NaiveDate>,
    handling_unit: Option<UnitId>,
    paused_on: Option<Option<NaiveDate>>,
    resume_status: Option<Option<DossierStatus>>,
    apology: Option<(NaiveDate, String)>,
    finished: Option<(NaiveDate, Timeliness)>,
    returned_on: Option<NaiveDate>,
    refusal_reason: Option<String>,
    supplementation_note: Option<String>,
    fee: Option<i64>,
    fee_paid: Option<bool>,
    rating: Option<(i64, String)>,
}

/// Loads the dossier for a change, checking its version when the caller read one.
async fn load_for_change(
    tx: &mut Tx,
    id: i64,
    expected_version: Option<i64>,
) -> StoreResult<Dossier> {
    let before = get_in_tx(tx, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    Ok(before)
}

/// Writes the change, its timeline event and its audit event.
async fn apply(
    tx: &mut Tx,
    origin: &Origin,
    before: &Dossier,
    action: &str,
    status: DossierStatus,
    on: NaiveDate,
    note: &str,
    patch: Patch,
) -> StoreResult<Dossier> {
    let mut sets = vec![
        "status = $1".to_owned(),
        "version = version + 1".to_owned(),
        "updated_at = $2".to_owned(),
    ];
    let mut n = 2;
    let mut next = |column: &str, sets: &mut Vec<String>| {
        n += 1;
        sets.push(format!("{column} = ${n}"));
    };
    // The binds below follow the same order as these columns.
    if patch.received.is_some() {
        next("received_on", &mut sets);
        next("received_unit_id", &mut sets);
        next("received_by", &mut sets);
    }
    if patch.due_date.is_some() {
        next("due_date", &mut sets);
    }
    if patch.original_due_date.is_some() {
        next("original_due_date", &mut sets);
    }
    if patch.handling_unit.is_some() {
        next("handling_unit_id", &mut sets);
    }
    if patch.paused_on.is_some() {
        next("paused_on", &mut sets);
    }
    if patch.resume_status.is_some() {
        next("resume_status", &mut sets);
    }
    if patch.apology.is_some() {
        next("apology_date", &mut sets);
        next("apology_reason", &mut sets);
    }
    if patch.finished.is_some() {
        next("finished_on", &mut sets);
        next("timeliness", &mut sets);
    }
    if patch.returned_on.is_some() {
        next("returned_on", &mut sets);
    }
    if patch.refusal_reason.is_some() {
        next("refusal_reason", &mut sets);
    }
    if patch.supplementation_note.is_some() {
        next("supplementation_note", &mut sets);
    }
    if patch.fee.is_some() {
        next("fee", &mut sets);
    }
    if patch.fee_paid.is_some() {
        next("fee_paid", &mut sets);
    }
    if patch.rating.is_some() {
        next("rating", &mut sets);
        next("rating_note", &mut sets);
    }
    n += 1;
    let id_placeholder = n;
    n += 1;
    let sql = format!(
        "UPDATE dossiers SET {} WHERE id = ${id_placeholder} AND version = ${n}",
        sets.join(", ")
    );
    let changed = on_tx!(tx, conn => {
        let mut q = sqlx::query(&sql).bind(status.number()).bind(crate::now());
        if let Some(r) = patch.received {
            q = q.bind(r.on).bind(r.unit.0).bind(r.user.map(|u| u.0));
        }
        if let Some(d) = patch.due_date {
            q = q.bind(d);
        }
        if let Some(d) = patch.original_due_date {
            q = q.bind(d);
        }
        if let Some(u) = patch.handling_unit {
            q = q.bind(u.0);
        }
        if let Some(p) = patch.paused_on {
            q = q.bind(p);
        }
        if let Some(r) = patch.resume_status {
            q = q.bind(r.map(|s| s.number()));
        }
        if let Some((d, reason)) = &patch.apology {
            q = q.bind(*d).bind(reason.clone());
        }
        if let Some((d, t)) = patch.finished {
            q = q.bind(d).bind(t.code());
        }
        if let Some(d) = patch.returned_on {
            q = q.bind(d);
        }
        if let Some(r) = &patch.refusal_reason {
            q = q.bind(r.clone());
        }
        if let Some(s) = &patch.supplementation_note {
            q = q.bind(s.clone());
        }
        if let Some(f) = patch.fee {
            q = q.bind(f);
        }
        if let Some(p) = patch.fee_paid {
            q = q.bind(p);
        }
        if let Some((r, note)) = &patch.rating {
            q = q.bind(*r).bind(note.clone());
        }
        q.bind(before.id).bind(before.version).execute(&mut *conn).await?.rows_affected()
    });
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    add_event(tx, origin, before.id, on, action, status, note).await?;
    let after = get_in_tx(tx, before.id).await?;
    audit::append(
        tx,
        origin,
        Change {
            action: &format!("dossier.{action}"),
            object_kind: "dossier",
            object_id: before.id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({"code": after.code, "from": before.status, "to": after.status, "note": note}),
        },
    )
    .await?;
    Ok(after)
}

fn step(before: &Dossier, action: DossierAction) -> StoreResult<DossierStatus> {
    dossier::transition(
        before.status(),
        action,
        before.resume_status.and_then(DossierStatus::from_number),
    )
    .map_err(refused)
}

/// The officer accepts an online submission on a working day; the appointment date runs.
pub async fn accept(
    db: &Db,
    origin: &Origin,
    calendar: &WorkingCalendar,
    id: i64,
    expected_version: i64,
    reception: Reception,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::Accept)?;
    dossier::require_working_day(calendar, reception.on).map_err(refused)?;
    let version = procedures::version_in_tx(&mut tx, before.procedure_version_id).await?;
    let due = dossier::appointment_date(calendar, reception.on, version.processing_days as i32)
        .map_err(refused)?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        "accept",
        status,
        reception.on,
        "",
        Patch {
            received: Some(reception),
            due_date: Some(due),
            original_due_date: Some(due),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A step of the handling as the officer sets it.
#[derive(Clone, Debug)]
pub struct NewStep {
    pub name: String,
    pub unit: Option<UnitId>,
    pub days: i32,
}

/// Sends an accepted dossier to its handling unit, with a due date for each step counted
/// one after another from `on`.
pub async fn route(
    db: &Db,
    origin: &Origin,
    calendar: &WorkingCalendar,
    id: i64,
    expected_version: i64,
    unit: UnitId,
    new_steps: &[NewStep],
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::Route)?;
    let days: Vec<i32> = new_steps.iter().map(|s| s.days).collect();
    let dues = dossier::step_due_dates(calendar, on, &days).map_err(refused)?;
    for (i, (s, due)) in new_steps.iter().zip(&dues).enumerate() {
        on_tx!(&mut tx, conn => {
            sqlx::query("INSERT INTO dossier_steps (dossier_id, position, name, unit_id, days, due_date) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(i as i64).bind(&s.name).bind(s.unit.map(|u| u.0)).bind(i64::from(s.days)).bind(*due)
                .execute(&mut *conn).await?;
        });
    }
    let after = apply(
        &mut tx,
        origin,
        &before,
        "route",
        status,
        on,
        "",
        Patch {
            handling_unit: Some(unit),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Asks the applicant for more documents; the clock stops on `on`.
pub async fn request_supplementation(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::RequestSupplementation)?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        "request_supplementation",
        status,
        on,
        note,
        Patch {
            paused_on: Some(Some(on)),
            resume_status: Some(Some(before.status())),
            supplementation_note: Some(note.to_owned()),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The applicant hands in what was asked (at the desk or online): the dossier goes back to
/// where it was and the clock starts again, the working days that were left counted from
/// `on`. A withdrawn dossier is refused (`dossier_withdrawn`).
pub async fn resubmit(
    db: &Db,
    origin: &Origin,
    calendar: &WorkingCalendar,
    id: i64,
    expected_version: Option<i64>,
    files: &[NewFile],
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, expected_version).await?;
    let status = step(&before, DossierAction::Resubmit)?;
    let patch = restart_clock(&mut tx, calendar, &before, on).await?;
    attach(&mut tx, id, files, "supplementation").await?;
    let after = apply(
        &mut tx, origin, &before, "resubmit", status, on, note, patch,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The clock starts again on `on` (or the next working day when that is a day off): the
/// appointment date and the due dates of unfinished steps move on by the working days the
/// pause lasted, and the pause is cleared.
async fn restart_clock(
    tx: &mut Tx,
    calendar: &WorkingCalendar,
    before: &Dossier,
    on: NaiveDate,
) -> StoreResult<Patch> {
    let mut patch = Patch {
        paused_on: Some(None),
        resume_status: Some(None),
        ..Default::default()
    };
    if let (Some(paused), Some(due)) = (before.paused_on, before.due_date) {
        let resumed = calendar
            .add_working_days(on, 0)
            .map_err(|e| refused(e.into()))?;
        patch.due_date =
            Some(dossier::resumed_due_date(calendar, due, paused, resumed).map_err(refused)?);
        for s in steps_in_tx(tx, before.id).await? {
            if s.finished_on.is_some() {
                continue;
            }
            let moved = dossier::resumed_due_date(calendar, s.due_date, paused, resumed)
                .map_err(refused)?;
            on_tx!(tx, conn => {
                sqlx::query("UPDATE dossier_steps SET due_date = $1 WHERE id = $2").bind(moved).bind(s.id).execute(&mut *conn).await?;
            });
        }
    }
    Ok(patch)
}

/// Asks the applicant to pay a fee or financial obligation (status 6): the clock stops on
/// `on` until the payment is confirmed. `amount`, when given, replaces the dossier's fee
/// (in đồng); the fee is then unpaid.
pub async fn request_fee_payment(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    amount: Option<i64>,
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    if amount.is_some_and(|a| a < 0) {
        return Err(StoreError::Invalid("fee_negative".into()));
    }
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::RequestFeePayment)?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        DossierAction::RequestFeePayment.code(),
        status,
        on,
        note,
        Patch {
            paused_on: Some(Some(on)),
            resume_status: Some(Some(before.status())),
            fee: amount,
            fee_paid: Some(false),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The applicant paid: the fee is marked paid, the dossier goes back to where it was and
/// the clock starts again from `on`.
pub async fn confirm_fee_payment(
    db: &Db,
    origin: &Origin,
    calendar: &WorkingCalendar,
    id: i64,
    expected_version: i64,
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::ConfirmFeePayment)?;
    let mut patch = restart_clock(&mut tx, calendar, &before, on).await?;
    patch.fee_paid = Some(true);
    let after = apply(
        &mut tx,
        origin,
        &before,
        DossierAction::ConfirmFeePayment.code(),
        status,
        on,
        note,
        patch,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Stops the handling (status 8) for the reason given; the clock stops on `on` until the
/// dossier resumes.
pub async fn stop(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    reason: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::Stop)?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        DossierAction::Stop.code(),
        status,
        on,
        reason,
        Patch {
            paused_on: Some(Some(on)),
            resume_status: Some(Some(before.status())),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A stopped dossier resumes where it was; the clock starts again from `on`.
pub async fn resume(
    db: &Db,
    origin: &Origin,
    calendar: &WorkingCalendar,
    id: i64,
    expected_version: i64,
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::Resume)?;
    let patch = restart_clock(&mut tx, calendar, &before, on).await?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        DossierAction::Resume.code(),
        status,
        on,
        note,
        patch,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn steps_in_tx(tx: &mut Tx, dossier_id: i64) -> StoreResult<Vec<Step>> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_as("SELECT id, position, name, unit_id, days, due_date, finished_on FROM dossier_steps WHERE dossier_id = $1 ORDER BY position")
            .bind(dossier_id).fetch_all(&mut *conn).await?
    }))
}

/// Refuses the dossier with the reasons written to the applicant.
pub async fn refuse(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    reason: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::Refuse)?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        "refuse",
        status,
        on,
        reason,
        Patch {
            refusal_reason: Some(reason.to_owned()),
            paused_on: Some(None),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The applicant withdraws the dossier.
pub async fn withdraw(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::Withdraw)?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        "withdraw",
        status,
        on,
        note,
        Patch {
            paused_on: Some(None),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// An apology slip for a dossier that will be late, with a new date (a working day after
/// the current appointment date). Its timeliness is still judged against the appointment.
pub async fn apologise(
    db: &Db,
    origin: &Origin,
    calendar: &WorkingCalendar,
    id: i64,
    expected_version: i64,
    new_date: NaiveDate,
    reason: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::Apologise)?;
    dossier::require_working_day(calendar, new_date).map_err(refused)?;
    let current = before.apology_date.or(before.due_date);
    if current.is_some_and(|d| new_date <= d) {
        return Err(refused(DossierError::ApologyNotLater));
    }
    let after = apply(
        &mut tx,
        origin,
        &before,
        "apologise",
        status,
        on,
        reason,
        Patch {
            apology: Some((new_date, reason.to_owned())),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The handling unit finishes: the result goes to the desk, and the dossier is classified
/// early, on time or late against its appointment date.
pub async fn finish(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    result_files: &[NewFile],
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::Finish)?;
    let due = before.due_date.unwrap_or(on);
    let timeliness = Timeliness::classify(on, due);
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE dossier_steps SET finished_on = $1 WHERE dossier_id = $2 AND finished_on IS NULL")
            .bind(on).bind(id).execute(&mut *conn).await?;
    });
    attach(&mut tx, id, result_files, "result").await?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        "finish",
        status,
        on,
        note,
        Patch {
            finished: Some((on, timeliness)),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Adds result files to a processed dossier waiting at the desk (a scan of the signed
/// result, a licence): stored in the blob store already, recorded here with an event on the
/// timeline and an audit event. Refused (`dossier_transition`) once the result was returned
/// or before the dossier is processed, and with no file (`result_files_missing`).
pub async fn attach_result(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    files: &[NewFile],
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    if files.is_empty() {
        return Err(StoreError::Invalid("result_files_missing".into()));
    }
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::AttachResult)?;
    attach(&mut tx, id, files, "result").await?;
    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    let note = if note.is_empty() {
        names.join(", ")
    } else {
        format!("{note} ({})", names.join(", "))
    };
    let after = apply(
        &mut tx,
        origin,
        &before,
        DossierAction::AttachResult.code(),
        status,
        on,
        &note,
        Patch::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The desk hands the result to the applicant (and takes the fee if unpaid).
pub async fn return_result(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, Some(expected_version)).await?;
    let status = step(&before, DossierAction::ReturnResult)?;
    let after = apply(
        &mut tx,
        origin,
        &before,
        "return_result",
        status,
        on,
        "",
        Patch {
            returned_on: Some(on),
            fee_paid: Some(true),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The applicant's satisfaction rating, once, after the result was returned or the dossier
/// refused.
pub async fn rate(
    db: &Db,
    origin: &Origin,
    id: i64,
    rating: i64,
    note: &str,
    on: NaiveDate,
) -> StoreResult<Dossier> {
    let rating = dossier::parse_rating(rating).map_err(refused)?;
    let mut tx = db.begin().await?;
    let before = load_for_change(&mut tx, id, None).await?;
    if !matches!(
        before.status(),
        DossierStatus::ResultReturned | DossierStatus::Refused | DossierStatus::Processed
    ) || before.rating.is_some()
    {
        return Err(StoreError::Invalid("rating_not_open".into()));
    }
    let after = apply(
        &mut tx,
        origin,
        &before,
        "rate",
        before.status(),
        on,
        note,
        Patch {
            rating: Some((rating, note.to_owned())),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
