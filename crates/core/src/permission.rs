//! Who may do what: one decision function over role, unit scope and secrecy clearance.
//!
//! Every read and write in the product asks [`authorize`] before it touches data, and
//! list queries apply the same rules in SQL through [`ReadScope`]. The matrix of roles ×
//! actions is tested exhaustively in this module and end to end in the web tests.

use crate::auth::{Role, Secrecy};
use crate::ids::{UnitId, UserId};
use crate::org::UnitTree;

/// The person (or API key owner) asking.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub roles: Vec<Role>,
    pub unit: Option<UnitId>,
    pub clearance: Secrecy,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What the actor wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the units, users and organisations directory (names, not secrets).
    ViewDirectory,
    /// Create, rename, move or close units and positions; edit the agency; areas.
    ManageOrganisation,
    /// Create users, set roles and clearance, disable accounts.
    ManageUsers,
    /// Issue and revoke API keys for machine clients.
    ManageApiKeys,
    /// Read the whole audit trail and verify it.
    ViewAuditTrail,
    /// Upload a file that will become an attachment.
    UploadAttachment,
    /// Read a document, dossier or case in a unit at a secrecy level.
    ReadRecord,
    /// Register an incoming document.
    RegisterIncoming,
    /// Give instructions and assign units (leaders).
    RouteDocument,
    /// Work on an assignment: progress notes, results.
    HandleAssignment,
    /// Write and revise outgoing drafts.
    DraftOutgoing,
    /// Give an outgoing document its number and dispatch it.
    IssueOutgoing,
    /// Receive and return procedure dossiers at the one-stop desk.
    ReceiveDossier,
    /// Take and handle hotline reports.
    HandleHotline,
    /// Write and publish news articles.
    PublishNews,
    /// See reports and the leader dashboard.
    ViewReports,
    /// Receive work files handed over into the agency archive (records clerks, who keep
    /// the archive). Opening, filling and closing a unit's own files is `HandleAssignment`.
    ReceiveIntoArchive,
}

impl Action {
    pub const ALL: [Action; 17] = [
        Self::ViewDirectory,
        Self::ManageOrganisation,
        Self::ManageUsers,
        Self::ManageApiKeys,
        Self::ViewAuditTrail,
        Self::UploadAttachment,
        Self::ReadRecord,
        Self::RegisterIncoming,
        Self::RouteDocument,
        Self::HandleAssignment,
        Self::DraftOutgoing,
        Self::IssueOutgoing,
        Self::ReceiveDossier,
        Self::HandleHotline,
        Self::PublishNews,
        Self::ViewReports,
        Self::ReceiveIntoArchive,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ViewDirectory => "view_directory",
            Self::ManageOrganisation => "manage_organisation",
            Self::ManageUsers => "manage_users",
            Self::ManageApiKeys => "manage_api_keys",
            Self::ViewAuditTrail => "view_audit_trail",
            Self::UploadAttachment => "upload_attachment",
            Self::ReadRecord => "read_record",
            Self::RegisterIncoming => "register_incoming",
            Self::RouteDocument => "route_document",
            Self::HandleAssignment => "handle_assignment",
            Self::DraftOutgoing => "draft_outgoing",
            Self::IssueOutgoing => "issue_outgoing",
            Self::ReceiveDossier => "receive_dossier",
            Self::HandleHotline => "handle_hotline",
            Self::PublishNews => "publish_news",
            Self::ViewReports => "view_reports",
            Self::ReceiveIntoArchive => "receive_into_archive",
        }
    }
}

/// What the action touches: the owning unit (if any) and the secrecy of the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub unit: Option<UnitId>,
    pub secrecy: Secrecy,
}

impl Target {
    /// An action on the agency as a whole (administration, directories).
    pub const AGENCY: Target = Target {
        unit: None,
        secrecy: Secrecy::Normal,
    };

    pub fn in_unit(unit: UnitId) -> Self {
        Self {
            unit: Some(unit),
            secrecy: Secrecy::Normal,
        }
    }

    pub fn with_secrecy(self, secrecy: Secrecy) -> Self {
        Self { secrecy, ..self }
    }
}

/// Why an action was refused. The web layer shows one generic message for all of them;
/// the reason is for the audit log and for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("no role of the user allows this action")]
    Role,
    #[error("the record belongs to a unit outside the user's scope")]
    Unit,
    #[error("the record's secrecy is above the user's clearance")]
    Clearance,
}

