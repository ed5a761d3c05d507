//! Moving an office from the embedded SQLite database to PostgreSQL: every table copied
//! row by row in foreign-key order, identity sequences moved past the copied ids, and the
//! result verified by row counts and a checksum per table computed from the values
//! themselves (so SQLite's text timestamps and PostgreSQL's `timestamptz` compare equal
//! when they are the same instant).
//!
//! The column types are taken from the target: each SQLite value is decoded as the type
//! the PostgreSQL column has, which is what makes the copy faithful (a SQLite integer 0/1
//! becomes a boolean, a text timestamp an instant).

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgPool, Row, SqlitePool};
use std::collections::{BTreeMap, BTreeSet};

/// How a column's values are read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Bool,
    Text,
    Date,
    Timestamp,
    Float,
    Bytes,
    /// Written as text with a cast to the column's type (json, numeric, …), compared as text.
    Cast,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    /// PostgreSQL's name of the type (`int8`, `jsonb`, …).
    pub pg_type: String,
}

/// One table to move.
#[derive(Debug, Clone)]
pub struct TablePlan {
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// Rows in the source.
    pub rows: u64,
}

/// The tables to move, parents before children, and what was left out and why.
#[derive(Debug)]
pub struct Plan {
    pub tables: Vec<TablePlan>,
    /// Tables of one side only (full-text indexes, which each backend builds its own way).
    pub skipped: Vec<String>,
}

/// A table's verification: counts and checksums on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCheck {
    pub name: String,
    pub source_rows: u64,
    pub target_rows: u64,
    pub source_checksum: String,
    pub target_checksum: String,
}

impl TableCheck {
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_checksum == self.target_checksum
    }
}

fn pools<'a>(source: &'a Db, target: &'a Db) -> StoreResult<(&'a SqlitePool, &'a PgPool)> {
    match (source, target) {
        (Db::Sqlite(s), Db::Postgres(t)) => Ok((s, t)),
        _ => Err(StoreError::Invalid(
            "data moves from an SQLite database to a PostgreSQL database".into(),
        )),
    }
}

/// Tables each database builds from the others; `search::catch_up` rebuilds them.
pub const DERIVED: &[&str] = &["search_entries"];

fn kind_of(pg_type: &str) -> ColumnKind {
    match pg_type {
        "int2" | "int4" | "int8" => ColumnKind::Int,
        "bool" => ColumnKind::Bool,
        "text" | "varchar" | "bpchar" | "name" => ColumnKind::Text,
        "date" => ColumnKind::Date,
        "timestamptz" => ColumnKind::Timestamp,
        "float4" | "float8" => ColumnKind::Float,
        "bytea" => ColumnKind::Bytes,
        _ => ColumnKind::Cast,
    }
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Refuses a target that already holds an office.
pub async fn ensure_empty_target(target: &Db) -> StoreResult<()> {
    let users: i64 = on_pool!(target, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?
    });
    if users > 0 {
        return Err(StoreError::Invalid(
            "the target database already holds an office (it has users); move into an empty database".into(),
        ));
    }
    Ok(())
}

