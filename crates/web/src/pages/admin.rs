//! Administration pages: units, users, external organisations, administrative areas,
//! API keys and the audit trail. Every handler checks the administrator's permission
//! first; every list pages and exports.

use crate::context::{RequestContext, SignedIn};
use crate::error::{text_error, AppError, AppResult, FieldError};
use crate::export::{Format, Table};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, export_links, page, pager, select, Field};
use crate::pages::role_label;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;
use vanphong_core::auth::{NewPassword, Role, Secrecy, Username};
use vanphong_core::ids::{ApiKeyId, AreaId, PositionId, UnitId, UserId};
use vanphong_core::org::{Abbreviation, AgencyCode, AreaLevel, OrganisationKind};
use vanphong_core::permission::Action;
use vanphong_core::text;
use vanphong_store::org::{self, OrganisationInput, Unit, UnitInput};
use vanphong_store::users::{self, NewUser, UserFilter, UserUpdate};
use vanphong_store::{api_keys, audit, StoreError};

const PAGE_SIZE: i64 = 50;
const EXPORT_LIMIT: i64 = 100_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_index))
        .route("/admin/agency", get(agency_page).post(save_agency))
        .route(
            "/admin/positions",
            get(positions_page).post(create_position),
        )
        .route("/admin/units", get(units_page).post(create_unit))
        .route("/admin/units/{id}", get(edit_unit_page).post(update_unit))
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/new", get(new_user_page))
        .route("/admin/users/{id}", get(edit_user_page).post(update_user))
        .route("/admin/users/{id}/disable", post(disable_user))
        .route("/admin/users/{id}/enable", post(enable_user))
        .route("/admin/users/{id}/password", post(reset_password))
        .route(
            "/admin/organisations",
            get(organisations_page).post(create_organisation),
        )
        .route("/admin/areas", get(areas_page))
        .route("/admin/api-keys", get(api_keys_page).post(create_api_key))
        .route("/admin/api-keys/{id}/revoke", post(revoke_api_key))
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit/verify", post(verify_audit))
        .route("/history/{kind}/{id}", get(history_page))
}

