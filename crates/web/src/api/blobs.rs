//! Uploading and downloading files. An upload streams to the blob store (never held in
//! memory whole); a raw blob can be read back only by those who uploaded it. Attachments
//! of records are read through their record, with its permissions.

use super::ErrorBody;
use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::TryStreamExt;
use serde::Serialize;
use utoipa::ToSchema;
use vanphong_core::attachment::check_upload;
use vanphong_core::permission::Action;
use vanphong_store::{blobs, StoreError};

#[derive(Serialize, ToSchema)]
pub struct BlobBody {
    /// The SHA-256 of the content, which is also its address.
    pub sha256: String,
    pub size: i64,
    /// Found by reading the bytes, not taken from the client.
    pub content_type: String,
    pub file_name: String,
}

/// Uploads one file (multipart field `file`). Refuses programs, files whose content does
/// not match their name, and files over the size limit; nothing is kept in those cases.
#[utoipa::path(post, path = "/api/v1/blobs", tag = "files",
    request_body(content_type = "multipart/form-data", description = "A form with one field named `file`."),
    responses((status = 201, body = BlobBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    ctx: SignedIn,
    mut multipart: Multipart,
) -> AppResult<(StatusCode, Json<BlobBody>)> {
    ctx.authorize_agency(Action::UploadAttachment)?;
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|_| AppError::invalid("malformed_multipart"))?;
        let Some(field) = field else {
            return Err(AppError::fields(vec![FieldError::new(
                "file",
                "form.required",
            )]));
        };
        if field.name() != Some("file") {
            continue;
        }
        let file_name = vanphong_core::text::normalize(field.file_name().unwrap_or_default());
        let stream = field.map_err(|e| std::io::Error::other(e.to_string()));
        let name_for_check = file_name.clone();
        let stored = state
            .blobs
            .put_stream_checked(stream, move |blob| {
                check_upload(&name_for_check, &blob.content_type).map_err(|r| r.code().to_owned())
            })
            .await
            .map_err(|e| match e {
                StoreError::Invalid(code) if code.starts_with("upload_") => {
                    AppError::field(&code, "file", &format!("error.{code}"))
                }
                StoreError::Invalid(_) => AppError::invalid("upload_interrupted"),
                other => other.into(),
            })?;
        blobs::record_upload(&state.db, &ctx.origin(), ctx.user().id, &stored, &file_name).await?;
        // Its text is read now, so the document that attaches it is searchable by it at once.
        vanphong_store::search::attachments::read_and_record(&state.db, &state.blobs, &stored)
            .await?;
        return Ok((
            StatusCode::CREATED,
            Json(BlobBody {
                sha256: stored.sha256,
                size: stored.size,
                content_type: stored.content_type,
                file_name,
            }),
        ));
    }
}

/// Downloads a file the caller uploaded.
#[utoipa::path(get, path = "/api/v1/blobs/{sha256}", tag = "files",
    params(("sha256" = String, Path, description = "The content's SHA-256 in hex")),
    responses((status = 200, description = "The file's bytes"), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(sha256): Path<String>,
) -> AppResult<Response> {
    // Not found rather than forbidden: the caller learns nothing about others' files.
    let file_name = blobs::uploaded_by(&state.db, &sha256, ctx.user().id)
        .await?
        .ok_or(AppError::NotFound)?;
    let meta = blobs::metadata(&state.db, &sha256).await?;
    let stream = state.blobs.open_stream(&sha256).await?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        crate::context::urlencode(&file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type),
            (header::CONTENT_LENGTH, meta.size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
