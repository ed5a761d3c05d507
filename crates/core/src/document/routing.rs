//! Routing an incoming document: the leader's instruction names a lead unit, coordinating
//! units and units for information, each with a due date; the unit leader names a handler;
//! the handler reports progress and finishes. Each step is a checked transition.

/// Why a routing step was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("this step is not possible in the assignment's current state")]
    InvalidTransition,
    #[error("exactly one lead unit must be named")]
    LeadCount,
    #[error("a unit may appear only once in the routing")]
    DuplicateUnit,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the document is not awaiting routing")]
    NotRoutable,
}

/// A unit's part in handling a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignmentRole {
    Lead,
    Coordinating,
    ForInformation,
}

impl AssignmentRole {
    pub const ALL: [AssignmentRole; 3] = [Self::Lead, Self::Coordinating, Self::ForInformation];

    pub fn code(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Coordinating => "coordinating",
            Self::ForInformation => "for_information",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// Where an assignment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignmentStatus {
    /// Sent to the unit; its leader has not named a handler yet.
    Assigned,
    /// A handler is named.
    HandlerAssigned,
    /// Progress has been reported.
    InProgress,
    Done,
    /// Sent back by the unit (not competent, misrouted), with a reason.
    Returned,
}

impl AssignmentStatus {
    pub const ALL: [AssignmentStatus; 5] = [
        Self::Assigned,
        Self::HandlerAssigned,
        Self::InProgress,
        Self::Done,
        Self::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::HandlerAssigned => "handler_assigned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Returned => "returned",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Self::Done | Self::Returned)
    }
}

/// The steps of an assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignmentStep {
    NameHandler,
    ReportProgress,
    Finish,
    Return,
    ExtendDueDate,
    /// Another handler in the same unit takes over.
    Reassign,
}

/// The status after `step`, or why the step is not possible now.
pub fn next_status(
    current: AssignmentStatus,
    step: AssignmentStep,
) -> Result<AssignmentStatus, RoutingError> {
    use AssignmentStatus as S;
    use AssignmentStep as T;
    match (current, step) {
        (S::Assigned | S::HandlerAssigned, T::NameHandler) => Ok(S::HandlerAssigned),
        (S::HandlerAssigned | S::InProgress, T::Reassign) => Ok(current),
        (S::HandlerAssigned | S::InProgress, T::ReportProgress) => Ok(S::InProgress),
        (S::HandlerAssigned | S::InProgress, T::Finish) => Ok(S::Done),
        (S::Assigned | S::HandlerAssigned | S::InProgress, T::Return) => Ok(S::Returned),
        (S::Assigned | S::HandlerAssigned | S::InProgress, T::ExtendDueDate) => Ok(current),
        _ => Err(RoutingError::InvalidTransition),
    }
}

/// Where an incoming document stands as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IncomingStatus {
    /// Registered by the records clerk.
    Registered,
    /// Put before a leader, awaiting the instruction.
    AwaitingInstruction,
    /// Routed: units are working on it.
    InProgress,
    /// The lead unit finished.
    Done,
}

impl IncomingStatus {
    pub const ALL: [IncomingStatus; 4] = [
        Self::Registered,
        Self::AwaitingInstruction,
        Self::InProgress,
        Self::Done,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::AwaitingInstruction => "awaiting_instruction",
            Self::InProgress => "in_progress",
            Self::Done => "done",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The overall status that follows from the assignments: done when the lead unit's
/// assignment is done, in progress while any is open, otherwise unchanged.
pub fn incoming_status_from(
    current: IncomingStatus,
    assignments: &[(AssignmentRole, AssignmentStatus)],
) -> IncomingStatus {
    if assignments.is_empty() {
        return current;
    }
    let lead_done = assignments
        .iter()
        .any(|(r, s)| *r == AssignmentRole::Lead && *s == AssignmentStatus::Done);
    if lead_done {
        return IncomingStatus::Done;
    }
    let all_returned = assignments
        .iter()
        .filter(|(r, _)| *r == AssignmentRole::Lead)
        .all(|(_, s)| *s == AssignmentStatus::Returned);
    if all_returned {
        // The lead unit sent it back: it awaits a new instruction.
        return IncomingStatus::AwaitingInstruction;
    }
    IncomingStatus::InProgress
}

/// Checks a leader's routing: one lead unit, no unit twice.
pub fn check_routing<U: PartialEq + Copy>(
    parts: &[(U, AssignmentRole)],
) -> Result<(), RoutingError> {
    let leads = parts
        .iter()
        .filter(|(_, r)| *r == AssignmentRole::Lead)
        .count();
    if leads != 1 {
        return Err(RoutingError::LeadCount);
    }
    for (i, (unit, _)) in parts.iter().enumerate() {
        if parts[..i].iter().any(|(u, _)| u == unit) {
            return Err(RoutingError::DuplicateUnit);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssignmentStatus as S;
    use AssignmentStep as T;

    #[test]
    fn an_assignment_goes_from_assigned_to_done() {
        let s = next_status(S::Assigned, T::NameHandler).unwrap();
        let s = next_status(s, T::ReportProgress).unwrap();
        let s = next_status(s, T::ReportProgress).unwrap();
        assert_eq!(next_status(s, T::Finish), Ok(S::Done));
    }

    #[test]
    fn finished_and_returned_assignments_accept_no_more_steps() {
        for done in [S::Done, S::Returned] {
            for step in [
                T::NameHandler,
                T::ReportProgress,
                T::Finish,
                T::Return,
                T::ExtendDueDate,
                T::Reassign,
            ] {
                assert_eq!(
                    next_status(done, step),
                    Err(RoutingError::InvalidTransition),
                    "{done:?} {step:?}"
                );
            }
        }
    }

    #[test]
    fn progress_needs_a_handler_first() {
        assert_eq!(
            next_status(S::Assigned, T::ReportProgress),
            Err(RoutingError::InvalidTransition)
        );
        assert_eq!(
            next_status(S::Assigned, T::Finish),
            Err(RoutingError::InvalidTransition)
        );
    }

    #[test]
    fn routing_needs_exactly_one_lead_and_distinct_units() {
        use AssignmentRole::*;
        assert_eq!(
            check_routing(&[(1, Lead), (2, Coordinating), (3, ForInformation)]),
            Ok(())
        );
        assert_eq!(
            check_routing(&[(1, Coordinating)]),
            Err(RoutingError::LeadCount)
        );
        assert_eq!(
            check_routing(&[(1, Lead), (2, Lead)]),
            Err(RoutingError::LeadCount)
        );
        assert_eq!(
            check_routing(&[(1, Lead), (1, Coordinating)]),
            Err(RoutingError::DuplicateUnit)
        );
    }

    #[test]
    fn the_document_is_done_when_the_lead_unit_is() {
        use AssignmentRole::*;
        let current = IncomingStatus::InProgress;
        assert_eq!(
            incoming_status_from(current, &[(Lead, S::InProgress), (Coordinating, S::Done)]),
            IncomingStatus::InProgress
        );
        assert_eq!(
            incoming_status_from(current, &[(Lead, S::Done), (Coordinating, S::InProgress)]),
            IncomingStatus::Done
        );
        assert_eq!(
            incoming_status_from(current, &[(Lead, S::Returned)]),
            IncomingStatus::AwaitingInstruction
        );
        assert_eq!(
            incoming_status_from(IncomingStatus::Registered, &[]),
            IncomingStatus::Registered
        );
    }
}
