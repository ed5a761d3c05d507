//! The organisation: the agency, its units and positions, external organisations and the
//! versioned administrative areas.

use crate::audit::{self, Change, Origin};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use chrono::NaiveDate;
use serde_json::json;
use vanphong_core::ids::{AreaId, OrganisationId, PositionId, UnitId};
use vanphong_core::org::{Abbreviation, AgencyCode, AreaLevel, OrganisationKind, UnitTree};

/// The agency this installation serves.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Agency {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub abbreviation: String,
    /// The abbreviation of the body above, used in some symbols (`BTNMT`).
    pub parent_abbreviation: String,
    pub address: String,
    /// The place written before the date on documents ("Hà Nội").
    pub place_name: String,
}

/// The agency's settings as typed by an administrator, already parsed.
#[derive(Clone, Debug)]
pub struct AgencySettings {
    pub code: AgencyCode,
    pub name: String,
    pub name_en: String,
    pub abbreviation: Abbreviation,
    pub parent_abbreviation: Option<Abbreviation>,
    pub address: String,
    pub place_name: String,
}

impl Agency {
    fn snapshot(&self) -> serde_json::Value {
        json!({"code": self.code, "name": self.name, "name_en": self.name_en,
               "abbreviation": self.abbreviation, "parent_abbreviation": self.parent_abbreviation,
               "address": self.address, "place_name": self.place_name})
    }
}

pub async fn agency(db: &Db) -> StoreResult<Option<Agency>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as::<_, Agency>(
            "SELECT code, name, name_en, abbreviation, parent_abbreviation, address, place_name FROM agency WHERE id = 1",
        )
        .fetch_optional(pool)
        .await?
    }))
}

/// Creates or replaces the agency's settings.
pub async fn save_agency(
    db: &Db,
    origin: &Origin,
    settings: &AgencySettings,
) -> StoreResult<Agency> {
    let before = agency(db).await?;
    let after = Agency {
        code: settings.code.to_string(),
        name: settings.name.clone(),
        name_en: settings.name_en.clone(),
        abbreviation: settings.abbreviation.to_string(),
        parent_abbreviation: settings
            .parent_abbreviation
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        address: settings.address.clone(),
        place_name: settings.place_name.clone(),
    };
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO agency (id, code, name, name_en, abbreviation, parent_abbreviation, address, place_name, updated_at) \
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, name_en = excluded.name_en, \
             abbreviation = excluded.abbreviation, parent_abbreviation = excluded.parent_abbreviation, \
             address = excluded.address, place_name = excluded.place_name, updated_at = excluded.updated_at",
        )
        .bind(&after.code)
        .bind(&after.name)
        .bind(&after.name_en)
        .bind(&after.abbreviation)
        .bind(&after.parent_abbreviation)
        .bind(&after.address)
        .bind(&after.place_name)
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "agency.save",
            object_kind: "agency",
            object_id: "1".into(),
            before: before.as_ref().map(Agency::snapshot),
            after: Some(after.snapshot()),
            details: json!({"name": after.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A unit of the agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub abbreviation: String,
    pub sort_order: i64,
    pub active: bool,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    abbreviation: String,
    sort_order: i64,
    active: bool,
    version: i64,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
            id: UnitId(r.id),
            parent_id: r.parent_id.map(UnitId),
            name: r.name,
            abbreviation: r.abbreviation,
            sort_order: r.sort_order,
            active: r.active,
            version: r.version,
        }
    }
}

impl Unit {
    fn snapshot(&self) -> serde_json::Value {
        json!({"id": self.id.0, "parent_id": self.parent_id.map(|p| p.0), "name": self.name,
               "abbreviation": self.abbreviation, "sort_order": self.sort_order, "active": self.active})
    }
}

/// A unit as submitted by a form or the API, already parsed.
#[derive(Clone, Debug)]
pub struct UnitInput {
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub abbreviation: Abbreviation,
    pub sort_order: i64,
    pub active: bool,
}

const UNIT_COLUMNS: &str = "id, parent_id, name, abbreviation, sort_order, active, version";

/// Every unit, ordered for display (sort order, then name).
pub async fn units(db: &Db) -> StoreResult<Vec<Unit>> {
    let rows: Vec<UnitRow> = on_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY sort_order, name"))
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn unit(db: &Db, id: UnitId) -> StoreResult<Unit> {
    let row: UnitRow = on_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1"))
            .bind(id.0)
            .fetch_one(pool)
            .await?
    });
    Ok(row.into())
}

