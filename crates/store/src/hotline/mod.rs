//! The pollution hotline: taking reports on every channel, the cases they form, the
//! status steps with their notes, merging duplicates, routing to a province, sharing the
//! reporter's identity (audited), and the province officers.
//!
//! The reporter's identity lives in `hotline_reporters` and is read only by [`reporter`];
//! no list, export, statistic or Open311 query joins that table.

pub mod due_days;
pub mod lists;
pub mod open311;

use crate::audit::{self, Change, Origin};
use crate::blobs::{self, StoredBlob};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use serde_json::json;
use vanphong_core::hotline::attributes::ReportDetails;
use vanphong_core::hotline::duplicates::{self, Candidate};
use vanphong_core::hotline::{
    CaseStatus, Channel, CompetentLevel, Coordinates, Location, Onset, PollutionKind, Severity,
    TrackingCode,
};
use vanphong_core::ids::{ApiKeyId, AreaId, CaseId, ReportId, UserId};

/// Who reported: the protected part. Every field may be empty (anonymous reports).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reporter {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

impl Reporter {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
            && self.phone.is_empty()
            && self.email.is_empty()
            && self.address.is_empty()
    }
}

/// A file kept as evidence, already stored and checked.
#[derive(Clone, Debug)]
pub struct NewEvidence {
    pub blob: StoredBlob,
    pub file_name: String,
}

/// A report as taken, already parsed.
#[derive(Clone, Debug)]
pub struct NewReport {
    pub channel: Channel,
    pub kind: PollutionKind,
    pub description: String,
    pub details: ReportDetails,
    pub other_information: String,
    pub location: Location,
    pub inter_provincial: bool,
    pub reporter: Reporter,
    pub evidence: Vec<NewEvidence>,
    /// Press and social media: the article's address, the outlet, the publication date.
    pub source_url: String,
    pub outlet: String,
    pub published_on: Option<NaiveDate>,
    pub api_key_id: Option<ApiKeyId>,
    pub received_by: Option<UserId>,
    pub received_at: DateTime<Utc>,
    /// The due date of a new case (working days from the reception, computed by the caller).
    pub due_date: NaiveDate,
    /// Add the report to this existing case instead of opening a new one (the operator
    /// accepted a suggested duplicate at intake).
    pub join_case: Option<CaseId>,
}

/// What the reporter is given back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub report_id: ReportId,
    pub case_id: CaseId,
    pub tracking_code: TrackingCode,
}

/// A case, as the people allowed to open it see it.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub id: CaseId,
    pub kind: PollutionKind,
    pub status: CaseStatus,
    pub title: String,
    pub province_id: Option<AreaId>,
    pub province_name: Option<String>,
    pub commune_id: Option<AreaId>,
    pub commune_name: Option<String>,
    pub address: String,
    pub coordinates: Option<Coordinates>,
    pub inter_provincial: bool,
    pub routed_to: CompetentLevel,
    pub routed_name: Option<String>,
    pub due_date: NaiveDate,
    pub received_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub handled_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub merged_into: Option<CaseId>,
    pub identity_shared: bool,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub report_count: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    kind: String,
    status: String,
    title: String,
    province_id: Option<i64>,
    province_name: Option<String>,
    commune_id: Option<i64>,
    commune_name: Option<String>,
    address: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    inter_provincial: bool,
    routed_province_id: Option<i64>,
    routed_name: Option<String>,
    due_date: NaiveDate,
    received_at: DateTime<Utc>,
    verified_at: Option<DateTime<Utc>>,
    handled_at: Option<DateTime<Utc>>,
    responded_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    merged_into: Option<i64>,
    identity_shared: bool,
    version: i64,
    updated_at: DateTime<Utc>,
    report_count: i64,
}

fn corrupt(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Other(anyhow::Error::new(e))
}

