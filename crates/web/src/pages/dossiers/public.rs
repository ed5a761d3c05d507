//! The public side of the one-stop desk, for citizens and businesses without an account:
//! the catalogue, online submission with files, and the tracking page (the dossier code
//! and the last digits of the phone number), where supplementation is answered and the
//! service rated. The public rate limit of the context middleware applies to all of it;
//! the tracking page gives the same answer for an unknown code and a wrong phone number.

use super::desk::{check_components, parse_applicant};
use super::{day, money, read_upload, refusal_key, status_label, timeliness_label, UploadedForm};
use crate::context::RequestContext;
use crate::error::{AppResult, FieldError};
use crate::i18n::t;
use crate::layout::{csrf_field, error_summary, page, select, Field};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use maud::html;
use serde::Deserialize;
use subtle::ConstantTimeEq;
use vanphong_core::dossier::{self, Channel, DossierCode, DossierStatus};
use vanphong_store::dossiers::{self, procedures, Dossier, NewDossier};
use vanphong_store::StoreError;

/// The most one public request may carry: a dossier's files together.
const PUBLIC_UPLOAD_LIMIT: usize = 100 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        // A whole dossier from the public, its files streamed to the blob store (which limits
        // each file); the request as a whole is bounded too.
        .route(
            "/public/dossiers",
            get(catalogue)
                .post(submit)
                .layer(DefaultBodyLimit::max(PUBLIC_UPLOAD_LIMIT)),
        )
        .route("/public/dossiers/new", get(new_page))
        .route("/public/tracking", get(tracking_page).post(track))
        .route(
            "/public/tracking/supplement",
            post(supplement).layer(DefaultBodyLimit::max(PUBLIC_UPLOAD_LIMIT)),
        )
        .route("/public/tracking/rate", post(rate))
}

async fn catalogue(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let lang = ctx.lang;
    let list = procedures::list(&state.db, false).await?;
    let body = html! {
        h1 { (t(lang, "public.title")) }
        p { (t(lang, "public.intro")) " " a href="/public/tracking" { (t(lang, "public.tracking")) } }
        table.list {
            thead { tr { th { (t(lang, "procedures.code")) } th { (t(lang, "procedures.name")) } th { (t(lang, "procedures.processing_days")) } th { (t(lang, "procedures.fee")) } th {} } }
            tbody { @for p in &list {
                tr { td { (p.code) } td { (p.name) } td { (p.processing_days) } td { (money(p.fee)) }
                     td { a href={ "/public/dossiers/new?procedure_id=" (p.id) } { (t(lang, "public.submit_online")) } } }
            } }
        }
    };
    Ok(page(&ctx, t(lang, "public.title"), body).into_response())
}

#[derive(Deserialize, Default)]
struct NewQuery {
    procedure_id: Option<String>,
}

async fn new_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    let id = query.procedure_id.and_then(|p| p.trim().parse().ok());
    render_new(
        &state,
        &ctx,
        id,
        &UploadedForm::default(),
        &[],
        StatusCode::OK,
    )
    .await
}

