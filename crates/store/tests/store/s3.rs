//! The blob store against a real S3-compatible server.
//!
//! Each test starts its own `moto` server (Python, from PyPI) on a free loopback port,
//! creates its bucket with a plain unsigned HTTP request, and stops the server when it
//! ends. Without moto the tests fail, saying what to install: they never skip.
//!
//! `BlobStore::open` takes the S3 endpoint and credentials from the AWS_* environment
//! variables, and `cargo test` may run several tests of this binary in one process, so
//! the variables are set and read under one lock (see [`open_store`]); nothing else in
//! this binary reads them.

use bytes::Bytes;
use futures::{stream, Stream, StreamExt};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;
use vanphong_store::blobs::{self, BlobStore};
use vanphong_store::testing::s3::S3Server;
use vanphong_store::testing::TestDb;
use vanphong_store::{Backend, StoreError};

const BUCKET: &str = "vanphong-blobs";
/// The upload limit of the stores under test: above the 8 MiB part size.
const LIMIT: u64 = 24 * 1024 * 1024;
/// A file that goes up in three parts (8 + 8 + the rest MiB).
const BIG: u64 = 17 * 1024 * 1024 + 12_345;

/// Serialises setting the AWS_* variables and reading them in `BlobStore::open`.
static AWS_ENV: Mutex<()> = Mutex::new(());

/// Opens `s3://bucket` on `server`, with `extra` AWS_* variables set for this one open.
fn open_store(server: &S3Server, bucket: &str, temp: &Path, extra: &[(&str, &str)]) -> BlobStore {
    let _guard = AWS_ENV
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let endpoint = server.endpoint();
    let settings = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ALLOW_HTTP", "true"),
    ];
    // Variables a developer's shell may hold that would change what is tested.
    for name in [
        "AWS_ENDPOINT",
        "AWS_SESSION_TOKEN",
        "AWS_TOKEN",
        "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
        "AWS_SKIP_SIGNATURE",
        "AWS_CONDITIONAL_PUT",
    ] {
        std::env::remove_var(name);
    }
    for (name, value) in settings.iter().chain(extra) {
        std::env::set_var(name, value);
    }
    let store = BlobStore::open(&format!("s3://{bucket}"), temp, LIMIT);
    for (name, _) in extra {
        std::env::remove_var(name);
    }
    store.unwrap()
}

fn key(sha256: &str) -> String {
    format!("sha256/{}/{}/{}", &sha256[0..2], &sha256[2..4], sha256)
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The bytes of a generated file: a pattern whose period (251) is prime to the part size.
fn generated_chunk(seed: u8, start: u64, end: u64) -> Bytes {
    (start..end)
        .map(|i| (i % 251) as u8 ^ seed)
        .collect::<Vec<u8>>()
        .into()
}

/// A generated file of `len` bytes, streamed in odd-sized chunks, never whole in memory.
fn generated(len: u64, seed: u8) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    const CHUNK: u64 = 64 * 1024 + 7;
    stream::iter(
        (0..len)
            .step_by(CHUNK as usize)
            .map(move |start| Ok(generated_chunk(seed, start, (start + CHUNK).min(len)))),
    )
}

async fn generated_digest(len: u64, seed: u8) -> String {
    let mut hasher = Sha256::new();
    let mut chunks = generated(len, seed);
    while let Some(chunk) = chunks.next().await {
        hasher.update(chunk.unwrap());
    }
    hex::encode(hasher.finalize())
}

/// Reads a blob back as a stream and compares it, byte for byte, with the generated file.
async fn assert_reads_back_generated(store: &BlobStore, sha256: &str, len: u64, seed: u8) {
    let mut body = store.open_stream(sha256).await.unwrap();
    let mut offset = 0u64;
    let mut hasher = Sha256::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        let end = offset + chunk.len() as u64;
        assert!(
            end <= len,
            "the blob is longer than the {len} bytes uploaded"
        );
        assert!(
            chunk == generated_chunk(seed, offset, end),
            "the blob differs in bytes {offset}..{end}"
        );
        hasher.update(&chunk);
        offset = end;
    }
    assert_eq!(
        offset, len,
        "the blob is shorter than the {len} bytes uploaded"
    );
    assert_eq!(hex::encode(hasher.finalize()), sha256);
}

