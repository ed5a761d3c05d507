//! Taking reports: the operator's form for a phone call (keyboard first, the caller in a
//! protected section), the press and social-media form, the public web form (no account,
//! rate-limited, with a honeypot) and the public tracking page. The operator may ask for
//! likely duplicates on the form and add the report to an existing case before recording it.

use super::{
    access, kind_label, parse_report, read_form, stamp, status_label, Intake, Places, ReportFields,
};
use crate::context::{RequestContext, SignedIn};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, field_error, page, Field};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use vanphong_core::hotline::attributes;
use vanphong_core::hotline::duplicates::Candidate;
use vanphong_core::hotline::{CaseStatus, PollutionKind, TrackingCode};
use vanphong_core::ids::CaseId;
use vanphong_store::hotline;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hotline/new", get(operator_form))
        .route("/hotline/press/new", get(press_form))
        .route(
            "/hotline/reports",
            post(take_report).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/hotline/report",
            get(public_form)
                .post(public_submit)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/hotline/track", get(track))
}

fn textarea(
    lang: Lang,
    errors: &[FieldError],
    name: &str,
    label: &str,
    value: &str,
    rows: u32,
    required: bool,
) -> Markup {
    let error = field_error(lang, errors, name);
    let id = format!("f-{name}");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) @if required { span.req aria-hidden="true" { " *" } } }
            textarea id=(id) name=(name) rows=(rows) required[required]
                autofocus[errors.first().is_some_and(|e| e.field == name)]
                aria-invalid=[error.map(|_| "true")] { (value) }
            @if let Some(message) = error { p.error role="alert" { (message) } }
        }
    }
}

fn choice(
    lang: Lang,
    errors: &[FieldError],
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    required: bool,
) -> Markup {
    let error = field_error(lang, errors, name);
    let id = format!("f-{name}");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) @if required { span.req aria-hidden="true" { " *" } } }
            select id=(id) name=(name) required[required] aria-invalid=[error.map(|_| "true")]
                autofocus[errors.first().is_some_and(|e| e.field == name)] {
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
            @if let Some(message) = error { p.error role="alert" { (message) } }
        }
    }
}

