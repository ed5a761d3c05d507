//! Official documents: the shared record of incoming and outgoing documents, their
//! attachments, links and views, and the read scope that every query applies.

pub mod counters;
pub mod incoming;
pub mod lists;
pub mod outgoing;
pub mod registers;
pub mod reminders;
pub mod routing;
pub mod tasks;

use crate::db::{Db, Tx};
use crate::error::StoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use vanphong_core::auth::Secrecy;
use vanphong_core::document::kind::{DocumentKind, Urgency};
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::permission::ReadScope;

/// A document as stored. Incoming and outgoing documents share most fields; the ones
/// that belong to one direction are `None` for the other.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub direction: String,
    pub kind: String,
    pub type_code: String,
    pub number: Option<i64>,
    pub symbol: Option<String>,
    pub number_symbol: Option<String>,
    pub duplicate_key: Option<String>,
    pub document_date: Option<NaiveDate>,
    pub subject: String,
    pub pages: Option<i64>,
    pub urgency: i64,
    pub secrecy: i64,
    pub signer_name: String,
    pub signer_position: String,
    pub signing_authority: String,
    pub sender_organisation_id: Option<i64>,
    pub sender_unit_id: Option<i64>,
    pub sender_name: String,
    pub arrival_year: Option<i64>,
    pub arrival_number: Option<i64>,
    pub arrival_date: Option<NaiveDate>,
    pub receipt_acknowledged_at: Option<DateTime<Utc>>,
    pub status: String,
    pub owner_unit_id: Option<i64>,
    pub leader_user_id: Option<i64>,
    pub drafter_user_id: Option<i64>,
    pub series_id: Option<i64>,
    pub issue_year: Option<i64>,
    pub issued_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub petition_source: Option<String>,
    pub deputy_name: String,
    pub recipients_text: String,
    pub copies: Option<i64>,
    pub notes: String,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Document {
    pub fn is_incoming(&self) -> bool {
        self.direction == "incoming"
    }

    pub fn secrecy(&self) -> Secrecy {
        Secrecy::from_rank(self.secrecy).unwrap_or(Secrecy::TopSecret)
    }

    pub fn urgency(&self) -> Urgency {
        Urgency::from_rank(self.urgency).unwrap_or(Urgency::Normal)
    }

    pub fn kind(&self) -> DocumentKind {
        DocumentKind::parse(&self.kind).unwrap_or(DocumentKind::Ordinary)
    }

    pub fn owner_unit(&self) -> Option<UnitId> {
        self.owner_unit_id.map(UnitId)
    }

    /// The canonical form whose digest the audit trail keeps.
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id, "direction": self.direction, "kind": self.kind, "type_code": self.type_code,
            "number_symbol": self.number_symbol, "document_date": self.document_date, "subject": self.subject,
            "pages": self.pages, "urgency": self.urgency, "secrecy": self.secrecy, "signer_name": self.signer_name,
            "sender_organisation_id": self.sender_organisation_id, "sender_unit_id": self.sender_unit_id,
            "sender_name": self.sender_name, "arrival_year": self.arrival_year, "arrival_number": self.arrival_number,
            "arrival_date": self.arrival_date, "status": self.status, "owner_unit_id": self.owner_unit_id,
            "series_id": self.series_id, "issue_year": self.issue_year, "issued_on": self.issued_on,
            "due_date": self.due_date, "petition_source": self.petition_source, "deputy_name": self.deputy_name,
            "recipients_text": self.recipients_text, "version": self.version,
        })
    }
}

pub(crate) const DOCUMENT_COLUMNS: &str = "d.id, d.direction, d.kind, d.type_code, d.number, d.symbol, d.number_symbol, \
    d.duplicate_key, d.document_date, d.subject, d.pages, d.urgency, d.secrecy, d.signer_name, d.signer_position, \
    d.signing_authority, d.sender_organisation_id, d.sender_unit_id, d.sender_name, d.arrival_year, d.arrival_number, \
    d.arrival_date, d.receipt_acknowledged_at, d.status, d.owner_unit_id, d.leader_user_id, d.drafter_user_id, d.series_id, d.issue_year, \
    d.issued_on, d.due_date, d.petition_source, d.deputy_name, d.recipients_text, d.copies, d.notes, d.version, \
    d.created_by, d.created_at, d.updated_at";