fn coordinates(latitude: Option<f64>, longitude: Option<f64>) -> Option<Coordinates> {
    match (latitude, longitude) {
        (Some(lat), Some(long)) => Coordinates::new(lat, long).ok(),
        _ => None,
    }
}

impl TryFrom<CaseRow> for Case {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> StoreResult<Self> {
        Ok(Case {
            id: CaseId(r.id),
            kind: PollutionKind::parse(&r.kind).map_err(corrupt)?,
            status: CaseStatus::parse(&r.status).map_err(corrupt)?,
            title: r.title,
            province_id: r.province_id.map(AreaId),
            province_name: r.province_name,
            commune_id: r.commune_id.map(AreaId),
            commune_name: r.commune_name,
            address: r.address,
            coordinates: coordinates(r.latitude, r.longitude),
            inter_provincial: r.inter_provincial,
            routed_to: match r.routed_province_id {
                Some(p) => CompetentLevel::Province(AreaId(p)),
                None => CompetentLevel::Central,
            },
            routed_name: r.routed_name,
            due_date: r.due_date,
            received_at: r.received_at,
            verified_at: r.verified_at,
            handled_at: r.handled_at,
            responded_at: r.responded_at,
            closed_at: r.closed_at,
            merged_into: r.merged_into.map(CaseId),
            identity_shared: r.identity_shared,
            version: r.version,
            updated_at: r.updated_at,
            report_count: r.report_count,
        })
    }
}

pub(crate) const CASE_SELECT: &str = "SELECT c.id, c.kind, c.status, c.title, c.province_id, pa.name AS province_name, \
     c.commune_id, ca.name AS commune_name, c.address, c.latitude, c.longitude, c.inter_provincial, \
     c.routed_province_id, ra.name AS routed_name, c.due_date, c.received_at, c.verified_at, c.handled_at, \
     c.responded_at, c.closed_at, c.merged_into, c.identity_shared, c.version, c.updated_at, \
     (SELECT COUNT(*) FROM hotline_reports cr WHERE cr.case_id = c.id) AS report_count \
     FROM hotline_cases c LEFT JOIN admin_areas pa ON pa.id = c.province_id \
     LEFT JOIN admin_areas ca ON ca.id = c.commune_id LEFT JOIN admin_areas ra ON ra.id = c.routed_province_id";

/// A report, without its reporter.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub id: ReportId,
    pub case_id: CaseId,
    pub tracking_code: String,
    pub channel: Channel,
    pub kind: PollutionKind,
    pub description: String,
    pub onset: Option<Onset>,
    pub severity: Option<Severity>,
    pub signs: Vec<String>,
    pub observed_at: Option<DateTime<Utc>>,
    pub polluter: String,
    pub affected_people: Option<i64>,
    pub extent: String,
    pub other_information: String,
    pub province_id: Option<AreaId>,
    pub commune_id: Option<AreaId>,
    pub address: String,
    pub coordinates: Option<Coordinates>,
    pub source_url: String,
    pub outlet: String,
    pub published_on: Option<NaiveDate>,
    pub received_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    case_id: i64,
    tracking_code: String,
    channel: String,
    kind: String,
    description: String,
    onset: Option<String>,
    severity: Option<String>,
    signs: String,
    observed_at: Option<DateTime<Utc>>,
    polluter: String,
    affected_people: Option<i64>,
    extent: String,
    other_information: String,
    province_id: Option<i64>,
    commune_id: Option<i64>,
    address: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    source_url: String,
    outlet: String,
    published_on: Option<NaiveDate>,
    received_at: DateTime<Utc>,
}

