//! The year-end review (any period, compared with the one before) and the leader
//! dashboard, computed from the records inside the reader's scope.
//!
//! Every figure is defined once, in [`FIGURES`], by a source (a table, its date column and
//! the reader's scope) and one SQL condition. The review counts each condition over the
//! period and the period before in one aggregate query per source; the list of records
//! behind a figure ([`figure_records`]) applies the same source and condition, so its count
//! equals the figure by construction. The charts are in [`charts`], the dashboard in
//! [`dashboard`].

pub mod charts;
pub mod dashboard;

use crate::db::{Backend, Db};
use crate::dossiers::lists::DossierScope;
use crate::error::{StoreError, StoreResult};
use crate::org;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sqlx::Row;
use vanphong_core::auth::Secrecy;
use vanphong_core::hotline::HotlineAccess;
use vanphong_core::ids::{AreaId, UserId};
use vanphong_core::permission::{self, Action, Actor, ReadScope};
use vanphong_core::report::{Figure, Period, Review, Section, Value};

/// Vietnam's offset from UTC: the days of a period are Vietnamese days.
const VIETNAM_HOURS: i64 = 7;

/// What a reader of reports may see: documents (their read scope for reports), dossiers
/// and hotline cases.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportScope {
    pub user: UserId,
    pub documents: ReadScope,
    pub dossiers: DossierScope,
    pub hotline: HotlineAccess,
}

impl ReportScope {
    /// The whole agency up to `clearance` (periodic reports made by the background job).
    pub fn agency(user: UserId, clearance: Secrecy) -> Self {
        Self {
            user,
            documents: ReadScope {
                units: None,
                max_secrecy: clearance,
            },
            dossiers: DossierScope::ALL,
            hotline: HotlineAccess::Leader,
        }
    }

    /// The scope of `actor` for [`Action::ViewReports`] (agency leaders: everything; unit
    /// leaders: their unit and the units below it). `None` when the actor may not see
    /// reports. `officer_of` is the province the actor is a hotline officer of, if any.
    pub async fn of(
        db: &Db,
        actor: &Actor,
        officer_of: Option<AreaId>,
    ) -> StoreResult<Option<Self>> {
        let tree = org::unit_tree(db).await?;
        let units: Vec<_> = org::units(db).await?.into_iter().map(|u| u.id).collect();
        let Some(documents) = permission::read_scope(actor, Action::ViewReports, &units, &tree)
        else {
            return Ok(None);
        };
        let dossiers = DossierScope {
            units: documents.units.clone(),
            unreceived: documents.units.is_none(),
        };
        Ok(Some(Self {
            user: actor.user_id,
            documents,
            dossiers,
            hotline: HotlineAccess::of(actor, officer_of),
        }))
    }

    fn sees_hotline(&self) -> bool {
        self.hotline != HotlineAccess::None
    }

    fn hotline_condition(&self) -> String {
        match self.hotline {
            HotlineAccess::Operator | HotlineAccess::Leader => "1 = 1".into(),
            HotlineAccess::ProvinceOfficer(province) => {
                format!("c.routed_province_id = {}", province.0)
            }
            HotlineAccess::None => "1 = 0".into(),
        }
    }
}

/// Where a figure's records live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Incoming documents by arrival date.
    Incoming,
    /// Outgoing documents by issue date.
    Outgoing,
    /// Lead assignments finished (done) in the period, by the moment they were finished.
    LeadWork,
    /// Procedure dossiers by submission date (as `dossiers::lists::statistics` counts them).
    Dossiers,
    /// Hotline reports by reception moment.
    HotlineReports,
    /// Hotline cases (merged duplicates left out) by reception moment.
    HotlineCases,
    /// Work files received into the agency archive, by the day received.
    ArchiveFiles,
    /// News articles published, by the publication moment.
    NewsArticles,
}

/// Which page a record of a figure's list opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Document,
    Dossier,
    HotlineCase,
    WorkFile,
    NewsArticle,
}

/// How a source's date column is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateKind {
    /// A calendar date (`DATE` / `TEXT YYYY-MM-DD`).
    Day,
    /// A moment (`TIMESTAMPTZ` / RFC 3339 text); the Vietnamese day is taken from it.
    Moment,
}