/// Loads a document without any permission check (callers check with [`scope_allows`]).
pub async fn get(db: &Db, id: i64) -> StoreResult<Document> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as::<_, Document>(&format!("SELECT {DOCUMENT_COLUMNS} FROM documents d WHERE d.id = $1"))
            .bind(id)
            .fetch_one(pool)
            .await?
    }))
}

pub(crate) async fn get_in_tx(tx: &mut Tx, id: i64) -> StoreResult<Document> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_as::<_, Document>(&format!("SELECT {DOCUMENT_COLUMNS} FROM documents d WHERE d.id = $1"))
            .bind(id)
            .fetch_one(&mut *conn)
            .await?
    }))
}

/// The SQL condition (on alias `d`) that keeps only documents inside `scope`: secrecy within
/// the clearance, and readable by a unit of the scope (owned by it or assigned to it, as
/// the `document_access` table records). Unit ids are our own integers, written into the
/// SQL as numbers. `user` is kept for rules that will name a person (a work file's members).
pub fn scope_condition(scope: &ReadScope, user: UserId) -> String {
    let _ = user;
    let secrecy = format!("d.secrecy <= {}", scope.max_secrecy.rank());
    match &scope.units {
        None => secrecy,
        Some(units) if units.is_empty() => format!("{secrecy} AND 1 = 0"),
        Some(units) => {
            let list = units
                .iter()
                .map(|u| u.0.to_string())
                .collect::<Vec<_>>()
                .join(",");
            format!("{secrecy} AND d.id IN (SELECT x.document_id FROM document_access x WHERE x.unit_id IN ({list}))")
        }
    }
}

/// The same rule as [`scope_condition`], on a column holding a document's id (for example
/// `a.document_id` of an assignment), without joining the documents: documents above the
/// clearance are left out by their id (there are few; an index keeps them), and the units
/// are checked in `document_access`. Queries that only count records of documents use it
/// to skip reading each document.
pub fn scope_condition_by_id(scope: &ReadScope, id: &str) -> String {
    let rank = scope.max_secrecy.rank();
    let secrecy = format!(
        "{id} NOT IN (SELECT s.id FROM documents s WHERE s.secrecy > 0 AND s.secrecy > {rank})"
    );
    match &scope.units {
        None => secrecy,
        Some(units) if units.is_empty() => format!("{secrecy} AND 1 = 0"),
        Some(units) => {
            let list = units
                .iter()
                .map(|u| u.0.to_string())
                .collect::<Vec<_>>()
                .join(",");
            format!("{secrecy} AND {id} IN (SELECT x.document_id FROM document_access x WHERE x.unit_id IN ({list}))")
        }
    }
}

