//! Storage tests: every one runs on a fresh SQLite file and a fresh PostgreSQL database.

mod documents;
mod dossiers;
mod hotline;
mod outgoing;
mod records;
mod registers;
mod report_archive;
mod reports;
mod s3;
mod search;
mod transactions;

use futures::stream;
use vanphong_core::auth::{NewPassword, Role, Secrecy, Username};
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::org::{Abbreviation, AgencyCode, AreaLevel, OrganisationKind};
use vanphong_store::audit::{self, Origin};
use vanphong_store::blobs::BlobStore;
use vanphong_store::org::{self, AgencySettings, AreaInput, OrganisationInput, UnitInput};
use vanphong_store::sessions::{self, SessionPolicy, ThrottlePolicy};
use vanphong_store::testing::TestDb;
use vanphong_store::users::{self, NewUser, UserUpdate};
use vanphong_store::{
    api_keys, backup, jobs, notifications, on_both_backends, Backend, StoreError,
};

fn unit_input(name: &str, abbreviation: &str, parent: Option<UnitId>) -> UnitInput {
    UnitInput {
        parent_id: parent,
        name: name.into(),
        abbreviation: Abbreviation::parse(abbreviation).unwrap(),
        sort_order: 0,
        active: true,
    }
}

fn new_user(username: &str, roles: Vec<Role>, unit: Option<UnitId>) -> NewUser {
    NewUser {
        username: Username::parse(username).unwrap(),
        full_name: "Nguyễn Văn An".into(),
        email: String::new(),
        phone: String::new(),
        unit_id: unit,
        position_id: None,
        clearance: Secrecy::Normal,
        roles,
        password: NewPassword::parse("mật khẩu thử nghiệm").unwrap(),
    }
}

