//! The procedure catalogue: the list, an entry with its versions, announcing, amending
//! and abolishing by decision, and the catalogue as an XLSX file to export and import.

use super::{day, money, refusal_key};
use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, field_error, page, select, Field};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use vanphong_core::dossier::procedure::{parse_code, ProcedureInput};
use vanphong_core::dossier::{ProcedureContent, ProcedureLevel};
use vanphong_core::ids::UnitId;
use vanphong_core::permission::Action;
use vanphong_core::text;
use vanphong_store::dossiers::procedures::{self, Decision, ImportRow, Procedure};
use vanphong_store::{org, StoreError};

/// A catalogue file is read whole; a few hundred procedures take well under a megabyte.
const CATALOGUE_LIMIT: usize = 20 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/procedures", get(list_page).post(create))
        .route("/procedures/new", get(new_page))
        .route("/procedures/export.xlsx", get(export))
        .route(
            "/procedures/import",
            post(import).layer(DefaultBodyLimit::max(CATALOGUE_LIMIT)),
        )
        .route("/procedures/{id}", get(procedure_page))
        .route("/procedures/{id}/amend", post(amend))
        .route("/procedures/{id}/abolish", post(abolish))
}

pub fn level_label(lang: Lang, level: &str) -> &'static str {
    t(lang, &format!("procedure_level.{level}"))
}

/// A labelled multi-line field with its error beside it.
pub fn text_area(
    lang: Lang,
    errors: &[FieldError],
    name: &str,
    label: &str,
    value: &str,
    hint: Option<&str>,
) -> Markup {
    let error = field_error(lang, errors, name);
    let id = format!("f-{name}");
    let error_id = format!("e-{name}");
    let focus = errors.first().is_some_and(|e| e.field == name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            textarea id=(id) name=(name) rows="4" autofocus[focus]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.clone())] { (value) }
            @if let Some(hint) = hint { small.hint { (hint) } }
            @if let Some(message) = error { p.error id=(error_id) role="alert" { (message) } }
        }
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    abolished: String,
    imported: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    render_list(
        &state,
        &ctx,
        !query.abolished.is_empty(),
        query.imported.as_deref(),
        &[],
        StatusCode::OK,
    )
    .await
}

async fn render_list(
    state: &AppState,
    ctx: &SignedIn,
    include_abolished: bool,
    imported: Option<&str>,
    import_errors: &[String],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let list = procedures::list(&state.db, include_abolished).await?;
    let manage = ctx.can(Action::ManageOrganisation);
    let body = html! {
        h1 { (t(lang, "procedures.title")) }
        @if let Some(summary) = imported { div.alert.ok role="status" { (t(lang, "procedures.imported")) " " (summary) } }
        @if !import_errors.is_empty() {
            div.alert.error role="alert" {
                p { (t(lang, "procedures.import_refused")) }
                ul { @for e in import_errors { li { (e) } } }
            }
        }
        p {
            @if manage { a.button href="/procedures/new" { (t(lang, "procedures.new")) } " " }
            a href="/procedures/export.xlsx" download { (t(lang, "procedures.export")) }
            " · "
            @if include_abolished { a href="/procedures" { (t(lang, "procedures.hide_abolished")) } }
            @else { a href="/procedures?abolished=1" { (t(lang, "procedures.show_abolished")) } }
        }
        @if list.is_empty() { p.muted { (t(lang, "list.empty")) } } @else {
            table.list {
                thead { tr {
                    th { (t(lang, "procedures.code")) } th { (t(lang, "procedures.name")) } th { (t(lang, "procedures.field")) }
                    th { (t(lang, "procedures.level")) } th { (t(lang, "procedures.processing_days")) } th { (t(lang, "procedures.fee")) }
                    th { (t(lang, "procedures.decision")) }
                } }
                tbody { @for p in &list {
                    tr {
                        td { (p.code) }
                        td { a href={ "/procedures/" (p.id) } { (p.name) } @if p.abolished { " " span.badge { (t(lang, "procedures.abolished")) } } }
                        td { (p.field) } td { (level_label(lang, &p.level)) } td { (p.processing_days) }
                        td { (money(p.fee)) } td { (p.decision) " (" (day(Some(p.decision_date))) ")" }
                    }
                } }
            }
        }
        @if manage {
            h2 { (t(lang, "procedures.import")) }
            form method="post" action={ "/procedures/import?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
                div.field {
                    label for="f-catalogue" { (t(lang, "procedures.import_file")) }
                    input id="f-catalogue" type="file" name="catalogue" accept=".xlsx" required;
                    small.hint { (t(lang, "procedures.import_hint")) }
                }
                button type="submit" { (t(lang, "procedures.import")) }
            }
        }
    };
    Ok((status, page(ctx, t(lang, "procedures.title"), body)).into_response())
}

