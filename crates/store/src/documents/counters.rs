//! Gap-free yearly counters: arrival numbers of incoming documents and the numbers of each
//! outgoing series. The increment happens inside the transaction that uses the number, so
//! a rolled-back registration gives its number back and two clerks never get the same one:
//! on PostgreSQL the counter row is locked until commit; SQLite's write transactions are
//! exclusive.

use crate::db::Tx;
use crate::error::StoreResult;

/// The next value of counter `name` for `year`, starting at 1 each year.
pub async fn next(tx: &mut Tx, name: &str, year: i32) -> StoreResult<i64> {
    let value: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO counters (name, year, last_value) VALUES ($1, $2, 1) \
             ON CONFLICT (name, year) DO UPDATE SET last_value = counters.last_value + 1 \
             RETURNING last_value",
        )
        .bind(name)
        .bind(i64::from(year))
        .fetch_one(&mut *conn)
        .await?
    });
    Ok(value)
}

/// The counter name for arrival numbers.
pub const ARRIVAL: &str = "arrival";

/// The counter name of an outgoing series.
pub fn series(series_id: i64) -> String {
    format!("series:{series_id}")
}
