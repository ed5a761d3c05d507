//! The demo's work files and news: every unit's files of the year before, closed and handed
//! over to the agency archive during the demo year (the seed year received 2,007 files), the
//! files each unit keeps open this year with some of its documents in them, files kept under
//! five years that stay in the units, and the agency's news (895 articles published in the
//! seed year) with a few drafts.
//!
//! Rows are written directly, one transaction per unit and per month of news, each with the
//! audit events the store's use cases would append, so the demo's audit trail verifies.

use super::DemoOrganisation;
use anyhow::{ensure, Context};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use vanphong_core::auth::Role;
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::news::{NewsCategory, Slug};
use vanphong_store::audit::{self, Change, Origin};
use vanphong_store::{Db, Tx};

/// Runs `$body` with `$conn` bound to the transaction's connection.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite(inner) => {
                let $conn = &mut **inner;
                $body
            }
            Tx::Postgres(inner) => {
                let $conn = &mut **inner;
                $body
            }
        }
    };
}

/// What the seed year counted.
pub const SEED_FILES_RECEIVED: f64 = 2_007.0;
pub const SEED_NEWS_PUBLISHED: f64 = 895.0;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordsSummary {
    pub files_received: usize,
    pub handovers: usize,
    pub files_waiting: usize,
    pub files_open: usize,
    pub files_kept_in_units: usize,
    pub news_published: usize,
    pub news_drafts: usize,
}

/// How many of each unit's files the archive receives, relative to the others.
fn unit_weight(abbreviation: &str) -> u32 {
    match abbreviation {
        "VP" | "TH" | "HCVT" => 9,
        "KSONMT" | "TĐĐG" | "QLCT" => 12,
        "TCCB" | "KHTC" | "PC" => 8,
        "MC" | "ĐDN" => 4,
        _ => 6,
    }
}

/// What files are about: a heading of the file plan and the matters under it.
const FILE_SUBJECTS: &[&str] = &[
    "Hồ sơ về xây dựng và ban hành chương trình công tác năm",
    "Hồ sơ hội nghị tổng kết công tác và triển khai nhiệm vụ",
    "Hồ sơ thẩm định báo cáo đánh giá tác động môi trường dự án",
    "Hồ sơ cấp giấy phép môi trường cho cơ sở sản xuất",
    "Hồ sơ kiểm tra, thanh tra việc chấp hành pháp luật bảo vệ môi trường",
    "Hồ sơ xử lý phản ánh ô nhiễm qua đường dây nóng",
    "Hồ sơ xây dựng thông tư hướng dẫn Luật Bảo vệ môi trường",
    "Hồ sơ góp ý dự thảo văn bản quy phạm pháp luật",
    "Hồ sơ tuyển dụng, nâng ngạch công chức",
    "Hồ sơ thi đua, khen thưởng",
    "Hồ sơ lập và giao dự toán ngân sách",
    "Hồ sơ quyết toán kinh phí sự nghiệp môi trường",
    "Hồ sơ đoàn ra, đoàn vào và hợp tác quốc tế",
    "Hồ sơ quan trắc chất lượng môi trường lưu vực sông",
    "Hồ sơ quản lý chất thải rắn sinh hoạt",
    "Hồ sơ bảo tồn đa dạng sinh học và khu bảo tồn",
    "Hồ sơ truyền thông, tập huấn về bảo vệ môi trường",
    "Hồ sơ trả lời kiến nghị cử tri và chất vấn của đại biểu Quốc hội",
    "Hồ sơ tiếp nhận và giải quyết thủ tục hành chính",
    "Hồ sơ ứng dụng công nghệ thông tin, chuyển đổi số",
];

const PLACES: &[&str] = &[
    "tại Hà Nội",
    "tại tỉnh Đồng Nai",
    "tại Thành phố Hồ Chí Minh",
    "tại tỉnh Quảng Ninh",
    "lưu vực sông Nhuệ - Đáy",
    "lưu vực sông Cầu",
    "tại tỉnh Bắc Ninh",
    "tại thành phố Đà Nẵng",
    "tại tỉnh Khánh Hòa",
    "tại các khu công nghiệp",
];

fn date(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).context("a date of the demo year")
}

/// A moment on `day` in office hours, Vietnam's time, in UTC.
fn office_moment(rng: &mut StdRng, day: NaiveDate) -> DateTime<Utc> {
    let minutes = rng.gen_range(7 * 60 + 30..17 * 60);
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        + Duration::minutes(minutes)
        - Duration::hours(7)
}