impl TryFrom<ReportRow> for Report {
    type Error = StoreError;
    fn try_from(r: ReportRow) -> StoreResult<Self> {
        Ok(Report {
            id: ReportId(r.id),
            case_id: CaseId(r.case_id),
            tracking_code: r.tracking_code,
            channel: Channel::parse(&r.channel).map_err(corrupt)?,
            kind: PollutionKind::parse(&r.kind).map_err(corrupt)?,
            description: r.description,
            onset: r.onset.as_deref().and_then(|o| Onset::parse(o).ok()),
            severity: r.severity.as_deref().and_then(|s| Severity::parse(s).ok()),
            signs: r
                .signs
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            observed_at: r.observed_at,
            polluter: r.polluter,
            affected_people: r.affected_people,
            extent: r.extent,
            other_information: r.other_information,
            province_id: r.province_id.map(AreaId),
            commune_id: r.commune_id.map(AreaId),
            address: r.address,
            coordinates: coordinates(r.latitude, r.longitude),
            source_url: r.source_url,
            outlet: r.outlet,
            published_on: r.published_on,
            received_at: r.received_at,
        })
    }
}

const REPORT_COLUMNS: &str = "id, case_id, tracking_code, channel, kind, description, onset, severity, signs, \
     observed_at, polluter, affected_people, extent, other_information, province_id, commune_id, address, \
     latitude, longitude, source_url, outlet, published_on, received_at";

/// One step of a case's history.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Step {
    pub id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    pub actor_label: String,
    pub at: DateTime<Utc>,
}

/// An evidence file of a report.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Evidence {
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

fn new_tracking_code() -> TrackingCode {
    let mut rng = rand::thread_rng();
    let mut indexes = [0u8; 8];
    for i in &mut indexes {
        *i = rng.gen_range(0..vanphong_core::hotline::TRACKING_ALPHABET.len() as u8);
    }
    TrackingCode::from_indexes(indexes)
}

/// A case's title: the start of the first report's description.
fn title_of(description: &str) -> String {
    let line = description.lines().next().unwrap_or_default();
    let mut title: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        title.push('…');
    }
    title
}

/// Takes a report: a new case (or the case it joins), the report, the reporter in the
/// protected table, the evidence, the first step and the audit event, in one transaction.
pub async fn submit(db: &Db, origin: &Origin, new: &NewReport) -> StoreResult<Submitted> {
    let mut tx = db.begin().await?;
    let submitted = submit_in_tx(&mut tx, origin, new).await?;
    tx.commit().await?;
    Ok(submitted)
}