/// The parent links of all units, for scope checks.
pub async fn unit_tree(db: &Db) -> StoreResult<UnitTree> {
    let links: Vec<(i64, Option<i64>)> = on_pool!(db, pool => {
        sqlx::query_as("SELECT id, parent_id FROM units").fetch_all(pool).await?
    });
    Ok(UnitTree::new(
        links
            .into_iter()
            .map(|(id, parent)| (UnitId(id), parent.map(UnitId))),
    ))
}

fn unit_conflict(error: StoreError) -> StoreError {
    if error.is_conflict_on("abbreviation") {
        StoreError::Invalid("abbreviation_taken".into())
    } else {
        error
    }
}

pub async fn create_unit(db: &Db, origin: &Origin, input: &UnitInput) -> StoreResult<Unit> {
    if let Some(parent) = input.parent_id {
        unit(db, parent)
            .await
            .map_err(|_| StoreError::Invalid("unknown_parent_unit".into()))?;
    }
    let mut tx = db.begin().await?;
    let row: UnitRow = on_tx!(&mut tx, conn => {
        sqlx::query_as(&format!(
            "INSERT INTO units (parent_id, name, abbreviation, sort_order, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {UNIT_COLUMNS}"
        ))
        .bind(input.parent_id.map(|p| p.0))
        .bind(&input.name)
        .bind(input.abbreviation.as_str())
        .bind(input.sort_order)
        .bind(input.active)
        .bind(crate::now())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| unit_conflict(e.into()))?
    });
    let created = Unit::from(row);
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "unit.create",
            object_kind: "unit",
            object_id: created.id.to_string(),
            before: None,
            after: Some(created.snapshot()),
            details: json!({"name": created.name, "abbreviation": created.abbreviation}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Updates a unit if nobody changed it since `expected_version` was read.
pub async fn update_unit(
    db: &Db,
    origin: &Origin,
    id: UnitId,
    expected_version: i64,
    input: &UnitInput,
) -> StoreResult<Unit> {
    let tree = unit_tree(db).await?;
    tree.check_new_parent(id, input.parent_id)
        .map_err(|_| StoreError::Invalid("unit_cycle".into()))?;
    let mut tx = db.begin().await?;
    let before: UnitRow = on_tx!(&mut tx, conn => {
        sqlx::query_as(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1"))
            .bind(id.0)
            .fetch_one(&mut *conn)
            .await?
    });
    let before = Unit::from(before);
    if before.version != expected_version {
        return Err(StoreError::Stale);
    }
    let row: UnitRow = on_tx!(&mut tx, conn => {
        sqlx::query_as(&format!(
            "UPDATE units SET parent_id = $1, name = $2, abbreviation = $3, sort_order = $4, active = $5, \
             version = version + 1 WHERE id = $6 AND version = $7 RETURNING {UNIT_COLUMNS}"
        ))
        .bind(input.parent_id.map(|p| p.0))
        .bind(&input.name)
        .bind(input.abbreviation.as_str())
        .bind(input.sort_order)
        .bind(input.active)
        .bind(id.0)
        .bind(expected_version)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| unit_conflict(e.into()))?
        .ok_or(StoreError::Stale)?
    });
    let after = Unit::from(row);
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "unit.update",
            object_kind: "unit",
            object_id: id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({"name": after.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A position (chức vụ).
#[derive(Clone, Debug)]
pub struct Position {
    pub id: PositionId,
    pub name: String,
    pub rank: i64,
}

pub async fn positions(db: &Db) -> StoreResult<Vec<Position>> {
    let rows: Vec<(i64, String, i64)> = on_pool!(db, pool => {
        sqlx::query_as("SELECT id, name, rank FROM positions ORDER BY rank, name").fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, name, rank)| Position {
            id: PositionId(id),
            name,
            rank,
        })
        .collect())
}

pub async fn create_position(
    db: &Db,
    origin: &Origin,
    name: &str,
    rank: i64,
) -> StoreResult<Position> {
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("INSERT INTO positions (name, rank) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(rank)
            .fetch_one(&mut *conn)
            .await?
    });
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "position.create",
            object_kind: "position",
            object_id: id.to_string(),
            before: None,
            after: Some(json!({"name": name, "rank": rank})),
            details: json!({"name": name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Position {
        id: PositionId(id),
        name: name.to_owned(),
        rank,
    })
}

/// An external organisation: a sender or recipient of documents.
#[derive(Clone, Debug)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub abbreviation: String,
    pub agency_code: Option<String>,
    pub kind: OrganisationKind,
    pub province_id: Option<AreaId>,
    pub email: String,
    pub address: String,
    pub active: bool,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct OrganisationRow {
    id: i64,
    name: String,
    abbreviation: String,
    agency_code: Option<String>,
    kind: String,
    province_id: Option<i64>,
    email: String,
    address: String,
    active: bool,
    version: i64,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;
    fn try_from(r: OrganisationRow) -> StoreResult<Self> {
        Ok(Organisation {
            id: OrganisationId(r.id),
            name: r.name,
            abbreviation: r.abbreviation,
            agency_code: r.agency_code,
            kind: OrganisationKind::parse(&r.kind).map_err(|e| StoreError::Other(e.into()))?,
            province_id: r.province_id.map(AreaId),
            email: r.email,
            address: r.address,
            active: r.active,
            version: r.version,
        })
    }
}

/// An organisation as submitted, already parsed.
#[derive(Clone, Debug)]
pub struct OrganisationInput {
    pub name: String,
    pub abbreviation: Option<Abbreviation>,
    pub agency_code: Option<AgencyCode>,
    pub kind: OrganisationKind,
    pub province_id: Option<AreaId>,
    pub email: String,
    pub address: String,
}

const ORGANISATION_COLUMNS: &str =
    "id, name, abbreviation, agency_code, kind, province_id, email, address, active, version";

/// A page of organisations ordered by id, after `after_id`, optionally filtered by name.
pub async fn organisations(
    db: &Db,
    name_contains: Option<&str>,
    after_id: Option<OrganisationId>,
    limit: i64,
) -> StoreResult<Vec<Organisation>> {
    let pattern = name_contains.map(|n| format!("%{}%", vanphong_core::text::fold(n)));
    let rows: Vec<OrganisationRow> = on_pool!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE id > $1 AND ($2 IS NULL OR search_key LIKE $2) \
             ORDER BY id LIMIT $3"
        ))
        .bind(after_id.map(|a| a.0).unwrap_or(0))
        .bind(pattern.as_deref())
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn organisation(db: &Db, id: OrganisationId) -> StoreResult<Organisation> {
    let row: OrganisationRow = on_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE id = $1"))
            .bind(id.0)
            .fetch_one(pool)
            .await?
    });
    row.try_into()
}

