//! Rendering a year-end review as PDF, DOCX and XLSX (issue 7: "its PDF in ≤ 2 s more"
//! than computing the review). The review is built here with the shape the store gives
//! it: five sections, 27 figures and 8 charts, among them the 34 provinces and 30
//! procedures as bars. Each export is rendered 10 times after one warm-up; the median is
//! reported beside a baseline measured in the same run: writing the same charts' SVG.
//!
//!     cargo bench -p vanphong-web --bench report_export
//!
//! `VANPHONG_BENCH_OUT=DIR` also writes the three files there, to open them by hand.

use std::hint::black_box;
use std::time::{Duration, Instant};
use vanphong_core::report::{
    Chart, ChartKind, Figure, Label, Period, Review, Section, Series, Value,
};
use vanphong_web::i18n::Lang;
use vanphong_web::report_export::{self, ReportHeading};

const RUNS: usize = 10;

fn texts(names: impl IntoIterator<Item = String>) -> Vec<Label> {
    names.into_iter().map(Label::Text).collect()
}

fn series(name: &str, values: impl IntoIterator<Item = f64>) -> Series {
    Series {
        label: Label::Text(name.into()),
        values: values.into_iter().collect(),
    }
}

fn wave(n: usize, base: f64, spread: f64) -> Vec<f64> {
    (0..n)
        .map(|i| (base + spread * ((i as f64 * 1.7).sin() + 1.0)).round())
        .collect()
}

fn chart(key: &'static str, kind: ChartKind, categories: Vec<Label>, series: Vec<Series>) -> Chart {
    Chart {
        key,
        kind,
        categories,
        series,
        percent: false,
    }
}

fn review() -> Review {
    let period = Period::year(2020).unwrap_or_else(|_| unreachable!());
    let figures = |keys: &[&'static str], base: i64| -> Vec<Figure> {
        keys.iter()
            .enumerate()
            .map(|(i, key)| Figure {
                key,
                value: Value::Count(base * (i as i64 + 3)),
                previous: Value::Count(base * (i as i64 + 2)),
                has_records: true,
            })
            .collect()
    };
    let months = texts((1..=12).map(|m| format!("T{m}")));
    let provinces = texts((1..=34).map(|i| format!("Tỉnh, thành phố số {i}")));
    let procedures = texts((1..=30).map(|i| format!("Thủ tục cấp giấy phép môi trường số {i}")));
    let units = texts((1..=20).map(|i| format!("Phòng chuyên môn {i}")));
    Review {
        period,
        previous: period.previous(),
        hidden_units: Vec::new(),
        sections: vec![
            Section {
                key: "documents",
                figures: figures(
                    &[
                        "incoming_received",
                        "incoming_processed",
                        "outgoing_issued_agency",
                        "incoming_office",
                        "outgoing_issued_office",
                        "reports_prepared",
                        "files_archived",
                        "incoming_overdue",
                    ],
                    1_893,
                ),
                charts: vec![
                    chart(
                        "documents_by_month",
                        ChartKind::Columns,
                        months.clone(),
                        vec![
                            series("Văn bản đến", wave(12, 1_400.0, 300.0)),
                            series("Văn bản đi", wave(12, 550.0, 120.0)),
                        ],
                    ),
                    Chart {
                        percent: true,
                        ..chart(
                            "on_time_by_month",
                            ChartKind::Line,
                            months.clone(),
                            vec![series("Đúng hạn", wave(12, 80.0, 8.0))],
                        )
                    },
                    chart(
                        "overdue_by_unit",
                        ChartKind::Bars,
                        units,
                        vec![series("Quá hạn", wave(20, 3.0, 9.0))],
                    ),
                ],
            },
            Section {
                key: "questions",
                figures: figures(
                    &[
                        "question_slips",
                        "questions_in_session",
                        "petitions_people",
                        "petitions_government",
                        "petitions_front",
                        "conclusion_tasks",
                    ],
                    12,
                ),
                charts: Vec::new(),
            },
            Section {
                key: "dossiers",
                figures: figures(
                    &[
                        "dossiers_received",
                        "dossiers_processed",
                        "dossiers_on_time",
                        "dossiers_late",
                    ],
                    401,
                ),
                charts: vec![chart(
                    "dossiers_by_procedure",
                    ChartKind::Bars,
                    procedures,
                    vec![
                        series("Tiếp nhận", wave(30, 20.0, 40.0)),
                        series("Đúng hạn", wave(30, 15.0, 30.0)),
                    ],
                )],
            },
            Section {
                key: "hotline",
                figures: figures(
                    &[
                        "hotline_received",
                        "hotline_verified",
                        "hotline_handled",
                        "hotline_responded",
                        "hotline_verifying",
                        "press_reports",
                    ],
                    57,
                ),
                charts: vec![
                    chart(
                        "hotline_by_kind",
                        ChartKind::Bars,
                        texts(
                            [
                                "Nước thải",
                                "Chất thải rắn",
                                "Khí thải",
                                "Tiếng ồn",
                                "Chất lượng môi trường",
                                "Khác",
                            ]
                            .map(String::from),
                        ),
                        vec![series("Phản ánh", wave(6, 20.0, 60.0))],
                    ),
                    chart(
                        "hotline_by_province",
                        ChartKind::Bars,
                        provinces,
                        vec![series("Phản ánh", wave(34, 2.0, 15.0))],
                    ),
                    chart(
                        "hotline_by_status",
                        ChartKind::Columns,
                        texts(
                            [
                                "Tiếp nhận",
                                "Xác minh",
                                "Đã xác minh",
                                "Xử lý",
                                "Đã xử lý",
                                "Đã trả lời",
                                "Đóng",
                            ]
                            .map(String::from),
                        ),
                        vec![series("Vụ việc", wave(7, 10.0, 40.0))],
                    ),
                ],
            },
            Section {
                key: "news",
                figures: figures(&["news_published", "news_shared", "press_briefings"], 298),
                charts: vec![chart(
                    "news_by_month",
                    ChartKind::Columns,
                    months,
                    vec![series("Tin bài", wave(12, 60.0, 20.0))],
                )],
            },
        ],
    }
}

