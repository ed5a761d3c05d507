//! The JSON API under `/api/v1`: request and response shapes (owned here, converted by
//! hand from domain and store types), handlers, cursor pagination, and the OpenAPI 3.1
//! document generated from the handlers' annotations.

mod blobs;
mod calendar;
mod directory;
pub mod documents;
pub mod dossiers;
pub mod reports;
pub mod search;

use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "vanphong API",
        version = "1",
        description = "The electronic office of an environmental authority: documents, dossiers, hotline reports. \
                       Authenticate with `Authorization: Bearer vpk_…` (an API key issued by an administrator) \
                       or a browser session. Errors always have the shape `{\"error\": {\"code\", \"message\", \"fields\"}}`."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(ErrorBody, ErrorDetail))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("vpk_…")
                    .build(),
            ),
        );
    }
}

/// The one error shape of the API.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation`, `not_found`, `forbidden`.
    pub code: String,
    /// A sentence for people, in the caller's language (Vietnamese by default).
    pub message: String,
    /// Messages for individual fields, keyed by field name.
    pub fields: std::collections::BTreeMap<String, String>,
}

pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .routes(routes!(directory::me))
        .routes(routes!(directory::list_units, directory::create_unit))
        .routes(routes!(directory::list_users, directory::create_user))
        .routes(routes!(
            directory::list_organisations,
            directory::create_organisation
        ))
        .routes(routes!(directory::list_areas))
        .routes(routes!(directory::object_history))
        .routes(routes!(blobs::upload))
        .routes(routes!(blobs::download))
        .routes(routes!(documents::register_incoming))
        .routes(routes!(documents::list_documents))
        .routes(routes!(documents::get_document))
        .routes(routes!(search::search))
        .routes(routes!(search::list_saved, search::create_saved))
        .routes(routes!(search::delete_saved))
        .routes(routes!(calendar::holidays))
        .routes(routes!(calendar::add_working_days))
        .routes(routes!(
            dossiers::list_procedures,
            dossiers::announce_procedure
        ))
        .routes(routes!(dossiers::get_procedure))
        .routes(routes!(dossiers::list_dossiers, dossiers::receive_dossier))
        .routes(routes!(dossiers::take_dossier_step))
        .routes(routes!(dossiers::statistics))
        .routes(routes!(dossiers::get_dossier))
        .routes(routes!(reports::review))
        .routes(routes!(reports::dashboard))
        .split_for_parts();
    let router = router
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(|| async { AppError::NotFound }),
        )
        .layer(axum::extract::DefaultBodyLimit::disable());
    (router, doc)
}

/// JSON bodies whose rejections use the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Ordinary JSON requests are small; uploads go to the blob endpoint.
        let request = request
            .map(|body| axum::body::Body::new(http_body_util::Limited::new(body, 1024 * 1024)));
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(AppError::invalid(match rejection {
                axum::extract::rejection::JsonRejection::MissingJsonContentType(_) => {
                    "json_content_type"
                }
                axum::extract::rejection::JsonRejection::JsonSyntaxError(_) => "malformed_json",
                axum::extract::rejection::JsonRejection::JsonDataError(_) => "json_data",
                _ => "malformed_json",
            })),
        }
    }
}

/// Query strings whose rejections use the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|_| AppError::invalid("malformed_query"))
    }
}

/// A page of results with the cursor for the next one.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

pub fn encode_cursor(last_id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("after:{last_id}"))
}

pub fn decode_cursor(cursor: Option<&str>) -> AppResult<Option<i64>> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("after:").and_then(|n| n.parse().ok()))
        .map(Some)
        .ok_or_else(|| AppError::invalid("invalid_cursor"))
}

pub fn check_limit(limit: Option<i64>) -> AppResult<i64> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::fields(vec![crate::error::FieldError::new(
            "limit",
            "api.limit_range",
        )])),
    }
}

/// Builds a page from `limit + 1` fetched rows.
pub fn page_of<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    id_of: impl Fn(&R) -> i64,
    convert: impl Fn(R) -> T,
) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode_cursor(id_of(r)))
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(convert).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(Some(&encode_cursor(42))).unwrap(), Some(42));
        assert_eq!(decode_cursor(None).unwrap(), None);
        assert!(decode_cursor(Some("not a cursor")).is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(check_limit(None).unwrap(), DEFAULT_LIMIT);
        assert!(check_limit(Some(0)).is_err());
        assert!(check_limit(Some(MAX_LIMIT + 1)).is_err());
    }
}