pub async fn submit_in_tx(tx: &mut Tx, origin: &Origin, new: &NewReport) -> StoreResult<Submitted> {
    let now = new.received_at;
    let location = &new.location;
    let (latitude, longitude) = match location.coordinates {
        Some(c) => (Some(c.latitude), Some(c.longitude)),
        None => (None, None),
    };
    let case_id = match new.join_case {
        Some(case_id) => {
            let status: Option<String> = on_tx!(&mut *tx, conn => {
                sqlx::query_scalar("SELECT status FROM hotline_cases WHERE id = $1")
                    .bind(case_id.0)
                    .fetch_optional(&mut *conn)
                    .await?
            });
            let status = status.ok_or(StoreError::NotFound)?;
            if CaseStatus::parse(&status).map_err(corrupt)?.is_final() {
                return Err(StoreError::Invalid("hotline_case_final".into()));
            }
            case_id
        }
        None => {
            let routed = CompetentLevel::route(location.province, new.inter_provincial);
            let id: i64 = on_tx!(&mut *tx, conn => {
                sqlx::query_scalar(
                    "INSERT INTO hotline_cases (kind, status, title, province_id, commune_id, address, latitude, longitude, \
                     inter_provincial, routed_province_id, due_date, received_at, updated_at) \
                     VALUES ($1, 'received', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                )
                .bind(new.kind.code())
                .bind(title_of(&new.description))
                .bind(location.province.map(|p| p.0))
                .bind(location.commune.map(|c| c.0))
                .bind(&location.address)
                .bind(latitude)
                .bind(longitude)
                .bind(new.inter_provincial)
                .bind(routed.province().map(|p| p.0))
                .bind(new.due_date)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
            });
            insert_step(
                tx,
                origin,
                CaseId(id),
                None,
                CaseStatus::Received,
                &format!("channel:{}", new.channel.code()),
                now,
            )
            .await?;
            CaseId(id)
        }
    };
    let search_key = vanphong_core::text::fold(&new.description);
    let signs = new.details.signs.join(",");
    let mut inserted = None;
    for _ in 0..5 {
        let code = new_tracking_code();
        let id: Option<i64> = on_tx!(&mut *tx, conn => {
            sqlx::query_scalar(
                "INSERT INTO hotline_reports (case_id, tracking_code, channel, kind, description, search_key, onset, severity, \
                 signs, observed_at, polluter, affected_people, extent, other_information, province_id, commune_id, address, \
                 latitude, longitude, source_url, outlet, published_on, api_key_id, received_by, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
                 $23, $24, $25) ON CONFLICT (tracking_code) DO NOTHING RETURNING id",
            )
            .bind(case_id.0)
            .bind(code.as_str())
            .bind(new.channel.code())
            .bind(new.kind.code())
            .bind(&new.description)
            .bind(&search_key)
            .bind(new.details.onset.map(|o| o.code()))
            .bind(new.details.severity.map(|s| s.code()))
            .bind(&signs)
            .bind(new.details.observed_at)
            .bind(&new.details.polluter)
            .bind(new.details.affected_people)
            .bind(&new.details.extent)
            .bind(&new.other_information)
            .bind(location.province.map(|p| p.0))
            .bind(location.commune.map(|c| c.0))
            .bind(&location.address)
            .bind(latitude)
            .bind(longitude)
            .bind(&new.source_url)
            .bind(&new.outlet)
            .bind(new.published_on)
            .bind(new.api_key_id.map(|k| k.0))
            .bind(new.received_by.map(|u| u.0))
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        });
        if let Some(id) = id {
            inserted = Some((ReportId(id), code));
            break;
        }
    }
    let (report_id, tracking_code) =
        inserted.ok_or_else(|| StoreError::Other(anyhow::anyhow!("no free tracking code")))?;
    if !new.reporter.is_empty() {
        let r = &new.reporter;
        on_tx!(&mut *tx, conn => {
            sqlx::query("INSERT INTO hotline_reporters (report_id, name, phone, email, address) VALUES ($1, $2, $3, $4, $5)")
                .bind(report_id.0)
                .bind(&r.name)
                .bind(&r.phone)
                .bind(&r.email)
                .bind(&r.address)
                .execute(&mut *conn)
                .await?;
        });
    }
    for evidence in &new.evidence {
        blobs::record(tx, &evidence.blob).await?;
        on_tx!(&mut *tx, conn => {
            sqlx::query(
                "INSERT INTO hotline_evidence (report_id, sha256, file_name) VALUES ($1, $2, $3) \
                 ON CONFLICT (report_id, sha256) DO NOTHING",
            )
            .bind(report_id.0)
            .bind(&evidence.blob.sha256)
            .bind(&evidence.file_name)
            .execute(&mut *conn)
            .await?;
        });
    }
    if new.join_case.is_some() {
        touch_case(tx, case_id, now).await?;
    }
    crate::search::hotline::index_cases(tx, &[case_id.0]).await?;
    // The audit event names the channel, kind and case; never the reporter.
    audit::append(
        tx,
        origin,
        Change {
            action: "hotline.report",
            object_kind: "hotline_report",
            object_id: report_id.to_string(),
            before: None,
            after: Some(json!({"case_id": case_id.0, "channel": new.channel.code(), "kind": new.kind.code(),
                               "description": new.description, "evidence": new.evidence.iter().map(|e| &e.blob.sha256).collect::<Vec<_>>()})),
            details: json!({"case_id": case_id.0, "channel": new.channel.code(), "kind": new.kind.code(),
                            "joined_case": new.join_case.is_some(), "evidence": new.evidence.len()}),
        },
    )
    .await?;
    Ok(Submitted {
        report_id,
        case_id,
        tracking_code,
    })
}

