//! `vanphong generate`: national-scale data for measuring, on top of the demo agency. A
//! ministry and its provinces (one provincial department per province of the demo's
//! administrative areas), years of incoming and outgoing documents with their lead work,
//! procedure dossiers, and hotline cases with their reports, written by `INSERT … SELECT`
//! over generated sequences in chunks, with a progress bar per kind.
//!
//! Every value is a function of the row's position and the seed (a multiplicative hash),
//! so the same seed and volumes give the same data on SQLite and on PostgreSQL. The
//! numbers stay as the decree wants them: arrival numbers and each year's outgoing numbers
//! run 1..n without gaps in the generated years, and the counters continue after them, so
//! registering afterwards goes on from the right number. One audit event records the run.

use anyhow::{bail, Context};
use indicatif::ProgressBar;
use serde_json::json;
use vanphong_core::org::Abbreviation;
use vanphong_core::text::fold;
use vanphong_store::audit::{self, Change, Origin};
use vanphong_store::org::{self, UnitInput};
use vanphong_store::{Backend, Db};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Plan {
    pub seed: u64,
    pub documents: u64,
    pub dossiers: u64,
    pub hotline: u64,
    pub first_year: i32,
    pub years: i32,
}

/// Rows per statement: large enough to be fast, small enough for a steady progress bar.
const CHUNK: u64 = 100_000;

const ACTIONS: &[&str] = &[
    "Về việc kiểm tra công tác bảo vệ môi trường",
    "Về việc thẩm định báo cáo đánh giá tác động môi trường",
    "Về việc cấp giấy phép môi trường",
    "Về việc xử lý vi phạm hành chính về xả thải",
    "Về việc quan trắc chất lượng nước mặt",
    "Về việc quản lý chất thải rắn sinh hoạt",
    "Về việc triển khai kế hoạch phòng chống ô nhiễm không khí",
    "Về việc báo cáo công tác bảo vệ môi trường năm",
    "Về việc góp ý dự thảo thông tư hướng dẫn",
    "Về việc giải quyết kiến nghị cử tri",
    "Về việc trả lời chất vấn của đại biểu Quốc hội",
    "Về việc tổng kết thực hiện kết luận thanh tra",
    "Về việc phê duyệt phương án cải tạo phục hồi môi trường",
    "Về việc điều tra cơ bản đa dạng sinh học",
    "Về việc ứng phó sự cố tràn dầu",
    "Về việc kiểm soát ô nhiễm làng nghề",
];

const OBJECTS: &[&str] = &[
    "khu công nghiệp",
    "cụm công nghiệp",
    "lưu vực sông",
    "bãi chôn lấp chất thải",
    "nhà máy xử lý nước thải",
    "làng nghề tái chế",
    "cơ sở chăn nuôi",
    "mỏ khai thác khoáng sản",
    "khu bảo tồn thiên nhiên",
    "cảng biển",
    "bệnh viện đa khoa",
    "nhà máy nhiệt điện",
];

const SENDERS: &[&str] = &[
    "Ủy ban nhân dân tỉnh",
    "Sở Nông nghiệp và Môi trường",
    "Bộ Nông nghiệp và Môi trường",
    "Văn phòng Chính phủ",
    "Ban Dân nguyện",
    "Công ty Cổ phần Môi trường Đô thị",
    "Ban quản lý các khu công nghiệp",
    "Công an tỉnh",
];

/// `CASE expr % n WHEN 0 THEN a …`: the SQL literal at the expression's position.
fn case_of(expr: &str, literals: Vec<String>) -> String {
    let mut sql = format!("CASE ({expr}) % {} ", literals.len());
    for (i, literal) in literals.iter().enumerate() {
        sql.push_str(&format!("WHEN {i} THEN {literal} "));
    }
    sql.push_str("END");
    sql
}

/// The list's text at the expression's position.
fn pick(expr: &str, items: &[String]) -> String {
    case_of(
        expr,
        items
            .iter()
            .map(|item| format!("'{}'", item.replace('\'', "''")))
            .collect(),
    )
}

