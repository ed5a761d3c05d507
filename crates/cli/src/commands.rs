//! What each command does. Configuration arrives parsed from `config`; everything that
//! touches data goes through `vanphong-store`.

use crate::config::{
    ApiKeyCommand, AuditCommand, CalendarArgs, CalendarCommand, Cli, Command, Server, Storage,
    UserCommand,
};
use anyhow::{bail, Context};
use chrono::Datelike;
use indicatif::{ProgressBar, ProgressStyle};
use rand::Rng;
use std::io::BufRead;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use vanphong_core::auth::{NewPassword, Role, Secrecy, Username};
use vanphong_core::ids::ApiKeyId;
use vanphong_store::audit::{self, Origin};
use vanphong_store::blobs::BlobStore;
use vanphong_store::db::PoolSettings;
use vanphong_store::users::{self, NewUser, UserFilter};
use vanphong_store::{api_keys, backup, org, sessions, Db};
use vanphong_web::{AppState, WebConfig};

/// The password of every demo account (printed by `vanphong demo`).
pub const DEMO_PASSWORD: &str = "demo-vanphong";

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { storage, server } => {
            let (db, blobs) = open_storage(&storage).await?;
            serve(db, blobs, &server).await?;
        }
        Command::Demo {
            storage,
            server,
            no_serve,
            year,
            scale,
        } => {
            let (db, blobs) = open_storage(&storage).await?;
            if !(0.0..=10.0).contains(&scale) {
                bail!("--scale must be between 0 and 10, not {scale}");
            }
            load_demo(
                &db,
                &blobs,
                year.unwrap_or_else(|| vanphong_web::vietnam_today().year()),
                scale,
            )
            .await?;
            if !no_serve {
                serve(db, blobs, &server).await?;
            }
        }
        Command::Migrate { storage } => {
            let db = open_database(&storage).await?;
            let bar = count_bar("Indexing records for search");
            vanphong_store::search::catch_up_with(&db, |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await
            .context("indexing records for search")?;
            bar.finish_and_clear();
            println!(
                "The database schema is at version {}.",
                db.database_schema_version().await?
            );
        }
        Command::User { storage, action } => {
            return user_command(&open_database(&storage).await?, action).await
        }
        Command::ApiKey { storage, action } => {
            return api_key_command(&open_database(&storage).await?, action).await
        }
        Command::Audit {
            storage,
            action: AuditCommand::Verify { anchor },
        } => return verify_audit(&open_database(&storage).await?, anchor.as_deref()).await,
        Command::Backup { storage, dir } => run_backup(&storage, &dir).await?,
        Command::Restore {
            storage,
            dir,
            force,
        } => run_restore(&storage, &dir, force)?,
        Command::MigrateData {
            storage,
            from,
            to,
            blobs_to,
        } => {
            if !migrate_data(&storage, from, &to, blobs_to.as_deref()).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Generate {
            storage,
            seed,
            documents,
            dossiers,
            hotline,
            first_year,
            years,
            no_index,
        } => {
            let db = open_database(&storage).await?;
            let plan = crate::generate::Plan {
                seed,
                documents,
                dossiers,
                hotline,
                first_year,
                years,
            };
            let started = std::time::Instant::now();
            let written = crate::generate::generate(&db, &plan).await?;
            println!(
                "Generated in {:.0} s: {} provincial departments, {} incoming documents ({} with lead work), {} outgoing, {} dossiers, {} hotline cases.",
                started.elapsed().as_secs_f64(),
                written.units,
                written.incoming,
                written.assignments,
                written.outgoing,
                written.dossiers,
                written.hotline_cases
            );
            if !no_index {
                let bar = count_bar("Indexing records for search");
                vanphong_store::search::catch_up_with(&db, |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await
                .context("indexing the generated records for search")?;
                bar.finish();
            }
        }
        Command::SweepBlobs {
            storage,
            older_than_hours,
        } => {
            let (db, blobs) = open_storage(&storage).await?;
            let (temps, orphans) = blobs
                .sweep(&db, Duration::from_secs(older_than_hours * 3600))
                .await?;
            println!(
                "Removed {temps} temporary upload files and {orphans} files no record refers to."
            );
        }
        Command::Calendar(args) => {
            let overrides = calendar_overrides(&args.storage).await?;
            return calendar_command(args, overrides);
        }
        Command::Search { storage, action } => {
            let (db, blobs) = open_storage(&storage).await?;
            return search_command(&db, &blobs, action).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The URL with any password replaced, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn open_database(storage: &Storage) -> anyhow::Result<Db> {
    let url = storage.database_url();
    if storage.is_embedded() {
        std::fs::create_dir_all(&storage.data_dir).with_context(|| {
            format!(
                "creating the data folder {} (--data-dir / VANPHONG_DATA_DIR)",
                storage.data_dir.display()
            )
        })?;
    }
    let settings = PoolSettings {
        max_connections: storage.db_connections.max(1),
        acquire_timeout: Duration::from_secs(5),
    };
    Db::open(&url, &settings).await.with_context(|| {
        format!(
            "opening the database {} (--database-url / VANPHONG_DATABASE_URL)",
            redacted(&url)
        )
    })
}

async fn open_storage(storage: &Storage) -> anyhow::Result<(Db, BlobStore)> {
    let db = open_database(storage).await?;
    let spec = storage.blob_spec();
    let blobs = BlobStore::open(
        &spec,
        &storage.upload_dir(),
        storage.max_upload_mb.saturating_mul(1024 * 1024),
    )
    .with_context(|| {
        format!("opening the blob store {spec} (--blob-store / VANPHONG_BLOB_STORE)")
    })?;
    blobs
        .ping()
        .await
        .with_context(|| format!("reaching the blob store {spec}"))?;
    Ok((db, blobs))
}

async fn serve(db: Db, blobs: BlobStore, server: &Server) -> anyhow::Result<()> {
    let map_tiles = match server
        .map_tile_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => Some(
            vanphong_web::tiles::TileLayer::parse(url, &server.map_tile_attribution)
                .map_err(anyhow::Error::msg)
                .context("reading the map tile server (--map-tile-url / VANPHONG_MAP_TILE_URL)")?,
        ),
        None => None,
    };
    let config = WebConfig {
        secure_cookies: server.secure_cookies,
        trust_proxy: server.trust_proxy,
        public_rate_per_minute: server.public_rate_per_minute,
        map_tiles,
        ..WebConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(server.listen)
        .await
        .with_context(|| {
            format!(
                "listening on {} (--listen / VANPHONG_LISTEN)",
                server.listen
            )
        })?;
    let address = listener.local_addr()?;
    tracing::info!(%address, backend = db.backend().name(), blobs = %blobs.describe(), "vanphong is serving.");
    println!("vanphong is listening on http://{address}/");
    let state = AppState::new(db, blobs, config);
    tokio::spawn(maintenance(state.clone()));
    tokio::spawn(reminders(state.clone()));
    tokio::spawn(search_catch_up(state.clone()));
    tokio::spawn(search_partitions(state.clone()));
    // The weekly, monthly and quarterly reports; once per period whatever the number of
    // nodes, computed by the store for the whole agency.
    tokio::spawn(vanphong_web::report_export::periodic::schedule(
        state.clone(),
    ));
    vanphong_web::serve(listener, state, shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("vanphong stopped.");
    Ok(())
}

/// Makes records that are not yet searchable (a database from before search, rows written
/// by a bulk loader) searchable, in the background so the server answers meanwhile; what
/// the program itself writes is indexed in its own transaction and needs none of this.
async fn search_catch_up(state: AppState) {
    let attachments =
        vanphong_store::search::attachments::catch_up(&state.db, &state.blobs, |_, _| {}).await;
    let records = vanphong_store::search::catch_up(&state.db).await;
    if let Err(e) = attachments.map(|_| ()).and(records.map(|_| ())) {
        tracing::warn!(error = %e, "Could not index every record for search; `vanphong search reindex` will.");
    }
}

/// Keeps the search words' partitions ahead of the newest entry (PostgreSQL): every node
/// checks every minute, at start first; one makes what is missing.
async fn search_partitions(state: AppState) {
    if !matches!(state.db, vanphong_store::Db::Postgres(_)) {
        return;
    }
    let mut interval = tokio::time::interval(Duration::from_secs(60));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = vanphong_store::search::ensure_partitions(&state.db).await {
            tracing::warn!(error = %e, "Making the search words' partitions failed.");
        }
    }
}

/// Today in Vietnam (UTC+7), the day that deadlines and reminders count in.
fn vietnam_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// The daily reminders of open assignments. Every node checks every ten minutes; the run
/// of a day is claimed in the database, so it happens once whatever the number of nodes.
async fn reminders(state: AppState) {
    let mut interval = tokio::time::interval(Duration::from_secs(600));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let calendar = match state.calendar().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "The working-day calendar could not be built; reminders wait.");
                continue;
            }
        };
        match vanphong_store::documents::reminders::run_daily(
            &state.db,
            vietnam_today(),
            &calendar,
            2,
        )
        .await
        {
            Ok(run) if run.claimed => tracing::info!(
                sent = run.reminders_sent,
                "Today's deadline reminders were sent."
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "Sending deadline reminders failed."),
        }
    }
}