async fn migrations_apply_and_a_newer_schema_is_refused(backend: Backend) {
    let t = TestDb::new(backend).await;
    assert_eq!(
        t.db.database_schema_version().await.unwrap(),
        t.db.binary_schema_version()
    );
    // Applying again is a no-op.
    t.db.migrate().await.unwrap();
    // Pretend a newer binary migrated this database.
    let future = t.db.binary_schema_version() + 1;
    match &t.db {
        vanphong_store::Db::Sqlite(pool) => {
            sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, 'future', TRUE, x'00', 0)")
                .bind(future)
                .execute(pool)
                .await
                .unwrap();
        }
        vanphong_store::Db::Postgres(pool) => {
            sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, 'future', TRUE, '\\x00', 0)")
                .bind(future)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let error = t.db.migrate().await.unwrap_err();
    assert!(
        matches!(error, StoreError::SchemaTooNew { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("newer than this program"));
}

async fn units_form_a_tree_without_cycles_and_keep_unique_abbreviations(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let office = org::create_unit(
        &t.db,
        &origin,
        &unit_input("Văn phòng Tổng cục", "VP", None),
    )
    .await
    .unwrap();
    let division = org::create_unit(
        &t.db,
        &origin,
        &unit_input("Phòng Tổng hợp", "TH", Some(office.id)),
    )
    .await
    .unwrap();
    let duplicate = org::create_unit(&t.db, &origin, &unit_input("Văn phòng khác", "VP", None))
        .await
        .unwrap_err();
    assert!(
        matches!(duplicate, StoreError::Invalid(ref m) if m == "abbreviation_taken"),
        "{duplicate:?}"
    );
    let cycle = org::update_unit(
        &t.db,
        &origin,
        office.id,
        office.version,
        &unit_input("Văn phòng", "VP", Some(division.id)),
    )
    .await
    .unwrap_err();
    assert!(matches!(cycle, StoreError::Invalid(ref m) if m == "unit_cycle"));
    let renamed = org::update_unit(
        &t.db,
        &origin,
        division.id,
        division.version,
        &unit_input("Phòng Tổng hợp - Thi đua", "TH", Some(office.id)),
    )
    .await
    .unwrap();
    assert_eq!(renamed.version, division.version + 1);
    // A second edit from the same stale form is refused.
    let stale = org::update_unit(
        &t.db,
        &origin,
        division.id,
        division.version,
        &unit_input("X", "TH", Some(office.id)),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, StoreError::Stale));
    let tree = org::unit_tree(&t.db).await.unwrap();
    assert!(tree.is_within(division.id, office.id));
    // Nothing half-written: the failed attempts left no units and no audit events.
    assert_eq!(org::units(&t.db).await.unwrap().len(), 2);
    assert_eq!(audit::head(&t.db).await.unwrap(), 3);
}

async fn users_sign_in_with_argon2_and_sessions_end_on_password_change(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let unit = org::create_unit(&t.db, &origin, &unit_input("Văn phòng", "VP", None))
        .await
        .unwrap();
    let user = users::create(
        &t.db,
        &origin,
        new_user(
            "vanthu",
            vec![Role::RecordsClerk, Role::Editor],
            Some(unit.id),
        ),
    )
    .await
    .unwrap();
    assert_eq!(user.roles, vec![Role::RecordsClerk, Role::Editor]);
    let (found, hash) = users::credentials(&t.db, "vanthu").await.unwrap().unwrap();
    assert_eq!(found.id, user.id);
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(users::verify_password(Some(&hash), "mật khẩu thử nghiệm"));
    assert!(!users::verify_password(Some(&hash), "wrong password"));
    assert!(!users::verify_password(None, "mật khẩu thử nghiệm"));
    assert!(users::credentials(&t.db, "nobody").await.unwrap().is_none());

    let taken = users::create(&t.db, &origin, new_user("vanthu", vec![], None))
        .await
        .unwrap_err();
    assert!(matches!(taken, StoreError::Invalid(ref m) if m == "username_taken"));

    let policy = SessionPolicy::default();
    let token = sessions::open(&t.db, &origin, &user, "test", policy)
        .await
        .unwrap();
    assert_eq!(
        sessions::resolve(&t.db, &token, policy)
            .await
            .unwrap()
            .unwrap()
            .id,
        user.id
    );
    assert!(sessions::resolve(&t.db, "forged", policy)
        .await
        .unwrap()
        .is_none());
    users::set_password(
        &t.db,
        &origin,
        user.id,
        &NewPassword::parse("một mật khẩu mới").unwrap(),
    )
    .await
    .unwrap();
    assert!(sessions::resolve(&t.db, &token, policy)
        .await
        .unwrap()
        .is_none());

    let token = sessions::open(&t.db, &origin, &user, "test", policy)
        .await
        .unwrap();
    users::set_disabled(&t.db, &origin, user.id, true)
        .await
        .unwrap();
    assert!(sessions::resolve(&t.db, &token, policy)
        .await
        .unwrap()
        .is_none());
}

async fn user_updates_detect_concurrent_edits_and_audit_permission_changes(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let user = users::create(
        &t.db,
        &origin,
        new_user("chuyenvien", vec![Role::Specialist], None),
    )
    .await
    .unwrap();
    let change = UserUpdate {
        full_name: "Trần Thị Bình".into(),
        email: "binh@example.vn".into(),
        phone: String::new(),
        unit_id: None,
        position_id: None,
        clearance: Secrecy::Confidential,
        roles: vec![Role::Specialist, Role::UnitLeader],
    };
    let updated = users::update(&t.db, &origin, user.id, user.version, &change)
        .await
        .unwrap();
    assert_eq!(updated.clearance, Secrecy::Confidential);
    let stale = users::update(&t.db, &origin, user.id, user.version, &change)
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Stale));
    let history = audit::history(&t.db, "user", &user.id.to_string())
        .await
        .unwrap();
    let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["user.create", "user.permissions_change"]);
}