/// The list's number at the expression's position.
fn pick_number(expr: &str, items: &[i64]) -> String {
    case_of(expr, items.iter().map(i64::to_string).collect())
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// A deterministic hash of a row position and the seed, in 0..2^32, as SQL.
fn hash(position: &str, seed: u64, salt: u64) -> String {
    format!(
        "((({position}) * 2654435761 + {}) % 4294967296)",
        (seed.wrapping_mul(40503).wrapping_add(salt * 7919)) % 4_294_967_296
    )
}

/// Rows `lo..hi` as a table `n(k)`, in each backend's SQL.
fn sequence(backend: Backend, lo: u64, hi: u64) -> String {
    match backend {
        Backend::Postgres => format!("(SELECT generate_series({lo}, {}) AS k) n", hi - 1),
        Backend::Sqlite => format!(
            "(WITH RECURSIVE s(k) AS (SELECT {lo} UNION ALL SELECT k + 1 FROM s WHERE k < {}) SELECT k FROM s) n",
            hi - 1
        ),
    }
}

/// `year-01-01` plus `days`, as a date in each backend's SQL.
fn date_plus(backend: Backend, year: &str, days: &str) -> String {
    match backend {
        Backend::Postgres => {
            format!("(make_date(CAST({year} AS INTEGER), 1, 1) + CAST({days} AS INTEGER))")
        }
        Backend::Sqlite => format!("date(({year}) || '-01-01', '+' || ({days}) || ' days')"),
    }
}

/// A moment on `date` at 09:00 Vietnam time, in each backend's SQL.
fn moment_of(backend: Backend, date: &str) -> String {
    match backend {
        Backend::Postgres => {
            format!("(CAST({date} AS TIMESTAMP) + INTERVAL '2 hours') AT TIME ZONE 'UTC'")
        }
        Backend::Sqlite => format!("strftime('%Y-%m-%dT02:00:00+00:00', {date})"),
    }
}

async fn exec(db: &Db, sql: &str) -> anyhow::Result<u64> {
    let done = match db {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
    };
    Ok(done)
}

async fn scalar(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
    })
}

async fn ids(db: &Db, sql: &str) -> anyhow::Result<Vec<i64>> {
    Ok(match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await?,
    })
}

/// What a run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub units: usize,
    pub incoming: u64,
    pub outgoing: u64,
    pub assignments: u64,
    pub dossiers: u64,
    pub hotline_cases: u64,
}

/// The current provinces of the demo's areas: (area id, name), by code.
async fn provinces(db: &Db) -> anyhow::Result<Vec<(i64, String)>> {
    let sql = "SELECT id, name FROM admin_areas WHERE level = 'province' AND valid_to IS NULL ORDER BY code";
    let provinces: Vec<(i64, String)> = match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
    };
    if provinces.is_empty() {
        bail!(
            "the database has no provinces: load the demo agency first (vanphong demo --no-serve)"
        );
    }
    Ok(provinces)
}

/// The provincial departments, one per province (made on first run).
async fn provincial_units(
    db: &Db,
    origin: &Origin,
    provinces: &[(i64, String)],
) -> anyhow::Result<Vec<i64>> {
    let existing = org::units(db).await?;
    let mut out = Vec::new();
    for (index, (_, name)) in provinces.iter().enumerate() {
        let abbreviation = format!("SNNMT{}", index + 1);
        if let Some(unit) = existing
            .iter()
            .find(|u| u.abbreviation.as_str() == abbreviation)
        {
            out.push(unit.id.0);
            continue;
        }
        let unit = org::create_unit(
            db,
            origin,
            &UnitInput {
                parent_id: None,
                name: format!("Sở Nông nghiệp và Môi trường {name}"),
                abbreviation: Abbreviation::parse(&abbreviation)?,
                sort_order: 1000 + index as i64,
                active: true,
            },
        )
        .await?;
        out.push(unit.id.0);
    }
    Ok(out)
}

fn bar(message: &str, total: u64) -> ProgressBar {
    let bar = crate::commands::count_bar(message);
    bar.set_length(total);
    bar
}