/// The catalogue form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ProcedureForm {
    #[serde(default)]
    pub(crate) version: i64,
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) field: String,
    #[serde(default)]
    pub(crate) level: String,
    #[serde(default)]
    pub(crate) steps: String,
    #[serde(default)]
    pub(crate) components: String,
    #[serde(default)]
    pub(crate) processing_days: String,
    #[serde(default)]
    pub(crate) applicants: String,
    #[serde(default)]
    pub(crate) implementing_agency: String,
    #[serde(default)]
    pub(crate) result: String,
    #[serde(default)]
    pub(crate) fee: String,
    #[serde(default)]
    pub(crate) fee_note: String,
    #[serde(default)]
    pub(crate) handling_unit_id: String,
    #[serde(default)]
    pub(crate) decision: String,
    #[serde(default)]
    pub(crate) decision_date: String,
}

fn parse_day(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .ok()
}

impl ProcedureForm {
    fn from_version(p: &Procedure, v: &procedures::ProcedureVersion) -> Self {
        let c = v.content();
        Self {
            version: p.version,
            code: p.code.clone(),
            name: c.name.clone(),
            field: c.field.clone(),
            level: c.level.code().into(),
            steps: c.steps.clone(),
            components: c.components_text(),
            processing_days: c.processing_days.to_string(),
            applicants: c.applicants.clone(),
            implementing_agency: c.implementing_agency.clone(),
            result: c.result.clone(),
            fee: c.fee.to_string(),
            fee_note: c.fee_note.clone(),
            handling_unit_id: p
                .handling_unit_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
            decision: String::new(),
            decision_date: String::new(),
        }
    }

    pub(crate) fn content(&self, errors: &mut Vec<FieldError>) -> Option<ProcedureContent> {
        ProcedureContent::parse(&ProcedureInput {
            name: &self.name,
            field: &self.field,
            level: &self.level,
            steps: &self.steps,
            components: &self.components,
            processing_days: &self.processing_days,
            applicants: &self.applicants,
            implementing_agency: &self.implementing_agency,
            result: &self.result,
            fee: &self.fee,
            fee_note: &self.fee_note,
        })
        .map_err(|list| {
            for e in list {
                errors.push(FieldError::new(
                    e.field(),
                    &format!("procedures.invalid_{}", e.field()),
                ));
            }
        })
        .ok()
    }

    pub(crate) fn decision(&self, errors: &mut Vec<FieldError>) -> Option<Decision> {
        let number = text::required_line(&self.decision, 100)
            .map_err(|e| errors.push(crate::error::text_error("decision", e)))
            .ok();
        let date = parse_day(&self.decision_date);
        if date.is_none() {
            errors.push(FieldError::new("decision_date", "form.date_invalid"));
        }
        Some(Decision {
            number: number?,
            date: date?,
        })
    }

    pub(crate) fn handling_unit(&self) -> Option<UnitId> {
        self.handling_unit_id.trim().parse().ok().map(UnitId)
    }
}

async fn unit_options(state: &AppState, lang: Lang) -> AppResult<Vec<(String, String)>> {
    let mut options = vec![(String::new(), t(lang, "procedures.no_unit").to_owned())];
    options.extend(
        org::units(&state.db)
            .await?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id.to_string(), u.name)),
    );
    Ok(options)
}

fn level_options(lang: Lang) -> Vec<(String, String)> {
    ProcedureLevel::ALL
        .iter()
        .map(|l| (l.code().to_owned(), level_label(lang, l.code()).to_owned()))
        .collect()
}