/// The SQL of a source: what a figure's condition is added to.
#[derive(Clone, Debug)]
pub struct SourceSql {
    /// `FROM` clause (tables and joins) with the aliases the conditions use.
    pub from: String,
    /// The smaller `FROM` clause that counting needs: only the tables the base condition
    /// and the figures' conditions read (the joins for the list's columns left out).
    pub count_from: String,
    /// The date column the period applies to.
    pub date: &'static str,
    pub date_kind: DateKind,
    /// Always true for the source, and the reader's scope.
    pub base: String,
    /// The columns of a record row: id, reference, title, date, unit, status.
    pub columns: &'static str,
    pub order: &'static str,
    pub record_kind: RecordKind,
}

/// The sources of the records kept by `work_files` and `news`: files received into the
/// agency archive (by the day the archive received them, in units of the reader's scope)
/// and news articles published (by the publication moment, while they are published; news
/// is public, so every reader sees the same count).
fn records_source(source: Source, scope: &ReportScope) -> Option<SourceSql> {
    match source {
        Source::ArchiveFiles => Some(SourceSql {
            from: "work_files f LEFT JOIN units u ON u.id = f.unit_id".into(),
            count_from: "work_files f".into(),
            date: "f.received_on",
            date_kind: DateKind::Day,
            base: crate::work_files::WorkFileScope {
                units: scope.documents.units.clone(),
            }
            .condition(),
            columns: "f.id, f.code, f.title, f.received_on, COALESCE(u.name, ''), f.status",
            order: "f.received_on, f.id",
            record_kind: RecordKind::WorkFile,
        }),
        Source::NewsArticles => Some(SourceSql {
            from: "news_articles a".into(),
            count_from: "news_articles a".into(),
            date: "a.published_at",
            date_kind: DateKind::Moment,
            base: "a.status = 'published'".into(),
            columns: "a.id, a.slug, a.title, a.published_at, '', a.status",
            order: "a.published_at, a.id",
            record_kind: RecordKind::NewsArticle,
        }),
        _ => None,
    }
}

impl Source {
    /// The source's SQL for `scope`; `None` when the reader may not see it at all or the
    /// table is not there yet.
    pub fn sql(self, scope: &ReportScope) -> Option<SourceSql> {
        let documents = crate::documents::scope_condition(&scope.documents, scope.user);
        Some(match self {
            Self::Incoming => SourceSql {
                from: "documents d LEFT JOIN units u ON u.id = d.owner_unit_id".into(),
                count_from: "documents d".into(),
                date: "d.arrival_date",
                date_kind: DateKind::Day,
                base: format!("d.direction = 'incoming' AND {documents}"),
                columns: "d.id, COALESCE(d.number_symbol, ''), d.subject, d.arrival_date, COALESCE(u.name, ''), d.status",
                order: "d.arrival_date, d.id",
                record_kind: RecordKind::Document,
            },
            Self::Outgoing => SourceSql {
                from: "documents d LEFT JOIN units u ON u.id = d.owner_unit_id".into(),
                count_from: "documents d".into(),
                date: "d.issued_on",
                date_kind: DateKind::Day,
                base: format!("d.direction = 'outgoing' AND {documents}"),
                columns: "d.id, COALESCE(d.number_symbol, ''), d.subject, d.issued_on, COALESCE(u.name, ''), d.status",
                order: "d.issued_on, d.id",
                record_kind: RecordKind::Document,
            },
            Self::LeadWork => SourceSql {
                from: "assignments a JOIN documents d ON d.id = a.document_id LEFT JOIN units u ON u.id = a.unit_id"
                    .into(),
                count_from: "assignments a".into(),
                date: "a.finished_at",
                date_kind: DateKind::Moment,
                base: format!(
                    "a.role = 'lead' AND a.status = 'done' AND {}",
                    crate::documents::scope_condition_by_id(&scope.documents, "a.document_id")
                ),
                columns: "d.id, COALESCE(d.number_symbol, ''), d.subject, a.finished_at, COALESCE(u.name, ''), a.status",
                order: "a.finished_at, a.id",
                record_kind: RecordKind::Document,
            },
            Self::Dossiers => SourceSql {
                from: "dossiers d JOIN procedure_versions v ON v.id = d.procedure_version_id \
                       LEFT JOIN units u ON u.id = d.handling_unit_id"
                    .into(),
                count_from: "dossiers d".into(),
                date: "d.submitted_on",
                date_kind: DateKind::Day,
                base: scope.dossiers.condition(),
                columns: "d.id, d.code, v.name, d.submitted_on, COALESCE(u.name, ''), CAST(d.status AS TEXT)",
                order: "d.submitted_on, d.id",
                record_kind: RecordKind::Dossier,
            },
            Self::HotlineReports => {
                if !scope.sees_hotline() {
                    return None;
                }
                SourceSql {
                    from: "hotline_reports r JOIN hotline_cases c ON c.id = r.case_id \
                           LEFT JOIN admin_areas u ON u.id = c.province_id"
                        .into(),
                    count_from: "hotline_reports r JOIN hotline_cases c ON c.id = r.case_id".into(),
                    date: "r.received_at",
                    date_kind: DateKind::Moment,
                    base: scope.hotline_condition(),
                    columns: "c.id, r.channel, c.title, r.received_at, COALESCE(u.name, ''), c.status",
                    order: "r.received_at, r.id",
                    record_kind: RecordKind::HotlineCase,
                }
            }
            Self::HotlineCases => {
                if !scope.sees_hotline() {
                    return None;
                }
                SourceSql {
                    from: "hotline_cases c LEFT JOIN admin_areas u ON u.id = c.province_id".into(),
                    count_from: "hotline_cases c".into(),
                    date: "c.received_at",
                    date_kind: DateKind::Moment,
                    base: format!("c.status <> 'duplicate' AND {}", scope.hotline_condition()),
                    columns: "c.id, c.kind, c.title, c.received_at, COALESCE(u.name, ''), c.status",
                    order: "c.received_at, c.id",
                    record_kind: RecordKind::HotlineCase,
                }
            }
            Self::ArchiveFiles | Self::NewsArticles => return records_source(self, scope),
        })
    }
}

