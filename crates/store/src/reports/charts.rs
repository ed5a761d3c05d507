//! The review's charts, counted from the same sources and conditions as its figures: the
//! monthly volumes add up to the figures of incoming and outgoing documents, the hotline
//! charts to the cases received, the procedures chart to the dossiers received.

use super::{bind_bounds, bounds, Bound, Counts, ReportScope, Source};
use crate::db::Db;
use crate::dossiers::lists::{self as dossier_lists, GroupBy};
use crate::error::StoreResult;
use chrono::{Datelike, Duration, NaiveDate};
use sqlx::Row;
use vanphong_core::report::{Chart, ChartKind, Label, Period, Series};

/// How many bars a chart by procedure or province shows at most (the largest ones).
const TOP: usize = 15;

/// The buckets of a chart over time: days for a period of a month or less, months beyond.
#[derive(Clone, Debug)]
struct Buckets {
    by_day: bool,
    starts: Vec<NaiveDate>,
}

impl Buckets {
    fn of(period: &Period) -> Self {
        let by_day = period.days() <= 31;
        let mut starts = Vec::new();
        let mut day = period.start;
        while day <= period.end {
            starts.push(day);
            day = if by_day {
                day + Duration::days(1)
            } else {
                let (y, m) = if day.month() == 12 {
                    (day.year() + 1, 1)
                } else {
                    (day.year(), day.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(period.end + Duration::days(1))
            };
        }
        Self { by_day, starts }
    }

    fn index(&self, day: NaiveDate) -> Option<usize> {
        if self.starts.first().is_none_or(|first| day < *first) {
            return None;
        }
        Some(self.starts.partition_point(|start| *start <= day) - 1)
    }

    fn labels(&self) -> Vec<Label> {
        self.starts
            .iter()
            .map(|d| {
                Label::Text(if self.by_day {
                    d.format("%d/%m").to_string()
                } else {
                    d.format("%m/%Y").to_string()
                })
            })
            .collect()
    }
}

/// A figure's daily counts (from the review's one pass over its source) summed per bucket.
fn bucket_sums(counts: &Counts, key: &str, buckets: &Buckets) -> Vec<f64> {
    let mut out = vec![0.0; buckets.starts.len()];
    for (day, count) in counts.daily(key) {
        if let Some(index) = buckets.index(*day) {
            out[index] += *count as f64;
        }
    }
    out
}

fn rates(numerators: &[f64], denominators: &[f64]) -> Vec<f64> {
    numerators
        .iter()
        .zip(denominators)
        .map(|(n, d)| {
            if *d > 0.0 {
                (n * 1000.0 / d).round() / 10.0
            } else {
                0.0
            }
        })
        .collect()
}

/// Grouped counts of a source: (label, counts of each condition), largest first.
async fn grouped(
    db: &Db,
    source: Source,
    period: &Period,
    scope: &ReportScope,
    group: &str,
    conditions: &[&str],
) -> StoreResult<Vec<(String, Vec<i64>)>> {
    let Some(sql) = source.sql(scope) else {
        return Ok(Vec::new());
    };
    let columns: Vec<String> = conditions
        .iter()
        .map(|c| format!("COUNT(CASE WHEN {c} THEN 1 END)"))
        .collect();
    let date = sql.date;
    let query = format!(
        "SELECT COALESCE({group}, '') AS label, {} FROM {} WHERE {date} >= $1 AND {date} < $2 AND {} \
         GROUP BY COALESCE({group}, '') ORDER BY 2 DESC, 1",
        columns.join(", "),
        sql.from,
        sql.base
    );
    let (low, high) = bounds(sql.date_kind, period.start, period.end);
    Ok(on_pool!(db, pool => {
        let raw = bind_bounds!(sqlx::query(&query), &[low, high]).fetch_all(pool).await?;
        let mut rows = Vec::with_capacity(raw.len());
        for row in raw {
            let label: String = row.try_get(0)?;
            let mut counts = Vec::with_capacity(conditions.len());
            for i in 0..conditions.len() {
                counts.push(row.try_get::<i64, usize>(i + 1)?);
            }
            rows.push((label, counts));
        }
        rows
    }))
}

/// The message key of a kind of pollution (the hotline's own keys).
pub fn pollution_kind_key(code: &str) -> Label {
    match code {
        "waste_water" => Label::Key("hotline.kind.waste_water"),
        "solid_waste" => Label::Key("hotline.kind.solid_waste"),
        "emissions" => Label::Key("hotline.kind.emissions"),
        "noise" => Label::Key("hotline.kind.noise"),
        "environmental_quality" => Label::Key("hotline.kind.environmental_quality"),
        "other" => Label::Key("hotline.kind.other"),
        other => Label::Text(other.to_owned()),
    }
}

/// The message key of a case status (the hotline's own keys).
pub fn case_status_key(code: &str) -> Label {
    match code {
        "received" => Label::Key("hotline.status.received"),
        "verifying" => Label::Key("hotline.status.verifying"),
        "verified" => Label::Key("hotline.status.verified"),
        "handling" => Label::Key("hotline.status.handling"),
        "handled" => Label::Key("hotline.status.handled"),
        "responded" => Label::Key("hotline.status.responded"),
        "closed" => Label::Key("hotline.status.closed"),
        "not_competent" => Label::Key("hotline.status.not_competent"),
        "rejected" => Label::Key("hotline.status.rejected"),
        "duplicate" => Label::Key("hotline.status.duplicate"),
        other => Label::Text(other.to_owned()),
    }
}

fn series(label: &'static str, values: Vec<f64>) -> Series {
    Series {
        label: Label::Key(label),
        values,
    }
}

/// A bar chart of grouped counts.
fn bars(
    key: &'static str,
    rows: Vec<(String, Vec<i64>)>,
    names: &[&'static str],
    label: impl Fn(&str) -> Label,
) -> Chart {
    let rows: Vec<_> = rows.into_iter().take(TOP).collect();
    Chart {
        key,
        kind: ChartKind::Bars,
        categories: rows.iter().map(|(name, _)| label(name)).collect(),
        series: names
            .iter()
            .enumerate()
            .map(|(i, name)| series(name, rows.iter().map(|(_, c)| c[i] as f64).collect()))
            .collect(),
        percent: false,
    }
}

/// Counts per group (label, one count per condition), largest first.
type Grouped = Vec<(String, Vec<i64>)>;

/// What the charts read from the database beside the review's daily counts.
pub(crate) struct Queried {
    overdue_by_unit: Chart,
    procedures: Vec<(String, Vec<i64>)>,
    /// By kind, by province, by status; `None` for a reader with no part in the hotline.
    hotline: Option<[Grouped; 3]>,
}

/// The charts' own queries, run at the same time (each on its own connection).
pub(crate) async fn query(db: &Db, period: &Period, scope: &ReportScope) -> StoreResult<Queried> {
    let procedures = async {
        let statistics = dossier_lists::statistics(
            db,
            &scope.dossiers,
            period.start,
            period.end,
            GroupBy::Procedure,
        )
        .await?;
        let mut procedures: Vec<(String, Vec<i64>)> = statistics
            .into_iter()
            .filter(|row| row.key != "total")
            .map(|row| (row.label, vec![row.submitted, row.early + row.on_time]))
            .collect();
        procedures.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then_with(|| a.0.cmp(&b.0)));
        Ok::<_, crate::error::StoreError>(procedures)
    };
    let hotline = async {
        if !source_visible(Source::HotlineCases, scope) {
            return Ok(None);
        }
        let (kind, province, status) = futures::try_join!(
            grouped(
                db,
                Source::HotlineCases,
                period,
                scope,
                "c.kind",
                &["1 = 1"]
            ),
            grouped(
                db,
                Source::HotlineCases,
                period,
                scope,
                "u.name",
                &["1 = 1"]
            ),
            grouped(
                db,
                Source::HotlineCases,
                period,
                scope,
                "c.status",
                &["1 = 1"]
            ),
        )?;
        Ok(Some([kind, province, status]))
    };
    let (overdue_by_unit, procedures, hotline) =
        futures::try_join!(overdue_by_unit(db, period, scope), procedures, hotline)?;
    Ok(Queried {
        overdue_by_unit,
        procedures,
        hotline,
    })
}

/// Every chart of the review, each with the section it belongs to: the charts over time
/// from the review's daily `counts` (so their bars add up to the figures), the others from
/// what [`query`] read.
pub(crate) fn charts(
    period: &Period,
    counts: &Counts,
    queried: Queried,
) -> Vec<(&'static str, Chart)> {
    let buckets = Buckets::of(period);
    let mut out = Vec::new();

    let incoming = bucket_sums(counts, "incoming_received", &buckets);
    let outgoing = bucket_sums(counts, "outgoing_issued", &buckets);
    out.push((
        "documents",
        Chart {
            key: "monthly_volumes",
            kind: ChartKind::Columns,
            categories: buckets.labels(),
            series: vec![
                series("report.series.incoming", incoming),
                series("report.series.outgoing", outgoing),
            ],
            percent: false,
        },
    ));

    let work = [
        bucket_sums(counts, "work_finished", &buckets),
        bucket_sums(counts, "work_finished_on_time", &buckets),
    ];
    let dossiers = [
        bucket_sums(counts, "dossiers_finished", &buckets),
        bucket_sums(counts, "dossiers_on_time", &buckets),
    ];
    out.push((
        "documents",
        Chart {
            key: "on_time_rates",
            kind: ChartKind::Line,
            categories: buckets.labels(),
            series: vec![
                series("report.series.work_on_time", rates(&work[1], &work[0])),
                series(
                    "report.series.dossiers_on_time",
                    rates(&dossiers[1], &dossiers[0]),
                ),
            ],
            percent: true,
        },
    ));

    out.push(("documents", queried.overdue_by_unit));
    out.push((
        "dossiers",
        bars(
            "dossiers_by_procedure",
            queried.procedures,
            &[
                "report.series.dossiers_received",
                "report.series.dossiers_on_time_count",
            ],
            |name| Label::Text(name.to_owned()),
        ),
    ));

    if let Some([by_kind, by_province, by_status]) = queried.hotline {
        out.push((
            "hotline",
            bars(
                "hotline_by_kind",
                by_kind,
                &["report.series.cases"],
                pollution_kind_key,
            ),
        ));
        out.push((
            "hotline",
            bars(
                "hotline_by_province",
                by_province,
                &["report.series.cases"],
                |name| {
                    if name.is_empty() {
                        Label::Key("report.label.no_province")
                    } else {
                        Label::Text(name.to_owned())
                    }
                },
            ),
        ));
        out.push((
            "hotline",
            bars(
                "hotline_by_status",
                by_status,
                &["report.series.cases"],
                case_status_key,
            ),
        ));
    }
    out
}

fn source_visible(source: Source, scope: &ReportScope) -> bool {
    source.sql(scope).is_some()
}

/// Lead work due in the period that was late, by unit: finished after its due date, or
/// still open past it today. Counted from the assignments alone (their index holds every
/// column read), the units named afterwards.
async fn overdue_by_unit(db: &Db, period: &Period, scope: &ReportScope) -> StoreResult<Chart> {
    let documents = crate::documents::scope_condition_by_id(&scope.documents, "a.document_id");
    let on_time = super::finished_by_due_day(db.backend());
    let query = format!(
        "SELECT a.unit_id, COUNT(CASE WHEN a.status = 'done' AND NOT ({on_time}) THEN 1 END), \
         COUNT(CASE WHEN a.status IN ('assigned', 'handler_assigned', 'in_progress') AND a.due_date < $3 THEN 1 END) \
         FROM assignments a \
         WHERE a.role = 'lead' AND a.due_date >= $1 AND a.due_date < $2 AND {documents} \
         GROUP BY a.unit_id"
    );
    let today = super::vietnam_day(crate::now());
    let binds = [
        Bound::Day(period.start),
        Bound::Day(period.end + Duration::days(1)),
        Bound::Day(today),
    ];
    let counted: Vec<(i64, i64, i64)> = on_pool!(db, pool => {
        let raw = bind_bounds!(sqlx::query(&query), &binds).fetch_all(pool).await?;
        let mut rows = Vec::with_capacity(raw.len());
        for row in raw {
            rows.push((row.try_get::<i64, usize>(0)?, row.try_get::<i64, usize>(1)?, row.try_get::<i64, usize>(2)?));
        }
        rows
    });
    let units = crate::org::units(db).await?;
    let mut rows: Vec<(String, Vec<i64>)> = counted
        .into_iter()
        .filter(|(_, late, open)| late + open > 0)
        .map(|(unit, late, open)| {
            let name = units
                .iter()
                .find(|u| u.id.0 == unit)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            (name, vec![late, open])
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.1[0] + b.1[1])
            .cmp(&(a.1[0] + a.1[1]))
            .then_with(|| a.0.cmp(&b.0))
    });
    Ok(bars(
        "overdue_by_unit",
        rows,
        &["report.series.finished_late", "report.series.open_overdue"],
        |name| Label::Text(name.to_owned()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_has_twelve_monthly_buckets_and_a_week_seven_days() {
        let year = Buckets::of(&Period::year(2020).unwrap());
        assert_eq!(year.starts.len(), 12);
        assert_eq!(
            year.index(NaiveDate::from_ymd_opt(2020, 3, 31).unwrap()),
            Some(2)
        );
        assert_eq!(
            year.index(NaiveDate::from_ymd_opt(2019, 12, 31).unwrap()),
            None
        );
        let week = Buckets::of(&Period::week_of(
            NaiveDate::from_ymd_opt(2020, 3, 4).unwrap(),
        ));
        assert_eq!(week.starts.len(), 7);
        assert_eq!(week.labels()[0], Label::Text("02/03".into()));
    }

    #[test]
    fn rates_are_rounded_to_a_tenth_and_zero_without_a_denominator() {
        assert_eq!(rates(&[2.0, 0.0], &[3.0, 0.0]), vec![66.7, 0.0]);
    }
}