fn content_fields(
    lang: Lang,
    errors: &[FieldError],
    form: &ProcedureForm,
    units: &[(String, String)],
) -> Markup {
    html! {
        (Field::text("name", t(lang, "procedures.name"), &form.name).required().render(lang, errors))
        (Field::text("field", t(lang, "procedures.field"), &form.field).required().render(lang, errors))
        (select(lang, errors, "level", t(lang, "procedures.level"), &level_options(lang), &form.level))
        (text_area(lang, errors, "steps", t(lang, "procedures.steps"), &form.steps, None))
        (text_area(lang, errors, "components", t(lang, "procedures.components"), &form.components, Some(t(lang, "procedures.components_hint"))))
        (Field::text("processing_days", t(lang, "procedures.processing_days"), &form.processing_days).kind("number").required().render(lang, errors))
        (text_area(lang, errors, "applicants", t(lang, "procedures.applicants"), &form.applicants, None))
        (Field::text("implementing_agency", t(lang, "procedures.implementing_agency"), &form.implementing_agency).render(lang, errors))
        (select(lang, errors, "handling_unit_id", t(lang, "procedures.handling_unit"), units, &form.handling_unit_id))
        (text_area(lang, errors, "result", t(lang, "procedures.result"), &form.result, None))
        (Field::text("fee", t(lang, "procedures.fee"), &form.fee).hint(t(lang, "procedures.fee_hint")).render(lang, errors))
        (Field::text("fee_note", t(lang, "procedures.fee_note"), &form.fee_note).render(lang, errors))
        (Field::text("decision", t(lang, "procedures.decision"), &form.decision).required().hint(t(lang, "procedures.decision_hint")).render(lang, errors))
        (Field::text("decision_date", t(lang, "procedures.decision_date"), &form.decision_date).kind("date").required().render(lang, errors))
    }
}

async fn new_page(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let form = ProcedureForm {
        level: "central".into(),
        ..Default::default()
    };
    render_new(&state, &ctx, &form, &[], StatusCode::OK).await
}

async fn render_new(
    state: &AppState,
    ctx: &SignedIn,
    form: &ProcedureForm,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let units = unit_options(state, lang).await?;
    let body = html! {
        h1 { (t(lang, "procedures.new")) }
        (error_summary(lang, errors))
        form method="post" action="/procedures" {
            (csrf_field(ctx))
            (Field::text("code", t(lang, "procedures.code"), &form.code).required().autofocus().hint(t(lang, "procedures.code_hint")).render(lang, errors))
            (content_fields(lang, errors, form, &units))
            button type="submit" { (t(lang, "procedures.announce")) }
        }
    };
    Ok((status, page(ctx, t(lang, "procedures.new"), body)).into_response())
}