/// Units in tree order with their depth, for indented lists and selects.
fn tree_order(units: &[Unit]) -> Vec<(usize, &Unit)> {
    fn walk<'a>(
        units: &'a [Unit],
        parent: Option<UnitId>,
        depth: usize,
        out: &mut Vec<(usize, &'a Unit)>,
    ) {
        for unit in units.iter().filter(|u| u.parent_id == parent) {
            out.push((depth, unit));
            if depth < 32 {
                walk(units, Some(unit.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::with_capacity(units.len());
    walk(units, None, 0, &mut out);
    out
}

fn unit_options(lang: Lang, units: &[Unit], none_label_key: &str) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), t(lang, none_label_key).to_owned())];
    for (depth, unit) in tree_order(units) {
        options.push((
            unit.id.to_string(),
            format!(
                "{}{} ({})",
                "— ".repeat(depth),
                unit.name,
                unit.abbreviation
            ),
        ));
    }
    options
}

fn parse_optional_id(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

// ----- The index -----

async fn admin_index(ctx: SignedIn) -> AppResult<Response> {
    if !ctx.can(Action::ManageUsers) && !ctx.can(Action::ManageOrganisation) {
        return Err(AppError::Forbidden);
    }
    let lang = ctx.lang;
    let body = html! {
        h1 { (t(lang, "nav.administration")) }
        section.cards {
            @for (href, title, hint) in crate::layout::ADMIN_SECTIONS {
                a.card href=(href) {
                    span.label { strong { (t(lang, title)) } }
                    span.muted { (t(lang, hint)) }
                }
            }
        }
    };
    Ok(page(&ctx, t(lang, "nav.administration"), body).into_response())
}

// ----- The agency and positions -----

#[derive(Deserialize, Default, Clone)]
pub struct AgencyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    abbreviation: String,
    #[serde(default)]
    parent_abbreviation: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    place_name: String,
}

impl AgencyForm {
    fn parse(&self) -> Result<org::AgencySettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = AgencyCode::parse(&self.code)
            .map_err(|_| errors.push(FieldError::new("code", "organisation.agency_code_invalid")))
            .ok();
        let name = text::required_line(&self.name, 300)
            .map_err(|e| errors.push(text_error("name", e)))
            .ok();
        let name_en = text::optional_line(&self.name_en, 300)
            .map_err(|e| errors.push(text_error("name_en", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        let abbreviation = Abbreviation::parse(&self.abbreviation)
            .map_err(|_| errors.push(FieldError::new("abbreviation", "unit.abbreviation_invalid")))
            .ok();
        let parent_abbreviation = if self.parent_abbreviation.trim().is_empty() {
            None
        } else {
            Abbreviation::parse(&self.parent_abbreviation)
                .map_err(|_| {
                    errors.push(FieldError::new(
                        "parent_abbreviation",
                        "unit.abbreviation_invalid",
                    ))
                })
                .ok()
        };
        let address = text::optional_line(&self.address, 500)
            .map_err(|e| errors.push(text_error("address", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        let place_name = text::required_line(&self.place_name, 100)
            .map_err(|e| errors.push(text_error("place_name", e)))
            .ok();
        match (code, name, abbreviation, place_name) {
            (Some(code), Some(name), Some(abbreviation), Some(place_name)) if errors.is_empty() => {
                Ok(org::AgencySettings {
                    code,
                    name,
                    name_en,
                    abbreviation,
                    parent_abbreviation,
                    address,
                    place_name,
                })
            }
            _ => Err(errors),
        }
    }
}

fn render_agency(
    ctx: &SignedIn,
    form: &AgencyForm,
    errors: &[FieldError],
    saved: bool,
) -> crate::layout::Page {
    let lang = ctx.lang;
    let body = html! {
        h1 { (t(lang, "nav.agency")) }
        @if saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        p.muted { (t(lang, "agency.explanation")) }
        (error_summary(lang, errors))
        form method="post" action="/admin/agency" {
            (csrf_field(ctx))
            (Field::text("name", t(lang, "agency.name"), &form.name).required().autofocus().render(lang, errors))
            (Field::text("name_en", t(lang, "agency.name_en"), &form.name_en).render(lang, errors))
            (Field::text("code", t(lang, "organisation.agency_code"), &form.code).required().hint("000.00.00.H49").render(lang, errors))
            (Field::text("abbreviation", t(lang, "unit.abbreviation"), &form.abbreviation).required().hint(t(lang, "unit.abbreviation_hint")).render(lang, errors))
            (Field::text("parent_abbreviation", t(lang, "agency.parent_abbreviation"), &form.parent_abbreviation).render(lang, errors))
            (Field::text("address", t(lang, "organisation.address"), &form.address).render(lang, errors))
            (Field::text("place_name", t(lang, "agency.place_name"), &form.place_name).required().hint(t(lang, "agency.place_name_hint")).render(lang, errors))
            button.primary type="submit" { (t(lang, "form.save")) }
        }
        p { a href="/history/agency/1" { (t(lang, "history.title")) } }
    };
    page(ctx, t(lang, "nav.agency"), body)
}

async fn agency_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let form = match org::agency(&state.db).await? {
        Some(a) => AgencyForm {
            code: a.code,
            name: a.name,
            name_en: a.name_en,
            abbreviation: a.abbreviation,
            parent_abbreviation: a.parent_abbreviation,
            address: a.address,
            place_name: a.place_name,
        },
        None => AgencyForm::default(),
    };
    Ok(render_agency(&ctx, &form, &[], query.saved.is_some()).into_response())
}

async fn save_agency(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<AgencyForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    match form.parse() {
        Ok(settings) => {
            org::save_agency(&state.db, &ctx.origin(), &settings).await?;
            Ok(Redirect::to("/admin/agency?saved=1").into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render_agency(&ctx, &form, &errors, false),
        )
            .into_response()),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct PositionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    rank: String,
}

fn render_positions(
    ctx: &SignedIn,
    positions: &[org::Position],
    form: &PositionForm,
    errors: &[FieldError],
    saved: bool,
) -> crate::layout::Page {
    let lang = ctx.lang;
    let body = html! {
        h1 { (t(lang, "nav.positions")) }
        @if saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        table.list {
            thead { tr { th { (t(lang, "position.rank")) } th { (t(lang, "position.name")) } } }
            tbody { @for p in positions { tr { td { (p.rank) } td { (p.name) } } } }
        }
        h2 { (t(lang, "position.create")) }
        (error_summary(lang, errors))
        form method="post" action="/admin/positions" {
            (csrf_field(ctx))
            (Field::text("name", t(lang, "position.name"), &form.name).required().render(lang, errors))
            (Field::text("rank", t(lang, "position.rank"), &form.rank).kind("number").hint(t(lang, "position.rank_hint")).render(lang, errors))
            button.primary type="submit" { (t(lang, "position.create")) }
        }
    };
    page(ctx, t(lang, "nav.positions"), body)
}

async fn positions_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let positions = org::positions(&state.db).await?;
    Ok(render_positions(
        &ctx,
        &positions,
        &PositionForm::default(),
        &[],
        query.saved.is_some(),
    )
    .into_response())
}

async fn create_position(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<PositionForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let mut errors = Vec::new();
    let name = text::required_line(&form.name, 200)
        .map_err(|e| errors.push(text_error("name", e)))
        .ok();
    let rank = if form.rank.trim().is_empty() {
        Some(100)
    } else {
        form.rank
            .trim()
            .parse::<i64>()
            .map_err(|_| errors.push(FieldError::new("rank", "form.not_a_number")))
            .ok()
    };
    if let (Some(name), Some(rank), true) = (name, rank, errors.is_empty()) {
        match org::create_position(&state.db, &ctx.origin(), &name, rank).await {
            Ok(_) => return Ok(Redirect::to("/admin/positions?saved=1").into_response()),
            Err(StoreError::Conflict { .. }) => {
                errors.push(FieldError::new("name", "position.name_taken"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let positions = org::positions(&state.db).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render_positions(&ctx, &positions, &form, &errors, false),
    )
        .into_response())
}

// ----- Units -----

#[derive(Deserialize, Default, Clone)]
pub struct UnitForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    abbreviation: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    sort_order: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    version: i64,
}

impl UnitForm {
    fn parse(&self) -> Result<UnitInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = text::required_line(&self.name, 200)
            .map_err(|e| errors.push(text_error("name", e)))
            .ok();
        let abbreviation = Abbreviation::parse(&self.abbreviation)
            .map_err(|_| errors.push(FieldError::new("abbreviation", "unit.abbreviation_invalid")))
            .ok();
        let sort_order = if self.sort_order.trim().is_empty() {
            Some(0)
        } else {
            self.sort_order
                .trim()
                .parse::<i64>()
                .map_err(|_| errors.push(FieldError::new("sort_order", "form.not_a_number")))
                .ok()
        };
        match (name, abbreviation, sort_order) {
            (Some(name), Some(abbreviation), Some(sort_order)) if errors.is_empty() => {
                Ok(UnitInput {
                    parent_id: parse_optional_id(&self.parent_id).map(UnitId),
                    name,
                    abbreviation,
                    sort_order,
                    active: self.active.is_some(),
                })
            }
            _ => Err(errors),
        }
    }
}

fn store_errors_for_unit(error: StoreError) -> Result<Vec<FieldError>, AppError> {
    match error {
        StoreError::Invalid(code) if code == "abbreviation_taken" => Ok(vec![FieldError::new(
            "abbreviation",
            "unit.abbreviation_taken",
        )]),
        StoreError::Invalid(code) if code == "unit_cycle" => {
            Ok(vec![FieldError::new("parent_id", "unit.cycle")])
        }
        StoreError::Invalid(code) if code == "unknown_parent_unit" => {
            Ok(vec![FieldError::new("parent_id", "unit.unknown_parent")])
        }
        StoreError::Stale => Ok(vec![FieldError::new("name", "form.stale")]),
        other => Err(other.into()),
    }
}

fn unit_form(
    ctx: &RequestContext,
    units: &[Unit],
    form: &UnitForm,
    errors: &[FieldError],
    action: &str,
    submit_key: &str,
) -> Markup {
    let lang = ctx.lang;
    html! {
        (error_summary(lang, errors))
        form method="post" action=(action) {
            (csrf_field(ctx))
            input type="hidden" name="version" value=(form.version);
            (Field::text("name", t(lang, "unit.name"), &form.name).required().render(lang, errors))
            (Field::text("abbreviation", t(lang, "unit.abbreviation"), &form.abbreviation).required().hint(t(lang, "unit.abbreviation_hint")).render(lang, errors))
            (select(lang, errors, "parent_id", t(lang, "unit.parent"), &unit_options(lang, units, "unit.no_parent"), &form.parent_id))
            (Field::text("sort_order", t(lang, "unit.sort_order"), &form.sort_order).kind("number").render(lang, errors))
            div.field.check {
                label { input type="checkbox" name="active" value="1" checked[form.active.is_some()]; " " (t(lang, "unit.active")) }
            }
            button.primary type="submit" { (t(lang, submit_key)) }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    format: Option<String>,
    after: Option<i64>,
    q: Option<String>,
    unit_id: Option<String>,
    include_disabled: Option<String>,
    saved: Option<String>,
}

async fn units_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let units = org::units(&state.db).await?;
    if let Some(format) = Format::parse(query.format.as_deref()) {
        return units_table(ctx.lang, &units).respond(format, "don-vi");
    }
    let form = UnitForm {
        active: Some("1".into()),
        ..Default::default()
    };
    Ok(render_units(&ctx, &units, &form, &[], query.saved.is_some()).into_response())
}

fn units_table(lang: Lang, units: &[Unit]) -> Table {
    let names: HashMap<UnitId, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    Table {
        sheet: t(lang, "nav.units").into(),
        headers: [
            "unit.abbreviation",
            "unit.name",
            "unit.parent",
            "unit.active",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: tree_order(units)
            .into_iter()
            .map(|(_, u)| {
                vec![
                    u.abbreviation.clone(),
                    u.name.clone(),
                    u.parent_id
                        .and_then(|p| names.get(&p))
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    t(lang, if u.active { "common.yes" } else { "common.no" }).to_owned(),
                ]
            })
            .collect(),
    }
}

fn render_units(
    ctx: &SignedIn,
    units: &[Unit],
    form: &UnitForm,
    errors: &[FieldError],
    saved: bool,
) -> crate::layout::Page {
    let lang = ctx.lang;
    let body = html! {
        h1 { (t(lang, "nav.units")) }
        @if saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        (export_links(lang, "/admin/units"))
        table.list {
            thead { tr { th { (t(lang, "unit.abbreviation")) } th { (t(lang, "unit.name")) } th { (t(lang, "unit.active")) } th {} } }
            tbody {
                @for (depth, unit) in tree_order(units) {
                    tr {
                        td { code { (unit.abbreviation) } }
                        td style={ "padding-left:" (depth * 20 + 8) "px" } { (unit.name) }
                        td { (t(lang, if unit.active { "common.yes" } else { "common.no" })) }
                        td { a href={ "/admin/units/" (unit.id) } { (t(lang, "common.edit")) } }
                    }
                }
            }
        }
        h2 { (t(lang, "unit.create")) }
        (unit_form(ctx, units, form, errors, "/admin/units", "unit.create"))
    };
    page(ctx, t(lang, "nav.units"), body)
}

async fn create_unit(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let units = org::units(&state.db).await?;
    let errors = match form.parse() {
        Ok(input) => match org::create_unit(&state.db, &ctx.origin(), &input).await {
            Ok(_) => return Ok(Redirect::to("/admin/units?saved=1").into_response()),
            Err(e) => store_errors_for_unit(e)?,
        },
        Err(errors) => errors,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render_units(&ctx, &units, &form, &errors, false),
    )
        .into_response())
}

fn render_edit_unit(
    ctx: &SignedIn,
    units: &[Unit],
    id: UnitId,
    form: &UnitForm,
    errors: &[FieldError],
) -> crate::layout::Page {
    let lang = ctx.lang;
    let body = html! {
        p { a href="/admin/units" { "← " (t(lang, "nav.units")) } }
        h1 { (t(lang, "unit.edit")) }
        (unit_form(ctx, units, form, errors, &format!("/admin/units/{id}"), "form.save"))
        p { a href={ "/history/unit/" (id) } { (t(lang, "history.title")) } }
    };
    page(ctx, t(lang, "unit.edit"), body)
}

async fn edit_unit_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let unit = org::unit(&state.db, UnitId(id)).await?;
    let units = org::units(&state.db).await?;
    let form = UnitForm {
        name: unit.name.clone(),
        abbreviation: unit.abbreviation.clone(),
        parent_id: unit.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        sort_order: unit.sort_order.to_string(),
        active: unit.active.then(|| "1".to_owned()),
        version: unit.version,
    };
    Ok(render_edit_unit(&ctx, &units, unit.id, &form, &[]).into_response())
}

async fn update_unit(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let id = UnitId(id);
    org::unit(&state.db, id).await?;
    let errors = match form.parse() {
        Ok(input) => {
            match org::update_unit(&state.db, &ctx.origin(), id, form.version, &input).await {
                Ok(_) => return Ok(Redirect::to("/admin/units?saved=1").into_response()),
                Err(e) => store_errors_for_unit(e)?,
            }
        }
        Err(errors) => errors,
    };
    let units = org::units(&state.db).await?;
    let status = if errors.iter().any(|e| e.key == "form.stale") {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render_edit_unit(&ctx, &units, id, &form, &errors)).into_response())
}

// ----- Users -----

#[derive(Deserialize, Default, Clone)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    position_id: String,
    #[serde(default)]
    clearance: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    version: i64,
}

struct ParsedProfile {
    update: UserUpdate,
}

impl UserForm {
    fn parse_profile(&self, errors: &mut Vec<FieldError>) -> Option<ParsedProfile> {
        let full_name = text::required_line(&self.full_name, 200)
            .map_err(|e| errors.push(text_error("full_name", e)))
            .ok();
        let email = text::optional_line(&self.email, 200)
            .map_err(|e| errors.push(text_error("email", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        if !email.is_empty() && (!email.contains('@') || email.contains(' ')) {
            errors.push(FieldError::new("email", "form.email_invalid"));
        }
        let phone = text::optional_line(&self.phone, 30)
            .map_err(|e| errors.push(text_error("phone", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
        {
            errors.push(FieldError::new("phone", "form.phone_invalid"));
        }
        let clearance = Secrecy::parse(if self.clearance.is_empty() {
            "normal"
        } else {
            &self.clearance
        })
        .map_err(|_| errors.push(FieldError::new("clearance", "form.unknown_value")))
        .ok();
        let mut roles = Vec::new();
        for code in &self.roles {
            match Role::parse(code) {
                Ok(role) => roles.push(role),
                Err(_) => errors.push(FieldError::new("roles", "form.unknown_value")),
            }
        }
        roles.sort();
        roles.dedup();
        Some(ParsedProfile {
            update: UserUpdate {
                full_name: full_name?,
                email,
                phone,
                unit_id: parse_optional_id(&self.unit_id).map(UnitId),
                position_id: parse_optional_id(&self.position_id).map(PositionId),
                clearance: clearance?,
                roles,
            },
        })
    }
}

async fn user_form_data(state: &AppState) -> AppResult<(Vec<Unit>, Vec<org::Position>)> {
    Ok((
        org::units(&state.db).await?,
        org::positions(&state.db).await?,
    ))
}

fn user_form(
    ctx: &RequestContext,
    units: &[Unit],
    positions: &[org::Position],
    form: &UserForm,
    errors: &[FieldError],
    action: &str,
    creating: bool,
) -> Markup {
    let lang = ctx.lang;
    let mut position_options = vec![(String::new(), t(lang, "user.no_position").to_owned())];
    position_options.extend(positions.iter().map(|p| (p.id.to_string(), p.name.clone())));
    let clearance_options: Vec<(String, String)> = Secrecy::ALL
        .iter()
        .map(|s| {
            (
                s.code().to_owned(),
                t(lang, &format!("secrecy.{}", s.code())).to_owned(),
            )
        })
        .collect();
    let roles_error = crate::layout::field_error(lang, errors, "roles");
    html! {
        (error_summary(lang, errors))
        form method="post" action=(action) {
            (csrf_field(ctx))
            input type="hidden" name="version" value=(form.version);
            @if creating {
                (Field::text("username", t(lang, "user.username"), &form.username).required().autofocus().hint(t(lang, "user.username_hint")).render(lang, errors))
            }
            (Field::text("full_name", t(lang, "user.full_name"), &form.full_name).required().render(lang, errors))
            (Field::text("email", t(lang, "user.email"), &form.email).kind("email").render(lang, errors))
            (Field::text("phone", t(lang, "user.phone"), &form.phone).kind("tel").render(lang, errors))
            (select(lang, errors, "unit_id", t(lang, "user.unit"), &unit_options(lang, units, "user.no_unit"), &form.unit_id))
            (select(lang, errors, "position_id", t(lang, "user.position"), &position_options, &form.position_id))
            (select(lang, errors, "clearance", t(lang, "user.clearance"), &clearance_options, if form.clearance.is_empty() { "normal" } else { &form.clearance }))
            fieldset.field.invalid[roles_error.is_some()] {
                legend { (t(lang, "user.roles")) }
                @for role in Role::ALL {
                    label.inline {
                        input type="checkbox" name="roles" value=(role.code()) checked[form.roles.iter().any(|r| r == role.code())];
                        " " (role_label(lang, role))
                    }
                }
                @if let Some(message) = roles_error { p.error role="alert" { (message) } }
            }
            @if creating {
                (Field::text("password", t(lang, "user.initial_password"), "").kind("password").required().autocomplete("new-password").hint(t(lang, "account.password_hint")).render(lang, errors))
            }
            button.primary type="submit" { (t(lang, if creating { "user.create" } else { "form.save" })) }
        }
    }
}

fn users_table(lang: Lang, list: &[users::User], units: &HashMap<UnitId, String>) -> Table {
    Table {
        sheet: t(lang, "nav.users").into(),
        headers: [
            "user.username",
            "user.full_name",
            "user.unit",
            "user.roles",
            "user.email",
            "user.status",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: list
            .iter()
            .map(|u| {
                vec![
                    u.username.clone(),
                    u.full_name.clone(),
                    u.unit_id
                        .and_then(|id| units.get(&id))
                        .cloned()
                        .unwrap_or_default(),
                    u.roles
                        .iter()
                        .map(|r| role_label(lang, *r))
                        .collect::<Vec<_>>()
                        .join(", "),
                    u.email.clone(),
                    t(
                        lang,
                        if u.disabled {
                            "user.disabled"
                        } else {
                            "user.enabled"
                        },
                    )
                    .to_owned(),
                ]
            })
            .collect(),
    }
}

async fn users_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let lang = ctx.lang;
    let filter = UserFilter {
        unit_id: query
            .unit_id
            .as_deref()
            .and_then(parse_optional_id)
            .map(UnitId),
        search: query
            .q
            .clone()
            .filter(|q| !q.trim().is_empty())
            .map(|q| text::normalize(&q)),
        include_disabled: query.include_disabled.is_some(),
    };
    let units = org::units(&state.db).await?;
    let unit_names: HashMap<UnitId, String> =
        units.iter().map(|u| (u.id, u.name.clone())).collect();
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let list = users::list(&state.db, &filter, None, EXPORT_LIMIT).await?;
        return users_table(lang, &list, &unit_names).respond(format, "nguoi-dung");
    }
    let list = users::list(&state.db, &filter, query.after.map(UserId), PAGE_SIZE + 1).await?;
    let has_more = list.len() as i64 > PAGE_SIZE;
    let list = &list[..list.len().min(PAGE_SIZE as usize)];
    let base = format!(
        "/admin/users?q={}&unit_id={}{}",
        crate::context::urlencode(query.q.as_deref().unwrap_or_default()),
        query.unit_id.as_deref().unwrap_or_default(),
        if filter.include_disabled {
            "&include_disabled=1"
        } else {
            ""
        }
    );
    let next = has_more
        .then(|| list.last().map(|u| u.id.to_string()))
        .flatten();
    let body = html! {
        h1 { (t(lang, "nav.users")) }
        @if query.saved.is_some() { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        p { a.button href="/admin/users/new" accesskey="n" { (t(lang, "user.create")) } }
        form.filters method="get" action="/admin/users" role="search" {
            (Field::text("q", t(lang, "list.search"), query.q.as_deref().unwrap_or_default()).kind("search").render(lang, &[]))
            (select(lang, &[], "unit_id", t(lang, "user.unit"), &unit_options(lang, &units, "list.all_units"), query.unit_id.as_deref().unwrap_or_default()))
            div.field.check { label { input type="checkbox" name="include_disabled" value="1" checked[filter.include_disabled]; " " (t(lang, "user.include_disabled")) } }
            button type="submit" { (t(lang, "list.filter")) }
        }
        (export_links(lang, &base))
        @if list.is_empty() {
            p.muted { (t(lang, "list.empty")) }
        } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "user.username")) } th { (t(lang, "user.full_name")) } th { (t(lang, "user.unit")) }
                    th { (t(lang, "user.roles")) } th { (t(lang, "user.status")) }
                } }
                tbody {
                    @for u in list {
                        tr.disabled[u.disabled] {
                            td { a href={ "/admin/users/" (u.id) } { (u.username) } }
                            td { (u.full_name) }
                            td { (u.unit_id.and_then(|id| unit_names.get(&id)).map(String::as_str).unwrap_or("—")) }
                            td { (u.roles.iter().map(|r| role_label(lang, *r)).collect::<Vec<_>>().join(", ")) }
                            td { (t(lang, if u.disabled { "user.disabled" } else { "user.enabled" })) }
                        }
                    }
                }
            }
        }
        (pager(lang, &base, next))
    };
    Ok(page(&ctx, t(lang, "nav.users"), body).into_response())
}

async fn new_user_page(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let (units, positions) = user_form_data(&state).await?;
    Ok(render_new_user(&ctx, &units, &positions, &UserForm::default(), &[]).into_response())
}

fn render_new_user(
    ctx: &SignedIn,
    units: &[Unit],
    positions: &[org::Position],
    form: &UserForm,
    errors: &[FieldError],
) -> crate::layout::Page {
    let lang = ctx.lang;
    let body = html! {
        p { a href="/admin/users" { "← " (t(lang, "nav.users")) } }
        h1 { (t(lang, "user.create")) }
        (user_form(ctx, units, positions, form, errors, "/admin/users", true))
    };
    page(ctx, t(lang, "user.create"), body)
}

async fn create_user(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let mut errors = Vec::new();
    let username = Username::parse(&form.username)
        .map_err(|_| errors.push(FieldError::new("username", "user.username_hint")))
        .ok();
    let password = NewPassword::parse(&form.password)
        .map_err(|_| errors.push(FieldError::new("password", "account.password_hint")))
        .ok();
    let profile = form.parse_profile(&mut errors);
    if let (Some(username), Some(password), Some(profile), true) =
        (username, password, profile, errors.is_empty())
    {
        let new = NewUser {
            username,
            full_name: profile.update.full_name,
            email: profile.update.email,
            phone: profile.update.phone,
            unit_id: profile.update.unit_id,
            position_id: profile.update.position_id,
            clearance: profile.update.clearance,
            roles: profile.update.roles,
            password,
        };
        match users::create(&state.db, &ctx.origin(), new).await {
            Ok(user) => {
                return Ok(
                    Redirect::to(&format!("/admin/users/{}?saved=1", user.id)).into_response()
                )
            }
            Err(StoreError::Invalid(code)) if code == "username_taken" => {
                errors.push(FieldError::new("username", "user.username_taken"))
            }
            Err(e) if e.is_foreign_key_violation() && form.unit_id.parse::<i64>().is_ok() => {
                errors.push(FieldError::new("unit_id", "form.unknown_value"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (units, positions) = user_form_data(&state).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render_new_user(&ctx, &units, &positions, &form, &errors),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
    token: Option<String>,
}

async fn edit_user_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let user = users::get(&state.db, UserId(id)).await?;
    let (units, positions) = user_form_data(&state).await?;
    let form = UserForm {
        username: user.username.clone(),
        full_name: user.full_name.clone(),
        email: user.email.clone(),
        phone: user.phone.clone(),
        unit_id: user.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        position_id: user.position_id.map(|p| p.to_string()).unwrap_or_default(),
        clearance: user.clearance.code().to_owned(),
        roles: user.roles.iter().map(|r| r.code().to_owned()).collect(),
        password: String::new(),
        version: user.version,
    };
    Ok(render_edit_user(
        &ctx,
        &user,
        &units,
        &positions,
        &form,
        &[],
        query.saved.is_some(),
        &[],
    )
    .into_response())
}

fn render_edit_user(
    ctx: &SignedIn,
    user: &users::User,
    units: &[Unit],
    positions: &[org::Position],
    form: &UserForm,
    errors: &[FieldError],
    saved: bool,
    password_errors: &[FieldError],
) -> crate::layout::Page {
    let lang = ctx.lang;
    let body = html! {
        p { a href="/admin/users" { "← " (t(lang, "nav.users")) } }
        h1 { (user.full_name) " " small.muted { "(" (user.username) ")" } }
        @if saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        @if user.disabled { div.alert.warn { (t(lang, "user.disabled")) } }
        (user_form(ctx, units, positions, form, errors, &format!("/admin/users/{}", user.id), false))
        h2 { (t(lang, "user.reset_password")) }
        form method="post" action={ "/admin/users/" (user.id) "/password" } {
            (csrf_field(ctx))
            (Field::text("password", t(lang, "account.new_password"), "").kind("password").required().autocomplete("new-password").hint(t(lang, "account.password_hint")).render(lang, password_errors))
            button type="submit" { (t(lang, "user.reset_password")) }
        }
        h2 { (t(lang, "user.status")) }
        @if user.disabled {
            form method="post" action={ "/admin/users/" (user.id) "/enable" } {
                (csrf_field(ctx))
                button type="submit" { (t(lang, "user.enable")) }
            }
        } @else {
            form method="post" action={ "/admin/users/" (user.id) "/disable" } {
                (csrf_field(ctx))
                button.danger type="submit" { (t(lang, "user.disable")) }
            }
        }
        p { a href={ "/history/user/" (user.id) } { (t(lang, "history.title")) } }
    };
    page(ctx, &user.full_name, body)
}

async fn update_user(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let user = users::get(&state.db, UserId(id)).await?;
    let mut errors = Vec::new();
    let profile = form.parse_profile(&mut errors);
    if let (Some(profile), true) = (profile, errors.is_empty()) {
        // An administrator must not lock every administrator out by removing their own role.
        if user.id == ctx.user().id && !profile.update.roles.contains(&Role::Administrator) {
            errors.push(FieldError::new("roles", "user.cannot_drop_own_admin"));
        } else {
            match users::update(
                &state.db,
                &ctx.origin(),
                user.id,
                form.version,
                &profile.update,
            )
            .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response())
                }
                Err(StoreError::Stale) => errors.push(FieldError::new("full_name", "form.stale")),
                Err(e) => return Err(e.into()),
            }
        }
    }
    let (units, positions) = user_form_data(&state).await?;
    let status = if errors.iter().any(|e| e.key == "form.stale") {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // Show the current state beside the user's rejected input.
    let current = users::get(&state.db, UserId(id)).await?;
    let mut form = form;
    form.version = current.version;
    Ok((
        status,
        render_edit_user(
            &ctx,
            &current,
            &units,
            &positions,
            &form,
            &errors,
            false,
            &[],
        ),
    )
        .into_response())
}

async fn disable_user(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    if UserId(id) == ctx.user().id {
        return Err(AppError::invalid("cannot_disable_self"));
    }
    users::set_disabled(&state.db, &ctx.origin(), UserId(id), true).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response())
}

async fn enable_user(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    users::set_disabled(&state.db, &ctx.origin(), UserId(id), false).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response())
}

#[derive(Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageUsers)?;
    let user = users::get(&state.db, UserId(id)).await?;
    match NewPassword::parse(&form.password) {
        Ok(password) => {
            users::set_password(&state.db, &ctx.origin(), user.id, &password).await?;
            Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response())
        }
        Err(_) => {
            let (units, positions) = user_form_data(&state).await?;
            let form = UserForm {
                full_name: user.full_name.clone(),
                email: user.email.clone(),
                phone: user.phone.clone(),
                unit_id: user.unit_id.map(|u| u.to_string()).unwrap_or_default(),
                position_id: user.position_id.map(|p| p.to_string()).unwrap_or_default(),
                clearance: user.clearance.code().to_owned(),
                roles: user.roles.iter().map(|r| r.code().to_owned()).collect(),
                version: user.version,
                ..Default::default()
            };
            let errors = [FieldError::new("password", "account.password_hint")];
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render_edit_user(&ctx, &user, &units, &positions, &form, &[], false, &errors),
            )
                .into_response())
        }
    }
}