/// Generates `plan` into `db` (which holds the demo agency).
pub async fn generate(db: &Db, plan: &Plan) -> anyhow::Result<Written> {
    if plan.years < 1 || plan.years > 50 {
        bail!("--years must be between 1 and 50");
    }
    let last_year = plan.first_year + plan.years - 1;
    let taken = scalar(
        db,
        &format!(
            "SELECT COUNT(*) FROM documents WHERE (arrival_year BETWEEN {} AND {last_year}) OR (issue_year BETWEEN {} AND {last_year})",
            plan.first_year, plan.first_year
        ),
    )
    .await?;
    if taken > 0 {
        bail!(
            "the years {}–{last_year} already hold {taken} documents: generate other years (--first-year) or into a fresh database",
            plan.first_year
        );
    }
    let origin = Origin {
        user_id: None,
        label: "generate".into(),
        address: String::new(),
    };
    let backend = db.backend();
    let mut units = ids(db, "SELECT id FROM units WHERE active ORDER BY id").await?;
    let areas = provinces(db).await?;
    let province_names: Vec<String> = areas.iter().map(|(_, name)| name.clone()).collect();
    let province_ids: Vec<i64> = areas.iter().map(|(id, _)| *id).collect();
    let provinces = provincial_units(db, &origin, &areas).await?;
    units.retain(|u| !provinces.contains(u));
    if units.is_empty() {
        bail!("the database has no units: load the demo agency first (vanphong demo --no-serve)");
    }
    // The ministry's own units take 40 % of the documents, the provinces the rest.
    let mut owners: Vec<i64> = Vec::new();
    for i in 0..(units.len() * 4).max(provinces.len() * 6) {
        if i % 10 < 4 {
            owners.push(units[i % units.len()]);
        } else {
            owners.push(provinces[i % provinces.len()]);
        }
    }
    let series = scalar(
        db,
        "SELECT COALESCE(MIN(id), 0) FROM numbering_series WHERE NOT secret AND type_codes = '' AND active",
    )
    .await?;
    if series == 0 {
        bail!("the database has no shared numbering series: load the demo agency first");
    }
    let agency_abbreviation: String = match db {
        Db::Sqlite(pool) => sqlx::query_scalar(
            "SELECT COALESCE((SELECT abbreviation FROM agency LIMIT 1), 'BNNMT')",
        )
        .fetch_one(pool)
        .await
        .unwrap_or_else(|_| "BNNMT".into()),
        Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT COALESCE((SELECT abbreviation FROM agency LIMIT 1), 'BNNMT')",
        )
        .fetch_one(pool)
        .await
        .unwrap_or_else(|_| "BNNMT".into()),
    };
    let now = match backend {
        Backend::Sqlite => "'2026-01-01T00:00:00+00:00'".to_owned(),
        Backend::Postgres => "TIMESTAMPTZ '2026-01-01 00:00:00+00'".to_owned(),
    };
    let mut written = Written {
        units: provinces.len(),
        ..Written::default()
    };

    // Incoming and outgoing documents, each numbered 1..n per year in date order.
    let incoming = plan.documents * 7 / 10;
    let outgoing = plan.documents - incoming;
    let years = i64::from(plan.years);
    // Each direction's INSERT for rows `lo..hi` of its own sequence (with `%SEQ%` for the
    // rows): built once, run in interleaved chunks below.
    let mut templates: Vec<(&str, u64, String)> = Vec::new();
    for (direction, total) in [("incoming", incoming), ("outgoing", outgoing)] {
        let salt = if direction == "incoming" { 1 } else { 2 };
        let h = hash("k", plan.seed, salt);
        let h2 = hash("k + 7", plan.seed, salt + 10);
        // Year index, the first position of that year, the number within it, its day.
        let y = format!("((k * {years}) / {total})");
        let start = format!("(({y} * {total} + {years} - 1) / {years})");
        let number = format!("(k - {start} + 1)");
        let per_year = total / plan.years as u64 + 1;
        let day_of_year = format!("(((k - {start}) * 365) / {per_year})");
        let year = format!("({} + {y})", plan.first_year);
        let day = date_plus(backend, &year, &day_of_year);
        let subject = format!(
            "{} || ' ' || {} || ' ' || {}",
            pick(&h, &texts(ACTIONS)),
            pick(&format!("{h} / 16"), &texts(OBJECTS)),
            pick(&format!("{h} / 192"), &province_names)
        );
        let folded = format!(
            "{} || ' ' || {} || ' ' || {}",
            pick(&h, &ACTIONS.iter().map(|s| fold(s)).collect::<Vec<_>>()),
            pick(
                &format!("{h} / 16"),
                &OBJECTS.iter().map(|s| fold(s)).collect::<Vec<_>>()
            ),
            pick(
                &format!("{h} / 192"),
                &province_names.iter().map(|s| fold(s)).collect::<Vec<_>>()
            )
        );
        let owner = pick_number(&format!("{h2} / 7"), &owners);
        // Work of the last two months of the last year is 40 % open, 1 % of older work too.
        let recent = format!("({y} = {} AND {day_of_year} >= 305)", years - 1);
        let status = if direction == "incoming" {
            format!("CASE WHEN ({recent} AND {h2} % 5 < 2) OR {h2} % 100 = 1 THEN 'in_progress' ELSE 'done' END")
        } else {
            "'issued'".to_owned()
        };
        let kind = format!(
            "CASE WHEN {h2} % 997 = 0 THEN 'deputy_question' WHEN {h2} % 499 = 0 THEN 'voter_petition' ELSE 'ordinary' END"
        );
        let type_code = pick(
            &format!("{h2} / 11"),
            &texts(&[
                "cong_van",
                "cong_van",
                "cong_van",
                "bao_cao",
                "quyet_dinh",
                "ke_hoach",
                "thong_bao",
                "to_trinh",
            ]),
        );
        let symbol = if direction == "incoming" {
            format!(
                "'UBND-' || {}",
                pick(&format!("{h2} / 3"), &texts(&["KT", "NN", "TH", "VX"]))
            )
        } else {
            format!("'{}-VP'", agency_abbreviation.replace('\'', "''"))
        };
        let sender = pick(&format!("{h2} / 13"), &texts(SENDERS));
        let authority = pick(&format!("{h2} / 5"), &texts(&["own", "kt", "tl", "tm"]));
        let urgency = format!("CASE WHEN {h2} % 20 = 0 THEN 1 ELSE 0 END");
        let secrecy = format!("CASE WHEN {h2} % 1000 = 0 THEN 1 ELSE 0 END");
        let due = date_plus(backend, &year, &format!("{day_of_year} + 10"));
        let seq = "%SEQ%";
        let sql = if direction == "incoming" {
            // The sender's number and symbol; our arrival number runs 1..n per year.
            let theirs = format!("(1 + {h2} % 3000)");
            format!(
                "INSERT INTO documents (direction, kind, type_code, number, symbol, number_symbol, document_date, subject, \
                 urgency, secrecy, sender_name, arrival_year, arrival_number, arrival_date, status, owner_unit_id, due_date, \
                 petition_source, search_text, created_at, updated_at) \
                 SELECT 'incoming', {kind}, {type_code}, {theirs}, {symbol}, CAST({theirs} AS TEXT) || '/' || {symbol}, {day}, \
                 {subject}, {urgency}, {secrecy}, {sender}, {year}, {number}, {day}, {status}, {owner}, {due}, \
                 CASE WHEN {h2} % 499 = 0 AND {h2} % 997 <> 0 THEN 'petitions_committee' END, {folded}, {now}, {now} FROM {seq}"
            )
        } else {
            format!(
                "INSERT INTO documents (direction, kind, type_code, number, symbol, number_symbol, document_date, subject, \
                 urgency, secrecy, signing_authority, series_id, issue_year, issued_on, status, owner_unit_id, search_text, \
                 created_at, updated_at) \
                 SELECT 'outgoing', 'ordinary', {type_code}, {number}, {symbol}, CAST({number} AS TEXT) || '/' || {symbol}, {day}, \
                 {subject}, {urgency}, {secrecy}, {authority}, {series}, {year}, {day}, {status}, {owner}, {folded}, {now}, {now} \
                 FROM {seq}"
            )
        };
        templates.push((direction, total, sql));
    }
    // Incoming and outgoing chunks alternate, each covering the same stretch of days, so
    // the rows interleave in time (and in id) as a real register's do.
    let progress = bar("Documents", plan.documents);
    let rounds = plan.documents.div_ceil(CHUNK).max(1);
    for round in 0..rounds {
        for (direction, total, template) in &templates {
            let lo = total * round / rounds;
            let hi = total * (round + 1) / rounds;
            if hi <= lo {
                continue;
            }
            let sql = template.replace("%SEQ%", &sequence(backend, lo, hi));
            let first_id = scalar(db, "SELECT COALESCE(MAX(id), 0) FROM documents").await?;
            exec(db, &sql)
                .await
                .with_context(|| format!("writing {direction} documents"))?;
            if *direction == "incoming" {
                let finished = match backend {
                    Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%S+00:00', d.arrival_date, '+' || (d.id % 15) || ' days', '+3 hours')",
                    Backend::Postgres => "(CAST(d.arrival_date AS TIMESTAMP) + CAST(d.id % 15 AS INTEGER) * INTERVAL '1 day' + INTERVAL '3 hours') AT TIME ZONE 'UTC'",
                };
                let assigned = moment_of(backend, "d.arrival_date");
                written.assignments += exec(
                    db,
                    &format!(
                        "INSERT INTO assignments (document_id, unit_id, role, status, due_date, assigned_at, finished_at, last_progress_at) \
                         SELECT d.id, d.owner_unit_id, 'lead', CASE WHEN d.status = 'done' THEN 'done' ELSE 'in_progress' END, d.due_date, \
                         {assigned}, CASE WHEN d.status = 'done' THEN {finished} END, {assigned} FROM documents d \
                         WHERE d.id > {first_id} AND d.direction = 'incoming'"
                    ),
                )
                .await
                .context("writing the lead work")?;
                written.incoming += hi - lo;
            } else {
                written.outgoing += hi - lo;
            }
            progress.inc(hi - lo);
        }
    }
    progress.finish();
    // The counters go on after the generated numbers.
    for (name, sql) in [
        (
            "'arrival'".to_owned(),
            format!("SELECT arrival_year, MAX(arrival_number) FROM documents WHERE direction = 'incoming' AND arrival_year BETWEEN {} AND {last_year} GROUP BY arrival_year", plan.first_year),
        ),
        (
            format!("'series:{series}'"),
            format!("SELECT issue_year, MAX(number) FROM documents WHERE direction = 'outgoing' AND series_id = {series} AND issue_year BETWEEN {} AND {last_year} GROUP BY issue_year", plan.first_year),
        ),
    ] {
        exec(
            db,
            &format!(
                "INSERT INTO counters (name, year, last_value) {} \
                 ON CONFLICT (name, year) DO UPDATE SET last_value = excluded.last_value",
                sql.replacen("SELECT ", &format!("SELECT {name}, "), 1)
            ),
        )
        .await
        .context("moving the counters on")?;
    }

    // Dossiers of the demo's procedures, spread over the years.
    if plan.dossiers > 0 {
        let procedures: Vec<(i64, i64)> = match db {
            Db::Sqlite(pool) => sqlx::query_as("SELECT id, current_version_id FROM procedures WHERE current_version_id IS NOT NULL ORDER BY id").fetch_all(pool).await?,
            Db::Postgres(pool) => sqlx::query_as("SELECT id, current_version_id FROM procedures WHERE current_version_id IS NOT NULL ORDER BY id").fetch_all(pool).await?,
        };
        if procedures.is_empty() {
            bail!("the database has no procedures: load the demo agency first");
        }
        let progress = bar("Procedure dossiers", plan.dossiers);
        let h = hash("k", plan.seed, 3);
        let days = i64::from(plan.years) * 365;
        let submitted = date_plus(
            backend,
            &plan.first_year.to_string(),
            &format!("(k * {days}) / {}", plan.dossiers),
        );
        let due = date_plus(
            backend,
            &plan.first_year.to_string(),
            &format!("(k * {days}) / {} + 14", plan.dossiers),
        );
        let finished = date_plus(
            backend,
            &plan.first_year.to_string(),
            &format!("(k * {days}) / {} + 10 + {h} % 7", plan.dossiers),
        );
        let procedure = pick_number(
            &format!("{h} / 3"),
            &procedures.iter().map(|p| p.0).collect::<Vec<_>>(),
        );
        let version = pick_number(
            &format!("{h} / 3"),
            &procedures.iter().map(|p| p.1).collect::<Vec<_>>(),
        );
        let unit = pick_number(&format!("{h} / 17"), &owners);
        let mut done = 0;
        while done < plan.dossiers {
            let hi = (done + CHUNK).min(plan.dossiers);
            let seq = sequence(backend, done, hi);
            written.dossiers += exec(
                db,
                &format!(
                    "INSERT INTO dossiers (code, procedure_id, procedure_version_id, channel, status, applicant_name, applicant_phone, \
                     phone_tail, submitted_on, received_on, received_unit_id, handling_unit_id, due_date, finished_on, timeliness, \
                     created_at, updated_at) SELECT 'G{seed}-' || CAST(k AS TEXT), {procedure}, {version}, \
                     CASE WHEN {h} % 3 = 0 THEN 'online' ELSE 'counter' END, CASE WHEN {h} % 10 = 0 THEN 4 ELSE 10 END, \
                     'Công ty Cổ phần Môi trường ' || CAST({h} % 5000 AS TEXT), '0912' || CAST(100000 + {h} % 900000 AS TEXT), \
                     CAST(1000 + {h} % 9000 AS TEXT), {submitted}, {submitted}, {unit}, {unit}, {due}, \
                     CASE WHEN {h} % 10 <> 0 THEN {finished} END, \
                     CASE WHEN {h} % 10 = 0 THEN NULL WHEN {h} % 7 > 4 THEN 'late' ELSE 'on_time' END, {now}, {now} FROM {seq}",
                    seed = plan.seed
                ),
            )
            .await
            .context("writing the dossiers")?;
            progress.set_position(hi);
            done = hi;
        }
        progress.finish();
    }

    // Hotline cases, one report each, in the provinces.
    if plan.hotline > 0 {
        let progress = bar("Hotline cases", plan.hotline);
        let h = hash("k", plan.seed, 4);
        let days = i64::from(plan.years) * 365;
        let received_day = date_plus(
            backend,
            &plan.first_year.to_string(),
            &format!("(k * {days}) / {}", plan.hotline),
        );
        let received = moment_of(backend, &received_day);
        let due = date_plus(
            backend,
            &plan.first_year.to_string(),
            &format!("(k * {days}) / {} + 14", plan.hotline),
        );
        let province = pick_number(&format!("{h} / 5"), &province_ids);
        let kind = pick(
            &format!("{h} / 7"),
            &texts(&[
                "waste_water",
                "emissions",
                "noise",
                "solid_waste",
                "environmental_quality",
                "other",
            ]),
        );
        let mut done = 0;
        while done < plan.hotline {
            let hi = (done + CHUNK).min(plan.hotline);
            let seq = sequence(backend, done, hi);
            let first_id = scalar(db, "SELECT COALESCE(MAX(id), 0) FROM hotline_cases").await?;
            written.hotline_cases += exec(
                db,
                &format!(
                    "INSERT INTO hotline_cases (kind, status, title, province_id, routed_province_id, due_date, received_at, updated_at) \
                     SELECT {kind}, CASE WHEN {h} % 10 < 3 THEN 'verifying' ELSE 'closed' END, \
                     'Phản ánh ô nhiễm ' || CAST({h} % 100000 AS TEXT), {province}, {province}, \
                     {due}, {received}, {now} FROM {seq}"
                ),
            )
            .await
            .context("writing the hotline cases")?;
            exec(
                db,
                &format!(
                    "INSERT INTO hotline_reports (case_id, tracking_code, channel, kind, description, received_at) \
                     SELECT c.id, 'G{}-' || CAST(c.id AS TEXT), CASE WHEN c.id % 4 = 0 THEN 'press' ELSE 'phone' END, c.kind, \
                     c.title, c.received_at FROM hotline_cases c WHERE c.id > {first_id}",
                    plan.seed
                ),
            )
            .await
            .context("writing the hotline reports")?;
            progress.set_position(hi);
            done = hi;
        }
        progress.finish();
    }
    if backend == Backend::Postgres {
        db.refresh_statistics().await?;
    }

    let mut tx = db.begin().await?;
    audit::append(
        &mut tx,
        &origin,
        Change {
            action: "data.generate",
            object_kind: "database",
            object_id: String::new(),
            before: None,
            after: None,
            details: json!({
                "seed": plan.seed, "first_year": plan.first_year, "years": plan.years,
                "incoming": written.incoming, "outgoing": written.outgoing,
                "dossiers": written.dossiers, "hotline_cases": written.hotline_cases,
                "provincial_units": written.units,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(written)
}
