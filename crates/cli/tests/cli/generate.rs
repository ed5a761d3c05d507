//! `vanphong generate`: national-scale data on top of the demo agency. Numbers run 1..n
//! per year without gaps and the counters go on after them; the same seed gives the same
//! documents on SQLite and PostgreSQL; everything generated is searchable; generating the
//! same years twice is refused.

use crate::{Installation, Outcome};
use vanphong_store::{Backend, Db};

const GENERATE: &[&str] = &[
    "generate",
    "--seed",
    "7",
    "--documents",
    "3000",
    "--dossiers",
    "300",
    "--hotline",
    "300",
    "--first-year",
    "2021",
    "--years",
    "2",
];

async fn rows(db: &Db, sql: &str) -> Vec<(String, i64, i64)> {
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

/// Each generated year's numbers: (year, count, distinct numbers, lowest, highest, counter).
async fn numbering(db: &Db, direction: &str) -> Vec<(String, i64, i64)> {
    let (year, number, counter) = if direction == "incoming" {
        ("arrival_year", "arrival_number", "'arrival'")
    } else {
        (
            "issue_year",
            "number",
            "'series:' || CAST(series_id AS TEXT)",
        )
    };
    rows(
        db,
        &format!(
            "SELECT CAST({year} AS TEXT) || ':' || CAST(COUNT(DISTINCT {number}) AS TEXT) || ':' || CAST(MIN({number}) AS TEXT) \
             || ':' || CAST(MAX((SELECT c.last_value FROM counters c WHERE c.name = {counter} AND c.year = d.{year})) AS TEXT), \
             COUNT(*), MAX({number}) FROM documents d WHERE direction = '{direction}' AND {year} IN (2021, 2022) \
             GROUP BY {year}, series_id ORDER BY {year}"
        ),
    )
    .await
}

/// The generated documents in order, as text: subject, number and symbol, dates, status.
async fn digest(db: &Db) -> Vec<(String, i64, i64)> {
    rows(
        db,
        "SELECT subject || '|' || number_symbol || '|' || CAST(COALESCE(arrival_date, issued_on) AS TEXT) || '|' || status \
         || '|' || kind || '|' || type_code, urgency, secrecy FROM documents \
         WHERE arrival_year IN (2021, 2022) OR issue_year IN (2021, 2022) ORDER BY direction, id",
    )
    .await
}

fn generated(outcome: &Outcome) {
    outcome
        .expect_success()
        .expect_stdout("34 provincial departments, 2100 incoming documents (2100 with lead work), 900 outgoing, 300 dossiers, 300 hotline cases");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_data_is_numbered_searchable_and_the_same_on_both_backends() {
    let sqlite = Installation::new(Backend::Sqlite).await;
    let postgres = Installation::new(Backend::Postgres).await;
    for office in [&sqlite, &postgres] {
        office
            .run(&["demo", "--no-serve", "--scale", "0.01"])
            .expect_success();
        generated(&office.run(GENERATE));
        let db = office.database().await;
        for direction in ["incoming", "outgoing"] {
            let years = numbering(&db, direction).await;
            assert_eq!(years.len(), 2, "{direction}: {years:?}");
            for (line, count, highest) in years {
                // Every number once, from 1, the highest the count, the counter at it.
                let expected = format!(":{count}:1:{count}");
                assert!(
                    line.ends_with(&expected),
                    "{direction} {line} (count {count})"
                );
                assert_eq!(highest, count, "{direction} {line}");
            }
        }
        office
            .run(&["search", "verify"])
            .expect_success()
            .expect_stdout("The search index agrees with the records.");
        // The same years again would number documents twice: refused, nothing written.
        office
            .run(GENERATE)
            .expect_clean_failure()
            .expect_stderr("already hold");
    }
    let (a, b) = (
        digest(&sqlite.database().await).await,
        digest(&postgres.database().await).await,
    );
    assert_eq!(a.len(), 3000);
    assert_eq!(
        a, b,
        "the same seed gives the same documents on both backends"
    );
    // The subjects vary: hundreds of different ones among 3,000 documents.
    assert!(
        a.iter()
            .map(|r| &r.0)
            .collect::<std::collections::HashSet<_>>()
            .len()
            > 500
    );
}

/// Without the demo agency there is nothing to build on, and impossible volumes are
/// refused: each with a clear message, nothing written.
async fn generating_without_the_demo_or_with_no_years_is_refused(backend: Backend) {
    let office = Installation::new(backend).await;
    office
        .run(GENERATE)
        .expect_clean_failure()
        .expect_stderr("load the demo agency first");
    office
        .run(&["generate", "--documents", "10", "--years", "0"])
        .expect_clean_failure()
        .expect_stderr("--years must be between 1 and 50");
    let db = office.database().await;
    let written = rows(
        &db,
        "SELECT 'documents', COUNT(*), COUNT(*) FROM documents UNION ALL SELECT 'units', COUNT(*), COUNT(*) FROM units",
    )
    .await;
    assert!(written.iter().all(|(_, n, _)| *n == 0), "{written:?}");
}

vanphong_store::on_both_backends!(generating_without_the_demo_or_with_no_years_is_refused);
