//! Word lists for the demo documents: the fields of environmental work with the phrases
//! their letters, decisions, reports, plans and meetings are written in, and the names of
//! places, projects, companies and people that fill them.
//!
//! Phrases carry slots in braces (`{province}`, `{project}`, `{year}`...) that
//! [`super::documents`] fills, so one phrase gives many different subjects. Places,
//! rivers and protected areas are real; companies, projects and people are invented, so no
//! real business or official is shown corresponding about things it never wrote.

/// A field of work: who leads on it, who is asked to help, and how its documents read.
pub struct Topic {
    pub code: &'static str,
    /// Lead units (abbreviations) with their weights.
    pub leads: &'static [(&'static str, u32)],
    /// Units that are often asked to coordinate.
    pub coordinating: &'static [&'static str],
    /// What a letter asks or tells, as written after "V/v".
    pub matters: &'static [&'static str],
    /// What a decision or submission decides, as written after "Về việc".
    pub decisions: &'static [&'static str],
    /// The title of a report or minutes.
    pub reports: &'static [&'static str],
    /// What a plan, programme or guidance sets out.
    pub plans: &'static [&'static str],
    /// Meetings, workshops and inspections people are invited to.
    pub meetings: &'static [&'static str],
}

pub const TOPICS: &[Topic] = &[
    Topic {
        code: "impact_assessment",
        leads: &[("TĐĐG", 1)],
        coordinating: &["KSONMT", "PC", "TTRA", "QLCT"],
        matters: &[
            "đề nghị thẩm định báo cáo đánh giá tác động môi trường của {project}",
            "đề nghị cấp giấy phép môi trường cho {project}",
            "góp ý báo cáo đánh giá tác động môi trường của {project}",
            "đề nghị kiểm tra, xác nhận hoàn thành công trình bảo vệ môi trường của {project}",
            "vận hành thử nghiệm công trình xử lý chất thải của {project}",
            "điều chỉnh nội dung báo cáo đánh giá tác động môi trường đã được phê duyệt của {project}",
            "hướng dẫn thủ tục cấp giấy phép môi trường đối với cơ sở đang hoạt động tại {province}",
            "đánh giá môi trường chiến lược quy hoạch {province} thời kỳ 2021 - 2030",
            "cung cấp hồ sơ bổ sung báo cáo đánh giá tác động môi trường của {project}",
            "gia hạn giấy phép xả thải của {company}",
            "thay đổi chủ đầu tư {project}",
            "kết quả tham vấn cộng đồng dân cư về {project}",
        ],
        decisions: &[
            "thành lập Hội đồng thẩm định báo cáo đánh giá tác động môi trường của {project}",
            "phê duyệt kết quả thẩm định báo cáo đánh giá tác động môi trường của {project}",
            "cấp giấy phép môi trường cho {project}",
            "xác nhận hoàn thành công trình bảo vệ môi trường của {project}",
            "thành lập Đoàn kiểm tra việc vận hành thử nghiệm {project}",
        ],
        reports: &[
            "Kết quả thẩm định báo cáo đánh giá tác động môi trường của {project}",
            "Tình hình thực hiện các công trình bảo vệ môi trường của {project}",
            "Kết quả vận hành thử nghiệm công trình xử lý chất thải của {project}",
            "Công tác thẩm định, phê duyệt báo cáo đánh giá tác động môi trường {quarter} năm {year}",
        ],
        plans: &[
            "kiểm tra sau thẩm định báo cáo đánh giá tác động môi trường năm {year}",
            "triển khai cấp giấy phép môi trường theo Luật Bảo vệ môi trường năm 2020",
        ],
        meetings: &[
            "phiên họp Hội đồng thẩm định báo cáo đánh giá tác động môi trường của {project}",
            "khảo sát thực địa {project}",
            "hội thảo tham vấn về đánh giá môi trường chiến lược quy hoạch {province}",
        ],
    },
    Topic {
        code: "pollution_control",
        leads: &[("KSONMT", 1)],
        coordinating: &["TTQT", "TTRA", "QLCT", "TĐĐG"],
        matters: &[
            "xử lý nước thải tại {park}",
            "tình trạng ô nhiễm môi trường tại {village}",
            "kiểm soát ô nhiễm môi trường không khí tại {province}",
            "khắc phục ô nhiễm môi trường {river}",
            "xử lý triệt để cơ sở gây ô nhiễm môi trường nghiêm trọng trên địa bàn {province}",
            "ô nhiễm môi trường do hoạt động của {company}",
            "kiểm soát ô nhiễm môi trường tại các cụm công nghiệp trên địa bàn {province}",
            "đề nghị hỗ trợ kinh phí xử lý ô nhiễm môi trường tại {village}",
            "cải tạo, phục hồi môi trường các khu vực bị ô nhiễm tồn lưu hóa chất bảo vệ thực vật tại {province}",
            "ô nhiễm bụi mịn PM2.5 tại các đô thị lớn",
            "thực hiện Đề án bảo vệ môi trường {river}",
            "xử lý sự cố môi trường tại {province}",
            "kiểm soát nguồn thải lớn trên địa bàn {province}",
            "phòng ngừa, ứng phó sự cố tràn dầu tại vùng biển {province}",
        ],
        decisions: &[
            "thành lập Đoàn kiểm tra công tác kiểm soát ô nhiễm môi trường tại {province}",
            "ban hành Kế hoạch quốc gia về quản lý chất lượng môi trường không khí giai đoạn 2021 - 2025",
            "phê duyệt danh mục cơ sở gây ô nhiễm môi trường nghiêm trọng cần xử lý năm {year}",
            "giao nhiệm vụ kiểm soát ô nhiễm môi trường {river}",
        ],
        reports: &[
            "Tình hình xử lý cơ sở gây ô nhiễm môi trường nghiêm trọng trên địa bàn {province}",
            "Kết quả kiểm soát ô nhiễm môi trường tại {park}",
            "Hiện trạng môi trường {river} năm {prev_year}",
            "Kết quả xử lý ô nhiễm môi trường tại {village}",
            "Công tác kiểm soát ô nhiễm môi trường không khí {quarter} năm {year}",
        ],
        plans: &[
            "kiểm soát ô nhiễm môi trường {river} năm {year}",
            "quản lý chất lượng môi trường không khí trên địa bàn {province} năm {year}",
            "xử lý triệt để các cơ sở gây ô nhiễm môi trường nghiêm trọng giai đoạn 2020 - 2025",
        ],
        meetings: &[
            "họp Ủy ban Bảo vệ môi trường {river}",
            "hội thảo về quản lý chất lượng không khí tại các đô thị",
            "làm việc với {company} về tình hình xả thải",
        ],
    },
    Topic {
        code: "waste",
        leads: &[("QLCT", 1)],
        coordinating: &["KSONMT", "PC", "TTRA", "KHTC"],
        matters: &[
            "quản lý chất thải rắn sinh hoạt trên địa bàn {province}",
            "đề nghị cấp giấy xác nhận đủ điều kiện về bảo vệ môi trường trong nhập khẩu phế liệu làm nguyên liệu sản xuất cho {company}",
            "quản lý chất thải nguy hại tại {park}",
            "xử lý chất thải y tế trên địa bàn {province}",
            "giảm thiểu chất thải nhựa, túi ni lông khó phân hủy",
            "đầu tư khu xử lý chất thải rắn tập trung tại {province}",
            "cấp giấy phép xử lý chất thải nguy hại cho {company}",
            "xử lý phế liệu nhập khẩu tồn đọng tại cảng biển",
            "phân loại chất thải rắn sinh hoạt tại nguồn",
            "quản lý bao gói thuốc bảo vệ thực vật sau sử dụng tại {province}",
            "tình hình quá tải tại bãi chôn lấp chất thải rắn sinh hoạt {province}",
            "thu hồi, xử lý sản phẩm thải bỏ theo trách nhiệm mở rộng của nhà sản xuất",
        ],
        decisions: &[
            "cấp giấy phép xử lý chất thải nguy hại cho {company}",
            "cấp giấy xác nhận đủ điều kiện về bảo vệ môi trường trong nhập khẩu phế liệu cho {company}",
            "thành lập Đoàn kiểm tra cơ sở nhập khẩu phế liệu tại {province}",
            "phê duyệt Đề án quản lý chất thải nhựa đại dương",
        ],
        reports: &[
            "Tình hình quản lý chất thải rắn sinh hoạt trên địa bàn {province} năm {prev_year}",
            "Kết quả kiểm tra các cơ sở nhập khẩu phế liệu",
            "Công tác quản lý chất thải nguy hại {quarter} năm {year}",
            "Kết quả thực hiện Chỉ thị số 33/CT-TTg về tăng cường quản lý, tái sử dụng, tái chế, xử lý và giảm thiểu chất thải nhựa",
        ],
        plans: &[
            "kiểm tra cơ sở xử lý chất thải nguy hại năm {year}",
            "triển khai phân loại chất thải rắn sinh hoạt tại nguồn trên địa bàn {province}",
            "hành động quốc gia về quản lý rác thải nhựa đại dương",
        ],
        meetings: &[
            "hội thảo về quản lý chất thải rắn sinh hoạt tại khu vực nông thôn",
            "kiểm tra cơ sở xử lý chất thải nguy hại của {company}",
            "hội nghị triển khai quy định về nhập khẩu phế liệu",
        ],
    },
    Topic {
        code: "monitoring",
        leads: &[("TTQT", 3), ("KSONMT", 2)],
        coordinating: &["TTDL", "KSONMT", "TTQT", "HTQT"],
        matters: &[
            "truyền số liệu quan trắc nước thải tự động, liên tục của {company}",
            "kết quả quan trắc môi trường {river} đợt {round} năm {year}",
            "vận hành trạm quan trắc không khí tự động tại {province}",
            "cung cấp số liệu quan trắc môi trường phục vụ xây dựng báo cáo hiện trạng môi trường",
            "chứng nhận đủ điều kiện hoạt động dịch vụ quan trắc môi trường cho {company}",
            "kết nối dữ liệu quan trắc tự động của {province} về Tổng cục Môi trường",
            "thực hiện chương trình quan trắc môi trường quốc gia năm {year}",
            "sự cố mất kết nối dữ liệu quan trắc tự động tại {park}",
            "kiểm định, hiệu chuẩn thiết bị quan trắc môi trường",
        ],
        decisions: &[
            "phê duyệt Chương trình quan trắc môi trường quốc gia năm {year}",
            "chứng nhận đủ điều kiện hoạt động dịch vụ quan trắc môi trường cho {company}",
            "giao nhiệm vụ quan trắc môi trường {river} năm {year}",
        ],
        reports: &[
            "Kết quả quan trắc môi trường {river} {quarter} năm {year}",
            "Kết quả quan trắc chất lượng không khí tại {province} tháng {month}/{year}",
            "Tình hình vận hành hệ thống quan trắc tự động trên địa bàn {province}",
            "Kết quả quan trắc môi trường nước mặt năm {prev_year}",
        ],
        plans: &[
            "quan trắc môi trường {river} năm {year}",
            "kiểm tra hoạt động dịch vụ quan trắc môi trường năm {year}",
        ],
        meetings: &[
            "hội thảo về quan trắc môi trường tự động, liên tục",
            "kiểm tra trạm quan trắc môi trường không khí tự động tại {province}",
        ],
    },
    Topic {
        code: "biodiversity",
        leads: &[("BTTN", 1)],
        coordinating: &["HTQT", "PC", "TTDL"],
        matters: &[
            "bảo tồn loài {species} tại {reserve}",
            "thành lập khu bảo tồn thiên nhiên trên địa bàn {province}",
            "quản lý sinh vật biến đổi gen",
            "kiểm soát loài ngoại lai xâm hại trên địa bàn {province}",
            "đề cử {reserve} là khu Ramsar",
            "tiếp cận nguồn gen và chia sẻ lợi ích",
            "báo cáo quốc gia về đa dạng sinh học",
            "quy hoạch tổng thể bảo tồn đa dạng sinh học của cả nước",
            "công nhận {reserve} là Vườn di sản ASEAN",
            "cấp giấy chứng nhận cơ sở bảo tồn đa dạng sinh học cho {company}",
        ],
        decisions: &[
            "phê duyệt Kế hoạch hành động bảo tồn loài {species}",
            "thành lập Đoàn khảo sát đa dạng sinh học tại {reserve}",
            "ban hành Hướng dẫn kỹ thuật kiểm kê đa dạng sinh học",
        ],
        reports: &[
            "Hiện trạng đa dạng sinh học tại {reserve}",
            "Kết quả thực hiện Chiến lược quốc gia về đa dạng sinh học năm {year}",
            "Tình hình quản lý các khu bảo tồn trên địa bàn {province}",
        ],
        plans: &[
            "hành động bảo tồn loài {species} giai đoạn 2021 - 2025",
            "kiểm kê đa dạng sinh học tại {reserve}",
            "tổ chức Ngày Quốc tế Đa dạng sinh học năm {year}",
        ],
        meetings: &[
            "hội thảo về bảo tồn đa dạng sinh học tại {reserve}",
            "khảo sát hiện trạng đa dạng sinh học tại {reserve}",
        ],
    },
    Topic {
        code: "inspection",
        leads: &[("TTRA", 1)],
        coordinating: &["KSONMT", "QLCT", "TĐĐG", "PC"],
        matters: &[
            "giải quyết đơn khiếu nại của công dân về ô nhiễm môi trường tại {province}",
            "xử phạt vi phạm hành chính trong lĩnh vực bảo vệ môi trường đối với {company}",
            "kết quả thanh tra việc chấp hành pháp luật về bảo vệ môi trường của {company}",
            "đơn tố cáo hành vi xả thải trái phép tại {park}",
            "chuyển đơn phản ánh của công dân về {village}",
            "thực hiện kết luận thanh tra tại {province}",
            "cung cấp hồ sơ phục vụ công tác thanh tra tại {company}",
            "xử lý kiến nghị sau thanh tra về bảo vệ môi trường tại {park}",
            "phối hợp kiểm tra đột xuất {company}",
        ],
        decisions: &[
            "thanh tra việc chấp hành pháp luật về bảo vệ môi trường đối với {company}",
            "xử phạt vi phạm hành chính trong lĩnh vực bảo vệ môi trường đối với {company}",
            "thành lập Đoàn kiểm tra đột xuất tại {park}",
            "giải quyết khiếu nại của {company}",
        ],
        reports: &[
            "Kết quả thanh tra việc chấp hành pháp luật về bảo vệ môi trường tại {province}",
            "Công tác thanh tra, kiểm tra và xử lý vi phạm {quarter} năm {year}",
            "Kết quả giải quyết khiếu nại, tố cáo năm {year}",
            "Kết quả kiểm tra việc chấp hành pháp luật về bảo vệ môi trường tại {company}",
        ],
        plans: &[
            "thanh tra, kiểm tra năm {next_year}",
            "kiểm tra việc thực hiện kết luận thanh tra tại {province}",
        ],
        meetings: &[
            "công bố Quyết định thanh tra tại {company}",
            "họp Đoàn thanh tra về bảo vệ môi trường tại {province}",
        ],
    },
    Topic {
        code: "legal",
        leads: &[("PC", 1)],
        coordinating: &["KSONMT", "QLCT", "TĐĐG", "BTTN", "TTRA"],
        matters: &[
            "góp ý {draft}",
            "rà soát văn bản quy phạm pháp luật về bảo vệ môi trường",
            "triển khai thi hành Luật Bảo vệ môi trường năm 2020",
            "kiểm tra văn bản quy phạm pháp luật do {province} ban hành",
            "hướng dẫn áp dụng quy chuẩn kỹ thuật quốc gia về môi trường",
            "phổ biến, giáo dục pháp luật về bảo vệ môi trường năm {year}",
            "đề nghị giải thích quy định về phí bảo vệ môi trường đối với nước thải",
            "cắt giảm, đơn giản hóa thủ tục hành chính trong lĩnh vực môi trường",
        ],
        decisions: &[
            "ban hành Kế hoạch triển khai thi hành Luật Bảo vệ môi trường năm 2020",
            "thành lập Tổ biên tập xây dựng {draft}",
            "công bố thủ tục hành chính lĩnh vực môi trường",
            "ban hành Kế hoạch phổ biến, giáo dục pháp luật năm {year}",
        ],
        reports: &[
            "Kết quả rà soát văn bản quy phạm pháp luật về bảo vệ môi trường năm {year}",
            "Tình hình thi hành pháp luật về bảo vệ môi trường năm {prev_year}",
            "Tổng hợp ý kiến góp ý {draft}",
        ],
        plans: &[
            "xây dựng văn bản quy phạm pháp luật năm {next_year}",
            "hướng dẫn thi hành Luật Bảo vệ môi trường năm 2020",
        ],
        meetings: &[
            "hội thảo góp ý {draft}",
            "họp Tổ biên tập xây dựng {draft}",
        ],
    },
    Topic {
        code: "finance",
        leads: &[("KHTC", 1)],
        coordinating: &["VP", "TCCB", "KSONMT", "QLCT"],
        matters: &[
            "giao dự toán ngân sách nhà nước năm {year}",
            "kinh phí sự nghiệp bảo vệ môi trường năm {next_year}",
            "quyết toán kinh phí năm {prev_year}",
            "đề xuất nhiệm vụ chuyên môn sử dụng kinh phí sự nghiệp môi trường năm {next_year}",
            "điều chỉnh dự toán ngân sách năm {year}",
            "kế hoạch đầu tư công trung hạn giai đoạn 2021 - 2025",
            "mua sắm tài sản, trang thiết bị năm {year}",
            "thẩm định dự toán nhiệm vụ {task}",
            "báo cáo tình hình giải ngân vốn đầu tư công năm {year}",
        ],
        decisions: &[
            "giao dự toán ngân sách nhà nước năm {year}",
            "phê duyệt dự toán nhiệm vụ {task}",
            "phê duyệt kế hoạch lựa chọn nhà thầu nhiệm vụ {task}",
            "phê duyệt quyết toán kinh phí năm {prev_year}",
        ],
        reports: &[
            "Tình hình thực hiện dự toán ngân sách {quarter} năm {year}",
            "Quyết toán ngân sách nhà nước năm {prev_year}",
            "Tình hình giải ngân vốn đầu tư công năm {year}",
        ],
        plans: &[
            "tài chính - ngân sách nhà nước năm {next_year}",
            "mua sắm tài sản năm {year}",
        ],
        meetings: &[
            "họp thẩm định dự toán nhiệm vụ chuyên môn năm {next_year}",
            "làm việc về tình hình giải ngân vốn đầu tư công",
        ],
    },
    Topic {
        code: "personnel",
        leads: &[("TCCB", 1)],
        coordinating: &["VP", "KHTC"],
        matters: &[
            "cử cán bộ tham gia lớp bồi dưỡng kiến thức quản lý nhà nước",
            "thi đua, khen thưởng năm {year}",
            "đánh giá, xếp loại công chức, viên chức năm {year}",
            "quy hoạch cán bộ lãnh đạo, quản lý giai đoạn 2021 - 2026",
            "tuyển dụng công chức năm {year}",
            "kê khai tài sản, thu nhập năm {year}",
            "nâng bậc lương thường xuyên, nâng bậc lương trước thời hạn",
            "rà soát vị trí việc làm và cơ cấu ngạch công chức",
            "cử cán bộ đi công tác nước ngoài",
        ],
        decisions: &[
            "cử cán bộ đi công tác tại {province}",
            "nâng bậc lương đối với công chức, viên chức",
            "khen thưởng tập thể, cá nhân có thành tích xuất sắc năm {year}",
            "bổ nhiệm lại công chức lãnh đạo",
            "thành lập Hội đồng thi đua - khen thưởng",
        ],
        reports: &[
            "Kết quả đánh giá, xếp loại công chức, viên chức năm {year}",
            "Tình hình thực hiện biên chế năm {year}",
            "Công tác đào tạo, bồi dưỡng cán bộ năm {year}",
        ],
        plans: &[
            "đào tạo, bồi dưỡng công chức, viên chức năm {next_year}",
            "tổ chức phong trào thi đua năm {year}",
        ],
        meetings: &[
            "hội nghị tổng kết công tác thi đua, khen thưởng năm {year}",
            "họp Hội đồng thi đua - khen thưởng",
        ],
    },
    Topic {
        code: "international",
        leads: &[("HTQT", 1)],
        coordinating: &["KHTC", "BTTN", "KSONMT", "QLCT"],
        matters: &[
            "đón tiếp đoàn công tác của {partner}",
            "thực hiện dự án hợp tác với {partner}",
            "tham gia Hội nghị các Bên tham gia {convention}",
            "đề xuất dự án sử dụng vốn ODA trong lĩnh vực môi trường",
            "thực hiện nghĩa vụ quốc gia thành viên {convention}",
            "đề xuất nhiệm vụ khoa học và công nghệ năm {next_year}",
            "nghiệm thu đề tài khoa học và công nghệ cấp Bộ",
            "ký kết Bản ghi nhớ hợp tác với {partner}",
        ],
        decisions: &[
            "cử đoàn đi công tác tại {partner}",
            "phê duyệt văn kiện dự án hợp tác với {partner}",
            "thành lập Hội đồng nghiệm thu đề tài khoa học và công nghệ",
        ],
        reports: &[
            "Kết quả làm việc với {partner}",
            "Tình hình thực hiện các dự án hợp tác quốc tế năm {year}",
            "Kết quả tham dự Hội nghị các Bên tham gia {convention}",
        ],
        plans: &[
            "hợp tác quốc tế năm {next_year}",
            "thực hiện {convention} giai đoạn 2021 - 2025",
        ],
        meetings: &[
            "tiếp và làm việc với đoàn {partner}",
            "hội thảo khởi động dự án hợp tác với {partner}",
        ],
    },
    Topic {
        code: "data",
        leads: &[("TTDL", 1)],
        coordinating: &["TTQT", "TH", "KSONMT"],
        matters: &[
            "cung cấp thông tin, dữ liệu về môi trường",
            "xây dựng báo cáo hiện trạng môi trường quốc gia giai đoạn 2016 - 2020",
            "xây dựng cơ sở dữ liệu môi trường quốc gia",
            "báo cáo thống kê về môi trường năm {prev_year}",
            "cập nhật bộ chỉ tiêu thống kê ngành môi trường",
            "tích hợp dữ liệu quan trắc môi trường của {province}",
            "điều tra, thống kê nguồn thải trên địa bàn {province}",
        ],
        decisions: &[
            "ban hành Quy chế quản lý, khai thác cơ sở dữ liệu môi trường",
            "giao nhiệm vụ xây dựng báo cáo hiện trạng môi trường năm {year}",
        ],
        reports: &[
            "Hiện trạng môi trường {province} năm {prev_year}",
            "Tình hình xây dựng cơ sở dữ liệu môi trường năm {year}",
            "Số liệu thống kê môi trường năm {prev_year}",
        ],
        plans: &[
            "điều tra, thống kê nguồn thải năm {year}",
            "xây dựng cơ sở dữ liệu môi trường quốc gia năm {year}",
        ],
        meetings: &[
            "hội thảo góp ý dự thảo báo cáo hiện trạng môi trường quốc gia",
            "tập huấn sử dụng phần mềm cơ sở dữ liệu môi trường",
        ],
    },
    Topic {
        code: "communication",
        leads: &[("TTTT", 1)],
        coordinating: &["VP", "HTQT", "BTTN"],
        matters: &[
            "tổ chức các hoạt động hưởng ứng Ngày Môi trường thế giới năm {year}",
            "tổ chức Chiến dịch làm cho thế giới sạch hơn năm {year}",
            "truyền thông về phân loại chất thải rắn sinh hoạt tại nguồn",
            "phối hợp tuyên truyền về bảo vệ môi trường trên {media}",
            "tổ chức Giải thưởng Môi trường Việt Nam năm {year}",
            "tập huấn nghiệp vụ truyền thông môi trường cho cán bộ {province}",
            "thông tin phản hồi về bài viết trên {media}",
        ],
        decisions: &[
            "tặng Giải thưởng Môi trường Việt Nam năm {year}",
            "ban hành Kế hoạch thông tin, tuyên truyền về bảo vệ môi trường năm {year}",
        ],
        reports: &[
            "Kết quả tổ chức các hoạt động hưởng ứng Ngày Môi trường thế giới năm {year}",
            "Công tác thông tin, tuyên truyền về bảo vệ môi trường năm {year}",
        ],
        plans: &[
            "thông tin, tuyên truyền về bảo vệ môi trường năm {next_year}",
            "tổ chức Tháng hành động vì môi trường năm {year}",
        ],
        meetings: &[
            "lễ phát động Tháng hành động vì môi trường năm {year}",
            "lễ trao Giải thưởng Môi trường Việt Nam năm {year}",
            "tập huấn truyền thông về bảo vệ môi trường",
        ],
    },
    Topic {
        code: "general",
        leads: &[("TH", 3), ("VP", 2)],
        coordinating: &["KHTC", "KSONMT", "QLCT", "TĐĐG", "PC", "TTDL"],
        matters: &[
            "báo cáo kết quả thực hiện nhiệm vụ tháng {month}/{year}",
            "xây dựng Chương trình công tác năm {next_year}",
            "báo cáo công tác bảo vệ môi trường năm {year} theo Thông tư số 19/2016/TT-BTNMT",
            "thực hiện Chỉ thị số 25/CT-TTg về một số nhiệm vụ, giải pháp cấp bách về bảo vệ môi trường",
            "thực hiện Nghị quyết số 01/NQ-CP về nhiệm vụ, giải pháp chủ yếu năm {year}",
            "đánh giá kết quả bảo vệ môi trường của các địa phương theo Bộ chỉ số",
            "cải cách hành chính năm {year}",
            "tổng hợp tình hình thực hiện nhiệm vụ được Chính phủ, Thủ tướng Chính phủ giao",
            "chuẩn bị nội dung phục vụ Lãnh đạo Bộ làm việc với {province}",
            "báo cáo phục vụ Đoàn giám sát của Quốc hội về bảo vệ môi trường",
            "phòng, chống dịch bệnh COVID-19 tại cơ quan",
            "sơ kết công tác 6 tháng đầu năm {year}",
            "tổng kết công tác năm {year} và triển khai nhiệm vụ năm {next_year}",
        ],
        decisions: &[
            "ban hành Chương trình công tác năm {next_year}",
            "ban hành Quy chế làm việc",
            "ban hành Kế hoạch cải cách hành chính năm {year}",
            "giao chỉ tiêu kế hoạch năm {year}",
        ],
        reports: &[
            "Kết quả thực hiện nhiệm vụ tháng {month}/{year}",
            "Công tác bảo vệ môi trường năm {year}",
            "Tình hình thực hiện nhiệm vụ {quarter} năm {year}",
            "Kết quả thực hiện Chỉ thị số 25/CT-TTg năm {year}",
            "Tổng kết công tác năm {year}",
            "Kết quả cải cách hành chính {quarter} năm {year}",
        ],
        plans: &[
            "công tác năm {next_year}",
            "cải cách hành chính năm {year}",
            "triển khai Nghị quyết số 01/NQ-CP năm {year}",
        ],
        meetings: &[
            "hội nghị tổng kết công tác năm {year}",
            "họp giao ban tháng {month}/{year}",
            "làm việc với Đoàn giám sát của Quốc hội về bảo vệ môi trường",
            "sơ kết công tác 6 tháng đầu năm {year}",
        ],
    },
    Topic {
        code: "office",
        leads: &[("HCVT", 3), ("VP", 1)],
        coordinating: &["KHTC", "TTDL"],
        matters: &[
            "công tác văn thư, lưu trữ năm {year}",
            "giao nộp hồ sơ, tài liệu vào lưu trữ cơ quan",
            "sử dụng chữ ký số trong gửi, nhận văn bản điện tử",
            "kết nối Trục liên thông văn bản quốc gia",
            "bảo đảm an toàn, an ninh trụ sở cơ quan",
            "quản lý, sử dụng xe ô tô công",
            "thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư",
        ],
        decisions: &[
            "ban hành Danh mục hồ sơ năm {year}",
            "ban hành Quy chế công tác văn thư, lưu trữ",
            "thành lập Hội đồng xác định giá trị tài liệu",
        ],
        reports: &[
            "Thống kê công tác văn thư, lưu trữ năm {year}",
            "Kết quả thực hiện gửi, nhận văn bản điện tử năm {year}",
        ],
        plans: &[
            "công tác văn thư, lưu trữ năm {next_year}",
            "chỉnh lý tài liệu tồn đọng năm {year}",
        ],
        meetings: &["tập huấn nghiệp vụ văn thư, lưu trữ"],
    },
    Topic {
        code: "hotline",
        leads: &[("KSONMT", 1), ("ĐDN", 1)],
        coordinating: &["TTRA", "ĐDN", "KSONMT"],
        matters: &[
            "thông tin phản ánh về ô nhiễm môi trường tại {village}",
            "phản ánh của người dân về hoạt động xả thải của {company}",
            "xác minh thông tin phản ánh trên {media} về ô nhiễm môi trường tại {province}",
            "kết quả xử lý thông tin phản ánh qua đường dây nóng tại {province}",
            "hiện tượng cá chết hàng loạt trên {river}",
            "mùi hôi từ bãi chôn lấp chất thải tại {province}",
            "khói bụi từ hoạt động của {company}",
        ],
        decisions: &["thành lập Đoàn xác minh thông tin phản ánh về ô nhiễm môi trường tại {province}"],
        reports: &[
            "Kết quả xử lý thông tin phản ánh về ô nhiễm môi trường tại {province}",
            "Tình hình tiếp nhận, xử lý thông tin qua đường dây nóng tháng {month}/{year}",
        ],
        plans: &["vận hành đường dây nóng về ô nhiễm môi trường năm {year}"],
        meetings: &["kiểm tra, xác minh thông tin phản ánh về ô nhiễm môi trường tại {company}"],
    },
];