/// Periodic housekeeping. Every task is idempotent, so each node may run it.
async fn maintenance(state: AppState) {
    let mut interval = tokio::time::interval(Duration::from_secs(3600));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match sessions::sweep(&state.db).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "Expired sessions were removed."),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "Removing expired sessions failed."),
        }
        match state
            .blobs
            .sweep(&state.db, Duration::from_secs(24 * 3600))
            .await
        {
            Ok((temps, orphans)) if temps + orphans > 0 => {
                tracing::info!(temps, orphans, "Leftovers of failed uploads were removed.")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "Sweeping the blob store failed."),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("A stop signal arrived; finishing open requests.");
}

fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

async fn load_demo(db: &Db, blobs: &BlobStore, year: i32, scale: f64) -> anyhow::Result<()> {
    if org::agency(db).await?.is_some() {
        println!("The database already holds an agency; the demo data is not loaded again.");
    } else {
        let started = Instant::now();
        let bar = spinner("Loading the demo agency: units, people, areas, organisations");
        let demo = crate::demo::load_organisation(db, DEMO_PASSWORD)
            .await
            .context("loading the demo data")?;
        bar.finish_and_clear();
        println!(
            "Demo agency loaded in {:.1} s: {} users, {} area versions.",
            started.elapsed().as_secs_f64(),
            demo.users.len(),
            demo.area_versions
        );
        let started = Instant::now();
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("Loading the documents of {year}"));
        let mut options = crate::demo::documents::DocumentOptions::for_year(year);
        options.scale = scale;
        let summary = crate::demo::documents::load_documents_with(
            db,
            blobs,
            &demo,
            &options,
            &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            },
        )
        .await
        .context("loading the demo documents")?;
        bar.finish_and_clear();
        // The loader writes rows directly, in bulk: make them searchable.
        let bar = spinner("Indexing the documents for search");
        vanphong_store::search::attachments::catch_up(db, blobs, |_, _| {})
            .await
            .context("reading the text of the demo attachments")?;
        vanphong_store::search::catch_up(db)
            .await
            .context("indexing the demo documents")?;
        bar.finish_and_clear();
        println!(
            "Documents of {} loaded in {:.1} s: {} incoming, {} outgoing.",
            summary.year,
            started.elapsed().as_secs_f64(),
            summary.incoming,
            summary.outgoing
        );
        let started = Instant::now();
        let bar = spinner(&format!("Loading the hotline reports of {year}"));
        let mut options = crate::demo::hotline::HotlineOptions::for_year(year);
        options.scale = scale;
        let hotline = crate::demo::hotline::load_hotline(db, &demo, &options)
            .await
            .context("loading the demo hotline reports")?;
        bar.finish_and_clear();
        println!(
            "Hotline of {year} loaded in {:.1} s: {} reports and {} from the press in {} cases; \
             {} verified, {} handled, {} answered.",
            started.elapsed().as_secs_f64(),
            hotline.reports,
            hotline.press_reports,
            hotline.cases,
            hotline.verified,
            hotline.handled,
            hotline.responded
        );
        let started = Instant::now();
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("Loading the procedure dossiers of {year}"));
        let as_of = vanphong_web::vietnam_today().min(
            chrono::NaiveDate::from_ymd_opt(year, 12, 31)
                .context("the demo year has no 31 December")?,
        );
        let dossiers =
            crate::demo::dossiers::load_dossiers(db, &demo, year, scale, as_of, &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await
            .context("loading the demo dossiers")?;
        bar.finish_and_clear();
        println!(
            "Procedure dossiers of {year} loaded in {:.1} s: {} procedures, {} dossiers ({} online), {} finished ({} late).",
            started.elapsed().as_secs_f64(),
            dossiers.procedures,
            dossiers.dossiers,
            dossiers.online,
            dossiers.finished,
            dossiers.late
        );
        let started = Instant::now();
        let bar = spinner(&format!("Loading the work files and news of {year}"));
        let records = crate::demo::records::load_records(db, &demo, year, scale, as_of)
            .await
            .context("loading the demo work files and news")?;
        bar.finish_and_clear();
        println!(
            "Work files and news of {year} loaded in {:.1} s: {} files received into the archive in {} handovers \
             ({} waiting), {} open; {} news articles published, {} drafts.",
            started.elapsed().as_secs_f64(),
            records.files_received,
            records.handovers,
            records.files_waiting,
            records.files_open,
            records.news_published,
            records.news_drafts
        );
        db.refresh_statistics()
            .await
            .context("refreshing the planner's statistics")?;
    }
    print_demo_logins(db).await
}

