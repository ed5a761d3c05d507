//! One error type for every handler, and one place that turns it into a status code.
//!
//! A handler returns `AppError`; its response carries an [`ErrorInfo`] that the context
//! middleware renders as the JSON error shape on `/api/` and `/open311/`, and as a page
//! in the user's language elsewhere.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use vanphong_store::StoreError;

/// A message about one field of a form or request: the field's name and a catalogue key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub key: String,
}

/// The message for a refused piece of free text, beside its field.
pub fn text_error(field: &str, error: vanphong_core::text::TextError) -> FieldError {
    use vanphong_core::text::TextError;
    FieldError::new(
        field,
        match error {
            TextError::Empty => "form.required",
            TextError::TooLong { .. } => "form.too_long",
            TextError::ControlCharacters => "form.control_characters",
        },
    )
}

impl FieldError {
    pub fn new(field: &str, key: &str) -> Self {
        Self {
            field: field.to_owned(),
            key: key.to_owned(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The caller must sign in; pages redirect to the sign-in form with `next`.
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("forbidden")]
    Forbidden,
    #[error("invalid request: {code}")]
    Invalid {
        code: String,
        fields: Vec<FieldError>,
    },
    #[error("conflict: {code}")]
    Conflict { code: String },
    #[error("the upload is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("too many requests")]
    RateLimited,
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What the renderer needs to know about an error.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub status: StatusCode,
    /// A stable machine-readable code, also the catalogue key suffix (`error.CODE`).
    pub code: String,
    pub fields: Vec<FieldError>,
    /// For 5xx: quoted to the user so the log line can be found.
    pub request_id: Option<String>,
    /// For sign-in redirects.
    pub next: Option<String>,
    pub limit: Option<u64>,
}

impl AppError {
    pub fn invalid(code: &str) -> Self {
        Self::Invalid {
            code: code.to_owned(),
            fields: Vec::new(),
        }
    }

    /// A refusal with its own code and a message for one field.
    pub fn field(code: &str, field: &str, key: &str) -> Self {
        Self::Invalid {
            code: code.to_owned(),
            fields: vec![FieldError::new(field, key)],
        }
    }

    pub fn fields(fields: Vec<FieldError>) -> Self {
        Self::Invalid {
            code: "validation".to_owned(),
            fields,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Forbidden => Self::Forbidden,
            StoreError::Stale => Self::Conflict {
                code: "stale".into(),
            },
            StoreError::Conflict { .. } => Self::Conflict {
                code: "duplicate".into(),
            },
            StoreError::Invalid(code) => Self::Invalid {
                code,
                fields: Vec::new(),
            },
            StoreError::TooLarge { limit } => Self::TooLarge { limit },
            e if e.is_unavailable() => Self::Unavailable,
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found".to_owned()),
            Self::SignInRequired { .. } => {
                (StatusCode::UNAUTHORIZED, "sign_in_required".to_owned())
            }
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden".to_owned()),
            Self::Invalid { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code.clone()),
            Self::Conflict { code } => (StatusCode::CONFLICT, code.clone()),
            Self::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large".to_owned()),
            Self::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited".to_owned()),
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable".to_owned()),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal".to_owned()),
        };
        let request_id = match &self {
            Self::Internal(error) => {
                let id = uuid::Uuid::new_v4().simple().to_string();
                tracing::error!(request_id = %id, error = format!("{error:#}"), "A request failed with an internal error.");
                Some(id)
            }
            _ => None,
        };
        let info = ErrorInfo {
            status,
            code,
            fields: match &self {
                Self::Invalid { fields, .. } => fields.clone(),
                _ => Vec::new(),
            },
            request_id,
            next: match &self {
                Self::SignInRequired { next } => Some(next.clone()),
                _ => None,
            },
            limit: match &self {
                Self::TooLarge { limit } => Some(*limit),
                _ => None,
            },
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(info);
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