async fn sign_in_failures_are_throttled_for_known_and_unknown_names(backend: Backend) {
    let t = TestDb::new(backend).await;
    let policy = ThrottlePolicy::default();
    for name in ["exists", "does-not-exist"] {
        assert!(!sessions::is_throttled(&t.db, name, "10.0.0.1", policy)
            .await
            .unwrap());
        for _ in 0..policy.per_username {
            sessions::record_failure(&t.db, name, "10.0.0.1")
                .await
                .unwrap();
        }
        assert!(sessions::is_throttled(&t.db, name, "10.0.0.2", policy)
            .await
            .unwrap());
        sessions::clear_failures(&t.db, name).await.unwrap();
        assert!(!sessions::is_throttled(&t.db, name, "10.0.0.2", policy)
            .await
            .unwrap());
    }
}

async fn api_keys_authenticate_until_revoked(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let user = users::create(
        &t.db,
        &origin,
        new_user("tichhop", vec![Role::RecordsClerk], None),
    )
    .await
    .unwrap();
    let (key, token) = api_keys::create(&t.db, &origin, "Trục liên thông", user.id)
        .await
        .unwrap();
    assert!(token.starts_with("vpk_"));
    let (found, owner) = api_keys::authenticate(&t.db, &token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, owner.id), (key.id, user.id));
    assert!(api_keys::authenticate(&t.db, &format!("{token}x"))
        .await
        .unwrap()
        .is_none());
    assert!(api_keys::authenticate(&t.db, "vpk_nope_nope")
        .await
        .unwrap()
        .is_none());
    api_keys::revoke(&t.db, &origin, key.id).await.unwrap();
    assert!(api_keys::authenticate(&t.db, &token)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        api_keys::revoke(&t.db, &origin, key.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn the_audit_chain_verifies_and_the_database_refuses_edits(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    for i in 0..5 {
        org::create_unit(
            &t.db,
            &origin,
            &unit_input(&format!("Phòng {i}"), &format!("P{i}"), None),
        )
        .await
        .unwrap();
    }
    let report = audit::verify(&t.db, |_| {}).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.breaks);
    assert_eq!(report.checked, 5);
    let edit = on_pool_exec(
        &t.db,
        "UPDATE audit_events SET actor_label = 'x' WHERE seq = 2",
    )
    .await;
    assert!(edit.is_err(), "the trigger must refuse edits");
    let delete = on_pool_exec(&t.db, "DELETE FROM audit_events WHERE seq = 2").await;
    assert!(delete.is_err(), "the trigger must refuse deletions");
}

async fn on_pool_exec(db: &vanphong_store::Db, sql: &str) -> Result<u64, sqlx::Error> {
    match db {
        vanphong_store::Db::Sqlite(p) => {
            sqlx::query(sql).execute(p).await.map(|r| r.rows_affected())
        }
        vanphong_store::Db::Postgres(p) => {
            sqlx::query(sql).execute(p).await.map(|r| r.rows_affected())
        }
    }
}

async fn concurrent_audit_appends_never_fork_the_chain(backend: Backend) {
    let t = TestDb::new(backend).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            org::create_position(&db, &Origin::system(), &format!("Chức vụ {i}"), i)
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let report = audit::verify(&t.db, |_| {}).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.breaks);
    assert_eq!(report.checked, 16);
}