/// The fields every report form shares: what, when, where, how serious, evidence.
fn report_fields(
    lang: Lang,
    places: &Places,
    fields: &ReportFields,
    errors: &[FieldError],
    focus_kind: bool,
) -> Markup {
    let kinds: Vec<(String, String)> =
        std::iter::once((String::new(), t(lang, "form.choose").to_owned()))
            .chain(
                PollutionKind::ALL
                    .iter()
                    .map(|k| (k.code().to_owned(), kind_label(lang, *k).to_owned())),
            )
            .collect();
    let provinces: Vec<(String, String)> =
        std::iter::once((String::new(), t(lang, "form.choose").to_owned()))
            .chain(
                places
                    .provinces
                    .iter()
                    .map(|a| (a.id.to_string(), a.name.clone())),
            )
            .collect();
    let kind = PollutionKind::parse(fields.get("kind")).unwrap_or(PollutionKind::Other);
    let definitions = attributes::definitions(kind);
    let signs = definitions
        .iter()
        .find(|a| a.code == "signs")
        .map(|a| a.values.clone())
        .unwrap_or_default();
    let onset = fields.get("onset");
    let severity = fields.get("severity");
    html! {
        fieldset {
            legend { (t(lang, "hotline.what")) }
            div.field.invalid[field_error(lang, errors, "kind").is_some()] {
                label for="f-kind" { (t(lang, "hotline.kind")) span.req aria-hidden="true" { " *" } }
                select id="f-kind" name="kind" required autofocus[focus_kind && errors.is_empty() || errors.first().is_some_and(|e| e.field == "kind")] accesskey="k" {
                    @for (value, text) in &kinds { option value=(value) selected[value == fields.get("kind")] { (text) } }
                }
                @if let Some(m) = field_error(lang, errors, "kind") { p.error role="alert" { (m) } }
            }
            (textarea(lang, errors, "description", t(lang, "hotline.description"), fields.get("description"), 6, true))
            (choice(lang, errors, "onset", t(lang, "hotline.onset"), &[
                ("sudden".into(), t(lang, "hotline.onset.sudden").into()),
                ("continuous".into(), t(lang, "hotline.onset.continuous").into()),
            ], if onset.is_empty() { "sudden" } else { onset }, true))
            (choice(lang, errors, "severity", t(lang, "hotline.severity"), &[
                (String::new(), t(lang, "form.choose").into()),
                ("minor".into(), t(lang, "hotline.severity.minor").into()),
                ("serious".into(), t(lang, "hotline.severity.serious").into()),
                ("very_serious".into(), t(lang, "hotline.severity.very_serious").into()),
            ], severity, false))
            fieldset.field.invalid[field_error(lang, errors, "signs").is_some()] {
                legend { (t(lang, "hotline.signs")) }
                @for (key, vi, en) in &signs {
                    label.inline { input type="checkbox" name="signs" value=(key) checked[fields.all("signs").iter().any(|s| s == key)]; " " (if lang == Lang::En { *en } else { *vi }) }
                }
                @if let Some(m) = field_error(lang, errors, "signs") { p.error role="alert" { (m) } }
            }
            (Field::text("observed_at", t(lang, "hotline.observed_at"), fields.get("observed_at")).kind("datetime-local").render(lang, errors))
            (Field::text("polluter", t(lang, "hotline.polluter"), fields.get("polluter")).render(lang, errors))
            (Field::text("affected_people", t(lang, "hotline.affected_people"), fields.get("affected_people")).kind("number").render(lang, errors))
            (textarea(lang, errors, "extent", t(lang, "hotline.extent"), fields.get("extent"), 2, false))
        }
        fieldset {
            legend { (t(lang, "hotline.where")) }
            (choice(lang, errors, "province_id", t(lang, "hotline.province"), &provinces, fields.get("province_id"), false))
            div.field.invalid[field_error(lang, errors, "commune_id").is_some()] {
                label for="f-commune_id" { (t(lang, "hotline.commune")) }
                select id="f-commune_id" name="commune_id" {
                    option value="" { (t(lang, "form.choose")) }
                    @for province in &places.provinces {
                        optgroup label=(province.name) {
                            @for commune in places.communes.iter().filter(|c| c.parent_id == Some(province.id)) {
                                option value=(commune.id) selected[commune.id.to_string() == fields.get("commune_id")] { (commune.name) }
                            }
                        }
                    }
                }
                @if let Some(m) = field_error(lang, errors, "commune_id") { p.error role="alert" { (m) } }
            }
            (Field::text("address", t(lang, "hotline.address"), fields.get("address")).render(lang, errors))
            div.row {
                (Field::text("latitude", t(lang, "hotline.latitude"), fields.get("latitude")).hint(t(lang, "hotline.coordinates_hint")).render(lang, errors))
                (Field::text("longitude", t(lang, "hotline.longitude"), fields.get("longitude")).render(lang, errors))
            }
            small.hint { (t(lang, "hotline.location_hint")) }
        }
        div.field.invalid[field_error(lang, errors, "evidence").is_some()] {
            label for="f-evidence" { (t(lang, "hotline.evidence")) }
            input id="f-evidence" type="file" name="evidence" multiple accept=".jpg,.jpeg,.png,.webp,.gif,.mp4,.mp3,.pdf,.doc,.docx,.txt";
            small.hint { (t(lang, "hotline.evidence_hint")) }
            @if let Some(m) = field_error(lang, errors, "evidence") { p.error role="alert" { (m) } }
        }
        (textarea(lang, errors, "other_information", t(lang, "hotline.other_information"), fields.get("other_information"), 2, false))
    }
}

/// The caller's details: the protected part, visible to hotline operators only.
fn reporter_fields(
    lang: Lang,
    fields: &ReportFields,
    errors: &[FieldError],
    focus: bool,
) -> Markup {
    html! {
        fieldset.protected {
            legend { (t(lang, "hotline.reporter")) }
            p.hint { (t(lang, "hotline.reporter_protected")) }
            (Field::text("reporter_name", t(lang, "hotline.reporter_name"), fields.get("reporter_name")).autofocus_if(focus).autocomplete("off").render(lang, errors))
            (Field::text("reporter_phone", t(lang, "hotline.reporter_phone"), fields.get("reporter_phone")).kind("tel").render(lang, errors))
            (Field::text("reporter_email", t(lang, "hotline.reporter_email"), fields.get("reporter_email")).kind("email").render(lang, errors))
            (Field::text("reporter_address", t(lang, "hotline.reporter_address"), fields.get("reporter_address")).render(lang, errors))
        }
    }
}

trait AutofocusIf {
    fn autofocus_if(self, focus: bool) -> Self;
}

