//! `audit verify`: an intact trail passes, and edits, deletions and reorderings made directly
//! in the database are found and named.

use crate::{execute, Installation, Outcome};
use vanphong_store::{on_both_backends, Backend, Db};

/// An office whose trail holds `events` events, each written by a command.
async fn office_with_audit_events(backend: Backend, events: usize) -> Installation {
    let office = Installation::new(backend).await;
    office
        .add_user(
            "quantri",
            "Đặng Quốc Khánh",
            "administrator",
            "mật khẩu quản trị",
        )
        .expect_success();
    for n in 1..events {
        office
            .create_api_key("quantri", &format!("Khóa số {n}"))
            .expect_success();
    }
    let head = vanphong_store::audit::head(&office.test_db.db)
        .await
        .unwrap();
    assert_eq!(head, events as i64, "each command writes one event");
    office
}

/// Does what an intruder with database access would: switch off the triggers that keep the
/// trail append-only, then change it.
async fn tamper_with_the_trail(office: &Installation, statements: &[&str]) {
    let db = &office.test_db.db;
    match db {
        Db::Sqlite(_) => {
            execute(db, "DROP TRIGGER audit_events_no_update").await;
            execute(db, "DROP TRIGGER audit_events_no_delete").await;
        }
        Db::Postgres(_) => execute(db, "ALTER TABLE audit_events DISABLE TRIGGER USER").await,
    }
    for statement in statements {
        execute(db, statement).await;
    }
}

/// The problems `audit verify` listed, after checking it failed cleanly and said so.
#[track_caller]
fn reported_problems(verification: &Outcome) -> Vec<String> {
    assert_eq!(
        verification.status.code(),
        Some(1),
        "a broken trail exits with 1:\n{verification}"
    );
    verification.expect_stdout("The audit trail has been tampered with");
    let problems: Vec<String> = verification
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  - "))
        .map(str::to_owned)
        .collect();
    assert!(!problems.is_empty(), "{verification}");
    problems
}

/// The event numbers a problem line names.
fn numbers_in(problem: &str) -> Vec<i64> {
    problem
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

async fn audit_verify_passes_an_intact_trail_and_names_an_edited_event(backend: Backend) {
    let office = office_with_audit_events(backend, 4).await;
    office
        .run_with_input(
            &["user", "passwd", "quantri", "--password-stdin"],
            "mật khẩu mới hơn\n",
        )
        .expect_success();
    office
        .verify_audit_trail()
        .expect_success()
        .expect_stdout("The audit trail is intact: 5 events checked.");

    tamper_with_the_trail(
        &office,
        &["UPDATE audit_events SET actor_label = 'người lạ' WHERE seq = 3"],
    )
    .await;
    let verification = office.verify_audit_trail();
    let problems = reported_problems(&verification);
    assert_eq!(problems.len(), 1, "{verification}");
    assert!(problems[0].contains("edited"), "{verification}");
    assert_eq!(numbers_in(&problems[0]), vec![3], "{verification}");
}

async fn audit_verify_names_events_deleted_from_the_middle_and_the_end(backend: Backend) {
    let office = office_with_audit_events(backend, 5).await;
    office.verify_audit_trail().expect_success();
    tamper_with_the_trail(&office, &["DELETE FROM audit_events WHERE seq = 3"]).await;
    let verification = office.verify_audit_trail();
    let problems = reported_problems(&verification);
    assert_eq!(problems.len(), 1, "{verification}");
    assert!(problems[0].contains("missing"), "{verification}");
    assert!(
        numbers_in(&problems[0]).iter().all(|&n| n == 3),
        "only event 3 is named:\n{verification}"
    );

    execute(&office.test_db.db, "DELETE FROM audit_events WHERE seq = 5").await;
    let verification = office.verify_audit_trail();
    let problems = reported_problems(&verification);
    assert_eq!(problems.len(), 2, "{verification}");
    assert!(
        problems[1].contains("deleted from the end"),
        "{verification}"
    );
    assert_eq!(
        numbers_in(&problems[1]),
        vec![4, 5],
        "the chain ends at 4, its head records 5:\n{verification}"
    );
}

async fn audit_verify_detects_swapped_events(backend: Backend) {
    let office = office_with_audit_events(backend, 5).await;
    office.verify_audit_trail().expect_success();
    // Events 2 and 3 trade places: each keeps its content and hash, under the other's number.
    tamper_with_the_trail(
        &office,
        &[
            "UPDATE audit_events SET seq = 1000 WHERE seq = 2",
            "UPDATE audit_events SET seq = 2 WHERE seq = 3",
            "UPDATE audit_events SET seq = 3 WHERE seq = 1000",
        ],
    )
    .await;
    let verification = office.verify_audit_trail();
    let problems = reported_problems(&verification);
    let named: Vec<i64> = problems.iter().flat_map(|p| numbers_in(p)).collect();
    assert!(
        named.contains(&2) && named.contains(&3),
        "both moved events are named:\n{verification}"
    );
    // Event 4 is named too, rightly: the event stored before it is no longer the one it links to.
    // Events 1 and 5 are intact and linked to intact neighbours.
    assert!(
        named.iter().all(|n| [2, 3, 4].contains(n)),
        "intact links are not blamed:\n{verification}"
    );
}

on_both_backends!(
    audit_verify_passes_an_intact_trail_and_names_an_edited_event,
    audit_verify_names_events_deleted_from_the_middle_and_the_end,
    audit_verify_detects_swapped_events,
);