/// How far a role reaches across the unit tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// Every unit of the agency.
    Agency,
    /// The user's own unit and the units below it.
    OwnSubtree,
    /// The user's own unit only.
    OwnUnit,
}

/// The grant table: which role may do which action, and how far.
fn reach(role: Role, action: Action) -> Option<Reach> {
    use Action as A;
    use Role as R;
    match (role, action) {
        (_, A::ViewDirectory) => Some(Reach::Agency),
        (
            R::Administrator,
            A::ManageOrganisation | A::ManageUsers | A::ManageApiKeys | A::ViewAuditTrail,
        ) => Some(Reach::Agency),
        (R::Administrator, _) => None,
        (_, A::UploadAttachment) => Some(Reach::Agency),
        (R::AgencyLeader, A::ReadRecord | A::RouteDocument | A::ViewReports | A::DraftOutgoing) => {
            Some(Reach::Agency)
        }
        (
            R::RecordsClerk,
            A::ReadRecord
            | A::RegisterIncoming
            | A::IssueOutgoing
            | A::DraftOutgoing
            | A::ReceiveIntoArchive,
        ) => Some(Reach::Agency),
        (
            R::UnitLeader,
            A::ReadRecord
            | A::RouteDocument
            | A::HandleAssignment
            | A::DraftOutgoing
            | A::ViewReports,
        ) => Some(Reach::OwnSubtree),
        (R::Specialist, A::ReadRecord | A::HandleAssignment | A::DraftOutgoing) => {
            Some(Reach::OwnUnit)
        }
        (R::OneStopOfficer, A::ReceiveDossier | A::ReadRecord) => Some(Reach::OwnUnit),
        (R::HotlineOperator, A::HandleHotline | A::ReadRecord) => Some(Reach::OwnUnit),
        (R::Editor, A::PublishNews) => Some(Reach::Agency),
        _ => None,
    }
}

/// Decides whether `actor` may perform `action` on `target`.
pub fn authorize(
    actor: &Actor,
    action: Action,
    target: Target,
    tree: &UnitTree,
) -> Result<(), Denied> {
    if target.secrecy > actor.clearance {
        return Err(Denied::Clearance);
    }
    let mut saw_role = false;
    for role in &actor.roles {
        let Some(reach) = reach(*role, action) else {
            continue;
        };
        saw_role = true;
        if within(reach, actor.unit, target.unit, tree) {
            return Ok(());
        }
    }
    if saw_role {
        Err(Denied::Unit)
    } else {
        Err(Denied::Role)
    }
}

fn within(reach: Reach, own: Option<UnitId>, target: Option<UnitId>, tree: &UnitTree) -> bool {
    match (reach, target) {
        (Reach::Agency, _) => true,
        // An agency-wide target needs agency-wide reach.
        (_, None) => false,
        (Reach::OwnSubtree, Some(t)) => own.is_some_and(|o| tree.is_within(t, o)),
        (Reach::OwnUnit, Some(t)) => own == Some(t),
    }
}

/// The rows a list query may return for an action: used to build SQL filters so that
/// lists, counts and facets never include records the user could not open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadScope {
    /// `None` means every unit; otherwise only records of these units.
    pub units: Option<Vec<UnitId>>,
    pub max_secrecy: Secrecy,
}