/// What the organisations of the directory write about, by abbreviation, with weights:
/// a ministry of finance writes about budgets, the environmental police about inspections.
/// It also decides which of them receive the agency's letters on a topic.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const ORGANISATION_TOPICS: &[(&str, &[(&str, u32)])] = &[
    ("BQP", &[("pollution_control", 2), ("legal", 2), ("international", 1)]),
    ("BCA", &[("inspection", 3), ("hotline", 2), ("legal", 1)]),
    ("BCT", &[("waste", 3), ("pollution_control", 2), ("legal", 2), ("impact_assessment", 1)]),
    ("BXD", &[("waste", 3), ("legal", 2), ("impact_assessment", 2)]),
    ("BYT", &[("waste", 3), ("pollution_control", 2), ("legal", 1)]),
    ("BTC", &[("finance", 5), ("legal", 2)]),
    ("BNV", &[("personnel", 4), ("office", 2), ("legal", 1)]),
    ("BTP", &[("legal", 5)]),
    ("BKHCN", &[("legal", 2), ("monitoring", 2), ("international", 2)]),
    ("BNG", &[("international", 5)]),
    ("BGDĐT", &[("communication", 4), ("personnel", 1)]),
    ("BVHTTDL", &[("communication", 3), ("biodiversity", 2)]),
    ("BKHĐT", &[("finance", 4), ("international", 2), ("legal", 1)]),
    ("BGTVT", &[("impact_assessment", 3), ("waste", 1), ("pollution_control", 2)]),
    ("BTTTT", &[("data", 3), ("communication", 2), ("office", 2)]),
    ("BNNPTNT", &[("biodiversity", 3), ("pollution_control", 2), ("waste", 2), ("legal", 1)]),
    ("BNNMT", &[("general", 3), ("legal", 2), ("finance", 1)]),
    ("BDTTG", &[("general", 2), ("communication", 1)]),
    ("TTCP", &[("inspection", 5)]),
    ("NHNN", &[("finance", 3), ("legal", 1)]),
    ("QLĐĐ", &[("legal", 2), ("impact_assessment", 2)]),
    ("BĐKH", &[("international", 3), ("monitoring", 2), ("data", 1)]),
    ("QLTNN", &[("monitoring", 3), ("pollution_control", 2), ("legal", 1)]),
    ("KTTV", &[("monitoring", 3), ("data", 2)]),
    ("BHĐVN", &[("pollution_control", 3), ("biodiversity", 2)]),
    ("LNKL", &[("biodiversity", 4)]),
    ("C05", &[("inspection", 4), ("hotline", 3)]),
    ("CHC", &[("waste", 3), ("legal", 1)]),
    ("KSTT", &[("legal", 3), ("general", 2)]),
    ("VTLTNN", &[("office", 5)]),
    ("CTK", &[("data", 5)]),
    ("VTV", &[("communication", 3), ("hotline", 3)]),
    ("TTXVN", &[("communication", 3), ("hotline", 3)]),
    ("UBKHCNMT", &[("legal", 4), ("pollution_control", 2), ("waste", 2), ("general", 2)]),
    ("VPQH", &[("general", 3), ("legal", 2)]),
    ("MTTQ", &[("general", 2), ("communication", 2), ("pollution_control", 1)]),
    ("KTNN", &[("finance", 4), ("inspection", 1)]),
    ("ĐĐBQH", &[("pollution_control", 3), ("waste", 3), ("general", 2)]),
    ("BDN", &[("general", 3), ("pollution_control", 1)]),
    ("VACNE", &[("communication", 3), ("biodiversity", 2), ("legal", 1)]),
    ("VUSTA", &[("legal", 3), ("communication", 1), ("international", 1)]),
];

