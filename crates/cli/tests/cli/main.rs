//! Tests of the `vanphong` binary as operators use it: each test runs the real program as a
//! child process, and every test that touches storage runs on a fresh SQLite database and on
//! a fresh PostgreSQL database.

mod accounts;
mod audit;
mod backup;
mod calendar;
mod cluster;
mod generate;
mod migrate_data;
mod pg_restart;
mod search;
mod serve;
mod settings;

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use vanphong_store::testing::TestDb;
use vanphong_store::{Backend, Db};

/// The binary under test, started in `working_dir` with a clean environment: no `VANPHONG_*`
/// variable of the developer's shell leaks in, and a panic would print its backtrace, which
/// [`Outcome::expect_clean_failure`] looks for.
fn vanphong(working_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vanphong"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("VANPHONG_") {
            command.env_remove(name);
        }
    }
    command
        .current_dir(working_dir)
        .env("RUST_BACKTRACE", "1")
        .env("NO_COLOR", "1");
    command
}

/// Runs `command` to the end, writing `input` to its standard input.
fn run_with_input(mut command: Command, input: &str) -> Outcome {
    let description = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {description}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    // A command that refuses its arguments may exit before it reads: that is not an error here.
    match stdin.write_all(input.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            panic!("writing to {description}: {e}")
        }
        _ => {}
    }
    // Closing standard input tells the program there is nothing more to read.
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    Outcome {
        description,
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `command` to the end with an empty standard input.
fn run(command: Command) -> Outcome {
    run_with_input(command, "")
}

/// How one run of the binary ended and what it printed.
struct Outcome {
    description: String,
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\nexited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.description, self.status, self.stdout, self.stderr
        )
    }
}

impl Outcome {
    #[track_caller]
    fn expect_success(&self) -> &Self {
        assert!(
            self.status.success(),
            "the command should have succeeded:\n{self}"
        );
        self
    }

    /// The program refused with a message of its own: a non-zero exit code, an `error:` line,
    /// and no panic.
    #[track_caller]
    fn expect_clean_failure(&self) -> &Self {
        assert!(
            !self.status.success(),
            "the command should have failed:\n{self}"
        );
        let code = self.status.code();
        assert!(
            code.is_some(),
            "the program was killed by a signal:\n{self}"
        );
        assert_ne!(code, Some(101), "the program panicked:\n{self}");
        for sign_of_a_panic in ["panicked", "stack backtrace", "RUST_BACKTRACE"] {
            assert!(
                !self.stderr.contains(sign_of_a_panic),
                "the program panicked:\n{self}"
            );
        }
        assert!(
            self.stderr.contains("error: "),
            "the failure should be explained:\n{self}"
        );
        self
    }

    #[track_caller]
    fn expect_stdout(&self, fragment: &str) -> &Self {
        assert!(
            self.stdout.contains(fragment),
            "standard output should mention {fragment:?}:\n{self}"
        );
        self
    }

    #[track_caller]
    fn expect_stderr(&self, fragment: &str) -> &Self {
        assert!(
            self.stderr.contains(fragment),
            "standard error should mention {fragment:?}:\n{self}"
        );
        self
    }

    /// The text after `label` on the first standard output line that contains it.
    #[track_caller]
    fn value_after(&self, label: &str) -> String {
        let line = self.stdout.lines().find(|line| line.contains(label));
        let line = line.unwrap_or_else(|| panic!("no line with {label:?}:\n{self}"));
        line.split_once(label).unwrap().1.trim().to_owned()
    }

    /// The row of a `user list` table for `username`, split into columns.
    fn user_row(&self, username: &str) -> Option<Vec<String>> {
        self.stdout
            .lines()
            .skip(1)
            .map(split_row)
            .find(|columns| columns.get(1).map(String::as_str) == Some(username))
    }
}

fn split_row(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

/// Where a command finds its data: the flags every storage command receives.
#[derive(Clone)]
struct Storage {
    data_dir: PathBuf,
    /// `None` runs on the embedded default: the SQLite file inside the data folder.
    database_url: Option<String>,
}

impl Storage {
    fn embedded(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
            database_url: None,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = vanphong(self.data_dir.parent().unwrap());
        command.args(args).arg("--data-dir").arg(&self.data_dir);
        if let Some(url) = &self.database_url {
            command.arg("--database-url").arg(url);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Outcome {
        run(self.command(args))
    }

    fn run_with_input(&self, args: &[&str], input: &str) -> Outcome {
        run_with_input(self.command(args), input)
    }

    fn add_user(&self, username: &str, full_name: &str, role: &str, password: &str) -> Outcome {
        let args = [
            "user",
            "add",
            username,
            "--full-name",
            full_name,
            "--role",
            role,
            "--password-stdin",
        ];
        self.run_with_input(&args, &format!("{password}\n"))
    }

    fn list_active_users(&self) -> Outcome {
        self.run(&["user", "list"])
    }

    fn list_all_users(&self) -> Outcome {
        self.run(&["user", "list", "--all"])
    }

    fn create_api_key(&self, username: &str, name: &str) -> Outcome {
        self.run(&["api-key", "create", "--user", username, "--name", name])
    }

    fn verify_audit_trail(&self) -> Outcome {
        self.run(&["audit", "verify"])
    }
}

/// One office under test: a fresh database on one backend, a data folder, and the flags
/// that point the binary at them.
struct Installation {
    test_db: TestDb,
    storage: Storage,
}

impl std::ops::Deref for Installation {
    type Target = Storage;

    fn deref(&self) -> &Storage {
        &self.storage
    }
}

impl Installation {
    /// A migrated database passed with `--database-url`, and a data folder for the files.
    async fn new(backend: Backend) -> Self {
        let test_db = TestDb::new(backend).await;
        let storage = Storage {
            data_dir: test_db.dir.path().join("data"),
            database_url: Some(test_db.url.clone()),
        };
        Self { test_db, storage }
    }

    /// The way most offices run: on SQLite only `--data-dir` is given and the binary creates
    /// its database inside it; PostgreSQL has no embedded default, so there the database is
    /// an empty one passed with `--database-url`.
    async fn empty_with_embedded_default(backend: Backend) -> Self {
        let mut installation = Self::new(backend).await;
        match backend {
            Backend::Sqlite => installation.storage.database_url = None,
            Backend::Postgres => {
                execute(&installation.test_db.db, "DROP SCHEMA public CASCADE").await;
                execute(&installation.test_db.db, "CREATE SCHEMA public").await;
            }
        }
        installation
    }

    fn scratch_dir(&self) -> &Path {
        self.test_db.dir.path()
    }

    /// A direct connection to the database the binary uses, for checks and for tampering.
    async fn database(&self) -> Db {
        if self.storage.database_url.is_some() {
            return self.test_db.db.clone();
        }
        let file = self
            .storage
            .data_dir
            .join(vanphong_store::backup::DATABASE_FILE);
        assert!(
            file.is_file(),
            "the binary should have created {}",
            file.display()
        );
        Db::connect(&format!("sqlite://{}", file.display()), &Default::default())
            .await
            .unwrap()
    }
}

/// Runs one SQL statement directly, bypassing the binary.
async fn execute(db: &Db, sql: &str) {
    let result = match db {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    };
    result.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Whether `password` signs `username` in, asked of the database directly.
async fn password_works(db: &Db, username: &str, password: &str) -> bool {
    let (_, hash) = vanphong_store::users::credentials(db, username)
        .await
        .unwrap()
        .expect("the user exists");
    vanphong_store::users::verify_password(Some(&hash), password)
}
