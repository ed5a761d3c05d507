//! The search source for incoming and outgoing documents: their entries (subject; number
//! and symbol; sender, signer, recipients, notes, attachment names and text) and their
//! matches, filtered and scoped with the same SQL as the document lists
//! (`documents::scope_condition` over `document_access`).

use super::{
    Candidate, Entry, Found, Kind, Matches, SearchRequest, VerifyReport, BODY_MAX_CHARS, CANDIDATES,
};
use crate::db::{Db, Tx};
use crate::documents::lists::{self, Bind, DocumentFilter};
use crate::error::StoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};
use vanphong_core::ids::UserId;
use vanphong_core::permission::ReadScope;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    direction: String,
    subject: String,
    number_symbol: Option<String>,
    arrival_date: Option<NaiveDate>,
    issued_on: Option<NaiveDate>,
    document_date: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    sender_name: String,
    signer_name: String,
    recipients_text: String,
    notes: String,
    deputy_name: String,
    organisation_name: Option<String>,
    unit_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    document_id: i64,
    sha256: String,
    file_name: String,
    text: Option<String>,
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Builds the entries of these documents from their rows, in the caller's transaction.
pub(crate) async fn entries(tx: &mut Tx, ids: &[i64]) -> StoreResult<Vec<Entry>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One document (every registration and edit) binds its id, so the statements are
    // prepared once per connection; a batch names its ids in the text.
    let condition = match ids {
        [_] => "= $1".to_owned(),
        _ => format!("IN ({})", id_list(ids)),
    };
    let sql = format!(
        "SELECT d.id, d.direction, d.subject, d.number_symbol, d.arrival_date, d.issued_on, d.document_date, \
         d.created_at, d.sender_name, d.signer_name, d.recipients_text, d.notes, d.deputy_name, \
         o.name AS organisation_name, u.name AS unit_name FROM documents d \
         LEFT JOIN organisations o ON o.id = d.sender_organisation_id LEFT JOIN units u ON u.id = d.sender_unit_id \
         WHERE d.id {condition} ORDER BY d.id"
    );
    let rows: Vec<Row> = on_tx!(tx, conn => {
        let mut query = sqlx::query_as::<_, Row>(&sql);
        if let [id] = ids {
            query = query.bind(*id);
        }
        query.fetch_all(&mut *conn).await?
    });
    let sql = format!(
        "SELECT a.document_id, a.sha256, a.file_name, t.text FROM document_attachments a \
         LEFT JOIN blob_texts t ON t.sha256 = a.sha256 WHERE a.document_id {condition} ORDER BY a.document_id, a.id"
    );
    let files: Vec<AttachmentRow> = on_tx!(tx, conn => {
        let mut query = sqlx::query_as::<_, AttachmentRow>(&sql);
        if let [id] = ids {
            query = query.bind(*id);
        }
        query.fetch_all(&mut *conn).await?
    });
    let mut by_document: HashMap<i64, Vec<&AttachmentRow>> = HashMap::new();
    for file in &files {
        by_document.entry(file.document_id).or_default().push(file);
    }
    Ok(rows
        .iter()
        .map(|row| {
            entry(
                row,
                by_document.get(&row.id).map(Vec::as_slice).unwrap_or(&[]),
            )
        })
        .collect())
}