fn small(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    stream::iter(
        parts
            .iter()
            .map(|p| Ok(Bytes::from_static(p)))
            .collect::<Vec<_>>(),
    )
}

fn temp_files(temp: &Path) -> usize {
    std::fs::read_dir(temp).unwrap().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_blobs_round_trip_are_stored_once_and_refusals_leave_nothing() {
    let server = S3Server::start().await;
    server.create_bucket(BUCKET).await;
    let dir = tempfile::tempdir().unwrap();
    let temp = dir.path().join("uploads");
    let store = open_store(&server, BUCKET, &temp, &[]);
    assert_eq!(store.describe(), "s3://vanphong-blobs");
    store.ping().await.unwrap();
    assert!(store.list().await.unwrap().is_empty());

    // A small file goes up in one request.
    let pdf: &[&'static [u8]] = &[b"%PDF-1.4\n", "Công văn số 07/VP".as_bytes()];
    let pdf_bytes = pdf.concat();
    let first = store.put_stream(small(pdf)).await.unwrap();
    assert_eq!(first.sha256, hex_sha256(&pdf_bytes));
    assert_eq!(first.size, pdf_bytes.len() as i64);
    assert_eq!(first.content_type, "application/pdf");
    assert_eq!(store.read_all(&first.sha256).await.unwrap(), pdf_bytes);
    assert_eq!(
        server.keys(BUCKET).await,
        vec![key(&first.sha256)],
        "stored at its content address"
    );

    // A file larger than a part goes up in parts.
    let big = store.put_stream(generated(BIG, 1)).await.unwrap();
    assert_eq!(big.sha256, generated_digest(BIG, 1).await);
    assert_eq!(big.size, BIG as i64);
    assert_eq!(big.content_type, "application/octet-stream");
    assert_reads_back_generated(&store, &big.sha256, BIG, 1).await;
    assert_eq!(
        server.pending_uploads(BUCKET).await,
        0,
        "the multipart upload was completed"
    );

    // Identical content is stored once.
    assert_eq!(store.put_stream(small(pdf)).await.unwrap(), first);
    assert_eq!(store.put_stream(generated(BIG, 1)).await.unwrap(), big);
    assert_eq!(store.list().await.unwrap().len(), 2);
    let mut expected = vec![key(&first.sha256), key(&big.sha256)];
    expected.sort();
    assert_eq!(server.keys(BUCKET).await, expected);
    assert_eq!(
        temp_files(&temp),
        0,
        "the temporary files of finished uploads are gone"
    );

    assert!(store.exists(&first.sha256).await.unwrap());
    assert!(store.exists(&big.sha256).await.unwrap());
    let absent = hex_sha256(b"never uploaded");
    assert!(!store.exists(&absent).await.unwrap());
    assert!(!store.exists("../../etc/passwd").await.unwrap());
    assert!(matches!(
        store.open_stream(&absent).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.read_all("not-a-digest").await,
        Err(StoreError::NotFound)
    ));

    // Refusals: over the limit, an interrupted stream, a refusing check. None leaves a
    // temporary file, an object or an unfinished multipart upload.
    let over = store.put_stream(generated(LIMIT + 1, 2)).await;
    assert!(
        matches!(over, Err(StoreError::TooLarge { limit: LIMIT })),
        "{over:?}"
    );
    let broken = stream::iter(vec![
        Ok(Bytes::from_static(b"partial")),
        Ok(Bytes::from(vec![3u8; 9 * 1024 * 1024])),
        Err(std::io::Error::other("client went away")),
    ]);
    let interrupted = store.put_stream(broken).await;
    assert!(
        matches!(interrupted, Err(StoreError::Invalid(ref m)) if m.contains("client went away")),
        "{interrupted:?}"
    );
    for (len, seed) in [(100, 4), (9 * 1024 * 1024, 5)] {
        let mut seen = None;
        let refused = store
            .put_stream_checked(generated(len, seed), |blob| {
                seen = Some(blob.clone());
                Err("file_type_not_allowed".to_owned())
            })
            .await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(ref m)) if m == "file_type_not_allowed"),
            "{refused:?}"
        );
        let seen = seen.expect("the check saw the file");
        assert_eq!(
            (seen.size, seen.sha256),
            (len as i64, generated_digest(len, seed).await)
        );
    }
    assert_eq!(temp_files(&temp), 0, "no temporary file left behind");
    assert_eq!(server.keys(BUCKET).await, expected, "no object left behind");
    assert_eq!(
        server.pending_uploads(BUCKET).await,
        0,
        "no multipart upload left behind"
    );
    assert_eq!(store.list().await.unwrap().len(), 2);

    // A store whose server refuses conditional writes falls back to a plain put.
    let unconditional = open_store(
        &server,
        BUCKET,
        &temp,
        &[("AWS_CONDITIONAL_PUT", "disabled")],
    );
    let third = unconditional
        .put_stream(small(&[b"third file"]))
        .await
        .unwrap();
    assert_eq!(
        unconditional.read_all(&third.sha256).await.unwrap(),
        b"third file"
    );
    assert_eq!(store.list().await.unwrap().len(), 3);

    // A bucket that is not there: the readiness probe says so, an upload fails cleanly.
    let missing = open_store(&server, "no-such-bucket", &temp, &[]);
    let error = missing.ping().await.unwrap_err();
    assert!(error.to_string().contains("not reachable"), "{error}");
    assert!(missing.put_stream(small(&[b"lost"])).await.is_err());
    assert_eq!(
        temp_files(&temp),
        0,
        "a failed upload leaves no temporary file"
    );
}

