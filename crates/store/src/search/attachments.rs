//! The text of attachments, for search: read once per file content when the file is
//! uploaded (blobs are content-addressed, so a file attached twice is read once). Text-based
//! PDFs give their text (lopdf's text extraction, with a bound on decompressed content);
//! images and PDFs without a text layer are scans, marked as such and listed, so a clerk
//! knows what search cannot see inside.

use crate::blobs::{BlobStore, StoredBlob};
use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use vanphong_core::ids::UserId;
use vanphong_core::permission::ReadScope;

/// What was found inside a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextStatus {
    /// A text-based PDF or a text file: its text is searchable.
    Text,
    /// A scan (an image, or a PDF with no text layer): only its name is searchable.
    NoTextLayer,
    /// Another kind of file (a spreadsheet, an archive).
    Unsupported,
    /// A PDF that could not be read (damaged or encrypted).
    Failed,
}

impl TextStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::NoTextLayer => "no_text_layer",
            Self::Unsupported => "unsupported",
            Self::Failed => "failed",
        }
    }
}

/// The most characters kept of one file's text.
const TEXT_MAX_CHARS: usize = 50_000;
/// The most decompressed content of one PDF page that is read (a bomb stops there).
const PAGE_CONTENT_LIMIT: usize = 16 * 1024 * 1024;
/// The most pages read of one PDF.
const PAGES_MAX: usize = 500;
/// Fewer letters and digits than this per file and a PDF counts as a scan.
const SCAN_THRESHOLD: usize = 16;

/// Reads the text of a file from its bytes. Pure: no IO beyond the bytes given.
pub fn extract(content_type: &str, bytes: &[u8]) -> (TextStatus, String, Option<i64>) {
    match content_type {
        "application/pdf" => extract_pdf(bytes),
        "text/plain" => {
            let text = clean(&String::from_utf8_lossy(bytes));
            (TextStatus::Text, text, None)
        }
        t if t.starts_with("image/") => (TextStatus::NoTextLayer, String::new(), Some(1)),
        _ => (TextStatus::Unsupported, String::new(), None),
    }
}

fn extract_pdf(bytes: &[u8]) -> (TextStatus, String, Option<i64>) {
    let Ok(document) = lopdf::Document::load_mem(bytes) else {
        return (TextStatus::Failed, String::new(), None);
    };
    if document.is_encrypted() {
        return (TextStatus::Failed, String::new(), None);
    }
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let count = pages.len() as i64;
    let mut text = String::new();
    for page in pages.iter().take(PAGES_MAX) {
        for chunk in document
            .extract_text_chunks_with_limit(&[*page], PAGE_CONTENT_LIMIT)
            .into_iter()
            .flatten()
        {
            text.push_str(&chunk);
            text.push(' ');
        }
        if text.len() > TEXT_MAX_CHARS * 4 {
            break;
        }
    }
    let text = clean(&text);
    if text.chars().filter(|c| c.is_alphanumeric()).count() < SCAN_THRESHOLD {
        return (TextStatus::NoTextLayer, String::new(), Some(count));
    }
    (TextStatus::Text, text, Some(count))
}

/// NFC, white space collapsed, control characters dropped, bounded.
fn clean(text: &str) -> String {
    let normalized = vanphong_core::text::normalize(text);
    let mut out = String::with_capacity(normalized.len().min(TEXT_MAX_CHARS * 4));
    let mut count = 0;
    let mut space = false;
    for c in normalized.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        out.push(c);
        count += 1;
        if count >= TEXT_MAX_CHARS {
            break;
        }
    }
    out
}

/// Reads a stored file's text (unless it was read before) and records it. Called when a
/// file is uploaded, before the document that attaches it is registered, so the document's
/// entry includes the text in the registration's own transaction. A file that cannot be
/// read is recorded as such; only a failing database is an error.
pub async fn read_and_record(
    db: &Db,
    blobs: &BlobStore,
    blob: &StoredBlob,
) -> StoreResult<TextStatus> {
    if let Some(status) = status(db, &blob.sha256).await? {
        return Ok(status);
    }
    let bytes = match blob.content_type.as_str() {
        "application/pdf" | "text/plain" => match blobs.read_all(&blob.sha256).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(sha256 = %blob.sha256, error = %e, "Could not read an attachment back for its text.");
                return Ok(TextStatus::Failed);
            }
        },
        _ => Vec::new(),
    };
    let content_type = blob.content_type.clone();
    let (status, text, pages) = tokio::task::spawn_blocking(move || extract(&content_type, &bytes))
        .await
        .unwrap_or((TextStatus::Failed, String::new(), None));
    let _turn = db.write_turn().await?;
    on_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO blob_texts (sha256, status, text, pages, extracted_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&blob.sha256)
        .bind(status.code())
        .bind(&text)
        .bind(pages)
        .bind(crate::now())
        .execute(pool)
        .await?;
    });
    Ok(status)
}