/// Kinds of project, for `{project}` ("Nhà máy xi măng Tân Phước tại tỉnh Nghệ An").
pub const PROJECT_KINDS: &[&str] = &[
    "Nhà máy nhiệt điện",
    "Nhà máy xử lý chất thải rắn sinh hoạt",
    "Khu đô thị mới",
    "Nhà máy sản xuất giấy",
    "Dự án khai thác đá vôi làm vật liệu xây dựng",
    "Cảng tổng hợp",
    "Nhà máy luyện thép",
    "Đường cao tốc",
    "Nhà máy xi măng",
    "Khu du lịch sinh thái",
    "Nhà máy điện gió",
    "Trang trại chăn nuôi lợn",
    "Nhà máy chế biến thủy sản",
    "Khu công nghiệp",
    "Nhà máy sản xuất phân bón",
    "Nhà máy dệt nhuộm",
    "Bệnh viện đa khoa",
    "Nhà máy điện mặt trời",
    "Khu liên hợp xử lý chất thải",
    "Nhà máy chế biến mủ cao su",
];

/// Invented place-like names for projects and industrial parks.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const PLACE_NAMES: &[&str] = &[
    "Bắc Sơn", "Tân Phước", "Đông Hải", "Nam Thắng", "Phú Mỹ", "Hòa Lạc", "An Phú", "Long Thành",
    "Thuận An", "Vĩnh Tân", "Quảng Phú", "Hiệp Phước", "Đình Vũ", "Tràng Duệ", "Phố Nối",
    "Yên Phong", "Quế Võ", "Nhơn Trạch", "Tân Tạo", "Sóng Thần", "Hòa Khánh", "Liên Chiểu",
    "Dung Quất", "Nghi Sơn", "Vũng Áng", "Chu Lai", "Đồng Văn", "Châu Sơn", "Khánh Phú",
    "Tiên Sơn", "Lễ Môn", "Bỉm Sơn", "Cái Lân", "Đông Mai", "Hải Yến", "Tam Điệp",
];