async fn touch_case(tx: &mut Tx, case_id: CaseId, now: DateTime<Utc>) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE hotline_cases SET updated_at = $1, version = version + 1 WHERE id = $2")
            .bind(now)
            .bind(case_id.0)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

async fn insert_step(
    tx: &mut Tx,
    origin: &Origin,
    case_id: CaseId,
    from: Option<CaseStatus>,
    to: CaseStatus,
    note: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO hotline_steps (case_id, from_status, to_status, note, actor_user_id, actor_label, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(case_id.0)
        .bind(from.map(|f| f.code()))
        .bind(to.code())
        .bind(note)
        .bind(origin.user_id.map(|u| u.0))
        .bind(&origin.label)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE hotline_cases SET last_note = $1 WHERE id = $2")
            .bind(note)
            .bind(case_id.0)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

pub async fn case(db: &Db, id: CaseId) -> StoreResult<Case> {
    let row: CaseRow = on_pool!(db, pool => {
        sqlx::query_as(&format!("{CASE_SELECT} WHERE c.id = $1"))
            .bind(id.0)
            .fetch_one(pool)
            .await?
    });
    row.try_into()
}

async fn case_in_tx(tx: &mut Tx, id: CaseId) -> StoreResult<Case> {
    let lock = if matches!(tx, Tx::Postgres(_)) {
        " FOR UPDATE OF c"
    } else {
        ""
    };
    let row: CaseRow = on_tx!(tx, conn => {
        sqlx::query_as(&format!("{CASE_SELECT} WHERE c.id = $1{lock}"))
            .bind(id.0)
            .fetch_one(&mut *conn)
            .await?
    });
    row.try_into()
}

pub async fn reports_of_case(db: &Db, case_id: CaseId) -> StoreResult<Vec<Report>> {
    let rows: Vec<ReportRow> = on_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {REPORT_COLUMNS} FROM hotline_reports WHERE case_id = $1 ORDER BY id"))
            .bind(case_id.0)
            .fetch_all(pool)
            .await?
    });
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn report(db: &Db, id: ReportId) -> StoreResult<Report> {
    let row: ReportRow = on_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {REPORT_COLUMNS} FROM hotline_reports WHERE id = $1"))
            .bind(id.0)
            .fetch_one(pool)
            .await?
    });
    row.try_into()
}

pub async fn report_by_tracking_code(db: &Db, code: &TrackingCode) -> StoreResult<Report> {
    let row: ReportRow = on_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {REPORT_COLUMNS} FROM hotline_reports WHERE tracking_code = $1"))
            .bind(code.as_str())
            .fetch_one(pool)
            .await?
    });
    row.try_into()
}

/// The reporter of a report: the protected part. Callers check
/// `HotlineAccess::sees_identity` first.
pub async fn reporter(db: &Db, report_id: ReportId) -> StoreResult<Option<Reporter>> {
    let row: Option<(String, String, String, String)> = on_pool!(db, pool => {
        sqlx::query_as("SELECT name, phone, email, address FROM hotline_reporters WHERE report_id = $1")
            .bind(report_id.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(name, phone, email, address)| Reporter {
        name,
        phone,
        email,
        address,
    }))
}

pub async fn evidence(db: &Db, report_id: ReportId) -> StoreResult<Vec<Evidence>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT e.sha256, e.file_name, b.content_type, b.size FROM hotline_evidence e \
             JOIN blobs b ON b.sha256 = e.sha256 WHERE e.report_id = $1 ORDER BY e.file_name",
        )
        .bind(report_id.0)
        .fetch_all(pool)
        .await?
    }))
}

