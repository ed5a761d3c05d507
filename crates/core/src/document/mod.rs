//! Official documents under Decree 30/2020: document types and their abbreviations,
//! numbers and symbols, numbering series, routing and the life of outgoing drafts.

pub mod deadline;
pub mod kind;
pub mod numbering;
pub mod outgoing;
pub mod routing;
pub mod symbol;

pub use kind::{DocumentKind, DocumentType, PetitionSource, Urgency, DOCUMENT_TYPES};
pub use symbol::NumberAndSymbol;
