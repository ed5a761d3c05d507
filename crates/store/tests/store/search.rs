//! Search in the store: a shared corpus that must give the same top results on SQLite and
//! PostgreSQL, permissions inside the query, the index written with the record, caught up,
//! rebuilt and verified, and the text of attachments.

use super::*;
use chrono::NaiveDate;
use vanphong_core::document::kind::{DocumentKind, Urgency};
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::permission::ReadScope;
use vanphong_core::search::SearchQuery;
use vanphong_store::documents::incoming::{self, NewIncoming, Sender};
use vanphong_store::documents::NewAttachment;
use vanphong_store::search::{self, Kind, SearchRequest, SearchSort};

fn everyone() -> ReadScope {
    ReadScope {
        units: None,
        max_secrecy: Secrecy::TopSecret,
    }
}

fn document(number: &str, subject: &str, notes: &str) -> NewIncoming {
    NewIncoming {
        kind: DocumentKind::Ordinary,
        type_code: "cong_van".into(),
        number_symbol: NumberAndSymbol::parse(number).unwrap(),
        document_date: None,
        subject: subject.into(),
        pages: Some(1),
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer_name: String::new(),
        sender: Sender::Named("Sở Nông nghiệp và Môi trường tỉnh Lào Cai".into()),
        arrival_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        receiving_unit: None,
        due_date: None,
        petition_source: None,
        deputy_name: String::new(),
        notes: notes.into(),
        attachments: Vec::new(),
    }
}

/// The shared corpus: (number and symbol, subject, notes).
const CORPUS: &[(&str, &str, &str)] = &[
    (
        "1756/QĐ-BTNMT",
        "Quyết định công bố thủ tục hành chính lĩnh vực môi trường",
        "",
    ),
    (
        "12/UBND-KT",
        "Ứng phó với bão số 3 tại các tỉnh ven biển",
        "Khẩn trương triển khai phương án phòng chống bão",
    ),
    ("13/UBND-KT", "Báo cáo kết quả thanh tra năm 2025", ""),
    (
        "14/STNMT-MT",
        "Kiểm tra cơ sở gây ô nhiễm không khí tại khu công nghiệp Biên Hòa",
        "",
    ),
    (
        "15/STNMT-MT",
        "Quan trắc không khí và nước mặt",
        "Các điểm ô nhiễm nặng cần theo dõi",
    ),
    (
        "16/BQL-QH",
        "Điều chỉnh quy hoạch khu công nghiệp Nhơn Trạch",
        "Thuộc tỉnh Đồng Nai",
    ),
    ("17/SXD-QLN", "Hòa giải tranh chấp đất đai", ""),
    ("18/SXD-QLN", "Hoà nhập cộng đồng người khuyết tật", ""),
    (
        "2736/QĐ-BTNMT",
        "Quyết định bãi bỏ thủ tục hành chính đã thay thế",
        "Được thay thế bởi Quyết định khác",
    ),
    ("19/CV-VP", "Giấy mời họp giao ban tháng 3", ""),
];

async fn load_corpus(db: &vanphong_store::Db) -> Vec<i64> {
    let mut ids = Vec::new();
    for (number, subject, notes) in CORPUS {
        let d = incoming::register(
            db,
            &Origin::system(),
            &document(number, subject, notes),
            true,
        )
        .await
        .unwrap();
        ids.push(d.id);
    }
    ids
}

async fn top(db: &vanphong_store::Db, scope: &ReadScope, text: &str) -> Vec<String> {
    let results = search::search(
        db,
        scope,
        UserId(1),
        &SearchRequest {
            query: SearchQuery::parse(text),
            limit: 20,
            ..SearchRequest::default()
        },
    )
    .await
    .unwrap();
    results.hits.into_iter().map(|h| h.title).collect()
}

fn subject(number: &str) -> String {
    CORPUS
        .iter()
        .find(|(n, _, _)| *n == number)
        .map(|(_, s, _)| s.to_string())
        .unwrap()
}

async fn the_shared_corpus_gives_the_same_top_results(backend: Backend) {
    let t = TestDb::new(backend).await;
    load_corpus(&t.db).await;
    let scope = everyone();
    // (query, the expected results in order, or only the first ones when others follow).
    let cases: Vec<(&str, Vec<String>, bool)> = vec![
        // A number and symbol in every spelling a person types.
        ("1756/QĐ-BTNMT", vec![subject("1756/QĐ-BTNMT")], true),
        ("1756/QD-BTNMT", vec![subject("1756/QĐ-BTNMT")], true),
        ("1756 qđ btnmt", vec![subject("1756/QĐ-BTNMT")], true),
        ("1756", vec![subject("1756/QĐ-BTNMT")], true),
        ("01756/qd-btnmt ", vec![subject("1756/QĐ-BTNMT")], true),
        // Without diacritics, đ included.
        (
            "quyet dinh ",
            vec![subject("2736/QĐ-BTNMT"), subject("1756/QĐ-BTNMT")],
            false,
        ),
        ("dong nai ", vec![subject("16/BQL-QH")], false),
        // With diacritics the exact word ranks first: bão (storm) before báo (report).
        (
            "bão ",
            vec![subject("12/UBND-KT"), subject("13/UBND-KT")],
            true,
        ),
        // Quoted phrase: only where the words stand together.
        ("\"ô nhiễm không khí\"", vec![subject("14/STNMT-MT")], true),
        // Prefix while typing.
        ("Biên Hò", vec![subject("14/STNMT-MT")], true),
        // A longer word being typed (SQLite expands it to the indexed words it begins),
        // after other words, and as the end of a number and symbol.
        (
            "ô nhiễ",
            vec![subject("14/STNMT-MT"), subject("15/STNMT-MT")],
            true,
        ),
        (
            "khu công nghiệp Nhơn Trạc",
            vec![subject("16/BQL-QH")],
            true,
        ),
        ("Quan trắ", vec![subject("15/STNMT-MT")], true),
        ("1756/QĐ-BTNM", vec![subject("1756/QĐ-BTNMT")], true),
        ("tranh chấp đấtđ", vec![], true),
        // Decomposed (NFD) input.
        (
            "gia\u{0301}y mo\u{031B}\u{0300}i ",
            vec![subject("19/CV-VP")],
            true,
        ),
        // Nothing but syntax: the newest records, no error.
        (
            "\"*(",
            vec![subject("19/CV-VP"), subject("2736/QĐ-BTNMT")],
            false,
        ),
        (
            "AND",
            vec![subject("19/CV-VP"), subject("2736/QĐ-BTNMT")],
            false,
        ),
        ("'; DROP TABLE documents; --", vec![], true),
    ];
    for (query, expected, exact) in cases {
        let found = top(&t.db, &scope, query).await;
        if exact {
            assert_eq!(found, expected, "{query:?} on {backend:?}");
        } else {
            assert!(
                found.len() >= expected.len() && found[..expected.len()] == expected[..],
                "{query:?} on {backend:?}: {found:?}"
            );
        }
    }
    // "bao" without diacritics finds both the storm and the report (and the replaced decision: bãi).
    let found = top(&t.db, &scope, "bao ").await;
    assert!(found.contains(&subject("12/UBND-KT")) && found.contains(&subject("13/UBND-KT")));
    // Old and new tone placement are one word: both spellings are exact matches.
    let found = top(&t.db, &scope, "hòa ").await;
    assert_eq!(found.len(), 3, "and Biên Hòa: {found:?}");
    let mut found = found[..2].to_vec();
    found.sort();
    let mut expected = vec![subject("17/SXD-QLN"), subject("18/SXD-QLN")];
    expected.sort();
    assert_eq!(found, expected, "hòa on {backend:?}");
    // The documents table is still there after the "SQL" query.
    assert_eq!(top(&t.db, &scope, "giao ban").await.len(), 1);
}