fn origin(id: Option<UserId>, label: &str) -> Origin {
    Origin {
        user_id: id,
        label: label.to_owned(),
        address: String::new(),
    }
}

/// Loads the year's work files, handovers and news. The database must hold the demo
/// organisation and, for documents in the open files, the demo documents.
pub async fn load_records(
    db: &Db,
    organisation: &DemoOrganisation,
    year: i32,
    scale: f64,
    as_of: NaiveDate,
) -> anyhow::Result<RecordsSummary> {
    ensure!(
        scale > 0.0 && scale <= 10.0,
        "the demo scale must be above 0 and at most 10"
    );
    ensure!(
        as_of.year() == year,
        "the demo's day {as_of} is not in {year}"
    );
    let mut rng = StdRng::seed_from_u64(20_201_231);
    let first_day = date(year, 1, 1)?;
    let days = (as_of - first_day).num_days() + 1;
    let share = days as f64 / f64::from(if first_day.leap_year() { 366 } else { 365 });
    let mut summary = RecordsSummary::default();

    let archivist = organisation
        .user("vanthu")
        .context("the demo has no records clerk")?;
    let archivist_origin = origin(Some(archivist.id), &archivist.username);
    let received_total = (SEED_FILES_RECEIVED * scale * share).round() as usize;
    let weights: Vec<u32> = organisation
        .units
        .all
        .iter()
        .map(|(a, _)| unit_weight(a))
        .collect();
    let weight_sum: u32 = weights.iter().sum();
    // Whole files per unit, the remainder to the first units, so the total is exact.
    let mut per_unit: Vec<usize> = weights
        .iter()
        .map(|w| received_total * *w as usize / weight_sum as usize)
        .collect();
    let mut left = received_total - per_unit.iter().sum::<usize>();
    for n in per_unit.iter_mut() {
        if left == 0 {
            break;
        }
        *n += 1;
        left -= 1;
    }

    for (index, (abbreviation, unit)) in organisation.units.all.iter().enumerate() {
        let people: Vec<_> = organisation
            .users
            .iter()
            .filter(|u| u.unit_id == Some(*unit))
            .collect();
        let keeper = people
            .iter()
            .find(|u| u.roles.contains(&Role::Specialist))
            .or(people.first())
            .map(|u| (u.id, u.username.clone()));
        let unit_origin = match &keeper {
            Some((id, name)) => origin(Some(*id), name),
            None => Origin::system(),
        };
        let mut tx = db.begin().await?;
        let mut sequence = 0u32;
        // Last year's files, handed over in up to four batches of this year.
        let received = per_unit[index];
        let batches = received.div_ceil(60).clamp(1, 4);
        let mut handed_files = 0;
        for batch in 0..batches {
            let count = received * (batch + 1) / batches - received * batch / batches;
            if count == 0 {
                continue;
            }
            // Handed over in the batch's quarter, received a few days later, before `as_of`.
            let span = (days / batches as i64).max(1);
            let offset = span * batch as i64 + rng.gen_range(0..span.max(8) - 7).min(span - 1);
            let handed_on = (first_day + Duration::days(offset)).min(as_of);
            let received_on = (handed_on + Duration::days(rng.gen_range(0..7))).min(as_of);
            let mut ids = Vec::with_capacity(count);
            for _ in 0..count {
                sequence += 1;
                let id = insert_file(
                    &mut tx,
                    &mut rng,
                    *unit,
                    abbreviation,
                    sequence,
                    year - 1,
                    keeper.as_ref().map(|k| k.0),
                    Retention::Archived,
                    handed_on,
                )
                .await?;
                ids.push(id);
            }
            let handover_id: i64 = on_tx!(&mut tx, conn => {
                sqlx::query_scalar(
                    "INSERT INTO archive_handovers (unit_id, handed_on, handed_by, notes, received_on, received_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(unit.0)
                .bind(handed_on)
                .bind(keeper.as_ref().map(|k| k.0 .0))
                .bind(format!("Giao nộp hồ sơ năm {} (đợt {})", year - 1, batch + 1))
                .bind(received_on)
                .bind(archivist.id.0)
                .bind(office_moment(&mut rng, handed_on))
                .fetch_one(&mut *conn)
                .await?
            });
            for id in &ids {
                on_tx!(&mut tx, conn => {
                    sqlx::query(
                        "UPDATE work_files SET status = 'received', handover_id = $2, received_on = $3 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(handover_id)
                    .bind(received_on)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
                });
            }
            audit::append(
                &mut tx,
                &unit_origin,
                Change {
                    action: "archive_handover.hand_over",
                    object_kind: "archive_handover",
                    object_id: handover_id.to_string(),
                    before: None,
                    after: Some(json!({"unit_id": unit.0, "handed_on": handed_on})),
                    details: json!({"files": ids}),
                },
            )
            .await?;
            audit::append(
                &mut tx,
                &archivist_origin,
                Change {
                    action: "archive_handover.receive",
                    object_kind: "archive_handover",
                    object_id: handover_id.to_string(),
                    before: None,
                    after: Some(json!({"received_on": received_on, "received_by": archivist.id.0})),
                    details: json!({"files": ids.len()}),
                },
            )
            .await?;
            summary.handovers += 1;
            handed_files += count;
        }
        summary.files_received += handed_files;

        // Last year's files kept under five years: closed, they stay in the unit.
        for _ in 0..((4.0 * scale).ceil() as usize) {
            sequence += 1;
            insert_file(
                &mut tx,
                &mut rng,
                *unit,
                abbreviation,
                sequence,
                year - 1,
                keeper.as_ref().map(|k| k.0),
                Retention::Short,
                date(year - 1, 12, 31)?,
            )
            .await?;
            summary.files_kept_in_units += 1;
        }
        // A handover still waiting for the archive at the end of the period.
        if index % 4 == 0 {
            let mut ids = Vec::new();
            for _ in 0..3 {
                sequence += 1;
                ids.push(
                    insert_file(
                        &mut tx,
                        &mut rng,
                        *unit,
                        abbreviation,
                        sequence,
                        year - 1,
                        keeper.as_ref().map(|k| k.0),
                        Retention::Archived,
                        as_of,
                    )
                    .await?,
                );
            }
            let handover_id: i64 = on_tx!(&mut tx, conn => {
                sqlx::query_scalar(
                    "INSERT INTO archive_handovers (unit_id, handed_on, handed_by, notes, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(unit.0)
                .bind(as_of)
                .bind(keeper.as_ref().map(|k| k.0 .0))
                .bind(format!("Giao nộp bổ sung hồ sơ năm {}", year - 1))
                .bind(office_moment(&mut rng, as_of))
                .fetch_one(&mut *conn)
                .await?
            });
            for id in &ids {
                on_tx!(&mut tx, conn => {
                    sqlx::query("UPDATE work_files SET status = 'handed_over', handover_id = $2 WHERE id = $1")
                        .bind(id)
                        .bind(handover_id)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected()
                });
            }
            audit::append(
                &mut tx,
                &unit_origin,
                Change {
                    action: "archive_handover.hand_over",
                    object_kind: "archive_handover",
                    object_id: handover_id.to_string(),
                    before: None,
                    after: Some(json!({"unit_id": unit.0, "handed_on": as_of})),
                    details: json!({"files": ids}),
                },
            )
            .await?;
            summary.handovers += 1;
            summary.files_waiting += ids.len();
        }
        // This year's files, open, with some of the unit's documents in them.
        let mut this_year = 0u32;
        for k in 0..((8.0 * scale).ceil() as i64) {
            this_year += 1;
            let id = insert_file(
                &mut tx,
                &mut rng,
                *unit,
                abbreviation,
                this_year,
                year,
                keeper.as_ref().map(|k| k.0),
                Retention::Open,
                as_of,
            )
            .await?;
            on_tx!(&mut tx, conn => {
                sqlx::query(
                    "INSERT INTO work_file_documents (file_id, document_id, added_by, added_at) \
                     SELECT $1, d.id, $2, $3 FROM documents d WHERE d.owner_unit_id = $4 \
                     ORDER BY d.id LIMIT 6 OFFSET $5",
                )
                .bind(id)
                .bind(keeper.as_ref().map(|k| k.0 .0))
                .bind(office_moment(&mut rng, as_of))
                .bind(unit.0)
                .bind(k * 6)
                .execute(&mut *conn)
                .await?
                .rows_affected()
            });
            summary.files_open += 1;
        }
        tx.commit().await?;
    }

    summary.news_published = (SEED_NEWS_PUBLISHED * scale * share).round() as usize;
    load_news(db, organisation, &mut rng, year, as_of, &mut summary).await?;
    Ok(summary)
}

/// Which kind of file to write.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retention {
    /// Kept 5 years or more, closed: goes to the archive.
    Archived,
    /// Kept under 5 years, closed: stays in the unit.
    Short,
    /// This year's, open.
    Open,
}

/// One file with its `work_file.open` event; `until` is the day it was closed (or, for an
/// open file, the day it was opened).
#[allow(clippy::too_many_arguments)]
async fn insert_file(
    tx: &mut Tx,
    rng: &mut StdRng,
    unit: UnitId,
    abbreviation: &str,
    sequence: u32,
    year: i32,
    keeper: Option<UserId>,
    kind: Retention,
    until: NaiveDate,
) -> anyhow::Result<i64> {
    let subject = FILE_SUBJECTS[rng.gen_range(0..FILE_SUBJECTS.len())];
    let place = PLACES[rng.gen_range(0..PLACES.len())];
    let title = format!("{subject} {place} năm {year}");
    let code = format!("{sequence:02}.{abbreviation}");
    let retention: Option<i64> = match kind {
        Retention::Short => Some(rng.gen_range(1..5)),
        _ => match rng.gen_range(0..10) {
            0..=3 => None,
            4..=6 => Some(20),
            7..=8 => Some(10),
            _ => Some(5),
        },
    };
    let opened_on = date(year, 1, 1)? + Duration::days(rng.gen_range(0..90));
    let (status, closed_on) = match kind {
        Retention::Open => ("open", None),
        _ => {
            let closed = (date(year, 12, 31)? - Duration::days(rng.gen_range(0..60))).min(until);
            ("closed", Some(closed.max(opened_on)))
        }
    };
    let opened_on = opened_on.min(until);
    let now = vanphong_store::now();
    let id: i64 = on_tx!(&mut *tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO work_files (code, title, year, unit_id, retention_years, keeper_id, status, opened_on, closed_on, \
             notes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', $10, $10) RETURNING id",
        )
        .bind(&code)
        .bind(&title)
        .bind(i64::from(year))
        .bind(unit.0)
        .bind(retention)
        .bind(keeper.map(|k| k.0))
        .bind(status)
        .bind(opened_on)
        .bind(closed_on)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    audit::append(
        tx,
        &Origin::system(),
        Change {
            action: "work_file.open",
            object_kind: "work_file",
            object_id: id.to_string(),
            before: None,
            after: Some(json!({"id": id, "code": code, "title": title, "year": year, "unit_id": unit.0,
                               "retention_years": retention, "status": status, "opened_on": opened_on,
                               "closed_on": closed_on})),
            details: json!({"demo": true}),
        },
    )
    .await?;
    Ok(id)
}

const NEWS_TOPICS: &[(&str, NewsCategory)] = &[
    (
        "Hội nghị tổng kết công tác bảo vệ môi trường",
        NewsCategory::Activities,
    ),
    (
        "Đoàn công tác kiểm tra công tác bảo vệ môi trường",
        NewsCategory::Activities,
    ),
    (
        "Tập huấn nghiệp vụ quan trắc môi trường",
        NewsCategory::Activities,
    ),
    (
        "Lễ phát động Tháng hành động vì môi trường",
        NewsCategory::Activities,
    ),
    (
        "Hội thảo tham vấn dự thảo thông tư hướng dẫn Luật Bảo vệ môi trường",
        NewsCategory::Policy,
    ),
    (
        "Ban hành quy chuẩn kỹ thuật quốc gia về nước thải công nghiệp",
        NewsCategory::Policy,
    ),
    (
        "Hướng dẫn cấp giấy phép môi trường theo quy định mới",
        NewsCategory::Policy,
    ),
    (
        "Công bố thủ tục hành chính lĩnh vực môi trường",
        NewsCategory::Policy,
    ),
    (
        "Chất lượng không khí được cải thiện",
        NewsCategory::Environment,
    ),
    (
        "Xử lý dứt điểm điểm nóng ô nhiễm",
        NewsCategory::Environment,
    ),
    (
        "Phát hiện cơ sở xả thải vượt quy chuẩn",
        NewsCategory::Environment,
    ),
    (
        "Thả cá giống tái tạo nguồn lợi thủy sản",
        NewsCategory::Environment,
    ),
    (
        "Thông báo tuyển dụng công chức",
        NewsCategory::Announcements,
    ),
    ("Thông báo lịch tiếp công dân", NewsCategory::Announcements),
    (
        "Thông báo kết quả lựa chọn nhà thầu",
        NewsCategory::Announcements,
    ),
];

async fn load_news(
    db: &Db,
    organisation: &DemoOrganisation,
    rng: &mut StdRng,
    year: i32,
    as_of: NaiveDate,
    summary: &mut RecordsSummary,
) -> anyhow::Result<()> {
    let authors: Vec<_> = ["bientap", "phochanhvanphong"]
        .iter()
        .filter_map(|u| organisation.user(u))
        .collect();
    ensure!(!authors.is_empty(), "the demo has no editor");
    let first_day = date(year, 1, 1)?;
    let days = (as_of - first_day).num_days() + 1;
    let mut moments: Vec<DateTime<Utc>> = (0..summary.news_published)
        .map(|_| {
            let day = first_day + Duration::days(rng.gen_range(0..days));
            office_moment(rng, day)
        })
        .collect();
    moments.sort();
    summary.news_drafts = 12;
    let mut tx = db.begin().await?;
    let total = moments.len() + summary.news_drafts;
    for n in 0..total {
        let published_at = moments.get(n).copied();
        let (topic, category) = NEWS_TOPICS[rng.gen_range(0..NEWS_TOPICS.len())];
        let place = PLACES[rng.gen_range(0..PLACES.len())];
        let title = format!("{topic} {place}");
        let slug = Slug::from_title(&format!("{title} {}", n + 1))
            .with_context(|| format!("a slug for {title}"))?;
        let summary_text = format!(
            "{topic} {place} với sự tham gia của đại diện các đơn vị thuộc Tổng cục và các sở, ngành liên quan."
        );
        let body = format!(
            "{summary_text}\n\nTheo báo cáo, trong thời gian qua, công tác bảo vệ môi trường {place} đã có nhiều chuyển biến tích cực; \
             các cơ sở sản xuất được kiểm tra định kỳ, các điểm nóng ô nhiễm được theo dõi chặt chẽ.\n\n\
             Phát biểu tại buổi làm việc, lãnh đạo Tổng cục đề nghị các đơn vị tiếp tục phối hợp, \
             xử lý kịp thời các phản ánh của người dân qua đường dây nóng.\n\n\
             Thông tin chi tiết xem tại https://monre.gov.vn."
        );
        let author = authors[n % authors.len()];
        let created_at = published_at.unwrap_or_else(vanphong_store::now) - Duration::hours(2);
        let status = if published_at.is_some() {
            "published"
        } else {
            "draft"
        };
        let id: i64 = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(
                "INSERT INTO news_articles (slug, title, summary, body, category, status, published_at, author_id, \
                 version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(slug.as_str())
            .bind(&title)
            .bind(&summary_text)
            .bind(&body)
            .bind(category.code())
            .bind(status)
            .bind(published_at)
            .bind(author.id.0)
            .bind(if published_at.is_some() { 2_i64 } else { 1 })
            .bind(created_at)
            .fetch_one(&mut *conn)
            .await?
        });
        audit::append(
            &mut tx,
            &origin(Some(author.id), &author.username),
            Change {
                action: if published_at.is_some() {
                    "news.publish"
                } else {
                    "news.create"
                },
                object_kind: "news_article",
                object_id: id.to_string(),
                before: None,
                after: Some(json!({"id": id, "slug": slug.as_str(), "title": title, "category": category.code(),
                                   "status": status, "published_at": published_at})),
                details: json!({"demo": true}),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vanphong_store::testing::TestDb;
    use vanphong_store::work_files::{self, WorkFileScope};
    use vanphong_store::{news, on_both_backends, Backend};

    /// A twentieth of the seed year, loaded whole: the review's two figures come out as the
    /// seed's counts scaled, and the audit trail verifies.
    async fn the_demo_year_counts_what_the_seed_counted_scaled(backend: Backend) {
        let t = TestDb::new(backend).await;
        let demo = crate::demo::load_organisation(&t.db, crate::commands::DEMO_PASSWORD)
            .await
            .unwrap();
        let (from, to) = (date(2020, 1, 1).unwrap(), date(2020, 12, 31).unwrap());
        let summary = load_records(&t.db, &demo, 2020, 0.05, to).await.unwrap();
        assert_eq!(summary.files_received, 100);
        assert_eq!(summary.news_published, 45);
        assert_eq!(
            work_files::archive_received_count(&t.db, from, to, &WorkFileScope::ALL)
                .await
                .unwrap(),
            100
        );
        assert_eq!(news::published_count(&t.db, from, to).await.unwrap(), 45);
        // Files waiting for the archive and files kept in the units are not counted.
        assert!(summary.files_waiting > 0 && summary.files_kept_in_units > 0);
        let all = work_files::count(&t.db, &WorkFileScope::ALL, &Default::default())
            .await
            .unwrap();
        assert_eq!(
            all as usize,
            summary.files_received
                + summary.files_waiting
                + summary.files_kept_in_units
                + summary.files_open
        );
        assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
    }

    on_both_backends!(the_demo_year_counts_what_the_seed_counted_scaled);
}
