//! Macros that run the same sqlx code on whichever backend is in use.
//!
//! sqlx's `Any` driver cannot decode PostgreSQL timestamps, so instead of erasing the
//! backend we expand each query twice, once per concrete pool or connection type. The
//! SQL must then be valid on both: `$1` placeholders, `RETURNING`, standard types.

/// Runs `$body` with `$pool` bound to the concrete pool.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(inner) => {
                let $conn = &mut **inner;
                $body
            }
            $crate::db::Tx::Postgres(inner) => {
                let $conn = &mut **inner;
                $body
            }
        }
    };
}
