//! The content-addressed blob store for attachments: a directory or an S3-compatible bucket.
//!
//! An upload streams through a temporary file while its SHA-256 is computed, its size is
//! checked against the limit and its first bytes are sniffed for the real content type;
//! only then is it moved (or uploaded) to `sha256/ab/cd/<digest>`. Identical files are
//! therefore stored once, and a failed or cancelled upload leaves at most a temporary
//! file, which [`BlobStore::sweep`] removes, as it removes stored objects that no database
//! row refers to.

use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use anyhow::Context;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How many leading bytes are kept for content sniffing.
const SNIFF_BYTES: usize = 8192;
/// Files up to this size go to S3 in one request; larger ones in parts of this size.
const PART_BYTES: usize = 8 * 1024 * 1024;

/// A file in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: i64,
    /// The type found by looking at the bytes, not the type the client claimed.
    pub content_type: String,
}

enum Backend {
    Directory {
        root: PathBuf,
    },
    S3 {
        store: Arc<dyn ObjectStore>,
        bucket: String,
    },
}

/// Where blobs live and how large one may be.
pub struct BlobStore {
    backend: Backend,
    temp_dir: PathBuf,
    max_bytes: u64,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BlobStore({}, max {} bytes)",
            self.describe(),
            self.max_bytes
        )
    }
}