impl AutofocusIf for Field<'_> {
    fn autofocus_if(self, focus: bool) -> Self {
        if focus {
            self.autofocus()
        } else {
            self
        }
    }
}

async fn render_operator(
    state: &AppState,
    ctx: &RequestContext,
    intake: Intake,
    fields: &ReportFields,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    render_operator_with(state, ctx, intake, fields, errors, None, status).await
}

/// The case to join, as the operator chose it on the form: a suggestion or a number typed.
fn chosen_case(fields: &ReportFields) -> &str {
    let picked = fields.get("join_case");
    if picked.is_empty() {
        fields.get("join_case_number").trim()
    } else {
        picked
    }
}

/// The duplicates part of the intake form: the cases suggested for what was typed (after
/// the operator asked for them), each to choose, a new case by default, and a field for a
/// case number the operator knows.
fn duplicates_fields(
    lang: Lang,
    fields: &ReportFields,
    errors: &[FieldError],
    suggestions: Option<&[hotline::Suggestion]>,
) -> Markup {
    let picked = fields.get("join_case");
    html! {
        fieldset #duplicates {
            legend { (t(lang, "hotline.duplicates_on_intake")) }
            @match suggestions {
                Some([]) => { p.muted #no-duplicates { (t(lang, "hotline.no_duplicates")) } }
                Some(list) => {
                    p.hint { (t(lang, "hotline.duplicates_choose_hint")) }
                    div.field {
                        label.inline { input type="radio" name="join_case" value="" checked[picked.is_empty()]; " " (t(lang, "hotline.new_case")) }
                        @for s in list {
                            label.inline {
                                input type="radio" name="join_case" value=(s.case_id) checked[picked == s.case_id.to_string()];
                                " #" (s.case_id) " " (s.title) " · " (status_label(lang, s.status)) " · " (crate::vietnam_time(s.received_at))
                            }
                        }
                    }
                }
                None => { p.hint { (t(lang, "hotline.duplicates_hint")) } }
            }
            button type="submit" name="check_duplicates" value="1" formnovalidate accesskey="d" { (t(lang, "hotline.check_duplicates")) }
            (Field::text("join_case_number", t(lang, "hotline.join_case_number"), fields.get("join_case_number")).kind("number").hint(t(lang, "hotline.join_case_number_hint")).render(lang, errors))
        }
    }
}

async fn render_operator_with(
    state: &AppState,
    ctx: &RequestContext,
    intake: Intake,
    fields: &ReportFields,
    errors: &[FieldError],
    suggestions: Option<&[hotline::Suggestion]>,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let places = Places::load(state).await?;
    let (title, channels): (&str, Vec<(String, String)>) = match intake {
        Intake::Press => (
            t(lang, "hotline.press_title"),
            ["press", "social_media"]
                .iter()
                .map(|c| {
                    (
                        c.to_string(),
                        t(lang, &format!("hotline.channel.{c}")).to_owned(),
                    )
                })
                .collect(),
        ),
        _ => (
            t(lang, "hotline.intake_title"),
            ["phone", "sms", "email", "web"]
                .iter()
                .map(|c| {
                    (
                        c.to_string(),
                        t(lang, &format!("hotline.channel.{c}")).to_owned(),
                    )
                })
                .collect(),
        ),
    };
    let channel = fields.get("channel");
    let body = html! {
        h1 { (title) }
        p.muted { (t(lang, "hotline.keyboard_hint")) }
        (error_summary(lang, errors))
        form.hotline-intake method="post" action={ "/hotline/reports?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
            (csrf_field(ctx))
            input type="hidden" name="intake" value=(if intake == Intake::Press { "press" } else { "operator" });
            (choice(lang, errors, "channel", t(lang, "hotline.channel"), &channels, channel, true))
            @if intake == Intake::Press {
                fieldset {
                    legend { (t(lang, "hotline.source")) }
                    (Field::text("source_url", t(lang, "hotline.source_url"), fields.get("source_url")).kind("url").required().autofocus_if(errors.is_empty()).render(lang, errors))
                    (Field::text("outlet", t(lang, "hotline.outlet"), fields.get("outlet")).required().render(lang, errors))
                    (Field::text("published_on", t(lang, "hotline.published_on"), fields.get("published_on")).kind("date").required().render(lang, errors))
                }
                (report_fields(lang, &places, fields, errors, false))
            } @else {
                (reporter_fields(lang, fields, errors, errors.is_empty()))
                (report_fields(lang, &places, fields, errors, false))
                div.field.check { label { input type="checkbox" name="inter_provincial" value="1" checked[fields.get("inter_provincial") == "1"]; " " (t(lang, "hotline.inter_provincial")) } }
            }
            (duplicates_fields(lang, fields, errors, suggestions))
            button.primary type="submit" accesskey="s" { (t(lang, "hotline.take")) }
        }
    };
    Ok((status, page(ctx, title, body)).into_response())
}

