//! Server-rendered pages: routes, the home page, static assets and the language switch.

pub mod admin;
pub mod auth;
pub mod calendar;
pub mod documents;
pub mod dossiers;
pub mod hotline;
pub mod news;
pub mod report_archive;
pub mod reports;
pub mod search;
pub mod work_files;

use crate::context::{RequestContext, SignedIn, LANG_COOKIE};
use crate::error::AppResult;
use crate::i18n::{t, Lang};
use crate::layout::page;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::html;
use serde::Deserialize;
use vanphong_core::auth::Role;
use vanphong_core::permission::Action;
use vanphong_store::{api_keys, notifications, users};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/assets/style.css", get(style))
        .route("/assets/favicon.svg", get(favicon))
        .route("/lang/{code}", get(switch_language))
        .route("/notifications/read", post(mark_notifications_read))
        .merge(auth::router())
        .merge(admin::router())
        .merge(calendar::router())
        .merge(documents::router())
        .merge(search::router())
        .merge(hotline::router())
        .merge(dossiers::router())
        .merge(work_files::router())
        .merge(news::router())
        .merge(report_archive::router())
        .merge(reports::router())
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../assets/style.css"),
    )
        .into_response()
}

async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../assets/favicon.svg"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after a redirect, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

async fn switch_language(
    State(state): State<AppState>,
    ctx: RequestContext,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = Lang::parse(&code).unwrap_or_default();
    if let Some(user) = ctx.user() {
        users::set_language(&state.db, user.id, lang.code()).await?;
    }
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    Ok((
        jar.add(cookie),
        Redirect::to(&safe_next(query.next.as_deref())),
    )
        .into_response())
}

/// One card of the home page: a count and where it leads.
struct Card {
    label: &'static str,
    count: i64,
    href: &'static str,
}

async fn home(State(state): State<AppState>, ctx: SignedIn) -> AppResult<Response> {
    let lang = ctx.lang;
    let user = ctx.user();
    let unread = notifications::unread_count(&state.db, user.id).await?;
    let recent = notifications::recent(&state.db, user.id, 10).await?;
    let mut cards = vec![Card {
        label: t(lang, "home.unread_notifications"),
        count: unread,
        href: "#notifications",
    }];
    if ctx.reads_documents() {
        let today = chrono::Utc::now().date_naive();
        let counts =
            vanphong_store::documents::lists::inbox_counts(&state.db, user.id, user.unit_id, today)
                .await?;
        cards.push(Card {
            label: t(lang, "home.documents_waiting"),
            count: counts.my_assignments,
            href: "/inbox",
        });
        cards.push(Card {
            label: t(lang, "home.documents_overdue"),
            count: counts.my_overdue,
            href: "/inbox",
        });
        if user.roles.contains(&Role::RecordsClerk) {
            cards.push(Card {
                label: t(lang, "home.to_submit"),
                count: counts.to_submit,
                href: "/inbox",
            });
        }
        if user.roles.contains(&Role::AgencyLeader) {
            cards.push(Card {
                label: t(lang, "home.awaiting_instruction"),
                count: counts.awaiting_my_instruction,
                href: "/inbox",
            });
        }
        if user.roles.contains(&Role::UnitLeader) {
            cards.push(Card {
                label: t(lang, "home.to_assign"),
                count: counts.to_assign,
                href: "/inbox",
            });
        }
    }
    if let Ok(access) = hotline::access(&state, &ctx).await {
        let open = vanphong_store::hotline::lists::count(
            &state.db,
            &vanphong_store::hotline::lists::CaseFilter {
                routed_to: access.province_scope(),
                overdue_on: Some(crate::vietnam_today()),
                ..Default::default()
            },
        )
        .await?;
        cards.push(Card {
            label: t(lang, "hotline.home_overdue"),
            count: open,
            href: "/hotline?overdue=1",
        });
    }
    if user.roles.contains(&Role::OneStopOfficer) {
        // Online submissions no desk has accepted yet, for every officer.
        use vanphong_store::dossiers::lists::{self, DossierFilter, DossierScope};
        let waiting = DossierScope {
            units: Some(Vec::new()),
            unreceived: true,
        };
        let filter = DossierFilter {
            status: Some(1),
            ..Default::default()
        };
        cards.push(Card {
            label: t(lang, "home.dossiers_waiting"),
            count: lists::count_up_to(&state.db, &waiting, &filter, 1000).await?,
            href: "/dossiers?status=1",
        });
    }
    if ctx.can(Action::ManageUsers) {
        let all = users::list(
            &state.db,
            &users::UserFilter {
                include_disabled: true,
                ..Default::default()
            },
            None,
            100_000,
        )
        .await?;
        let disabled = all.iter().filter(|u| u.disabled).count() as i64;
        let without_role = all
            .iter()
            .filter(|u| !u.disabled && u.roles.is_empty())
            .count() as i64;
        let live_keys = api_keys::list(&state.db)
            .await?
            .iter()
            .filter(|k| k.revoked_at.is_none())
            .count() as i64;
        cards.push(Card {
            label: t(lang, "home.users_without_role"),
            count: without_role,
            href: "/admin/users",
        });
        cards.push(Card {
            label: t(lang, "home.disabled_users"),
            count: disabled,
            href: "/admin/users?include_disabled=1",
        });
        cards.push(Card {
            label: t(lang, "home.live_api_keys"),
            count: live_keys,
            href: "/admin/api-keys",
        });
    }
    let role_names: Vec<&str> = user.roles.iter().map(|r| role_label(lang, *r)).collect();
    let body = html! {
        h1 { (t(lang, "home.greeting")) ", " (user.full_name) }
        p.muted { (role_names.join(", ")) }
        section.cards aria-label=(t(lang, "home.pending_work")) {
            @for card in &cards {
                a.card href=(card.href) {
                    span.count { (card.count) }
                    span.label { (card.label) }
                }
            }
        }
        section id="notifications" {
            h2 { (t(lang, "home.notifications")) }
            @if recent.is_empty() {
                p.muted { (t(lang, "home.no_notifications")) }
            } @else {
                ul.notifications {
                    @for n in &recent {
                        li.unread[n.read_at.is_none()] {
                            a href=(n.link) { (n.title) }
                            " " time datetime=(n.created_at.to_rfc3339()) { (crate::vietnam_time(n.created_at)) }
                        }
                    }
                }
                @if unread > 0 {
                    form method="post" action="/notifications/read" {
                        (crate::layout::csrf_field(&ctx))
                        button type="submit" { (t(lang, "home.mark_read")) }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, t(lang, "nav.home"), body).into_response())
}

async fn mark_notifications_read(
    State(state): State<AppState>,
    ctx: SignedIn,
) -> AppResult<Redirect> {
    notifications::mark_all_read(&state.db, ctx.user().id).await?;
    Ok(Redirect::to("/"))
}

/// The name of a role in the user's language.
pub fn role_label(lang: Lang, role: Role) -> &'static str {
    t(lang, &format!("role.{}", role.code()))
}