/// The names of these organisations by id, in one query (a page of documents names its
/// senders without a query each). Unknown ids are left out.
pub async fn organisation_names(
    db: &Db,
    ids: &[OrganisationId],
) -> StoreResult<std::collections::HashMap<OrganisationId, String>> {
    let mut ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> =
        match db {
            Db::Sqlite(pool) => sqlx::query_as(
                "SELECT id, name FROM organisations WHERE id IN (SELECT value FROM json_each($1))",
            )
            .bind(serde_json::to_string(&ids).expect("ids serialize"))
            .fetch_all(pool)
            .await?,
            Db::Postgres(pool) => {
                sqlx::query_as("SELECT id, name FROM organisations WHERE id = ANY($1)")
                    .bind(&ids)
                    .fetch_all(pool)
                    .await?
            }
        };
    Ok(rows
        .into_iter()
        .map(|(id, name)| (OrganisationId(id), name))
        .collect())
}

pub async fn create_organisation(
    db: &Db,
    origin: &Origin,
    input: &OrganisationInput,
) -> StoreResult<Organisation> {
    let mut tx = db.begin().await?;
    let row: OrganisationRow = on_tx!(&mut tx, conn => {
        sqlx::query_as(&format!(
            "INSERT INTO organisations (name, abbreviation, agency_code, kind, province_id, email, address, created_at, \
             search_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {ORGANISATION_COLUMNS}"
        ))
        .bind(&input.name)
        .bind(input.abbreviation.as_ref().map(|a| a.to_string()).unwrap_or_default())
        .bind(input.agency_code.as_ref().map(|c| c.to_string()))
        .bind(input.kind.code())
        .bind(input.province_id.map(|p| p.0))
        .bind(&input.email)
        .bind(&input.address)
        .bind(crate::now())
        .bind(vanphong_core::text::fold(&format!("{} {}", input.name, input.abbreviation.as_ref().map(|a| a.as_str()).unwrap_or(""))))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| {
            let e = StoreError::from(e);
            if e.is_conflict_on("agency_code") {
                StoreError::Invalid("agency_code_taken".into())
            } else if e.is_conflict_on("name") {
                StoreError::Invalid("organisation_name_taken".into())
            } else {
                e
            }
        })?
    });
    let created = Organisation::try_from(row)?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "organisation.create",
            object_kind: "organisation",
            object_id: created.id.to_string(),
            before: None,
            after: Some(json!({"name": created.name, "kind": created.kind.code(),
                               "agency_code": created.agency_code, "abbreviation": created.abbreviation})),
            details: json!({"name": created.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// One version of an administrative area. A merger closes the old versions
/// (`valid_to`) and points them at their successor, so records keep the name they had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Area {
    pub id: AreaId,
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent_id: Option<AreaId>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub successor_id: Option<AreaId>,
}

#[derive(sqlx::FromRow)]
struct AreaRow {
    id: i64,
    code: String,
    name: String,
    level: String,
    parent_id: Option<i64>,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    successor_id: Option<i64>,
}

impl TryFrom<AreaRow> for Area {
    type Error = StoreError;
    fn try_from(r: AreaRow) -> StoreResult<Self> {
        Ok(Area {
            id: AreaId(r.id),
            code: r.code,
            name: r.name,
            level: AreaLevel::parse(&r.level).map_err(|e| StoreError::Other(e.into()))?,
            parent_id: r.parent_id.map(AreaId),
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            successor_id: r.successor_id.map(AreaId),
        })
    }
}

/// An area version to load (from the demo data or an administrator's import).
#[derive(Clone, Debug)]
pub struct AreaInput {
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    /// The parent's code (at the same date), for communes.
    pub parent_code: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// The code of the area that replaced this one when it closed.
    pub successor_code: Option<String>,
}

const AREA_COLUMNS: &str = "id, code, name, level, parent_id, valid_from, valid_to, successor_id";

/// The areas of a level in force on `on` (every version when `on` is `None`).
pub async fn areas(db: &Db, level: AreaLevel, on: Option<NaiveDate>) -> StoreResult<Vec<Area>> {
    let rows: Vec<AreaRow> = on_pool!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {AREA_COLUMNS} FROM admin_areas WHERE level = $1 \
             AND ($2 IS NULL OR (valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2))) \
             ORDER BY code, valid_from"
        ))
        .bind(level.code())
        .bind(on)
        .fetch_all(pool)
        .await?
    });
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn area(db: &Db, id: AreaId) -> StoreResult<Area> {
    let row: AreaRow = on_pool!(db, pool => {
        sqlx::query_as(&format!("SELECT {AREA_COLUMNS} FROM admin_areas WHERE id = $1"))
            .bind(id.0)
            .fetch_one(pool)
            .await?
    });
    row.try_into()
}

