//! The registers of Decree 30/2020 (Appendix IV): the incoming register (sổ đăng ký văn
//! bản đến), the outgoing register (sổ đăng ký văn bản đi) and the incoming follow-up book
//! (sổ theo dõi giải quyết văn bản đến), for any period, always inside the reader's scope,
//! so a printed book never shows a record the reader could not open.
//!
//! Incoming rows are ordered by arrival number within each arrival year, outgoing rows by
//! issue number within each issue year. The queries return what each column needs; the
//! web crate formats the cells.

use super::scope_condition;
use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::permission::ReadScope;

/// Which book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Register {
    Incoming,
    Outgoing,
    FollowUp,
}

impl Register {
    pub const ALL: [Register; 3] = [Self::Incoming, Self::Outgoing, Self::FollowUp];

    /// The stable code used in URLs and file names.
    pub fn code(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
            Self::FollowUp => "follow-up",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// What a register shows: the documents that arrived (incoming, follow-up) or were
/// issued (outgoing) from `from` to `to` inclusive, optionally only those of one unit
/// (kept by it, or assigned to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisterFilter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub unit: Option<UnitId>,
}

/// A row of the incoming register.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct IncomingEntry {
    pub document_id: i64,
    pub arrival_date: Option<NaiveDate>,
    pub arrival_year: Option<i64>,
    pub arrival_number: Option<i64>,
    /// The sending organisation, our own sending unit, or the name written by the clerk.
    pub sender: String,
    pub number_symbol: Option<String>,
    pub document_date: Option<NaiveDate>,
    pub type_code: String,
    pub subject: String,
    pub urgency: i64,
    pub secrecy: i64,
    /// The incoming status (`registered`, `awaiting_instruction`, `in_progress`, `done`).
    pub status: String,
    /// The lead unit of the current routing and its handler, if routed.
    pub lead_unit: Option<String>,
    pub handler: Option<String>,
    /// The leader the document was put before, while it awaits routing.
    pub leader: Option<String>,
    /// The unit that received and keeps the document.
    pub owner_unit: Option<String>,
    /// When the document was first passed on to a unit (its first assignment).
    pub passed_on: Option<DateTime<Utc>>,
    pub notes: String,
}

/// A row of the incoming follow-up book.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FollowUpEntry {
    pub document_id: i64,
    pub arrival_date: Option<NaiveDate>,
    pub arrival_year: Option<i64>,
    pub arrival_number: Option<i64>,
    pub sender: String,
    pub number_symbol: Option<String>,
    pub document_date: Option<NaiveDate>,
    pub type_code: String,
    pub subject: String,
    pub urgency: i64,
    pub secrecy: i64,
    pub status: String,
    pub lead_unit: Option<String>,
    pub handler: Option<String>,
    pub leader: Option<String>,
    pub owner_unit: Option<String>,
    /// The lead assignment's due date, else the deadline the sender set.
    pub due_date: Option<NaiveDate>,
    /// The lead assignment's status (`assigned`, `handler_assigned`, `in_progress`,
    /// `done`, `returned`), if routed.
    pub lead_status: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The latest progress note of the lead assignment.
    pub last_note: Option<String>,
    pub last_note_percent: Option<i64>,
    pub last_note_at: Option<DateTime<Utc>>,
    /// The number and symbol of the reply: the document the lead unit named when it
    /// finished, else the latest issued outgoing document linked as `reply_to`. A reply
    /// above the reader's clearance is not shown.
    pub reply_number_symbol: Option<String>,
    pub notes: String,
}

/// A row of the outgoing register.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutgoingEntry {
    pub document_id: i64,
    pub series_id: Option<i64>,
    pub issue_year: Option<i64>,
    pub number: Option<i64>,
    pub number_symbol: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub document_date: Option<NaiveDate>,
    pub type_code: String,
    pub subject: String,
    pub urgency: i64,
    pub secrecy: i64,
    /// `issued` or `recalled`.
    pub status: String,
    pub signer_name: String,
    pub signer_position: String,
    pub signing_authority: String,
    /// "Nơi nhận" as planned on the draft; empty when it was never written, in which
    /// case [`OutgoingEntry::dispatched_to`] lists the recipients actually sent to.
    pub recipients_text: String,
    /// The unit that drafted the document and keeps the file copy.
    pub file_unit: Option<String>,
    pub copies: Option<i64>,
    /// When it was first sent (the earliest dispatch at issue).
    pub sent_at: Option<DateTime<Utc>>,
    pub notes: String,
    /// Filled by [`outgoing`]: the names of the units and organisations it was sent to.
    #[sqlx(skip)]
    pub dispatched_to: Vec<String>,
}

