//! Lists of dossiers with filters and pages, always inside the reader's scope, and the
//! statistics by procedure, unit and month that the reports build on.

use super::{Dossier, DOSSIER_COLUMNS, DOSSIER_FROM};
use crate::db::{Backend, Db};
use crate::error::StoreResult;
use chrono::NaiveDate;
use vanphong_core::ids::UnitId;

/// Which dossiers a reader may see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DossierScope {
    /// `None`: every dossier. Otherwise those received by or handled in these units.
    pub units: Option<Vec<UnitId>>,
    /// One-stop officers also see online submissions no desk has accepted yet.
    pub unreceived: bool,
}

impl DossierScope {
    pub const ALL: DossierScope = DossierScope {
        units: None,
        unreceived: true,
    };

    /// The SQL condition (on alias `d`). Unit ids are our own integers.
    pub fn condition(&self) -> String {
        let Some(units) = &self.units else {
            return "1 = 1".into();
        };
        let unreceived = if self.unreceived {
            " OR d.received_unit_id IS NULL"
        } else {
            ""
        };
        if units.is_empty() {
            return format!("(1 = 0{unreceived})");
        }
        let list = units
            .iter()
            .map(|u| u.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        format!("(d.received_unit_id IN ({list}) OR d.handling_unit_id IN ({list}){unreceived})")
    }
}

/// True when the dossier is inside the scope.
pub async fn scope_allows(db: &Db, scope: &DossierScope, id: i64) -> StoreResult<bool> {
    let sql = format!(
        "SELECT COUNT(*) FROM dossiers d WHERE d.id = $1 AND {}",
        scope.condition()
    );
    let n: i64 = on_pool!(db, pool => sqlx::query_scalar(&sql).bind(id).fetch_one(pool).await?);
    Ok(n > 0)
}

/// What a list shows; every field narrows it.
#[derive(Clone, Debug, Default)]
pub struct DossierFilter {
    pub status: Option<i64>,
    pub procedure_id: Option<i64>,
    pub handling_unit: Option<UnitId>,
    pub channel: Option<String>,
    pub timeliness: Option<String>,
    /// Submission date from and to, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Open dossiers whose appointment date passed before this day.
    pub overdue_on: Option<NaiveDate>,
    /// Words of the code, applicant, subject or phone, with or without tone marks.
    pub text: Option<String>,
}

enum Bind {
    Text(String),
    Date(NaiveDate),
}

fn build(filter: &DossierFilter, scope: &DossierScope) -> (String, Vec<Bind>) {
    let mut sql = vec![scope.condition()];
    let mut binds = Vec::new();
    // Whole numbers are written into the SQL rather than bound: they are our own typed
    // integers, and PostgreSQL then plans with the value's real selectivity instead of a
    // generic plan (a rare status would otherwise be planned like a common one).
    if let Some(v) = filter.status {
        sql.push(format!("d.status = {v}"));
    }
    if let Some(v) = filter.procedure_id {
        sql.push(format!("d.procedure_id = {v}"));
    }
    if let Some(v) = filter.handling_unit {
        sql.push(format!("d.handling_unit_id = {}", v.0));
    }
    let mut push = |condition: &str, bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        sql.push(condition.replace('?', &format!("${}", binds.len())));
    };
    if let Some(v) = &filter.channel {
        push("d.channel = ?", Bind::Text(v.clone()), &mut binds);
    }
    if let Some(v) = &filter.timeliness {
        push("d.timeliness = ?", Bind::Text(v.clone()), &mut binds);
    }
    if let Some(v) = filter.from {
        push("d.submitted_on >= ?", Bind::Date(v), &mut binds);
    }
    if let Some(v) = filter.to {
        push("d.submitted_on <= ?", Bind::Date(v), &mut binds);
    }
    if let Some(v) = filter.overdue_on {
        push(
            "d.due_date < ? AND d.status IN (1, 2, 4)",
            Bind::Date(v),
            &mut binds,
        );
    }
    if let Some(v) = &filter.text {
        for word in vanphong_core::text::fold(v).split_whitespace().take(8) {
            let escaped = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            push(
                "d.search_text LIKE ? ESCAPE '\\'",
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

/// A page of dossiers, newest first.
pub async fn list(
    db: &Db,
    scope: &DossierScope,
    filter: &DossierFilter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<Dossier>> {
    let (condition, binds) = build(filter, scope);
    let sql = format!(
        "SELECT {DOSSIER_COLUMNS} FROM {DOSSIER_FROM} WHERE {condition} ORDER BY d.id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 100_000),
        offset.max(0)
    );
    Ok(on_pool!(db, pool => {
        bind_all!(sqlx::query_as::<_, Dossier>(&sql), &binds).fetch_all(pool).await?
    }))
}

/// How many dossiers match, counting at most `cap` (a list says "more than" beyond it).
pub async fn count_up_to(
    db: &Db,
    scope: &DossierScope,
    filter: &DossierFilter,
    cap: i64,
) -> StoreResult<i64> {
    let (condition, binds) = build(filter, scope);
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM dossiers d WHERE {condition} LIMIT {}) AS capped",
        cap.max(1)
    );
    Ok(on_pool!(db, pool => {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(pool).await?
    }))
}

/// How statistics are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Procedure,
    Unit,
    Month,
}

impl GroupBy {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "procedure" => Some(Self::Procedure),
            "unit" => Some(Self::Unit),
            "month" => Some(Self::Month),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Procedure => "procedure",
            Self::Unit => "unit",
            Self::Month => "month",
        }
    }
}