/// Loads area versions in one transaction: rows first, then parent and successor links,
/// resolved by code among versions valid at the right date. Existing versions (same level,
/// code and start date) are left as they are, so an import can be repeated.
pub async fn import_areas(db: &Db, origin: &Origin, inputs: &[AreaInput]) -> StoreResult<usize> {
    let mut tx = db.begin().await?;
    let mut inserted = 0usize;
    for input in inputs {
        let done = on_tx!(&mut tx, conn => {
            sqlx::query(
                "INSERT INTO admin_areas (code, name, level, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (level, code, valid_from) DO NOTHING",
            )
            .bind(&input.code)
            .bind(&input.name)
            .bind(input.level.code())
            .bind(input.valid_from)
            .bind(input.valid_to)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        inserted += done as usize;
    }
    for input in inputs {
        if let Some(parent_code) = &input.parent_code {
            on_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE admin_areas SET parent_id = (SELECT p.id FROM admin_areas p WHERE p.level = 'province' \
                     AND p.code = $1 AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2) LIMIT 1) \
                     WHERE level = $3 AND code = $4 AND valid_from = $2",
                )
                .bind(parent_code)
                .bind(input.valid_from)
                .bind(input.level.code())
                .bind(&input.code)
                .execute(&mut *conn)
                .await?;
            });
        }
        if let (Some(successor), Some(valid_to)) = (&input.successor_code, input.valid_to) {
            on_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE admin_areas SET successor_id = (SELECT s.id FROM admin_areas s WHERE s.level = $1 \
                     AND s.code = $2 AND s.valid_from <= $3 AND (s.valid_to IS NULL OR s.valid_to > $3) LIMIT 1) \
                     WHERE level = $1 AND code = $4 AND valid_from = $5",
                )
                .bind(input.level.code())
                .bind(successor)
                .bind(valid_to)
                .bind(&input.code)
                .bind(input.valid_from)
                .execute(&mut *conn)
                .await?;
            });
        }
    }
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "areas.import",
            object_kind: "admin_areas",
            object_id: "all".into(),
            before: None,
            after: None,
            details: json!({"submitted": inputs.len(), "inserted": inserted}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(inserted)
}