fn entry(row: &Row, files: &[&AttachmentRow]) -> Entry {
    let kind = if row.direction == "incoming" {
        Kind::Incoming
    } else {
        Kind::Outgoing
    };
    let mut body: Vec<&str> = [
        row.organisation_name.as_deref().unwrap_or_default(),
        row.unit_name.as_deref().unwrap_or_default(),
        &row.sender_name,
        &row.signer_name,
        &row.deputy_name,
        &row.recipients_text,
        &row.notes,
    ]
    .into_iter()
    .filter(|s| !s.trim().is_empty())
    .collect();
    let mut seen = HashSet::new();
    for file in files {
        // Draft versions of one file often repeat a content: its text once is enough.
        if !seen.insert(file.sha256.as_str()) {
            continue;
        }
        body.push(&file.file_name);
        if let Some(text) = file.text.as_deref().filter(|t| !t.is_empty()) {
            body.push(text);
        }
    }
    let body = body.join("\n");
    let body = if body.chars().count() > BODY_MAX_CHARS {
        body.chars().take(BODY_MAX_CHARS).collect()
    } else {
        body
    };
    Entry {
        kind,
        record_id: row.id,
        title: row.subject.clone(),
        reference: row.number_symbol.clone().unwrap_or_default(),
        body,
        record_date: row
            .arrival_date
            .or(row.issued_on)
            .or(row.document_date)
            .or(Some(row.created_at.date_naive())),
    }
}

/// (Re)indexes these documents in the caller's transaction: every writer of a document's
/// subject, number, sender or attachments calls this before committing.
pub async fn index_documents(tx: &mut Tx, ids: &[i64]) -> StoreResult<()> {
    let entries = entries(tx, ids).await?;
    super::write_entries(tx, &entries).await
}

/// [`index_documents`] for one document.
pub async fn index_document(tx: &mut Tx, id: i64) -> StoreResult<()> {
    index_documents(tx, &[id]).await
}

/// Indexes a document inserted in this same transaction, which cannot have an entry yet:
/// registration calls it, and skips looking for an entry to replace.
pub async fn index_new_document(tx: &mut Tx, id: i64) -> StoreResult<()> {
    let entries = entries(tx, &[id]).await?;
    super::insert_entries(tx, &entries).await
}

/// Documents that have no entry yet, oldest first.
pub(crate) async fn unindexed(db: &Db) -> StoreResult<Vec<i64>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar(
            "SELECT d.id FROM documents d WHERE NOT EXISTS \
             (SELECT 1 FROM search_entries e WHERE e.kind = d.direction AND e.record_id = d.id) ORDER BY d.id",
        )
        .fetch_all(pool)
        .await?
    }))
}

pub(crate) async fn all_ids(db: &Db) -> StoreResult<Vec<i64>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar("SELECT id FROM documents ORDER BY id").fetch_all(pool).await?
    }))
}

/// Entries of the document kinds whose document is gone (or changed direction).
pub(crate) async fn orphan_entries(db: &Db) -> StoreResult<Vec<i64>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar(
            "SELECT e.id FROM search_entries e WHERE e.kind IN ('incoming', 'outgoing') AND NOT EXISTS \
             (SELECT 1 FROM documents d WHERE d.id = e.record_id AND d.direction = e.kind)",
        )
        .fetch_all(pool)
        .await?
    }))
}

#[derive(sqlx::FromRow, PartialEq)]
struct Stored {
    kind: String,
    record_id: i64,
    title: String,
    reference: String,
    body: String,
    record_date: Option<NaiveDate>,
}

/// Every document against its entry: missing and stale entries.
pub(crate) async fn verify(db: &Db) -> StoreResult<VerifyReport> {
    let ids = all_ids(db).await?;
    let mut report = VerifyReport {
        records: ids.len() as u64,
        entries: on_pool!(db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM search_entries WHERE kind IN ('incoming', 'outgoing')")
                .fetch_one(pool).await?
        }) as u64,
        ..VerifyReport::default()
    };
    for batch in ids.chunks(1000) {
        // A read-only look at one consistent moment; nothing is written.
        let mut tx = db.begin().await?;
        let expected = entries(&mut tx, batch).await?;
        let sql = format!(
            "SELECT kind, record_id, title, reference, body, record_date FROM search_entries \
             WHERE kind IN ('incoming', 'outgoing') AND record_id IN ({})",
            id_list(batch)
        );
        let stored: Vec<Stored> =
            on_tx!(&mut tx, conn => sqlx::query_as::<_, Stored>(&sql).fetch_all(&mut *conn).await?);
        tx.commit().await?;
        let stored: HashMap<(String, i64), Stored> = stored
            .into_iter()
            .map(|s| ((s.kind.clone(), s.record_id), s))
            .collect();
        for entry in expected {
            match stored.get(&(entry.kind.code().to_owned(), entry.record_id)) {
                None => report.missing.push((entry.kind, entry.record_id)),
                Some(s) => {
                    if s.title != entry.title
                        || s.reference != entry.reference
                        || s.body != entry.body
                        || s.record_date != entry.record_date
                    {
                        report.stale.push((entry.kind, entry.record_id));
                    }
                }
            }
        }
    }
    Ok(report)
}

