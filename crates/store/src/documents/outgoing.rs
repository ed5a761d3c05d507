//! Outgoing documents: drafts with versions and review comments, return for changes and
//! approval by the signer, then the number at issue from the configured series, dispatch
//! to our own units (who receive it as an incoming document at once) and to external
//! organisations (recorded), recall and replacement; and the numbering series themselves.
//!
//! Every step is one transaction that checks the document's `version` (a step taken on a
//! stale page is refused with [`StoreError::Stale`]), asks core's `next_status` whether the
//! step is allowed, writes, and appends its audit event.
//!
//! Numbers never repeat and never skip: the series counter is incremented inside the
//! issuing transaction (`counters::next`), which holds the counter row until it commits
//! (a row lock on PostgreSQL; SQLite's write transactions are exclusive). A refused or
//! failed issue rolls back and gives its number back.
//!
//! Locks are always taken in one order, so concurrent steps on several nodes never
//! deadlock: the document's own row, the series counter, other documents' rows (the one
//! being replaced, the incoming copies), the arrival counter, and the audit head last.
//!
//! Until a document is issued, the recipients chosen by the drafter are kept as dispatch
//! rows with the method [`PLANNED`]; issuing turns each into a real dispatch.

use super::incoming::{self, NewIncoming, Sender};
use super::{attach, counters, get_in_tx, link, search_text, Attachment, Document, NewAttachment};
use crate::audit::{self, Change, Origin};
use crate::blobs::StoredBlob;
use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::json;
use vanphong_core::auth::Secrecy;
use vanphong_core::document::kind::{DocumentKind, DocumentType, Urgency};
use vanphong_core::document::numbering::{pick_series, SeriesRule};
use vanphong_core::document::outgoing::{
    next_status, OutgoingStatus, OutgoingStep, SigningAuthority,
};
use vanphong_core::document::symbol::outgoing_symbol;
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::ids::{OrganisationId, UnitId, UserId};
use vanphong_core::text;

/// The dispatch method of a recipient chosen on the draft, not yet sent.
pub const PLANNED: &str = "planned";
/// Delivered inside the system to one of our units, as an incoming document.
pub const ELECTRONIC: &str = "electronic";
/// Sent to an external organisation outside the system (post, mail, the national exchange)
/// and recorded here.
pub const EXTERNAL: &str = "external";

const SUBJECT_MAX: usize = 500;
const NAME_MAX: usize = 200;
const NOTE_MAX: usize = 1000;
const COMMENT_MAX: usize = 4000;

fn invalid(code: &str) -> StoreError {
    StoreError::Invalid(code.to_owned())
}

/// A multi-line text (comment, reason): NFC, trimmed, bounded, no control characters
/// other than line breaks and tabs.
fn paragraph(input: &str, max: usize, empty_code: &str) -> StoreResult<String> {
    let value = text::normalize(&input.replace("\r\n", "\n"));
    if value.is_empty() {
        return Err(invalid(empty_code));
    }
    if value.chars().count() > max {
        return Err(invalid("text_too_long"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(invalid("text_control_characters"));
    }
    Ok(value)
}

fn optional_name(input: &str) -> StoreResult<String> {
    text::optional_line(input, NAME_MAX)
        .map(Option::unwrap_or_default)
        .map_err(|_| invalid("signer_invalid"))
}

/// Who signs and how (thể thức ký).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    pub name: String,
    pub position: String,
    pub authority: SigningAuthority,
}

/// Who the document goes to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipients {
    /// Our own units: each receives the document as incoming at issue.
    pub units: Vec<UnitId>,
    /// Organisations of the directory: the dispatch is recorded at issue.
    pub organisations: Vec<OrganisationId>,
    /// Further lines of "Nơi nhận" written by hand ("Lưu: VT, VP").
    pub note: String,
}

/// A file given as a version of the draft, already in the blob store.
#[derive(Clone, Debug)]
pub struct DraftFile {
    pub blob: StoredBlob,
    pub file_name: String,
}

/// A new draft as the drafter writes it.
#[derive(Clone, Debug)]
pub struct NewDraft {
    /// A code of `DOCUMENT_TYPES` (`cong_van`, `quyet_dinh`, ...).
    pub type_code: String,
    pub subject: String,
    pub drafting_unit: UnitId,
    pub drafter: UserId,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
    /// The intended signer; approval may change it.
    pub signer: Signer,
    pub recipients: Recipients,
    pub copies: Option<i64>,
    /// The document this one answers (linked `reply_to`).
    pub reply_to: Option<i64>,
    /// The first version of the draft, if there is a file already.
    pub first_version: Option<DraftFile>,
}

/// What the records clerk gives at issue.
#[derive(Clone, Debug)]
pub struct IssueInput {
    /// The issue date (today for the caller; numbers restart with each calendar year).
    pub issued_on: NaiveDate,
    /// The signed files (role `main`); without them the last draft version is sent.
    pub signed_files: Vec<DraftFile>,
}

/// A review comment on a draft.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReviewComment {
    pub id: i64,
    pub document_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub draft_version: Option<i64>,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

/// A recipient of the document: planned on the draft, then sent at issue.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Dispatch {
    pub id: i64,
    pub document_id: i64,
    pub recipient_unit_id: Option<i64>,
    pub recipient_organisation_id: Option<i64>,
    /// The unit's or the organisation's name.
    pub recipient_name: String,
    /// For our own units: the incoming document created for them, and its arrival number.
    pub incoming_document_id: Option<i64>,
    pub arrival_number: Option<i64>,
    pub sent_at: DateTime<Utc>,
    pub method: String,
    pub recalled_at: Option<DateTime<Utc>>,
}

