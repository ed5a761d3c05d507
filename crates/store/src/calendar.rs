//! The working-day calendar's per-year overrides, as an administrator sets them.

use crate::audit::{self, Change, Origin};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use chrono::NaiveDate;
use serde_json::json;
use std::collections::BTreeMap;
use vanphong_core::calendar::{AddedHoliday, DefaultHolidays, WorkingCalendar, YearOverrides};

#[derive(sqlx::FromRow)]
struct Row {
    year: i64,
    replace_defaults: bool,
    added: String,
    removed: String,
    working_days: String,
    version: i64,
}

/// A year's overrides with the version an edit must name.
#[derive(Clone, Debug, Default)]
pub struct StoredOverrides {
    pub overrides: YearOverrides,
    pub version: i64,
}

fn parse_dates(text: &str) -> Vec<NaiveDate> {
    serde_json::from_str::<Vec<String>>(text)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect()
}

fn from_row(row: &Row) -> YearOverrides {
    let added: Vec<serde_json::Value> = serde_json::from_str(&row.added).unwrap_or_default();
    YearOverrides {
        default_holidays: if row.replace_defaults {
            DefaultHolidays::Replace
        } else {
            DefaultHolidays::Keep
        },
        added_holidays: added
            .iter()
            .filter_map(|a| {
                Some(AddedHoliday {
                    date: NaiveDate::parse_from_str(a["date"].as_str()?, "%Y-%m-%d").ok()?,
                    name_vi: a["name_vi"].as_str().unwrap_or_default().to_owned(),
                    name_en: a["name_en"].as_str().unwrap_or_default().to_owned(),
                })
            })
            .collect(),
        removed_holidays: parse_dates(&row.removed),
        working_weekend_days: parse_dates(&row.working_days),
    }
}

const SELECT: &str =
    "SELECT year, replace_defaults, added, removed, working_days, version FROM calendar_overrides";

/// Every year's overrides, for building the calendar.
pub async fn all(db: &Db) -> StoreResult<BTreeMap<i32, YearOverrides>> {
    let rows: Vec<Row> = on_pool!(db, pool => sqlx::query_as(SELECT).fetch_all(pool).await?);
    Ok(rows.iter().map(|r| (r.year as i32, from_row(r))).collect())
}

/// One year's overrides (empty, version 0, when none were set).
pub async fn year(db: &Db, year: i32) -> StoreResult<StoredOverrides> {
    let row: Option<Row> = on_pool!(db, pool => {
        sqlx::query_as(&format!("{SELECT} WHERE year = $1")).bind(i64::from(year)).fetch_optional(pool).await?
    });
    Ok(row
        .map(|r| StoredOverrides {
            overrides: from_row(&r),
            version: r.version,
        })
        .unwrap_or_default())
}

/// A value that changes whenever any override changes: nodes compare it to know when to
/// rebuild their calendar.
pub async fn stamp(db: &Db) -> StoreResult<i64> {
    Ok(on_pool!(db, pool => {
        // PostgreSQL sums BIGINT as NUMERIC: cast back.
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(version * 1000 + year % 1000), 0) AS BIGINT) FROM calendar_overrides",
        )
        .fetch_one(pool)
        .await?
    }))
}

/// Saves a year's overrides if nobody changed them since `expected_version` (0 for none).
/// The overrides are checked by building that year's calendar with them; a refusal carries
/// the calendar's reason.
pub async fn save(
    db: &Db,
    origin: &Origin,
    year: i32,
    overrides: &YearOverrides,
    expected_version: i64,
) -> StoreResult<i64> {
    let mut map = BTreeMap::new();
    map.insert(year, overrides.clone());
    WorkingCalendar::for_years(year..=year, &map)
        .map_err(|e| StoreError::Invalid(format!("calendar: {e}")))?;
    let added = json!(overrides
        .added_holidays
        .iter()
        .map(|a| json!({"date": a.date.to_string(), "name_vi": a.name_vi, "name_en": a.name_en}))
        .collect::<Vec<_>>())
    .to_string();
    let dates = |list: &[NaiveDate]| {
        json!(list.iter().map(|d| d.to_string()).collect::<Vec<_>>()).to_string()
    };
    let removed = dates(&overrides.removed_holidays);
    let working = dates(&overrides.working_weekend_days);
    let replace = overrides.default_holidays == DefaultHolidays::Replace;
    let before = self::year(db, year).await?;
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        if expected_version == 0 {
            sqlx::query(
                "INSERT INTO calendar_overrides (year, replace_defaults, added, removed, working_days, version, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (year) DO NOTHING",
            )
            .bind(i64::from(year))
            .bind(replace)
            .bind(&added)
            .bind(&removed)
            .bind(&working)
            .bind(crate::now())
            .execute(&mut *conn)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "UPDATE calendar_overrides SET replace_defaults = $1, added = $2, removed = $3, working_days = $4, \
                 version = version + 1, updated_at = $5 WHERE year = $6 AND version = $7",
            )
            .bind(replace)
            .bind(&added)
            .bind(&removed)
            .bind(&working)
            .bind(crate::now())
            .bind(i64::from(year))
            .bind(expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        }
    });
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "calendar.override",
            object_kind: "calendar",
            object_id: year.to_string(),
            before: Some(json!({"version": before.version})),
            after: Some(json!({"replace_defaults": replace, "added": added, "removed": removed, "working_days": working})),
            details: json!({"year": year}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(expected_version + 1)
}