async fn create(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(form): Form<ProcedureForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let mut errors = Vec::new();
    let code = parse_code(&form.code)
        .map_err(|_| errors.push(FieldError::new("code", "procedures.invalid_code")))
        .ok();
    let content = form.content(&mut errors);
    let decision = form.decision(&mut errors);
    let (Some(code), Some(content), Some(decision), true) =
        (code, content, decision, errors.is_empty())
    else {
        return render_new(
            &state,
            &ctx,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match procedures::announce(
        &state.db,
        &ctx.origin(),
        &code,
        form.handling_unit(),
        &content,
        &decision,
    )
    .await
    {
        Ok(p) => Ok(Redirect::to(&format!("/procedures/{}?saved=1", p.id)).into_response()),
        Err(e) if e.is_conflict_on("code") => {
            render_new(
                &state,
                &ctx,
                &form,
                &[FieldError::new("code", "procedures.code_taken")],
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(StoreError::Database(_)) => {
            render_new(
                &state,
                &ctx,
                &form,
                &[FieldError::new("handling_unit_id", "form.unknown_value")],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<String>,
}

async fn procedure_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    render_procedure(
        &state,
        &ctx,
        id,
        None,
        &[],
        query.saved.is_some(),
        StatusCode::OK,
    )
    .await
}

async fn render_procedure(
    state: &AppState,
    ctx: &SignedIn,
    id: i64,
    typed: Option<&ProcedureForm>,
    errors: &[FieldError],
    saved: bool,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let p = procedures::get(&state.db, id).await?;
    let versions = procedures::versions(&state.db, id).await?;
    let current = versions
        .iter()
        .find(|v| v.id == p.current_version_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let c = current.content();
    let manage = ctx.can(Action::ManageOrganisation);
    let form = typed
        .cloned()
        .unwrap_or_else(|| ProcedureForm::from_version(&p, &current));
    let units = unit_options(state, lang).await?;
    let unit_name = p
        .handling_unit_id
        .and_then(|u| {
            units
                .iter()
                .find(|(id, _)| *id == u.to_string())
                .map(|(_, n)| n.clone())
        })
        .unwrap_or_default();
    let body = html! {
        h1 { (p.code) " · " (c.name) }
        @if saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        @if p.abolished { div.alert.error { (t(lang, "procedures.abolished_by")) " " (current.decision) " (" (day(Some(current.decision_date))) ")" } }
        (error_summary(lang, errors))
        dl.facts {
            dt { (t(lang, "procedures.field")) } dd { (c.field) }
            dt { (t(lang, "procedures.level")) } dd { (level_label(lang, c.level.code())) }
            dt { (t(lang, "procedures.processing_days")) } dd { (c.processing_days) }
            dt { (t(lang, "procedures.applicants")) } dd { (c.applicants) }
            dt { (t(lang, "procedures.implementing_agency")) } dd { (c.implementing_agency) }
            dt { (t(lang, "procedures.handling_unit")) } dd { (unit_name) }
            dt { (t(lang, "procedures.result")) } dd { (c.result) }
            dt { (t(lang, "procedures.fee")) } dd { (money(c.fee)) " " (c.fee_note) }
        }
        h2 { (t(lang, "procedures.steps")) }
        ol { @for line in c.steps.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } }
        h2 { (t(lang, "procedures.components")) }
        ol { @for comp in &c.components {
            li { (comp.name) @if !comp.form.is_empty() { " (" (comp.form) ")" } @if !comp.required { " — " em { (t(lang, "procedures.optional")) } } }
        } }
        @if !p.abolished && crate::pages::dossiers::works_with_dossiers(ctx) {
            p { a.button href={ "/dossiers/new?procedure_id=" (p.id) } { (t(lang, "dossiers.receive")) } }
        }
        h2 { (t(lang, "procedures.versions")) }
        table.list {
            thead { tr { th { "#" } th { (t(lang, "procedures.change")) } th { (t(lang, "procedures.decision")) } th { (t(lang, "procedures.decision_date")) } th { (t(lang, "procedures.processing_days")) } th { (t(lang, "procedures.fee")) } } }
            tbody { @for v in &versions {
                tr { td { (v.seq) } td { (t(lang, &format!("procedure_change.{}", v.change))) } td { (v.decision) } td { (day(Some(v.decision_date))) } td { (v.processing_days) } td { (money(v.fee)) } }
            } }
        }
        @if manage && !p.abolished {
            h2 { (t(lang, "procedures.amend")) }
            form method="post" action={ "/procedures/" (p.id) "/amend" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(p.version);
                (content_fields(lang, errors, &form, &units))
                button type="submit" { (t(lang, "procedures.amend")) }
            }
            h2 { (t(lang, "procedures.abolish")) }
            form method="post" action={ "/procedures/" (p.id) "/abolish" } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(p.version);
                (Field::text("decision", t(lang, "procedures.decision"), "").required().render(lang, &[]))
                (Field::text("decision_date", t(lang, "procedures.decision_date"), "").kind("date").required().render(lang, &[]))
                button.danger type="submit" { (t(lang, "procedures.abolish")) }
            }
        }
    };
    Ok((status, page(ctx, &c.name, body)).into_response())
}

async fn amend(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ProcedureForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let mut errors = Vec::new();
    let content = form.content(&mut errors);
    let decision = form.decision(&mut errors);
    if let (Some(content), Some(decision), true) = (content, decision, errors.is_empty()) {
        match procedures::amend(
            &state.db,
            &ctx.origin(),
            id,
            form.version,
            form.handling_unit(),
            &content,
            &decision,
        )
        .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/procedures/{id}?saved=1")).into_response()),
            Err(StoreError::Stale) => errors.push(FieldError::new("decision", "form.stale")),
            Err(StoreError::Invalid(code)) => errors.push(FieldError::new(
                "decision_date",
                refusal_key(&code).unwrap_or("form.unknown_value"),
            )),
            Err(StoreError::Database(_)) => {
                errors.push(FieldError::new("handling_unit_id", "form.unknown_value"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    render_procedure(
        &state,
        &ctx,
        id,
        Some(&form),
        &errors,
        false,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn abolish(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ProcedureForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let mut errors = Vec::new();
    if let Some(decision) = form.decision(&mut errors) {
        match procedures::abolish(&state.db, &ctx.origin(), id, form.version, &decision).await {
            Ok(_) => return Ok(Redirect::to(&format!("/procedures/{id}?saved=1")).into_response()),
            Err(StoreError::Stale) => errors.push(FieldError::new("decision", "form.stale")),
            Err(StoreError::Invalid(code)) => errors.push(FieldError::new(
                "decision_date",
                refusal_key(&code).unwrap_or("dossiers.procedure_abolished"),
            )),
            Err(e) => return Err(e.into()),
        }
    }
    render_procedure(
        &state,
        &ctx,
        id,
        None,
        &errors,
        false,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The columns of the catalogue file, in order: the header is Vietnamese, as clerks use it.
const COLUMNS: [&str; 15] = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Trình tự thực hiện",
    "Thành phần hồ sơ",
    "Thời hạn giải quyết (ngày làm việc)",
    "Đối tượng thực hiện",
    "Cơ quan thực hiện",
    "Đơn vị xử lý",
    "Kết quả thực hiện",
    "Phí, lệ phí (đồng)",
    "Ghi chú phí",
    "Quyết định công bố",
    "Ngày quyết định",
];

async fn export(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    let _ = &ctx;
    let units = org::units(&state.db).await?;
    let mut rows = Vec::new();
    for p in procedures::list(&state.db, false).await? {
        let v = procedures::version(&state.db, p.current_version_id).await?;
        let c = v.content();
        let unit = p
            .handling_unit_id
            .and_then(|id| units.iter().find(|u| u.id.0 == id))
            .map(|u| u.abbreviation.clone())
            .unwrap_or_default();
        rows.push(vec![
            p.code.clone(),
            c.name.clone(),
            c.field.clone(),
            t(Lang::Vi, &format!("procedure_level.{}", c.level.code())).to_owned(),
            c.steps.clone(),
            c.components_text(),
            c.processing_days.to_string(),
            c.applicants.clone(),
            c.implementing_agency.clone(),
            unit,
            c.result.clone(),
            c.fee.to_string(),
            c.fee_note.clone(),
            v.decision.clone(),
            v.decision_date.format("%Y-%m-%d").to_string(),
        ]);
    }
    crate::export::Table {
        sheet: "Thủ tục hành chính".into(),
        headers: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows,
    }
    .respond(crate::export::Format::Xlsx, "thu-tuc-hanh-chinh")
}

/// Reads the catalogue file: every row parsed, every error named with its row.
pub fn read_catalogue(bytes: Vec<u8>, units: &[org::Unit]) -> Result<Vec<ImportRow>, Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|_| vec![t(Lang::Vi, "procedures.not_xlsx").to_owned()])?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        _ => return Err(vec![t(Lang::Vi, "procedures.not_xlsx").to_owned()]),
    };
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| text::normalize(&c.to_string())).collect())
        .unwrap_or_default();
    let position = |name: &str| header.iter().position(|h| h == name);
    let positions: Vec<Option<usize>> = COLUMNS.iter().map(|c| position(c)).collect();
    let missing: Vec<String> = COLUMNS
        .iter()
        .zip(&positions)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| format!("{}: {c}", t(Lang::Vi, "procedures.missing_column")))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let cell = |row: &[Data], i: usize| -> String {
        match positions[i].and_then(|p| row.get(p)) {
            Some(Data::DateTime(d)) => d
                .as_datetime()
                .map(|d| d.date().format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
            Some(c) => c.to_string(),
            None => String::new(),
        }
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (index, row) in rows.enumerate() {
        let line = index + 2;
        let values: Vec<String> = (0..COLUMNS.len()).map(|i| cell(row, i)).collect();
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let level = ProcedureLevel::ALL
            .iter()
            .find(|l| {
                let v = values[3].trim();
                v == l.code() || v == t(Lang::Vi, &format!("procedure_level.{}", l.code()))
            })
            .map(|l| l.code())
            .unwrap_or("");
        let mut problem =
            |field: &str| errors.push(format!("{} {line}: {field}", t(Lang::Vi, "procedures.row")));
        let code = parse_code(&values[0]).map_err(|_| problem(COLUMNS[0])).ok();
        let content = ProcedureContent::parse(&ProcedureInput {
            name: &values[1],
            field: &values[2],
            level,
            steps: &values[4],
            components: &values[5],
            processing_days: &values[6],
            applicants: &values[7],
            implementing_agency: &values[8],
            result: &values[10],
            fee: &values[11],
            fee_note: &values[12],
        });
        let content = match content {
            Ok(c) => Some(c),
            Err(list) => {
                for e in list {
                    let column = match e.field() {
                        "name" => COLUMNS[1],
                        "field" => COLUMNS[2],
                        "level" => COLUMNS[3],
                        "steps" => COLUMNS[4],
                        "components" => COLUMNS[5],
                        "processing_days" => COLUMNS[6],
                        "applicants" => COLUMNS[7],
                        "implementing_agency" => COLUMNS[8],
                        "result" => COLUMNS[10],
                        "fee" => COLUMNS[11],
                        _ => COLUMNS[12],
                    };
                    problem(column);
                }
                None
            }
        };
        let unit_text = values[9].trim();
        let handling_unit = if unit_text.is_empty() {
            Some(None)
        } else {
            units
                .iter()
                .find(|u| u.abbreviation == unit_text || u.name == unit_text)
                .map(|u| Some(u.id))
        };
        if handling_unit.is_none() {
            problem(COLUMNS[9]);
        }
        let number = text::required_line(&values[13], 100)
            .map_err(|_| problem(COLUMNS[13]))
            .ok();
        let date = parse_day(&values[14]);
        if date.is_none() {
            problem(COLUMNS[14]);
        }
        if let (Some(code), Some(content), Some(handling_unit), Some(number), Some(date)) =
            (code, content, handling_unit, number, date)
        {
            if out.iter().any(|r: &ImportRow| r.code == code) {
                errors.push(format!(
                    "{} {line}: {} {code}",
                    t(Lang::Vi, "procedures.row"),
                    t(Lang::Vi, "procedures.code_twice")
                ));
                continue;
            }
            out.push(ImportRow {
                code,
                handling_unit,
                content,
                decision: Decision { number, date },
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if out.is_empty() {
        return Err(vec![t(Lang::Vi, "procedures.import_empty").to_owned()]);
    }
    Ok(out)
}

async fn import(
    State(state): State<AppState>,
    ctx: SignedIn,
    mut multipart: Multipart,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let mut bytes = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("malformed_multipart"))?
    {
        if field.name() == Some("catalogue") {
            let data = field.bytes().await.map_err(|_| AppError::TooLarge {
                limit: CATALOGUE_LIMIT as u64,
            })?;
            bytes = Some(data.to_vec());
        } else {
            let _ = field.bytes().await;
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        let errors = [t(ctx.lang, "procedures.not_xlsx").to_owned()];
        return render_list(
            &state,
            &ctx,
            false,
            None,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let units = org::units(&state.db).await?;
    let rows = match tokio::task::spawn_blocking(move || read_catalogue(bytes, &units))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
    {
        Ok(rows) => rows,
        Err(errors) => {
            return render_list(
                &state,
                &ctx,
                false,
                None,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match procedures::import(&state.db, &ctx.origin(), &rows).await {
        Ok(s) => Ok(Redirect::to(&format!(
            "/procedures?imported={}%2F{}%2F{}",
            s.announced, s.amended, s.unchanged
        ))
        .into_response()),
        Err(StoreError::Invalid(code)) => {
            let message = t(
                ctx.lang,
                refusal_key(&code).unwrap_or("procedures.import_refused"),
            )
            .to_owned();
            render_list(
                &state,
                &ctx,
                false,
                None,
                &[message],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
