//! Periodic reports: after each week, month and quarter ends, the review of that period
//! (as the whole agency sees it) is rendered as PDF, DOCX and XLSX, the files go into the
//! blob store and the report into the archive. Every node runs [`schedule`]; each run is
//! claimed in the database per (kind, period start), so it happens once whatever the
//! number of nodes, and a failed run is given back so the next attempt retries it.
//! [`generate`] is also what the archive page calls to make a report on demand.
//!
//! The review itself comes from a [`ReviewSource`]: [`StoreReviews`] (the store's
//! computation for the whole agency) unless another was set with
//! `AppState::set_review_source` (tests count and fix their reviews that way).

use super::{format_date, period_title, ExportError, ReportHeading};
use crate::i18n::{t, Lang};
use crate::AppState;
use bytes::Bytes;
use chrono::NaiveDate;
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use vanphong_core::ids::UserId;
use vanphong_core::report::{Period, PeriodKind, Review};
use vanphong_store::audit::Origin;
use vanphong_store::blobs::StoredBlob;
use vanphong_store::report_archive::{self, NewArchivedReport};
use vanphong_store::{jobs, org, StoreError};

/// Where the review of a period comes from: the store's computation in the program, a
/// fixed review in tests.
pub trait ReviewSource: Send + Sync {
    /// The review of `period` as the whole agency sees it (no unit left out).
    fn review(&self, period: Period) -> BoxFuture<'_, anyhow::Result<Review>>;
}

/// The store's review of a period for the whole agency: every unit, every secrecy level
/// counted (reports carry counts and aggregates, never a classified document's content).
pub struct StoreReviews(pub vanphong_store::Db);

