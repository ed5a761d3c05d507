//! Document types with their symbol abbreviations (Decree 30/2020, Appendix III), urgency,
//! and the tracked kinds (deputies' questions, voter petitions, conclusion notices).

/// Why a document attribute was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KindError {
    #[error("unknown document type")]
    Type,
    #[error("unknown urgency")]
    Urgency,
    #[error("unknown tracked kind")]
    Kind,
    #[error("unknown petition source")]
    PetitionSource,
}

/// One document type. `abbreviation` is empty for the công văn and thư công, which carry
/// no type in their symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentType {
    pub code: &'static str,
    pub abbreviation: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
}

macro_rules! types {
    ($(($code:literal, $abbr:literal, $vi:literal, $en:literal)),* $(,)?) => {
        &[$(DocumentType { code: $code, abbreviation: $abbr, name_vi: $vi, name_en: $en }),*]
    };
}

/// The types of Decree 30/2020 (and the copies), in the decree's order.
pub const DOCUMENT_TYPES: &[DocumentType] = types![
    ("cong_van", "", "Công văn", "Official letter"),
    ("nghi_quyet", "NQ", "Nghị quyết", "Resolution"),
    ("quyet_dinh", "QĐ", "Quyết định", "Decision"),
    ("chi_thi", "CT", "Chỉ thị", "Directive"),
    ("quy_che", "QC", "Quy chế", "Regulation"),
    ("quy_dinh", "QyĐ", "Quy định", "Rules"),
    ("thong_cao", "TC", "Thông cáo", "Communiqué"),
    ("thong_bao", "TB", "Thông báo", "Notice"),
    ("huong_dan", "HD", "Hướng dẫn", "Guidance"),
    ("chuong_trinh", "CTr", "Chương trình", "Programme"),
    ("ke_hoach", "KH", "Kế hoạch", "Plan"),
    ("phuong_an", "PA", "Phương án", "Scheme"),
    ("de_an", "ĐA", "Đề án", "Proposal"),
    ("du_an", "DA", "Dự án", "Project"),
    ("bao_cao", "BC", "Báo cáo", "Report"),
    ("bien_ban", "BB", "Biên bản", "Minutes"),
    ("to_trinh", "TTr", "Tờ trình", "Submission"),
    ("hop_dong", "HĐ", "Hợp đồng", "Contract"),
    ("cong_dien", "CĐ", "Công điện", "Telegram"),
    (
        "ban_ghi_nho",
        "BGN",
        "Bản ghi nhớ",
        "Memorandum of understanding"
    ),
    ("ban_thoa_thuan", "BTT", "Bản thỏa thuận", "Agreement"),
    ("giay_uy_quyen", "GUQ", "Giấy ủy quyền", "Power of attorney"),
    ("giay_moi", "GM", "Giấy mời", "Invitation"),
    (
        "giay_gioi_thieu",
        "GGT",
        "Giấy giới thiệu",
        "Letter of introduction"
    ),
    ("giay_nghi_phep", "GNP", "Giấy nghỉ phép", "Leave permit"),
    ("phieu_gui", "PG", "Phiếu gửi", "Dispatch slip"),
    ("phieu_chuyen", "PC", "Phiếu chuyển", "Transfer slip"),
    ("phieu_bao", "PB", "Phiếu báo", "Notification slip"),
    ("thu_cong", "", "Thư công", "Official correspondence"),
    ("ban_sao_y", "SY", "Bản sao y", "True copy"),
    ("ban_trich_sao", "TrS", "Bản trích sao", "Extract copy"),
    ("ban_sao_luc", "SL", "Bản sao lục", "Certified copy"),
];

impl DocumentType {
    pub fn by_code(code: &str) -> Result<&'static DocumentType, KindError> {
        DOCUMENT_TYPES
            .iter()
            .find(|t| t.code == code.trim())
            .ok_or(KindError::Type)
    }

    /// The type whose abbreviation is `abbreviation`: an exact match (ignoring case) first,
    /// then one typed without đ, so `QD` and `qđ` both find Quyết định. Where folding is
    /// ambiguous (`HD` is Hướng dẫn, `HĐ` Hợp đồng) the exact spelling decides.
    pub fn by_abbreviation(abbreviation: &str) -> Option<&'static DocumentType> {
        let typed = abbreviation.trim().to_uppercase();
        let letters = || DOCUMENT_TYPES.iter().filter(|t| !t.is_letter());
        if let Some(exact) = letters().find(|t| t.abbreviation.to_uppercase() == typed) {
            return Some(exact);
        }
        let wanted = crate::text::fold(&typed);
        let mut folded = letters().filter(|t| crate::text::fold(t.abbreviation) == wanted);
        match (folded.next(), folded.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// True for the công văn and thư công, whose symbol names the drafting unit instead.
    pub fn is_letter(&self) -> bool {
        self.abbreviation.is_empty()
    }
}