async fn agency_organisations_and_areas_keep_their_history(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let settings = AgencySettings {
        code: AgencyCode::parse("000.00.16.H49").unwrap(),
        name: "Tổng cục Môi trường".into(),
        name_en: "Vietnam Environment Administration".into(),
        abbreviation: Abbreviation::parse("TCMT").unwrap(),
        parent_abbreviation: Some(Abbreviation::parse("BTNMT").unwrap()),
        address: "10 Tôn Thất Thuyết, Hà Nội".into(),
        place_name: "Hà Nội".into(),
    };
    org::save_agency(&t.db, &origin, &settings).await.unwrap();
    assert_eq!(
        org::agency(&t.db).await.unwrap().unwrap().abbreviation,
        "TCMT"
    );

    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let areas = vec![
        AreaInput {
            code: "75".into(),
            name: "Đồng Nai".into(),
            level: AreaLevel::Province,
            parent_code: None,
            valid_from: day("1976-01-01"),
            valid_to: Some(day("2025-07-01")),
            successor_code: Some("75".into()),
        },
        AreaInput {
            code: "70".into(),
            name: "Bình Phước".into(),
            level: AreaLevel::Province,
            parent_code: None,
            valid_from: day("1997-01-01"),
            valid_to: Some(day("2025-07-01")),
            successor_code: Some("75".into()),
        },
        AreaInput {
            code: "75".into(),
            name: "Đồng Nai".into(),
            level: AreaLevel::Province,
            parent_code: None,
            valid_from: day("2025-07-01"),
            valid_to: None,
            successor_code: None,
        },
        AreaInput {
            code: "26734".into(),
            name: "Phường Trấn Biên".into(),
            level: AreaLevel::Commune,
            parent_code: Some("75".into()),
            valid_from: day("2025-07-01"),
            valid_to: None,
            successor_code: None,
        },
    ];
    assert_eq!(org::import_areas(&t.db, &origin, &areas).await.unwrap(), 4);
    assert_eq!(
        org::import_areas(&t.db, &origin, &areas).await.unwrap(),
        0,
        "an import can be repeated"
    );
    let before = org::areas(&t.db, AreaLevel::Province, Some(day("2020-01-01")))
        .await
        .unwrap();
    assert_eq!(
        before.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        vec!["Bình Phước", "Đồng Nai"]
    );
    let after = org::areas(&t.db, AreaLevel::Province, Some(day("2025-08-01")))
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert!(before.iter().all(|a| a.successor_id == Some(after[0].id)));
    let communes = org::areas(&t.db, AreaLevel::Commune, None).await.unwrap();
    assert_eq!(communes[0].parent_id, Some(after[0].id));

    let input = OrganisationInput {
        name: "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai".into(),
        abbreviation: Some(Abbreviation::parse("SNNMT").unwrap()),
        agency_code: Some(AgencyCode::parse("000.00.36.H19").unwrap()),
        kind: OrganisationKind::ProvincialEnvironmentDepartment,
        province_id: Some(after[0].id),
        email: String::new(),
        address: String::new(),
    };
    let created = org::create_organisation(&t.db, &origin, &input)
        .await
        .unwrap();
    let again = org::create_organisation(&t.db, &origin, &input)
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Invalid(_)), "{again:?}");
    let found = org::organisations(&t.db, Some("đồng nai"), None, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, created.id);
    // A page of documents names its senders in one query; unknown ids are left out.
    let names = org::organisation_names(
        &t.db,
        &[
            created.id,
            created.id,
            vanphong_core::ids::OrganisationId(987_654),
        ],
    )
    .await
    .unwrap();
    assert_eq!(names.len(), 1);
    assert_eq!(names[&created.id], created.name);
    assert!(org::organisation_names(&t.db, &[])
        .await
        .unwrap()
        .is_empty());
}