/// Computes the read scope of `actor` for `action` over the whole unit list.
pub fn read_scope(
    actor: &Actor,
    action: Action,
    all_units: &[UnitId],
    tree: &UnitTree,
) -> Option<ReadScope> {
    let mut units: Vec<UnitId> = Vec::new();
    let mut any = false;
    for role in &actor.roles {
        match reach(*role, action) {
            Some(Reach::Agency) => {
                return Some(ReadScope {
                    units: None,
                    max_secrecy: actor.clearance,
                })
            }
            Some(r) => {
                any = true;
                units.extend(
                    all_units
                        .iter()
                        .copied()
                        .filter(|u| within(r, actor.unit, Some(*u), tree)),
                );
            }
            None => {}
        }
    }
    if !any {
        return None;
    }
    units.sort();
    units.dedup();
    Some(ReadScope {
        units: Some(units),
        max_secrecy: actor.clearance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> UnitTree {
        // 1 = agency office (root), 2 = a department under it, 3 = a division under 2, 4 = elsewhere.
        UnitTree::new([
            (UnitId(1), None),
            (UnitId(2), Some(UnitId(1))),
            (UnitId(3), Some(UnitId(2))),
            (UnitId(4), Some(UnitId(1))),
        ])
    }

    fn actor(role: Role, unit: i64, clearance: Secrecy) -> Actor {
        Actor {
            user_id: UserId(1),
            roles: vec![role],
            unit: Some(UnitId(unit)),
            clearance,
        }
    }

    #[test]
    fn only_administrators_manage_users_and_keys() {
        for role in Role::ALL {
            let a = actor(role, 2, Secrecy::TopSecret);
            let expected = role == Role::Administrator;
            for action in [
                Action::ManageUsers,
                Action::ManageApiKeys,
                Action::ManageOrganisation,
                Action::ViewAuditTrail,
            ] {
                assert_eq!(
                    authorize(&a, action, Target::AGENCY, &tree()).is_ok(),
                    expected,
                    "{role:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn administrators_do_not_read_records() {
        let admin = actor(Role::Administrator, 1, Secrecy::TopSecret);
        assert_eq!(
            authorize(
                &admin,
                Action::ReadRecord,
                Target::in_unit(UnitId(2)),
                &tree()
            ),
            Err(Denied::Role)
        );
    }

    #[test]
    fn unit_leaders_reach_their_subtree_only() {
        let leader = actor(Role::UnitLeader, 2, Secrecy::Normal);
        assert!(authorize(
            &leader,
            Action::ReadRecord,
            Target::in_unit(UnitId(3)),
            &tree()
        )
        .is_ok());
        assert_eq!(
            authorize(
                &leader,
                Action::ReadRecord,
                Target::in_unit(UnitId(4)),
                &tree()
            ),
            Err(Denied::Unit)
        );
        assert_eq!(
            authorize(&leader, Action::ReadRecord, Target::AGENCY, &tree()),
            Err(Denied::Unit)
        );
    }

    #[test]
    fn specialists_reach_their_own_unit_only() {
        let specialist = actor(Role::Specialist, 2, Secrecy::Normal);
        assert!(authorize(
            &specialist,
            Action::HandleAssignment,
            Target::in_unit(UnitId(2)),
            &tree()
        )
        .is_ok());
        assert_eq!(
            authorize(
                &specialist,
                Action::HandleAssignment,
                Target::in_unit(UnitId(3)),
                &tree()
            ),
            Err(Denied::Unit)
        );
        assert_eq!(
            authorize(
                &specialist,
                Action::IssueOutgoing,
                Target::in_unit(UnitId(2)),
                &tree()
            ),
            Err(Denied::Role)
        );
    }

    #[test]
    fn secrecy_above_clearance_is_refused_for_every_role() {
        for role in Role::ALL {
            let a = actor(role, 2, Secrecy::Confidential);
            let target = Target::in_unit(UnitId(2)).with_secrecy(Secrecy::Secret);
            for action in Action::ALL {
                assert_eq!(
                    authorize(&a, action, target, &tree()),
                    Err(Denied::Clearance),
                    "{role:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn read_scope_matches_authorize_for_every_role_and_unit() {
        let units = [UnitId(1), UnitId(2), UnitId(3), UnitId(4)];
        for role in Role::ALL {
            let a = actor(role, 2, Secrecy::Normal);
            let scope = read_scope(&a, Action::ReadRecord, &units, &tree());
            for unit in units {
                let allowed =
                    authorize(&a, Action::ReadRecord, Target::in_unit(unit), &tree()).is_ok();
                let in_scope = scope
                    .as_ref()
                    .is_some_and(|s| s.units.as_ref().is_none_or(|list| list.contains(&unit)));
                assert_eq!(allowed, in_scope, "{role:?} unit {unit}");
            }
        }
    }

    #[test]
    fn only_records_clerks_receive_into_the_archive() {
        for role in Role::ALL {
            let a = actor(role, 2, Secrecy::Normal);
            assert_eq!(
                authorize(
                    &a,
                    Action::ReceiveIntoArchive,
                    Target::in_unit(UnitId(4)),
                    &tree()
                )
                .is_ok(),
                role == Role::RecordsClerk,
                "{role:?}"
            );
        }
    }

    #[test]
    fn several_roles_combine() {
        let mut a = actor(Role::Specialist, 2, Secrecy::Normal);
        assert!(authorize(&a, Action::PublishNews, Target::AGENCY, &tree()).is_err());
        a.roles.push(Role::Editor);
        assert!(authorize(&a, Action::PublishNews, Target::AGENCY, &tree()).is_ok());
    }
}