pub const COMPANY_FORMS: &[&str] = &["Cổ phần", "TNHH", "TNHH MTV", "Cổ phần"];

// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const COMPANY_SECTORS: &[&str] = &[
    "Giấy", "Thép", "Xi măng", "Dệt nhuộm", "Chế biến thủy sản", "Môi trường đô thị", "Nhiệt điện",
    "Hóa chất", "Phân bón", "Khoáng sản", "Bia - Nước giải khát", "Mía đường", "Chăn nuôi",
    "Xử lý chất thải", "Cao su", "Bao bì nhựa", "Thuộc da", "Tái chế kim loại", "Gạch Tuynel",
    "Chế biến tinh bột sắn",
];

/// Invented company names; with the sector they read like a business without naming one.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const COMPANY_NAMES: &[&str] = &[
    "Tân Phú Long", "Hòa Bình Xanh", "Phương Nam", "Đại Thành", "Minh Khang", "Sông Hồng",
    "Việt Tiến Phát", "Thái Sơn", "Bảo An", "Thuận Phát", "Kim Long", "Hải Đăng", "Tràng An",
    "Nam Việt", "Đông Á", "Trường Sơn", "Phú Gia", "An Khang", "Lam Sơn", "Hoàng Long",
    "Bình Minh", "Quang Trung", "Hợp Nhất", "Tân Thành", "Sao Mai", "Phúc Lâm", "Hưng Phát",
    "Đức Tín", "Thiên Ân", "Vạn Xuân",
];
/// Rivers and basins with the provinces they run through (names before and after the 2025
/// reform), so that a province writes about its own rivers.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const RIVERS: &[(&str, &[&str])] = &[
    ("lưu vực sông Nhuệ - sông Đáy", &["Hà Nội", "Hà Nam", "Nam Định", "Ninh Bình", "Hòa Bình"]),
    ("lưu vực sông Cầu", &["Bắc Kạn", "Thái Nguyên", "Bắc Giang", "Bắc Ninh", "Vĩnh Phúc", "Hà Nội", "Hải Dương", "Phú Thọ"]),
    ("lưu vực hệ thống sông Đồng Nai", &["Đồng Nai", "Bình Dương", "Hồ Chí Minh", "Lâm Đồng", "Bình Phước", "Tây Ninh", "Long An", "Bà Rịa - Vũng Tàu", "Đắk Nông"]),
    ("sông Thị Vải", &["Đồng Nai", "Bà Rịa - Vũng Tàu", "Hồ Chí Minh"]),
    ("hệ thống thủy lợi Bắc Hưng Hải", &["Hà Nội", "Hưng Yên", "Hải Dương", "Bắc Ninh"]),
    ("sông Tô Lịch", &["Hà Nội"]),
    ("sông Ngũ Huyện Khê", &["Bắc Ninh"]),
    ("sông Cầu Bây", &["Hà Nội"]),
    ("sông La Ngà", &["Đồng Nai", "Lâm Đồng", "Bình Thuận"]),
    ("lưu vực sông Vu Gia - Thu Bồn", &["Đà Nẵng", "Quảng Nam", "Kon Tum"]),
    ("sông Sài Gòn", &["Hồ Chí Minh", "Bình Dương", "Tây Ninh", "Bình Phước"]),
    ("sông Hồng", &["Lào Cai", "Yên Bái", "Phú Thọ", "Hà Nội", "Hưng Yên", "Hà Nam", "Thái Bình", "Nam Định"]),
    ("vịnh Hạ Long", &["Quảng Ninh"]),
    ("sông Hương", &["Huế"]),
    ("sông Hậu", &["Cần Thơ", "An Giang", "Hậu Giang", "Sóc Trăng", "Vĩnh Long", "Đồng Tháp"]),
    ("sông Tiền", &["Đồng Tháp", "Tiền Giang", "Vĩnh Long", "Bến Tre", "An Giang"]),
    ("sông Mã", &["Thanh Hóa", "Sơn La", "Điện Biên"]),
    ("sông Lam", &["Nghệ An", "Hà Tĩnh"]),
    ("sông Đà", &["Lai Châu", "Điện Biên", "Sơn La", "Hòa Bình", "Phú Thọ"]),
    ("sông Kinh Thầy", &["Hải Dương", "Hải Phòng", "Quảng Ninh"]),
    ("sông Trà Khúc", &["Quảng Ngãi"]),
    ("sông Sê San", &["Gia Lai", "Kon Tum"]),
    ("sông Srêpốk", &["Đắk Lắk", "Đắk Nông"]),
    ("sông Kỳ Cùng", &["Lạng Sơn"]),
    ("sông Bằng Giang", &["Cao Bằng"]),
    ("sông Lô", &["Hà Giang", "Tuyên Quang", "Phú Thọ"]),
    ("sông Gianh", &["Quảng Bình", "Quảng Trị"]),
    ("sông Thạch Hãn", &["Quảng Trị"]),
    ("sông Cái", &["Khánh Hòa"]),
    ("sông Ông Đốc", &["Cà Mau"]),
    ("sông Cái Lớn", &["Kiên Giang", "Hậu Giang", "An Giang", "Cần Thơ"]),
];
/// Craft villages with their provinces; an empty list fits any province.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const CRAFT_VILLAGES: &[(&str, &[&str])] = &[
    ("làng nghề tái chế giấy Phong Khê", &["Bắc Ninh"]),
    ("làng nghề tái chế nhựa Minh Khai", &["Hưng Yên"]),
    ("làng nghề đúc đồng Đại Bái", &["Bắc Ninh"]),
    ("làng nghề tái chế kim loại Văn Môn", &["Bắc Ninh"]),
    ("làng nghề chế biến nông sản Dương Liễu", &["Hà Nội"]),
    ("làng nghề dệt nhuộm Vạn Phúc", &["Hà Nội"]),
    ("làng nghề nấu rượu Vân Hà", &["Bắc Giang", "Bắc Ninh"]),
    ("làng nghề sản xuất gạch thủ công", &[]),
    ("làng nghề chế biến thủy sản ven biển", &[]),
    ("làng nghề thuộc da", &[]),
    ("làng nghề chế biến tinh bột sắn", &[]),
];
/// National parks and reserves with the provinces they lie in.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const RESERVES: &[(&str, &[&str])] = &[
    ("Vườn quốc gia Cúc Phương", &["Ninh Bình", "Hòa Bình", "Thanh Hóa"]),
    ("Vườn quốc gia Xuân Thủy", &["Nam Định", "Ninh Bình"]),
    ("Vườn quốc gia Cát Tiên", &["Đồng Nai", "Lâm Đồng", "Bình Phước"]),
    ("Vườn quốc gia Phong Nha - Kẻ Bàng", &["Quảng Bình", "Quảng Trị"]),
    ("Vườn quốc gia Tràm Chim", &["Đồng Tháp"]),
    ("Vườn quốc gia Ba Bể", &["Bắc Kạn", "Thái Nguyên"]),
    ("Khu bảo tồn thiên nhiên Vân Long", &["Ninh Bình"]),
    ("Khu bảo tồn thiên nhiên Pù Luông", &["Thanh Hóa"]),
    ("Vườn quốc gia Bạch Mã", &["Huế", "Quảng Nam", "Đà Nẵng"]),
    ("Vườn quốc gia U Minh Thượng", &["Kiên Giang", "An Giang"]),
    ("Vườn quốc gia Mũi Cà Mau", &["Cà Mau"]),
    ("Khu dự trữ sinh quyển Cần Giờ", &["Hồ Chí Minh"]),
    ("Vườn quốc gia Hoàng Liên", &["Lào Cai", "Lai Châu"]),
    ("Vườn quốc gia Bái Tử Long", &["Quảng Ninh"]),
    ("Vườn quốc gia Cát Bà", &["Hải Phòng"]),
    ("Vườn quốc gia Chư Yang Sin", &["Đắk Lắk"]),
    ("Vườn quốc gia Bidoup - Núi Bà", &["Lâm Đồng"]),
    ("Vườn quốc gia Pù Mát", &["Nghệ An"]),
    ("Vườn quốc gia Vũ Quang", &["Hà Tĩnh"]),
    ("Vườn quốc gia Núi Chúa", &["Ninh Thuận", "Khánh Hòa"]),
];

// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const SPECIES: &[&str] = &[
    "Sao la", "Voọc mông trắng", "Voọc Cát Bà", "Rùa biển", "Sếu đầu đỏ", "Hổ", "Voi châu Á",
    "Rùa Hoàn Kiếm", "Gấu ngựa", "Tê tê",
];

pub const DRAFTS: &[&str] = &[
    "dự thảo Nghị định quy định chi tiết một số điều của Luật Bảo vệ môi trường",
    "dự thảo Thông tư quy định chi tiết thi hành một số điều của Luật Bảo vệ môi trường",
    "dự thảo Luật Bảo vệ môi trường (sửa đổi)",
    "dự thảo Nghị định quy định về xử phạt vi phạm hành chính trong lĩnh vực bảo vệ môi trường",
    "dự thảo Quy chuẩn kỹ thuật quốc gia về nước thải công nghiệp",
    "dự thảo Quy chuẩn kỹ thuật quốc gia về chất lượng không khí",
    "dự thảo Nghị định về phí bảo vệ môi trường đối với nước thải",
    "dự thảo Chiến lược bảo vệ môi trường quốc gia đến năm 2030, tầm nhìn đến năm 2050",
    "dự thảo Luật Tài nguyên nước (sửa đổi)",
    "dự thảo Luật Đất đai (sửa đổi)",
];

