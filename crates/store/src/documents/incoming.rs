//! Registering incoming documents: arrival numbers without gaps or duplicates through each
//! year, the duplicate warning (same number, symbol and sender), the receipt
//! acknowledgement, and putting the document before a leader.

use super::{attach, counters, get_in_tx, search_text, Document, NewAttachment};
use crate::audit::{self, Change, Origin};
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use chrono::{Datelike, NaiveDate};
use serde_json::json;
use vanphong_core::auth::Secrecy;
use vanphong_core::document::kind::{DocumentKind, PetitionSource, Urgency};
use vanphong_core::document::routing::IncomingStatus;
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::ids::{OrganisationId, UnitId, UserId};

/// Who sent the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sender {
    /// An organisation of the directory.
    Organisation(OrganisationId),
    /// One of our own units (internal documents).
    Unit(UnitId),
    /// Anyone else, by name.
    Named(String),
}

/// An incoming document as the clerk registers it, already parsed.
#[derive(Clone, Debug)]
pub struct NewIncoming {
    pub kind: DocumentKind,
    pub type_code: String,
    pub number_symbol: NumberAndSymbol,
    pub document_date: Option<NaiveDate>,
    pub subject: String,
    pub pages: Option<i64>,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
    pub signer_name: String,
    pub sender: Sender,
    pub arrival_date: NaiveDate,
    /// The unit that receives and keeps it (usually the office).
    pub receiving_unit: Option<UnitId>,
    /// The answer deadline of a tracked document, if the sender set one.
    pub due_date: Option<NaiveDate>,
    pub petition_source: Option<PetitionSource>,
    pub deputy_name: String,
    pub notes: String,
    pub attachments: Vec<NewAttachment>,
}

/// An earlier registration of the same document.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Duplicate {
    pub id: i64,
    pub arrival_year: Option<i64>,
    pub arrival_number: Option<i64>,
    pub arrival_date: Option<NaiveDate>,
    pub subject: String,
}

fn sender_columns(sender: &Sender) -> (Option<i64>, Option<i64>, String) {
    match sender {
        Sender::Organisation(id) => (Some(id.0), None, String::new()),
        Sender::Unit(id) => (None, Some(id.0), String::new()),
        Sender::Named(name) => (None, None, name.clone()),
    }
}

/// Earlier registrations with the same number, symbol and sender.
pub async fn find_duplicates(
    db: &Db,
    number_symbol: &NumberAndSymbol,
    sender: &Sender,
) -> StoreResult<Vec<Duplicate>> {
    let (organisation, unit, name) = sender_columns(sender);
    // `direction || ''` keeps SQLite (which has no statistics) from walking every incoming
    // document through the direction index instead of probing the duplicate key's index.
    let sql = "SELECT id, arrival_year, arrival_number, arrival_date, subject FROM documents \
               WHERE duplicate_key = $1 AND direction || '' = 'incoming' \
               AND (($2 IS NOT NULL AND sender_organisation_id = $2) OR ($3 IS NOT NULL AND sender_unit_id = $3) \
                    OR ($2 IS NULL AND $3 IS NULL AND LOWER(sender_name) = LOWER($4))) ORDER BY id";
    Ok(on_pool!(db, pool => {
        sqlx::query_as(sql)
            .bind(number_symbol.duplicate_key())
            .bind(organisation)
            .bind(unit)
            .bind(&name)
            .fetch_all(pool)
            .await?
    }))
}

/// Registers the document with the next arrival number of its arrival year. Refuses a
/// second registration of the same number, symbol and sender unless `accept_duplicate`
/// (the clerk saw the warning and confirmed): `StoreError::Invalid("duplicate_registration")`.
pub async fn register(
    db: &Db,
    origin: &Origin,
    new: &NewIncoming,
    accept_duplicate: bool,
) -> StoreResult<Document> {
    if !accept_duplicate
        && !find_duplicates(db, &new.number_symbol, &new.sender)
            .await?
            .is_empty()
    {
        return Err(StoreError::Invalid("duplicate_registration".into()));
    }
    let mut tx = db.begin().await?;
    let document = register_in_tx(&mut tx, origin, new).await?;
    tx.commit().await?;
    Ok(document)
}