impl Dispatch {
    /// True while the document is not issued: the recipient is only chosen.
    pub fn is_planned(&self) -> bool {
        self.method == PLANNED
    }
}

/// The status of an outgoing document as stored.
pub fn status_of(document: &Document) -> Option<OutgoingStatus> {
    OutgoingStatus::parse(&document.status)
}

// ----- Reading -----

/// The versions of the draft (attachments with role `draft`), oldest first.
pub async fn versions(db: &Db, document_id: i64) -> StoreResult<Vec<Attachment>> {
    let mut all = super::attachments(db, document_id).await?;
    all.retain(|a| a.role == "draft");
    all.sort_by_key(|a| (a.draft_version, a.id));
    Ok(all)
}

pub async fn comments(db: &Db, document_id: i64) -> StoreResult<Vec<ReviewComment>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT c.id, c.document_id, c.user_id, u.full_name AS user_name, c.draft_version, c.comment, c.created_at \
             FROM review_comments c JOIN users u ON u.id = c.user_id WHERE c.document_id = $1 ORDER BY c.id",
        )
        .bind(document_id)
        .fetch_all(pool)
        .await?
    }))
}

const DISPATCH_SELECT: &str = "SELECT p.id, p.document_id, p.recipient_unit_id, p.recipient_organisation_id, \
    COALESCE(un.name, o.name, '') AS recipient_name, p.incoming_document_id, inc.arrival_number, p.sent_at, p.method, \
    p.recalled_at FROM dispatches p LEFT JOIN units un ON un.id = p.recipient_unit_id \
    LEFT JOIN organisations o ON o.id = p.recipient_organisation_id \
    LEFT JOIN documents inc ON inc.id = p.incoming_document_id";

/// The recipients of a document: planned ones before issue, dispatches after.
pub async fn dispatches(db: &Db, document_id: i64) -> StoreResult<Vec<Dispatch>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(&format!("{DISPATCH_SELECT} WHERE p.document_id = $1 ORDER BY p.id"))
            .bind(document_id)
            .fetch_all(pool)
            .await?
    }))
}

async fn dispatches_in_tx(tx: &mut Tx, document_id: i64) -> StoreResult<Vec<Dispatch>> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_as(&format!("{DISPATCH_SELECT} WHERE p.document_id = $1 ORDER BY p.id"))
            .bind(document_id)
            .fetch_all(&mut *conn)
            .await?
    }))
}

// ----- Small pieces shared by the steps -----

/// Loads the document for a step: it must be outgoing and still at `expected_version`.
async fn load(tx: &mut Tx, id: i64, expected_version: i64) -> StoreResult<Document> {
    let document = get_in_tx(tx, id).await?;
    if document.direction != "outgoing" {
        return Err(invalid("not_outgoing"));
    }
    if document.version != expected_version {
        return Err(StoreError::Stale);
    }
    Ok(document)
}

/// The status after `step`, or the refusal of core's state machine.
fn step_from(document: &Document, step: OutgoingStep) -> StoreResult<OutgoingStatus> {
    let current = status_of(document).ok_or_else(|| invalid("invalid_transition"))?;
    next_status(current, step).map_err(|_| invalid("invalid_transition"))
}

/// Takes the document's row: sets its status and version, or refuses if someone else
/// changed it first. Done before anything else is written, so a concurrent step fails
/// here rather than after writing its rows.
async fn claim(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    status: OutgoingStatus,
) -> StoreResult<()> {
    let changed = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE documents SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(status.code())
        .bind(crate::now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

async fn record(
    tx: &mut Tx,
    origin: &Origin,
    action: &str,
    before: Option<&Document>,
    after: &Document,
    details: serde_json::Value,
) -> StoreResult<()> {
    audit::append(
        tx,
        origin,
        Change {
            action,
            object_kind: "document",
            object_id: after.id.to_string(),
            before: before.map(Document::snapshot),
            after: Some(after.snapshot()),
            details,
        },
    )
    .await?;
    Ok(())
}

/// An in-app notification linking to `link`, in the caller's transaction.
async fn notify(tx: &mut Tx, user: i64, kind: &str, title: &str, link: &str) -> StoreResult<()> {
    let title: String = title.chars().take(300).collect();
    let now = crate::now();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO notifications (user_id, kind, title, link, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (user_id, dedupe_key) DO NOTHING",
        )
        .bind(user)
        .bind(kind)
        .bind(&title)
        .bind(link)
        .bind(format!("{kind}:{link}:{}", now.timestamp_micros()))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

fn page_link(id: i64) -> String {
    format!("/documents/outgoing/{id}")
}

fn title_of(document: &Document) -> String {
    match &document.number_symbol {
        Some(number) => format!("{number} — {}", document.subject),
        None => document.subject.clone(),
    }
}

/// Active users holding `role`, optionally only in `unit`.
async fn users_with_role(tx: &mut Tx, role: &str, unit: Option<i64>) -> StoreResult<Vec<i64>> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_scalar(
            "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.role = $1 AND ($2 IS NULL OR u.unit_id = $2) AND NOT u.disabled ORDER BY u.id",
        )
        .bind(role)
        .bind(unit)
        .fetch_all(&mut *conn)
        .await?
    }))
}

async fn unit_in_tx(tx: &mut Tx, id: i64) -> StoreResult<Option<(String, String, bool)>> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_as("SELECT name, abbreviation, active FROM units WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    }))
}

async fn organisation_name(tx: &mut Tx, id: i64) -> StoreResult<Option<String>> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    }))
}

