//! The one error type of the storage layer.

/// What went wrong in storage, in terms the web layer can turn into a status and a message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `constraint` names it ("users.username" on SQLite,
    /// the constraint name on PostgreSQL).
    #[error("conflicts with an existing record ({constraint})")]
    Conflict { constraint: String },
    /// The actor's roles, unit or clearance do not allow this (checked in the store by use
    /// cases that take an actor).
    #[error("not allowed")]
    Forbidden,
    /// Someone else changed the record since it was read.
    #[error("the record was changed by someone else")]
    Stale,
    /// A value broke a domain rule (the message is for people).
    #[error("{0}")]
    Invalid(String),
    /// The database's schema is newer than this binary.
    #[error(
        "the database schema is at version {database}, newer than this program knows ({binary}); \
         upgrade vanphong before using this database"
    )]
    SchemaTooNew { database: i64, binary: i64 },
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// True when this is a uniqueness conflict on a constraint whose name mentions `needle`.
    pub fn is_conflict_on(&self, needle: &str) -> bool {
        matches!(self, Self::Conflict { constraint } if constraint.contains(needle))
    }

    /// True when a reference points at no row (an unknown organisation, unit, province…).
    /// Only this database error is the caller's fault; any other is ours or the network's.
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, Self::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation())
    }

    /// True for connection-level failures (the database is down or unreachable).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Database(
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed,
            ) => true,
            // PostgreSQL shutting down or starting up (class 57: operator intervention) or a
            // broken connection (class 08).
            Self::Database(sqlx::Error::Database(db)) => db
                .code()
                .is_some_and(|code| code.starts_with("57") || code.starts_with("08")),
            _ => false,
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // PostgreSQL names the constraint; SQLite names the columns in its message.
                let constraint = db.constraint().map(str::to_owned).unwrap_or_else(|| {
                    db.message()
                        .trim_start_matches("UNIQUE constraint failed: ")
                        .to_owned()
                });
                Self::Conflict { constraint }
            }
            _ => Self::Database(error),
        }
    }
}