async fn filters_sorting_and_counts_combine_with_the_text(backend: Backend) {
    let t = TestDb::new(backend).await;
    load_corpus(&t.db).await;
    let mut urgent = document("20/UBND-KT", "Ứng phó sự cố tràn dầu", "");
    urgent.urgency = Urgency::Flash;
    urgent.arrival_date = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    incoming::register(&t.db, &Origin::system(), &urgent, false)
        .await
        .unwrap();
    let request = |text: &str| SearchRequest {
        query: SearchQuery::parse(text),
        limit: 20,
        ..SearchRequest::default()
    };
    let run = |r: SearchRequest| {
        let db = t.db.clone();
        async move {
            search::search(&db, &everyone(), UserId(1), &r)
                .await
                .unwrap()
        }
    };
    let all = run(request("ứng phó ")).await;
    assert_eq!(all.hits.len(), 2);
    assert_eq!(
        all.counts,
        vec![
            search::KindCount {
                kind: Kind::Incoming,
                count: 2,
                more: false
            },
            search::KindCount {
                kind: Kind::Outgoing,
                count: 0,
                more: false
            },
        ]
    );
    let flash = run(SearchRequest {
        urgency: Some(Urgency::Flash.rank()),
        ..request("ứng phó ")
    })
    .await;
    assert_eq!(flash.hits.len(), 1);
    assert_eq!(flash.hits[0].title, "Ứng phó sự cố tràn dầu");
    let period = run(SearchRequest {
        from: NaiveDate::from_ymd_opt(2026, 4, 1),
        to: NaiveDate::from_ymd_opt(2026, 4, 30),
        ..request("ứng phó ")
    })
    .await;
    assert!(period.hits.is_empty());
    let outgoing_only = run(SearchRequest {
        kinds: vec![Kind::Outgoing],
        ..request("ứng phó ")
    })
    .await;
    assert!(outgoing_only.hits.is_empty());
    assert_eq!(outgoing_only.counts.len(), 1);
    let by_date = run(SearchRequest {
        sort: SearchSort::Newest,
        ..request("ứng phó ")
    })
    .await;
    assert_eq!(
        by_date.hits[0].title, "Ứng phó sự cố tràn dầu",
        "the later arrival first"
    );
    let wrong_type = run(SearchRequest {
        type_code: Some("quyet_dinh".into()),
        ..request("ứng phó ")
    })
    .await;
    assert!(wrong_type.hits.is_empty());
    // Pages: offset and limit.
    let second = run(SearchRequest {
        offset: 1,
        limit: 1,
        ..request("ứng phó ")
    })
    .await;
    assert_eq!(second.hits.len(), 1);
    assert_eq!(second.total, 2);
}

async fn permissions_are_inside_the_query(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let office = org::create_unit(&t.db, &origin, &unit_input("Văn phòng", "VP", None))
        .await
        .unwrap()
        .id;
    let inspection = org::create_unit(&t.db, &origin, &unit_input("Thanh tra", "TTR", None))
        .await
        .unwrap()
        .id;
    let mut owned = document("30/UBND-KT", "Hồ sơ thanh tra bí mật xả thải", "");
    owned.receiving_unit = Some(inspection);
    incoming::register(&t.db, &origin, &owned, false)
        .await
        .unwrap();
    let mut secret = document("31/UBND-KT", "Hồ sơ thanh tra độ mật cao", "");
    secret.receiving_unit = Some(office);
    secret.secrecy = Secrecy::Secret;
    incoming::register(&t.db, &origin, &secret, false)
        .await
        .unwrap();
    let office_reader = ReadScope {
        units: Some(vec![office]),
        max_secrecy: Secrecy::Normal,
    };
    let request = SearchRequest {
        query: SearchQuery::parse("thanh tra "),
        limit: 20,
        ..SearchRequest::default()
    };
    let seen = search::search(&t.db, &office_reader, UserId(1), &request)
        .await
        .unwrap();
    assert!(
        seen.hits.is_empty(),
        "neither another unit's nor a secret document"
    );
    assert!(
        seen.counts.iter().all(|c| c.count == 0),
        "counts say nothing either"
    );
    assert_eq!(seen.total, 0);
    // Also with no words (the newest list) and as a prefix.
    for text in ["", "bí mậ"] {
        let seen = search::search(
            &t.db,
            &office_reader,
            UserId(1),
            &SearchRequest {
                query: SearchQuery::parse(text),
                limit: 20,
                ..SearchRequest::default()
            },
        )
        .await
        .unwrap();
        assert!(seen.hits.is_empty(), "{text:?}");
    }
    let inspector = ReadScope {
        units: Some(vec![inspection]),
        max_secrecy: Secrecy::Normal,
    };
    let seen = search::search(&t.db, &inspector, UserId(1), &request)
        .await
        .unwrap();
    assert_eq!(seen.hits.len(), 1);
    assert_eq!(seen.hits[0].title, "Hồ sơ thanh tra bí mật xả thải");
    let cleared = ReadScope {
        units: Some(vec![office]),
        max_secrecy: Secrecy::Secret,
    };
    let seen = search::search(&t.db, &cleared, UserId(1), &request)
        .await
        .unwrap();
    assert_eq!(seen.hits.len(), 1);
    assert_eq!(seen.hits[0].title, "Hồ sơ thanh tra độ mật cao");
}

