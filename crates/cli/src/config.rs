//! The command line: every flag can also be set by an environment variable (shown in
//! `--help`), and configuration is read once here and passed down.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "vanphong",
    version,
    about = "vanphong: the electronic office of an environmental authority",
    long_about = "vanphong runs the office's documents, procedure dossiers, pollution hotline and news portal.\n\
                  By default it keeps everything in one folder (an SQLite database and the attached files);\n\
                  with --database-url postgres://… and --blob-store s3://… several nodes share one cluster.",
    after_help = "Every option can also be set by an environment variable: VANPHONG_LISTEN, VANPHONG_DATA_DIR,\n\
                  VANPHONG_DATABASE_URL, VANPHONG_BLOB_STORE, VANPHONG_MAX_UPLOAD_MB, VANPHONG_LOG and others;\n\
                  `vanphong serve --help` lists them all."
)]
pub struct Cli {
    /// Log filter, such as `info`, `debug` or `vanphong=debug,sqlx=warn`.
    #[arg(
        long,
        env = "VANPHONG_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    pub log: String,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives. Shared by every command that opens the database.
#[derive(Args, Debug, Clone)]
pub struct Storage {
    /// The folder for the embedded database, attached files and uploads in progress.
    #[arg(
        long,
        env = "VANPHONG_DATA_DIR",
        default_value = "./vanphong-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// The database: `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`. Default: the SQLite file in the data folder.
    #[arg(long, env = "VANPHONG_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where attached files are kept: a folder, or `s3://BUCKET` (endpoint and credentials from
    /// AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION; AWS_ALLOW_HTTP=true for plain HTTP).
    /// Default: the `blobs` folder in the data folder.
    #[arg(long, env = "VANPHONG_BLOB_STORE", global = true)]
    pub blob_store: Option<String>,
    /// The largest file that may be uploaded, in megabytes.
    #[arg(
        long,
        env = "VANPHONG_MAX_UPLOAD_MB",
        default_value_t = 50,
        global = true
    )]
    pub max_upload_mb: u64,
    /// Database connections per node.
    #[arg(
        long,
        env = "VANPHONG_DB_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_connections: u32,
}

impl Storage {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir
                    .join(vanphong_store::backup::DATABASE_FILE)
                    .display()
            )
        })
    }

    pub fn blob_spec(&self) -> String {
        self.blob_store.clone().unwrap_or_else(|| {
            self.data_dir
                .join(vanphong_store::backup::BLOB_DIR)
                .display()
                .to_string()
        })
    }

    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    pub fn is_embedded(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }
}