/// True when an assignment was finished by the end of its due day (a Vietnamese day, which
/// ends at 17:00 UTC), in each backend's SQL: a comparison of moments that an index holding
/// both columns answers without computing a day for every row. On SQLite moments are
/// RFC 3339 text in UTC (`2020-03-05T09:30:00+00:00`, as sqlx writes them), which sorts
/// as the moments do.
pub(crate) fn finished_by_due_day(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "a.finished_at < a.due_date || 'T17:00:00'",
        Backend::Postgres => {
            "a.finished_at < (CAST(a.due_date AS TIMESTAMP) + INTERVAL '17 hours') AT TIME ZONE 'UTC'"
        }
    }
}

/// One figure: its key, its source and the condition its records meet.
#[derive(Clone, Copy, Debug)]
pub struct FigureDef {
    pub key: &'static str,
    pub section: &'static str,
    pub source: Source,
    /// Added to the source's base condition; `%FINISHED_BY_DUE_DAY%` is true when an
    /// assignment was finished by the end of its due day.
    pub condition: &'static str,
}

const fn def(
    section: &'static str,
    key: &'static str,
    source: Source,
    condition: &'static str,
) -> FigureDef {
    FigureDef {
        key,
        section,
        source,
        condition,
    }
}

/// Every counted figure of the review, in the order the review shows them.
pub const FIGURES: &[FigureDef] = &[
    def("documents", "incoming_received", Source::Incoming, "1 = 1"),
    def(
        "documents",
        "incoming_processed",
        Source::Incoming,
        "d.status = 'done'",
    ),
    def(
        "documents",
        "outgoing_issued",
        Source::Outgoing,
        "d.issued_on IS NOT NULL",
    ),
    // Signed by the agency's leaders in their own name, for them (KT.), on behalf of the
    // collective (TM.) or as acting head (Q.): the agency's documents. Signed by a unit's
    // head by order (TL.) or by delegation (TUQ.): the office's and units' own documents.
    def(
        "documents",
        "outgoing_agency_level",
        Source::Outgoing,
        "d.signing_authority NOT IN ('tl', 'tuq')",
    ),
    def(
        "documents",
        "outgoing_office_level",
        Source::Outgoing,
        "d.signing_authority IN ('tl', 'tuq')",
    ),
    def("documents", "work_finished", Source::LeadWork, "1 = 1"),
    def(
        "documents",
        "work_finished_on_time",
        Source::LeadWork,
        "(a.due_date IS NULL OR %FINISHED_BY_DUE_DAY%)",
    ),
    def(
        "documents",
        "archive_files_received",
        Source::ArchiveFiles,
        "1 = 1",
    ),
    def(
        "questions",
        "deputy_questions",
        Source::Incoming,
        "d.kind = 'deputy_question'",
    ),
    def(
        "questions",
        "voter_petitions",
        Source::Incoming,
        "d.kind = 'voter_petition'",
    ),
    def(
        "questions",
        "petitions_petitions_committee",
        Source::Incoming,
        "d.kind = 'voter_petition' AND d.petition_source = 'petitions_committee'",
    ),
    def(
        "questions",
        "petitions_government_office",
        Source::Incoming,
        "d.kind = 'voter_petition' AND d.petition_source = 'government_office'",
    ),
    def(
        "questions",
        "petitions_fatherland_front",
        Source::Incoming,
        "d.kind = 'voter_petition' AND d.petition_source = 'fatherland_front'",
    ),
    def(
        "questions",
        "petitions_provincial_delegation",
        Source::Incoming,
        "d.kind = 'voter_petition' AND d.petition_source = 'provincial_delegation'",
    ),
    def(
        "questions",
        "petitions_other",
        Source::Incoming,
        "d.kind = 'voter_petition' AND (d.petition_source IS NULL OR d.petition_source = 'other')",
    ),
    def(
        "questions",
        "reports_prepared",
        Source::Outgoing,
        "d.type_code = 'bao_cao'",
    ),
    def("dossiers", "dossiers_received", Source::Dossiers, "1 = 1"),
    def(
        "dossiers",
        "dossiers_finished",
        Source::Dossiers,
        "d.finished_on IS NOT NULL",
    ),
    def(
        "dossiers",
        "dossiers_on_time",
        Source::Dossiers,
        "d.timeliness IN ('early', 'on_time')",
    ),
    def(
        "dossiers",
        "dossiers_late",
        Source::Dossiers,
        "d.timeliness = 'late'",
    ),
    def(
        "dossiers",
        "dossiers_open",
        Source::Dossiers,
        "d.status IN (1, 2, 4, 5, 6)",
    ),
    def(
        "hotline",
        "hotline_reports_received",
        Source::HotlineReports,
        "r.channel NOT IN ('press', 'social_media')",
    ),
    def(
        "hotline",
        "hotline_press_reports",
        Source::HotlineReports,
        "r.channel IN ('press', 'social_media')",
    ),
    def("hotline", "hotline_cases", Source::HotlineCases, "1 = 1"),
    def(
        "hotline",
        "hotline_cases_resolved",
        Source::HotlineCases,
        "c.status IN ('handled', 'responded', 'closed')",
    ),
    def(
        "hotline",
        "hotline_cases_verifying",
        Source::HotlineCases,
        "c.status IN ('received', 'verifying', 'verified', 'handling')",
    ),
    def(
        "news",
        "news_articles_published",
        Source::NewsArticles,
        "1 = 1",
    ),
];