impl BlobStore {
    /// Opens the store named by `spec`: a directory path, or `s3://bucket` with the
    /// endpoint and credentials from the usual AWS_* environment variables.
    /// `temp_dir` receives uploads in progress.
    pub fn open(spec: &str, temp_dir: &Path, max_bytes: u64) -> StoreResult<Self> {
        std::fs::create_dir_all(temp_dir)
            .with_context(|| format!("creating the upload directory {}", temp_dir.display()))?;
        let backend = if let Some(bucket) = spec.strip_prefix("s3://") {
            let bucket = bucket.trim_end_matches('/').to_owned();
            if bucket.is_empty() {
                return Err(StoreError::Invalid(
                    "the blob store s3:// URL names no bucket".into(),
                ));
            }
            let store = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(&bucket)
                .build()
                .with_context(|| format!("configuring the S3 blob store for bucket {bucket}"))?;
            Backend::S3 {
                store: Arc::new(store),
                bucket,
            }
        } else {
            let root = PathBuf::from(spec);
            std::fs::create_dir_all(root.join("sha256"))
                .with_context(|| format!("creating the blob directory {}", root.display()))?;
            Backend::Directory { root }
        };
        Ok(Self {
            backend,
            temp_dir: temp_dir.to_owned(),
            max_bytes,
        })
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// A short description for logs and the readiness probe.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Directory { root } => format!("directory {}", root.display()),
            Backend::S3 { bucket, .. } => format!("s3://{bucket}"),
        }
    }

    fn key(sha256: &str) -> String {
        format!("sha256/{}/{}/{}", &sha256[0..2], &sha256[2..4], sha256)
    }

    /// Streams `body` into the store. Refuses it once it passes the size limit; nothing
    /// stays behind in that case.
    pub async fn put_stream<S, E>(&self, body: S) -> StoreResult<StoredBlob>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.put_stream_checked(body, |_| Ok(())).await
    }

    /// Like [`put_stream`](Self::put_stream), but `check` sees the finished file's digest,
    /// size and sniffed type before it is stored, and can refuse it (with a code for
    /// `StoreError::Invalid`); a refused file leaves nothing behind.
    pub async fn put_stream_checked<S, E>(
        &self,
        mut body: S,
        check: impl FnOnce(&StoredBlob) -> Result<(), String>,
    ) -> StoreResult<StoredBlob>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let temp = tempfile::NamedTempFile::new_in(&self.temp_dir)
            .context("creating a temporary upload file")?;
        let mut file =
            tokio::fs::File::from_std(temp.reopen().context("opening the temporary upload file")?);
        let mut hasher = Sha256::new();
        let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk
                .map_err(|e| StoreError::Invalid(format!("the upload was interrupted: {e}")))?;
            size += chunk.len() as u64;
            if size > self.max_bytes {
                return Err(StoreError::TooLarge {
                    limit: self.max_bytes,
                });
            }
            if head.len() < SNIFF_BYTES {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(&chunk);
            file.write_all(&chunk)
                .await
                .context("writing the upload to disk")?;
        }
        file.sync_all()
            .await
            .context("flushing the upload to disk")?;
        drop(file);
        let sha256 = hex::encode(hasher.finalize());
        let blob = StoredBlob {
            sha256,
            size: size as i64,
            content_type: sniff(&head).to_owned(),
        };
        check(&blob).map_err(StoreError::Invalid)?;
        self.commit_temp(temp, &blob).await?;
        Ok(blob)
    }

    /// Moves a finished temporary file to its content address.
    async fn commit_temp(
        &self,
        temp: tempfile::NamedTempFile,
        blob: &StoredBlob,
    ) -> StoreResult<()> {
        let key = Self::key(&blob.sha256);
        match &self.backend {
            Backend::Directory { root } => {
                let target = root.join(&key);
                if tokio::fs::try_exists(&target).await.unwrap_or(false) {
                    return Ok(()); // Same content already stored; the temp file is dropped.
                }
                if let Some(parent) = target.parent() {
                    tokio::fs::create_dir_all(parent)
                        .await
                        .context("creating the blob directory")?;
                }
                // A rename within one file system is atomic: readers see all or nothing.
                temp.persist(&target).map_err(|e| {
                    StoreError::Other(anyhow::Error::new(e.error).context("storing the blob"))
                })?;
                Ok(())
            }
            Backend::S3 { store, .. } => {
                let location = ObjectPath::from(key);
                if store.head(&location).await.is_ok() {
                    return Ok(());
                }
                let path = temp.path().to_owned();
                if blob.size as usize <= PART_BYTES {
                    let bytes = tokio::fs::read(&path)
                        .await
                        .context("reading the upload back")?;
                    let options = PutOptions {
                        mode: PutMode::Create,
                        ..Default::default()
                    };
                    match store
                        .put_opts(&location, PutPayload::from(bytes), options)
                        .await
                    {
                        Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
                        // Some S3 servers do not support conditional writes; content
                        // addressing makes a plain overwrite harmless.
                        Err(object_store::Error::NotImplemented) => {
                            let bytes = tokio::fs::read(&path)
                                .await
                                .context("reading the upload back")?;
                            store
                                .put(&location, PutPayload::from(bytes))
                                .await
                                .context("uploading the blob")?;
                            Ok(())
                        }
                        Err(e) => Err(StoreError::Other(
                            anyhow::Error::new(e).context("uploading the blob"),
                        )),
                    }
                } else {
                    let mut upload = store
                        .put_multipart(&location)
                        .await
                        .context("starting a multipart upload")?;
                    let sent = send_parts(upload.as_mut(), &path).await;
                    if sent.is_err() {
                        // The parts already sent stay in the bucket, invisible to `list`
                        // and `sweep` but kept (and billed) until the upload is aborted.
                        let _ = upload.abort().await;
                    }
                    sent.map_err(StoreError::Other)
                }
            }
        }
    }

    /// The blob's bytes as a stream, for downloads.
    pub async fn open_stream(
        &self,
        sha256: &str,
    ) -> StoreResult<BoxStream<'static, std::io::Result<Bytes>>> {
        if !is_digest(sha256) {
            return Err(StoreError::NotFound);
        }
        let key = Self::key(sha256);
        match &self.backend {
            Backend::Directory { root } => {
                let file =
                    tokio::fs::File::open(root.join(&key))
                        .await
                        .map_err(|e| match e.kind() {
                            std::io::ErrorKind::NotFound => StoreError::NotFound,
                            _ => {
                                StoreError::Other(anyhow::Error::new(e).context("opening the blob"))
                            }
                        })?;
                Ok(tokio_util::io::ReaderStream::new(file).boxed())
            }
            Backend::S3 { store, .. } => {
                let result = store
                    .get(&ObjectPath::from(key))
                    .await
                    .map_err(|e| match e {
                        object_store::Error::NotFound { .. } => StoreError::NotFound,
                        other => {
                            StoreError::Other(anyhow::Error::new(other).context("reading the blob"))
                        }
                    })?;
                Ok(result.into_stream().map_err(std::io::Error::other).boxed())
            }
        }
    }

    /// Reads a whole blob into memory (for small files and tests).
    pub async fn read_all(&self, sha256: &str) -> StoreResult<Vec<u8>> {
        let mut stream = self.open_stream(sha256).await?;
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.context("reading the blob")?);
        }
        Ok(out)
    }

    pub async fn exists(&self, sha256: &str) -> StoreResult<bool> {
        if !is_digest(sha256) {
            return Ok(false);
        }
        let key = Self::key(sha256);
        Ok(match &self.backend {
            Backend::Directory { root } => {
                tokio::fs::try_exists(root.join(key)).await.unwrap_or(false)
            }
            Backend::S3 { store, .. } => store.head(&ObjectPath::from(key)).await.is_ok(),
        })
    }

    /// Every stored digest with its last-modified time.
    pub async fn list(&self) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
        match &self.backend {
            Backend::Directory { root } => {
                let root = root.join("sha256");
                tokio::task::spawn_blocking(move || list_directory(&root))
                    .await
                    .map_err(|e| StoreError::Other(e.into()))?
            }
            Backend::S3 { store, .. } => {
                let prefix = ObjectPath::from("sha256");
                let metas: Vec<_> = store
                    .list(Some(&prefix))
                    .try_collect()
                    .await
                    .context("listing the bucket")?;
                Ok(metas
                    .into_iter()
                    .filter_map(|m| {
                        let name = m.location.filename()?.to_owned();
                        is_digest(&name).then_some((name, m.last_modified))
                    })
                    .collect())
            }
        }
    }

    async fn delete(&self, sha256: &str) -> StoreResult<()> {
        let key = Self::key(sha256);
        match &self.backend {
            Backend::Directory { root } => {
                tokio::fs::remove_file(root.join(key))
                    .await
                    .context("deleting an orphan blob")?;
            }
            Backend::S3 { store, .. } => {
                store
                    .delete(&ObjectPath::from(key))
                    .await
                    .context("deleting an orphan blob")?;
            }
        }
        Ok(())
    }

    /// Checks that the store answers (for the readiness probe).
    pub async fn ping(&self) -> StoreResult<()> {
        match &self.backend {
            Backend::Directory { root } => {
                tokio::fs::metadata(root.join("sha256"))
                    .await
                    .context("the blob directory is not reachable")?;
            }
            Backend::S3 { store, .. } => {
                store
                    .list_with_delimiter(Some(&ObjectPath::from("sha256")))
                    .await
                    .context("the S3 bucket is not reachable")?;
            }
        }
        Ok(())
    }

    /// Removes what failed uploads left: temporary files older than `grace`, and stored
    /// objects older than `grace` that no row of the `blobs` table refers to.
    /// Returns (temporary files removed, orphan objects removed).
    pub async fn sweep(&self, db: &Db, grace: Duration) -> StoreResult<(usize, usize)> {
        let cutoff = std::time::SystemTime::now() - grace;
        let mut temps = 0;
        let mut entries = tokio::fs::read_dir(&self.temp_dir)
            .await
            .context("listing the upload directory")?;
        while let Some(entry) = entries
            .next_entry()
            .await
            .context("listing the upload directory")?
        {
            let old = entry
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .is_some_and(|t| t < cutoff);
            if old && tokio::fs::remove_file(entry.path()).await.is_ok() {
                temps += 1;
            }
        }
        let cutoff_utc = Utc::now() - chrono::Duration::from_std(grace).unwrap_or_default();
        let mut orphans = 0;
        for (sha256, modified) in self.list().await? {
            if modified >= cutoff_utc || is_recorded(db, &sha256).await? {
                continue;
            }
            self.delete(&sha256).await?;
            orphans += 1;
        }
        Ok((temps, orphans))
    }
}