/// [`scope_condition`] checked document by document: the unit part probes `document_access`
/// for this document instead of listing every document of the units first. For a query
/// driven from elsewhere (search walks its word index newest first and stops at a limit),
/// where listing a unit's hundred thousand documents would cost more than the query.
/// On PostgreSQL the probe ends in `OFFSET 0`, which keeps the planner from turning it into
/// a join that reads every document of the units.
pub fn scope_condition_each(scope: &ReadScope, user: UserId, backend: crate::Backend) -> String {
    let _ = user;
    let secrecy = format!("d.secrecy <= {}", scope.max_secrecy.rank());
    match &scope.units {
        None => secrecy,
        Some(units) if units.is_empty() => format!("{secrecy} AND 1 = 0"),
        Some(units) => {
            let list = units
                .iter()
                .map(|u| u.0.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let fence = match backend {
                crate::Backend::Sqlite => "",
                crate::Backend::Postgres => " OFFSET 0",
            };
            format!("{secrecy} AND EXISTS (SELECT 1 FROM document_access x WHERE x.unit_id IN ({list}) AND x.document_id = d.id{fence})")
        }
    }
}

/// True when the document is inside the scope (the same rule as [`scope_condition`]).
pub async fn scope_allows(db: &Db, scope: &ReadScope, user: UserId, id: i64) -> StoreResult<bool> {
    let sql = format!(
        "SELECT COUNT(*) FROM documents d WHERE d.id = $1 AND {}",
        scope_condition(scope, user)
    );
    let n: i64 = on_pool!(db, pool => sqlx::query_scalar(&sql).bind(id).fetch_one(pool).await?);
    Ok(n > 0)
}

/// A file attached to a document.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub document_id: i64,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub role: String,
    pub draft_version: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A file to attach: already stored in the blob store.
#[derive(Clone, Debug)]
pub struct NewAttachment {
    pub blob: crate::blobs::StoredBlob,
    pub file_name: String,
    pub role: &'static str,
    pub draft_version: Option<i64>,
}

pub(crate) async fn attach(
    tx: &mut Tx,
    document_id: i64,
    user: Option<UserId>,
    files: &[NewAttachment],
) -> StoreResult<()> {
    for file in files {
        crate::blobs::record(tx, &file.blob).await?;
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO document_attachments (document_id, sha256, file_name, content_type, size, role, draft_version, \
                 uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(document_id)
            .bind(&file.blob.sha256)
            .bind(&file.file_name)
            .bind(&file.blob.content_type)
            .bind(file.blob.size)
            .bind(file.role)
            .bind(file.draft_version)
            .bind(user.map(|u| u.0))
            .bind(crate::now())
            .execute(&mut *conn)
            .await?;
        });
    }
    Ok(())
}

pub async fn attachments(db: &Db, document_id: i64) -> StoreResult<Vec<Attachment>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT id, document_id, sha256, file_name, content_type, size, role, draft_version, created_at \
             FROM document_attachments WHERE document_id = $1 ORDER BY id",
        )
        .bind(document_id)
        .fetch_all(pool)
        .await?
    }))
}

pub async fn attachment(db: &Db, id: i64) -> StoreResult<Attachment> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT id, document_id, sha256, file_name, content_type, size, role, draft_version, created_at \
             FROM document_attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await?
    }))
}

/// A link between documents: `reply_to`, `replaces` or `related`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Link {
    pub document_id: i64,
    pub related_id: i64,
    pub kind: String,
}

pub(crate) async fn link(
    tx: &mut Tx,
    document_id: i64,
    related_id: i64,
    kind: &str,
) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO document_links (document_id, related_id, kind, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(document_id)
        .bind(related_id)
        .bind(kind)
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// Links from and to a document.
pub async fn links(db: &Db, document_id: i64) -> StoreResult<Vec<Link>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT document_id, related_id, kind FROM document_links WHERE document_id = $1 OR related_id = $1 \
             ORDER BY created_at",
        )
        .bind(document_id)
        .fetch_all(pool)
        .await?
    }))
}

/// Records that `user` opened the document (the decree asks who viewed it).
pub async fn record_view(db: &Db, document_id: i64, user: UserId) -> StoreResult<()> {
    let now = crate::now();
    let _turn = db.write_turn().await?;
    on_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO document_views (document_id, user_id, first_viewed_at, last_viewed_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (document_id, user_id) DO UPDATE SET last_viewed_at = excluded.last_viewed_at",
        )
        .bind(document_id)
        .bind(user.0)
        .bind(now)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Who viewed the document: (user id, full name, first view, last view).
pub async fn views(
    db: &Db,
    document_id: i64,
) -> StoreResult<Vec<(i64, String, DateTime<Utc>, DateTime<Utc>)>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT v.user_id, u.full_name, v.first_viewed_at, v.last_viewed_at FROM document_views v \
             JOIN users u ON u.id = v.user_id WHERE v.document_id = $1 ORDER BY v.first_viewed_at",
        )
        .bind(document_id)
        .fetch_all(pool)
        .await?
    }))
}

/// Search text for a document: folded subject, number and symbol, sender.
pub(crate) fn search_text(
    subject: &str,
    number_symbol: Option<&vanphong_core::document::NumberAndSymbol>,
    sender: &str,
) -> String {
    let symbol = number_symbol.map(|n| n.search_text()).unwrap_or_default();
    vanphong_core::text::fold(&format!("{subject} {symbol} {sender}"))
}