impl ReviewSource for StoreReviews {
    fn review(&self, period: Period) -> BoxFuture<'_, anyhow::Result<Review>> {
        Box::pin(async move {
            let scope = vanphong_store::reports::ReportScope::agency(
                UserId(0),
                vanphong_core::auth::Secrecy::TopSecret,
            );
            Ok(vanphong_store::reports::review(&self.0, period, &scope).await?)
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no review source is configured")]
    NoSource,
    #[error("computing the review failed: {0:#}")]
    Review(anyhow::Error),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("rendering was interrupted: {0}")]
    Join(String),
}

/// The three files of one report.
#[derive(Debug)]
pub struct RenderedReport {
    pub pdf: Vec<u8>,
    pub docx: Vec<u8>,
    pub xlsx: Vec<u8>,
}

/// Renders PDF, DOCX and XLSX of `review` on a blocking thread.
pub async fn render_all(
    review: Review,
    heading: ReportHeading,
    lang: Lang,
) -> Result<RenderedReport, ReportError> {
    tokio::task::spawn_blocking(move || -> Result<RenderedReport, ExportError> {
        Ok(RenderedReport {
            pdf: super::pdf(&review, &heading, lang)?,
            docx: super::docx(&review, &heading, lang)?,
            xlsx: super::xlsx(&review, &heading, lang)?,
        })
    })
    .await
    .map_err(|e| ReportError::Join(e.to_string()))?
    .map_err(ReportError::from)
}

/// The heading of an archived report: the agency from its settings, the number left blank
/// for the clerk who issues it, today's date, and the period as the subject.
pub async fn heading_for(
    state: &AppState,
    period: &Period,
    today: NaiveDate,
    lang: Lang,
) -> Result<ReportHeading, ReportError> {
    let agency = org::agency(&state.db).await?;
    let (name, abbreviation, place) = match &agency {
        Some(a) => (a.name.clone(), a.abbreviation.clone(), a.place_name.clone()),
        None => (String::new(), String::new(), String::new()),
    };
    Ok(ReportHeading {
        governing_body: String::new(),
        agency: name,
        number_and_symbol: format!("      /BC-{abbreviation}"),
        place,
        date: today,
        title: t(lang, "report_export.subject").replace("{period}", &period_phrase(period, lang)),
        signer_position: vec![t(lang, "report_export.signer").to_owned()],
        signer_name: String::new(),
        recipients: vec![
            t(lang, "report_export.recipient.leaders").to_owned(),
            t(lang, "report_export.recipient.file").replace("{unit}", &abbreviation),
        ],
    })
}

/// "tháng 11 năm 2026", as it reads inside a sentence.
fn period_phrase(period: &Period, lang: Lang) -> String {
    let title = period_title(period, lang);
    let kind = t(lang, "report_export.title.prefix");
    match title.strip_prefix(kind) {
        Some(rest) => rest.trim().to_owned(),
        None => format!(
            "{} – {}",
            format_date(period.start),
            format_date(period.end)
        ),
    }
}

async fn store_file(state: &AppState, bytes: Vec<u8>) -> Result<StoredBlob, ReportError> {
    let body = futures::stream::iter([Ok::<_, std::convert::Infallible>(Bytes::from(bytes))]);
    Ok(state.blobs.put_stream(body).await?)
}

/// Computes, renders, stores and archives the report of `period`. `by` is the person who
/// asked for it (None for the scheduled job). Returns the archive id, or None when the
/// scheduled report of that period was already archived by another node.
pub async fn generate(
    state: &AppState,
    period: Period,
    origin: &Origin,
    by: Option<UserId>,
    today: NaiveDate,
) -> Result<Option<i64>, ReportError> {
    let source = state.review_source().ok_or(ReportError::NoSource)?;
    // Archived reports are the agency's record: always in Vietnamese.
    let lang = Lang::Vi;
    let review = source.review(period).await.map_err(ReportError::Review)?;
    let heading = heading_for(state, &period, today, lang).await?;
    let files = render_all(review, heading, lang).await?;
    let pdf = store_file(state, files.pdf).await?;
    let docx = store_file(state, files.docx).await?;
    let xlsx = store_file(state, files.xlsx).await?;
    let report = NewArchivedReport {
        period,
        title: period_title(&period, lang),
        generated_by: by,
        pdf,
        docx,
        xlsx,
    };
    Ok(report_archive::record(&state.db, origin, &report).await?)
}

/// What one pass of the job did for one kind of period.
#[derive(Debug)]
pub struct Run {
    pub period: Period,
    /// False when another node (or an earlier pass) had claimed it.
    pub claimed: bool,
    pub report_id: Option<i64>,
}

/// The job's origin in the audit trail.
pub fn job_origin() -> Origin {
    Origin {
        user_id: None,
        label: "scheduler".into(),
        address: String::new(),
    }
}

/// One pass of the job on `today` (Vietnam's date): for each periodic kind, the last
/// period that has ended is generated unless some node claimed it already.
pub async fn run_due(state: &AppState, today: NaiveDate) -> Result<Vec<Run>, ReportError> {
    if state.review_source().is_none() {
        return Err(ReportError::NoSource);
    }
    let mut runs = Vec::new();
    for kind in PeriodKind::PERIODIC {
        let Ok(current) = Period::containing(kind, today) else {
            continue;
        };
        let period = current.previous();
        let job = format!("report.{}", kind.code());
        let run_key = period.start.to_string();
        if !jobs::claim(&state.db, &job, &run_key).await? {
            runs.push(Run {
                period,
                claimed: false,
                report_id: None,
            });
            continue;
        }
        match generate(state, period, &job_origin(), None, today).await {
            Ok(report_id) => {
                jobs::finish(&state.db, &job, &run_key).await?;
                runs.push(Run {
                    period,
                    claimed: true,
                    report_id,
                });
            }
            Err(e) => {
                // Give the run back so that the next pass, on any node, tries again.
                if let Err(release) = jobs::release(&state.db, &job, &run_key).await {
                    tracing::warn!(error = %release, job, run_key, "A failed report run could not be given back.");
                }
                return Err(e);
            }
        }
    }
    Ok(runs)
}

/// Today in Vietnam (UTC+7).
fn vietnam_today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// The background job `vanphong serve` starts: every ten minutes, [`run_due`].
pub async fn schedule(state: AppState) {
    let mut interval = tokio::time::interval(Duration::from_secs(600));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut warned = false;
    loop {
        interval.tick().await;
        match run_due(&state, vietnam_today()).await {
            Ok(runs) => {
                for run in runs.iter().filter(|r| r.report_id.is_some()) {
                    tracing::info!(
                        kind = run.period.kind.code(),
                        start = %run.period.start,
                        end = %run.period.end,
                        report_id = run.report_id,
                        "The periodic report was generated and archived."
                    );
                }
            }
            Err(ReportError::NoSource) => {
                if !warned {
                    tracing::warn!(
                        "No review source is configured; periodic reports wait for one."
                    );
                    warned = true;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "Generating a periodic report failed; the next pass retries.")
            }
        }
    }
}

/// A review source from a closure, for wiring and tests.
pub struct FnReviewSource<F>(pub F);

impl<F> ReviewSource for FnReviewSource<F>
where
    F: Fn(Period) -> BoxFuture<'static, anyhow::Result<Review>> + Send + Sync,
{
    fn review(&self, period: Period) -> BoxFuture<'_, anyhow::Result<Review>> {
        (self.0)(period)
    }
}

/// Shares a source between the state and the caller.
pub type SharedReviewSource = Arc<dyn ReviewSource>;