/// Works out what to move and in which order.
pub async fn plan(source: &Db, target: &Db) -> StoreResult<Plan> {
    let (sqlite, pg) = pools(source, target)?;
    let source_tables: BTreeSet<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
    )
    .fetch_all(sqlite)
    .await?
    .into_iter()
    .collect();
    // Shadow tables of SQLite's full-text indexes belong to their virtual table.
    let virtual_tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
    )
    .fetch_all(sqlite)
    .await?;
    let target_tables: BTreeSet<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pg)
    .await?
    .into_iter()
    .collect();
    let mut skipped: Vec<String> = virtual_tables.clone();
    for name in source_tables.symmetric_difference(&target_tables) {
        if !virtual_tables
            .iter()
            .any(|v| name.starts_with(&format!("{v}_")))
        {
            skipped.push(name.clone());
        }
    }
    // Derived tables are rebuilt on the target from the records (the search index's words
    // are an FTS5 table on SQLite and a tsvector column on PostgreSQL).
    skipped.extend(DERIVED.iter().map(|t| t.to_string()));
    let common: Vec<String> = source_tables
        .intersection(&target_tables)
        .filter(|t| !DERIVED.contains(&t.as_str()))
        .cloned()
        .collect();

    // Parents first: a table waits for every table it refers to (itself aside).
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c \
         JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(pg)
    .await?;
    let mut waiting: BTreeMap<String, BTreeSet<String>> = common
        .iter()
        .map(|t| (t.clone(), BTreeSet::new()))
        .collect();
    for (child, parent) in edges {
        let (child, parent) = (
            child.trim_matches('"').to_owned(),
            parent.trim_matches('"').to_owned(),
        );
        if child != parent && waiting.contains_key(&parent) {
            if let Some(set) = waiting.get_mut(&child) {
                set.insert(parent);
            }
        }
    }
    let mut order = Vec::new();
    while !waiting.is_empty() {
        let ready: Vec<String> = waiting
            .iter()
            .filter(|(_, parents)| parents.is_empty())
            .map(|(t, _)| t.clone())
            .collect();
        if ready.is_empty() {
            return Err(StoreError::Invalid(format!(
                "the tables {:?} refer to each other in a cycle",
                waiting.keys().collect::<Vec<_>>()
            )));
        }
        for table in ready {
            waiting.remove(&table);
            for parents in waiting.values_mut() {
                parents.remove(&table);
            }
            order.push(table);
        }
    }

    let mut tables = Vec::new();
    for name in order {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, udt_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' \
             ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(pg)
        .await?;
        let source_columns: BTreeSet<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                .bind(&name)
                .fetch_all(sqlite)
                .await?
                .into_iter()
                .collect();
        let columns: Vec<Column> = columns
            .into_iter()
            .filter(|(c, _)| source_columns.contains(c))
            .map(|(c, t)| Column {
                kind: kind_of(&t),
                name: c,
                pg_type: t,
            })
            .collect();
        let primary_key: Vec<String> = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attnum",
        )
        .bind(quote(&name))
        .fetch_all(pg)
        .await?;
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(&name)))
            .fetch_one(sqlite)
            .await?;
        tables.push(TablePlan {
            name,
            columns,
            primary_key,
            rows: rows as u64,
        });
    }
    skipped.sort();
    Ok(Plan { tables, skipped })
}

/// One value, typed as the target column wants it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
    Float(f64),
    Bytes(Vec<u8>),
}

impl Value {
    /// The same text for the same value on either side.
    fn canonical(&self, kind: ColumnKind, pg_type: &str) -> String {
        match self {
            Value::Null => "\u{0}NULL".into(),
            Value::Int(v) => v.to_string(),
            Value::Bool(v) => v.to_string(),
            Value::Text(v) if kind == ColumnKind::Cast && pg_type.starts_with("json") => {
                serde_json::from_str::<serde_json::Value>(v)
                    .map(|j| j.to_string())
                    .unwrap_or_else(|_| v.clone())
            }
            Value::Text(v) => v.clone(),
            Value::Date(v) => v.to_string(),
            Value::Timestamp(v) => v.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            Value::Float(v) => format!("{v:?}"),
            Value::Bytes(v) => hex::encode(v),
        }
    }
}

fn from_sqlite(row: &SqliteRow, index: usize, kind: ColumnKind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        ColumnKind::Int => row.try_get::<Option<i64>, _>(index)?.map(Value::Int),
        ColumnKind::Bool => row.try_get::<Option<bool>, _>(index)?.map(Value::Bool),
        ColumnKind::Text | ColumnKind::Cast => {
            row.try_get::<Option<String>, _>(index)?.map(Value::Text)
        }
        ColumnKind::Date => row.try_get::<Option<NaiveDate>, _>(index)?.map(Value::Date),
        ColumnKind::Timestamp => row
            .try_get::<Option<DateTime<Utc>>, _>(index)?
            .map(Value::Timestamp),
        ColumnKind::Float => row.try_get::<Option<f64>, _>(index)?.map(Value::Float),
        ColumnKind::Bytes => row.try_get::<Option<Vec<u8>>, _>(index)?.map(Value::Bytes),
    }
    .unwrap_or(Value::Null))
}

