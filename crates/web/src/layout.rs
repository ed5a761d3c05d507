//! The page shell and the small pieces every page uses: navigation, form fields with
//! their error beside them, the CSRF field, pagination and the error page.

use crate::context::RequestContext;
use crate::error::{ErrorInfo, FieldError};
use crate::i18n::{t, Lang};
use maud::{html, Markup, DOCTYPE};
use vanphong_core::permission::Action;

const STYLE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A rendered page, ready to be a response.
pub type Page = axum::response::Html<String>;

/// A whole page: head, header with navigation, the content, footer.
pub fn page(ctx: &RequestContext, title: &str, content: Markup) -> Page {
    let lang = ctx.lang;
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · vanphong" }
                link rel="stylesheet" href={ "/assets/style.css?v=" (STYLE_VERSION) };
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
            }
            body {
                a.skip href="#main" { (t(lang, "layout.skip_to_content")) }
                header.top {
                    a.brand href="/" accesskey="h" { "vanphong" }
                    @if let Some(user) = ctx.user() {
                        nav aria-label=(t(lang, "layout.main_navigation")) {
                            (nav_link(ctx, "/", "nav.home", None))
                            @if ctx.reads_documents() {
                                (nav_link(ctx, "/inbox", "nav.inbox", Some("w")))
                                (nav_link(ctx, "/documents/incoming", "nav.incoming", Some("d")))
                                (nav_link(ctx, "/documents/outgoing", "nav.outgoing", Some("o")))
                                (nav_link(ctx, "/registers/incoming", "nav.registers", Some("r")))
                            }
                            @if user.roles.iter().any(|r| matches!(r, vanphong_core::auth::Role::HotlineOperator | vanphong_core::auth::Role::AgencyLeader)) {
                                (nav_link(ctx, "/hotline", "nav.hotline", Some("l")))
                            }
                            @if crate::pages::dossiers::works_with_dossiers(ctx) {
                                (nav_link(ctx, "/dossiers", "nav.dossiers", Some("m")))
                            }
                            @if ctx.reads_documents() {
                                (nav_link(ctx, "/files", "nav.work_files", None))
                            }
                            @if ctx.can(Action::PublishNews) {
                                (nav_link(ctx, "/news/manage", "nav.news_manage", None))
                            }
                            @if crate::pages::reports::sees_reports(ctx) {
                                (nav_link(ctx, "/reports", "nav.reports", Some("b")))
                            }
                            @if ctx.can(Action::ManageUsers) || ctx.can(Action::ManageOrganisation) {
                                (nav_link(ctx, "/admin", "nav.administration", Some("a")))
                            }
                        }
                        @if ctx.user().is_some() {
                            form.header-search method="get" action="/search" role="search" {
                                input type="search" name="q" aria-label=(t(lang, "search.box_label")) placeholder=(t(lang, "search.box_placeholder")) accesskey="s";
                            }
                        }
                        div.account {
                            a href="/account" title=(t(lang, "nav.account")) { (user.full_name) }
                            (language_switch(ctx))
                            form method="post" action="/logout" {
                                (csrf_field(ctx))
                                button.link type="submit" { (t(lang, "nav.sign_out")) }
                            }
                        }
                    } @else {
                        nav aria-label=(t(lang, "layout.main_navigation")) {
                            (nav_link(ctx, "/public/dossiers", "nav.public_services", None))
                            (nav_link(ctx, "/public/tracking", "nav.public_tracking", None))
                            (nav_link(ctx, "/news", "nav.news", None))
                        }
                        div.account { (language_switch(ctx)) }
                    }
                }
                main id="main" tabindex="-1" {
                    (content)
                }
                footer { (t(lang, "layout.footer")) }
            }
        }
    };
    axum::response::Html(markup.into_string())
}

/// A navigation link, marked as the current page where it is.
fn nav_link(ctx: &RequestContext, href: &str, key: &str, accesskey: Option<&str>) -> Markup {
    let path = ctx.path.split('?').next().unwrap_or_default();
    let current = if href == "/" {
        path == "/"
    } else {
        path.starts_with(href)
    };
    html! {
        a href=(href) aria-current=[current.then_some("page")] accesskey=[accesskey] { (t(ctx.lang, key)) }
    }
}

/// The sections of the administration, for its index page.
pub const ADMIN_SECTIONS: [(&str, &str, &str); 11] = [
    ("/admin/agency", "nav.agency", "admin.agency_hint"),
    ("/admin/units", "nav.units", "admin.units_hint"),
    ("/admin/positions", "nav.positions", "admin.positions_hint"),
    ("/admin/users", "nav.users", "admin.users_hint"),
    (
        "/admin/organisations",
        "nav.organisations",
        "admin.organisations_hint",
    ),
    ("/admin/areas", "nav.areas", "admin.areas_hint"),
    ("/admin/calendar", "calendar.title", "admin.calendar_hint"),
    (
        "/admin/numbering-series",
        "series.title",
        "admin.numbering_series_hint",
    ),
    ("/admin/api-keys", "nav.api_keys", "admin.api_keys_hint"),
    ("/admin/audit", "nav.audit", "admin.audit_hint"),
    (
        "/admin/hotline-due-days",
        "hotline.due_days_title",
        "admin.hotline_due_days_hint",
    ),
];