/// The report a blob is evidence of, if it is (for downloads through the case's rules).
pub async fn evidence_report(
    db: &Db,
    case_id: CaseId,
    sha256: &str,
) -> StoreResult<Option<(ReportId, String)>> {
    let row: Option<(i64, String)> = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT e.report_id, e.file_name FROM hotline_evidence e JOIN hotline_reports r ON r.id = e.report_id \
             WHERE r.case_id = $1 AND e.sha256 = $2 LIMIT 1",
        )
        .bind(case_id.0)
        .bind(sha256)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(|(id, name)| (ReportId(id), name)))
}

pub async fn steps(db: &Db, case_id: CaseId) -> StoreResult<Vec<Step>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT id, from_status, to_status, note, actor_label, at FROM hotline_steps WHERE case_id = $1 ORDER BY id",
        )
        .bind(case_id.0)
        .fetch_all(pool)
        .await?
    }))
}

/// Moves a case one step, with a note. `version` is the case's version the person saw:
/// a step taken meanwhile by someone else makes this one fail with `Stale`.
pub async fn step(
    db: &Db,
    origin: &Origin,
    case_id: CaseId,
    version: i64,
    to: CaseStatus,
    note: &str,
) -> StoreResult<Case> {
    step_at(db, origin, case_id, version, to, note, crate::now()).await
}

/// [`step`] at a given moment (imports and the demo's past year). Steps are recorded in
/// the order they are taken; `at` is not checked against earlier steps.
pub async fn step_at(
    db: &Db,
    origin: &Origin,
    case_id: CaseId,
    version: i64,
    to: CaseStatus,
    note: &str,
    now: DateTime<Utc>,
) -> StoreResult<Case> {
    let mut tx = db.begin().await?;
    let before = case_in_tx(&mut tx, case_id).await?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    before
        .status
        .step(to, note)
        .map_err(|e| StoreError::Invalid(e.code().into()))?;
    let column = match to {
        CaseStatus::Verified => Some("verified_at"),
        CaseStatus::Handled => Some("handled_at"),
        CaseStatus::Responded => Some("responded_at"),
        s if s.is_final() => Some("closed_at"),
        _ => None,
    };
    let set_time = column.map(|c| format!(", {c} = $1")).unwrap_or_default();
    on_tx!(&mut tx, conn => {
        sqlx::query(&format!(
            "UPDATE hotline_cases SET status = $2, updated_at = $1, version = version + 1{set_time} WHERE id = $3"
        ))
        .bind(now)
        .bind(to.code())
        .bind(case_id.0)
        .execute(&mut *conn)
        .await?;
    });
    insert_step(&mut tx, origin, case_id, Some(before.status), to, note, now).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "hotline.step",
            object_kind: "hotline_case",
            object_id: case_id.to_string(),
            before: Some(json!({"status": before.status.code()})),
            after: Some(json!({"status": to.code()})),
            details: json!({"from": before.status.code(), "to": to.code(), "note": note}),
        },
    )
    .await?;
    let after = case_in_tx(&mut tx, case_id).await?;
    tx.commit().await?;
    Ok(after)
}