/// The highest draft version so far (0 when there is none).
async fn last_version(tx: &mut Tx, id: i64) -> StoreResult<i64> {
    let last: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "SELECT MAX(draft_version) FROM document_attachments WHERE document_id = $1 AND role = 'draft'",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?
    });
    Ok(last.unwrap_or(0))
}

async fn add_review_comment(
    tx: &mut Tx,
    document_id: i64,
    user: UserId,
    comment: &str,
) -> StoreResult<i64> {
    let version = last_version(tx, document_id).await?;
    Ok(on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO review_comments (document_id, user_id, draft_version, comment, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(document_id)
        .bind(user.0)
        .bind((version > 0).then_some(version))
        .bind(comment)
        .bind(crate::now())
        .fetch_one(&mut *conn)
        .await?
    }))
}

/// Writes the planned recipients of a draft and returns the "Nơi nhận" text.
async fn plan_recipients(
    tx: &mut Tx,
    document_id: i64,
    recipients: &Recipients,
) -> StoreResult<String> {
    let mut names = Vec::new();
    let mut units = recipients.units.clone();
    units.sort();
    units.dedup();
    let mut organisations = recipients.organisations.clone();
    organisations.sort();
    organisations.dedup();
    let now = crate::now();
    for unit in units {
        let (name, _, _) = unit_in_tx(tx, unit.0)
            .await?
            .ok_or_else(|| invalid("unknown_recipient"))?;
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO dispatches (document_id, recipient_unit_id, sent_at, method) VALUES ($1, $2, $3, $4)",
            )
            .bind(document_id)
            .bind(unit.0)
            .bind(now)
            .bind(PLANNED)
            .execute(&mut *conn)
            .await?;
        });
        names.push(name);
    }
    for organisation in organisations {
        let name = organisation_name(tx, organisation.0)
            .await?
            .ok_or_else(|| invalid("unknown_recipient"))?;
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO dispatches (document_id, recipient_organisation_id, sent_at, method) VALUES ($1, $2, $3, $4)",
            )
            .bind(document_id)
            .bind(organisation.0)
            .bind(now)
            .bind(PLANNED)
            .execute(&mut *conn)
            .await?;
        });
        names.push(name);
    }
    let note = text::normalize(&recipients.note);
    if note.chars().count() > NOTE_MAX {
        return Err(invalid("text_too_long"));
    }
    if !note.is_empty() {
        names.push(note);
    }
    Ok(names.join("; "))
}

fn draft_attachment(file: &DraftFile, version: i64) -> NewAttachment {
    NewAttachment {
        blob: file.blob.clone(),
        file_name: text::normalize(&file.file_name),
        role: "draft",
        draft_version: Some(version),
    }
}

// ----- Drafting and review -----