/// Shares computed from two counted figures: (key, section, numerator, denominator), shown
/// after the numerator.
pub const RATES: &[(&str, &str, &str, &str)] = &[
    (
        "work_on_time_rate",
        "documents",
        "work_finished_on_time",
        "work_finished",
    ),
    (
        "dossiers_on_time_rate",
        "dossiers",
        "dossiers_on_time",
        "dossiers_finished",
    ),
    (
        "hotline_resolved_rate",
        "hotline",
        "hotline_cases_resolved",
        "hotline_cases",
    ),
];

/// The sections of the review, in order.
pub const SECTIONS: [&str; 5] = ["documents", "questions", "dossiers", "hotline", "news"];

pub fn figure_def(key: &str) -> Option<&'static FigureDef> {
    FIGURES.iter().find(|f| f.key == key)
}

/// A bound of a period in the type of a source's date column.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Bound {
    Day(NaiveDate),
    Moment(DateTime<Utc>),
}

/// The first moment of a Vietnamese day, in UTC.
pub(crate) fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() - Duration::hours(VIETNAM_HOURS)
}

/// The Vietnamese day of a moment.
pub(crate) fn vietnam_day(moment: DateTime<Utc>) -> NaiveDate {
    (moment + Duration::hours(VIETNAM_HOURS)).date_naive()
}