/// Sends the file at `path` as the parts of `upload`, [`PART_BYTES`] each but the last
/// (S3 wants every part but the last to be at least 5 MiB), a few at a time, and
/// completes the upload. On failure the caller aborts it.
async fn send_parts(
    upload: &mut dyn object_store::MultipartUpload,
    path: &Path,
) -> anyhow::Result<()> {
    use tokio::io::AsyncReadExt;
    const IN_FLIGHT: usize = 4;
    let mut file = tokio::fs::File::open(path)
        .await
        .context("reading the upload back")?;
    let mut in_flight = futures::stream::FuturesUnordered::<object_store::UploadPart>::new();
    loop {
        let mut part = Vec::with_capacity(PART_BYTES);
        (&mut file)
            .take(PART_BYTES as u64)
            .read_to_end(&mut part)
            .await
            .context("reading the upload back")?;
        if part.is_empty() {
            break;
        }
        while in_flight.len() >= IN_FLIGHT {
            if let Some(result) = in_flight.next().await {
                result.context("uploading a part")?;
            }
        }
        in_flight.push(upload.put_part(PutPayload::from(part)));
    }
    while let Some(result) = in_flight.next().await {
        result.context("uploading a part")?;
    }
    upload
        .complete()
        .await
        .context("finishing the multipart upload")?;
    Ok(())
}

