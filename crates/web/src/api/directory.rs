//! The directory API: the caller, units, users, external organisations, administrative
//! areas, and an object's audit history.

use super::{check_limit, decode_cursor, page_of, ApiJson, ApiQuery, Page};
use crate::context::SignedIn;
use crate::error::{text_error, AppError, AppResult, FieldError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vanphong_core::auth::{NewPassword, Role, Secrecy, Username};
use vanphong_core::ids::{AreaId, OrganisationId, PositionId, UnitId, UserId};
use vanphong_core::org::{Abbreviation, AgencyCode, AreaLevel, OrganisationKind};
use vanphong_core::permission::Action;
use vanphong_core::text;
use vanphong_store::org::{self, OrganisationInput, UnitInput};
use vanphong_store::users::{self, NewUser, UserFilter};
use vanphong_store::{audit, StoreError};

#[derive(Serialize, ToSchema)]
pub struct UserBody {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub unit_id: Option<i64>,
    pub position_id: Option<i64>,
    /// One of `normal`, `confidential`, `secret`, `top_secret`.
    pub clearance: String,
    pub roles: Vec<String>,
    pub disabled: bool,
    pub language: String,
}

impl From<users::User> for UserBody {
    fn from(u: users::User) -> Self {
        Self {
            id: u.id.0,
            username: u.username,
            full_name: u.full_name,
            email: u.email,
            unit_id: u.unit_id.map(|x| x.0),
            position_id: u.position_id.map(|x| x.0),
            clearance: u.clearance.code().to_owned(),
            roles: u.roles.iter().map(|r| r.code().to_owned()).collect(),
            disabled: u.disabled,
            language: u.language,
        }
    }
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "directory",
    responses((status = 200, body = UserBody), (status = 401, body = super::ErrorBody)))]
pub async fn me(ctx: SignedIn) -> Json<UserBody> {
    Json(ctx.user().clone().into())
}

#[derive(Serialize, ToSchema)]
pub struct UnitBody {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub abbreviation: String,
    pub sort_order: i64,
    pub active: bool,
    pub version: i64,
}