fn heading() -> ReportHeading {
    ReportHeading {
        governing_body: "Bộ Tài nguyên và Môi trường".into(),
        agency: "Tổng cục Môi trường".into(),
        number_and_symbol: "45/BC-TCMT".into(),
        place: "Hà Nội".into(),
        date: chrono::NaiveDate::from_ymd_opt(2021, 1, 5).unwrap_or_default(),
        title: "Tổng kết công tác năm 2020 và triển khai nhiệm vụ năm 2021".into(),
        signer_position: vec!["KT. TỔNG CỤC TRƯỞNG".into(), "PHÓ TỔNG CỤC TRƯỞNG".into()],
        signer_name: "Nguyễn Hưng Thịnh".into(),
        recipients: vec![
            "Bộ trưởng (để báo cáo);".into(),
            "Các đơn vị thuộc Tổng cục;".into(),
            "Lưu: VT, VP.".into(),
        ],
    }
}

fn median(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let size = f();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            black_box(f());
            started.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], size)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let review = review();
    let heading = heading();
    let charts = review.charts().count();
    let figures: usize = review.sections.iter().map(|s| s.figures.len()).sum();
    let (svg, _) = median(|| {
        review
            .charts()
            .map(|chart| report_export::chart_svg(chart, Lang::Vi).len())
            .sum()
    });
    let render = |format: &str| -> Vec<u8> {
        let bytes = match format {
            "PDF" => report_export::pdf(&review, &heading, Lang::Vi),
            "DOCX" => report_export::docx(&review, &heading, Lang::Vi),
            _ => report_export::xlsx(&review, &heading, Lang::Vi),
        };
        bytes.unwrap_or_else(|e| panic!("rendering the {format} failed: {e}"))
    };
    println!("A review of {figures} figures and {charts} charts; median of {RUNS} runs.");
    println!("| figure | target | measured | baseline | ratio |");
    println!("|---|---|---|---|---|");
    for (format, target) in [
        ("PDF", "≤ 2 s more than the review"),
        ("DOCX", "—"),
        ("XLSX", "—"),
    ] {
        let (time, size) = median(|| render(format).len());
        println!(
            "| {format} of a year-end review ({figures} figures, {charts} charts; {} KiB) | {target} | {:.0} ms | the charts' SVG alone: {:.1} ms | {:.0}× |",
            size / 1024,
            ms(time),
            ms(svg),
            time.as_secs_f64() / svg.as_secs_f64().max(1e-9)
        );
        if let Ok(dir) = std::env::var("VANPHONG_BENCH_OUT") {
            let path = std::path::Path::new(&dir).join(format!("review.{}", format.to_lowercase()));
            if let Err(e) = std::fs::write(&path, render(format)) {
                eprintln!("could not write {}: {e}", path.display());
            }
        }
    }
}