/// Merges case `duplicate` into `into`: its reports move over, it becomes "duplicate"
/// and points at the case it joined.
pub async fn merge(
    db: &Db,
    origin: &Origin,
    duplicate: CaseId,
    into: CaseId,
    note: &str,
) -> StoreResult<Case> {
    if duplicate == into {
        return Err(StoreError::Invalid("hotline_merge_same".into()));
    }
    let mut tx = db.begin().await?;
    // Lock both rows in id order, so two merges never wait on each other.
    let (first, second) = if duplicate.0 < into.0 {
        (duplicate, into)
    } else {
        (into, duplicate)
    };
    let a = case_in_tx(&mut tx, first).await?;
    let b = case_in_tx(&mut tx, second).await?;
    let (source, target) = if a.id == duplicate { (a, b) } else { (b, a) };
    if target.status.is_final() {
        return Err(StoreError::Invalid("hotline_case_final".into()));
    }
    source
        .status
        .step(CaseStatus::Duplicate, note)
        .map_err(|e| StoreError::Invalid(e.code().into()))?;
    let now = crate::now();
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE hotline_reports SET case_id = $1 WHERE case_id = $2")
            .bind(into.0)
            .bind(duplicate.0)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE hotline_cases SET status = 'duplicate', merged_into = $1, closed_at = $2, updated_at = $2, \
             version = version + 1 WHERE id = $3",
        )
        .bind(into.0)
        .bind(now)
        .bind(duplicate.0)
        .execute(&mut *conn)
        .await?;
    });
    touch_case(&mut tx, into, now).await?;
    // The reports moved: both cases' entries change.
    crate::search::hotline::index_cases(&mut tx, &[duplicate.0, into.0]).await?;
    insert_step(
        &mut tx,
        origin,
        duplicate,
        Some(source.status),
        CaseStatus::Duplicate,
        note,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "hotline.merge",
            object_kind: "hotline_case",
            object_id: duplicate.to_string(),
            before: Some(json!({"status": source.status.code()})),
            after: Some(json!({"status": "duplicate", "merged_into": into.0})),
            details: json!({"into": into.0, "note": note}),
        },
    )
    .await?;
    let merged = case_in_tx(&mut tx, into).await?;
    tx.commit().await?;
    Ok(merged)
}

/// Names the province (and whether the case crosses provinces), which decides who
/// handles it; the due date is kept.
pub async fn route(
    db: &Db,
    origin: &Origin,
    case_id: CaseId,
    version: i64,
    province: Option<AreaId>,
    inter_provincial: bool,
    note: &str,
) -> StoreResult<Case> {
    if note.trim().is_empty() {
        return Err(StoreError::Invalid("hotline_note_missing".into()));
    }
    let mut tx = db.begin().await?;
    let before = case_in_tx(&mut tx, case_id).await?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    if before.status.is_final() {
        return Err(StoreError::Invalid("hotline_case_final".into()));
    }
    let routed = CompetentLevel::route(province, inter_provincial);
    let now = crate::now();
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE hotline_cases SET province_id = $1, inter_provincial = $2, routed_province_id = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5",
        )
        .bind(province.map(|p| p.0))
        .bind(inter_provincial)
        .bind(routed.province().map(|p| p.0))
        .bind(now)
        .bind(case_id.0)
        .execute(&mut *conn)
        .await?;
    });
    insert_step(
        &mut tx,
        origin,
        case_id,
        Some(before.status),
        before.status,
        note,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "hotline.route",
            object_kind: "hotline_case",
            object_id: case_id.to_string(),
            before: Some(json!({"routed_province_id": before.routed_to.province().map(|p| p.0)})),
            after: Some(json!({"routed_province_id": routed.province().map(|p| p.0)})),
            details: json!({"province_id": province.map(|p| p.0), "inter_provincial": inter_provincial, "note": note}),
        },
    )
    .await?;
    let after = case_in_tx(&mut tx, case_id).await?;
    tx.commit().await?;
    Ok(after)
}