/// From `start` (included) to the day after `end` (excluded), in the column's type.
pub(crate) fn bounds(kind: DateKind, start: NaiveDate, end: NaiveDate) -> (Bound, Bound) {
    let after = end + Duration::days(1);
    match kind {
        DateKind::Day => (Bound::Day(start), Bound::Day(after)),
        DateKind::Moment => (
            Bound::Moment(day_start(start)),
            Bound::Moment(day_start(after)),
        ),
    }
}

macro_rules! bind_bounds {
    ($query:expr, $bounds:expr) => {{
        let mut q = $query;
        for b in $bounds {
            q = match b {
                Bound::Day(v) => q.bind(*v),
                Bound::Moment(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_bounds;

fn condition_sql(def: &FigureDef, backend: Backend) -> String {
    def.condition
        .replace("%FINISHED_BY_DUE_DAY%", finished_by_due_day(backend))
}

/// The day (a Vietnamese day) a source's record counts on, as SQL each backend computes
/// cheaply: on SQLite a moment's first 13 characters (`2020-03-05T09`, the UTC hour: the
/// day is worked out from it in [`DayKey::day`], as text functions on every row cost more
/// than the query's scan); on PostgreSQL the day itself.
fn day_key(backend: Backend, kind: DateKind, column: &str) -> String {
    match (kind, backend) {
        (DateKind::Day, _) => column.to_owned(),
        (DateKind::Moment, Backend::Sqlite) => format!("substr({column}, 1, 13)"),
        (DateKind::Moment, Backend::Postgres) => {
            format!("CAST(({column} AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)")
        }
    }
}

/// Parses an SQLite moment key (`YYYY-MM-DDTHH`, UTC) into its Vietnamese day.
fn day_of_hour_key(key: &str) -> Option<NaiveDate> {
    let hour = chrono::NaiveDateTime::parse_from_str(
        &format!("{}:00", key.replacen(' ', "T", 1)),
        "%Y-%m-%dT%H:%M",
    )
    .ok()?;
    Some((hour + Duration::hours(VIETNAM_HOURS)).date())
}

/// Counts of `conditions` over the records of `source` from `start` to `end` (days
/// included), per Vietnamese day: one pass over the source (through its `count_from`). Days
/// without records are left out.
pub(crate) async fn day_counts(
    db: &Db,
    source: Source,
    start: NaiveDate,
    end: NaiveDate,
    scope: &ReportScope,
    conditions: &[String],
) -> StoreResult<Vec<(NaiveDate, Vec<i64>)>> {
    let Some(sql) = source.sql(scope) else {
        return Ok(Vec::new());
    };
    let backend = db.backend();
    let key = day_key(backend, sql.date_kind, sql.date);
    let date = sql.date;
    let columns: Vec<String> = conditions
        .iter()
        .map(|c| format!("COUNT(CASE WHEN {c} THEN 1 END)"))
        .collect();
    let query = format!(
        "SELECT {key}, {} FROM {} WHERE {date} >= $1 AND {date} < $2 AND {} GROUP BY {key}",
        columns.join(", "),
        sql.count_from,
        sql.base
    );
    let (low, high) = bounds(sql.date_kind, start, end);
    let hour_keys = backend == Backend::Sqlite && sql.date_kind == DateKind::Moment;
    let rows: Vec<(NaiveDate, Vec<i64>)> = on_pool!(db, pool => {
        let raw = bind_bounds!(sqlx::query(&query), &[low, high]).fetch_all(pool).await?;
        let mut rows = Vec::with_capacity(raw.len());
        for row in raw {
            let day = if hour_keys {
                row.try_get::<Option<String>, usize>(0)?.as_deref().and_then(day_of_hour_key)
            } else {
                row.try_get::<Option<NaiveDate>, usize>(0)?
            };
            let Some(day) = day else { continue };
            let mut counts = Vec::with_capacity(conditions.len());
            for i in 0..conditions.len() {
                counts.push(row.try_get::<i64, usize>(i + 1)?);
            }
            rows.push((day, counts));
        }
        rows
    });
    Ok(rows)
}

/// The counted figures of a review: each figure's total over the period and the period
/// before, and its counts per day of the period (for the charts).
#[derive(Clone, Debug, Default)]
pub(crate) struct Counts {
    totals: std::collections::HashMap<&'static str, (i64, i64)>,
    daily: std::collections::HashMap<&'static str, Vec<(NaiveDate, i64)>>,
}

impl Counts {
    /// (this period, the period before) of a figure; zeros for one not counted.
    pub(crate) fn total(&self, key: &str) -> (i64, i64) {
        self.totals.get(key).copied().unwrap_or((0, 0))
    }

    /// The figure's counts per day of the period (days with records only).
    pub(crate) fn daily(&self, key: &str) -> &[(NaiveDate, i64)] {
        self.daily.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Counts every figure of [`FIGURES`] for `period` and the period before: one query per
/// source over both periods, grouped by day.
async fn count_figures(db: &Db, period: &Period, scope: &ReportScope) -> StoreResult<Counts> {
    const SOURCES: [Source; 8] = [
        Source::Incoming,
        Source::Outgoing,
        Source::LeadWork,
        Source::Dossiers,
        Source::HotlineReports,
        Source::HotlineCases,
        Source::ArchiveFiles,
        Source::NewsArticles,
    ];
    let previous = period.previous();
    let passes = SOURCES.map(|source| async move {
        let defs: Vec<&FigureDef> = FIGURES.iter().filter(|f| f.source == source).collect();
        let conditions: Vec<String> = defs
            .iter()
            .map(|d| condition_sql(d, db.backend()))
            .collect();
        let rows = day_counts(db, source, previous.start, period.end, scope, &conditions).await?;
        Ok::<_, StoreError>((defs, rows))
    });
    let mut counts = Counts::default();
    for (defs, rows) in futures::future::try_join_all(passes).await? {
        for def in &defs {
            counts.totals.insert(def.key, (0, 0));
        }
        for (day, values) in rows {
            let now = day >= period.start;
            for (def, value) in defs.iter().zip(values) {
                let total = counts.totals.entry(def.key).or_default();
                if now {
                    total.0 += value;
                    if value > 0 {
                        counts.daily.entry(def.key).or_default().push((day, value));
                    }
                } else if day >= previous.start {
                    total.1 += value;
                }
            }
        }
    }
    Ok(counts)
}

/// The units whose records the reader's figures leave out (by name, in the tree's order).
pub async fn hidden_units(db: &Db, scope: &ReportScope) -> StoreResult<Vec<String>> {
    let Some(visible) = &scope.documents.units else {
        return Ok(Vec::new());
    };
    let mut units = org::units(db).await?;
    units.sort_by_key(|u| (u.sort_order, u.id.0));
    Ok(units
        .into_iter()
        .filter(|u| u.active && !visible.contains(&u.id))
        .map(|u| u.name)
        .collect())
}

fn percent(numerator: i64, denominator: i64) -> Value {
    Value::Percent((denominator > 0).then(|| numerator as f64 * 100.0 / denominator as f64))
}

/// The review of `period` compared with `period.previous()`, as `scope` may see it. A
/// period without records gives a review full of zeros. The hotline section is left out
/// for readers with no part in the hotline.
pub async fn review(db: &Db, period: Period, scope: &ReportScope) -> StoreResult<Review> {
    // The sources and the charts' own queries run at the same time, each on a connection
    // of its own: on SQLite (WAL) and PostgreSQL alike, readers do not wait for each other.
    let (counts, queried, hidden_units) = futures::try_join!(
        count_figures(db, &period, scope),
        charts::query(db, &period, scope),
        hidden_units(db, scope)
    )?;
    let count = |key: &str| counts.total(key);
    let mut charts = charts::charts(&period, &counts, queried);
    let mut sections = Vec::new();
    for section in SECTIONS {
        if section == "hotline" && !scope.sees_hotline() {
            continue;
        }
        let mut figures = Vec::new();
        for def in FIGURES.iter().filter(|f| f.section == section) {
            let (now, before) = count(def.key);
            figures.push(Figure {
                key: def.key,
                value: Value::Count(now),
                previous: Value::Count(before),
                has_records: true,
            });
            for (rate, _, numerator, denominator) in RATES.iter().filter(|r| r.2 == def.key) {
                let (n_now, n_before) = count(numerator);
                let (d_now, d_before) = count(denominator);
                figures.push(Figure {
                    key: rate,
                    value: percent(n_now, d_now),
                    previous: percent(n_before, d_before),
                    has_records: false,
                });
            }
        }
        let (mine, rest): (Vec<_>, Vec<_>) = charts
            .into_iter()
            .partition(|(chart_section, _)| *chart_section == section);
        charts = rest;
        sections.push(Section {
            key: section,
            figures,
            charts: mine.into_iter().map(|(_, chart)| chart).collect(),
        });
    }
    Ok(Review {
        period,
        previous: period.previous(),
        hidden_units,
        sections,
    })
}

/// One record behind a figure or a dashboard number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRow {
    pub kind: RecordKind,
    /// The id of the page to open (the document, dossier or hotline case).
    pub id: i64,
    /// Number and symbol, dossier code, or the channel of a hotline report.
    pub reference: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    /// The owning or assigned unit, the handling unit, or the province.
    pub unit: String,
    pub status: String,
}

/// A page of records and how many there are in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordPage {
    pub total: i64,
    pub rows: Vec<RecordRow>,
}

/// Which page of a list: `offset` rows skipped, at most `limit` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: i64,
    pub limit: i64,
}

impl PageRequest {
    pub fn first(limit: i64) -> Self {
        Self { offset: 0, limit }
    }
}

/// Runs a record list: `from`, `condition` (with `$1`, `$2` the bounds), a page.
pub(crate) async fn fetch_records(
    db: &Db,
    sql: &SourceSql,
    condition: &str,
    binds: &[Bound],
    page: PageRequest,
) -> StoreResult<RecordPage> {
    // Counted as the figure is, without the joins for the list's columns (at 10M documents
    // the join to `documents` made the dashboard's pending-work list count 160,000 open
    // assignments in 380 ms; from `assignments` alone they come from an index of open work).
    let count_query = format!("SELECT COUNT(*) FROM {} WHERE {condition}", sql.count_from);
    let list_query = format!(
        "SELECT {} FROM {} WHERE {condition} ORDER BY {} LIMIT {} OFFSET {}",
        sql.columns,
        sql.from,
        sql.order,
        page.limit.clamp(1, 100_000),
        page.offset.max(0)
    );
    let kind = sql.record_kind;
    let date_kind = sql.date_kind;
    let (total, rows) = on_pool!(db, pool => {
        let total: i64 = bind_bounds!(sqlx::query_scalar::<_, i64>(&count_query), binds)
            .fetch_one(pool)
            .await?;
        let raw = bind_bounds!(sqlx::query(&list_query), binds).fetch_all(pool).await?;
        let mut rows = Vec::with_capacity(raw.len());
        for row in raw {
            let date = match date_kind {
                DateKind::Day => row.try_get::<Option<NaiveDate>, usize>(3)?,
                DateKind::Moment => row.try_get::<Option<DateTime<Utc>>, usize>(3)?.map(vietnam_day),
            };
            rows.push(RecordRow {
                kind,
                id: row.try_get::<i64, usize>(0)?,
                reference: row.try_get::<String, usize>(1)?,
                title: row.try_get::<String, usize>(2)?,
                date,
                unit: row.try_get::<String, usize>(4)?,
                status: row.try_get::<String, usize>(5)?,
            });
        }
        (total, rows)
    });
    Ok(RecordPage { total, rows })
}

/// The records behind the figure `key` for `period`, as `scope` may see them: the same
/// source and condition as the figure, so `total` equals it. An unknown key is
/// `NotFound`; a figure without its table yet (archive, news) is an empty list.
pub async fn figure_records(
    db: &Db,
    key: &str,
    period: Period,
    scope: &ReportScope,
    page: PageRequest,
) -> StoreResult<RecordPage> {
    let def = figure_def(key).ok_or(StoreError::NotFound)?;
    let Some(sql) = def.source.sql(scope) else {
        return Ok(RecordPage {
            total: 0,
            rows: Vec::new(),
        });
    };
    let (low, high) = bounds(sql.date_kind, period.start, period.end);
    let date = sql.date;
    let condition = format!(
        "{date} >= $1 AND {date} < $2 AND {} AND ({})",
        sql.base,
        condition_sql(def, db.backend())
    );
    fetch_records(db, &sql, &condition, &[low, high], page).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_key_gives_the_vietnamese_day() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(day_of_hour_key("2020-03-05T16"), day(2020, 3, 5));
        assert_eq!(day_of_hour_key("2020-03-05T17"), day(2020, 3, 6));
        assert_eq!(day_of_hour_key("2019-12-31 23"), day(2020, 1, 1));
        assert_eq!(day_of_hour_key("garbage"), None);
    }
}
