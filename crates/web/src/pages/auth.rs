//! Signing in and out, and the user's own account page (password change).

use crate::context::{session_cookie, RequestContext, SignedIn, SESSION_COOKIE};
use crate::error::{AppResult, FieldError};
use crate::i18n::t;
use crate::layout::{csrf_field, error_summary, page, Field};
use crate::pages::{role_label, safe_next};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use maud::html;
use serde::Deserialize;
use vanphong_core::auth::NewPassword;
use vanphong_store::{sessions, users};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

fn render_login(
    ctx: &RequestContext,
    username: &str,
    next: &str,
    message: Option<&str>,
) -> crate::layout::Page {
    let lang = ctx.lang;
    let body = html! {
        div.narrow {
            h1 { (t(lang, "login.title")) }
            @if let Some(message) = message {
                div.alert.error role="alert" id="login-error" { (message) }
            }
            form method="post" action="/login" {
                (csrf_field(ctx))
                input type="hidden" name="next" value=(next);
                // After a failed attempt the user name is kept and the password takes the focus.
                @let retry = !username.is_empty();
                (Field { autofocus: !retry, ..Field::text("username", t(lang, "login.username"), username).required().autocomplete("username") }.render(lang, &[]))
                (Field { autofocus: retry, ..Field::text("password", t(lang, "login.password"), "").kind("password").required().autocomplete("current-password") }.render(lang, &[]))
                button.primary type="submit" { (t(lang, "login.submit")) }
            }
        }
    };
    page(ctx, t(lang, "login.title"), body)
}

async fn login_form(ctx: RequestContext, Query(query): Query<LoginQuery>) -> Response {
    if ctx.user().is_some() {
        return Redirect::to(&safe_next(query.next.as_deref())).into_response();
    }
    let next = safe_next(query.next.as_deref());
    render_login(&ctx, "", &next, None).into_response()
}

async fn login(
    State(state): State<AppState>,
    ctx: RequestContext,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    let username_key = form.username.trim().to_lowercase();
    if sessions::is_throttled(
        &state.db,
        &username_key,
        &ctx.address,
        state.config.throttle,
    )
    .await?
    {
        let body = render_login(
            &ctx,
            &form.username,
            &next,
            Some(t(ctx.lang, "login.throttled")),
        );
        return Ok((StatusCode::TOO_MANY_REQUESTS, body).into_response());
    }
    let found = users::credentials(&state.db, &username_key).await?;
    let password = form.password.clone();
    let stored = found.as_ref().map(|(_, hash)| hash.clone());
    // The same argon2 work is done for unknown users, so timing reveals nothing.
    let password_ok =
        tokio::task::spawn_blocking(move || users::verify_password(stored.as_deref(), &password))
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
    let user = match found {
        Some((user, _)) if password_ok && !user.disabled => user,
        _ => {
            sessions::record_failure(&state.db, &username_key, &ctx.address).await?;
            tracing::info!(address = %ctx.address, "A sign-in attempt failed.");
            let body = render_login(
                &ctx,
                &form.username,
                &next,
                Some(t(ctx.lang, "login.failed")),
            );
            return Ok((StatusCode::UNAUTHORIZED, body).into_response());
        }
    };
    sessions::clear_failures(&state.db, &username_key).await?;
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin = vanphong_store::audit::Origin {
        user_id: Some(user.id),
        label: user.username.clone(),
        address: ctx.address.clone(),
    };
    let token = sessions::open(&state.db, &origin, &user, user_agent, state.config.session).await?;
    Ok((jar.add(session_cookie(&state, token)), Redirect::to(&next)).into_response())
}

async fn logout(
    State(state): State<AppState>,
    ctx: RequestContext,
    jar: CookieJar,
) -> AppResult<Response> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        sessions::close(&state.db, &ctx.origin(), cookie.value()).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

fn render_account(ctx: &SignedIn, errors: &[FieldError], done: bool) -> crate::layout::Page {
    let lang = ctx.lang;
    let user = ctx.user();
    let roles: Vec<&str> = user.roles.iter().map(|r| role_label(lang, *r)).collect();
    let body = html! {
        h1 { (t(lang, "account.title")) }
        dl.facts {
            dt { (t(lang, "user.username")) } dd { (user.username) }
            dt { (t(lang, "user.full_name")) } dd { (user.full_name) }
            dt { (t(lang, "user.roles")) } dd { (roles.join(", ")) }
            dt { (t(lang, "user.clearance")) } dd { (t(lang, &format!("secrecy.{}", user.clearance.code()))) }
        }
        h2 { (t(lang, "account.change_password")) }
        @if done { div.alert.ok role="status" { (t(lang, "account.password_changed")) } }
        (error_summary(lang, errors))
        form method="post" action="/account/password" {
            (csrf_field(ctx))
            (Field::text("current", t(lang, "account.current_password"), "").kind("password").required().autocomplete("current-password").render(lang, errors))
            (Field::text("new_password", t(lang, "account.new_password"), "").kind("password").required().autocomplete("new-password")
                .hint(t(lang, "account.password_hint")).render(lang, errors))
            (Field::text("confirm", t(lang, "account.confirm_password"), "").kind("password").required().autocomplete("new-password").render(lang, errors))
            button.primary type="submit" { (t(lang, "account.change_password")) }
        }
    };
    page(ctx, t(lang, "account.title"), body)
}

async fn account(ctx: SignedIn) -> Response {
    render_account(&ctx, &[], false).into_response()
}

async fn change_password(
    State(state): State<AppState>,
    ctx: SignedIn,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let user = ctx.user().clone();
    let mut errors = Vec::new();
    let stored = users::credentials(&state.db, &user.username)
        .await?
        .map(|(_, h)| h);
    let current = form.current.clone();
    let current_ok =
        tokio::task::spawn_blocking(move || users::verify_password(stored.as_deref(), &current))
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
    if !current_ok {
        errors.push(FieldError::new("current", "account.current_wrong"));
    }
    let new_password = match NewPassword::parse(&form.new_password) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.push(FieldError::new("new_password", "account.password_hint"));
            None
        }
    };
    if form.new_password != form.confirm {
        errors.push(FieldError::new("confirm", "account.confirm_mismatch"));
    }
    let (Some(new_password), true) = (new_password, errors.is_empty()) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render_account(&ctx, &errors, false),
        )
            .into_response());
    };
    users::set_password(&state.db, &ctx.origin(), user.id, &new_password).await?;
    // Changing the password ends every session, this one included; open a fresh one.
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let token = sessions::open(
        &state.db,
        &ctx.origin(),
        &user,
        user_agent,
        state.config.session,
    )
    .await?;
    Ok((
        jar.add(session_cookie(&state, token)),
        render_account(&ctx, &[], true),
    )
        .into_response())
}
