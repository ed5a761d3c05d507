//! `demo --no-serve` loads the demo agency once; `serve` answers health checks and stops
//! cleanly on SIGTERM.

use crate::{password_works, Installation};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use vanphong_store::{on_both_backends, Backend};

/// How long the server may take to start and to stop before the test gives up.
pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

async fn demo_loads_the_agency_once_and_prints_the_sign_ins(backend: Backend) {
    let office = Installation::empty_with_embedded_default(backend).await;
    let first = office.run(&["demo", "--no-serve", "--scale", "0.01"]);
    first
        .expect_success()
        .expect_stdout("Demo agency loaded")
        .expect_stdout("incoming")
        .expect_stdout("demo-vanphong");
    assert!(
        first
            .stdout
            .lines()
            .any(|l| l.split_whitespace().next() == Some("admin")),
        "{first}"
    );
    assert!(
        password_works(&office.database().await, "admin", "demo-vanphong").await,
        "the printed password works"
    );
    let users_after_first_load = office.list_all_users().stdout;

    let second = office.run(&["demo", "--no-serve", "--scale", "0.01"]);
    second
        .expect_success()
        .expect_stdout("already holds an agency")
        .expect_stdout("demo-vanphong");
    assert!(!second.stdout.contains("Demo agency loaded"), "{second}");
    assert_eq!(
        office.list_all_users().stdout,
        users_after_first_load,
        "nothing was loaded twice"
    );
}

/// A running `vanphong serve`, killed if the test ends before it stopped.
pub(crate) struct RunningServer {
    child: Child,
    /// Lines of standard output, read on a thread so the server never blocks on a full pipe.
    stdout_lines: mpsc::Receiver<String>,
    stderr_file: std::path::PathBuf,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl RunningServer {
    /// Kills the server with SIGKILL, as a crash or the OOM killer would, and waits for it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub(crate) fn start(mut command: Command, stderr_file: std::path::PathBuf) -> Self {
        let stderr = std::fs::File::create(&stderr_file).unwrap();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(stderr)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, stdout_lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdout_lines,
            stderr_file,
        }
    }

    pub(crate) fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_file).unwrap_or_default()
    }

    /// The address the server printed once it was listening.
    pub(crate) fn address(&self) -> String {
        let deadline = Instant::now() + PATIENCE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stdout_lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some((_, url)) = line.split_once("listening on ") {
                        return url.trim_end_matches('/').to_owned();
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "the server did not say where it listens:\n{}",
            self.stderr()
        );
    }

    /// Sends SIGTERM, as a service manager does, and waits for the server to exit.
    pub(crate) fn stop(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(kill.success(), "sending SIGTERM to {pid}");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Asks `url` until it answers, for at most [`PATIENCE`].
pub(crate) async fn get_when_ready(client: &reqwest::Client, url: &str) -> reqwest::Response {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match client.get(url).send().await {
            Ok(response) => return response,
            Err(e) if Instant::now() > deadline => {
                panic!("{url} did not answer within {PATIENCE:?}: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

async fn serve_answers_health_checks_and_stops_on_sigterm(backend: Backend) {
    let office = Installation::new(backend).await;
    // Port 0 lets the system choose a free port; the server prints the one it got.
    let command = office.command(&["serve", "--listen", "127.0.0.1:0"]);
    let mut server = RunningServer::start(command, office.scratch_dir().join("serve.stderr"));
    let address = server.address();
    let client = reqwest::Client::new();

    let health = get_when_ready(&client, &format!("{address}/healthz")).await;
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "ok");
    let readiness = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(readiness.status(), reqwest::StatusCode::OK);
    let readiness: serde_json::Value = readiness.json().await.unwrap();
    assert_eq!(
        readiness["backend"],
        backend.name(),
        "the server uses the database it was given: {readiness}"
    );
    assert_eq!(readiness["database"], "ok", "{readiness}");

    let status = server.stop();
    assert!(
        status.success(),
        "the server should exit with 0 after SIGTERM, not {status}:\n{}",
        server.stderr()
    );
    assert!(
        server.stderr().contains("vanphong stopped."),
        "{}",
        server.stderr()
    );
    assert!(
        client
            .get(format!("{address}/healthz"))
            .send()
            .await
            .is_err(),
        "nothing listens after the stop"
    );
}

on_both_backends!(
    demo_loads_the_agency_once_and_prints_the_sign_ins,
    serve_answers_health_checks_and_stops_on_sigterm,
);