/// One line of the statistics: dossiers submitted in the period, and how they stand.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct StatRow {
    /// The procedure's code, the unit's id or `YYYY-MM`.
    pub key: String,
    /// The procedure's or unit's name; the month for months.
    pub label: String,
    pub submitted: i64,
    pub finished: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    pub refused: i64,
    pub withdrawn: i64,
    /// Still open at the end of the query.
    pub open: i64,
    pub online: i64,
}

impl StatRow {
    /// The share of finished dossiers that were early or on time, in per cent.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.finished > 0)
            .then(|| (self.early + self.on_time) as f64 * 100.0 / self.finished as f64)
    }
}

/// Dossiers submitted from `from` to `to` (inclusive) inside the scope, grouped, with a
/// total line (key `total`) last. The reports issue calls this.
pub async fn statistics(
    db: &Db,
    scope: &DossierScope,
    from: NaiveDate,
    to: NaiveDate,
    group: GroupBy,
) -> StoreResult<Vec<StatRow>> {
    let month = match db.backend() {
        Backend::Sqlite => "substr(d.submitted_on, 1, 7)",
        Backend::Postgres => "to_char(d.submitted_on, 'YYYY-MM')",
    };
    // SQLite would otherwise walk the whole table in the order of the (procedure_id, id) or
    // (handling_unit_id, id) index to get its groups in order, reading every dossier of
    // every year; a unary plus keeps it on the covering statistics index, which starts with
    // the submission date (about 1 s down to tens of ms for a year of 100,000 dossiers).
    let plus = match db.backend() {
        Backend::Sqlite => "+",
        Backend::Postgres => "",
    };
    let counts = "COUNT(*) AS submitted, \
        SUM(CASE WHEN d.finished_on IS NOT NULL THEN 1 ELSE 0 END) AS finished, \
        SUM(CASE WHEN d.timeliness = 'early' THEN 1 ELSE 0 END) AS early, \
        SUM(CASE WHEN d.timeliness = 'on_time' THEN 1 ELSE 0 END) AS on_time, \
        SUM(CASE WHEN d.timeliness = 'late' THEN 1 ELSE 0 END) AS late, \
        SUM(CASE WHEN d.status = 3 THEN 1 ELSE 0 END) AS refused, \
        SUM(CASE WHEN d.status = 7 THEN 1 ELSE 0 END) AS withdrawn, \
        SUM(CASE WHEN d.status IN (1, 2, 4, 5, 6, 8) THEN 1 ELSE 0 END) AS open, \
        SUM(CASE WHEN d.channel = 'online' THEN 1 ELSE 0 END) AS online";
    let condition = format!(
        "d.submitted_on >= $1 AND d.submitted_on <= $2 AND {}",
        scope.condition()
    );
    // The dossiers are grouped on their own columns first; names are joined to the few
    // groups afterwards.
    let grouped = match group {
        // The groups are materialised first: otherwise SQLite pushes the join condition into
        // the grouped query and scans the year once per procedure.
        GroupBy::Procedure => format!(
            "WITH s AS MATERIALIZED (SELECT {plus}d.procedure_id AS gid, {counts} FROM dossiers d WHERE {condition} \
             GROUP BY {plus}d.procedure_id) \
             SELECT p.code AS key, v.name AS label, s.submitted, s.finished, s.early, s.on_time, s.late, s.refused, \
             s.withdrawn, s.open, s.online FROM s JOIN procedures p ON p.id = s.gid JOIN procedure_versions v ON v.id = p.current_version_id \
             ORDER BY p.code"
        ),
        GroupBy::Unit => format!(
            "WITH s AS MATERIALIZED (SELECT {plus}d.handling_unit_id AS gid, {counts} \
             FROM dossiers d WHERE {condition} GROUP BY {plus}d.handling_unit_id) \
             SELECT COALESCE(CAST(s.gid AS TEXT), '') AS key, COALESCE(u.name, '') AS label, s.submitted, s.finished, s.early, \
             s.on_time, s.late, s.refused, s.withdrawn, s.open, s.online FROM s LEFT JOIN units u ON u.id = s.gid \
             ORDER BY COALESCE(u.name, '')"
        ),
        GroupBy::Month => format!(
            "SELECT {month} AS key, {month} AS label, {counts} FROM dossiers d WHERE {condition} GROUP BY {month} ORDER BY {month}"
        ),
    };
    let mut rows: Vec<StatRow> = on_pool!(db, pool => {
        sqlx::query_as::<_, Raw>(&grouped).bind(from).bind(to).fetch_all(pool).await?
            .into_iter().map(Into::into).collect()
    });
    let mut total = StatRow {
        key: "total".into(),
        ..Default::default()
    };
    for r in &rows {
        total.submitted += r.submitted;
        total.finished += r.finished;
        total.early += r.early;
        total.on_time += r.on_time;
        total.late += r.late;
        total.refused += r.refused;
        total.withdrawn += r.withdrawn;
        total.open += r.open;
        total.online += r.online;
    }
    rows.push(total);
    Ok(rows)
}

/// Sums come back as NULL over no rows and as NUMERIC on PostgreSQL: read them leniently.
#[derive(sqlx::FromRow)]
struct Raw {
    key: String,
    label: String,
    submitted: i64,
    finished: Option<i64>,
    early: Option<i64>,
    on_time: Option<i64>,
    late: Option<i64>,
    refused: Option<i64>,
    withdrawn: Option<i64>,
    open: Option<i64>,
    online: Option<i64>,
}

impl From<Raw> for StatRow {
    fn from(r: Raw) -> Self {
        Self {
            key: r.key,
            label: r.label,
            submitted: r.submitted,
            finished: r.finished.unwrap_or(0),
            early: r.early.unwrap_or(0),
            on_time: r.on_time.unwrap_or(0),
            late: r.late.unwrap_or(0),
            refused: r.refused.unwrap_or(0),
            withdrawn: r.withdrawn.unwrap_or(0),
            open: r.open.unwrap_or(0),
            online: r.online.unwrap_or(0),
        }
    }
}
