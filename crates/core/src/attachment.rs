//! Which files may become attachments: the content type is sniffed from the bytes, and a
//! file whose name claims one type while its bytes are another is refused, as are
//! programs and scripts.

/// Why an upload was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    #[error("programs and scripts cannot be attached")]
    Executable,
    #[error("the file's content does not match its name")]
    TypeMismatch,
    #[error("the file name is empty or too long")]
    BadName,
}

impl UploadRefusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::Executable => "upload_executable",
            Self::TypeMismatch => "upload_type_mismatch",
            Self::BadName => "upload_bad_name",
        }
    }
}

const EXECUTABLE_TYPES: &[&str] = &[
    "application/vnd.microsoft.portable-executable",
    "application/x-msdownload",
    "application/x-executable",
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sh",
    "application/vnd.android.package-archive",
    "application/x-shockwave-flash",
    "application/java-archive",
    "application/x-java-archive",
];

/// Content types a file name's extension promises. Extensions not listed promise nothing.
fn expected_types(extension: &str) -> Option<&'static [&'static str]> {
    Some(match extension {
        "pdf" => &["application/pdf"],
        "png" => &["image/png"],
        "jpg" | "jpeg" => &["image/jpeg"],
        "gif" => &["image/gif"],
        "webp" => &["image/webp"],
        "tif" | "tiff" => &["image/tiff"],
        "mp4" | "m4v" => &["video/mp4"],
        "mp3" => &["audio/mpeg"],
        "docx" => &[
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/zip",
        ],
        "xlsx" => &[
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/zip",
        ],
        "doc" | "xls" => &[
            "application/msword",
            "application/vnd.ms-excel",
            "application/x-ole-storage",
        ],
        "zip" => &["application/zip"],
        "txt" | "csv" => &["text/plain"],
        "xml" => &["text/xml", "application/xml", "text/plain"],
        _ => return None,
    })
}

/// Decides whether a file named `file_name` whose bytes sniff as `sniffed_type` may be kept.
pub fn check_upload(file_name: &str, sniffed_type: &str) -> Result<(), UploadRefusal> {
    let name = file_name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(UploadRefusal::BadName);
    }
    if EXECUTABLE_TYPES.contains(&sniffed_type) {
        return Err(UploadRefusal::Executable);
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if matches!(
        extension.as_str(),
        "exe"
            | "dll"
            | "bat"
            | "cmd"
            | "com"
            | "msi"
            | "scr"
            | "js"
            | "vbs"
            | "ps1"
            | "sh"
            | "jar"
            | "apk"
    ) {
        return Err(UploadRefusal::Executable);
    }
    match expected_types(&extension) {
        Some(types) if !types.contains(&sniffed_type) => Err(UploadRefusal::TypeMismatch),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_named_pdf_is_accepted() {
        assert_eq!(check_upload("Công văn 07.pdf", "application/pdf"), Ok(()));
        assert_eq!(check_upload("scan.PDF", "application/pdf"), Ok(()));
    }

    #[test]
    fn a_file_that_lies_about_its_type_is_refused() {
        assert_eq!(
            check_upload("report.pdf", "text/plain"),
            Err(UploadRefusal::TypeMismatch)
        );
        assert_eq!(
            check_upload("photo.jpg", "application/pdf"),
            Err(UploadRefusal::TypeMismatch)
        );
    }

    #[test]
    fn programs_are_refused_whatever_their_name() {
        assert_eq!(
            check_upload(
                "invoice.pdf",
                "application/vnd.microsoft.portable-executable"
            ),
            Err(UploadRefusal::Executable)
        );
        assert_eq!(
            check_upload("setup.exe", "application/octet-stream"),
            Err(UploadRefusal::Executable)
        );
    }

    #[test]
    fn unknown_extensions_promise_nothing() {
        assert_eq!(check_upload("data.bin", "application/octet-stream"), Ok(()));
        assert_eq!(check_upload("", "text/plain"), Err(UploadRefusal::BadName));
    }
}