// ----- Organisations -----

#[derive(Deserialize, Default, Clone)]
pub struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    abbreviation: String,
    #[serde(default)]
    agency_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    province_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
}

impl OrganisationForm {
    fn parse(&self) -> Result<OrganisationInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = text::required_line(&self.name, 300)
            .map_err(|e| errors.push(text_error("name", e)))
            .ok();
        let abbreviation = if self.abbreviation.trim().is_empty() {
            None
        } else {
            Abbreviation::parse(&self.abbreviation)
                .map_err(|_| {
                    errors.push(FieldError::new("abbreviation", "unit.abbreviation_invalid"))
                })
                .ok()
        };
        let agency_code = if self.agency_code.trim().is_empty() {
            None
        } else {
            AgencyCode::parse(&self.agency_code)
                .map_err(|_| {
                    errors.push(FieldError::new(
                        "agency_code",
                        "organisation.agency_code_invalid",
                    ))
                })
                .ok()
        };
        let kind = OrganisationKind::parse(&self.kind)
            .map_err(|_| errors.push(FieldError::new("kind", "form.unknown_value")))
            .ok();
        let email = text::optional_line(&self.email, 200)
            .map_err(|e| errors.push(text_error("email", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        let address = text::optional_line(&self.address, 500)
            .map_err(|e| errors.push(text_error("address", e)))
            .ok()
            .flatten()
            .unwrap_or_default();
        match (name, kind) {
            (Some(name), Some(kind)) if errors.is_empty() => Ok(OrganisationInput {
                name,
                abbreviation,
                agency_code,
                kind,
                province_id: parse_optional_id(&self.province_id).map(AreaId),
                email,
                address,
            }),
            _ => Err(errors),
        }
    }
}

async fn organisations_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    render_organisations(
        &state,
        &ctx,
        &query,
        &OrganisationForm::default(),
        &[],
        StatusCode::OK,
    )
    .await
}

async fn render_organisations(
    state: &AppState,
    ctx: &SignedIn,
    query: &ListQuery,
    form: &OrganisationForm,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let search = query.q.as_deref().filter(|q| !q.trim().is_empty());
    let provinces = org::areas(
        &state.db,
        AreaLevel::Province,
        Some(chrono::Utc::now().date_naive()),
    )
    .await?;
    let province_names: HashMap<AreaId, &str> =
        provinces.iter().map(|p| (p.id, p.name.as_str())).collect();
    let table_of = |list: &[org::Organisation]| Table {
        sheet: t(lang, "nav.organisations").into(),
        headers: [
            "organisation.name",
            "organisation.abbreviation",
            "organisation.agency_code",
            "organisation.kind",
            "organisation.province",
        ]
        .iter()
        .map(|k| t(lang, k).to_owned())
        .collect(),
        rows: list
            .iter()
            .map(|o| {
                vec![
                    o.name.clone(),
                    o.abbreviation.clone(),
                    o.agency_code.clone().unwrap_or_default(),
                    t(lang, &format!("organisation_kind.{}", o.kind.code())).to_owned(),
                    o.province_id
                        .and_then(|p| province_names.get(&p))
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    };
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let list = org::organisations(&state.db, search, None, EXPORT_LIMIT).await?;
        return table_of(&list).respond(format, "co-quan");
    }
    let list = org::organisations(
        &state.db,
        search,
        query.after.map(vanphong_core::ids::OrganisationId),
        PAGE_SIZE + 1,
    )
    .await?;
    let has_more = list.len() as i64 > PAGE_SIZE;
    let list = &list[..list.len().min(PAGE_SIZE as usize)];
    let base = format!(
        "/admin/organisations?q={}",
        crate::context::urlencode(search.unwrap_or_default())
    );
    let next = has_more
        .then(|| list.last().map(|o| o.id.to_string()))
        .flatten();
    let kind_options: Vec<(String, String)> = OrganisationKind::ALL
        .iter()
        .map(|k| {
            (
                k.code().to_owned(),
                t(lang, &format!("organisation_kind.{}", k.code())).to_owned(),
            )
        })
        .collect();
    let mut province_options = vec![(
        String::new(),
        t(lang, "organisation.no_province").to_owned(),
    )];
    province_options.extend(provinces.iter().map(|p| (p.id.to_string(), p.name.clone())));
    let body = html! {
        h1 { (t(lang, "nav.organisations")) }
        @if query.saved.is_some() { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        form.filters method="get" action="/admin/organisations" role="search" {
            (Field::text("q", t(lang, "list.search"), search.unwrap_or_default()).kind("search").hint(t(lang, "list.search_hint")).render(lang, &[]))
            button type="submit" { (t(lang, "list.filter")) }
        }
        (export_links(lang, &base))
        @if list.is_empty() { p.muted { (t(lang, "list.empty")) } } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "organisation.name")) } th { (t(lang, "organisation.abbreviation")) }
                    th { (t(lang, "organisation.agency_code")) } th { (t(lang, "organisation.kind")) } th { (t(lang, "organisation.province")) }
                } }
                tbody {
                    @for o in list {
                        tr {
                            td { (o.name) } td { (o.abbreviation) } td { code { (o.agency_code.as_deref().unwrap_or("")) } }
                            td { (t(lang, &format!("organisation_kind.{}", o.kind.code()))) }
                            td { (o.province_id.and_then(|p| province_names.get(&p)).copied().unwrap_or("")) }
                        }
                    }
                }
            }
        }
        (pager(lang, &base, next))
        h2 { (t(lang, "organisation.create")) }
        (error_summary(lang, errors))
        form method="post" action="/admin/organisations" {
            (csrf_field(ctx))
            (Field::text("name", t(lang, "organisation.name"), &form.name).required().render(lang, errors))
            (Field::text("abbreviation", t(lang, "organisation.abbreviation"), &form.abbreviation).render(lang, errors))
            (Field::text("agency_code", t(lang, "organisation.agency_code"), &form.agency_code).hint("000.00.00.H49").render(lang, errors))
            (select(lang, errors, "kind", t(lang, "organisation.kind"), &kind_options, &form.kind))
            (select(lang, errors, "province_id", t(lang, "organisation.province"), &province_options, &form.province_id))
            (Field::text("email", t(lang, "user.email"), &form.email).kind("email").render(lang, errors))
            (Field::text("address", t(lang, "organisation.address"), &form.address).render(lang, errors))
            button.primary type="submit" { (t(lang, "organisation.create")) }
        }
    };
    Ok((status, page(ctx, t(lang, "nav.organisations"), body)).into_response())
}

