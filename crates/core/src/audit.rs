//! The audit trail's hash chain: how an event is hashed, and how a stored chain is checked.
//!
//! Each event's hash covers its own fields and the previous event's hash, so editing,
//! reordering or deleting any event breaks every hash after it. [`verify_chain`] walks the
//! stored events and names the first event of each break.

use sha2::{Digest, Sha256};

/// The hash that stands before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event as stored, with everything the hash covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    /// RFC 3339 in UTC with microseconds, as stored.
    pub occurred_at: String,
    pub actor_user_id: Option<i64>,
    /// The actor's user name (or `system`, or `api-key:NAME`) at the time of the event.
    pub actor_label: String,
    pub source_address: String,
    /// What happened, such as `user.create` or `session.sign_in`.
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    /// SHA-256 of the object's canonical form before and after, empty when absent.
    pub before_digest: String,
    pub after_digest: String,
    /// A short JSON description of the change, without secrets.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// Computes the hash this event must carry, given the hash before it.
    pub fn compute_hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"vanphong-audit-v1");
        let seq = self.seq.to_string();
        let actor = self
            .actor_user_id
            .map(|id| id.to_string())
            .unwrap_or_default();
        for field in [
            prev_hash,
            &seq,
            &self.occurred_at,
            &actor,
            &self.actor_label,
            &self.source_address,
            &self.action,
            &self.object_kind,
            &self.object_id,
            &self.before_digest,
            &self.after_digest,
            &self.details,
        ] {
            // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// The SHA-256 digest, in hex, of an object's canonical serialisation.
pub fn digest(canonical: &[u8]) -> String {
    hex::encode(Sha256::digest(canonical))
}

/// One break found in a stored chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// The event's content no longer matches its hash: it was edited.
    Edited { seq: i64 },
    /// The event does not follow the one stored before it: events were reordered,
    /// or the previous link was rewritten.
    Relinked { seq: i64 },
    /// Sequence numbers jump: events between were deleted.
    Missing { from_seq: i64, to_seq: i64 },
    /// The chain's recorded head does not match its last event: events were removed
    /// from the end.
    Truncated {
        expected_last_seq: i64,
        found_last_seq: i64,
    },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edited { seq } => write!(f, "event {seq} was edited: its content does not match its hash"),
            Self::Relinked { seq } => write!(
                f,
                "event {seq} does not follow the event stored before it: events were reordered or relinked"
            ),
            Self::Missing { from_seq, to_seq } if from_seq == to_seq => {
                write!(f, "event {from_seq} is missing: it was deleted")
            }
            Self::Missing { from_seq, to_seq } => {
                write!(f, "events {from_seq} to {to_seq} are missing: they were deleted")
            }
            Self::Truncated {
                expected_last_seq,
                found_last_seq,
            } => write!(
                f,
                "the chain ends at event {found_last_seq} but its head records event {expected_last_seq}: events were deleted from the end"
            ),
        }
    }
}

/// Incremental verifier, so a chain of millions of events is checked while streaming.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    breaks: Vec<ChainBreak>,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            breaks: Vec::new(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, record: &AuditRecord) {
        self.checked += 1;
        if record.seq != self.expected_seq {
            if record.seq > self.expected_seq {
                self.breaks.push(ChainBreak::Missing {
                    from_seq: self.expected_seq,
                    to_seq: record.seq - 1,
                });
            } else {
                self.breaks.push(ChainBreak::Relinked { seq: record.seq });
            }
        } else if record.prev_hash != self.prev_hash {
            self.breaks.push(ChainBreak::Relinked { seq: record.seq });
        }
        if record.compute_hash(&record.prev_hash) != record.hash {
            self.breaks.push(ChainBreak::Edited { seq: record.seq });
        }
        self.expected_seq = record.seq + 1;
        self.prev_hash = record.hash.clone();
    }

    /// Ends the walk; `head_seq` is the last sequence number the chain's head records.
    pub fn finish(mut self, head_seq: i64) -> ChainReport {
        let last = self.expected_seq - 1;
        if head_seq > last {
            self.breaks.push(ChainBreak::Truncated {
                expected_last_seq: head_seq,
                found_last_seq: last,
            });
        }
        ChainReport {
            checked: self.checked,
            breaks: self.breaks,
        }
    }
}

/// The outcome of a verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    pub checked: u64,
    pub breaks: Vec<ChainBreak>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.breaks.is_empty()
    }
}

/// Verifies a whole chain held in memory.
pub fn verify_chain<'a>(
    records: impl IntoIterator<Item = &'a AuditRecord>,
    head_seq: i64,
) -> ChainReport {
    let mut verifier = ChainVerifier::default();
    for record in records {
        verifier.push(record);
    }
    verifier.finish(head_seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    occurred_at: format!("2026-11-29T01:00:{seq:02}.000000Z"),
                    actor_user_id: Some(7),
                    actor_label: "admin".into(),
                    source_address: "127.0.0.1".into(),
                    action: "user.create".into(),
                    object_kind: "user".into(),
                    object_id: seq.to_string(),
                    before_digest: String::new(),
                    after_digest: digest(format!("user {seq}").as_bytes()),
                    details: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = r.compute_hash(&prev);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        let report = verify_chain(&c, 5);
        assert!(report.is_intact(), "{:?}", report.breaks);
        assert_eq!(report.checked, 5);
    }

    #[test]
    fn an_edited_event_is_named() {
        let mut c = chain(5);
        c[2].actor_label = "someone else".into();
        assert_eq!(
            verify_chain(&c, 5).breaks,
            vec![ChainBreak::Edited { seq: 3 }]
        );
    }

    #[test]
    fn a_deleted_event_is_named() {
        let mut c = chain(5);
        c.remove(1);
        let breaks = verify_chain(&c, 5).breaks;
        assert_eq!(
            breaks[0],
            ChainBreak::Missing {
                from_seq: 2,
                to_seq: 2
            }
        );
    }

    #[test]
    fn reordered_events_are_named() {
        let mut c = chain(5);
        c.swap(1, 2);
        let breaks = verify_chain(&c, 5).breaks;
        assert!(
            breaks.contains(&ChainBreak::Relinked { seq: 2 }),
            "{breaks:?}"
        );
    }

    #[test]
    fn events_removed_from_the_end_are_noticed() {
        let c = chain(5);
        let breaks = verify_chain(&c[..3], 5).breaks;
        assert_eq!(
            breaks,
            vec![ChainBreak::Truncated {
                expected_last_seq: 5,
                found_last_seq: 3
            }]
        );
    }

    #[test]
    fn a_rehashed_edit_still_breaks_the_next_link() {
        let mut c = chain(5);
        c[1].details = "{\"forged\":true}".into();
        let prev = c[0].hash.clone();
        c[1].hash = c[1].compute_hash(&prev);
        assert_eq!(
            verify_chain(&c, 5).breaks,
            vec![ChainBreak::Relinked { seq: 3 }]
        );
    }
}