fn list_directory(root: &Path) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_digest(&name) {
                let modified = meta
                    .modified()
                    .map(DateTime::<Utc>::from)
                    .unwrap_or_else(|_| Utc::now());
                found.push((name, modified));
            }
        }
    }
    Ok(found)
}

fn is_digest(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The content type found in the first bytes of a file.
pub fn sniff(head: &[u8]) -> &'static str {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type();
    }
    // Text: valid UTF-8, allowing a character cut at the sniffing boundary.
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
    };
    if text && !head.contains(&0) {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

/// Records a stored blob in the caller's transaction (idempotent).
pub async fn record(tx: &mut Tx, blob: &StoredBlob) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO blobs (sha256, size, content_type, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&blob.sha256)
        .bind(blob.size)
        .bind(&blob.content_type)
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// Records that `user` uploaded `blob` under `file_name`, with the blob row, in one
/// transaction with its audit event.
pub async fn record_upload(
    db: &Db,
    origin: &crate::audit::Origin,
    user: vanphong_core::ids::UserId,
    blob: &StoredBlob,
    file_name: &str,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    record(&mut tx, blob).await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO blob_uploads (sha256, user_id, file_name, uploaded_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256, user_id) DO NOTHING",
        )
        .bind(&blob.sha256)
        .bind(user.0)
        .bind(file_name)
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
    });
    crate::audit::append(
        &mut tx,
        origin,
        crate::audit::Change {
            action: "blob.upload",
            object_kind: "blob",
            object_id: blob.sha256.clone(),
            before: None,
            after: None,
            details: serde_json::json!({"file_name": file_name, "size": blob.size, "content_type": blob.content_type}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The name `user` gave the blob when uploading it, if they did.
pub async fn uploaded_by(
    db: &Db,
    sha256: &str,
    user: vanphong_core::ids::UserId,
) -> StoreResult<Option<String>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar("SELECT file_name FROM blob_uploads WHERE sha256 = $1 AND user_id = $2")
            .bind(sha256)
            .bind(user.0)
            .fetch_optional(pool)
            .await?
    }))
}

pub async fn is_recorded(db: &Db, sha256: &str) -> StoreResult<bool> {
    let found: Option<i64> = on_pool!(db, pool => {
        sqlx::query_scalar("SELECT size FROM blobs WHERE sha256 = $1").bind(sha256).fetch_optional(pool).await?
    });
    Ok(found.is_some())
}

/// A recorded blob's metadata.
pub async fn metadata(db: &Db, sha256: &str) -> StoreResult<StoredBlob> {
    let (size, content_type): (i64, String) = on_pool!(db, pool => {
        sqlx::query_as("SELECT size, content_type FROM blobs WHERE sha256 = $1").bind(sha256).fetch_one(pool).await?
    });
    Ok(StoredBlob {
        sha256: sha256.to_owned(),
        size,
        content_type,
    })
}