/// The condition of the incoming register and the follow-up book on alias `d`:
/// `$1`, `$2` the period, `$3` the unit or NULL, and the reader's scope.
fn incoming_where(scope: &ReadScope, user: UserId) -> String {
    format!(
        "d.direction = 'incoming' AND d.arrival_date >= $1 AND d.arrival_date <= $2 AND {} AND {UNIT_CONDITION}",
        scope_condition(scope, user)
    )
}

fn outgoing_where(scope: &ReadScope, user: UserId) -> String {
    format!(
        "d.direction = 'outgoing' AND d.number IS NOT NULL AND d.issued_on >= $1 AND d.issued_on <= $2 \
         AND {} AND {UNIT_CONDITION}",
        scope_condition(scope, user)
    )
}

const UNIT_CONDITION: &str = "($3 IS NULL OR d.owner_unit_id = $3 \
    OR EXISTS (SELECT 1 FROM assignments fa WHERE fa.document_id = d.id AND fa.unit_id = $3))";

const INCOMING_ORDER: &str = "ORDER BY d.arrival_year, d.arrival_number, d.id";
const OUTGOING_ORDER: &str = "ORDER BY d.issue_year, d.number, d.series_id, d.id";

/// The incoming rows of one page with their lead assignment and names, as alias `d`.
///
/// The page is cut first; the per-document lookups (the lead assignment `lead_id`, then
/// the `derived` columns, which may use `q.id` and `q.lead_id`) are computed for its rows
/// only, each from one table by an indexed column, and then joined by primary key. The
/// plan stays linear however large the period, even on PostgreSQL before the tables have
/// statistics (a lookup that joins two tables or orders by an indexed column can be
/// planned as a scan of the whole table for every row).
fn incoming_rows(
    scope: &ReadScope,
    user: UserId,
    derived: &str,
    offset: i64,
    limit: i64,
) -> String {
    format!(
        "(SELECT q.*{derived} FROM \
             (SELECT p.*, (SELECT a.id FROM assignments a WHERE a.document_id = p.id AND a.role = 'lead' \
                 ORDER BY CASE WHEN a.status = 'returned' THEN 1 ELSE 0 END, a.id DESC LIMIT 1) AS lead_id \
              FROM (SELECT d.* FROM documents d WHERE {condition} {INCOMING_ORDER} {page}) p) q) d \
         LEFT JOIN assignments la ON la.id = d.lead_id \
         LEFT JOIN units lu ON lu.id = la.unit_id \
         LEFT JOIN users lh ON lh.id = la.handler_user_id \
         LEFT JOIN users ld ON ld.id = d.leader_user_id \
         LEFT JOIN units ou ON ou.id = d.owner_unit_id \
         LEFT JOIN organisations so ON so.id = d.sender_organisation_id \
         LEFT JOIN units su ON su.id = d.sender_unit_id",
        condition = incoming_where(scope, user),
        page = page_clause(offset, limit),
    )
}

const INCOMING_COLUMNS: &str = "d.id AS document_id, d.arrival_date, d.arrival_year, d.arrival_number, \
    COALESCE(so.name, su.name, d.sender_name) AS sender, d.number_symbol, d.document_date, d.type_code, d.subject, \
    d.urgency, d.secrecy, d.status, lu.name AS lead_unit, lh.full_name AS handler, ld.full_name AS leader, \
    ou.name AS owner_unit, d.notes";

fn page_clause(offset: i64, limit: i64) -> String {
    format!(
        "LIMIT {} OFFSET {}",
        limit.clamp(1, 1_000_000),
        offset.max(0)
    )
}

/// A page of the incoming register: `offset` rows skipped, at most `limit` returned.
pub async fn incoming(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    filter: &RegisterFilter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<IncomingEntry>> {
    let passed_on = ", (SELECT a.assigned_at FROM assignments a WHERE a.document_id = q.id \
        ORDER BY a.assigned_at, a.id LIMIT 1) AS passed_on";
    let sql = format!(
        "SELECT {INCOMING_COLUMNS}, d.passed_on FROM {} {INCOMING_ORDER}",
        incoming_rows(scope, user, passed_on, offset, limit)
    );
    Ok(on_pool!(db, pool => {
        sqlx::query_as::<_, IncomingEntry>(&sql)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.unit.map(|u| u.0))
            .fetch_all(pool)
            .await?
    }))
}

