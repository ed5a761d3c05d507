//! Placeholder: filled in by the outgoing feature.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