/// Urgency marks, in increasing order: Khẩn < Thượng khẩn < Hỏa tốc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Urgency {
    Normal,
    Urgent,
    VeryUrgent,
    Flash,
}

impl Urgency {
    pub const ALL: [Urgency; 4] = [Self::Normal, Self::Urgent, Self::VeryUrgent, Self::Flash];

    pub fn code(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Urgent => "urgent",
            Self::VeryUrgent => "very_urgent",
            Self::Flash => "flash",
        }
    }

    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn parse(code: &str) -> Result<Self, KindError> {
        Self::ALL
            .into_iter()
            .find(|u| u.code() == code.trim())
            .ok_or(KindError::Urgency)
    }

    pub fn from_rank(rank: i64) -> Result<Self, KindError> {
        Self::ALL
            .into_iter()
            .find(|u| u.rank() == rank)
            .ok_or(KindError::Urgency)
    }
}

/// Incoming and internal documents that are tracked on their own, with their deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Ordinary,
    /// Phiếu chất vấn của đại biểu Quốc hội.
    DeputyQuestion,
    /// Kiến nghị cử tri, with its source.
    VoterPetition,
    /// Thông báo kết luận, with tasks.
    ConclusionNotice,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [
        Self::Ordinary,
        Self::DeputyQuestion,
        Self::VoterPetition,
        Self::ConclusionNotice,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Ordinary => "ordinary",
            Self::DeputyQuestion => "deputy_question",
            Self::VoterPetition => "voter_petition",
            Self::ConclusionNotice => "conclusion_notice",
        }
    }

    pub fn parse(code: &str) -> Result<Self, KindError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or(KindError::Kind)
    }
}

/// Where voter petitions come from (the seed year counted 71 + 6 + 7 by source).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PetitionSource {
    /// Ban Dân nguyện of the National Assembly Standing Committee.
    PetitionsCommittee,
    /// Văn phòng Chính phủ.
    GovernmentOffice,
    /// Mặt trận Tổ quốc Việt Nam.
    FatherlandFront,
    /// Đoàn đại biểu Quốc hội of a province.
    ProvincialDelegation,
    Other,
}

impl PetitionSource {
    pub const ALL: [PetitionSource; 5] = [
        Self::PetitionsCommittee,
        Self::GovernmentOffice,
        Self::FatherlandFront,
        Self::ProvincialDelegation,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::PetitionsCommittee => "petitions_committee",
            Self::GovernmentOffice => "government_office",
            Self::FatherlandFront => "fatherland_front",
            Self::ProvincialDelegation => "provincial_delegation",
            Self::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Result<Self, KindError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or(KindError::PetitionSource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_codes_and_abbreviations_are_unique() {
        let mut codes: Vec<_> = DOCUMENT_TYPES.iter().map(|t| t.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), DOCUMENT_TYPES.len());
        let mut abbreviations: Vec<_> = DOCUMENT_TYPES
            .iter()
            .filter(|t| !t.is_letter())
            .map(|t| t.abbreviation.to_uppercase())
            .collect();
        abbreviations.sort();
        let before = abbreviations.len();
        abbreviations.dedup();
        assert_eq!(abbreviations.len(), before, "abbreviations must differ");
    }

    #[test]
    fn abbreviations_are_found_however_they_are_typed() {
        assert_eq!(
            DocumentType::by_abbreviation("QĐ").unwrap().code,
            "quyet_dinh"
        );
        assert_eq!(
            DocumentType::by_abbreviation("qd").unwrap().code,
            "quyet_dinh"
        );
        assert_eq!(
            DocumentType::by_abbreviation("TTR").unwrap().code,
            "to_trinh"
        );
        assert_eq!(
            DocumentType::by_abbreviation("HD").unwrap().code,
            "huong_dan"
        );
        assert_eq!(
            DocumentType::by_abbreviation("HĐ").unwrap().code,
            "hop_dong"
        );
        assert!(DocumentType::by_abbreviation("XYZ").is_none());
        assert!(DocumentType::by_code("cong_van").unwrap().is_letter());
        assert!(DocumentType::by_code("nope").is_err());
    }

    #[test]
    fn urgency_is_ordered_and_round_trips() {
        assert!(Urgency::Urgent < Urgency::Flash);
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.code()), Ok(u));
            assert_eq!(Urgency::from_rank(u.rank()), Ok(u));
        }
    }
}