/// Creates a draft with its planned recipients (and its first version, if given).
pub async fn create_draft(db: &Db, origin: &Origin, new: &NewDraft) -> StoreResult<Document> {
    let doc_type = DocumentType::by_code(&new.type_code).map_err(|_| invalid("unknown_type"))?;
    let subject = text::required_line(&new.subject, SUBJECT_MAX).map_err(|e| match e {
        text::TextError::Empty => invalid("subject_required"),
        _ => invalid("subject_invalid"),
    })?;
    let signer_name = optional_name(&new.signer.name)?;
    let signer_position = optional_name(&new.signer.position)?;
    if new.copies.is_some_and(|c| !(1..=100_000).contains(&c)) {
        return Err(invalid("copies_out_of_range"));
    }
    let mut tx = db.begin().await?;
    match unit_in_tx(&mut tx, new.drafting_unit.0).await? {
        Some((_, _, true)) => {}
        _ => return Err(invalid("unknown_unit")),
    }
    if let Some(reply_to) = new.reply_to {
        let found: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar("SELECT id FROM documents WHERE id = $1").bind(reply_to).fetch_optional(&mut *conn).await?
        });
        if found.is_none() {
            return Err(invalid("unknown_reply_to"));
        }
    }
    let now = crate::now();
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO documents (direction, kind, type_code, subject, urgency, secrecy, signer_name, signer_position, \
             signing_authority, status, owner_unit_id, drafter_user_id, copies, search_text, created_by, created_at, updated_at) \
             VALUES ('outgoing', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
        )
        .bind(DocumentKind::Ordinary.code())
        .bind(doc_type.code)
        .bind(&subject)
        .bind(new.urgency.rank())
        .bind(i64::from(new.secrecy.rank()))
        .bind(&signer_name)
        .bind(&signer_position)
        .bind(new.signer.authority.code())
        .bind(OutgoingStatus::Draft.code())
        .bind(new.drafting_unit.0)
        .bind(new.drafter.0)
        .bind(new.copies)
        .bind(search_text(&subject, None, ""))
        .bind(origin.user_id.map(|u| u.0))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    let recipients_text = plan_recipients(&mut tx, id, &new.recipients).await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE documents SET recipients_text = $1 WHERE id = $2")
            .bind(&recipients_text)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    });
    if let Some(file) = &new.first_version {
        attach(&mut tx, id, origin.user_id, &[draft_attachment(file, 1)]).await?;
    }
    if let Some(reply_to) = new.reply_to {
        link(&mut tx, id, reply_to, "reply_to").await?;
    }
    crate::search::documents::index_document(&mut tx, id).await?;
    let after = get_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        origin,
        "document.create_draft",
        None,
        &after,
        json!({"type_code": doc_type.code, "reply_to": new.reply_to,
               "recipient_units": new.recipients.units.iter().map(|u| u.0).collect::<Vec<_>>(),
               "recipient_organisations": new.recipients.organisations.iter().map(|o| o.0).collect::<Vec<_>>(),
               "first_version": new.first_version.as_ref().map(|f| &f.blob.sha256)}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Adds a new version of the draft file (version n + 1); only while the draft is with
/// the drafter (draft or returned).
pub async fn add_version(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    file: &DraftFile,
) -> StoreResult<Document> {
    let mut tx = db.begin().await?;
    let before = load(&mut tx, id, expected_version).await?;
    let status = step_from(&before, OutgoingStep::Revise)?;
    claim(&mut tx, id, expected_version, status).await?;
    let version = last_version(&mut tx, id).await? + 1;
    attach(
        &mut tx,
        id,
        origin.user_id,
        &[draft_attachment(file, version)],
    )
    .await?;
    crate::search::documents::index_document(&mut tx, id).await?;
    let after = get_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        origin,
        "document.add_version",
        Some(&before),
        &after,
        json!({"draft_version": version, "file_name": file.file_name, "sha256": file.blob.sha256}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A reviewer's comment on the current version. Allowed until the document is issued;
/// refused if the draft changed since the reviewer read it.
pub async fn comment(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    user: UserId,
    body: &str,
) -> StoreResult<ReviewComment> {
    let body = paragraph(body, COMMENT_MAX, "comment_required")?;
    let mut tx = db.begin().await?;
    let document = load(&mut tx, id, expected_version).await?;
    if !matches!(
        status_of(&document),
        Some(
            OutgoingStatus::Draft
                | OutgoingStatus::InReview
                | OutgoingStatus::Returned
                | OutgoingStatus::Approved
        )
    ) {
        return Err(invalid("invalid_transition"));
    }
    let comment_id = add_review_comment(&mut tx, id, user, &body).await?;
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "document.comment",
            object_kind: "document",
            object_id: id.to_string(),
            before: None,
            after: None,
            details: json!({"comment_id": comment_id, "user_id": user.0}),
        },
    )
    .await?;
    if let Some(drafter) = document.drafter_user_id.filter(|d| *d != user.0) {
        notify(
            &mut tx,
            drafter,
            "document.commented",
            &title_of(&document),
            &page_link(id),
        )
        .await?;
    }
    let comment: ReviewComment = on_tx!(&mut tx, conn => {
        sqlx::query_as(
            "SELECT c.id, c.document_id, c.user_id, u.full_name AS user_name, c.draft_version, c.comment, c.created_at \
             FROM review_comments c JOIN users u ON u.id = c.user_id WHERE c.id = $1",
        )
        .bind(comment_id)
        .fetch_one(&mut *conn)
        .await?
    });
    tx.commit().await?;
    Ok(comment)
}

/// Sends the draft for review, to `reviewer` if named (who is told).
pub async fn submit_for_review(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    reviewer: Option<UserId>,
) -> StoreResult<Document> {
    let mut tx = db.begin().await?;
    let before = load(&mut tx, id, expected_version).await?;
    let status = step_from(&before, OutgoingStep::SubmitForReview)?;
    if last_version(&mut tx, id).await? == 0 {
        return Err(invalid("no_draft_version"));
    }
    claim(&mut tx, id, expected_version, status).await?;
    if let Some(reviewer) = reviewer {
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE documents SET leader_user_id = $1 WHERE id = $2")
                .bind(reviewer.0)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(|e| match StoreError::from(e) {
                    e if e.is_foreign_key_violation() => invalid("unknown_reviewer"),
                    other => other,
                })?;
        });
        notify(
            &mut tx,
            reviewer.0,
            "document.review_requested",
            &title_of(&before),
            &page_link(id),
        )
        .await?;
    }
    let after = get_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        origin,
        "document.submit_for_review",
        Some(&before),
        &after,
        json!({"reviewer_user_id": reviewer.map(|r| r.0)}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sends the draft back to the drafter; the comment saying why is required.
pub async fn return_for_changes(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    user: UserId,
    comment: &str,
) -> StoreResult<Document> {
    let comment = paragraph(comment, COMMENT_MAX, "comment_required")?;
    let mut tx = db.begin().await?;
    let before = load(&mut tx, id, expected_version).await?;
    let status = step_from(&before, OutgoingStep::ReturnForChanges)?;
    claim(&mut tx, id, expected_version, status).await?;
    let comment_id = add_review_comment(&mut tx, id, user, &comment).await?;
    if let Some(drafter) = before.drafter_user_id {
        notify(
            &mut tx,
            drafter,
            "document.returned",
            &title_of(&before),
            &page_link(id),
        )
        .await?;
    }
    let after = get_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        origin,
        "document.return_for_changes",
        Some(&before),
        &after,
        json!({"comment_id": comment_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The signer approves and signs: records who signed, in which position and with which
/// authority (TM., KT., TL., TUQ., Q.). The records clerks are told it awaits its number.
pub async fn approve(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    approver: UserId,
    signer: &Signer,
) -> StoreResult<Document> {
    let name = optional_name(&signer.name)?;
    if name.is_empty() {
        return Err(invalid("signer_required"));
    }
    let position = optional_name(&signer.position)?;
    let mut tx = db.begin().await?;
    let before = load(&mut tx, id, expected_version).await?;
    let status = step_from(&before, OutgoingStep::Approve)?;
    claim(&mut tx, id, expected_version, status).await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE documents SET signer_name = $1, signer_position = $2, signing_authority = $3, leader_user_id = $4 \
             WHERE id = $5",
        )
        .bind(&name)
        .bind(&position)
        .bind(signer.authority.code())
        .bind(approver.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    });
    let mut told = users_with_role(&mut tx, "records_clerk", None).await?;
    told.extend(before.drafter_user_id);
    told.sort();
    told.dedup();
    for user in told {
        notify(
            &mut tx,
            user,
            "document.approved",
            &title_of(&before),
            &page_link(id),
        )
        .await?;
    }
    let after = get_in_tx(&mut tx, id).await?;
    record(
        &mut tx,
        origin,
        "document.approve",
        Some(&before),
        &after,
        json!({"approver_user_id": approver.0, "signer_name": name, "signer_position": position,
               "signing_authority": signer.authority.code()}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ----- Issue, dispatch, recall, replacement -----

async fn series_rules(tx: &mut Tx) -> StoreResult<Vec<SeriesRule>> {
    let rows: Vec<(i64, bool, String)> = on_tx!(tx, conn => {
        sqlx::query_as("SELECT id, secret, type_codes FROM numbering_series WHERE active ORDER BY id")
            .fetch_all(&mut *conn)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, secret, codes)| SeriesRule {
            id,
            secret,
            type_codes: split_codes(&codes),
        })
        .collect())
}

fn split_codes(codes: &str) -> Vec<String> {
    codes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Gives the approved document its number and symbol in its series for the year of
/// `issued_on`, registers the issue, and dispatches it in the same transaction: each of
/// our recipient units receives it as an incoming document with its own arrival number,
/// each organisation's dispatch is recorded. If the document replaces an earlier one,
/// that one is marked as replaced.
pub async fn issue(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    input: &IssueInput,
) -> StoreResult<Document> {
    let mut tx = db.begin().await?;
    let before = load(&mut tx, id, expected_version).await?;
    let status = step_from(&before, OutgoingStep::Issue)?;
    let doc_type = DocumentType::by_code(&before.type_code).map_err(|_| invalid("unknown_type"))?;
    let agency: Option<String> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("SELECT abbreviation FROM agency WHERE id = 1").fetch_optional(&mut *conn).await?
    });
    let agency = agency.ok_or_else(|| invalid("agency_not_configured"))?;
    let drafting_unit = before
        .owner_unit_id
        .ok_or_else(|| invalid("unknown_unit"))?;
    let (_, unit_abbreviation, _) = unit_in_tx(&mut tx, drafting_unit)
        .await?
        .ok_or_else(|| invalid("unknown_unit"))?;
    let rules = series_rules(&mut tx).await?;
    let series_id =
        pick_series(&rules, doc_type.code, before.secrecy()).map_err(|_| invalid("no_series"))?;
    let secret_series = rules.iter().any(|r| r.id == series_id && r.secret);

    // The document's row first, then the series counter: see the module's lock order.
    claim(&mut tx, id, expected_version, status).await?;
    let year = input.issued_on.year();
    let number = counters::next(&mut tx, &counters::series(series_id), year).await?;
    let number_symbol = NumberAndSymbol {
        number: u32::try_from(number)
            .ok()
            .filter(|n| *n <= 999_999)
            .ok_or_else(|| invalid("series_exhausted"))?,
        symbol: outgoing_symbol(doc_type, &agency, &unit_abbreviation),
    };
    // The same number and symbol may not be issued twice in a year (it could happen only
    // if an administrator moved a type to another series during the year). Secret
    // documents are numbered and registered apart, so they are compared among themselves.
    let clash: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM documents d JOIN numbering_series s ON s.id = d.series_id \
             WHERE d.direction = 'outgoing' AND d.issue_year = $1 AND d.duplicate_key = $2 AND s.secret = $3 AND d.id <> $4",
        )
        .bind(i64::from(year))
        .bind(number_symbol.duplicate_key())
        .bind(secret_series)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?
    });
    if clash > 0 {
        return Err(invalid("duplicate_number_symbol"));
    }
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE documents SET number = $1, symbol = $2, number_symbol = $3, duplicate_key = $4, series_id = $5, \
             issue_year = $6, issued_on = $7, document_date = $7, search_text = $8 WHERE id = $9",
        )
        .bind(number)
        .bind(&number_symbol.symbol)
        .bind(number_symbol.to_string())
        .bind(number_symbol.duplicate_key())
        .bind(series_id)
        .bind(i64::from(year))
        .bind(input.issued_on)
        .bind(search_text(&before.subject, Some(&number_symbol), ""))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    });

    // Documents this one replaces: marked before any audit event takes the audit head.
    let replaced_ids: Vec<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("SELECT related_id FROM document_links WHERE document_id = $1 AND kind = 'replaces' ORDER BY related_id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
    });
    let mut replaced = Vec::new();
    for old_id in replaced_ids {
        let old = get_in_tx(&mut tx, old_id).await?;
        let note = append_note(
            &old.notes,
            &format!(
                "Đã được thay thế bằng văn bản số {} ngày {}.",
                number_symbol,
                input.issued_on.format("%d/%m/%Y")
            ),
        );
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE documents SET notes = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(&note)
                .bind(crate::now())
                .bind(old_id)
                .execute(&mut *conn)
                .await?;
        });
        let old_after = get_in_tx(&mut tx, old_id).await?;
        replaced.push((old, old_after));
    }

    let mut signed = Vec::new();
    for file in &input.signed_files {
        signed.push(NewAttachment {
            blob: file.blob.clone(),
            file_name: text::normalize(&file.file_name),
            role: "main",
            draft_version: None,
        });
    }
    attach(&mut tx, id, origin.user_id, &signed).await?;
    crate::search::documents::index_document(&mut tx, id).await?;
    let sent_files = files_to_send(&mut tx, id, &signed).await?;

    let planned = dispatches_in_tx(&mut tx, id).await?;
    let now = crate::now();
    let mut units_sent = Vec::new();
    let mut organisations_sent = Vec::new();
    for dispatch in planned.iter().filter(|d| d.is_planned()) {
        if let Some(unit) = dispatch.recipient_unit_id {
            let incoming = incoming::register_in_tx(
                &mut tx,
                origin,
                &NewIncoming {
                    kind: DocumentKind::Ordinary,
                    type_code: doc_type.code.to_owned(),
                    number_symbol: number_symbol.clone(),
                    document_date: Some(input.issued_on),
                    subject: before.subject.clone(),
                    pages: None,
                    urgency: before.urgency(),
                    secrecy: before.secrecy(),
                    signer_name: before.signer_name.clone(),
                    sender: Sender::Unit(UnitId(drafting_unit)),
                    arrival_date: input.issued_on,
                    receiving_unit: Some(UnitId(unit)),
                    due_date: None,
                    petition_source: None,
                    deputy_name: String::new(),
                    notes: String::new(),
                    attachments: sent_files.clone(),
                },
            )
            .await?;
            on_tx!(&mut tx, conn => {
                sqlx::query("UPDATE dispatches SET incoming_document_id = $1, sent_at = $2, method = $3 WHERE id = $4")
                    .bind(incoming.id)
                    .bind(now)
                    .bind(ELECTRONIC)
                    .bind(dispatch.id)
                    .execute(&mut *conn)
                    .await?;
            });
            for leader in users_with_role(&mut tx, "unit_leader", Some(unit)).await? {
                notify(
                    &mut tx,
                    leader,
                    "document.arrived",
                    &title_of(&incoming),
                    &format!("/documents/{}", incoming.id),
                )
                .await?;
            }
            units_sent.push(json!({"unit_id": unit, "incoming_document_id": incoming.id,
                                   "arrival_number": incoming.arrival_number}));
        } else {
            on_tx!(&mut tx, conn => {
                sqlx::query("UPDATE dispatches SET sent_at = $1, method = $2 WHERE id = $3")
                    .bind(now)
                    .bind(EXTERNAL)
                    .bind(dispatch.id)
                    .execute(&mut *conn)
                    .await?;
            });
            organisations_sent.extend(dispatch.recipient_organisation_id);
        }
    }

    let after = get_in_tx(&mut tx, id).await?;
    for (old, old_after) in &replaced {
        record(
            &mut tx,
            origin,
            "document.replaced",
            Some(old),
            old_after,
            json!({"replaced_by": id, "number_symbol": after.number_symbol}),
        )
        .await?;
    }
    record(
        &mut tx,
        origin,
        "document.issue",
        Some(&before),
        &after,
        json!({"series_id": series_id, "year": year, "number": number, "number_symbol": after.number_symbol,
               "issued_on": input.issued_on, "signed_files": input.signed_files.len(),
               "dispatched_units": units_sent, "dispatched_organisations": organisations_sent}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The files our recipient units receive: the signed files if there are any, else the
/// last draft version.
async fn files_to_send(
    tx: &mut Tx,
    id: i64,
    signed: &[NewAttachment],
) -> StoreResult<Vec<NewAttachment>> {
    if !signed.is_empty() {
        return Ok(signed.to_vec());
    }
    let last: Option<(String, i64, String, String)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT sha256, size, content_type, file_name FROM document_attachments \
             WHERE document_id = $1 AND role = 'draft' ORDER BY draft_version DESC, id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    });
    Ok(last
        .map(|(sha256, size, content_type, file_name)| NewAttachment {
            blob: StoredBlob {
                sha256,
                size,
                content_type,
            },
            file_name,
            role: "main",
            draft_version: None,
        })
        .into_iter()
        .collect())
}