pub const TASKS: &[&str] = &[
    "điều tra, đánh giá nguồn thải trên lưu vực sông",
    "xây dựng quy chuẩn kỹ thuật quốc gia về môi trường",
    "quan trắc môi trường quốc gia",
    "kiểm soát ô nhiễm môi trường không khí",
    "xây dựng cơ sở dữ liệu về chất thải",
    "bảo tồn đa dạng sinh học",
    "truyền thông nâng cao nhận thức về bảo vệ môi trường",
    "rà soát, đánh giá công tác thẩm định báo cáo đánh giá tác động môi trường",
];

pub const PARTNERS: &[&str] = &[
    "Ngân hàng Thế giới (WB)",
    "Ngân hàng Phát triển châu Á (ADB)",
    "Cơ quan Hợp tác quốc tế Nhật Bản (JICA)",
    "Chương trình Phát triển Liên hợp quốc (UNDP)",
    "Chương trình Môi trường Liên hợp quốc (UNEP)",
    "Tổ chức Hợp tác quốc tế Đức (GIZ)",
    "Bộ Môi trường Hàn Quốc",
    "Cơ quan Bảo vệ môi trường Hoa Kỳ (US EPA)",
    "Bộ Môi trường Nhật Bản",
    "Liên minh châu Âu (EU)",
];