#[cfg(test)]
mod tests {
    use super::{sniff, Backend, BlobStore, PART_BYTES};
    use futures::stream::{self, BoxStream};
    use object_store::memory::InMemory;
    use object_store::path::Path;
    use object_store::{
        GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
        PutMultipartOptions, PutOptions, PutPayload, PutResult, UploadPart,
    };
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// An S3 stand-in whose multipart uploads fail at their second part.
    #[derive(Debug, Default)]
    struct FailingParts {
        inner: InMemory,
        aborted: Arc<AtomicUsize>,
    }

    impl std::fmt::Display for FailingParts {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("FailingParts")
        }
    }

    #[derive(Debug)]
    struct FailingUpload {
        parts: usize,
        aborted: Arc<AtomicUsize>,
    }

    #[async_trait::async_trait]
    impl MultipartUpload for FailingUpload {
        fn put_part(&mut self, _data: PutPayload) -> UploadPart {
            self.parts += 1;
            let fail = self.parts == 2;
            Box::pin(async move {
                if fail {
                    Err(object_store::Error::Generic {
                        store: "FailingParts",
                        source: "the connection was reset".into(),
                    })
                } else {
                    Ok(())
                }
            })
        }
        async fn complete(&mut self) -> object_store::Result<PutResult> {
            unreachable!("a failed upload is never completed")
        }
        async fn abort(&mut self) -> object_store::Result<()> {
            self.aborted.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[async_trait::async_trait]
    impl ObjectStore for FailingParts {
        async fn put_opts(
            &self,
            location: &Path,
            payload: PutPayload,
            opts: PutOptions,
        ) -> object_store::Result<PutResult> {
            self.inner.put_opts(location, payload, opts).await
        }
        async fn put_multipart_opts(
            &self,
            _location: &Path,
            _opts: PutMultipartOptions,
        ) -> object_store::Result<Box<dyn MultipartUpload>> {
            Ok(Box::new(FailingUpload {
                parts: 0,
                aborted: self.aborted.clone(),
            }))
        }
        async fn get_opts(
            &self,
            location: &Path,
            options: GetOptions,
        ) -> object_store::Result<GetResult> {
            self.inner.get_opts(location, options).await
        }
        async fn delete(&self, location: &Path) -> object_store::Result<()> {
            self.inner.delete(location).await
        }
        fn list(
            &self,
            prefix: Option<&Path>,
        ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
            self.inner.list(prefix)
        }
        async fn list_with_delimiter(
            &self,
            prefix: Option<&Path>,
        ) -> object_store::Result<ListResult> {
            self.inner.list_with_delimiter(prefix).await
        }
        async fn copy(&self, from: &Path, to: &Path) -> object_store::Result<()> {
            self.inner.copy(from, to).await
        }
        async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> object_store::Result<()> {
            self.inner.copy_if_not_exists(from, to).await
        }
    }

    #[tokio::test]
    async fn a_failed_multipart_upload_is_aborted() {
        let temp = tempfile::tempdir().unwrap();
        let failing = Arc::new(FailingParts::default());
        let store = BlobStore {
            backend: Backend::S3 {
                store: failing.clone(),
                bucket: "test".into(),
            },
            temp_dir: temp.path().to_owned(),
            max_bytes: 64 * 1024 * 1024,
        };
        let chunks =
            (0..3).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![1u8; PART_BYTES])));
        let error = store.put_stream(stream::iter(chunks)).await.unwrap_err();
        assert!(
            format!("{error:#}").contains("uploading a part"),
            "{error:#}"
        );
        assert_eq!(
            failing.aborted.load(Ordering::SeqCst),
            1,
            "the upload was aborted"
        );
        assert_eq!(std::fs::read_dir(temp.path()).unwrap().count(), 0);
    }

    #[test]
    fn sniffing_looks_at_the_bytes_not_the_name() {
        assert_eq!(sniff(b"%PDF-1.4\n%\xe2\xe3"), "application/pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff("Công văn số 07".as_bytes()), "text/plain");
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0"),
            "application/vnd.microsoft.portable-executable"
        );
        assert_eq!(sniff(b"\0\x01\x02\xff\xfe"), "application/octet-stream");
    }
}
