//! The life of an outgoing document: draft, review, approval and signature, then a number
//! at issue; recall and replacement afterwards.

/// Why an outgoing step was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutgoingError {
    #[error("this step is not possible in the document's current state")]
    InvalidTransition,
    #[error("unknown signing authority")]
    SigningAuthority,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutgoingStatus {
    Draft,
    InReview,
    /// Sent back to the drafter with comments.
    Returned,
    /// Approved and signed; awaiting its number.
    Approved,
    /// Numbered, dated and registered; dispatched to its recipients.
    Issued,
    /// Withdrawn after issue; receivers cancel it.
    Recalled,
}

impl OutgoingStatus {
    pub const ALL: [OutgoingStatus; 6] = [
        Self::Draft,
        Self::InReview,
        Self::Returned,
        Self::Approved,
        Self::Issued,
        Self::Recalled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Returned => "returned",
            Self::Approved => "approved",
            Self::Issued => "issued",
            Self::Recalled => "recalled",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutgoingStep {
    SubmitForReview,
    ReturnForChanges,
    Approve,
    Issue,
    Recall,
    /// A new version of the draft (only while it is with the drafter).
    Revise,
}

pub fn next_status(
    current: OutgoingStatus,
    step: OutgoingStep,
) -> Result<OutgoingStatus, OutgoingError> {
    use OutgoingStatus as S;
    use OutgoingStep as T;
    match (current, step) {
        (S::Draft | S::Returned, T::Revise) => Ok(current),
        (S::Draft | S::Returned, T::SubmitForReview) => Ok(S::InReview),
        (S::InReview, T::ReturnForChanges) => Ok(S::Returned),
        (S::InReview, T::Approve) => Ok(S::Approved),
        (S::Approved, T::Issue) => Ok(S::Issued),
        (S::Issued, T::Recall) => Ok(S::Recalled),
        _ => Err(OutgoingError::InvalidTransition),
    }
}

/// How the signer signs (thể thức ký): TM., KT., TL., TUQ., Q. or in their own name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SigningAuthority {
    Own,
    /// TM. (thay mặt): on behalf of a collective.
    OnBehalfOf,
    /// KT. (ký thay): a deputy signs for the head.
    Deputy,
    /// TL. (thừa lệnh): by order.
    ByOrder,
    /// TUQ. (thừa ủy quyền): by delegation.
    Delegated,
    /// Q. (quyền): acting head.
    Acting,
}

impl SigningAuthority {
    pub const ALL: [SigningAuthority; 6] = [
        Self::Own,
        Self::OnBehalfOf,
        Self::Deputy,
        Self::ByOrder,
        Self::Delegated,
        Self::Acting,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::OnBehalfOf => "tm",
            Self::Deputy => "kt",
            Self::ByOrder => "tl",
            Self::Delegated => "tuq",
            Self::Acting => "q",
        }
    }

    /// The prefix written above the signer's position.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Own => "",
            Self::OnBehalfOf => "TM.",
            Self::Deputy => "KT.",
            Self::ByOrder => "TL.",
            Self::Delegated => "TUQ.",
            Self::Acting => "Q.",
        }
    }

    pub fn parse(code: &str) -> Result<Self, OutgoingError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or(OutgoingError::SigningAuthority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OutgoingStatus as S;
    use OutgoingStep as T;

    #[test]
    fn a_draft_is_reviewed_returned_revised_approved_and_issued() {
        let s = next_status(S::Draft, T::SubmitForReview).unwrap();
        let s = next_status(s, T::ReturnForChanges).unwrap();
        let s = next_status(s, T::Revise).unwrap();
        let s = next_status(s, T::SubmitForReview).unwrap();
        let s = next_status(s, T::Approve).unwrap();
        assert_eq!(next_status(s, T::Issue), Ok(S::Issued));
    }

    #[test]
    fn only_approved_documents_get_a_number() {
        for status in [S::Draft, S::InReview, S::Returned, S::Issued, S::Recalled] {
            assert_eq!(
                next_status(status, T::Issue),
                Err(OutgoingError::InvalidTransition),
                "{status:?}"
            );
        }
    }

    #[test]
    fn issued_documents_are_not_revised_but_can_be_recalled() {
        assert_eq!(
            next_status(S::Issued, T::Revise),
            Err(OutgoingError::InvalidTransition)
        );
        assert_eq!(next_status(S::Issued, T::Recall), Ok(S::Recalled));
    }

    #[test]
    fn signing_prefixes_are_the_decrees() {
        assert_eq!(SigningAuthority::parse("kt").unwrap().prefix(), "KT.");
        assert_eq!(SigningAuthority::parse("tuq").unwrap().prefix(), "TUQ.");
        assert!(SigningAuthority::parse("xx").is_err());
    }
}
