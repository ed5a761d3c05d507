//! Incoming documents: registration, lists, the document page, routing and handling.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
