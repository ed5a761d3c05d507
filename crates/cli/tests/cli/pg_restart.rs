//! PostgreSQL restarted under load: the node reports itself unready while the database is
//! away, recovers by itself when it returns, and every registration it acknowledged is
//! still there, numbered without a gap.
//!
//! The test runs its own PostgreSQL server (initdb + pg_ctl from the machine's PostgreSQL
//! installation, as the `postgres` system user) on a free port, so restarting it disturbs
//! no other test.

use crate::serve::{get_when_ready, RunningServer, PATIENCE};
use crate::Storage;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vanphong_store::testing::s3::free_port;

/// The machine's PostgreSQL programs (`/usr/lib/postgresql/VERSION/bin`).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs are installed under /usr/lib/postgresql")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    versions.pop().expect("pg_ctl is installed")
}

/// A private PostgreSQL server, stopped when dropped.
struct PrivateCluster {
    dir: PathBuf,
    port: u16,
}

impl PrivateCluster {
    fn as_postgres(dir: &Path, program: &str, args: &[&str]) -> Command {
        let mut command = if nix_is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]);
            c.arg(postgres_bin().join(program));
            c
        } else {
            Command::new(postgres_bin().join(program))
        };
        command.args(args).current_dir(dir);
        command
    }

    fn start(parent: &Path) -> Self {
        let dir = parent.join("pg");
        std::fs::create_dir_all(&dir).unwrap();
        // PostgreSQL refuses to run as root; its files belong to the postgres user.
        if nix_is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(status.success());
            let status = Command::new("chmod")
                .args(["755"])
                .arg(parent)
                .status()
                .unwrap();
            assert!(status.success());
        }
        let data = dir.join("data");
        let out = Self::as_postgres(
            &dir,
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        )
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cluster = Self {
            dir,
            port: free_port(),
        };
        cluster.pg_ctl("start");
        cluster
    }

    fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let data = self.dir.join("data");
        let log = self.dir.join("log");
        let mut args = vec![action, "-D", data.to_str().unwrap(), "-w", "-m", "fast"];
        if action != "stop" {
            args.extend(["-o", options.as_str(), "-l", log.to_str().unwrap()]);
        }
        let out = Self::as_postgres(&self.dir, "pg_ctl", &args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl {action}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = Self::as_postgres(
            &self.dir,
            "pg_ctl",
            &["stop", "-D", data.to_str().unwrap(), "-m", "immediate"],
        )
        .output();
    }
}

fn nix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgres_restart_under_load_loses_nothing_and_the_node_recovers() {
    let scratch = tempfile::tempdir().unwrap();
    let cluster = PrivateCluster::start(scratch.path());
    let storage = Storage {
        data_dir: scratch.path().join("data"),
        database_url: Some(cluster.url()),
    };
    storage
        .run(&["demo", "--no-serve", "--scale", "0.01"])
        .expect_success();
    let key = storage
        .create_api_key("vanthu", "restart test")
        .expect_success()
        .value_after("Key (shown once):");
    let server = RunningServer::start(
        storage.command(&["serve", "--listen", "127.0.0.1:0"]),
        scratch.path().join("serve.stderr"),
    );
    let node = server.address();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    get_when_ready(&client, &format!("{node}/healthz")).await;

    // Four clients register without pause, retrying what fails.
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for worker in 0..4u32 {
        let (client, node, key, stop) = (client.clone(), node.clone(), key.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let (mut acknowledged, mut failures) = (Vec::new(), 0u32);
            let mut i = 0u32;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let number_symbol = format!("{}{i:04}/PG-STNMT", worker + 1);
                let response =
                    crate::cluster::register(&client, &node, &key, &number_symbol, None).await;
                match response {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let body: Value = r.json().await.unwrap();
                        acknowledged.push(body["id"].as_i64().unwrap());
                    }
                    Ok(r) => {
                        assert!(
                            r.status().is_server_error(),
                            "only the outage may fail: {}",
                            r.status()
                        );
                        failures += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(_) => {
                        failures += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            (acknowledged, failures)
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;

    // The database goes away: the node says it is not ready.
    cluster.pg_ctl("stop");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let ready = client.get(format!("{node}/readyz")).send().await.unwrap();
        if ready.status() == StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the node never reported the outage"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let health = client.get(format!("{node}/healthz")).send().await.unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the process itself stays alive"
    );

    // It comes back: the node is ready again without a restart, and registers again.
    cluster.pg_ctl("start");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let ready = client.get(format!("{node}/readyz")).send().await.unwrap();
        if ready.status() == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the node did not recover by itself"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::SeqCst);
    let (mut acknowledged, mut failures) = (Vec::new(), 0);
    for task in tasks {
        let (a, f) = task.await.unwrap();
        acknowledged.extend(a);
        failures += f;
    }
    assert!(failures > 0, "the outage was felt");
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());

    // Every acknowledged registration is there; arrival numbers still run without a gap.
    let db = vanphong_store::Db::connect(&cluster.url(), &Default::default())
        .await
        .unwrap();
    let vanphong_store::Db::Postgres(pool) = &db else {
        unreachable!()
    };
    let stored: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM documents WHERE number_symbol LIKE '%/PG-STNMT'")
            .fetch_all(pool)
            .await
            .unwrap();
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged document {id} was lost");
    }
    assert!(
        acknowledged.len() > 8,
        "work went on before and after: {}",
        acknowledged.len()
    );
    let year = vanphong_web::vietnam_today().format("%Y").to_string();
    let (count, max): (i64, Option<i64>) = sqlx::query_as(&format!(
        "SELECT COUNT(*), MAX(arrival_number) FROM documents WHERE arrival_year = {year}"
    ))
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(Some(count), max, "arrival numbers have no gap");
}