/// After a bulk load the planner gets statistics (autovacuum may be off; SQLite has none
/// until asked), and on PostgreSQL the pages are vacuumed for index-only scans.
async fn statistics_are_refreshed_on_request(backend: Backend) {
    let t = TestDb::new(backend).await;
    t.db.refresh_statistics().await.unwrap();
    let analysed: i64 = match &t.db {
        vanphong_store::Db::Sqlite(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
        vanphong_store::Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'documents' \
             AND last_analyze IS NOT NULL AND last_vacuum IS NOT NULL",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
    };
    assert_eq!(analysed, 1);
}

async fn blobs_are_stored_once_and_refused_over_the_limit_without_leftovers(backend: Backend) {
    let t = TestDb::new(backend).await;
    let root = t.dir.path().join("blobs");
    let temp = t.dir.path().join("uploads");
    let store = BlobStore::open(root.to_str().unwrap(), &temp, 1024).unwrap();
    let chunks = || {
        stream::iter(vec![
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"%PDF-1.4\n")),
            Ok(bytes::Bytes::from_static(b"hello")),
        ])
    };
    let first = store.put_stream(chunks()).await.unwrap();
    let second = store.put_stream(chunks()).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.content_type, "application/pdf");
    assert_eq!(
        store.read_all(&first.sha256).await.unwrap(),
        b"%PDF-1.4\nhello"
    );
    assert_eq!(store.list().await.unwrap().len(), 1);

    let big =
        stream::iter((0..10).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![7u8; 200]))));
    assert!(matches!(
        store.put_stream(big).await,
        Err(StoreError::TooLarge { limit: 1024 })
    ));
    let broken = stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"partial")),
        Err(std::io::Error::other("client went away")),
    ]);
    assert!(store.put_stream(broken).await.is_err());
    assert_eq!(
        std::fs::read_dir(&temp).unwrap().count(),
        0,
        "no temporary file left behind"
    );
    assert_eq!(store.list().await.unwrap().len(), 1, "no half-written blob");

    // The first blob was never recorded in the database: it is an orphan once old enough.
    let (_, orphans) = store
        .sweep(&t.db, std::time::Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(
        orphans, 0,
        "young blobs are spared: their row may be on its way"
    );
    let (_, orphans) = store.sweep(&t.db, std::time::Duration::ZERO).await.unwrap();
    assert_eq!(orphans, 1);
    let kept = store.put_stream(chunks()).await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    vanphong_store::blobs::record(&mut tx, &kept).await.unwrap();
    tx.commit().await.unwrap();
    let (_, orphans) = store.sweep(&t.db, std::time::Duration::ZERO).await.unwrap();
    assert_eq!(orphans, 0);
    assert!(store.exists(&kept.sha256).await.unwrap());
}

async fn notifications_and_job_runs_happen_once(backend: Backend) {
    let t = TestDb::new(backend).await;
    let user = users::create(
        &t.db,
        &Origin::system(),
        new_user("lanhdao", vec![Role::AgencyLeader], None),
    )
    .await
    .unwrap();
    assert!(notifications::send(
        &t.db,
        user.id,
        "reminder",
        "Sắp đến hạn",
        "/",
        "due:1:2026-11-29"
    )
    .await
    .unwrap());
    assert!(!notifications::send(
        &t.db,
        user.id,
        "reminder",
        "Sắp đến hạn",
        "/",
        "due:1:2026-11-29"
    )
    .await
    .unwrap());
    assert_eq!(
        notifications::unread_count(&t.db, user.id).await.unwrap(),
        1
    );
    notifications::mark_all_read(&t.db, user.id).await.unwrap();
    assert_eq!(
        notifications::unread_count(&t.db, user.id).await.unwrap(),
        0
    );
    let mut claims = Vec::new();
    for _ in 0..8 {
        let db = t.db.clone();
        claims.push(tokio::spawn(async move {
            jobs::claim(&db, "reminders", "2026-11-29").await.unwrap()
        }));
    }
    let mut winners = 0;
    for c in claims {
        winners += usize::from(c.await.unwrap());
    }
    assert_eq!(winners, 1);
    assert!(users::get(&t.db, UserId(9999)).await.is_err());
}

async fn backup_and_restore_round_trip(backend: Backend) {
    let t = TestDb::new(backend).await;
    let data = t.dir.path().join("data");
    let blobs_root = data.join("blobs");
    let store =
        BlobStore::open(blobs_root.to_str().unwrap(), &data.join("uploads"), 1 << 20).unwrap();
    let blob = store
        .put_stream(stream::iter(vec![Ok::<_, std::io::Error>(
            bytes::Bytes::from_static(b"scan"),
        )]))
        .await
        .unwrap();
    org::create_unit(
        &t.db,
        &Origin::system(),
        &unit_input("Văn phòng", "VP", None),
    )
    .await
    .unwrap();
    let target = t.dir.path().join("backup");
    let result = backup::backup(&t.db, &blobs_root, &target, |_| {}).await;
    if backend == Backend::Postgres {
        assert!(matches!(result, Err(StoreError::Invalid(ref m)) if m.contains("pg_dump")));
        return;
    }
    let summary = result.unwrap();
    assert_eq!(summary.blob_files, 1);
    // A second backup into the same directory is refused.
    assert!(backup::backup(&t.db, &blobs_root, &target, |_| {})
        .await
        .is_err());
    let restored = t.dir.path().join("restored");
    backup::restore(&target, &restored, false, |_| {}).unwrap();
    assert!(
        backup::restore(&target, &restored, false, |_| {}).is_err(),
        "no overwrite without force"
    );
    backup::restore(&target, &restored, true, |_| {}).unwrap();
    let url = format!(
        "sqlite://{}",
        restored.join(backup::DATABASE_FILE).display()
    );
    let db = vanphong_store::Db::open(&url, &Default::default())
        .await
        .unwrap();
    assert_eq!(org::units(&db).await.unwrap().len(), 1);
    assert!(audit::verify(&db, |_| {}).await.unwrap().is_intact());
    assert!(restored
        .join("blobs/sha256")
        .join(&blob.sha256[0..2])
        .join(&blob.sha256[2..4])
        .join(&blob.sha256)
        .is_file());
}