async fn create_organisation(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<OrganisationForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let errors = match form.parse() {
        Ok(input) => match org::create_organisation(&state.db, &ctx.origin(), &input).await {
            Ok(_) => return Ok(Redirect::to("/admin/organisations?saved=1").into_response()),
            Err(StoreError::Invalid(code)) if code == "agency_code_taken" => vec![FieldError::new(
                "agency_code",
                "organisation.agency_code_taken",
            )],
            Err(StoreError::Invalid(code)) if code == "organisation_name_taken" => {
                vec![FieldError::new("name", "organisation.name_taken")]
            }
            Err(e) if e.is_foreign_key_violation() && !form.province_id.is_empty() => {
                vec![FieldError::new("province_id", "form.unknown_value")]
            }
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    render_organisations(
        &state,
        &ctx,
        &ListQuery::default(),
        &form,
        &errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

// ----- Administrative areas -----

#[derive(Deserialize, Default)]
pub struct AreaQuery {
    on: Option<String>,
    level: Option<String>,
    format: Option<String>,
}

async fn areas_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<AreaQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ViewDirectory)?;
    let lang = ctx.lang;
    let mut errors = Vec::new();
    let on = match query.on.as_deref().filter(|s| !s.is_empty()) {
        None => Some(chrono::Utc::now().date_naive()),
        Some("all") => None,
        Some(value) => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.push(FieldError::new("on", "form.date_invalid"));
                Some(chrono::Utc::now().date_naive())
            }
        },
    };
    let level = query
        .level
        .as_deref()
        .and_then(|l| AreaLevel::parse(l).ok())
        .unwrap_or(AreaLevel::Province);
    let areas = org::areas(&state.db, level, on).await?;
    let all_provinces = org::areas(&state.db, AreaLevel::Province, None).await?;
    let names: HashMap<AreaId, String> = all_provinces
        .iter()
        .map(|a| (a.id, a.name.clone()))
        .collect();
    let fmt_date = |d: Option<NaiveDate>| {
        d.map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default()
    };
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let table = Table {
            sheet: t(lang, "nav.areas").into(),
            headers: [
                "area.code",
                "area.name",
                "area.valid_from",
                "area.valid_to",
                "area.successor",
            ]
            .iter()
            .map(|k| t(lang, k).to_owned())
            .collect(),
            rows: areas
                .iter()
                .map(|a| {
                    vec![
                        a.code.clone(),
                        a.name.clone(),
                        fmt_date(Some(a.valid_from)),
                        fmt_date(a.valid_to),
                        a.successor_id
                            .and_then(|s| names.get(&s))
                            .cloned()
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        };
        return table.respond(format, "dia-ban");
    }
    let on_value = query.on.clone().unwrap_or_else(|| {
        chrono::Utc::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string()
    });
    let body = html! {
        h1 { (t(lang, "nav.areas")) }
        p.muted { (t(lang, "area.explanation")) }
        form.filters method="get" action="/admin/areas" {
            (Field::text("on", t(lang, "area.in_force_on"), &on_value).kind("date").render(lang, &errors))
            (select(lang, &[], "level", t(lang, "area.level"), &[("province".into(), t(lang, "area.province").into()), ("commune".into(), t(lang, "area.commune").into())], level.code()))
            button type="submit" { (t(lang, "list.filter")) }
        }
        p { a href="/admin/areas?on=2025-06-30" { (t(lang, "area.before_merger")) } " · " a href="/admin/areas" { (t(lang, "area.today")) } }
        (export_links(lang, &format!("/admin/areas?on={}&level={}", on_value, level.code())))
        p { (areas.len()) " " (t(lang, "area.count")) }
        table.list {
            thead { tr { th { (t(lang, "area.code")) } th { (t(lang, "area.name")) } th { (t(lang, "area.valid_from")) } th { (t(lang, "area.valid_to")) } th { (t(lang, "area.successor")) } } }
            tbody {
                @for a in &areas {
                    tr {
                        td { code { (a.code) } } td { (a.name) } td { (fmt_date(Some(a.valid_from))) } td { (fmt_date(a.valid_to)) }
                        td { (a.successor_id.and_then(|s| names.get(&s)).map(String::as_str).unwrap_or("")) }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, t(lang, "nav.areas"), body).into_response())
}

// ----- API keys -----

#[derive(Deserialize, Default)]
pub struct ApiKeyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    user_id: String,
}

async fn api_keys_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageApiKeys)?;
    render_api_keys(
        &state,
        &ctx,
        &ApiKeyForm::default(),
        &[],
        query.token.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn render_api_keys(
    state: &AppState,
    ctx: &SignedIn,
    form: &ApiKeyForm,
    errors: &[FieldError],
    new_token: Option<&str>,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let keys = api_keys::list(&state.db).await?;
    let all_users = users::list(&state.db, &UserFilter::default(), None, EXPORT_LIMIT).await?;
    let names: HashMap<UserId, String> = all_users
        .iter()
        .map(|u| (u.id, u.username.clone()))
        .collect();
    let user_options: Vec<(String, String)> = all_users
        .iter()
        .map(|u| {
            (
                u.id.to_string(),
                format!("{} — {}", u.username, u.full_name),
            )
        })
        .collect();
    let fmt = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(crate::vietnam_time).unwrap_or_else(|| "—".into())
    };
    let body = html! {
        h1 { (t(lang, "nav.api_keys")) }
        @if let Some(token) = new_token {
            div.alert.ok role="status" {
                p { (t(lang, "api_key.shown_once")) }
                p { code.token { (token) } }
            }
        }
        table.list {
            thead { tr { th { (t(lang, "api_key.name")) } th { (t(lang, "api_key.user")) } th { (t(lang, "api_key.prefix")) } th { (t(lang, "api_key.created")) } th { (t(lang, "api_key.last_used")) } th { (t(lang, "user.status")) } th {} } }
            tbody {
                @for k in &keys {
                    tr.disabled[k.revoked_at.is_some()] {
                        td { (k.name) } td { (names.get(&k.user_id).map(String::as_str).unwrap_or("")) } td { code { "vpk_" (k.prefix) "_…" } }
                        td { (fmt(Some(k.created_at))) } td { (fmt(k.last_used_at)) }
                        td { @if k.revoked_at.is_some() { (t(lang, "api_key.revoked")) } @else { (t(lang, "api_key.active")) } }
                        td { @if k.revoked_at.is_none() {
                            form method="post" action={ "/admin/api-keys/" (k.id) "/revoke" } {
                                (csrf_field(ctx))
                                button.danger type="submit" { (t(lang, "api_key.revoke")) }
                            }
                        } }
                    }
                }
            }
        }
        h2 { (t(lang, "api_key.create")) }
        (error_summary(lang, errors))
        form method="post" action="/admin/api-keys" {
            (csrf_field(ctx))
            (Field::text("name", t(lang, "api_key.name"), &form.name).required().render(lang, errors))
            (select(lang, errors, "user_id", t(lang, "api_key.user"), &user_options, &form.user_id))
            p.hint { (t(lang, "api_key.user_hint")) }
            button.primary type="submit" { (t(lang, "api_key.create")) }
        }
    };
    let mut response = (status, page(ctx, t(lang, "nav.api_keys"), body)).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn create_api_key(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<ApiKeyForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageApiKeys)?;
    let mut errors = Vec::new();
    let name = text::required_line(&form.name, 200)
        .map_err(|e| errors.push(text_error("name", e)))
        .ok();
    let user = match parse_optional_id(&form.user_id) {
        Some(id) => users::get(&state.db, UserId(id)).await.ok(),
        None => None,
    };
    if user.is_none() {
        errors.push(FieldError::new("user_id", "form.unknown_value"));
    }
    if let (Some(name), Some(user), true) = (name, user, errors.is_empty()) {
        let token = match api_keys::create(&state.db, &ctx.origin(), &name, user.id).await {
            Ok((_, token)) => token,
            Err(StoreError::Invalid(code)) if code == "user_disabled" => {
                let errors = [FieldError::new("user_id", "api_key.user_disabled")];
                return render_api_keys(
                    &state,
                    &ctx,
                    &form,
                    &errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        // The token is shown once, on this response, and never stored in clear.
        return render_api_keys(
            &state,
            &ctx,
            &ApiKeyForm::default(),
            &[],
            Some(&token),
            StatusCode::CREATED,
        )
        .await;
    }
    render_api_keys(
        &state,
        &ctx,
        &form,
        &errors,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn revoke_api_key(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageApiKeys)?;
    api_keys::revoke(&state.db, &ctx.origin(), ApiKeyId(id)).await?;
    Ok(Redirect::to("/admin/api-keys").into_response())
}

// ----- Audit trail -----

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    before: Option<i64>,
    format: Option<String>,
}

fn audit_rows(records: &[vanphong_core::audit::AuditRecord]) -> Vec<Vec<String>> {
    records
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.occurred_at.clone(),
                e.actor_label.clone(),
                e.source_address.clone(),
                e.action.clone(),
                format!("{}/{}", e.object_kind, e.object_id),
                e.details.clone(),
            ]
        })
        .collect()
}

fn audit_headers(lang: Lang) -> Vec<String> {
    [
        "audit.seq",
        "audit.time",
        "audit.actor",
        "audit.address",
        "audit.action",
        "audit.object",
        "audit.details",
    ]
    .iter()
    .map(|k| t(lang, k).to_owned())
    .collect()
}

fn audit_list(lang: Lang, records: &[vanphong_core::audit::AuditRecord]) -> Markup {
    html! {
        table.list.audit {
            thead { tr { @for h in audit_headers(lang) { th { (h) } } } }
            tbody {
                @for row in audit_rows(records) {
                    tr { @for cell in row { td { (cell) } } }
                }
            }
        }
    }
}

async fn audit_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ViewAuditTrail)?;
    let lang = ctx.lang;
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let records = audit::page(&state.db, query.before, EXPORT_LIMIT).await?;
        let table = Table {
            sheet: t(lang, "nav.audit").into(),
            headers: audit_headers(lang),
            rows: audit_rows(&records),
        };
        return table.respond(format, "nhat-ky");
    }
    let records = audit::page(&state.db, query.before, PAGE_SIZE).await?;
    let next = (records.len() as i64 == PAGE_SIZE)
        .then(|| records.last().map(|r| r.seq.to_string()))
        .flatten();
    let body = html! {
        h1 { (t(lang, "nav.audit")) }
        p.muted { (t(lang, "audit.explanation")) }
        form method="post" action="/admin/audit/verify" {
            (csrf_field(&ctx))
            button type="submit" { (t(lang, "audit.verify")) }
        }
        (export_links(lang, "/admin/audit"))
        (audit_list(lang, &records))
        @if let Some(cursor) = next {
            nav.pager { a href={ "/admin/audit?before=" (cursor) } rel="next" { (t(lang, "list.next_page")) " →" } }
        }
    };
    Ok(page(&ctx, t(lang, "nav.audit"), body).into_response())
}