async fn status(db: &Db, sha256: &str) -> StoreResult<Option<TextStatus>> {
    let code: Option<String> = on_pool!(db, pool => {
        sqlx::query_scalar("SELECT status FROM blob_texts WHERE sha256 = $1").bind(sha256).fetch_optional(pool).await?
    });
    Ok(code.map(|c| match c.as_str() {
        "text" => TextStatus::Text,
        "no_text_layer" => TextStatus::NoTextLayer,
        "unsupported" => TextStatus::Unsupported,
        _ => TextStatus::Failed,
    }))
}

/// Attached files whose text was never read (attached before search existed, or by a bulk
/// loader): read them now, then re-index their documents. Returns how many files were read.
pub async fn catch_up(
    db: &Db,
    blobs: &BlobStore,
    mut progress: impl FnMut(u64, u64),
) -> StoreResult<u64> {
    let pending: Vec<(String, i64, String)> = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT DISTINCT b.sha256, b.size, b.content_type FROM document_attachments a JOIN blobs b ON b.sha256 = a.sha256 \
             WHERE NOT EXISTS (SELECT 1 FROM blob_texts t WHERE t.sha256 = a.sha256) ORDER BY b.sha256",
        )
        .fetch_all(pool)
        .await?
    });
    let total = pending.len() as u64;
    for (done, (sha256, size, content_type)) in pending.into_iter().enumerate() {
        let blob = StoredBlob {
            sha256: sha256.clone(),
            size,
            content_type,
        };
        read_and_record(db, blobs, &blob).await?;
        let documents: Vec<i64> = on_pool!(db, pool => {
            sqlx::query_scalar("SELECT DISTINCT document_id FROM document_attachments WHERE sha256 = $1")
                .bind(&sha256).fetch_all(pool).await?
        });
        let mut tx = db.begin().await?;
        super::documents::index_documents(&mut tx, &documents).await?;
        tx.commit().await?;
        progress(done as u64 + 1, total);
    }
    Ok(total)
}

/// A scanned attachment (no text layer) of a document the reader may see.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Scan {
    pub document_id: i64,
    pub direction: String,
    pub subject: String,
    pub number_symbol: Option<String>,
    pub file_name: String,
    pub created_at: DateTime<Utc>,
}

/// Scanned attachments of documents inside `scope`, newest first: what search cannot read.
pub async fn scans(db: &Db, scope: &ReadScope, user: UserId, limit: i64) -> StoreResult<Vec<Scan>> {
    let sql = format!(
        "SELECT d.id AS document_id, d.direction, d.subject, d.number_symbol, a.file_name, a.created_at \
         FROM document_attachments a JOIN blob_texts t ON t.sha256 = a.sha256 JOIN documents d ON d.id = a.document_id \
         WHERE t.status = 'no_text_layer' AND {} ORDER BY a.id DESC LIMIT $1",
        crate::documents::scope_condition(scope, user)
    );
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Scan>(&sql).bind(limit).fetch_all(pool).await?))
}

/// How many scanned attachments of documents inside `scope` there are (up to `cap`).
pub async fn count_scans(db: &Db, scope: &ReadScope, user: UserId, cap: i64) -> StoreResult<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM document_attachments a JOIN blob_texts t ON t.sha256 = a.sha256 \
         JOIN documents d ON d.id = a.document_id WHERE t.status = 'no_text_layer' AND {} LIMIT {cap}) c",
        crate::documents::scope_condition(scope, user)
    );
    Ok(on_pool!(db, pool => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_scans_and_other_files_are_unsupported() {
        assert_eq!(extract("image/png", b"\x89PNG").0, TextStatus::NoTextLayer);
        assert_eq!(extract("application/zip", b"PK").0, TextStatus::Unsupported);
        assert_eq!(
            extract("application/pdf", b"%PDF-1.4 garbage").0,
            TextStatus::Failed
        );
        let (status, text, _) =
            extract("text/plain", "Kế hoạch\n\n  bảo vệ\tmôi trường".as_bytes());
        assert_eq!(status, TextStatus::Text);
        assert_eq!(text, "Kế hoạch bảo vệ môi trường");
    }
}