async fn render_new(
    state: &AppState,
    ctx: &RequestContext,
    procedure_id: Option<i64>,
    form: &UploadedForm,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let list = procedures::list(&state.db, false).await?;
    let Some(p) = procedure_id.and_then(|id| list.iter().find(|p| p.id == id)) else {
        let body = html! {
            h1 { (t(lang, "public.submit_online")) }
            p.error role="alert" { (t(lang, "dossiers.unknown_procedure")) }
            p { a href="/public/dossiers" { (t(lang, "public.title")) } }
        };
        return Ok((
            StatusCode::NOT_FOUND,
            page(ctx, t(lang, "public.submit_online"), body),
        )
            .into_response());
    };
    let v = procedures::version(&state.db, p.current_version_id).await?;
    let body = html! {
        h1 { (t(lang, "public.submit_online")) }
        h2 { (p.name) }
        p.muted { (t(lang, "procedures.processing_days")) ": " (v.processing_days) " · " (t(lang, "procedures.fee")) ": " (money(v.fee)) }
        (error_summary(lang, errors))
        form #online method="post" action={ "/public/dossiers?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
            (csrf_field(ctx))
            input type="hidden" name="procedure_id" value=(p.id);
            (Field::text("applicant_name", t(lang, "dossiers.applicant"), form.get("applicant_name")).required().autofocus().autocomplete("name").render(lang, errors))
            (Field::text("applicant_id_number", t(lang, "dossiers.id_number"), form.get("applicant_id_number")).render(lang, errors))
            (Field::text("applicant_phone", t(lang, "dossiers.phone"), form.get("applicant_phone")).kind("tel").required().autocomplete("tel").hint(t(lang, "public.phone_hint")).render(lang, errors))
            (Field::text("applicant_email", t(lang, "dossiers.email"), form.get("applicant_email")).kind("email").autocomplete("email").render(lang, errors))
            (Field::text("applicant_address", t(lang, "dossiers.address"), form.get("applicant_address")).autocomplete("street-address").render(lang, errors))
            (Field::text("subject", t(lang, "dossiers.subject"), form.get("subject")).hint(t(lang, "dossiers.subject_hint")).render(lang, errors))
            fieldset {
                legend { (t(lang, "dossiers.checklist")) }
                p.hint { (t(lang, "public.files_hint")) }
                @for (i, c) in v.components().iter().enumerate() {
                    @let name = format!("file_{i}");
                    @let error = crate::layout::field_error(lang, errors, &name);
                    div.field.invalid[error.is_some()] {
                        label for=(format!("f-{name}")) { (c.name) @if !c.form.is_empty() { " (" (c.form) ")" } @if c.required { span.req aria-hidden="true" { " *" } } }
                        input id=(format!("f-{name}")) type="file" name=(name) accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx" required[c.required];
                        @if let Some(message) = error { p.error role="alert" { (message) } }
                    }
                }
                @let files_error = crate::layout::field_error(lang, errors, "files");
                div.field.invalid[files_error.is_some()] {
                    label for="f-files" { (t(lang, "dossiers.other_files")) }
                    input #f-files type="file" name="files" multiple accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx";
                    @if let Some(message) = files_error { p.error role="alert" { (message) } }
                }
            }
            button type="submit" { (t(lang, "public.send")) }
        }
    };
    Ok((status, page(ctx, t(lang, "public.submit_online"), body)).into_response())
}