impl From<org::Unit> for UnitBody {
    fn from(u: org::Unit) -> Self {
        Self {
            id: u.id.0,
            parent_id: u.parent_id.map(|p| p.0),
            name: u.name,
            abbreviation: u.abbreviation,
            sort_order: u.sort_order,
            active: u.active,
            version: u.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitList {
    pub items: Vec<UnitBody>,
}

/// Every unit of the agency.
#[utoipa::path(get, path = "/api/v1/units", tag = "directory", responses((status = 200, body = UnitList)))]
pub async fn list_units(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Json<UnitList>> {
    ctx.authorize_agency(Action::ViewDirectory)?;
    Ok(Json(UnitList {
        items: org::units(&state.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct UnitRequest {
    pub name: String,
    /// Capitals and digits, unique among units (`VP`, `KSONMT`).
    pub abbreviation: String,
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub sort_order: i64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Creates a unit (administrators).
#[utoipa::path(post, path = "/api/v1/units", tag = "directory", request_body = UnitRequest,
    responses((status = 201, body = UnitBody), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiJson(body): ApiJson<UnitRequest>,
) -> AppResult<(StatusCode, Json<UnitBody>)> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let mut errors = Vec::new();
    let name = text::required_line(&body.name, 200)
        .map_err(|e| errors.push(text_error("name", e)))
        .ok();
    let abbreviation = Abbreviation::parse(&body.abbreviation)
        .map_err(|_| errors.push(FieldError::new("abbreviation", "unit.abbreviation_invalid")))
        .ok();
    let (Some(name), Some(abbreviation), true) = (name, abbreviation, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let input = UnitInput {
        parent_id: body.parent_id.map(UnitId),
        name,
        abbreviation,
        sort_order: body.sort_order,
        active: body.active,
    };
    match org::create_unit(&state.db, &ctx.origin(), &input).await {
        Ok(unit) => Ok((StatusCode::CREATED, Json(unit.into()))),
        Err(StoreError::Invalid(code)) if code == "abbreviation_taken" => Err(AppError::fields(
            vec![FieldError::new("abbreviation", "unit.abbreviation_taken")],
        )),
        Err(StoreError::Invalid(code)) if code == "unknown_parent_unit" => Err(AppError::fields(
            vec![FieldError::new("parent_id", "unit.unknown_parent")],
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct UserListQuery {
    /// The cursor from the previous page.
    pub cursor: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    /// Matches user name and full name, with or without Vietnamese tone marks.
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub include_disabled: bool,
}

/// Users, a page at a time (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "directory", params(UserListQuery),
    responses((status = 200, body = Page<UserBody>), (status = 403, body = super::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiQuery(query): ApiQuery<UserListQuery>,
) -> AppResult<Json<Page<UserBody>>> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let limit = check_limit(query.limit)?;
    let after = decode_cursor(query.cursor.as_deref())?;
    let filter = UserFilter {
        unit_id: query.unit_id.map(UnitId),
        search: query
            .q
            .filter(|q| !q.trim().is_empty())
            .map(|q| text::normalize(&q)),
        include_disabled: query.include_disabled,
    };
    let rows = users::list(&state.db, &filter, after.map(UserId), limit + 1).await?;
    Ok(Json(page_of(rows, limit, |u| u.id.0, UserBody::from)))
}

#[derive(Deserialize, ToSchema)]
pub struct UserRequest {
    pub username: String,
    pub full_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    pub unit_id: Option<i64>,
    pub position_id: Option<i64>,
    /// Default `normal`.
    pub clearance: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// At least 10 characters.
    pub password: String,
}

/// Creates a user (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "directory", request_body = UserRequest,
    responses((status = 201, body = UserBody), (status = 422, body = super::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiJson(body): ApiJson<UserRequest>,
) -> AppResult<(StatusCode, Json<UserBody>)> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let mut errors = Vec::new();
    let username = Username::parse(&body.username)
        .map_err(|_| errors.push(FieldError::new("username", "user.username_hint")))
        .ok();
    let full_name = text::required_line(&body.full_name, 200)
        .map_err(|e| errors.push(text_error("full_name", e)))
        .ok();
    let password = NewPassword::parse(&body.password)
        .map_err(|_| errors.push(FieldError::new("password", "account.password_hint")))
        .ok();
    let clearance = Secrecy::parse(body.clearance.as_deref().unwrap_or("normal"))
        .map_err(|_| errors.push(FieldError::new("clearance", "form.unknown_value")))
        .ok();
    let mut roles = Vec::new();
    for code in &body.roles {
        match Role::parse(code) {
            Ok(r) => roles.push(r),
            Err(_) => errors.push(FieldError::new("roles", "form.unknown_value")),
        }
    }
    if let Some(unit) = body.unit_id {
        if org::unit(&state.db, UnitId(unit)).await.is_err() {
            errors.push(FieldError::new("unit_id", "form.unknown_value"));
        }
    }
    if let Some(position) = body.position_id {
        if !org::positions(&state.db)
            .await?
            .iter()
            .any(|p| p.id.0 == position)
        {
            errors.push(FieldError::new("position_id", "form.unknown_value"));
        }
    }
    let (Some(username), Some(full_name), Some(password), Some(clearance), true) =
        (username, full_name, password, clearance, errors.is_empty())
    else {
        return Err(AppError::fields(errors));
    };
    let new = NewUser {
        username,
        full_name,
        email: text::normalize(&body.email),
        phone: text::normalize(&body.phone),
        unit_id: body.unit_id.map(UnitId),
        position_id: body.position_id.map(PositionId),
        clearance,
        roles,
        password,
    };
    match users::create(&state.db, &ctx.origin(), new).await {
        Ok(user) => Ok((StatusCode::CREATED, Json(user.into()))),
        Err(StoreError::Invalid(code)) if code == "username_taken" => {
            Err(AppError::fields(vec![FieldError::new(
                "username",
                "user.username_taken",
            )]))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationBody {
    pub id: i64,
    pub name: String,
    pub abbreviation: String,
    pub agency_code: Option<String>,
    /// `ministry`, `central_agency`, `provincial_committee`, `provincial_environment_department`, `political_body`, `other`.
    pub kind: String,
    pub province_id: Option<i64>,
    pub email: String,
    pub address: String,
}

impl From<org::Organisation> for OrganisationBody {
    fn from(o: org::Organisation) -> Self {
        Self {
            id: o.id.0,
            name: o.name,
            abbreviation: o.abbreviation,
            agency_code: o.agency_code,
            kind: o.kind.code().to_owned(),
            province_id: o.province_id.map(|p| p.0),
            email: o.email,
            address: o.address,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct OrganisationListQuery {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
    /// Matches the name, with or without Vietnamese tone marks.
    pub q: Option<String>,
}

/// The directory of external organisations (senders and recipients).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "directory", params(OrganisationListQuery),
    responses((status = 200, body = Page<OrganisationBody>)))]
pub async fn list_organisations(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiQuery(query): ApiQuery<OrganisationListQuery>,
) -> AppResult<Json<Page<OrganisationBody>>> {
    ctx.authorize_agency(Action::ViewDirectory)?;
    let limit = check_limit(query.limit)?;
    let after = decode_cursor(query.cursor.as_deref())?;
    let q = query
        .q
        .filter(|q| !q.trim().is_empty())
        .map(|q| text::normalize(&q));
    let rows = org::organisations(
        &state.db,
        q.as_deref(),
        after.map(OrganisationId),
        limit + 1,
    )
    .await?;
    Ok(Json(page_of(
        rows,
        limit,
        |o| o.id.0,
        OrganisationBody::from,
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct OrganisationRequest {
    pub name: String,
    pub abbreviation: Option<String>,
    /// 13 characters, e.g. `000.00.00.H49`.
    pub agency_code: Option<String>,
    pub kind: String,
    pub province_id: Option<i64>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
}

/// Adds an organisation to the directory (administrators).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "directory", request_body = OrganisationRequest,
    responses((status = 201, body = OrganisationBody), (status = 422, body = super::ErrorBody)))]
pub async fn create_organisation(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiJson(body): ApiJson<OrganisationRequest>,
) -> AppResult<(StatusCode, Json<OrganisationBody>)> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let mut errors = Vec::new();
    let name = text::required_line(&body.name, 300)
        .map_err(|e| errors.push(text_error("name", e)))
        .ok();
    let abbreviation = match body
        .abbreviation
        .as_deref()
        .filter(|a| !a.trim().is_empty())
    {
        Some(a) => Abbreviation::parse(a)
            .map(Some)
            .map_err(|_| errors.push(FieldError::new("abbreviation", "unit.abbreviation_invalid")))
            .ok()
            .flatten(),
        None => None,
    };
    let agency_code = match body.agency_code.as_deref().filter(|a| !a.trim().is_empty()) {
        Some(c) => AgencyCode::parse(c)
            .map(Some)
            .map_err(|_| {
                errors.push(FieldError::new(
                    "agency_code",
                    "organisation.agency_code_invalid",
                ))
            })
            .ok()
            .flatten(),
        None => None,
    };
    let kind = OrganisationKind::parse(&body.kind)
        .map_err(|_| errors.push(FieldError::new("kind", "form.unknown_value")))
        .ok();
    if let Some(province) = body.province_id {
        match org::area(&state.db, AreaId(province)).await {
            Ok(area) if area.level == AreaLevel::Province => {}
            _ => errors.push(FieldError::new("province_id", "form.unknown_value")),
        }
    }
    let (Some(name), Some(kind), true) = (name, kind, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let input = OrganisationInput {
        name,
        abbreviation,
        agency_code,
        kind,
        province_id: body.province_id.map(AreaId),
        email: text::normalize(&body.email),
        address: text::normalize(&body.address),
    };
    match org::create_organisation(&state.db, &ctx.origin(), &input).await {
        Ok(created) => Ok((StatusCode::CREATED, Json(created.into()))),
        Err(StoreError::Invalid(code)) if code == "agency_code_taken" => {
            Err(AppError::fields(vec![FieldError::new(
                "agency_code",
                "organisation.agency_code_taken",
            )]))
        }
        Err(StoreError::Invalid(code)) if code == "organisation_name_taken" => Err(
            AppError::fields(vec![FieldError::new("name", "organisation.name_taken")]),
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AreaBody {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_id: Option<i64>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub successor_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AreaList {
    pub items: Vec<AreaBody>,
}

#[derive(Deserialize, IntoParams)]
pub struct AreaQuery {
    /// `province` (default) or `commune`.
    pub level: Option<String>,
    /// The date the areas were in force (ISO 8601, default today); `all` for every version.
    pub on: Option<String>,
}

/// Administrative areas as they were on a date.
#[utoipa::path(get, path = "/api/v1/areas", tag = "directory", params(AreaQuery), responses((status = 200, body = AreaList)))]
pub async fn list_areas(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiQuery(query): ApiQuery<AreaQuery>,
) -> AppResult<Json<AreaList>> {
    ctx.authorize_agency(Action::ViewDirectory)?;
    let level = match query.level.as_deref() {
        None => AreaLevel::Province,
        Some(l) => AreaLevel::parse(l)
            .map_err(|_| AppError::fields(vec![FieldError::new("level", "form.unknown_value")]))?,
    };
    let on = match query.on.as_deref() {
        None => Some(chrono::Utc::now().date_naive()),
        Some("all") => None,
        Some(d) => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| AppError::fields(vec![FieldError::new("on", "form.date_invalid")]))?,
        ),
    };
    let areas = org::areas(&state.db, level, on).await?;
    Ok(Json(AreaList {
        items: areas
            .into_iter()
            .map(|a| AreaBody {
                id: a.id.0,
                code: a.code,
                name: a.name,
                level: a.level.code().to_owned(),
                parent_id: a.parent_id.map(|p| p.0),
                valid_from: a.valid_from,
                valid_to: a.valid_to,
                successor_id: a.successor_id.map(|s| s.0),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventBody {
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub source_address: String,
    pub action: String,
    pub before_digest: String,
    pub after_digest: String,
    pub details: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryBody {
    pub items: Vec<AuditEventBody>,
}

/// The audit history of one object, oldest first.
#[utoipa::path(get, path = "/api/v1/history/{kind}/{id}", tag = "audit",
    params(("kind" = String, Path, description = "user, unit, organisation, api_key, agency, position"), ("id" = String, Path)),
    responses((status = 200, body = HistoryBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn object_history(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path((kind, id)): Path<(String, String)>,
) -> AppResult<Json<HistoryBody>> {
    match kind.as_str() {
        "user" | "api_key" => ctx.authorize_agency(Action::ManageUsers)?,
        "unit" | "organisation" | "agency" | "position" => {
            ctx.authorize_agency(Action::ManageOrganisation)?
        }
        _ => return Err(AppError::NotFound),
    }
    let records = audit::history(&state.db, &kind, &id).await?;
    Ok(Json(HistoryBody {
        items: records
            .into_iter()
            .map(|r| AuditEventBody {
                seq: r.seq,
                occurred_at: r.occurred_at,
                actor: r.actor_label,
                source_address: r.source_address,
                action: r.action,
                before_digest: r.before_digest,
                after_digest: r.after_digest,
                details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    }))
}