/// A page of the incoming follow-up book.
pub async fn follow_up(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    filter: &RegisterFilter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<FollowUpEntry>> {
    let clearance = scope.max_secrecy.rank();
    let last_note = ", (SELECT pn.id FROM progress_notes pn WHERE pn.assignment_id = q.lead_id \
        ORDER BY pn.created_at DESC, pn.id DESC LIMIT 1) AS last_note_id";
    let sql = format!(
        "SELECT {INCOMING_COLUMNS}, COALESCE(la.due_date, d.due_date) AS due_date, la.status AS lead_status, \
         la.finished_at, ln.note AS last_note, ln.percent AS last_note_percent, ln.created_at AS last_note_at, \
         COALESCE( \
             (SELECT r.number_symbol FROM documents r WHERE r.id = la.reply_document_id AND r.secrecy <= {clearance}), \
             (SELECT r.number_symbol FROM document_links l JOIN documents r ON r.id = l.document_id \
                 WHERE l.related_id = d.id AND l.kind = 'reply_to' AND r.direction = 'outgoing' \
                 AND r.number_symbol IS NOT NULL AND r.secrecy <= {clearance} \
                 ORDER BY l.created_at DESC, r.id DESC LIMIT 1) \
         ) AS reply_number_symbol \
         FROM {} LEFT JOIN progress_notes ln ON ln.id = d.last_note_id {INCOMING_ORDER}",
        incoming_rows(scope, user, last_note, offset, limit)
    );
    Ok(on_pool!(db, pool => {
        sqlx::query_as::<_, FollowUpEntry>(&sql)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.unit.map(|u| u.0))
            .fetch_all(pool)
            .await?
    }))
}

/// A page of the outgoing register, with the recipients each document was sent to.
pub async fn outgoing(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    filter: &RegisterFilter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<OutgoingEntry>> {
    let sql = format!(
        "SELECT d.id AS document_id, d.series_id, d.issue_year, d.number, d.number_symbol, d.issued_on, d.document_date, \
         d.type_code, d.subject, d.urgency, d.secrecy, d.status, d.signer_name, d.signer_position, d.signing_authority, \
         d.recipients_text, ou.name AS file_unit, d.copies, \
         (SELECT p.sent_at FROM dispatches p WHERE p.document_id = d.id AND p.method <> 'planned' \
             ORDER BY p.sent_at, p.id LIMIT 1) AS sent_at, d.notes \
         FROM (SELECT d.* FROM documents d WHERE {} {OUTGOING_ORDER} {}) d \
         LEFT JOIN units ou ON ou.id = d.owner_unit_id {OUTGOING_ORDER}",
        outgoing_where(scope, user),
        page_clause(offset, limit)
    );
    let mut entries: Vec<OutgoingEntry> = on_pool!(db, pool => {
        sqlx::query_as::<_, OutgoingEntry>(&sql)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.unit.map(|u| u.0))
            .fetch_all(pool)
            .await?
    });
    let ids: Vec<i64> = entries
        .iter()
        .filter(|e| e.recipients_text.trim().is_empty())
        .map(|e| e.document_id)
        .collect();
    let mut names = dispatched_to(db, &ids).await?;
    for entry in &mut entries {
        if let Some(list) = names.remove(&entry.document_id) {
            entry.dispatched_to = list;
        }
    }
    Ok(entries)
}

/// The names of the recipients each document was sent to, in the order of dispatch.
async fn dispatched_to(db: &Db, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    // Ids are our own integers; chunks keep the statement small for large exports.
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT p.document_id, COALESCE(un.name, o.name, '') FROM dispatches p \
             LEFT JOIN units un ON un.id = p.recipient_unit_id \
             LEFT JOIN organisations o ON o.id = p.recipient_organisation_id \
             WHERE p.document_id IN ({list}) AND p.method <> 'planned' ORDER BY p.document_id, p.id"
        );
        let rows: Vec<(i64, String)> = on_pool!(db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        for (id, name) in rows {
            if !name.is_empty() {
                out.entry(id).or_default().push(name);
            }
        }
    }
    Ok(out)
}

/// How many rows the register has for the filter, inside the scope.
pub async fn count(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    register: Register,
    filter: &RegisterFilter,
) -> StoreResult<i64> {
    let condition = match register {
        Register::Incoming | Register::FollowUp => incoming_where(scope, user),
        Register::Outgoing => outgoing_where(scope, user),
    };
    let sql = format!("SELECT COUNT(*) FROM documents d WHERE {condition}");
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(&sql)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.unit.map(|u| u.0))
            .fetch_one(pool)
            .await?
    }))
}