async fn submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    multipart: Multipart,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let form = read_upload(&state, multipart).await?;
    let mut errors = form.errors.clone();
    let procedure_id: Option<i64> = form.get("procedure_id").trim().parse().ok();
    let list = procedures::list(&state.db, false).await?;
    let Some(p) = procedure_id.and_then(|id| list.into_iter().find(|p| p.id == id)) else {
        return render_new(&state, &ctx, None, &form, &errors, StatusCode::NOT_FOUND).await;
    };
    let applicant = parse_applicant(&form, &mut errors);
    let v = procedures::version(&state.db, p.current_version_id).await?;
    // Online, every required component comes as a file.
    check_components(&v.components(), &[], &form.files, &mut errors);
    let (Some(applicant), true) = (applicant, errors.is_empty()) else {
        return render_new(
            &state,
            &ctx,
            Some(p.id),
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let calendar = state.calendar().await?;
    let new = NewDossier {
        procedure_id: p.id,
        channel: Channel::Online,
        applicant_name: applicant.name,
        applicant_id_number: applicant.id_number,
        applicant_phone: applicant.phone,
        applicant_email: applicant.email,
        applicant_address: applicant.address,
        subject: applicant.subject,
        submitted_on: crate::vietnam_today(),
        provided: Vec::new(),
        files: form.files.clone(),
        reception: None,
    };
    let d = match dossiers::submit(&state.db, &ctx.origin(), &calendar, &new).await {
        Ok(d) => d,
        Err(StoreError::Invalid(code)) if refusal_key(&code).is_some() => {
            let errors = [FieldError::new(
                "procedure_id",
                refusal_key(&code).unwrap_or_default(),
            )];
            return render_new(
                &state,
                &ctx,
                Some(p.id),
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let body = html! {
        h1 { (t(lang, "public.received")) }
        p { (t(lang, "public.your_code")) }
        p.lead { strong #dossier-code { (d.code) } }
        p { (t(lang, "public.keep_code")) }
        p { a href="/public/tracking" { (t(lang, "public.tracking")) } }
    };
    Ok((
        StatusCode::CREATED,
        page(&ctx, t(lang, "public.received"), body),
    )
        .into_response())
}

#[derive(Deserialize, Default, Clone)]
struct TrackForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    phone_tail: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    note: String,
}

async fn tracking_page(ctx: RequestContext) -> AppResult<Response> {
    render_tracking(&ctx, &TrackForm::default(), None, &[], StatusCode::OK).await
}

/// Finds the dossier only when the code exists and the phone check matches; otherwise the
/// same "not found" whatever was wrong.
async fn find(state: &AppState, form: &TrackForm) -> AppResult<Option<Dossier>> {
    let Ok(code) = DossierCode::parse(&form.code) else {
        return Ok(None);
    };
    let tail: String = form
        .phone_tail
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let found = dossiers::by_code(&state.db, &code.to_string()).await?;
    // Compared whole and in constant time, against a fixed string when there is no dossier.
    let expected = found
        .as_ref()
        .map(|d| d.phone_tail.clone())
        .unwrap_or_else(|| "----".into());
    let matches = tail.len() >= 4 && bool::from(tail.as_bytes().ct_eq(expected.as_bytes()));
    Ok(found.filter(|_| matches))
}

async fn render_tracking(
    ctx: &RequestContext,
    form: &TrackForm,
    found: Option<(&Dossier, &[dossiers::Event])>,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let body = html! {
        h1 { (t(lang, "public.tracking")) }
        (error_summary(lang, errors))
        @for e in errors.iter().filter(|e| e.field == "code") { p.error role="alert" id="not-found" { (t(lang, &e.key)) } }
        @for e in errors.iter().filter(|e| e.field != "code") { p.error role="alert" { (t(lang, &e.key)) } }
        form method="post" action="/public/tracking" {
            (csrf_field(ctx))
            (Field::text("code", t(lang, "dossiers.code"), &form.code).required().hint("000.00.00.G12-201217-0001").render(lang, &[]))
            (Field::text("phone_tail", t(lang, "public.phone_tail"), &form.phone_tail).required().kind("text").render(lang, &[]))
            button type="submit" { (t(lang, "public.look_up")) }
        }
        @if let Some((d, events)) = found {
            section #dossier {
                h2 { (d.code) }
                dl.facts {
                    dt { (t(lang, "dossiers.procedure")) } dd { (d.procedure_name) }
                    dt { (t(lang, "dossiers.status")) } dd #status { (status_label(lang, d.status())) @if let Some(x) = &d.timeliness { " · " (timeliness_label(lang, Some(x))) } }
                    dt { (t(lang, "dossiers.submitted_on")) } dd { (day(Some(d.submitted_on))) }
                    @if d.due_date.is_some() { dt { (t(lang, "dossiers.appointment")) } dd { (day(d.apology_date.or(d.due_date))) } }
                    @if !d.refusal_reason.is_empty() { dt { (t(lang, "dossiers.refusal_reason")) } dd { (d.refusal_reason) } }
                }
                @if d.status() == DossierStatus::Processed {
                    p.alert.ok #result-ready role="status" { (t(lang, "public.result_ready")) }
                }
                @if d.status().clock_stopped() && d.status() != DossierStatus::SupplementationRequested {
                    p.muted #clock-stopped { (t(lang, "public.clock_stopped")) }
                }
                ol.timeline { @for e in events {
                    li { (day(Some(e.occurred_on))) " — " (t(lang, &format!("dossier_action.{}", e.action))) @if !e.note.is_empty() { ": " (e.note) } }
                } }
                @if d.status() == DossierStatus::SupplementationRequested {
                    h3 { (t(lang, "public.supplement")) }
                    p { (d.supplementation_note) }
                    form method="post" action={ "/public/tracking/supplement?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
                        input type="hidden" name="code" value=(d.code);
                        input type="hidden" name="phone_tail" value=(form.phone_tail);
                        div.field { label for="f-files" { (t(lang, "dossiers.supplement_files")) } input #f-files type="file" name="files" multiple required accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx"; }
                        button type="submit" { (t(lang, "public.send_supplement")) }
                    }
                }
                @if matches!(d.status(), DossierStatus::ResultReturned | DossierStatus::Refused) && d.rating.is_none() {
                    h3 { (t(lang, "dossiers.rating")) }
                    form method="post" action="/public/tracking/rate" {
                        (csrf_field(ctx))
                        input type="hidden" name="code" value=(d.code);
                        input type="hidden" name="phone_tail" value=(form.phone_tail);
                        (select(lang, errors, "rating", t(lang, "dossiers.rating"), &(1..=5).rev().map(|r| (r.to_string(), t(lang, &format!("rating.{r}")).to_owned())).collect::<Vec<_>>(), "5"))
                        (Field::text("note", t(lang, "dossiers.note"), "").render(lang, errors))
                        button type="submit" { (t(lang, "dossiers.record_rating")) }
                    }
                }
            }
        }
    };
    Ok((status, page(ctx, t(lang, "public.tracking"), body)).into_response())
}

async fn show(
    state: &AppState,
    ctx: &RequestContext,
    form: &TrackForm,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    match find(state, form).await? {
        Some(d) => {
            let events = dossiers::events(&state.db, d.id).await?;
            render_tracking(ctx, form, Some((&d, &events)), errors, status).await
        }
        None => {
            let errors = [FieldError::new("code", "public.not_found")];
            render_tracking(ctx, form, None, &errors, StatusCode::NOT_FOUND).await
        }
    }
}

async fn track(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<TrackForm>,
) -> AppResult<Response> {
    show(&state, &ctx, &form, &[], StatusCode::OK).await
}

async fn supplement(
    State(state): State<AppState>,
    ctx: RequestContext,
    multipart: Multipart,
) -> AppResult<Response> {
    let upload = read_upload(&state, multipart).await?;
    let form = TrackForm {
        code: upload.get("code").to_owned(),
        phone_tail: upload.get("phone_tail").to_owned(),
        ..Default::default()
    };
    let Some(d) = find(&state, &form).await? else {
        return show(&state, &ctx, &form, &[], StatusCode::NOT_FOUND).await;
    };
    let mut errors = upload.errors.clone();
    if upload.files.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("files", "public.files_required"));
    }
    if errors.is_empty() {
        let calendar = state.calendar().await?;
        match dossiers::resubmit(
            &state.db,
            &ctx.origin(),
            &calendar,
            d.id,
            None,
            &upload.files,
            "",
            crate::vietnam_today(),
        )
        .await
        {
            Ok(_) => return show(&state, &ctx, &form, &[], StatusCode::OK).await,
            Err(StoreError::Invalid(code)) => errors.push(FieldError::new(
                "files",
                refusal_key(&code).unwrap_or("dossiers.transition_refused"),
            )),
            Err(e) => return Err(e.into()),
        }
    }
    show(
        &state,
        &ctx,
        &form,
        &errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn rate(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<TrackForm>,
) -> AppResult<Response> {
    let Some(d) = find(&state, &form).await? else {
        return show(&state, &ctx, &form, &[], StatusCode::NOT_FOUND).await;
    };
    let rating = form.rating.trim().parse::<i64>().unwrap_or(0);
    let note: String = vanphong_core::text::normalize(&form.note)
        .chars()
        .take(1000)
        .collect();
    let mut errors = Vec::new();
    match dossiers::rate(
        &state.db,
        &ctx.origin(),
        d.id,
        rating,
        &note,
        crate::vietnam_today(),
    )
    .await
    {
        Ok(_) => {}
        Err(StoreError::Invalid(code)) => errors.push(FieldError::new(
            "rating",
            refusal_key(&code).unwrap_or("dossiers.rating_refused"),
        )),
        Err(e) => return Err(e.into()),
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    show(&state, &ctx, &form, &errors, status).await
}

/// Used by the tests: the phone check the tracking page asks for.
pub fn phone_check(phone: &str) -> String {
    dossier::phone_tail(phone)
}