fn language_switch(ctx: &RequestContext) -> Markup {
    let other = ctx.lang.other();
    html! {
        a.lang href={ "/lang/" (other.code()) "?next=" (crate::context::urlencode(&ctx.path)) } hreflang=(other.code()) lang=(other.code()) {
            (t(other, "layout.language_name"))
        }
    }
}

/// The hidden field that proves a form came from our own page.
pub fn csrf_field(ctx: &RequestContext) -> Markup {
    html! { input type="hidden" name="_csrf" value=(ctx.csrf_token); }
}

/// The message for a field, if any, in the user's language.
pub fn field_error(lang: Lang, errors: &[FieldError], field: &str) -> Option<&'static str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| t(lang, &e.key))
}

/// A labelled text input with its error message beside it.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'a str,
    pub required: bool,
    pub autofocus: bool,
    pub hint: Option<&'a str>,
    pub autocomplete: &'a str,
}

impl<'a> Field<'a> {
    pub fn text(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Self {
            name,
            label,
            value,
            kind: "text",
            required: false,
            autofocus: false,
            hint: None,
            autocomplete: "off",
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn autofocus(mut self) -> Self {
        self.autofocus = true;
        self
    }

    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn autocomplete(mut self, value: &'a str) -> Self {
        self.autocomplete = value;
        self
    }

    pub fn render(&self, lang: Lang, errors: &[FieldError]) -> Markup {
        let error = field_error(lang, errors, self.name);
        let id = format!("f-{}", self.name);
        let error_id = format!("e-{}", self.name);
        let hint_id = format!("h-{}", self.name);
        let described: Vec<&str> = [
            self.hint.map(|_| hint_id.as_str()),
            error.map(|_| error_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        // After a refused submission the first field in error takes the focus; otherwise
        // the field marked autofocus does.
        let focus = if errors.is_empty() {
            self.autofocus
        } else {
            is_first_error(errors, self.name)
        };
        html! {
            div.field.invalid[error.is_some()] {
                label for=(id) { (self.label) @if self.required { span.req aria-hidden="true" { " *" } } }
                input id=(id) name=(self.name) type=(self.kind) value=(self.value)
                    required[self.required] autofocus[focus] autocomplete=(self.autocomplete)
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
                @if let Some(hint) = self.hint { small.hint id=(hint_id) { (hint) } }
                @if let Some(message) = error { p.error id=(error_id) role="alert" { (message) } }
            }
        }
    }
}

fn is_first_error(errors: &[FieldError], field: &str) -> bool {
    errors.first().is_some_and(|e| e.field == field)
}

/// A labelled select with its error beside it. `options` are (value, label).
pub fn select(
    lang: Lang,
    errors: &[FieldError],
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
) -> Markup {
    let error = field_error(lang, errors, name);
    let id = format!("f-{name}");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            select id=(id) name=(name) aria-invalid=[error.map(|_| "true")] autofocus[is_first_error(errors, name)] {
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
            @if let Some(message) = error { p.error role="alert" { (message) } }
        }
    }
}

/// A summary of form errors at the top of a form, for screen readers and long forms.
pub fn error_summary(lang: Lang, errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.alert.error role="alert" {
                p { (t(lang, "form.has_errors")) }
            }
        }
    }
}

/// "Next page" link for cursor pagination, keeping the other query parameters.
pub fn pager(lang: Lang, base: &str, next_cursor: Option<String>) -> Markup {
    html! {
        @if let Some(cursor) = next_cursor {
            nav.pager aria-label=(t(lang, "list.pagination")) {
                a href={ (base) (if base.contains('?') { "&" } else { "?" }) "after=" (cursor) } rel="next" {
                    (t(lang, "list.next_page")) " →"
                }
            }
        }
    }
}

/// Links that download the list as CSV and XLSX.
pub fn export_links(lang: Lang, base: &str) -> Markup {
    let sep = if base.contains('?') { "&" } else { "?" };
    html! {
        p.exports {
            (t(lang, "list.export")) ": "
            a href={ (base) (sep) "format=csv" } download { "CSV" } " · "
            a href={ (base) (sep) "format=xlsx" } download { "XLSX" }
        }
    }
}

/// The page for an error, in the user's language.
pub fn error_page(lang: Lang, info: &ErrorInfo) -> Page {
    let title = t(lang, &format!("error.{}", info.code));
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · vanphong" }
                link rel="stylesheet" href={ "/assets/style.css?v=" (STYLE_VERSION) };
            }
            body {
                main.narrow {
                    h1 { (info.status.as_u16()) }
                    p.lead { (title) }
                    @if let Some(limit) = info.limit { p { (t(lang, "error.limit_is")) " " (format_bytes(limit)) } }
                    @if let Some(id) = &info.request_id { p { (t(lang, "error.request_id")) ": " code { (id) } } }
                    p { a href="/" { (t(lang, "error.back_home")) } }
                }
            }
        }
    };
    axum::response::Html(markup.into_string())
}

pub fn format_bytes(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}