fn from_postgres(row: &PgRow, index: usize, column: &Column) -> Result<Value, sqlx::Error> {
    Ok(match column.kind {
        ColumnKind::Int => match column.pg_type.as_str() {
            "int2" => row
                .try_get::<Option<i16>, _>(index)?
                .map(|v| Value::Int(v.into())),
            "int4" => row
                .try_get::<Option<i32>, _>(index)?
                .map(|v| Value::Int(v.into())),
            _ => row.try_get::<Option<i64>, _>(index)?.map(Value::Int),
        },
        ColumnKind::Bool => row.try_get::<Option<bool>, _>(index)?.map(Value::Bool),
        // Cast columns are selected as text (see `select_list`).
        ColumnKind::Text | ColumnKind::Cast => {
            row.try_get::<Option<String>, _>(index)?.map(Value::Text)
        }
        ColumnKind::Date => row.try_get::<Option<NaiveDate>, _>(index)?.map(Value::Date),
        ColumnKind::Timestamp => row
            .try_get::<Option<DateTime<Utc>>, _>(index)?
            .map(Value::Timestamp),
        ColumnKind::Float => match column.pg_type.as_str() {
            "float4" => row
                .try_get::<Option<f32>, _>(index)?
                .map(|v| Value::Float(v.into())),
            _ => row.try_get::<Option<f64>, _>(index)?.map(Value::Float),
        },
        ColumnKind::Bytes => row.try_get::<Option<Vec<u8>>, _>(index)?.map(Value::Bytes),
    }
    .unwrap_or(Value::Null))
}