async fn operator_form(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    if !access(&state, &ctx).await?.is_operator() {
        return Err(AppError::Forbidden);
    }
    let mut fields = ReportFields::default();
    fields.push("channel", "phone".into());
    render_operator(&state, &ctx, Intake::Operator, &fields, &[], StatusCode::OK).await
}

async fn press_form(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    if !access(&state, &ctx).await?.is_operator() {
        return Err(AppError::Forbidden);
    }
    let mut fields = ReportFields::default();
    fields.push("channel", "press".into());
    fields.push("onset", "continuous".into());
    render_operator(&state, &ctx, Intake::Press, &fields, &[], StatusCode::OK).await
}

async fn take_report(
    State(state): State<AppState>,
    ctx: SignedIn,
    multipart: Multipart,
) -> AppResult<Response> {
    if !access(&state, &ctx).await?.is_operator() {
        return Err(AppError::Forbidden);
    }
    let (fields, evidence, mut errors) = read_form(&state, multipart).await?;
    let intake = if fields.get("intake") == "press" {
        Intake::Press
    } else {
        Intake::Operator
    };
    let places = Places::load(&state).await?;
    let parsed = parse_report(&fields, intake, &places, evidence, &mut errors);
    let join_case = match chosen_case(&fields) {
        "" => None,
        number => match number.parse::<i64>() {
            Ok(id) if id > 0 => Some(CaseId(id)),
            _ => {
                errors.push(FieldError::new("join_case_number", "form.not_a_number"));
                None
            }
        },
    };
    let Some(mut report) = parsed.filter(|_| errors.is_empty()) else {
        return render_operator(
            &state,
            &ctx,
            intake,
            &fields,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if fields.get("check_duplicates") == "1" {
        // The operator asked for likely duplicates before recording: the form comes back
        // with them to choose from. Nothing is recorded yet.
        let candidate = Candidate {
            kind: report.kind,
            province: report.location.province,
            commune: report.location.commune,
            coordinates: report.location.coordinates,
            received_at: vanphong_store::now(),
            text: &report.description,
        };
        let suggestions = hotline::suggest_duplicates(&state.db, &candidate, None, 5).await?;
        let errors = if report.evidence.is_empty() {
            Vec::new()
        } else {
            vec![FieldError::new("evidence", "hotline.evidence_again")]
        };
        return render_operator_with(
            &state,
            &ctx,
            intake,
            &fields,
            &errors,
            Some(&suggestions),
            StatusCode::OK,
        )
        .await;
    }
    report.join_case = join_case;
    stamp(&state, &mut report).await?;
    report.received_by = Some(ctx.user().id);
    let submitted = match hotline::submit(&state.db, &ctx.origin(), &report).await {
        Ok(submitted) => submitted,
        Err(vanphong_store::StoreError::NotFound) if join_case.is_some() => {
            let errors = [FieldError::new(
                "join_case_number",
                "hotline.join_case_unknown",
            )];
            return render_operator(
                &state,
                &ctx,
                intake,
                &fields,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(vanphong_store::StoreError::Invalid(code)) if code == "hotline_case_final" => {
            let errors = [FieldError::new(
                "join_case_number",
                "error.hotline_case_final",
            )];
            return render_operator(
                &state,
                &ctx,
                intake,
                &fields,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&format!(
        "/hotline/cases/{}?taken={}",
        submitted.case_id, submitted.tracking_code
    ))
    .into_response())
}

async fn render_public(
    state: &AppState,
    ctx: &RequestContext,
    fields: &ReportFields,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let places = Places::load(state).await?;
    let body = html! {
        h1 { (t(lang, "hotline.public_title")) }
        p.lead { (t(lang, "hotline.public_intro")) }
        (error_summary(lang, errors))
        form method="post" action={ "/hotline/report?_csrf=" (ctx.csrf_token) } enctype="multipart/form-data" {
            (csrf_field(ctx))
            // A field people do not see; bots fill it in.
            div.hp aria-hidden="true" {
                label for="f-website" { "Website" }
                input id="f-website" type="text" name="website" tabindex="-1" autocomplete="off";
            }
            (report_fields(lang, &places, fields, errors, true))
            (reporter_fields(lang, fields, errors, false))
            button.primary type="submit" { (t(lang, "hotline.send")) }
        }
        p { a href="/hotline/track" { (t(lang, "hotline.track_title")) } }
    };
    Ok((status, page(ctx, t(lang, "hotline.public_title"), body)).into_response())
}

async fn public_form(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    render_public(&state, &ctx, &ReportFields::default(), &[], StatusCode::OK).await
}

async fn public_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    multipart: Multipart,
) -> AppResult<Response> {
    let address: std::net::IpAddr = ctx
        .address
        .parse()
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
    if !state.hotline_limiter.allow(address) {
        return Err(AppError::RateLimited);
    }
    let (fields, evidence, mut errors) = read_form(&state, multipart).await?;
    if !fields.get("website").is_empty() {
        // The honeypot was filled in: a bot. Nothing is stored.
        return Err(AppError::invalid("hotline_spam"));
    }
    let places = Places::load(&state).await?;
    let parsed = parse_report(&fields, Intake::Public, &places, evidence, &mut errors);
    let Some(mut report) = parsed.filter(|_| errors.is_empty()) else {
        return render_public(
            &state,
            &ctx,
            &fields,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    stamp(&state, &mut report).await?;
    let submitted = hotline::submit(&state.db, &ctx.origin(), &report).await?;
    let lang = ctx.lang;
    let body = html! {
        h1 { (t(lang, "hotline.thanks_title")) }
        p.lead { (t(lang, "hotline.thanks")) }
        p { (t(lang, "hotline.tracking_code")) ": " strong.tracking { (submitted.tracking_code) } }
        p { a href={ "/hotline/track?code=" (submitted.tracking_code) } { (t(lang, "hotline.track_title")) } }
    };
    Ok((
        StatusCode::CREATED,
        page(&ctx, t(lang, "hotline.thanks_title"), body),
    )
        .into_response())
}

#[derive(Deserialize)]
struct TrackQuery {
    #[serde(default)]
    code: String,
}

/// The public tracking page: the status and the dates of each step, nothing else.
async fn track(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<TrackQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let mut found = None;
    let mut error = None;
    if !query.code.trim().is_empty() {
        match TrackingCode::parse(&query.code) {
            Ok(code) => match hotline::report_by_tracking_code(&state.db, &code).await {
                Ok(report) => {
                    let case = hotline::case(&state.db, report.case_id).await?;
                    let steps = hotline::steps(&state.db, case.id).await?;
                    found = Some((report, case, steps));
                }
                Err(vanphong_store::StoreError::NotFound) => {
                    error = Some("hotline.track_not_found")
                }
                Err(e) => return Err(e.into()),
            },
            Err(_) => error = Some("hotline.track_not_found"),
        }
    }
    let status = if error.is_some() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let body = html! {
        h1 { (t(lang, "hotline.track_title")) }
        form method="get" action="/hotline/track" {
            (Field::text("code", t(lang, "hotline.tracking_code"), &query.code).required().autofocus().render(lang, &[]))
            button type="submit" { (t(lang, "hotline.track_find")) }
        }
        @if let Some(key) = error { p.error role="alert" { (t(lang, key)) } }
        @if let Some((report, case, steps)) = &found {
            dl.facts {
                dt { (t(lang, "hotline.kind")) } dd { (kind_label(lang, report.kind)) }
                dt { (t(lang, "hotline.received_at")) } dd { (crate::vietnam_time(report.received_at)) }
                dt { (t(lang, "hotline.status")) } dd.status { (status_label(lang, case.status)) }
                dt { (t(lang, "hotline.handled_by")) } dd { (super::routed_label(lang, case)) }
            }
            h2 { (t(lang, "hotline.history")) }
            ol.history {
                @for step in steps.iter().filter(|s| s.from_status.as_deref() != Some(s.to_status.as_str())) {
                    li {
                        time datetime=(step.at.to_rfc3339()) { (crate::vietnam_time(step.at)) }
                        " — " (CaseStatus::parse(&step.to_status).map(|s| status_label(lang, s)).unwrap_or("—"))
                    }
                }
            }
        }
    };
    Ok((status, page(&ctx, t(lang, "hotline.track_title"), body)).into_response())
}