pub const CONVENTIONS: &[&str] = &[
    "Công ước Basel",
    "Công ước Stockholm",
    "Công ước về Đa dạng sinh học",
    "Công ước Ramsar",
    "Công ước Minamata",
    "Nghị định thư Cartagena",
];

pub const MEDIA: &[&str] = &[
    "Báo Tài nguyên và Môi trường",
    "Đài Truyền hình Việt Nam",
    "Báo Nhân Dân",
    "Báo điện tử VnExpress",
    "Tạp chí Môi trường",
    "Báo Tuổi Trẻ",
    "Đài Tiếng nói Việt Nam",
];

/// The issues deputies ask about and voters petition on, with the unit whose field it is.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const PUBLIC_ISSUES: &[(&str, &str)] = &[
    ("tình trạng ô nhiễm môi trường tại các làng nghề", "KSONMT"),
    ("xử lý chất thải rắn sinh hoạt ở khu vực nông thôn", "QLCT"),
    ("quản lý nhập khẩu phế liệu làm nguyên liệu sản xuất", "QLCT"),
    ("ô nhiễm không khí tại các đô thị lớn", "KSONMT"),
    ("xử lý nước thải tại các khu công nghiệp, cụm công nghiệp", "KSONMT"),
    ("giảm thiểu chất thải nhựa và túi ni lông", "QLCT"),
    ("ô nhiễm môi trường các lưu vực sông", "KSONMT"),
    ("xử lý các cơ sở gây ô nhiễm môi trường nghiêm trọng", "KSONMT"),
    ("ô nhiễm môi trường tại các trang trại chăn nuôi tập trung", "KSONMT"),
    ("quá tải bãi chôn lấp chất thải rắn sinh hoạt", "QLCT"),
    ("xử lý chất thải y tế", "QLCT"),
    ("ô nhiễm môi trường do hoạt động khai thác khoáng sản", "TĐĐG"),
    ("bảo vệ môi trường tại các cụm công nghiệp", "KSONMT"),
    ("ô nhiễm tồn lưu hóa chất bảo vệ thực vật", "KSONMT"),
    ("quản lý bao gói thuốc bảo vệ thực vật sau sử dụng", "QLCT"),
    ("kinh phí sự nghiệp môi trường cho các địa phương", "KHTC"),
    ("xử lý chất thải rắn công nghiệp thông thường", "QLCT"),
    ("thu phí bảo vệ môi trường đối với nước thải", "PC"),
];