/// The registration itself, inside a caller's transaction (also used when one of our
/// units issues a document to another: it arrives at once).
pub async fn register_in_tx(
    tx: &mut Tx,
    origin: &Origin,
    new: &NewIncoming,
) -> StoreResult<Document> {
    if let Some(due) = new.due_date {
        if due < new.arrival_date {
            return Err(StoreError::Invalid("due_before_arrival".into()));
        }
    }
    let year = new.arrival_date.year();
    let arrival_number = counters::next(tx, counters::ARRIVAL, year).await?;
    let (organisation, unit, name) = sender_columns(&new.sender);
    let now = crate::now();
    let sender_label = match &new.sender {
        Sender::Named(n) => n.clone(),
        _ => String::new(),
    };
    // The row comes back from the insert itself: one round trip fewer inside the write lock.
    let returning = super::DOCUMENT_COLUMNS.replace("d.", "");
    let sql = format!(
        "INSERT INTO documents (direction, kind, type_code, number, symbol, number_symbol, duplicate_key, document_date, \
             subject, pages, urgency, secrecy, signer_name, sender_organisation_id, sender_unit_id, sender_name, \
             arrival_year, arrival_number, arrival_date, receipt_acknowledged_at, status, owner_unit_id, due_date, \
             petition_source, deputy_name, notes, search_text, created_by, created_at, updated_at) \
             VALUES ('incoming', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
             $20, $21, $22, $23, $24, $25, $26, $27, $28, $28) RETURNING {returning}"
    );
    let document: Document = on_tx!(tx, conn => {
        sqlx::query_as::<_, Document>(&sql)
        .bind(new.kind.code())
        .bind(&new.type_code)
        .bind(i64::from(new.number_symbol.number))
        .bind(&new.number_symbol.symbol)
        .bind(new.number_symbol.to_string())
        .bind(new.number_symbol.duplicate_key())
        .bind(new.document_date)
        .bind(&new.subject)
        .bind(new.pages)
        .bind(new.urgency.rank())
        .bind(i64::from(new.secrecy.rank()))
        .bind(&new.signer_name)
        .bind(organisation)
        .bind(unit)
        .bind(&name)
        .bind(i64::from(year))
        .bind(arrival_number)
        .bind(new.arrival_date)
        // Receipt is acknowledged automatically at registration (the decree's duty).
        .bind(now)
        .bind(IncomingStatus::Registered.code())
        .bind(new.receiving_unit.map(|u| u.0))
        .bind(new.due_date)
        .bind(new.petition_source.map(|p| p.code()))
        .bind(&new.deputy_name)
        .bind(&new.notes)
        .bind(search_text(&new.subject, Some(&new.number_symbol), &sender_label))
        .bind(origin.user_id.map(|u| u.0))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    let id = document.id;
    attach(tx, id, origin.user_id, &new.attachments).await?;
    crate::search::documents::index_new_document(tx, id).await?;
    audit::append(
        tx,
        origin,
        Change {
            action: "document.register_incoming",
            object_kind: "document",
            object_id: id.to_string(),
            before: None,
            after: Some(document.snapshot()),
            details: json!({"arrival_number": arrival_number, "year": year,
                            "number_symbol": document.number_symbol, "attachments": new.attachments.len()}),
        },
    )
    .await?;
    Ok(document)
}

/// Puts a registered document before a leader for an instruction, and tells the leader.
pub async fn submit_to_leader(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    leader: UserId,
) -> StoreResult<Document> {
    let mut tx = db.begin().await?;
    let before = get_in_tx(&mut tx, id).await?;
    if before.version != expected_version {
        return Err(StoreError::Stale);
    }
    if !matches!(
        IncomingStatus::parse(&before.status),
        Some(IncomingStatus::Registered | IncomingStatus::AwaitingInstruction)
    ) {
        return Err(StoreError::Invalid("not_awaiting_instruction".into()));
    }
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE documents SET status = $1, leader_user_id = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(IncomingStatus::AwaitingInstruction.code())
        .bind(leader.0)
        .bind(crate::now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    let after = get_in_tx(&mut tx, id).await?;
    notify(
        &mut tx,
        leader,
        "document.awaiting_instruction",
        &format!(
            "{} — {}",
            after.number_symbol.as_deref().unwrap_or(""),
            after.subject
        ),
        id,
    )
    .await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "document.submit_to_leader",
            object_kind: "document",
            object_id: id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({"leader_user_id": leader.0}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// An in-app notification in the caller's transaction, deduplicated by its key.
pub(crate) async fn notify(
    tx: &mut Tx,
    user: UserId,
    kind: &str,
    title: &str,
    document_id: i64,
) -> StoreResult<()> {
    let title: String = title.chars().take(300).collect();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO notifications (user_id, kind, title, link, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (user_id, dedupe_key) DO NOTHING",
        )
        .bind(user.0)
        .bind(kind)
        .bind(&title)
        .bind(format!("/documents/{document_id}"))
        .bind(format!("{kind}:{document_id}:{}", crate::now().timestamp_micros()))
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}
