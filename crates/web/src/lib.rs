//! The HTTP side of vanphong: server-rendered pages and forms, the JSON API under
//! `/api/v1` with its OpenAPI document, and the operational endpoints. This is the only
//! crate that knows HTTP.

pub mod api;
pub mod context;
pub mod error;
pub mod export;
pub mod i18n;
pub mod layout;
pub mod open311;
pub mod ops;
pub mod pages;
pub mod pdf;
pub mod report_export;
pub mod tiles;

use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use vanphong_store::blobs::BlobStore;
use vanphong_store::sessions::{SessionPolicy, ThrottlePolicy};
use vanphong_store::Db;

/// Settings of the web layer, loaded once by the binary.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted proxy).
    pub trust_proxy: bool,
    pub session: SessionPolicy,
    pub throttle: ThrottlePolicy,
    /// Requests per minute a single address may make to public endpoints.
    pub public_rate_per_minute: u32,
    /// A tile server for the hotline map; without one the map is drawn on a plain background.
    pub map_tiles: Option<tiles::TileLayer>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_proxy: false,
            session: SessionPolicy::default(),
            throttle: ThrottlePolicy::default(),
            public_rate_per_minute: 120,
            map_tiles: None,
        }
    }
}

/// The calendar a node built, and the overrides' stamp it was built from.
pub struct CachedCalendar {
    calendar: Arc<vanphong_core::calendar::WorkingCalendar>,
    stamp: i64,
    checked: Instant,
}

/// What every handler can reach.
pub struct Shared {
    pub db: Db,
    pub blobs: BlobStore,
    pub config: WebConfig,
    pub metrics: PrometheusHandle,
    pub started: Instant,
    pub rate_limiter: context::RateLimiter,
    /// Submissions of the public hotline form per address (a tenth of the public rate).
    pub hotline_limiter: context::RateLimiter,
    /// Recent answers of Open311's `GET requests`, checked against the database on each use.
    pub open311_cache: open311::RequestsCache,
    calendar: tokio::sync::Mutex<Option<CachedCalendar>>,
    /// Where periodic and on-demand reports take their review from; set once at start-up.
    review_source: std::sync::OnceLock<report_export::periodic::SharedReviewSource>,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, blobs: BlobStore, config: WebConfig) -> Self {
        let rate_limiter = context::RateLimiter::new(config.public_rate_per_minute);
        let hotline_limiter = context::RateLimiter::new(config.public_rate_per_minute / 10);
        Self(Arc::new(Shared {
            db,
            blobs,
            config,
            metrics: metrics_handle(),
            started: Instant::now(),
            rate_limiter,
            hotline_limiter,
            open311_cache: Default::default(),
            calendar: tokio::sync::Mutex::new(None),
            review_source: std::sync::OnceLock::new(),
        }))
    }

    /// Sets where reports take their review from (once; later calls are ignored and
    /// answer false).
    pub fn set_review_source(&self, source: report_export::periodic::SharedReviewSource) -> bool {
        self.review_source.set(source).is_ok()
    }

    /// Where reports take their review from: the one set, or else the store's
    /// computation for the whole agency (`StoreReviews`).
    pub fn review_source(&self) -> Option<&dyn report_export::periodic::ReviewSource> {
        Some(
            self.review_source
                .get_or_init(|| Arc::new(report_export::periodic::StoreReviews(self.db.clone())))
                .as_ref(),
        )
    }

    /// The working-day calendar with the administrators' overrides. Built on first use (the
    /// lunar astronomy for 201 years takes a few milliseconds) and rebuilt when the overrides
    /// change, on this node or another: their stamp is checked at most every ten seconds.
    pub async fn calendar(
        &self,
    ) -> Result<Arc<vanphong_core::calendar::WorkingCalendar>, error::AppError> {
        let mut cached = self.calendar.lock().await;
        if let Some(c) = cached.as_ref() {
            if c.checked.elapsed() < std::time::Duration::from_secs(10) {
                return Ok(c.calendar.clone());
            }
        }
        let stamp = vanphong_store::calendar::stamp(&self.db).await?;
        if let Some(c) = cached.as_mut() {
            if c.stamp == stamp {
                c.checked = Instant::now();
                return Ok(c.calendar.clone());
            }
        }
        let overrides = vanphong_store::calendar::all(&self.db).await?;
        let calendar = tokio::task::spawn_blocking(move || {
            vanphong_core::calendar::WorkingCalendar::new(&overrides)
        })
        .await
        .map_err(|e| error::AppError::Internal(e.into()))?
        .map(Arc::new)
        .map_err(|e| error::AppError::Internal(e.into()))?;
        *cached = Some(CachedCalendar {
            calendar: calendar.clone(),
            stamp,
            checked: Instant::now(),
        });
        Ok(calendar)
    }

    /// Forgets the cached calendar (after this node changed the overrides).
    pub async fn forget_calendar(&self) {
        *self.calendar.lock().await = None;
    }
}

/// A moment as people in Vietnam read it (UTC+7), day first: `29/11/2026 10:42`.
pub fn vietnam_time(moment: chrono::DateTime<chrono::Utc>) -> String {
    (moment + chrono::Duration::hours(7))
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// Today in Vietnam (UTC+7): the day dates are entered and deadlines counted in.
pub fn vietnam_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// The Prometheus recorder is process-wide; install it once.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (tests embedding several apps).
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api_router, openapi) = api::router();
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(pages::router())
        .merge(api_router)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .merge(ops::router())
        .merge(open311::router())
        .fallback(|| async { error::AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::middleware,
        ))
        .layer(axum::middleware::from_fn(ops::record_metrics))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves, then drains open requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