pub(crate) fn count_bar(message: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} [{elapsed}, {per_sec}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message.to_owned());
    bar
}

async fn search_command(
    db: &Db,
    blobs: &BlobStore,
    action: crate::config::SearchCommand,
) -> anyhow::Result<ExitCode> {
    use vanphong_store::search;
    if matches!(action, crate::config::SearchCommand::Reindex) {
        let started = Instant::now();
        let bar = count_bar("Reading the text of attachments");
        let files = search::attachments::catch_up(db, blobs, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await
        .context("reading the text of attachments")?;
        bar.finish_and_clear();
        let bar = count_bar("Indexing records");
        let records = search::rebuild(db, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await
        .context("rebuilding the search index")?;
        bar.finish_and_clear();
        println!(
            "Read {files} attachments and indexed {records} records in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    let bar = spinner("Verifying the search index against the records");
    let report = search::verify(db)
        .await
        .context("verifying the search index")?;
    bar.finish_and_clear();
    println!(
        "{} records, {} entries in the search index.",
        report.records, report.entries
    );
    if report.is_sound() {
        println!("The search index agrees with the records.");
        return Ok(ExitCode::SUCCESS);
    }
    let name = |list: &[(search::Kind, i64)]| {
        list.iter()
            .take(20)
            .map(|(k, id)| format!("{} {id}", k.code()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !report.missing.is_empty() {
        println!(
            "{} records have no entry: {}",
            report.missing.len(),
            name(&report.missing)
        );
    }
    if !report.stale.is_empty() {
        println!(
            "{} entries differ from their record: {}",
            report.stale.len(),
            name(&report.stale)
        );
    }
    if report.orphans > 0 {
        println!(
            "{} entries belong to records that are gone.",
            report.orphans
        );
    }
    if report.word_index_mismatch > 0 {
        println!(
            "{} entries are missing from the word index or left in it.",
            report.word_index_mismatch
        );
    }
    println!("Run `vanphong search reindex` to rebuild the index.");
    Ok(ExitCode::FAILURE)
}

async fn print_demo_logins(db: &Db) -> anyhow::Result<()> {
    let list = users::list(db, &UserFilter::default(), None, 1000).await?;
    println!("\nDemo sign-ins (password for every account: {DEMO_PASSWORD}):");
    let mut seen_roles = std::collections::BTreeSet::new();
    for user in &list {
        // One account per role is enough to show; the rest are ordinary staff.
        let new_role = user.roles.iter().any(|r| seen_roles.insert(*r));
        if new_role {
            let roles: Vec<&str> = user.roles.iter().map(|r| r.code()).collect();
            println!(
                "  {:<16} {:<28} {}",
                user.username,
                user.full_name,
                roles.join(", ")
            );
        }
    }
    println!();
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<(NewPassword, Option<String>)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let line = line.trim_end_matches(['\n', '\r']);
        let password = NewPassword::parse(line)
            .map_err(|e| anyhow::anyhow!("the password is not acceptable: {e}"))?;
        return Ok((password, None));
    }
    let generated: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect();
    Ok((
        NewPassword::parse(&generated).map_err(|e| anyhow::anyhow!("{e}"))?,
        Some(generated),
    ))
}

async fn find_user(db: &Db, username: &str) -> anyhow::Result<users::User> {
    let name = Username::parse(username).map_err(|e| anyhow::anyhow!("{username:?}: {e}"))?;
    users::by_username(db, name.as_str())
        .await
        .map_err(|e| match e {
            vanphong_store::StoreError::NotFound => {
                anyhow::anyhow!("there is no user named {username}")
            }
            other => other.into(),
        })
}

async fn user_command(db: &Db, action: UserCommand) -> anyhow::Result<ExitCode> {
    let origin = Origin::command_line();
    match action {
        UserCommand::Add {
            username,
            full_name,
            roles,
            unit,
            clearance,
            email,
            password_stdin,
        } => {
            let username = Username::parse(&username)
                .map_err(|e| anyhow::anyhow!("user name {username:?}: {e}"))?;
            let roles = roles
                .iter()
                .map(|r| {
                    Role::parse(r).map_err(|_| {
                        let known: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                        anyhow::anyhow!("unknown role {r:?}; the roles are {}", known.join(", "))
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let clearance = Secrecy::parse(&clearance)
                .map_err(|_| anyhow::anyhow!("unknown clearance {clearance:?}"))?;
            let unit_id = match unit {
                Some(abbreviation) => Some(
                    org::units(db)
                        .await?
                        .into_iter()
                        .find(|u| u.abbreviation.eq_ignore_ascii_case(&abbreviation))
                        .map(|u| u.id)
                        .with_context(|| {
                            format!("there is no unit with the abbreviation {abbreviation}")
                        })?,
                ),
                None => None,
            };
            let full_name = vanphong_core::text::required_line(&full_name, 200)
                .map_err(|e| anyhow::anyhow!("full name: {e}"))?;
            let (password, generated) = read_password(password_stdin)?;
            let user = users::create(
                db,
                &origin,
                NewUser {
                    username,
                    full_name,
                    email,
                    phone: String::new(),
                    unit_id,
                    position_id: None,
                    clearance,
                    roles,
                    password,
                },
            )
            .await
            .map_err(|e| match e {
                vanphong_store::StoreError::Invalid(code) if code == "username_taken" => {
                    anyhow::anyhow!("that user name is already taken")
                }
                other => other.into(),
            })?;
            println!("Created user {} (number {}).", user.username, user.id);
            if let Some(password) = generated {
                println!("Password (shown once): {password}");
            }
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let user = find_user(db, &username).await?;
            let (password, generated) = read_password(password_stdin)?;
            users::set_password(db, &origin, user.id, &password).await?;
            println!(
                "The password of {} was changed; their sessions were ended.",
                user.username
            );
            if let Some(password) = generated {
                println!("Password (shown once): {password}");
            }
        }
        UserCommand::Disable { username } => {
            let user = find_user(db, &username).await?;
            users::set_disabled(db, &origin, user.id, true).await?;
            println!("{} is disabled; their sessions were ended.", user.username);
        }
        UserCommand::List { all } => {
            let filter = UserFilter {
                include_disabled: all,
                ..Default::default()
            };
            println!(
                "{:<6} {:<18} {:<30} {:<9} roles",
                "id", "username", "full name", "status"
            );
            for user in users::list(db, &filter, None, 1_000_000).await? {
                let roles: Vec<&str> = user.roles.iter().map(|r| r.code()).collect();
                println!(
                    "{:<6} {:<18} {:<30} {:<9} {}",
                    user.id.0,
                    user.username,
                    user.full_name,
                    if user.disabled { "disabled" } else { "active" },
                    roles.join(",")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn api_key_command(db: &Db, action: ApiKeyCommand) -> anyhow::Result<ExitCode> {
    let origin = Origin::command_line();
    match action {
        ApiKeyCommand::Create { user, name } => {
            let owner = find_user(db, &user).await?;
            let name = vanphong_core::text::required_line(&name, 200)
                .map_err(|e| anyhow::anyhow!("name: {e}"))?;
            if owner.disabled {
                bail!(
                    "{} is disabled; a key acting as them could never be used",
                    owner.username
                );
            }
            let (key, token) = api_keys::create(db, &origin, &name, owner.id).await?;
            println!(
                "Created API key {} ({}) acting as {}.",
                key.id, key.name, owner.username
            );
            println!("Key (shown once): {token}");
        }
        ApiKeyCommand::Revoke { id } => {
            api_keys::revoke(db, &origin, ApiKeyId(id))
                .await
                .map_err(|e| match e {
                    vanphong_store::StoreError::NotFound => {
                        anyhow::anyhow!("there is no live API key number {id}")
                    }
                    other => other.into(),
                })?;
            println!("API key {id} is revoked.");
        }
        ApiKeyCommand::List => {
            let names: std::collections::HashMap<_, _> = users::list(
                db,
                &UserFilter {
                    include_disabled: true,
                    ..Default::default()
                },
                None,
                1_000_000,
            )
            .await?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect();
            println!(
                "{:<5} {:<30} {:<16} {:<12} {:<20} status",
                "id", "name", "user", "prefix", "last used"
            );
            for key in api_keys::list(db).await? {
                println!(
                    "{:<5} {:<30} {:<16} {:<12} {:<20} {}",
                    key.id.0,
                    key.name,
                    names.get(&key.user_id).map(String::as_str).unwrap_or("?"),
                    key.prefix,
                    key.last_used_at
                        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".into()),
                    if key.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn verify_audit(db: &Db, anchor: Option<&str>) -> anyhow::Result<ExitCode> {
    let anchor = match anchor {
        Some(text) => {
            let (seq, hash) = text
                .split_once(':')
                .and_then(|(s, h)| Some((s.trim().parse::<i64>().ok()?, h.trim().to_owned())))
                .with_context(|| format!("--anchor {text:?} is not SEQ:HASH"))?;
            Some((seq, hash))
        }
        None => None,
    };
    let total = audit::head(db).await?;
    let bar = ProgressBar::new(total.max(0) as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "Verifying the audit trail {bar:40} {pos}/{len} events [{elapsed}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = audit::verify(db, |n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    let anchor_problem = match &anchor {
        Some((seq, expected)) => match audit::event_hash(db, *seq).await? {
            Some(found) if &found == expected => None,
            Some(_) => Some(format!(
                "event {seq} no longer has the anchored hash: the trail up to it was rewritten"
            )),
            None => Some(format!("event {seq}, the anchor, is gone")),
        },
        None => None,
    };
    if report.is_intact() && anchor_problem.is_none() {
        println!(
            "The audit trail is intact: {} events checked.",
            report.checked
        );
        if let Some((seq, _)) = anchor {
            println!("It still contains the anchored event {seq} unchanged.");
        }
        let last = audit::head(db).await?;
        if let Some(hash) = audit::event_hash(db, last).await? {
            println!("Anchor for the next check (keep it outside the database): {last}:{hash}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(problem) = anchor_problem {
        println!("The audit trail has been rewritten:");
        println!("  - {problem}");
    }
    if report.is_intact() {
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "The audit trail has been tampered with ({} events checked):",
        report.checked
    );
    for problem in &report.breaks {
        println!("  - {problem}");
    }
    Ok(ExitCode::FAILURE)
}

fn bytes_bar(total: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    let template = format!("{label} {{bar:40}} {{bytes}}/{{total_bytes}} [{{elapsed}}]");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

async fn run_backup(storage: &Storage, target: &std::path::Path) -> anyhow::Result<()> {
    if !storage.is_embedded() {
        bail!("backup copies the embedded SQLite database; for PostgreSQL use pg_dump and your object store's own replication");
    }
    if storage
        .blob_store
        .as_deref()
        .is_some_and(|b| b.starts_with("s3://"))
    {
        bail!("backup copies a blob folder; with an S3 blob store, use the object store's own replication");
    }
    let db = open_database(storage).await?;
    let blob_root = std::path::PathBuf::from(storage.blob_spec());
    let (_, bytes) = backup::blob_totals(&blob_root)?;
    let bar = bytes_bar(bytes, "Copying files");
    let summary = backup::backup(&db, &blob_root, target, |n| bar.inc(n)).await?;
    bar.finish_and_clear();
    println!(
        "Backup written to {}: database {} bytes, {} files ({} bytes).",
        target.display(),
        summary.database_bytes,
        summary.blob_files,
        summary.blob_bytes
    );
    Ok(())
}

fn run_restore(storage: &Storage, source: &std::path::Path, force: bool) -> anyhow::Result<()> {
    if storage.database_url.is_some() || storage.blob_store.is_some() {
        bail!("restore writes into the data folder (--data-dir); it does not take --database-url or --blob-store");
    }
    let (_, bytes) = backup::blob_totals(&source.join(backup::BLOB_DIR))?;
    let bar = bytes_bar(bytes, "Restoring files");
    let summary = backup::restore(source, &storage.data_dir, force, |n| bar.inc(n))?;
    bar.finish_and_clear();
    println!(
        "Restored into {}: database {} bytes, {} files.",
        storage.data_dir.display(),
        summary.database_bytes,
        summary.blob_files
    );
    Ok(())
}

/// An administrator's overrides, when there is a database to read them from. The command
/// never creates a database just to look.
async fn calendar_overrides(
    storage: &Storage,
) -> anyhow::Result<std::collections::BTreeMap<i32, vanphong_core::calendar::YearOverrides>> {
    let embedded_file = storage.data_dir.join(backup::DATABASE_FILE);
    if storage.database_url.is_none() && !embedded_file.is_file() {
        return Ok(Default::default());
    }
    let db = open_database(storage).await?;
    Ok(vanphong_store::calendar::all(&db).await?)
}

fn calendar_command(
    args: CalendarArgs,
    overrides: std::collections::BTreeMap<i32, vanphong_core::calendar::YearOverrides>,
) -> anyhow::Result<ExitCode> {
    use vanphong_core::calendar::WorkingCalendar;
    match (args.action, args.year) {
        (Some(CalendarCommand::AddWorkingDays { date, days }), _) => {
            let date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
                .with_context(|| format!("{date:?} is not a date like 2026-01-30"))?;
            let days: i32 = days
                .trim()
                .parse()
                .with_context(|| format!("{days:?} is not a whole number of days"))?;
            let calendar = WorkingCalendar::new(&overrides)?;
            println!("{}", calendar.add_working_days(date, days)?);
        }
        (None, Some(year)) => {
            let year: i32 = year
                .trim()
                .parse()
                .with_context(|| format!("{year:?} is not a year"))?;
            let calendar = WorkingCalendar::new(&overrides)?;
            for holiday in calendar.holidays(year)? {
                println!("{} {}", holiday.date, holiday.name_vi);
            }
        }
        (None, None) => bail!("give a YEAR, or `add-working-days DATE N`"),
    }
    Ok(ExitCode::SUCCESS)
}

fn progress_bar(total: u64, message: String) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:32} {wide_bar} {pos}/{len} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}

/// `migrate-data`: copies every table and file, then checks both sides agree. False when
/// the verification found a difference.
async fn migrate_data(
    storage: &Storage,
    from: Option<String>,
    to: &str,
    blobs_to: Option<&str>,
) -> anyhow::Result<bool> {
    use vanphong_store::migrate_data as m;
    let from = from.unwrap_or_else(|| storage.database_url());
    if !from.starts_with("sqlite:") || !to.starts_with("postgres") {
        anyhow::bail!(
            "data moves from an SQLite database (--from sqlite://PATH) to a PostgreSQL database (--to postgres://…)"
        );
    }
    let settings = PoolSettings::default();
    let source = Db::open(&from, &settings)
        .await
        .with_context(|| format!("opening the source database {}", redacted(&from)))?;
    let target = Db::open(to, &settings)
        .await
        .with_context(|| format!("opening the target database {}", redacted(to)))?;
    m::ensure_empty_target(&target).await?;
    let plan = m::plan(&source, &target).await?;
    if !plan.skipped.is_empty() {
        println!(
            "Not copied (each database builds its own): {}",
            plan.skipped.join(", ")
        );
    }
    let total: u64 = plan.tables.iter().map(|t| t.rows).sum();
    let bar = progress_bar(total, "Copying rows".into());
    for table in &plan.tables {
        bar.set_message(format!("Copying {}", table.name));
        m::copy_table(&source, &target, table, |n| bar.inc(n))
            .await
            .with_context(|| format!("copying the table {}", table.name))?;
    }
    bar.finish_and_clear();
    println!("Copied {total} rows in {} tables.", plan.tables.len());
    let bar = progress_bar(0, "Building the search index".into());
    let indexed = vanphong_store::search::catch_up_with(&target, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .context("building the search index on the target")?;
    bar.finish_and_clear();
    println!("Indexed {indexed} records for search on the target.");
    target
        .refresh_statistics()
        .await
        .context("refreshing the planner's statistics on the target")?;

    let mut all_match = true;
    let bar = progress_bar(plan.tables.len() as u64, "Verifying tables".into());
    for table in &plan.tables {
        bar.set_message(format!("Verifying {}", table.name));
        let check = m::verify_table(&source, &target, table).await?;
        if !check.matches() {
            all_match = false;
            bar.println(format!(
                "MISMATCH {}: {} rows (checksum {}) in the source, {} rows (checksum {}) in the target",
                check.name, check.source_rows, check.source_checksum, check.target_rows, check.target_checksum
            ));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if all_match {
        println!("Every table has the same rows and checksum in both databases.");
    }

    let files = m::recorded_blobs(&source).await?;
    match blobs_to {
        None => println!(
            "{} files were left where they are ({}); point --blob-store there, or use --blobs-to.",
            files.len(),
            storage.blob_spec()
        ),
        Some(spec) => {
            let from_store =
                BlobStore::open(&storage.blob_spec(), &storage.upload_dir(), u64::MAX)?;
            let to_store = BlobStore::open(spec, &storage.upload_dir(), u64::MAX)
                .with_context(|| format!("opening the target blob store {spec}"))?;
            to_store
                .ping()
                .await
                .with_context(|| format!("reaching the target blob store {spec}"))?;
            let bar = progress_bar(files.len() as u64, "Copying files".into());
            let mut bad = Vec::new();
            for sha256 in &files {
                let stream = from_store
                    .open_stream(sha256)
                    .await
                    .with_context(|| format!("reading the file {sha256}"))?;
                // The store addresses a file by the SHA-256 of what it received: the same
                // address on arrival is the per-file checksum.
                let stored = to_store
                    .put_stream(stream)
                    .await
                    .with_context(|| format!("writing the file {sha256}"))?;
                if stored.sha256 != *sha256 {
                    bad.push(sha256.clone());
                }
                bar.inc(1);
            }
            bar.finish_and_clear();
            for sha256 in &files {
                if !to_store.exists(sha256).await? && !bad.contains(sha256) {
                    bad.push(sha256.clone());
                }
            }
            if bad.is_empty() {
                println!("Copied and verified {} files to {spec}.", files.len());
            } else {
                all_match = false;
                println!(
                    "MISMATCH: {} files differ or are missing: {}",
                    bad.len(),
                    bad.join(", ")
                );
            }
        }
    }
    if all_match {
        println!("Done: the office now runs on {}.", redacted(to));
    } else {
        eprintln!(
            "error: the copy does not match the source; do not switch over (see MISMATCH above)"
        );
    }
    Ok(all_match)
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            redacted("postgres://vp:secret@db:5432/vp"),
            "postgres://vp:***@db:5432/vp"
        );
        assert_eq!(
            redacted("postgres://postgres@127.0.0.1/vp"),
            "postgres://postgres@127.0.0.1/vp"
        );
        assert_eq!(
            redacted("sqlite://./data/vanphong.db"),
            "sqlite://./data/vanphong.db"
        );
    }
}