/// The newest [`CANDIDATES`] matches the reader may see (within the [`super::SCANNED`]
/// budget), for ranking.
pub(crate) async fn candidates(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    request: &SearchRequest,
    kinds: &[Kind],
    matches: Option<&Matches>,
) -> StoreResult<Found> {
    let filter = DocumentFilter {
        direction: match kinds {
            [only] => Some(only.code().to_owned()),
            _ => None,
        },
        status: request.status.clone(),
        type_code: request.type_code.clone(),
        urgency: request.urgency,
        unit: request.unit,
        from: request.from,
        to: request.to,
        ..DocumentFilter::default()
    };
    // The scope is checked on each match (the index is walked newest first and stops at
    // the limit), not by listing the documents of the reader's units first.
    let (condition, binds) = lists::build_within(
        &filter,
        crate::documents::scope_condition_each(scope, user, db.backend()),
    );
    let join = "JOIN documents d ON d.id = e.record_id AND d.direction = e.kind";
    let kinds_sql = "e.kind IN ('incoming', 'outgoing')";
    let columns = "e.id, e.kind, e.record_date, e.title, e.reference";
    let Some(matches) = matches else {
        let sql = format!(
            "SELECT {columns} FROM search_entries e {join} \
             WHERE {kinds_sql} AND {condition} ORDER BY e.id DESC LIMIT {CANDIDATES}"
        );
        let candidates: Vec<Candidate> = on_pool!(db, pool => {
            bind_all!(sqlx::query_as::<_, Candidate>(&sql), &binds).fetch_all(pool).await?
        });
        let more = candidates.len() as i64 >= CANDIDATES;
        return Ok(Found { candidates, more });
    };
    match db {
        Db::Sqlite(pool) => {
            // The index gives the newest matches first and stops at the limit; the reader's
            // scope and the filters are checked on each, by primary key. What ranking reads
            // of the entry, and what the scope reads of the document, come from narrow
            // indexes (the planner would read the wide rows, which costs several times more
            // at a thousand matches); a filter on other columns of the document reads its row.
            let documents = if filter.status.is_none()
                && filter.type_code.is_none()
                && filter.urgency.is_none()
                && filter.unit.is_none()
                && filter.from.is_none()
                && filter.to.is_none()
            {
                "documents d INDEXED BY documents_search_idx"
            } else {
                "documents d"
            };
            let sql = format!(
                "SELECT {columns} FROM {{entries}} \
                 JOIN {documents} ON d.id = e.record_id AND d.direction = e.kind \
                 WHERE {{range}} AND {kinds_sql} AND {condition} \
                 ORDER BY {{order}} LIMIT {{limit}}"
            );
            super::sqlite_candidates(pool, &sql, &binds, matches, kinds, request.page_end()).await
        }
        Db::Postgres(pool) => {
            let sql = format!(
                "SELECT {columns} FROM search_entries e {join} \
                 WHERE {{range}} AND {kinds_sql} AND {condition} ORDER BY e.id DESC LIMIT {{limit}}"
            );
            super::postgres_candidates(pool, &sql, &binds, matches, kinds, request.page_end()).await
        }
    }
}