/// What agency leaders meet about, for conclusion notices.
pub const MEETING_SUBJECTS: &[&str] = &[
    "tình hình triển khai thi hành Luật Bảo vệ môi trường năm 2020",
    "công tác kiểm soát ô nhiễm môi trường không khí tại Hà Nội và Thành phố Hồ Chí Minh",
    "xử lý chất thải rắn sinh hoạt",
    "quản lý nhập khẩu phế liệu",
    "tiến độ xây dựng văn bản quy định chi tiết Luật Bảo vệ môi trường",
    "tình hình thực hiện nhiệm vụ 6 tháng đầu năm",
    "công tác chuẩn bị Hội nghị môi trường toàn quốc",
    "xử lý ô nhiễm môi trường các lưu vực sông",
    "tình hình giải ngân vốn đầu tư công",
    "công tác cải cách thủ tục hành chính",
    "phòng, chống dịch COVID-19 và bảo đảm hoạt động của cơ quan",
    "vận hành đường dây nóng về ô nhiễm môi trường",
];

/// Family names with rough frequency weights.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const FAMILY_NAMES: &[(&str, u32)] = &[
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 3),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trịnh", 1),
];

// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const MALE_MIDDLE: &[&str] = &[
    "Văn", "Đức", "Minh", "Hữu", "Quốc", "Thanh", "Xuân", "Công", "Anh", "Tiến", "Mạnh", "Quang",
];
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const MALE_GIVEN: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Nam", "Sơn", "Thắng", "Hải", "Long", "Phong", "Trung", "Bình",
    "Cường", "Vinh", "Hiếu", "Khánh", "Tú", "Thành", "Kiên", "Toàn", "Lực", "Hưng", "Tài", "Việt",
];
pub const FEMALE_MIDDLE: &[&str] = &["Thị", "Thu", "Ngọc", "Thanh", "Kim", "Minh", "Hồng", "Thúy"];
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const FEMALE_GIVEN: &[&str] = &[
    "Hà", "Lan", "Hương", "Hoa", "Mai", "Linh", "Thủy", "Hằng", "Nga", "Trang", "Yến", "Thảo",
    "Dung", "Huyền", "Phương", "Vân", "Loan",
];

/// Progress notes of a lead unit, in the order work usually goes.
pub const LEAD_PROGRESS: &[(&str, i64)] = &[
    ("Đã nghiên cứu hồ sơ, đang xây dựng dự thảo văn bản.", 20),
    ("Đã xin ý kiến các đơn vị phối hợp về dự thảo.", 40),
    ("Đang tổng hợp, tiếp thu ý kiến góp ý của các đơn vị.", 60),
    ("Đã trình Lãnh đạo đơn vị xem xét dự thảo.", 75),
    ("Đã trình Lãnh đạo Tổng cục ký ban hành.", 90),
];

/// Progress notes of a coordinating unit.
pub const COORDINATING_PROGRESS: &[(&str, i64)] = &[
    ("Đã nhận văn bản, đang rà soát nội dung liên quan.", 30),
    ("Đang tổng hợp số liệu để gửi đơn vị chủ trì.", 60),
];

/// Why a lead unit sends a document back.
pub const RETURN_REASONS: &[&str] = &[
    "Nội dung văn bản không thuộc chức năng, nhiệm vụ của đơn vị; đề nghị chuyển đơn vị khác chủ trì.",
    "Đề nghị giao đơn vị có chức năng quản lý lĩnh vực này chủ trì xử lý.",
    "Văn bản đã được giao xử lý tại văn bản khác; đề nghị Lãnh đạo Tổng cục xem xét lại.",
];

/// Why a due date is pushed back.
pub const EXTENSION_REASONS: &[&str] = &[
    "Nội dung phức tạp, cần thêm thời gian lấy ý kiến các đơn vị liên quan.",
    "Chờ địa phương cung cấp bổ sung hồ sơ, số liệu.",
    "Cần tổ chức kiểm tra thực tế trước khi trả lời.",
];