/// How the web server listens and behaves.
#[derive(Args, Debug, Clone)]
pub struct Server {
    /// The address and port to listen on.
    #[arg(long, env = "VANPHONG_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Mark cookies Secure: set this when users reach vanphong over HTTPS.
    #[arg(long, env = "VANPHONG_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Trust the X-Forwarded-For header for client addresses (only behind your own proxy).
    #[arg(long, env = "VANPHONG_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Requests per minute one address may make without signing in.
    #[arg(long, env = "VANPHONG_PUBLIC_RATE_PER_MINUTE", default_value_t = 120)]
    pub public_rate_per_minute: u32,
    /// A map tile server for the hotline map, as an XYZ template
    /// (`https://tiles.example.org/{z}/{x}/{y}.png`). Without one the map is drawn offline.
    #[arg(long, env = "VANPHONG_MAP_TILE_URL")]
    pub map_tile_url: Option<String>,
    /// The attribution the tile server's licence asks for (`© OpenStreetMap contributors`).
    #[arg(long, env = "VANPHONG_MAP_TILE_ATTRIBUTION", default_value = "")]
    pub map_tile_attribution: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web interface and the API.
    Serve {
        #[command(flatten)]
        storage: Storage,
        #[command(flatten)]
        server: Server,
    },
    /// Create a demo agency with realistic data (on first run), print the sign-ins, and serve.
    Demo {
        #[command(flatten)]
        storage: Storage,
        #[command(flatten)]
        server: Server,
        /// Load the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// The year of demo documents (default: this year, up to today).
        #[arg(long, env = "VANPHONG_DEMO_YEAR")]
        year: Option<i32>,
        /// The share of a seed year's volume to load: 1 is about 19,000 incoming and 7,300
        /// outgoing documents; 0.05 loads quickly for a look around.
        #[arg(long, env = "VANPHONG_DEMO_SCALE", default_value_t = 1.0)]
        scale: f64,
    },
    /// Bring the database schema up to date and exit.
    Migrate {
        #[command(flatten)]
        storage: Storage,
    },
    /// Manage user accounts.
    User {
        #[command(flatten)]
        storage: Storage,
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Manage API keys for other systems.
    ApiKey {
        #[command(flatten)]
        storage: Storage,
        #[command(subcommand)]
        action: ApiKeyCommand,
    },
    /// Work with the audit trail.
    Audit {
        #[command(flatten)]
        storage: Storage,
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Copy the embedded database and files to DIR while the server keeps running.
    Backup {
        #[command(flatten)]
        storage: Storage,
        /// An empty or new folder.
        dir: PathBuf,
    },
    /// Put a backup made by `backup` back into the data folder (stop the server first).
    Restore {
        #[command(flatten)]
        storage: Storage,
        /// The backup folder.
        dir: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Move an office from the embedded SQLite database (and its files) to PostgreSQL (and an
    /// S3-compatible bucket), then verify counts and checksums of every table and every file.
    MigrateData {
        #[command(flatten)]
        storage: Storage,
        /// The source database: `sqlite://PATH` (default: the data folder's database).
        #[arg(long)]
        from: Option<String>,
        /// The target database: `postgres://…`, empty (it is migrated first).
        #[arg(long)]
        to: String,
        /// Where the files go: `s3://BUCKET` or a folder. They come from `--blob-store` (default:
        /// the data folder's files). Without it the files are left where they are.
        #[arg(long)]
        blobs_to: Option<String>,
    },
    /// Add national-scale data for measuring, on top of the demo agency: a department per
    /// province, years of documents with their lead work, dossiers and hotline cases, the
    /// same for the same seed on either database.
    Generate {
        #[command(flatten)]
        storage: Storage,
        /// The seed every value is derived from.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Documents in all (70 % incoming with a lead assignment each, 30 % outgoing).
        #[arg(long, default_value_t = 10_000_000)]
        documents: u64,
        #[arg(long, default_value_t = 1_000_000)]
        dossiers: u64,
        /// Hotline cases (one report each).
        #[arg(long, default_value_t = 1_000_000)]
        hotline: u64,
        /// The first of the generated years (numbers run 1..n in each).
        #[arg(long, default_value_t = 2021)]
        first_year: i32,
        #[arg(long, default_value_t = 5)]
        years: i32,
        /// Leave the search index to `vanphong migrate` (which catches up on everything).
        #[arg(long)]
        no_index: bool,
    },
    /// Remove leftovers of failed uploads: temporary files and files no record refers to.
    SweepBlobs {
        #[command(flatten)]
        storage: Storage,
        /// Only touch files older than this many hours.
        #[arg(long, default_value_t = 24)]
        older_than_hours: u64,
    },
    /// The working-day calendar: `calendar YEAR` lists the holidays; `calendar add-working-days DATE N`.
    Calendar(CalendarArgs),
    /// The search index: `search reindex` rebuilds it from the records and verifies it;
    /// `search verify` only checks it.
    Search {
        #[command(flatten)]
        storage: Storage,
        #[command(subcommand)]
        action: SearchCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum SearchCommand {
    /// Read the text of attachments not yet read, rebuild every entry from its record (the
    /// index keeps working meanwhile), remove entries of records that are gone, then verify.
    /// Exit 1 if the verification finds a difference.
    Reindex,
    /// Check that every record has its entry, that each entry says what its record says,
    /// and that the word index holds exactly the entries. Exit 1 naming what differs.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input with --password-stdin,
    /// otherwise a random one is generated and printed once.
    Add {
        username: String,
        /// The person's full name.
        #[arg(long)]
        full_name: String,
        /// A role (repeatable): administrator, records_clerk, agency_leader, unit_leader,
        /// specialist, one_stop_officer, hotline_operator, editor.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The unit's abbreviation (e.g. VP).
        #[arg(long)]
        unit: Option<String>,
        /// normal, confidential, secret or top_secret.
        #[arg(long, default_value = "normal")]
        clearance: String,
        #[arg(long, default_value = "")]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (read from standard input with --password-stdin, or generated).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// List accounts.
    List {
        /// Include disabled accounts.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create a key acting as USER; the key is printed once.
    Create {
        /// The account whose permissions the key carries.
        #[arg(long)]
        user: String,
        /// What the key is for (e.g. "Trục liên thông văn bản").
        #[arg(long)]
        name: String,
    },
    /// Revoke a key by its number (see `list`).
    Revoke { id: i64 },
    /// List keys.
    List,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check every event's hash and link; exit 1 and name the events if any were edited,
    /// reordered or deleted. Prints the last event's hash: keep it somewhere else (a ticket,
    /// a printed register) and pass it back with --anchor to prove that the whole trail up
    /// to it was not rewritten, even by someone able to recompute every hash.
    Verify {
        /// A previously printed `SEQ:HASH` that the trail must still contain.
        #[arg(long)]
        anchor: Option<String>,
    },
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CalendarArgs {
    /// Where an administrator's overrides are kept; without a database the computed
    /// calendar is used.
    #[command(flatten)]
    pub storage: Storage,
    #[command(subcommand)]
    pub action: Option<CalendarCommand>,
    /// Print each holiday of this year (ISO date and name), one per line.
    pub year: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Print the date N working days after DATE (day 1 is the next working day; N may be negative).
    AddWorkingDays {
        /// The start date, such as 2026-01-30.
        date: String,
        /// How many working days.
        #[arg(allow_negative_numbers = true)]
        days: String,
    },
}