fn append_note(notes: &str, line: &str) -> String {
    if notes.trim().is_empty() {
        line.to_owned()
    } else {
        format!("{notes}\n{line}")
    }
}

/// Recalls an issued document (Decree 30, art. 18): the dispatches are marked recalled,
/// each of our units' incoming copies gets a note, and the people working on them (the
/// unit's leaders, the leader it was put before, the handlers) are told to cancel it.
pub async fn recall(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    reason: &str,
) -> StoreResult<Document> {
    let reason = paragraph(reason, NOTE_MAX, "recall_reason_required")?;
    let mut tx = db.begin().await?;
    let before = load(&mut tx, id, expected_version).await?;
    let status = step_from(&before, OutgoingStep::Recall)?;
    claim(&mut tx, id, expected_version, status).await?;
    let now = crate::now();
    let today = now
        .with_timezone(&crate::vietnam())
        .format("%d/%m/%Y")
        .to_string();
    let line = format!("Thu hồi ngày {today}. Lý do: {reason}");
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE documents SET notes = $1 WHERE id = $2")
            .bind(append_note(&before.notes, &line))
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE dispatches SET recalled_at = $1 WHERE document_id = $2 AND recalled_at IS NULL AND method <> $3")
            .bind(now)
            .bind(id)
            .bind(PLANNED)
            .execute(&mut *conn)
            .await?;
    });
    let copy_ids: Vec<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "SELECT incoming_document_id FROM dispatches WHERE document_id = $1 AND incoming_document_id IS NOT NULL ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    });
    let copy_line = format!(
        "Văn bản đã bị bên gửi thu hồi ngày {today}; đề nghị hủy bỏ văn bản này. Lý do: {reason}"
    );
    let mut copies = Vec::new();
    for copy_id in copy_ids {
        let copy = get_in_tx(&mut tx, copy_id).await?;
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE documents SET notes = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(append_note(&copy.notes, &copy_line))
                .bind(now)
                .bind(copy_id)
                .execute(&mut *conn)
                .await?;
        });
        let mut told: Vec<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(
                "SELECT handler_user_id FROM assignments WHERE document_id = $1 AND handler_user_id IS NOT NULL",
            )
            .bind(copy_id)
            .fetch_all(&mut *conn)
            .await?
        });
        if let Some(unit) = copy.owner_unit_id {
            told.extend(users_with_role(&mut tx, "unit_leader", Some(unit)).await?);
        }
        told.extend(copy.leader_user_id);
        told.sort();
        told.dedup();
        for user in told {
            notify(
                &mut tx,
                user,
                "document.recalled",
                &title_of(&copy),
                &format!("/documents/{copy_id}"),
            )
            .await?;
        }
        let copy_after = get_in_tx(&mut tx, copy_id).await?;
        copies.push((copy, copy_after));
    }
    let after = get_in_tx(&mut tx, id).await?;
    for (copy, copy_after) in &copies {
        record(
            &mut tx,
            origin,
            "document.recalled_by_sender",
            Some(copy),
            copy_after,
            json!({"outgoing_document_id": id, "reason": reason}),
        )
        .await?;
    }
    record(
        &mut tx,
        origin,
        "document.recall",
        Some(&before),
        &after,
        json!({"reason": reason, "incoming_copies": copies.iter().map(|(c, _)| c.id).collect::<Vec<_>>()}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Starts a replacing document (errors of content are fixed by a document of the same
/// form that replaces it): a new draft with the same type, subject, unit, signer and
/// recipients, linked `replaces` to the issued (or recalled) one. When it is issued, the
/// old document is marked as replaced.
pub async fn replace(
    db: &Db,
    origin: &Origin,
    id: i64,
    expected_version: i64,
    drafter: UserId,
) -> StoreResult<Document> {
    let mut tx = db.begin().await?;
    let old = load(&mut tx, id, expected_version).await?;
    let old_status = status_of(&old);
    if !matches!(
        old_status,
        Some(OutgoingStatus::Issued | OutgoingStatus::Recalled)
    ) {
        return Err(invalid("invalid_transition"));
    }
    // Taking the old document's version makes a second click fail instead of starting a
    // second replacement.
    claim(
        &mut tx,
        id,
        expected_version,
        old_status.unwrap_or(OutgoingStatus::Issued),
    )
    .await?;
    let now = crate::now();
    let new_id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO documents (direction, kind, type_code, subject, urgency, secrecy, signer_name, signer_position, \
             signing_authority, status, owner_unit_id, drafter_user_id, copies, recipients_text, search_text, created_by, \
             created_at, updated_at) \
             VALUES ('outgoing', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
        )
        .bind(&old.kind)
        .bind(&old.type_code)
        .bind(&old.subject)
        .bind(old.urgency)
        .bind(old.secrecy)
        .bind(&old.signer_name)
        .bind(&old.signer_position)
        .bind(&old.signing_authority)
        .bind(OutgoingStatus::Draft.code())
        .bind(old.owner_unit_id)
        .bind(drafter.0)
        .bind(old.copies)
        .bind(&old.recipients_text)
        .bind(search_text(&old.subject, None, ""))
        .bind(origin.user_id.map(|u| u.0))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO dispatches (document_id, recipient_unit_id, recipient_organisation_id, sent_at, method) \
             SELECT $1, recipient_unit_id, recipient_organisation_id, $2, $3 FROM dispatches WHERE document_id = $4 ORDER BY id",
        )
        .bind(new_id)
        .bind(now)
        .bind(PLANNED)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    });
    link(&mut tx, new_id, id, "replaces").await?;
    crate::search::documents::index_document(&mut tx, new_id).await?;
    let old_after = get_in_tx(&mut tx, id).await?;
    let created = get_in_tx(&mut tx, new_id).await?;
    record(
        &mut tx,
        origin,
        "document.replacement_started",
        Some(&old),
        &old_after,
        json!({"replacement_id": new_id}),
    )
    .await?;
    record(
        &mut tx,
        origin,
        "document.create_draft",
        None,
        &created,
        json!({"replaces": id}),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

// ----- Numbering series -----

/// A numbering series as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub id: i64,
    pub name: String,
    /// Numbers documents above normal secrecy.
    pub secret: bool,
    /// Type codes it numbers; empty means every type no other series claims.
    pub type_codes: Vec<String>,
    pub active: bool,
}

impl Series {
    pub fn rule(&self) -> SeriesRule {
        SeriesRule {
            id: self.id,
            secret: self.secret,
            type_codes: self.type_codes.clone(),
        }
    }

    fn snapshot(&self) -> serde_json::Value {
        json!({"id": self.id, "name": self.name, "secret": self.secret, "type_codes": self.type_codes,
               "active": self.active})
    }
}

/// A series as an administrator submits it.
#[derive(Clone, Debug)]
pub struct SeriesInput {
    pub name: String,
    pub secret: bool,
    pub type_codes: Vec<String>,
    pub active: bool,
}

/// A series with its counter for one year.
#[derive(Clone, Debug)]
pub struct SeriesCounter {
    pub series: Series,
    pub year: i32,
    /// The last number given this year, if any.
    pub last_number: Option<i64>,
    /// How many documents carry a number of this series this year (equal to
    /// `last_number` when nothing is missing).
    pub issued: i64,
}

#[derive(sqlx::FromRow)]
struct SeriesRow {
    id: i64,
    name: String,
    secret: bool,
    type_codes: String,
    active: bool,
}

impl From<SeriesRow> for Series {
    fn from(r: SeriesRow) -> Self {
        Series {
            id: r.id,
            name: r.name,
            secret: r.secret,
            type_codes: split_codes(&r.type_codes),
            active: r.active,
        }
    }
}

const SERIES_SELECT: &str = "SELECT id, name, secret, type_codes, active FROM numbering_series";

pub async fn all_series(db: &Db) -> StoreResult<Vec<Series>> {
    let rows: Vec<SeriesRow> = on_pool!(db, pool => {
        sqlx::query_as(&format!("{SERIES_SELECT} ORDER BY id")).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn series(db: &Db, id: i64) -> StoreResult<Series> {
    let row: SeriesRow = on_pool!(db, pool => {
        sqlx::query_as(&format!("{SERIES_SELECT} WHERE id = $1")).bind(id).fetch_one(pool).await?
    });
    Ok(row.into())
}

async fn all_series_in_tx(tx: &mut Tx) -> StoreResult<Vec<Series>> {
    let rows: Vec<SeriesRow> = on_tx!(tx, conn => {
        sqlx::query_as(&format!("{SERIES_SELECT} ORDER BY id")).fetch_all(&mut *conn).await?
    });
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every series with its counter for `year`.
pub async fn series_counters(db: &Db, year: i32) -> StoreResult<Vec<SeriesCounter>> {
    let mut out = Vec::new();
    for series in all_series(db).await? {
        let (last, issued): (Option<i64>, i64) = on_pool!(db, pool => {
            sqlx::query_as(
                "SELECT (SELECT last_value FROM counters WHERE name = $1 AND year = $2), \
                 (SELECT COUNT(*) FROM documents WHERE direction = 'outgoing' AND series_id = $3 AND issue_year = $2)",
            )
            .bind(counters::series(series.id))
            .bind(i64::from(year))
            .bind(series.id)
            .fetch_one(pool)
            .await?
        });
        out.push(SeriesCounter {
            series,
            year,
            last_number: last,
            issued,
        });
    }
    Ok(out)
}

/// Checks a series against the others: known types, a type in at most one active
/// series, one default series and one secret series at most.
fn check_series(input: &SeriesInput, others: &[Series]) -> StoreResult<(String, Vec<String>)> {
    let name = text::required_line(&input.name, NAME_MAX).map_err(|e| match e {
        text::TextError::Empty => invalid("series_name_required"),
        _ => invalid("series_name_invalid"),
    })?;
    let mut codes = Vec::new();
    for code in &input.type_codes {
        let found = DocumentType::by_code(code).map_err(|_| invalid("unknown_type"))?;
        codes.push(found.code.to_owned());
    }
    codes.sort();
    codes.dedup();
    if input.secret && !codes.is_empty() {
        return Err(invalid("secret_series_with_types"));
    }
    if !input.active {
        return Ok((name, codes));
    }
    let active = others.iter().filter(|s| s.active);
    for other in active {
        if input.secret && other.secret {
            return Err(invalid("two_secret_series"));
        }
        if input.secret || other.secret {
            continue;
        }
        if codes.is_empty() && other.type_codes.is_empty() {
            return Err(invalid("two_default_series"));
        }
        if codes.iter().any(|c| other.type_codes.contains(c)) {
            return Err(invalid("type_in_two_series"));
        }
    }
    Ok((name, codes))
}

fn series_conflict(error: StoreError) -> StoreError {
    if error.is_conflict_on("name") {
        invalid("series_name_taken")
    } else {
        error
    }
}

/// Adds a numbering series (administrators).
pub async fn create_series(db: &Db, origin: &Origin, input: &SeriesInput) -> StoreResult<Series> {
    let mut tx = db.begin().await?;
    let others = all_series_in_tx(&mut tx).await?;
    let (name, codes) = check_series(input, &others)?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO numbering_series (name, secret, type_codes, active) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&name)
        .bind(input.secret)
        .bind(codes.join(","))
        .bind(input.active)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| series_conflict(e.into()))?
    });
    let created = Series {
        id,
        name,
        secret: input.secret,
        type_codes: codes,
        active: input.active,
    };
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "numbering_series.create",
            object_kind: "numbering_series",
            object_id: id.to_string(),
            before: None,
            after: Some(created.snapshot()),
            details: json!({"name": created.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Changes a series. Its counter continues: numbers already given stay given.
pub async fn update_series(
    db: &Db,
    origin: &Origin,
    id: i64,
    input: &SeriesInput,
) -> StoreResult<Series> {
    let mut tx = db.begin().await?;
    let all = all_series_in_tx(&mut tx).await?;
    let before = all
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .ok_or(StoreError::NotFound)?;
    let others: Vec<Series> = all.into_iter().filter(|s| s.id != id).collect();
    let (name, codes) = check_series(input, &others)?;
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE numbering_series SET name = $1, secret = $2, type_codes = $3, active = $4 WHERE id = $5")
            .bind(&name)
            .bind(input.secret)
            .bind(codes.join(","))
            .bind(input.active)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(|e| series_conflict(e.into()))?;
    });
    let after = Series {
        id,
        name,
        secret: input.secret,
        type_codes: codes,
        active: input.active,
    };
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "numbering_series.update",
            object_kind: "numbering_series",
            object_id: id.to_string(),
            before: Some(before.snapshot()),
            after: Some(after.snapshot()),
            details: json!({"name": after.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
