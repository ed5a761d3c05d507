//! Several `vanphong serve` nodes on one database and one S3 bucket (a real moto server):
//! a session opened on one node works on the other, numbers stay gap-free with clerks on
//! both, the daily job runs once, a file uploaded through one node downloads through the
//! other, and a node killed with SIGKILL in the middle of uploads and registrations leaves
//! no half-written record and no orphan file, while clients that retry on the other node
//! succeed. Each test runs on PostgreSQL (the cluster) and on SQLite (two processes sharing
//! one database file, which SQLite's locking also allows).

use crate::serve::{get_when_ready, RunningServer, PATIENCE};
use crate::{Installation, Storage};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::process::Command;
use std::time::Instant;
use vanphong_store::testing::s3::S3Server;
use vanphong_store::{on_both_backends, Backend, Db};

const BUCKET: &str = "vanphong-cluster";
const DEMO_PASSWORD: &str = "demo-vanphong";

/// Points a command at the test's bucket, the way an operator configures a cluster node.
fn on_s3(mut command: Command, s3: &S3Server) -> Command {
    command
        .arg("--blob-store")
        .arg(format!("s3://{BUCKET}"))
        .env("AWS_ENDPOINT_URL", s3.endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ALLOW_HTTP", "true");
    command
}

/// An office with the demo agency (at a small scale) on `backend` and files in S3.
async fn office_on_s3(backend: Backend, s3: &S3Server) -> Installation {
    s3.create_bucket(BUCKET).await;
    let office = Installation::new(backend).await;
    crate::run(on_s3(
        office.command(&["demo", "--no-serve", "--scale", "0.02"]),
        s3,
    ))
    .expect_success();
    office
}

/// Starts one node with its own data folder (only temporary upload files live there).
fn start_node(office: &Installation, s3: &S3Server, name: &str) -> (RunningServer, String) {
    let storage = Storage {
        data_dir: office.scratch_dir().join(name),
        database_url: office.database_url.clone(),
    };
    let command = on_s3(storage.command(&["serve", "--listen", "127.0.0.1:0"]), s3);
    let server = RunningServer::start(command, office.scratch_dir().join(format!("{name}.stderr")));
    let address = server.address();
    (server, address)
}

fn api_key(office: &Installation) -> String {
    office
        .create_api_key("vanthu", "cluster test")
        .expect_success()
        .value_after("Key (shown once):")
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn csrf_token(client: &reqwest::Client, url: &str) -> String {
    let html = client.get(url).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF field on {url}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn strings(db: &Db, sql: &str) -> Vec<String> {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
    }
}

pub(crate) fn blob_key(sha256: &str) -> String {
    format!("sha256/{}/{}/{}", &sha256[0..2], &sha256[2..4], sha256)
}

/// A small text-based PDF whose bytes differ with `seed`.
fn pdf(seed: &str, padding: usize) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.4\n% Biên bản kiểm tra {seed}\n").into_bytes();
    bytes.extend(std::iter::repeat_n(b'x', padding));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

async fn upload(
    client: &reqwest::Client,
    node: &str,
    key: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<reqwest::Response, reqwest::Error> {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    client
        .post(format!("{node}/api/v1/blobs"))
        .bearer_auth(key)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
}

pub(crate) async fn register(
    client: &reqwest::Client,
    node: &str,
    key: &str,
    number_symbol: &str,
    attachment: Option<&str>,
) -> Result<reqwest::Response, reqwest::Error> {
    let attachments: Vec<Value> = attachment
        .into_iter()
        .map(|sha| json!({ "sha256": sha }))
        .collect();
    client
        .post(format!("{node}/api/v1/documents/incoming"))
        .bearer_auth(key)
        .json(&json!({
            "type_code": "cong_van",
            "number_symbol": number_symbol,
            "subject": format!("Về việc kiểm tra nguồn thải ({number_symbol})"),
            "sender_name": "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai",
            "urgency": "normal",
            "attachments": attachments,
        }))
        .send()
        .await
}

async fn two_nodes_share_sessions_numbers_jobs_and_files(backend: Backend) {
    let s3 = S3Server::start().await;
    let office = office_on_s3(backend, &s3).await;
    let db = office.database().await;
    let key = api_key(&office);
    let (node_a, a) = start_node(&office, &s3, "node-a");
    let (node_b, b) = start_node(&office, &s3, "node-b");
    let plain = reqwest::Client::new();
    for node in [&a, &b] {
        let health = get_when_ready(&plain, &format!("{node}/healthz")).await;
        assert_eq!(health.status(), StatusCode::OK);
    }

    // A session opened on node A is honoured by node B, and a sign-out on B ends it on A.
    let person = browser();
    let token = csrf_token(&person, &format!("{a}/login")).await;
    let signed_in = person
        .post(format!("{a}/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "vanthu"),
            ("password", DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let me: Value = person
        .get(format!("{b}/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "vanthu", "node B knows A's session: {me}");
    let token = csrf_token(&person, &format!("{b}/")).await;
    let signed_out = person
        .post(format!("{b}/logout"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_redirection(), "{signed_out:?}");
    let after = person.get(format!("{a}/api/v1/me")).send().await.unwrap();
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "a session ended on B is over on A"
    );

    // Clerks on both nodes at once: every arrival number once, none skipped.
    let year = vanphong_web::vietnam_today().format("%Y").to_string();
    let before = scalar(
        &db,
        &format!(
            "SELECT COALESCE(MAX(arrival_number), 0) FROM documents WHERE arrival_year = {year}"
        ),
    )
    .await;
    let mut tasks = Vec::new();
    const CLERKS: usize = 8;
    const EACH: usize = 6;
    for clerk in 0..CLERKS {
        let node = if clerk % 2 == 0 { a.clone() } else { b.clone() };
        let key = key.clone();
        let client = plain.clone();
        tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            for i in 0..EACH {
                let response = register(
                    &client,
                    &node,
                    &key,
                    &format!("{}{i:02}/CL-STNMT", clerk + 1),
                    None,
                )
                .await
                .unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap();
                assert_eq!(status, StatusCode::CREATED, "{body}");
                numbers.push(body["arrival_number"].as_i64().unwrap());
            }
            numbers
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.extend(task.await.unwrap());
    }
    numbers.sort_unstable();
    let expected: Vec<i64> = (before + 1..=before + (CLERKS * EACH) as i64).collect();
    assert_eq!(numbers, expected, "gap-free and unique across nodes");

    // A file uploaded through A downloads, byte for byte, through B; it is in the bucket.
    let bytes = pdf("tải lên qua nút A", 4096);
    let uploaded = upload(&plain, &a, &key, "bien-ban.pdf", bytes.clone())
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let body: Value = uploaded.json().await.unwrap();
    assert_eq!(body["sha256"], sha256);
    let downloaded = plain
        .get(format!("{b}/api/v1/blobs/{sha256}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(downloaded.status(), StatusCode::OK);
    assert_eq!(downloaded.bytes().await.unwrap().as_ref(), bytes.as_slice());
    assert!(s3.keys(BUCKET).await.contains(&blob_key(&sha256)));

    // Both nodes start the daily reminders at once; one runs them.
    let deadline = Instant::now() + PATIENCE;
    while scalar(
        &db,
        "SELECT COUNT(*) FROM job_runs WHERE job = 'document_reminders' AND finished_at IS NOT NULL",
    )
    .await
        == 0
    {
        assert!(Instant::now() < deadline, "the reminders never ran");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM job_runs WHERE job = 'document_reminders'"
        )
        .await,
        1
    );
    assert!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM notifications WHERE kind LIKE 'reminder.%'"
        )
        .await
            > 0,
        "the demo office has work that is due"
    );
    let ran: Vec<bool> = [&node_a, &node_b]
        .iter()
        .map(|node| {
            node.stderr()
                .contains("Today's deadline reminders were sent.")
        })
        .collect();
    assert_eq!(
        ran.iter().filter(|r| **r).count(),
        1,
        "exactly one node sent the reminders: {ran:?}"
    );
}

/// What one client wants stored: a file, then a document with that file attached.
struct Item {
    number_symbol: String,
    file: Vec<u8>,
}

async fn a_node_killed_mid_write_leaves_nothing_half_done(backend: Backend) {
    let s3 = S3Server::start().await;
    let office = office_on_s3(backend, &s3).await;
    let db = office.database().await;
    let key = api_key(&office);
    let (mut node_a, a) = start_node(&office, &s3, "node-a");
    let (_node_b, b) = start_node(&office, &s3, "node-b");
    let plain = reqwest::Client::new();
    for node in [&a, &b] {
        get_when_ready(&plain, &format!("{node}/healthz")).await;
    }
    // At start one of the nodes makes last week's, month's and quarter's reports and puts
    // their files in the bucket; let that finish, so the bucket is counted after it.
    let patience = std::time::Instant::now();
    while scalar(
        &db,
        "SELECT COUNT(*) FROM job_runs WHERE job LIKE 'report.%' AND finished_at IS NOT NULL",
    )
    .await
        < 3
    {
        assert!(
            patience.elapsed() < std::time::Duration::from_secs(180),
            "the periodic reports were not made"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let documents_before = scalar(&db, "SELECT COUNT(*) FROM documents").await;

    // Six clients send everything to node A and, when A fails them, retry on node B. A 409
    // on a retried registration means the first attempt did commit before A died.
    const CLIENTS: usize = 6;
    const EACH: usize = 12;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for client_no in 0..CLIENTS {
        let (a, b, key, client, done) = (
            a.clone(),
            b.clone(),
            key.clone(),
            plain.clone(),
            done.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut retried = 0;
            for i in 0..EACH {
                let item = Item {
                    number_symbol: format!("{}{i:02}/SK-STNMT", client_no + 1),
                    file: pdf(&format!("{client_no}-{i}"), 256 * 1024),
                };
                let sha = hex::encode(Sha256::digest(&item.file));
                let mut node = &a;
                loop {
                    let stored =
                        match upload(&client, node, &key, "scan.pdf", item.file.clone()).await {
                            Ok(r) if r.status() == StatusCode::CREATED => true,
                            Ok(r) => panic!("upload refused: {}", r.text().await.unwrap()),
                            Err(_) => false,
                        };
                    if stored {
                        match register(&client, node, &key, &item.number_symbol, Some(&sha)).await {
                            Ok(r) if r.status() == StatusCode::CREATED => break,
                            Ok(r) if r.status() == StatusCode::CONFLICT && node == &b => break,
                            Ok(r) => panic!("registration refused: {}", r.text().await.unwrap()),
                            Err(_) => {}
                        }
                    }
                    assert!(node == &a, "node B failed a request");
                    node = &b;
                    retried += 1;
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            retried
        }));
    }
    // Kill A once a few documents went through, while the others are in flight.
    let deadline = Instant::now() + PATIENCE;
    while done.load(std::sync::atomic::Ordering::SeqCst) < CLIENTS * 2 {
        assert!(Instant::now() < deadline, "nothing was stored");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    node_a.kill();
    let mut retried = 0;
    for task in tasks {
        retried += task.await.unwrap();
    }
    assert!(retried > 0, "the kill interrupted some client");

    // Every document exactly once, each with its file.
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM documents").await,
        documents_before + (CLIENTS * EACH) as i64
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM documents d WHERE d.number_symbol LIKE '%/SK-STNMT' AND \
             (SELECT COUNT(*) FROM document_attachments t WHERE t.document_id = d.id) <> 1"
        )
        .await,
        0,
        "every registered document has its one attachment"
    );
    // Arrival numbers of the year still run 1..n without a gap.
    let year = vanphong_web::vietnam_today().format("%Y").to_string();
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT COUNT(*) FROM documents WHERE arrival_year = {year}")
        )
        .await,
        scalar(
            &db,
            &format!("SELECT MAX(arrival_number) FROM documents WHERE arrival_year = {year}")
        )
        .await,
    );
    // Every recorded file is in the bucket; after the sweep every object is recorded.
    let recorded = strings(&db, "SELECT sha256 FROM blobs").await;
    let objects = s3.keys(BUCKET).await;
    for sha in &recorded {
        assert!(
            objects.contains(&blob_key(sha)),
            "{sha} is recorded but missing"
        );
    }
    crate::run(on_s3(
        office.command(&["sweep-blobs", "--older-than-hours", "0"]),
        &s3,
    ))
    .expect_success();
    let mut expected: Vec<String> = recorded.iter().map(|s| blob_key(s)).collect();
    expected.sort();
    let left = s3.keys(BUCKET).await;
    let orphans: Vec<&String> = left.iter().filter(|k| !expected.contains(k)).collect();
    let missing: Vec<&String> = expected.iter().filter(|k| !left.contains(k)).collect();
    assert!(
        orphans.is_empty() && missing.is_empty(),
        "no orphan object is left: orphans {orphans:?}, missing {missing:?}"
    );
    assert_eq!(
        s3.pending_uploads(BUCKET).await,
        0,
        "no multipart upload is left open"
    );
    // The audit trail is whole.
    office.verify_audit_trail().expect_success();
}

on_both_backends!(
    two_nodes_share_sessions_numbers_jobs_and_files,
    a_node_killed_mid_write_leaves_nothing_half_done,
);
