//! Per-request context: who is asking (session cookie or bearer API key), in which
//! language, from which address; CSRF protection for forms; the public rate limit; and
//! the rendering of errors for pages and for the API.

use crate::error::{AppError, ErrorInfo};
use crate::i18n::{self, Lang};
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use subtle::ConstantTimeEq;
use vanphong_core::org::UnitTree;
use vanphong_core::permission::{self, Action, Target};
use vanphong_store::audit::Origin;
use vanphong_store::users::User;
use vanphong_store::{api_keys, sessions};

pub const SESSION_COOKIE: &str = "vp_session";
pub const CSRF_COOKIE: &str = "vp_csrf";
pub const LANG_COOKIE: &str = "vp_lang";
/// Form bodies read whole for the CSRF check; larger forms must send the token in the
/// `X-CSRF-Token` header or the `_csrf` query parameter (file uploads do).
const FORM_LIMIT: usize = 1024 * 1024;

/// The signed-in user, and how they proved it.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: User,
    /// The API key's name when the request came with a bearer key.
    pub api_key: Option<String>,
}

/// Everything a handler knows about the request beyond its own parameters.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub principal: Option<Principal>,
    pub lang: Lang,
    pub csrf_token: String,
    pub address: String,
    /// Path and query, for coming back after signing in.
    pub path: String,
}

impl RequestContext {
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    /// The audit trail's record of who is acting.
    pub fn origin(&self) -> Origin {
        match &self.principal {
            Some(p) => Origin {
                user_id: Some(p.user.id),
                label: match &p.api_key {
                    Some(name) => format!("{} (api-key: {name})", p.user.username),
                    None => p.user.username.clone(),
                },
                address: self.address.clone(),
            },
            None => Origin {
                user_id: None,
                label: "anonymous".into(),
                address: self.address.clone(),
            },
        }
    }

    pub fn user(&self) -> Option<&User> {
        self.principal.as_ref().map(|p| &p.user)
    }

    /// Refuses unless the signed-in user may do `action` on `target`.
    pub fn authorize(
        &self,
        action: Action,
        target: Target,
        tree: &UnitTree,
    ) -> Result<(), AppError> {
        let user = self.user().ok_or_else(|| AppError::SignInRequired {
            next: self.path.clone(),
        })?;
        permission::authorize(&user.actor(), action, target, tree).map_err(|_| AppError::Forbidden)
    }

    /// Shortcut for agency-wide actions (administration), which need no unit tree.
    pub fn authorize_agency(&self, action: Action) -> Result<(), AppError> {
        self.authorize(action, Target::AGENCY, &UnitTree::default())
    }

    /// True when the user's roles read official documents in some unit scope.
    pub fn reads_documents(&self) -> bool {
        self.user().is_some_and(|u| {
            u.roles.iter().any(|r| {
                matches!(
                    r,
                    vanphong_core::auth::Role::RecordsClerk
                        | vanphong_core::auth::Role::AgencyLeader
                        | vanphong_core::auth::Role::UnitLeader
                        | vanphong_core::auth::Role::Specialist
                )
            })
        })
    }

    pub fn can(&self, action: Action) -> bool {
        self.authorize_agency(action).is_ok()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("the context middleware did not run"))
            })
    }
}

/// A request context with a signed-in user; otherwise the request is sent to sign in
/// (pages) or answered 401 (API).
#[derive(Clone, Debug)]
pub struct SignedIn(pub RequestContext);

impl SignedIn {
    pub fn user(&self) -> &User {
        // The extractor only succeeds with a principal.
        &self
            .0
            .principal
            .as_ref()
            .expect("SignedIn always has a principal")
            .user
    }
}

impl std::ops::Deref for SignedIn {
    type Target = RequestContext;
    fn deref(&self) -> &RequestContext {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestContext::from_request_parts(parts, state).await?;
        if ctx.principal.is_none() {
            return Err(AppError::SignInRequired { next: ctx.path });
        }
        Ok(Self(ctx))
    }
}

/// A per-node limit on requests from one address to public endpoints.
pub struct RateLimiter(DefaultKeyedRateLimiter<IpAddr>);

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        let quota =
            Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN));
        Self(governor::RateLimiter::keyed(quota))
    }

    pub fn allow(&self, address: IpAddr) -> bool {
        self.0.check_key(&address).is_ok()
    }
}

