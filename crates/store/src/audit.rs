//! The audit trail: appending chained events inside the caller's transaction, reading an
//! object's history, and verifying the whole chain.

use crate::db::{Db, Tx};
use crate::error::StoreResult;
use futures::TryStreamExt;
use vanphong_core::audit::{digest, AuditRecord, ChainReport, ChainVerifier};
use vanphong_core::ids::UserId;

/// Who caused a change and from where; passed to every use case that writes.
#[derive(Clone, Debug)]
pub struct Origin {
    pub user_id: Option<UserId>,
    pub label: String,
    pub address: String,
}

impl Origin {
    /// Changes made by the program itself (migrations, scheduled jobs, the demo loader).
    pub fn system() -> Self {
        Self {
            user_id: None,
            label: "system".into(),
            address: String::new(),
        }
    }

    /// Changes made from the command line by an operator of the machine.
    pub fn command_line() -> Self {
        Self {
            user_id: None,
            label: "command-line".into(),
            address: "localhost".into(),
        }
    }
}

/// A change to record. `before` and `after` are the object's canonical JSON; only their
/// digests are chained, so the trail proves what changed without copying secrets.
#[derive(Debug)]
pub struct Change<'a> {
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub details: serde_json::Value,
}

fn digest_of(value: &Option<serde_json::Value>) -> String {
    match value {
        // serde_json keeps object keys sorted, so the serialisation is canonical.
        Some(v) => digest(&serde_json::to_vec(v).unwrap_or_default()),
        None => String::new(),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    occurred_at: String,
    actor_user_id: Option<i64>,
    actor_label: String,
    source_address: String,
    action: String,
    object_kind: String,
    object_id: String,
    before_digest: String,
    after_digest: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl From<Row> for AuditRecord {
    fn from(r: Row) -> Self {
        AuditRecord {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor_user_id: r.actor_user_id,
            actor_label: r.actor_label,
            source_address: r.source_address,
            action: r.action,
            object_kind: r.object_kind,
            object_id: r.object_id,
            before_digest: r.before_digest,
            after_digest: r.after_digest,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

const COLUMNS: &str =
    "seq, occurred_at, actor_user_id, actor_label, source_address, action, object_kind, \
                       object_id, before_digest, after_digest, details, prev_hash, hash";

/// Appends one event to the chain inside `tx` and returns its sequence number.
///
/// The chain head is locked for the rest of the transaction (a row lock on PostgreSQL;
/// SQLite's write transactions are already exclusive), so concurrent writers on any
/// number of nodes append one after another and the chain never forks.
pub async fn append(tx: &mut Tx, origin: &Origin, change: Change<'_>) -> StoreResult<i64> {
    let (last_seq, last_hash): (i64, String) = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
                .fetch_one(&mut **t)
                .await?
        }
        Tx::Postgres(t) => {
            sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE")
                .fetch_one(&mut **t)
                .await?
        }
    };
    let mut record = AuditRecord {
        seq: last_seq + 1,
        occurred_at: crate::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        actor_user_id: origin.user_id.map(|u| u.0),
        actor_label: origin.label.clone(),
        source_address: origin.address.clone(),
        action: change.action.to_owned(),
        object_kind: change.object_kind.to_owned(),
        object_id: change.object_id,
        before_digest: digest_of(&change.before),
        after_digest: digest_of(&change.after),
        details: change.details.to_string(),
        prev_hash: last_hash,
        hash: String::new(),
    };
    record.hash = record.compute_hash(&record.prev_hash);
    on_tx!(tx, conn => {
        sqlx::query(&format!(
            "INSERT INTO audit_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(record.seq)
        .bind(&record.occurred_at)
        .bind(record.actor_user_id)
        .bind(&record.actor_label)
        .bind(&record.source_address)
        .bind(&record.action)
        .bind(&record.object_kind)
        .bind(&record.object_id)
        .bind(&record.before_digest)
        .bind(&record.after_digest)
        .bind(&record.details)
        .bind(&record.prev_hash)
        .bind(&record.hash)
        .execute(&mut *conn)
        .await?;
    });
    // The head row follows by trigger (migration 0004).
    Ok(record.seq)
}

/// The events about one object, oldest first.
pub async fn history(db: &Db, object_kind: &str, object_id: &str) -> StoreResult<Vec<AuditRecord>> {
    let rows: Vec<Row> = on_pool!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE object_kind = $1 AND object_id = $2 ORDER BY seq"
        ))
        .bind(object_kind)
        .bind(object_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A page of the whole trail, newest first, starting below `before_seq` when given.
pub async fn page(db: &Db, before_seq: Option<i64>, limit: i64) -> StoreResult<Vec<AuditRecord>> {
    let rows: Vec<Row> = on_pool!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE seq < $1 ORDER BY seq DESC LIMIT $2"
        ))
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The hash stored for event `seq`, if there is such an event.
pub async fn event_hash(db: &Db, seq: i64) -> StoreResult<Option<String>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1").bind(seq).fetch_optional(pool).await?
    }))
}

/// The number of events and the last sequence number the head records.
pub async fn head(db: &Db) -> StoreResult<i64> {
    let last: i64 = on_pool!(db, pool => {
        sqlx::query_scalar("SELECT last_seq FROM audit_head WHERE id = 1").fetch_one(pool).await?
    });
    Ok(last)
}

/// Walks the whole chain in order, streaming, and reports every break.
/// `progress` is called with the number of events checked so far.
pub async fn verify(db: &Db, mut progress: impl FnMut(u64)) -> StoreResult<ChainReport> {
    let head_seq = head(db).await?;
    let mut verifier = ChainVerifier::default();
    let mut checked = 0u64;
    let sql = format!("SELECT {COLUMNS} FROM audit_events ORDER BY seq");
    on_pool!(db, pool => {
        let mut rows = sqlx::query_as::<_, Row>(&sql).fetch(pool);
        while let Some(row) = rows.try_next().await? {
            verifier.push(&row.into());
            checked += 1;
            if checked.is_multiple_of(1000) {
                progress(checked);
            }
        }
    });
    progress(checked);
    Ok(verifier.finish(head_seq))
}
