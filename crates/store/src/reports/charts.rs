//! The review's charts, counted from the same sources and conditions as its figures: the
//! monthly volumes add up to the figures of incoming and outgoing documents, the hotline
//! charts to the cases received, the procedures chart to the dossiers received.

use super::{bind_bounds, bounds, figure_def, Bound, DateKind, ReportScope, Source};
use crate::db::{Backend, Db};
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

/// The day expression of a source's date column.
fn day_expression(backend: Backend, kind: DateKind, column: &str) -> String {
    match (kind, backend) {
        (DateKind::Day, _) => column.to_owned(),
        (DateKind::Moment, Backend::Sqlite) => format!("date({column}, '+7 hours')"),
        (DateKind::Moment, Backend::Postgres) => {
            format!("CAST(({column} AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)")
        }
    }
}

/// Counts of the figures `keys` (all of `source`) per bucket of the period.
async fn bucket_counts(
    db: &Db,
    source: Source,
    period: &Period,
    scope: &ReportScope,
    keys: &[&str],
    buckets: &Buckets,
) -> StoreResult<Vec<Vec<f64>>> {
    let mut out = vec![vec![0.0; buckets.starts.len()]; keys.len()];
    let Some(sql) = source.sql(scope) else {
        return Ok(out);
    };
    let conditions: Vec<String> = keys
        .iter()
        .map(|key| {
            figure_def(key)
                .map(|def| super::condition_sql(def, db.backend()))
                .unwrap_or_else(|| "1 = 0".into())
        })
        .collect();
    let day = day_expression(db.backend(), sql.date_kind, sql.date);
    let columns: Vec<String> = conditions
        .iter()
        .map(|c| format!("COUNT(CASE WHEN {c} THEN 1 END)"))
        .collect();
    let date = sql.date;
    let query = format!(
        "SELECT {day} AS day, {} FROM {} WHERE {date} >= $1 AND {date} < $2 AND {} GROUP BY {day}",
        columns.join(", "),
        sql.from,
        sql.base
    );
    let (low, high) = bounds(sql.date_kind, period.start, period.end);
    let rows: Vec<(Option<NaiveDate>, Vec<i64>)> = on_pool!(db, pool => {
        let raw = bind_bounds!(sqlx::query(&query), &[low, high]).fetch_all(pool).await?;
        let mut rows = Vec::with_capacity(raw.len());
        for row in raw {
            let day: Option<NaiveDate> = row.try_get(0)?;
            let mut counts = Vec::with_capacity(keys.len());
            for i in 0..keys.len() {
                counts.push(row.try_get::<i64, usize>(i + 1)?);
            }
            rows.push((day, counts));
        }
        rows
    });
    for (day, counts) in rows {
        let Some(index) = day.and_then(|d| buckets.index(d)) else {
            continue;
        };
        for (series, count) in counts.into_iter().enumerate() {
            out[series][index] += count as f64;
        }
    }
    Ok(out)
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

/// Every chart of the review, each with the section it belongs to.
pub async fn charts(
    db: &Db,
    period: &Period,
    scope: &ReportScope,
) -> StoreResult<Vec<(&'static str, Chart)>> {
    let buckets = Buckets::of(period);
    let mut out = Vec::new();

    let incoming = bucket_counts(
        db,
        Source::Incoming,
        period,
        scope,
        &["incoming_received"],
        &buckets,
    )
    .await?;
    let outgoing = bucket_counts(
        db,
        Source::Outgoing,
        period,
        scope,
        &["outgoing_issued"],
        &buckets,
    )
    .await?;
    out.push((
        "documents",
        Chart {
            key: "monthly_volumes",
            kind: ChartKind::Columns,
            categories: buckets.labels(),
            series: vec![
                series("report.series.incoming", incoming[0].clone()),
                series("report.series.outgoing", outgoing[0].clone()),
            ],
            percent: false,
        },
    ));

    let work = bucket_counts(
        db,
        Source::LeadWork,
        period,
        scope,
        &["work_finished", "work_finished_on_time"],
        &buckets,
    )
    .await?;
    let dossiers = bucket_counts(
        db,
        Source::Dossiers,
        period,
        scope,
        &["dossiers_finished", "dossiers_on_time"],
        &buckets,
    )
    .await?;
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

    out.push(("documents", overdue_by_unit(db, period, scope).await?));

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
    out.push((
        "dossiers",
        bars(
            "dossiers_by_procedure",
            procedures,
            &[
                "report.series.dossiers_received",
                "report.series.dossiers_on_time_count",
            ],
            |name| Label::Text(name.to_owned()),
        ),
    ));

    if source_visible(Source::HotlineCases, scope) {
        let by_kind = grouped(
            db,
            Source::HotlineCases,
            period,
            scope,
            "c.kind",
            &["1 = 1"],
        )
        .await?;
        out.push((
            "hotline",
            bars(
                "hotline_by_kind",
                by_kind,
                &["report.series.cases"],
                pollution_kind_key,
            ),
        ));
        let by_province = grouped(
            db,
            Source::HotlineCases,
            period,
            scope,
            "u.name",
            &["1 = 1"],
        )
        .await?;
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
        let by_status = grouped(
            db,
            Source::HotlineCases,
            period,
            scope,
            "c.status",
            &["1 = 1"],
        )
        .await?;
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
    Ok(out)
}

fn source_visible(source: Source, scope: &ReportScope) -> bool {
    source.sql(scope).is_some()
}

/// Lead work due in the period that was late, by unit: finished after its due date, or
/// still open past it today.
async fn overdue_by_unit(db: &Db, period: &Period, scope: &ReportScope) -> StoreResult<Chart> {
    let documents = crate::documents::scope_condition(&scope.documents, scope.user);
    let finished = super::finished_day(db.backend());
    let query = format!(
        "SELECT u.name, COUNT(CASE WHEN a.status = 'done' AND {finished} > a.due_date THEN 1 END), \
         COUNT(CASE WHEN a.status IN ('assigned', 'handler_assigned', 'in_progress') AND a.due_date < $3 THEN 1 END) \
         FROM assignments a JOIN documents d ON d.id = a.document_id JOIN units u ON u.id = a.unit_id \
         WHERE a.role = 'lead' AND a.due_date >= $1 AND a.due_date < $2 AND {documents} \
         GROUP BY u.id, u.name"
    );
    let today = super::vietnam_day(crate::now());
    let binds = [
        Bound::Day(period.start),
        Bound::Day(period.end + Duration::days(1)),
        Bound::Day(today),
    ];
    let mut rows: Vec<(String, Vec<i64>)> = on_pool!(db, pool => {
        let raw = bind_bounds!(sqlx::query(&query), &binds).fetch_all(pool).await?;
        let mut rows = Vec::with_capacity(raw.len());
        for row in raw {
            let name: String = row.try_get(0)?;
            let late: i64 = row.try_get(1)?;
            let open: i64 = row.try_get(2)?;
            if late + open > 0 {
                rows.push((name, vec![late, open]));
            }
        }
        rows
    });
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