/// Writes incoming documents numbered `numbers` as bare rows, as a bulk loader does (no
/// search entries), each with the subject and owner unit `of` gives, a thousand a statement.
async fn insert_bare_documents(
    db: &vanphong_store::Db,
    numbers: std::ops::RangeInclusive<usize>,
    of: impl Fn(usize) -> (String, i64),
) {
    let numbers: Vec<usize> = numbers.collect();
    for chunk in numbers.chunks(1000) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|&i| {
                let (subject, unit) = of(i);
                format!(
                    "('incoming', 'cong_van', {i}, 'UBND-KT', '{i}/UBND-KT', '{subject}', '', \
                     2025, {i}, '2025-01-01', 'done', {unit}, '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
                )
            })
            .collect();
        sql(
            db,
            &format!(
                "INSERT INTO documents (direction, type_code, number, symbol, number_symbol, subject, sender_name, \
                 arrival_year, arrival_number, arrival_date, status, owner_unit_id, notes, created_at, updated_at) VALUES {}",
                rows.join(", ")
            ),
        )
        .await;
    }
}

/// More matches than a search looks at (`search::SCANNED`): a reader who sees only the
/// oldest few still finds them all, and nothing else; the agency's counts say "more than".
/// A kind with few records (a news article older than every document) is found the same
/// way, beside the documents and alone.
async fn a_reader_of_few_records_finds_them_beyond_the_newest_matches(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    // The oldest entry: a published article, indexed before any document.
    sql(
        &t.db,
        "INSERT INTO news_articles (slug, title, summary, body, category, status, published_at, created_at, updated_at) \
         VALUES ('sat-lo-bo-song', 'Sạt lở bờ sông mùa lũ', '', 'Người dân được di dời.', 'activities', 'published', \
         '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
    )
    .await;
    assert_eq!(search::catch_up(&t.db).await.unwrap(), 1);
    let few = org::create_unit(&t.db, &origin, &unit_input("Văn phòng", "VP", None))
        .await
        .unwrap()
        .id;
    let many = org::create_unit(&t.db, &origin, &unit_input("Thanh tra", "TTR", None))
        .await
        .unwrap()
        .id;
    let total = search::SCANNED as usize + 100;
    // Bare rows, as a bulk loader writes them; the first five (the oldest) are the office's.
    insert_bare_documents(&t.db, 1..=total + 5, |i| {
        let unit = if i <= 5 { few.0 } else { many.0 };
        (format!("Kiểm tra sạt lở bờ sông số {i}"), unit)
    })
    .await;
    assert_eq!(search::catch_up(&t.db).await.unwrap(), total as u64 + 5);
    let request = SearchRequest {
        query: SearchQuery::parse("sạt lở "),
        limit: 20,
        ..SearchRequest::default()
    };
    let office = ReadScope {
        units: Some(vec![few]),
        max_secrecy: Secrecy::Normal,
    };
    let seen = search::search(&t.db, &office, UserId(1), &request)
        .await
        .unwrap();
    let mut titles: Vec<String> = seen.hits.iter().map(|h| h.title.clone()).collect();
    titles.sort();
    let expected: Vec<String> = (1..=5)
        .map(|i| format!("Kiểm tra sạt lở bờ sông số {i}"))
        .collect();
    assert_eq!(titles, expected, "{backend:?}");
    assert_eq!(seen.total, 5);
    assert!(!seen.total_is_lower_bound);
    // The same for a word being typed.
    let typed = SearchRequest {
        query: SearchQuery::parse("bờ sôn"),
        ..request.clone()
    };
    let seen = search::search(&t.db, &office, UserId(1), &typed)
        .await
        .unwrap();
    assert_eq!(seen.total, 5, "{backend:?}");
    let seen = search::search(&t.db, &everyone(), UserId(1), &request)
        .await
        .unwrap();
    assert_eq!(seen.hits.len(), 20);
    assert!(seen.total_is_lower_bound, "{backend:?}");

    // The article, past every document's match: counted beside them, and found alone.
    let with_news = SearchRequest {
        news: Some(search::news::NewsScope { drafts: false }),
        ..request.clone()
    };
    let seen = search::search(&t.db, &everyone(), UserId(1), &with_news)
        .await
        .unwrap();
    let news = seen.counts.iter().find(|c| c.kind == Kind::News).unwrap();
    assert_eq!((news.count, news.more), (1, false), "{backend:?}");
    let only_news = SearchRequest {
        kinds: vec![Kind::News],
        ..with_news.clone()
    };
    for text in ["sạt lở ", "bo son"] {
        let seen = search::search(
            &t.db,
            &office,
            UserId(1),
            &SearchRequest {
                query: SearchQuery::parse(text),
                ..only_news.clone()
            },
        )
        .await
        .unwrap();
        let titles: Vec<&str> = seen.hits.iter().map(|h| h.title.as_str()).collect();
        assert_eq!(
            titles,
            vec!["Sạt lở bờ sông mùa lũ"],
            "{text:?} {backend:?}"
        );
        assert!(!seen.total_is_lower_bound);
    }
    // A word of the kind's name is not a word of its records.
    let seen = search::search(
        &t.db,
        &everyone(),
        UserId(1),
        &SearchRequest {
            query: SearchQuery::parse("news"),
            ..with_news.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(seen.total, 0, "{backend:?}");
}

async fn sql(db: &vanphong_store::Db, statement: &str) {
    match db {
        vanphong_store::Db::Sqlite(p) => {
            sqlx::query(statement).execute(p).await.unwrap();
        }
        vanphong_store::Db::Postgres(p) => {
            sqlx::query(statement).execute(p).await.unwrap();
        }
    }
}

async fn the_index_catches_up_rebuilds_and_verifies_itself(backend: Backend) {
    let t = TestDb::new(backend).await;
    let ids = load_corpus(&t.db).await;
    let report = search::verify(&t.db).await.unwrap();
    assert!(report.is_sound(), "{report:?}");
    assert_eq!(report.records, ids.len() as u64);
    assert_eq!(report.entries, ids.len() as u64);

    // A database from before search: entries gone. Catching up (as `migrate` and `serve` do
    // at start) indexes the records.
    match &t.db {
        vanphong_store::Db::Sqlite(_) => {
            sql(&t.db, "DELETE FROM search_entries").await;
            sql(
                &t.db,
                "INSERT INTO search_fts (search_fts) VALUES ('delete-all')",
            )
            .await;
        }
        vanphong_store::Db::Postgres(_) => {
            sql(&t.db, "DELETE FROM search_words").await;
            sql(&t.db, "DELETE FROM search_entries").await;
        }
    }
    let report = search::verify(&t.db).await.unwrap();
    assert_eq!(report.missing.len(), ids.len());
    assert!(top(&t.db, &everyone(), "giao ban").await.is_empty());
    let reopened = vanphong_store::Db::open(&t.url, &Default::default())
        .await
        .unwrap();
    assert_eq!(search::catch_up(&reopened).await.unwrap(), ids.len() as u64);
    assert!(search::verify(&reopened).await.unwrap().is_sound());
    assert_eq!(top(&reopened, &everyone(), "giao ban").await.len(), 1);

    // An entry that no longer says what its record says, and an orphan: found, then fixed.
    sql(
        &t.db,
        "UPDATE search_entries SET title = 'sai' WHERE id = (SELECT MIN(id) FROM search_entries)",
    )
    .await;
    match &t.db {
        vanphong_store::Db::Sqlite(_) => {
            sql(
                &t.db,
                "INSERT INTO search_entries (kind, record_id, title, reference, body, indexed_at) \
                        VALUES ('incoming', 999999, 'mồ côi', '', '', '2026-01-01T00:00:00Z')",
            )
            .await
        }
        vanphong_store::Db::Postgres(_) => {
            sql(
                &t.db,
                "INSERT INTO search_entries (kind, record_id, title, reference, body, indexed_at) \
                        VALUES ('incoming', 999999, 'mồ côi', '', '', now())",
            )
            .await;
            // And words that belong to no entry.
            sql(&t.db, "INSERT INTO search_words (id, kind, words) VALUES (999999999, 'incoming', 'mo coi')").await;
        }
    }
    let report = search::verify(&t.db).await.unwrap();
    assert_eq!(report.stale.len(), 1, "{report:?}");
    assert_eq!(report.orphans, 1, "{report:?}");
    // The orphan entry has no words (and, on PostgreSQL, the stray words have no entry).
    let strays = match &t.db {
        vanphong_store::Db::Sqlite(_) => 1,
        vanphong_store::Db::Postgres(_) => 2,
    };
    assert_eq!(report.word_index_mismatch, strays, "{report:?}");
    assert!(!report.is_sound());
    search::rebuild(&t.db, |_, _| {}).await.unwrap();
    let report = search::verify(&t.db).await.unwrap();
    assert!(report.is_sound(), "{report:?}");
}

/// A bulk load (a catch-up of more records than one transaction holds, and the rebuild
/// after it): several transactions, two at once on PostgreSQL, and on SQLite the word
/// index's merging put back as it serves once the load is done.
async fn a_bulk_catch_up_indexes_every_record_in_several_transactions(backend: Backend) {
    let t = TestDb::new(backend).await;
    let unit = org::create_unit(
        &t.db,
        &Origin::system(),
        &unit_input("Thanh tra", "TTR", None),
    )
    .await
    .unwrap()
    .id;
    let total = 12_345;
    insert_bare_documents(&t.db, 1..=total, |i| {
        let place = if i == 7_777 { "Kon Tum" } else { "Đồng Nai" };
        (format!("Kiểm tra xả thải {place} số {i}"), unit.0)
    })
    .await;
    let mut seen = Vec::new();
    let indexed = search::catch_up_with(&t.db, |done, all| seen.push((done, all)))
        .await
        .unwrap();
    assert_eq!(indexed, total as u64);
    // Progress after each transaction, ending at the total.
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen.last(), Some(&(total as u64, total as u64)));
    let report = search::verify(&t.db).await.unwrap();
    assert!(report.is_sound(), "{report:?}");
    assert_eq!(report.entries, total as u64);
    let found = top(&t.db, &everyone(), "kon tum").await;
    assert_eq!(found, ["Kiểm tra xả thải Kon Tum số 7777"]);
    assert_eq!(
        search::rebuild(&t.db, |_, _| {}).await.unwrap(),
        total as u64
    );
    assert!(search::verify(&t.db).await.unwrap().is_sound());
    if let vanphong_store::Db::Sqlite(pool) = &t.db {
        let merging: i64 =
            sqlx::query_scalar("SELECT v FROM search_fts_config WHERE k = 'automerge'")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(merging, 4);
        let flush: i64 = sqlx::query_scalar("SELECT v FROM search_fts_config WHERE k = 'hashsize'")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(flush, 32 << 20);
    }
}

fn minimal_pdf(text: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![50.into(), 700.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

async fn attachment_text_is_searchable_and_scans_are_listed(backend: Backend) {
    let t = TestDb::new(backend).await;
    let blobs = BlobStore::open(
        t.dir.path().join("blobs").to_str().unwrap(),
        &t.dir.path().join("uploads"),
        10 * 1024 * 1024,
    )
    .unwrap();
    let put = |bytes: Vec<u8>| {
        let blobs = &blobs;
        async move {
            blobs
                .put_stream(stream::iter(vec![Ok::<_, std::io::Error>(
                    bytes::Bytes::from(bytes),
                )]))
                .await
                .unwrap()
        }
    };
    let pdf = put(minimal_pdf(
        "Ke hoach quan trac chat luong nuoc song Nhue Day",
    ))
    .await;
    assert_eq!(pdf.content_type, "application/pdf");
    let status = search::attachments::read_and_record(&t.db, &blobs, &pdf)
        .await
        .unwrap();
    assert_eq!(status, search::attachments::TextStatus::Text);
    let png = put(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR scanned page".to_vec()).await;
    let status = search::attachments::read_and_record(&t.db, &blobs, &png)
        .await
        .unwrap();
    assert_eq!(status, search::attachments::TextStatus::NoTextLayer);
    let mut with_files = document("40/UBND-KT", "Công văn gửi kèm kế hoạch", "");
    with_files.attachments = vec![
        NewAttachment {
            blob: pdf,
            file_name: "ke-hoach.pdf".into(),
            role: "main",
            draft_version: None,
        },
        NewAttachment {
            blob: png,
            file_name: "ban-quet.png".into(),
            role: "appendix",
            draft_version: None,
        },
    ];
    incoming::register(&t.db, &Origin::system(), &with_files, false)
        .await
        .unwrap();
    // Found by words that are only inside the PDF, without diacritics and with them.
    assert_eq!(
        top(&t.db, &everyone(), "sông Nhuệ ").await,
        vec!["Công văn gửi kèm kế hoạch"]
    );
    assert_eq!(
        top(&t.db, &everyone(), "quan trac").await,
        vec!["Công văn gửi kèm kế hoạch"]
    );
    let scans = search::attachments::scans(&t.db, &everyone(), UserId(1), 10)
        .await
        .unwrap();
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0].file_name, "ban-quet.png");
    let hidden = ReadScope {
        units: Some(vec![]),
        max_secrecy: Secrecy::Normal,
    };
    assert!(search::attachments::scans(&t.db, &hidden, UserId(1), 10)
        .await
        .unwrap()
        .is_empty());
}

/// Dossiers and hotline cases are found beside documents, each kind inside its own lists'
/// scope, and never by what only the reporter's protected record holds.
async fn dossiers_and_hotline_cases_are_found_in_their_readers_scope(backend: Backend) {
    use vanphong_store::dossiers::lists::DossierScope;
    use vanphong_store::dossiers::{self, procedures};
    use vanphong_store::search::hotline::HotlineScope;
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let (desk, handling) = super::dossiers::setup(&t).await;
    let procedure = procedures::announce(
        &t.db,
        &origin,
        "1.010727",
        Some(handling),
        &super::dossiers::content("20"),
        &super::dossiers::decision("2736/QĐ-BTNMT", "2024-10-01"),
    )
    .await
    .unwrap();
    let dossier = dossiers::submit(
        &t.db,
        &origin,
        &super::dossiers::calendar(),
        &super::dossiers::at_counter(procedure.id, desk, "2026-03-02"),
    )
    .await
    .unwrap();
    let places = super::hotline::places(&t.db).await;
    let mut in_dong_nai = super::hotline::report(
        Some(places.dong_nai),
        "Nước thải màu đen chảy ra suối Săn Máu",
    );
    in_dong_nai.reporter.name = "Nguyễn Văn Giấu Tên".into();
    let dong_nai = vanphong_store::hotline::submit(&t.db, &origin, &in_dong_nai)
        .await
        .unwrap();
    let ha_noi = vanphong_store::hotline::submit(
        &t.db,
        &origin,
        &super::hotline::report(Some(places.ha_noi), "Khói đen từ lò đốt rác Nam Sơn"),
    )
    .await
    .unwrap();

    let everything = |text: &str| SearchRequest {
        query: SearchQuery::parse(text),
        limit: 20,
        dossiers: Some(DossierScope::ALL),
        hotline: Some(HotlineScope { routed_to: None }),
        ..SearchRequest::default()
    };
    let found = |results: &search::SearchResults| {
        results
            .hits
            .iter()
            .map(|h| (h.kind, h.record_id))
            .collect::<Vec<_>>()
    };
    // The dossier by its applicant without tone marks, and by its code.
    let results = search::search(&t.db, &everyone(), UserId(1), &everything("giay sai gon"))
        .await
        .unwrap();
    assert_eq!(found(&results), vec![(Kind::Dossier, dossier.id)]);
    let results = search::search(&t.db, &everyone(), UserId(1), &everything(&dossier.code))
        .await
        .unwrap();
    assert_eq!(found(&results), vec![(Kind::Dossier, dossier.id)]);
    // A hotline case by what was reported, and by its tracking code.
    let results = search::search(&t.db, &everyone(), UserId(1), &everything("suoi san mau"))
        .await
        .unwrap();
    assert_eq!(found(&results), vec![(Kind::Hotline, dong_nai.case_id.0)]);
    let code = dong_nai.tracking_code.to_string();
    let results = search::search(&t.db, &everyone(), UserId(1), &everything(&code))
        .await
        .unwrap();
    assert_eq!(found(&results), vec![(Kind::Hotline, dong_nai.case_id.0)]);
    // Never by the reporter's name.
    let results = search::search(&t.db, &everyone(), UserId(1), &everything("Giấu Tên"))
        .await
        .unwrap();
    assert!(results.hits.is_empty());

    // A province's officer finds only the cases routed to that province.
    let officer = SearchRequest {
        hotline: Some(HotlineScope {
            routed_to: Some(places.ha_noi),
        }),
        ..everything("")
    };
    let results = search::search(&t.db, &everyone(), UserId(1), &officer)
        .await
        .unwrap();
    let hotline_hits: Vec<_> = found(&results)
        .into_iter()
        .filter(|(kind, _)| *kind == Kind::Hotline)
        .collect();
    assert_eq!(hotline_hits, vec![(Kind::Hotline, ha_noi.case_id.0)]);
    let results = search::search(
        &t.db,
        &everyone(),
        UserId(1),
        &SearchRequest {
            hotline: officer.hotline,
            ..everything("suoi san mau")
        },
    )
    .await
    .unwrap();
    assert!(results.hits.is_empty());
    assert_eq!(
        results
            .counts
            .iter()
            .find(|c| c.kind == Kind::Hotline)
            .unwrap()
            .count,
        0
    );
    // A reader of another unit's dossiers does not find this one; one who works with no
    // dossiers and no hotline gets no counts for those kinds at all.
    let other_unit = SearchRequest {
        dossiers: Some(DossierScope {
            units: Some(vec![UnitId(desk.0 + handling.0 + 100)]),
            unreceived: false,
        }),
        ..everything("giay sai gon")
    };
    let results = search::search(&t.db, &everyone(), UserId(1), &other_unit)
        .await
        .unwrap();
    assert!(results.hits.is_empty());
    let documents_only = SearchRequest {
        query: SearchQuery::parse("giay sai gon"),
        limit: 20,
        ..SearchRequest::default()
    };
    let results = search::search(&t.db, &everyone(), UserId(1), &documents_only)
        .await
        .unwrap();
    assert!(results.hits.is_empty());
    assert!(results
        .counts
        .iter()
        .all(|c| matches!(c.kind, Kind::Incoming | Kind::Outgoing)));

    // Merging moves the reports: the remaining case is found by both descriptions (the
    // duplicate keeps its title, so it is still found by that, and points to the other).
    vanphong_store::hotline::merge(&t.db, &origin, dong_nai.case_id, ha_noi.case_id, "Trùng")
        .await
        .unwrap();
    let results = search::search(&t.db, &everyone(), UserId(1), &everything("suoi san mau"))
        .await
        .unwrap();
    assert!(found(&results).contains(&(Kind::Hotline, ha_noi.case_id.0)));
    let results = search::search(&t.db, &everyone(), UserId(1), &everything(&code))
        .await
        .unwrap();
    assert_eq!(found(&results), vec![(Kind::Hotline, ha_noi.case_id.0)]);

    // The index agrees with the records, and rebuilds them from nothing.
    let report = search::verify(&t.db).await.unwrap();
    assert!(report.is_sound(), "{report:?}");
    assert_eq!(report.records, 3);
    match &t.db {
        vanphong_store::Db::Sqlite(pool) => {
            sqlx::query("DELETE FROM search_fts")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query("DELETE FROM search_entries")
                .execute(pool)
                .await
                .unwrap();
        }
        vanphong_store::Db::Postgres(pool) => {
            sqlx::query("DELETE FROM search_words")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query("DELETE FROM search_entries")
                .execute(pool)
                .await
                .unwrap();
        }
    }
    assert_eq!(search::catch_up(&t.db).await.unwrap(), 3);
    assert!(search::verify(&t.db).await.unwrap().is_sound());
    let results = search::search(&t.db, &everyone(), UserId(1), &everything("giay sai gon"))
        .await
        .unwrap();
    assert_eq!(found(&results), vec![(Kind::Dossier, dossier.id)]);
}

/// News articles: a published one is found by everyone who searches, without tone marks,
/// as soon as it is published; a draft only by those who may edit news, and nobody else
/// learns of it (no hit, no count); editing and unpublishing move the index with the
/// article; catching up indexes articles written without entries.
async fn news_articles_are_found_by_who_may_read_them(backend: Backend) {
    use chrono::{DateTime, Utc};
    use vanphong_core::news::{NewsCategory, Slug};
    use vanphong_store::news::{self, ArticleInput};
    use vanphong_store::search::news::NewsScope;
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let office = org::create_unit(&t.db, &origin, &unit_input("Văn phòng", "VP", None))
        .await
        .unwrap()
        .id;
    let editor = users::create(
        &t.db,
        &origin,
        new_user("bientap", vec![Role::Editor], Some(office)),
    )
    .await
    .unwrap()
    .actor();
    let specialist = users::create(
        &t.db,
        &origin,
        new_user("chuyenvien", vec![Role::Specialist], Some(office)),
    )
    .await
    .unwrap()
    .actor();
    assert!(news::may_edit(&t.db, &editor).await.unwrap());
    assert!(!news::may_edit(&t.db, &specialist).await.unwrap());
    // A document that says the same words, so that a search for them always has a result
    // of another kind beside the news.
    incoming::register(
        &t.db,
        &origin,
        &document(
            "12/UBND-TNMT",
            "Báo cáo về lưu vực sông Đồng Nai",
            "Gửi kèm số liệu quan trắc",
        ),
        true,
    )
    .await
    .unwrap();

    let input = ArticleInput {
        slug: Slug::parse("ngay-hoi-tai-che-dong-nai").unwrap(),
        title: "Ngày hội tái chế lưu vực sông Đồng Nai".into(),
        summary: "Hơn năm trăm đoàn viên thu gom rác thải nhựa.".into(),
        body: "Chương trình do Sở Nông nghiệp và Môi trường phối hợp tổ chức.\n\nXem thêm https://monre.gov.vn.".into(),
        category: NewsCategory::Activities,
        cover: None,
    };
    let draft = news::create(&t.db, &origin, &editor, &input).await.unwrap();

    let request = |text: &str, drafts: bool| SearchRequest {
        query: SearchQuery::parse(text),
        limit: 20,
        news: Some(NewsScope { drafts }),
        ..SearchRequest::default()
    };
    let news_of = |results: &search::SearchResults| {
        (
            results
                .hits
                .iter()
                .filter(|h| h.kind == Kind::News)
                .map(|h| h.record_id)
                .collect::<Vec<_>>(),
            results
                .counts
                .iter()
                .find(|c| c.kind == Kind::News)
                .map(|c| c.count),
        )
    };
    let editor_scope = news::may_edit(&t.db, &editor).await.unwrap();
    let reader_scope = news::may_edit(&t.db, &specialist).await.unwrap();
    let run = |request: SearchRequest| {
        let db = t.db.clone();
        async move {
            search::search(&db, &everyone(), UserId(1), &request)
                .await
                .unwrap()
        }
    };

    // The draft: its editor finds it by its title, its summary and its body, without tone
    // marks; a specialist finds neither it nor a count of it, whatever the words.
    for text in [
        "ngay hoi tai che",
        "doan vien thu gom",
        "so nong nghiep",
        "ngay-hoi-tai-che-dong-nai",
    ] {
        let results = run(request(text, editor_scope)).await;
        assert_eq!(news_of(&results), (vec![draft.id], Some(1)), "{text:?}");
    }
    for text in ["ngay hoi tai che", "doan vien thu gom", "dong nai", ""] {
        let results = run(request(text, reader_scope)).await;
        assert_eq!(news_of(&results), (vec![], Some(0)), "{text:?}");
        assert!(
            results.hits.iter().all(|h| !h.title.contains("tái chế")),
            "{text:?}"
        );
    }
    let dong_nai = run(request("dong nai", reader_scope)).await;
    assert_eq!(dong_nai.total, 1, "only the document");
    // A reader who is given no news scope gets no news count at all; a document filter
    // leaves news out as it does dossiers.
    let results = run(SearchRequest {
        news: None,
        ..request("ngay hoi", editor_scope)
    })
    .await;
    assert_eq!(news_of(&results), (vec![], None));
    let results = run(SearchRequest {
        type_code: Some("cong_van".into()),
        ..request("ngay hoi", editor_scope)
    })
    .await;
    assert_eq!(news_of(&results), (vec![], None));

    // Published (in the evening, UTC: the next day in Vietnam): everyone finds it at once,
    // dated the day it was published, and only news when only news is asked for.
    let at = DateTime::parse_from_rfc3339("2026-03-01T18:30:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let published = news::publish(&t.db, &origin, &editor, draft.id, draft.version, at)
        .await
        .unwrap();
    let results = run(request("ngay hoi tai che dong nai", reader_scope)).await;
    assert_eq!(news_of(&results), (vec![draft.id], Some(1)));
    let hit = &results.hits[0];
    assert_eq!(hit.title, "Ngày hội tái chế lưu vực sông Đồng Nai");
    assert_eq!(hit.reference, "ngay-hoi-tai-che-dong-nai");
    assert_eq!(
        hit.record_date,
        Some(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())
    );
    assert!(
        hit.body.starts_with("Hơn năm trăm đoàn viên"),
        "{}",
        hit.body
    );
    let results = run(SearchRequest {
        kinds: vec![Kind::News],
        ..request("dong nai", reader_scope)
    })
    .await;
    assert_eq!(news_of(&results), (vec![draft.id], Some(1)));
    assert_eq!(results.total, 1);
    assert_eq!(results.counts.len(), 1);
    // The word index knows each entry's kind, but a word typed is never matched against it:
    // the kinds' names find nothing here, whole or being typed.
    for text in [
        "news", "incoming", "outgoing", "dossier", "hotline", "new", "incom",
    ] {
        let results = run(request(text, editor_scope)).await;
        assert_eq!(results.total, 0, "{text:?}");
        assert!(results.hits.is_empty(), "{text:?}");
    }

    // Edited (title and address): the new words are found, the old ones no more.
    let edited = ArticleInput {
        slug: Slug::parse("ngay-hoi-song-xanh").unwrap(),
        title: "Ngày hội sống xanh lưu vực sông Đồng Nai".into(),
        ..input.clone()
    };
    let published = news::update(
        &t.db,
        &origin,
        &editor,
        draft.id,
        published.version,
        &edited,
    )
    .await
    .unwrap();
    let results = run(request("song xanh", reader_scope)).await;
    assert_eq!(news_of(&results), (vec![draft.id], Some(1)));
    assert_eq!(results.hits[0].reference, "ngay-hoi-song-xanh");
    let results = run(request("tai che", reader_scope)).await;
    assert_eq!(news_of(&results), (vec![], Some(0)));

    // Unpublished: a draft again, gone for the specialist, still there for the editor
    // (dated the day it was written).
    news::unpublish(&t.db, &origin, &editor, draft.id, published.version)
        .await
        .unwrap();
    for text in ["song xanh", ""] {
        let results = run(request(text, reader_scope)).await;
        assert_eq!(news_of(&results), (vec![], Some(0)), "{text:?}");
    }
    let results = run(request("song xanh", editor_scope)).await;
    assert_eq!(news_of(&results), (vec![draft.id], Some(1)));
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    assert_eq!(
        results.hits[0].record_date,
        Some(draft.created_at.with_timezone(&vietnam).date_naive())
    );

    // Articles written without their entries (a bulk loader, a database from before news
    // was searchable): verify tells, catching up indexes them, and they are found.
    let second = news::create(
        &t.db,
        &origin,
        &editor,
        &ArticleInput {
            slug: Slug::parse("quan-trac-khong-khi").unwrap(),
            title: "Quan trắc không khí Hà Nội".into(),
            ..input.clone()
        },
    )
    .await
    .unwrap();
    news::publish(&t.db, &origin, &editor, second.id, second.version, at)
        .await
        .unwrap();
    let report = search::verify(&t.db).await.unwrap();
    assert!(report.is_sound(), "{report:?}");
    sql(
        &t.db,
        "UPDATE search_entries SET title = 'sai' WHERE kind = 'news' AND title LIKE 'Quan%'",
    )
    .await;
    let report = search::verify(&t.db).await.unwrap();
    assert_eq!(report.stale, vec![(Kind::News, second.id)], "{report:?}");
    match &t.db {
        vanphong_store::Db::Sqlite(_) => {
            sql(
                &t.db,
                "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entries WHERE kind = 'news')",
            )
            .await
        }
        vanphong_store::Db::Postgres(_) => {
            sql(&t.db, "DELETE FROM search_words WHERE kind = 'news'").await
        }
    }
    sql(&t.db, "DELETE FROM search_entries WHERE kind = 'news'").await;
    let report = search::verify(&t.db).await.unwrap();
    let mut missing = report.missing.clone();
    missing.sort();
    assert_eq!(
        missing,
        vec![(Kind::News, draft.id), (Kind::News, second.id)],
        "{report:?}"
    );
    assert!(run(request("khong khi", reader_scope))
        .await
        .hits
        .is_empty());
    assert_eq!(search::catch_up(&t.db).await.unwrap(), 2);
    let report = search::verify(&t.db).await.unwrap();
    assert!(report.is_sound(), "{report:?}");
    assert_eq!(report.records, 3);
    assert_eq!(report.entries, 3);
    let results = run(request("khong khi", reader_scope)).await;
    assert_eq!(news_of(&results), (vec![second.id], Some(1)));
    let results = run(request("song xanh", reader_scope)).await;
    assert_eq!(news_of(&results), (vec![], Some(0)));
    let results = run(request("song xanh", editor_scope)).await;
    assert_eq!(news_of(&results), (vec![draft.id], Some(1)));
}

/// The partition of `search_words` that holds the words of entry `id` (PostgreSQL).
async fn partition_of(db: &vanphong_store::Db, id: i64) -> String {
    let vanphong_store::Db::Postgres(pool) = db else {
        unreachable!()
    };
    sqlx::query_scalar("SELECT tableoid::regclass::text FROM search_words WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn words_far_apart_are_found_across_the_partitions(backend: Backend) {
    let t = TestDb::new(backend).await;
    let ids = load_corpus(&t.db).await;
    let mut expected = vec![subject("2736/QĐ-BTNMT"), subject("1756/QĐ-BTNMT")];
    expected.sort();
    let found = |db| async move {
        let mut titles = top(db, &everyone(), "thu tuc hanh chinh").await;
        titles.sort();
        titles
    };
    assert_eq!(found(&t.db).await, expected);
    if backend == Backend::Sqlite {
        // One table, no partitions.
        assert_eq!(search::ensure_partitions(&t.db).await.unwrap(), 0);
        return;
    }
    // The migration makes the first two ranges; one more is kept ahead.
    assert_eq!(search::ensure_partitions(&t.db).await.unwrap(), 1);
    assert_eq!(search::ensure_partitions(&t.db).await.unwrap(), 0);

    // Entries far apart, as in an agency's tenth year: one in a range made ahead, one
    // beyond every range (what a burst of writes between two checks would do).
    let newer = ids[CORPUS.iter().position(|c| c.0 == "2736/QĐ-BTNMT").unwrap()];
    let older = ids[CORPUS.iter().position(|c| c.0 == "1756/QĐ-BTNMT").unwrap()];
    for (record, id) in [(older, 250_000), (newer, 450_000)] {
        sql(
            &t.db,
            &format!(
                "UPDATE search_words SET id = {id} WHERE id = \
                 (SELECT id FROM search_entries WHERE kind = 'incoming' AND record_id = {record})"
            ),
        )
        .await;
        sql(
            &t.db,
            &format!("UPDATE search_entries SET id = {id} WHERE kind = 'incoming' AND record_id = {record}"),
        )
        .await;
    }
    assert_eq!(partition_of(&t.db, 250_000).await, "search_words_p2");
    assert_eq!(partition_of(&t.db, 450_000).await, "search_words_rest");
    // Found newest first across the ranges, the walk's and the indexes' ways alike.
    assert_eq!(found(&t.db).await, expected);
    assert_eq!(
        top(&t.db, &everyone(), "\"thu tuc hanh chinh\"")
            .await
            .len(),
        2
    );
    // A number and symbol being typed: the indexes are asked for the number and the words
    // before the last, and the whole of it is matched on what they find.
    let symbol = top(&t.db, &everyone(), "1756/QD-BTNM").await;
    assert!(symbol.contains(&subject("1756/QĐ-BTNMT")), "{symbol:?}");
    assert!(top(&t.db, &everyone(), "1756/QĐ-BTNMX").await.is_empty());

    // The next check makes the ranges up to two beyond the newest entry and moves the
    // words that waited in the default partition into theirs.
    assert_eq!(search::ensure_partitions(&t.db).await.unwrap(), 4);
    assert_eq!(partition_of(&t.db, 450_000).await, "search_words_p4");
    assert_eq!(found(&t.db).await, expected);
    assert!(search::verify(&t.db).await.unwrap().is_sound());

    // Two nodes checking at once: one makes the ranges, the other finds them made.
    sql(
        &t.db,
        "UPDATE search_words SET id = 950000 WHERE id = 450000",
    )
    .await;
    sql(
        &t.db,
        "UPDATE search_entries SET id = 950000 WHERE id = 450000",
    )
    .await;
    let reopened = vanphong_store::Db::open(&t.url, &Default::default())
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        search::ensure_partitions(&t.db),
        search::ensure_partitions(&reopened)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 5);
    assert_eq!(partition_of(&t.db, 950_000).await, "search_words_p9");
    assert_eq!(found(&t.db).await, expected);
    // A document registered now is found too (its entry takes the next id of the sequence).
    incoming::register(
        &t.db,
        &Origin::system(),
        &document("20/CV-VP", "Thủ tục hành chính mới", ""),
        true,
    )
    .await
    .unwrap();
    assert_eq!(top(&t.db, &everyone(), "thu tuc hanh chinh").await.len(), 3);
    assert!(search::verify(&t.db).await.unwrap().is_sound());
}

on_both_backends!(
    words_far_apart_are_found_across_the_partitions,
    dossiers_and_hotline_cases_are_found_in_their_readers_scope,
    news_articles_are_found_by_who_may_read_them,
    the_shared_corpus_gives_the_same_top_results,
    filters_sorting_and_counts_combine_with_the_text,
    permissions_are_inside_the_query,
    the_index_catches_up_rebuilds_and_verifies_itself,
    attachment_text_is_searchable_and_scans_are_listed,
    a_reader_of_few_records_finds_them_beyond_the_newest_matches,
    a_bulk_catch_up_indexes_every_record_in_several_transactions,
);
