//! Official documents: incoming registration and routing, outgoing drafts and numbering,
//! the registers, and the document page.

pub mod incoming;
pub mod outgoing;
pub mod registers;

use crate::context::RequestContext;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::Router;
use vanphong_core::permission::{self, Action, ReadScope, Target};
use vanphong_store::documents::{self, Document};
use vanphong_store::org;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(incoming::router())
        .merge(outgoing::router())
        .merge(registers::router())
}

/// The documents the signed-in user may read: their read scope over the unit tree.
/// Refuses users whose roles read no documents at all.
pub async fn read_scope(state: &AppState, ctx: &RequestContext) -> AppResult<ReadScope> {
    let user = ctx.user().ok_or_else(|| AppError::SignInRequired {
        next: ctx.path.clone(),
    })?;
    let tree = org::unit_tree(&state.db).await?;
    let units: Vec<_> = org::units(&state.db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    permission::read_scope(&user.actor(), Action::ReadRecord, &units, &tree)
        .ok_or(AppError::Forbidden)
}

/// Loads a document the user may read. A document outside the scope is "not found", so
/// its existence is not revealed.
pub async fn readable(state: &AppState, ctx: &RequestContext, id: i64) -> AppResult<Document> {
    let scope = read_scope(state, ctx).await?;
    let user = ctx.user().ok_or(AppError::Forbidden)?;
    if !documents::scope_allows(&state.db, &scope, user.id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(documents::get(&state.db, id).await?)
}

/// Refuses unless the user may do `action` on this document (its unit and secrecy).
pub async fn authorize_on(
    state: &AppState,
    ctx: &RequestContext,
    action: Action,
    document: &Document,
) -> AppResult<()> {
    let tree = org::unit_tree(&state.db).await?;
    let target = Target {
        unit: document.owner_unit(),
        secrecy: document.secrecy(),
    };
    ctx.authorize(action, target, &tree)
}
