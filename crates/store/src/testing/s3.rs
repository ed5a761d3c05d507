//! A real S3-compatible server for tests: the `moto` server from PyPI on a free loopback
//! port, stopped when dropped. Without moto the test fails, saying what to install: tests
//! never skip.

use futures::TryStreamExt;
use object_store::ObjectStore;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The moto release these tests were written and run against.
const MOTO_VERSION: &str = "5.2.1";
/// How long a starting server may take to answer (Python imports are slow on a busy machine).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(90);

/// What CI and developers must run to have the server these tests need.
pub fn install_instructions() -> String {
    format!(
        "install the moto S3 server: `python3 -m pip install 'moto[server]=={MOTO_VERSION}'` \
         (then `moto_server` or `python3 -m moto.server` must start it)"
    )
}

/// A moto server on a loopback port, stopped when dropped.
pub struct S3Server {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum StartFailure {
    /// The program is not there, or it exited before answering: try the next way.
    Unavailable(String),
    /// Another process took the port between choosing and binding it: try again.
    PortTaken,
    /// It runs but does not answer: something is wrong that another try will not fix.
    Fatal(String),
}

impl S3Server {
    /// Starts moto, as `moto_server` or else as `python3 -m moto.server`; fails the test
    /// with the install instructions when neither answers.
    pub async fn start() -> Self {
        let candidates: [(&str, &[&str]); 2] =
            [("moto_server", &[]), ("python3", &["-m", "moto.server"])];
        let mut failures = Vec::new();
        for (program, args) in candidates {
            // A second try covers the small race between finding a free port and binding it.
            for attempt in 1..=2 {
                match Self::try_start(program, args).await {
                    Ok(server) => return server,
                    Err(StartFailure::PortTaken) if attempt == 1 => continue,
                    Err(StartFailure::PortTaken) => {
                        failures.push(format!("`{program}` found its port taken twice"))
                    }
                    Err(StartFailure::Unavailable(reason)) => failures.push(reason),
                    Err(StartFailure::Fatal(reason)) => {
                        panic!(
                            "the S3 test server did not start: {reason}\nTo fix: {}",
                            install_instructions()
                        )
                    }
                }
                break;
            }
        }
        panic!(
            "the S3 test server (moto) could not be started:\n  {}\nTo fix: {}",
            failures.join("\n  "),
            install_instructions()
        );
    }

    async fn try_start(program: &str, args: &[&str]) -> Result<Self, StartFailure> {
        let shown = format!("`{program} {}`", args.join(" ")).replace(" `", "`");
        let port = free_port();
        let log = tempfile::NamedTempFile::new().expect("a log file for the S3 test server");
        let output = || log.reopen().expect("opening the S3 test server's log");
        let child = Command::new(program)
            .args(args)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(output())
            .stderr(output())
            .spawn()
            .map_err(|e| StartFailure::Unavailable(format!("{shown} could not be run: {e}")))?;
        let mut server = Self { child, port, log };
        let client = http_client();
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                if server.log_text().contains("Address already in use") {
                    return Err(StartFailure::PortTaken);
                }
                return Err(StartFailure::Unavailable(format!(
                    "{shown} exited ({status}) before answering; its output:\n{}",
                    server.output()
                )));
            }
            if client.get(server.endpoint()).send().await.is_ok() {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(StartFailure::Fatal(format!(
                    "{shown} did not answer on port {port} within {STARTUP_TIMEOUT:?}; its output:\n{}",
                    server.output()
                )));
            }
            // Polling, bounded by the deadline above.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Everything the server printed: its start-up messages and one line per request.
    fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    pub fn output(&self) -> String {
        let text = self.log_text();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// object_store cannot create buckets; moto takes an unsigned S3 CreateBucket.
    pub async fn create_bucket(&self, bucket: &str) {
        let response = http_client()
            .put(format!("{}/{bucket}", self.endpoint()))
            .send()
            .await
            .expect("creating the test bucket");
        assert!(
            response.status().is_success(),
            "creating the test bucket: {}",
            response.status()
        );
    }

    /// The bucket seen directly, not through the blob store: every key in it.
    pub async fn keys(&self, bucket: &str) -> Vec<String> {
        let raw = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_bucket_name(bucket)
            .build()
            .unwrap();
        let mut keys: Vec<String> = raw
            .list(None)
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
            .unwrap();
        keys.sort();
        keys
    }

    /// Puts an object that the blob store did not write.
    pub async fn put_foreign(&self, bucket: &str, key: &str) {
        let response = http_client()
            .put(format!("{}/{bucket}/{key}", self.endpoint()))
            .body("not a blob")
            .send()
            .await
            .expect("putting a foreign object");
        assert!(
            response.status().is_success(),
            "putting {key}: {}",
            response.status()
        );
    }

    /// How many multipart uploads were started and neither finished nor aborted.
    pub async fn pending_uploads(&self, bucket: &str) -> usize {
        let body = http_client()
            .get(format!("{}/{bucket}?uploads", self.endpoint()))
            .send()
            .await
            .expect("listing multipart uploads")
            .text()
            .await
            .unwrap();
        assert!(body.contains("ListMultipartUploadsResult"), "{body}");
        body.matches("<UploadId>").count()
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}