/// An operator lets the province see the reporters' identities of a case. The decision
/// and its reason are in the audit trail.
pub async fn share_identity(
    db: &Db,
    origin: &Origin,
    case_id: CaseId,
    reason: &str,
) -> StoreResult<()> {
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid("hotline_note_missing".into()));
    }
    let mut tx = db.begin().await?;
    let before = case_in_tx(&mut tx, case_id).await?;
    let now = crate::now();
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE hotline_cases SET identity_shared = $1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(true)
            .bind(now)
            .bind(case_id.0)
            .execute(&mut *conn)
            .await?;
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "hotline.share_identity",
            object_kind: "hotline_case",
            object_id: case_id.to_string(),
            before: Some(json!({"identity_shared": before.identity_shared})),
            after: Some(json!({"identity_shared": true})),
            details: json!({"reason": reason, "routed_province_id": before.routed_to.province().map(|p| p.0)}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The province a user is an officer of, if any.
pub async fn officer_province(db: &Db, user: UserId) -> StoreResult<Option<AreaId>> {
    let found: Option<i64> = on_pool!(db, pool => {
        sqlx::query_scalar("SELECT province_id FROM hotline_officers WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(found.map(AreaId))
}

/// Makes `user` an officer of `province`'s environment department (or no longer one).
pub async fn set_officer(
    db: &Db,
    origin: &Origin,
    user: UserId,
    province: Option<AreaId>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM hotline_officers WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *conn)
            .await?;
        if let Some(p) = province {
            sqlx::query("INSERT INTO hotline_officers (user_id, province_id) VALUES ($1, $2)")
                .bind(user.0)
                .bind(p.0)
                .execute(&mut *conn)
                .await?;
        }
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "hotline.set_officer",
            object_kind: "user",
            object_id: user.to_string(),
            before: None,
            after: Some(json!({"province_id": province.map(|p| p.0)})),
            details: json!({"province_id": province.map(|p| p.0)}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The officers and their provinces: (user id, user name, full name, province name).
pub async fn officers(db: &Db) -> StoreResult<Vec<(i64, String, String, String)>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT u.id, u.username, u.full_name, a.name FROM hotline_officers o JOIN users u ON u.id = o.user_id \
             JOIN admin_areas a ON a.id = o.province_id ORDER BY a.name, u.username",
        )
        .fetch_all(pool)
        .await?
    }))
}

/// An earlier case that may be the same incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub case_id: CaseId,
    pub title: String,
    pub status: CaseStatus,
    pub received_at: DateTime<Utc>,
    pub score: f64,
}

#[derive(sqlx::FromRow)]
struct SuggestionRow {
    id: i64,
    title: String,
    status: String,
    province_id: Option<i64>,
    commune_id: Option<i64>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    received_at: DateTime<Utc>,
    description: Option<String>,
}

/// Open cases of the same kind from the last weeks that may be the incident `new`
/// describes, best first (at most `limit`).
pub async fn suggest_duplicates(
    db: &Db,
    new: &Candidate<'_>,
    exclude: Option<CaseId>,
    limit: usize,
) -> StoreResult<Vec<Suggestion>> {
    let since = new.received_at - chrono::Duration::days(duplicates::WINDOW_DAYS);
    let rows: Vec<SuggestionRow> = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT c.id, c.title, c.status, c.province_id, c.commune_id, c.latitude, c.longitude, c.received_at, \
             (SELECT r.description FROM hotline_reports r WHERE r.case_id = c.id ORDER BY r.id LIMIT 1) AS description \
             FROM hotline_cases c WHERE c.kind = $1 AND c.received_at >= $2 AND c.id <> $3 \
             AND c.status NOT IN ('closed', 'not_competent', 'rejected', 'duplicate') ORDER BY c.received_at DESC LIMIT 500",
        )
        .bind(new.kind.code())
        .bind(since)
        .bind(exclude.map(|c| c.0).unwrap_or(0))
        .fetch_all(pool)
        .await?
    });
    let new_words = duplicates::words(new.text);
    let mut found: Vec<Suggestion> = rows
        .into_iter()
        .filter_map(|r| {
            let text = format!(
                "{} {}",
                r.title,
                r.description.as_deref().unwrap_or_default()
            );
            let earlier = Candidate {
                kind: new.kind,
                province: r.province_id.map(AreaId),
                commune: r.commune_id.map(AreaId),
                coordinates: coordinates(r.latitude, r.longitude),
                received_at: r.received_at,
                text: &text,
            };
            let score = duplicates::score(new, &earlier, &new_words)?;
            Some(Suggestion {
                case_id: CaseId(r.id),
                title: r.title,
                status: CaseStatus::parse(&r.status).ok()?,
                received_at: r.received_at,
                score,
            })
        })
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(limit);
    Ok(found)
}
