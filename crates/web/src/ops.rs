//! Operational endpoints: liveness, readiness (database and blob store reachable) and
//! Prometheus metrics, plus the middleware that records request metrics.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::time::Instant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.db.ping().await;
    let blobs = state.blobs.ping().await;
    let status = if database.is_ok() && blobs.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let describe = |r: &Result<(), vanphong_store::StoreError>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("unavailable: {e}"),
    };
    (
        status,
        Json(serde_json::json!({
            "database": describe(&database),
            "blob_store": describe(&blobs),
            "backend": state.db.backend().name(),
        })),
    )
        .into_response()
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    metrics::gauge!("vanphong_uptime_seconds").set(state.started.elapsed().as_secs_f64());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// Counts requests and their durations by route template (never by raw path, which
/// would let clients create unbounded label values).
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let mut response = next.run(request).await;
    let elapsed = started.elapsed();
    // Server-Timing lets browsers' developer tools and the benchmark see server time alone.
    if let Ok(value) =
        axum::http::HeaderValue::from_str(&format!("app;dur={:.3}", elapsed.as_secs_f64() * 1000.0))
    {
        response.headers_mut().insert("server-timing", value);
    }
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("vanphong_http_requests_total", &labels).increment(1);
    metrics::histogram!("vanphong_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