fn select_list(table: &TablePlan, postgres: bool) -> String {
    table
        .columns
        .iter()
        .map(|c| {
            if postgres && c.kind == ColumnKind::Cast {
                format!("{}::text", quote(&c.name))
            } else {
                quote(&c.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parents come before children within a table too (units under units): rows go in key order.
fn order_by(table: &TablePlan) -> String {
    if table.primary_key.len() == 1
        && table
            .columns
            .iter()
            .any(|c| c.name == table.primary_key[0] && c.kind == ColumnKind::Int)
    {
        format!(" ORDER BY {}", quote(&table.primary_key[0]))
    } else {
        String::new()
    }
}

type PgArguments = sqlx::postgres::PgArguments;
type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, PgArguments>;

fn bind(query: PgQuery<'_>, value: Value, kind: ColumnKind) -> PgQuery<'_> {
    match value {
        // A NULL still has to have the column's type.
        Value::Null => match kind {
            ColumnKind::Int => query.bind(None::<i64>),
            ColumnKind::Bool => query.bind(None::<bool>),
            ColumnKind::Text | ColumnKind::Cast => query.bind(None::<String>),
            ColumnKind::Date => query.bind(None::<NaiveDate>),
            ColumnKind::Timestamp => query.bind(None::<DateTime<Utc>>),
            ColumnKind::Float => query.bind(None::<f64>),
            ColumnKind::Bytes => query.bind(None::<Vec<u8>>),
        },
        Value::Int(v) => query.bind(v),
        Value::Bool(v) => query.bind(v),
        Value::Text(v) => query.bind(v),
        Value::Date(v) => query.bind(v),
        Value::Timestamp(v) => query.bind(v),
        Value::Float(v) => query.bind(v),
        Value::Bytes(v) => query.bind(v),
    }
}

/// Copies one table; `progress` hears how many rows each batch moved.
pub async fn copy_table(
    source: &Db,
    target: &Db,
    table: &TablePlan,
    mut progress: impl FnMut(u64),
) -> StoreResult<()> {
    let (sqlite, pg) = pools(source, target)?;
    if table.columns.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    // Rows that the target's own migrations or triggers already wrote (the audit head, the
    // default numbering series, read-access rows) take the source's values.
    let non_key: Vec<&String> = table
        .columns
        .iter()
        .map(|c| &c.name)
        .filter(|c| !table.primary_key.contains(c))
        .collect();
    let conflict = if table.primary_key.is_empty() {
        String::new()
    } else if non_key.is_empty() {
        format!(
            " ON CONFLICT ({}) DO NOTHING",
            table
                .primary_key
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            table
                .primary_key
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(", "),
            non_key
                .iter()
                .map(|c| format!("{0} = EXCLUDED.{0}", quote(c)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let batch_rows = (30_000 / table.columns.len()).clamp(1, 1_000);
    let select = format!(
        "SELECT {} FROM {}{}",
        select_list(table, false),
        quote(&table.name),
        order_by(table)
    );
    let mut rows = sqlx::query(&select).fetch(sqlite);
    let mut tx = pg.begin().await?;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(batch_rows);
    loop {
        let row = rows.try_next().await?;
        let done = row.is_none();
        if let Some(row) = row {
            let mut values = Vec::with_capacity(table.columns.len());
            for (i, column) in table.columns.iter().enumerate() {
                values.push(from_sqlite(&row, i, column.kind).map_err(|e| {
                    StoreError::Invalid(format!(
                        "{}.{}: the value cannot be read as {}: {e}",
                        table.name, column.name, column.pg_type
                    ))
                })?);
            }
            batch.push(values);
        }
        if batch.len() == batch_rows || (done && !batch.is_empty()) {
            let mut placeholders = Vec::with_capacity(batch.len());
            let mut n = 0;
            for _ in &batch {
                let row: Vec<String> = table
                    .columns
                    .iter()
                    .map(|c| {
                        n += 1;
                        if c.kind == ColumnKind::Cast {
                            format!("${n}::{}", c.pg_type)
                        } else {
                            format!("${n}")
                        }
                    })
                    .collect();
                placeholders.push(format!("({})", row.join(", ")));
            }
            let sql = format!(
                "INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES {}{}",
                quote(&table.name),
                names.join(", "),
                placeholders.join(", "),
                conflict
            );
            let count = batch.len() as u64;
            let mut query = sqlx::query(&sql);
            for values in batch.drain(..) {
                for (value, column) in values.into_iter().zip(&table.columns) {
                    query = bind(query, value, column.kind);
                }
            }
            query.execute(&mut *tx).await?;
            progress(count);
        }
        if done {
            break;
        }
    }
    drop(rows);
    // Identity columns continue after the copied ids.
    for column in &table.columns {
        let sequence: Option<String> = sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)")
            .bind(quote(&table.name))
            .bind(&column.name)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(sequence) = sequence {
            sqlx::query(&format!(
                "SELECT setval($1, COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
                quote(&column.name),
                quote(&table.name)
            ))
            .bind(sequence)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Row count and checksum of a table: the SHA-256 of the sorted hashes of its rows, so the
/// order each database returns rows in does not matter.
async fn checksum(db: &Db, table: &TablePlan) -> StoreResult<(u64, String)> {
    let mut hashes: Vec<[u8; 32]> = Vec::new();
    let row_hash = |values: Vec<Value>| -> [u8; 32] {
        let mut hasher = Sha256::new();
        for (value, column) in values.iter().zip(&table.columns) {
            hasher.update(value.canonical(column.kind, &column.pg_type).as_bytes());
            hasher.update([0x1f]);
        }
        hasher.finalize().into()
    };
    match db {
        Db::Sqlite(pool) => {
            let sql = format!(
                "SELECT {} FROM {}",
                select_list(table, false),
                quote(&table.name)
            );
            let mut rows = sqlx::query(&sql).fetch(pool);
            while let Some(row) = rows.try_next().await? {
                let values = table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| from_sqlite(&row, i, c.kind))
                    .collect::<Result<Vec<_>, _>>()?;
                hashes.push(row_hash(values));
            }
        }
        Db::Postgres(pool) => {
            let sql = format!(
                "SELECT {} FROM {}",
                select_list(table, true),
                quote(&table.name)
            );
            let mut rows = sqlx::query(&sql).fetch(pool);
            while let Some(row) = rows.try_next().await? {
                let values = table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| from_postgres(&row, i, c))
                    .collect::<Result<Vec<_>, _>>()?;
                hashes.push(row_hash(values));
            }
        }
    }
    hashes.sort_unstable();
    let mut hasher = Sha256::new();
    for h in &hashes {
        hasher.update(h);
    }
    Ok((hashes.len() as u64, hex::encode(hasher.finalize())))
}

/// Compares one table on both sides.
pub async fn verify_table(source: &Db, target: &Db, table: &TablePlan) -> StoreResult<TableCheck> {
    let (source_rows, source_checksum) = checksum(source, table).await?;
    let (target_rows, target_checksum) = checksum(target, table).await?;
    Ok(TableCheck {
        name: table.name.clone(),
        source_rows,
        target_rows,
        source_checksum,
        target_checksum,
    })
}

/// Every recorded file, by its SHA-256.
pub async fn recorded_blobs(db: &Db) -> StoreResult<Vec<String>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar("SELECT sha256 FROM blobs ORDER BY sha256").fetch_all(pool).await?
    }))
}