async fn verify_audit(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    ctx.authorize_agency(Action::ViewAuditTrail)?;
    let lang = ctx.lang;
    let report = audit::verify(&state.db, |_| {}).await?;
    let body = html! {
        h1 { (t(lang, "audit.verify")) }
        @if report.is_intact() {
            div.alert.ok role="status" { (t(lang, "audit.intact")) " (" (report.checked) ")" }
        } @else {
            div.alert.error role="alert" {
                p { (t(lang, "audit.broken")) }
                ul { @for b in &report.breaks { li { (b.to_string()) } } }
            }
        }
        p { a href="/admin/audit" { "← " (t(lang, "nav.audit")) } }
    };
    Ok(page(&ctx, t(lang, "audit.verify"), body).into_response())
}

/// The history of one object. Organisation objects are for administrators; records of
/// later features add their own rule here (the record's own read permission).
async fn history_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path((kind, id)): Path<(String, String)>,
) -> AppResult<Response> {
    match kind.as_str() {
        "user" | "api_key" => ctx.authorize_agency(Action::ManageUsers)?,
        "unit" | "organisation" | "agency" | "position" => {
            ctx.authorize_agency(Action::ManageOrganisation)?
        }
        _ => return Err(AppError::NotFound),
    }
    let lang = ctx.lang;
    let records = audit::history(&state.db, &kind, &id).await?;
    let body = html! {
        h1 { (t(lang, "history.title")) ": " (kind) " " (id) }
        @if records.is_empty() { p.muted { (t(lang, "list.empty")) } } @else { (audit_list(lang, &records)) }
    };
    Ok(page(&ctx, t(lang, "history.title"), body).into_response())
}