/// Moves a claim's time back, as if its node had claimed it `minutes` ago.
async fn age_claim(db: &vanphong_store::Db, job: &str, run_key: &str, minutes: i64) {
    let at = vanphong_store::now() - chrono::Duration::minutes(minutes);
    let statement = "UPDATE job_runs SET claimed_at = $1 WHERE job = $2 AND run_key = $3";
    let changed = match db {
        vanphong_store::Db::Sqlite(pool) => sqlx::query(statement)
            .bind(at)
            .bind(job)
            .bind(run_key)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
        vanphong_store::Db::Postgres(pool) => sqlx::query(statement)
            .bind(at)
            .bind(job)
            .bind(run_key)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert_eq!(changed, 1);
}

/// A node killed while it holds a claim never finishes nor gives it back: after the
/// lease, one other node takes the run over; a finished run stays done.
async fn a_claim_left_unfinished_is_taken_over_after_its_lease(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (job, key) = ("document_reminders", "2026-11-30");
    assert!(jobs::claim(&t.db, job, key).await.unwrap());
    // Within the lease the holder may still be working.
    age_claim(&t.db, job, key, jobs::LEASE.num_minutes() - 1).await;
    assert!(!jobs::claim(&t.db, job, key).await.unwrap());
    // Past it, exactly one of many nodes asking at once takes it over.
    age_claim(&t.db, job, key, jobs::LEASE.num_minutes() + 1).await;
    let mut claims = Vec::new();
    for _ in 0..6 {
        let db = t.db.clone();
        claims.push(tokio::spawn(async move {
            jobs::claim(&db, job, key).await.unwrap()
        }));
    }
    let mut winners = 0;
    for c in claims {
        winners += usize::from(c.await.unwrap());
    }
    assert_eq!(winners, 1);
    // The new holder's lease starts again, and a finished run is never claimed again.
    assert!(!jobs::claim(&t.db, job, key).await.unwrap());
    jobs::finish(&t.db, job, key).await.unwrap();
    age_claim(&t.db, job, key, 24 * 60).await;
    assert!(!jobs::claim(&t.db, job, key).await.unwrap());
    // Another run of the same job is claimed as usual.
    assert!(jobs::claim(&t.db, job, "2026-12-01").await.unwrap());
}

on_both_backends!(
    migrations_apply_and_a_newer_schema_is_refused,
    units_form_a_tree_without_cycles_and_keep_unique_abbreviations,
    users_sign_in_with_argon2_and_sessions_end_on_password_change,
    user_updates_detect_concurrent_edits_and_audit_permission_changes,
    sign_in_failures_are_throttled_for_known_and_unknown_names,
    api_keys_authenticate_until_revoked,
    the_audit_chain_verifies_and_the_database_refuses_edits,
    concurrent_audit_appends_never_fork_the_chain,
    agency_organisations_and_areas_keep_their_history,
    statistics_are_refreshed_on_request,
    blobs_are_stored_once_and_refused_over_the_limit_without_leftovers,
    notifications_and_job_runs_happen_once,
    a_claim_left_unfinished_is_taken_over_after_its_lease,
    backup_and_restore_round_trip,
);
