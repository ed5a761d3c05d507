//! How fast the working calendar counts deadlines: `cargo bench -p vanphong-core --bench calendar`.
//!
//! Plain `std::time::Instant`, no benchmark framework. Each measurement runs the same million
//! (date, working days) pairs five times and keeps the fastest run; the baseline in the same run
//! is chrono adding the same number of calendar days, the cheapest date arithmetic there is.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate};
use vanphong_core::calendar::{tet, CalendarError, WorkingCalendar};

const PAIRS: usize = 1_000_000;
const RUNS: usize = 5;

fn main() -> Result<(), CalendarError> {
    let started = Instant::now();
    let calendar = WorkingCalendar::new(&BTreeMap::new())?;
    println!(
        "built the working calendar for 1900-2100 in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let pairs = sample_pairs();
    let working = fastest_run(|| {
        let mut checksum = 0i64;
        for &(date, working_days) in &pairs {
            if let Ok(deadline) =
                calendar.add_working_days(black_box(date), black_box(working_days))
            {
                checksum += i64::from(deadline.day0());
            }
        }
        checksum
    });
    let baseline = fastest_run(|| {
        let mut checksum = 0i64;
        for &(date, days) in &pairs {
            let days = Days::new(black_box(days).unsigned_abs().into());
            if let Some(later) = black_box(date).checked_add_days(days) {
                checksum += i64::from(later.day0());
            }
        }
        checksum
    });
    let per_second = |elapsed: Duration| PAIRS as f64 / elapsed.as_secs_f64();
    println!(
        "add_working_days (n = 1 to 60): {:>12.0} per second ({:.1} ns each)",
        per_second(working),
        working.as_secs_f64() * 1e9 / PAIRS as f64
    );
    println!(
        "baseline, chrono + n days:      {:>12.0} per second ({:.1} ns each)",
        per_second(baseline),
        baseline.as_secs_f64() * 1e9 / PAIRS as f64
    );
    println!(
        "add_working_days takes {:.2} times as long as the baseline",
        working.as_secs_f64() / baseline.as_secs_f64()
    );

    println!(
        "| add-working-days computations in the domain crate | ≥ 1,000,000/s | {:.0}/s | chrono + n days: {:.0}/s | {:.2}× the baseline's time |",
        per_second(working),
        per_second(baseline),
        working.as_secs_f64() / baseline.as_secs_f64()
    );

    let started = Instant::now();
    let mut checksum = 0i64;
    for year in 1900..=2100 {
        checksum += i64::from(tet(black_box(year))?.day0());
    }
    black_box(checksum);
    println!(
        "tet(year) from the astronomy, for reference: {:.1} µs each",
        started.elapsed().as_secs_f64() * 1e6 / 201.0
    );
    Ok(())
}

/// A million dates spread over 2000–2089 with counts of 1 to 60 working days, from a fixed
/// linear congruential sequence so that every run measures the same work.
fn sample_pairs() -> Vec<(NaiveDate, i32)> {
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    (0..PAIRS)
        .map(|_| {
            let offset = Days::new(next() % (90 * 365));
            let working_days = (next() % 60) as i32 + 1;
            (first + offset, working_days)
        })
        .collect()
}

/// The fastest of several runs of `work`, whose result is kept from the optimiser.
fn fastest_run(mut work: impl FnMut() -> i64) -> Duration {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            black_box(work());
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}