fn client_address(state: &AppState, request: &Request) -> IpAddr {
    if state.config.trust_proxy {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(address) = forwarded {
            return address;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/open311/")
}

/// Paths that never count against the public rate limit.
fn is_exempt_from_rate_limit(path: &str) -> bool {
    path.starts_with("/assets/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics" | "/favicon.ico")
}

fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Finds the `_csrf` value in an `application/x-www-form-urlencoded` body or query.
fn csrf_in_form(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.into_owned())
}

/// The middleware in front of every route.
pub async fn middleware(
    State(state): State<AppState>,
    jar: CookieJar,
    request: Request,
    next: Next,
) -> Response {
    let address = client_address(&state, &request);
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let method = request.method().clone();

    // Who is asking.
    let mut principal = None;
    let bearer = bearer_token(request.headers()).map(str::to_owned);
    if let Some(token) = &bearer {
        match api_keys::authenticate(&state.db, token).await {
            Ok(Some((key, user))) => {
                principal = Some(Principal {
                    user,
                    api_key: Some(key.name),
                })
            }
            Ok(None) => {}
            Err(e) => {
                return render_error(&state, &path, Lang::Vi, AppError::from(e).into_response())
            }
        }
    } else if let Some(cookie) = jar.get(SESSION_COOKIE) {
        match sessions::resolve(&state.db, cookie.value(), state.config.session).await {
            Ok(Some(user)) => {
                principal = Some(Principal {
                    user,
                    api_key: None,
                })
            }
            Ok(None) => {}
            Err(e) => {
                return render_error(&state, &path, Lang::Vi, AppError::from(e).into_response())
            }
        }
    }

    let lang = principal
        .as_ref()
        .and_then(|p| Lang::parse(&p.user.language))
        .or_else(|| jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
        .unwrap_or_default();

    if principal.is_none()
        && !is_exempt_from_rate_limit(&path)
        && !state.rate_limiter.allow(address)
    {
        let mut response = render_error(&state, &path, lang, AppError::RateLimited.into_response());
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return response;
    }

    // A bearer token that did not authenticate is an error, not an anonymous request.
    if bearer.is_some() && principal.is_none() {
        return render_error(
            &state,
            &path,
            lang,
            AppError::SignInRequired {
                next: path_and_query,
            }
            .into_response(),
        );
    }

    let existing_csrf = jar.get(CSRF_COOKIE).map(|c| c.value().to_owned());
    let csrf_token = existing_csrf.clone().unwrap_or_else(sessions::random_token);

    // CSRF: every unsafe request made with cookies must carry the cookie's token.
    let mut request = request;
    let unsafe_method = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && bearer.is_none() && !path.starts_with("/open311/") {
        let (parts, body) = request.into_parts();
        let mut supplied = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| parts.uri.query().and_then(|q| csrf_in_form(q.as_bytes())));
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = if supplied.is_none() && is_form {
            match axum::body::to_bytes(body, FORM_LIMIT).await {
                Ok(bytes) => {
                    supplied = csrf_in_form(&bytes);
                    Body::from(bytes)
                }
                Err(_) => {
                    return render_error(
                        &state,
                        &path,
                        lang,
                        AppError::TooLarge {
                            limit: FORM_LIMIT as u64,
                        }
                        .into_response(),
                    )
                }
            }
        } else {
            body
        };
        let valid = match (&existing_csrf, &supplied) {
            (Some(cookie), Some(given)) => tokens_match(cookie, given),
            _ => false,
        };
        if !valid {
            return render_error(
                &state,
                &path,
                lang,
                AppError::invalid("csrf").into_response(),
            );
        }
        request = Request::from_parts(parts, body);
    }

    let context = RequestContext {
        principal,
        lang,
        csrf_token: csrf_token.clone(),
        address: address.to_string(),
        path: path_and_query,
    };
    request.extensions_mut().insert(context);
    let response = next.run(request).await;
    let mut response = render_error(&state, &path, lang, response);
    if existing_csrf.is_none() {
        let cookie = Cookie::build((CSRF_COOKIE, csrf_token))
            .path("/")
            .http_only(true)
            .secure(state.config.secure_cookies)
            .same_site(SameSite::Strict)
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !is_api_path(&path) {
        headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
        // The map's tiles come from the operator's tile server when one is set; its origin
        // was checked when the configuration was read.
        let img_src = match &state.config.map_tiles {
            Some(layer) => format!("'self' data: {}", layer.origin()),
            None => "'self' data:".to_owned(),
        };
        let policy = format!(
            "default-src 'self'; img-src {img_src}; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
        );
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert("content-security-policy", value);
        }
    }
    response
}

/// Turns an error marker into the body the caller expects.
fn render_error(state: &AppState, path: &str, lang: Lang, response: Response) -> Response {
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    let _ = state;
    if is_api_path(path) {
        let message = i18n::t(lang, &format!("error.{}", info.code));
        let fields: serde_json::Map<String, serde_json::Value> = info
            .fields
            .iter()
            .map(|f| {
                (
                    f.field.clone(),
                    serde_json::Value::String(i18n::t(lang, &f.key).to_owned()),
                )
            })
            .collect();
        let mut body =
            serde_json::json!({"error": {"code": info.code, "message": message, "fields": fields}});
        if let Some(id) = &info.request_id {
            body["error"]["request_id"] = serde_json::Value::String(id.clone());
        }
        let mut out = (info.status, axum::Json(body)).into_response();
        if info.status == StatusCode::UNAUTHORIZED {
            out.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return out;
    }
    if let Some(next) = &info.next {
        let target = format!("/login?next={}", urlencode(next));
        return Redirect::to(&target).into_response();
    }
    (info.status, crate::layout::error_page(lang, &info)).into_response()
}

pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A session cookie for a new sign-in.
pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Lax)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_percent_decoded() {
        assert_eq!(csrf_in_form(b"a=1&_csrf=ab%2Dcd+e"), Some("ab-cd e".into()));
        assert_eq!(csrf_in_form(b"a=1"), None);
    }

    #[test]
    fn tokens_compare_whole_and_non_empty() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("", ""));
    }
}