/// `sweep` on S3: removes objects no row refers to, keeps recorded ones and what the blob
/// store did not write, and removes abandoned temporary files.
async fn s3_sweep_removes_unrecorded_objects_and_keeps_recorded_ones(backend: Backend) {
    let server = S3Server::start().await;
    let t = TestDb::new(backend).await;
    server.create_bucket(BUCKET).await;
    let temp = t.dir.path().join("uploads");
    let store = open_store(&server, BUCKET, &temp, &[]);
    let orphan = store
        .put_stream(small(&[b"uploaded, never recorded"]))
        .await
        .unwrap();
    let kept = store
        .put_stream(small(&[b"uploaded and recorded"]))
        .await
        .unwrap();
    let mut tx = t.db.begin().await.unwrap();
    blobs::record(&mut tx, &kept).await.unwrap();
    tx.commit().await.unwrap();
    // Objects outside the store's prefix, one of them named like a blob.
    let lookalike = format!("sha256-old/{}", &key(&orphan.sha256)["sha256/".len()..]);
    server.put_foreign(BUCKET, "notes/readme.txt").await;
    server.put_foreign(BUCKET, &lookalike).await;
    assert_eq!(
        store.list().await.unwrap().len(),
        2,
        "only the store's prefix is listed"
    );
    std::fs::write(temp.join("abandoned-upload"), b"half a file").unwrap();

    let young = store.sweep(&t.db, Duration::from_secs(3600)).await.unwrap();
    assert_eq!(
        young,
        (0, 0),
        "young files are spared: their row may be on its way"
    );
    let swept = store.sweep(&t.db, Duration::ZERO).await.unwrap();
    assert_eq!(swept, (1, 1));
    assert!(!store.exists(&orphan.sha256).await.unwrap());
    assert!(store.exists(&kept.sha256).await.unwrap());
    assert_eq!(
        store.read_all(&kept.sha256).await.unwrap(),
        b"uploaded and recorded"
    );
    let mut expected = vec![key(&kept.sha256), "notes/readme.txt".to_owned(), lookalike];
    expected.sort();
    assert_eq!(server.keys(BUCKET).await, expected);
    assert_eq!(temp_files(&temp), 0);
    assert_eq!(store.sweep(&t.db, Duration::ZERO).await.unwrap(), (0, 0));
}

vanphong_store::on_both_backends!(s3_sweep_removes_unrecorded_objects_and_keeps_recorded_ones);

#[test]
fn an_s3_spec_without_a_bucket_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    for spec in ["s3://", "s3:///"] {
        let error = BlobStore::open(spec, dir.path(), LIMIT).unwrap_err();
        assert!(matches!(error, StoreError::Invalid(_)), "{spec}: {error:?}");
        assert_eq!(
            error.to_string(),
            "the blob store s3:// URL names no bucket",
            "{spec}"
        );
    }
}
