//! The daily reminders: every open assignment that is overdue or due within the warning
//! window tells its handler (or, without one, its unit's leaders). A reminder's key holds
//! the assignment and the day, and notifications are unique per user and key, so however
//! many nodes run the job, nobody is reminded twice of the same thing on the same day.

use crate::db::Db;
use crate::error::StoreResult;
use crate::{jobs, notifications};
use chrono::NaiveDate;
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::document::deadline::{self, DeadlineState};
use vanphong_core::ids::UserId;

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReminderRun {
    /// False when another node had already claimed today's run.
    pub claimed: bool,
    pub reminders_sent: u64,
}

#[derive(sqlx::FromRow)]
struct OpenAssignment {
    id: i64,
    document_id: i64,
    unit_id: i64,
    handler_user_id: Option<i64>,
    due_date: Option<NaiveDate>,
    number_symbol: Option<String>,
    subject: String,
}

/// Sends today's reminders once. `warning_days` is the due-soon window in working days.
pub async fn run_daily(
    db: &Db,
    today: NaiveDate,
    calendar: &WorkingCalendar,
    warning_days: i32,
) -> StoreResult<ReminderRun> {
    let run_key = today.to_string();
    if !jobs::claim(db, "document_reminders", &run_key).await? {
        return Ok(ReminderRun::default());
    }
    let horizon = calendar
        .add_working_days(today, warning_days)
        .unwrap_or(today);
    let open: Vec<OpenAssignment> = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT a.id, a.document_id, a.unit_id, a.handler_user_id, a.due_date, d.number_symbol, d.subject \
             FROM assignments a JOIN documents d ON d.id = a.document_id \
             WHERE a.status IN ('assigned', 'handler_assigned', 'in_progress') AND a.role <> 'for_information' \
             AND a.due_date IS NOT NULL AND a.due_date <= $1",
        )
        .bind(horizon)
        .fetch_all(pool)
        .await?
    });
    let mut sent = 0;
    for a in open {
        let state = deadline::state(a.due_date, today, warning_days, calendar);
        let kind = match state {
            DeadlineState::Overdue => "reminder.overdue",
            DeadlineState::DueSoon => "reminder.due_soon",
            _ => continue,
        };
        let recipients: Vec<i64> = match a.handler_user_id {
            Some(handler) => vec![handler],
            None => on_pool!(db, pool => {
                sqlx::query_scalar(
                    "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
                     WHERE u.unit_id = $1 AND r.role = 'unit_leader' AND NOT u.disabled",
                )
                .bind(a.unit_id)
                .fetch_all(pool)
                .await?
            }),
        };
        let due = a
            .due_date
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default();
        let title = format!(
            "{} {} — {} (hạn {due})",
            if state == DeadlineState::Overdue {
                "Quá hạn:"
            } else {
                "Sắp đến hạn:"
            },
            a.number_symbol.as_deref().unwrap_or(""),
            a.subject.chars().take(200).collect::<String>()
        );
        for user in recipients {
            let key = format!("{kind}:{}:{run_key}", a.id);
            if notifications::send(
                db,
                UserId(user),
                kind,
                &title,
                &format!("/documents/{}", a.document_id),
                &key,
            )
            .await?
            {
                sent += 1;
            }
        }
    }
    jobs::finish(db, "document_reminders", &run_key).await?;
    Ok(ReminderRun {
        claimed: true,
        reminders_sent: sent,
    })
}
