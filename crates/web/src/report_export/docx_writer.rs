//! The report as DOCX that clerks open and edit in Word or LibreOffice, laid out as a
//! Decree 30/2020 report: a borderless two-column header table (governing body and agency
//! on the left, the national motto on the right, then number and symbol, place and date in
//! italics), BÁO CÁO and its subject in bold, the body in Times New Roman 14 pt justified,
//! the table of figures, the charts as pictures (PNG rendered from their SVG, with the SVG
//! itself attached through Office's svgBlip extension), the signature block and the
//! recipients. Page numbers are a PAGE field in the header, from the second page on.
//!
//! Written as WordprocessingML by hand into a zip: the parts are few and fixed, and writing
//! them keeps every property the decree asks for in plain sight (docx-rs would hide less
//! than it adds, and has no svgBlip).

use super::{motto, place_and_date, Block, Body, ExportError, ReportHeading, TableRow};
use crate::i18n::{t, Lang};
use std::fmt::Write as _;
use std::io::Write as _;
use vanphong_core::report::Review;

/// A4 and the decree's margins, in twentieths of a point.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
const MARGIN_LEFT: u32 = 1701;
const MARGIN_RIGHT: u32 = 1134;
const MARGIN_TOP: u32 = 1134;
const MARGIN_BOTTOM: u32 = 1134;
const CONTENT: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
const LEFT_COLUMN: u32 = CONTENT * 2 / 5;
/// English Metric Units per twentieth of a point.
const EMU_PER_TWIP: u64 = 635;
pub(crate) const FONT: &str = "Times New Roman";

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Renders the review as an editable Decree 30 report. Pure computation: run it on a
/// blocking thread.
pub fn docx(review: &Review, heading: &ReportHeading, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let body = Body::new(review, lang)?;
    render(&body, heading, lang)
}

/// Escapes text for XML content and attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; tabs and breaks become spaces.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, Default)]
struct Run {
    bold: bool,
    italic: bool,
    /// Half-points.
    size: u32,
}

impl Run {
    fn plain(size: u32) -> Self {
        Self {
            size,
            ..Self::default()
        }
    }
    fn bold(size: u32) -> Self {
        Self {
            bold: true,
            size,
            ..Self::default()
        }
    }
    fn italic(size: u32) -> Self {
        Self {
            italic: true,
            size,
            ..Self::default()
        }
    }
}

fn run(out: &mut String, style: Run, text: &str) {
    out.push_str("<w:r><w:rPr>");
    let _ = write!(
        out,
        "<w:rFonts w:ascii=\"{FONT}\" w:hAnsi=\"{FONT}\" w:cs=\"{FONT}\" w:eastAsia=\"{FONT}\"/>"
    );
    if style.bold {
        out.push_str("<w:b/><w:bCs/>");
    }
    if style.italic {
        out.push_str("<w:i/><w:iCs/>");
    }
    let _ = write!(
        out,
        "<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/></w:rPr><w:t xml:space=\"preserve\">{1}</w:t></w:r>",
        style.size,
        escape(text)
    );
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Both,
}

fn paragraph(out: &mut String, align: Align, first_line: u32, after: u32, runs: &[(Run, &str)]) {
    let jc = match align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Both => "both",
    };
    let _ = write!(
        out,
        "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"{after}\"/><w:ind w:firstLine=\"{first_line}\"/><w:jc w:val=\"{jc}\"/></w:pPr>"
    );
    for (style, text) in runs {
        run(out, *style, text);
    }
    out.push_str("</w:p>");
}

/// An empty paragraph drawn as a short rule: its bottom border, indented to `length`
/// twips centred in a column `column` twips wide.
fn rule(out: &mut String, column: u32, length: u32) {
    let side = column.saturating_sub(length) / 2;
    let _ = write!(
        out,
        "<w:p><w:pPr><w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr><w:spacing w:before=\"0\" w:after=\"120\" w:line=\"120\" w:lineRule=\"exact\"/><w:ind w:left=\"{side}\" w:right=\"{side}\"/><w:rPr><w:sz w:val=\"4\"/></w:rPr></w:pPr></w:p>"
    );
}

fn table_start(out: &mut String, widths: &[u32], borders: bool) {
    let border = if borders { "single" } else { "nil" };
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{CONTENT}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblBorders>"
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        if borders {
            let _ = write!(
                out,
                "<w:{side} w:val=\"{border}\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
            );
        } else {
            let _ = write!(out, "<w:{side} w:val=\"nil\"/>");
        }
    }
    out.push_str("</w:tblBorders><w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>");
    for width in widths {
        let _ = write!(out, "<w:gridCol w:w=\"{width}\"/>");
    }
    out.push_str("</w:tblGrid>");
}

fn cell_start(out: &mut String, width: u32, span: usize) {
    let _ = write!(out, "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>");
    if span > 1 {
        let _ = write!(out, "<w:gridSpan w:val=\"{span}\"/>");
    }
    out.push_str("</w:tcPr>");
}

/// The chart pictures: their relationship ids and the files to put into `word/media`.
struct Media {
    files: Vec<(String, Vec<u8>)>,
    relationships: String,
}

pub(crate) fn render(
    body: &Body,
    heading: &ReportHeading,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    let mut media = Media {
        files: Vec::new(),
        relationships: String::new(),
    };
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>"
    );
    header(&mut out, heading, lang);
    for block in &body.blocks {
        match block {
            Block::Heading(text) => {
                paragraph(&mut out, Align::Both, 567, 60, &[(Run::bold(28), text)])
            }
            Block::Paragraph(text) => {
                for line in text.split('\n') {
                    paragraph(&mut out, Align::Both, 567, 120, &[(Run::plain(28), line)]);
                }
            }
            Block::Table { header, rows } => figures_table(&mut out, header, rows),
            Block::Chart(picture) => {
                let number = media.files.len() / 2 + 1;
                let png = picture.png(2.0)?;
                let png_id = format!("rIdChart{number}Png");
                let svg_id = format!("rIdChart{number}Svg");
                let _ = write!(
                    media.relationships,
                    "<Relationship Id=\"{png_id}\" Type=\"{R}/image\" Target=\"media/chart{number}.png\"/><Relationship Id=\"{svg_id}\" Type=\"{R}/image\" Target=\"media/chart{number}.svg\"/>"
                );
                media
                    .files
                    .push((format!("word/media/chart{number}.png"), png));
                media.files.push((
                    format!("word/media/chart{number}.svg"),
                    picture.svg.clone().into_bytes(),
                ));
                let (w, h) = picture.size();
                let cx = u64::from(CONTENT) * EMU_PER_TWIP;
                let cy = (cx as f64 * f64::from(h) / f64::from(w)).round() as u64;
                let title = escape(&picture.title);
                let _ = write!(
                    out,
                    "<w:p><w:pPr><w:spacing w:before=\"120\" w:after=\"120\"/><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{number}\" name=\"{title}\" descr=\"{title}\"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{number}\" name=\"chart{number}.png\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"{png_id}\"><a:extLst><a:ext uri=\"{{96DAC541-7B7A-43D3-8B79-37D633B846F1}}\"><asvg:svgBlip xmlns:asvg=\"http://schemas.microsoft.com/office/drawing/2016/SVG/main\" r:embed=\"{svg_id}\"/></a:ext></a:extLst></a:blip><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
                );
            }
        }
    }
    signature(&mut out, heading, lang);
    let _ = write!(
        out,
        "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rIdHeader\"/><w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/><w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/><w:titlePg/></w:sectPr></w:body></w:document>"
    );
    package(&out, &media, heading, lang)
}

fn header(out: &mut String, heading: &ReportHeading, lang: Lang) {
    let right = CONTENT - LEFT_COLUMN;
    table_start(out, &[LEFT_COLUMN, right], false);
    // Row 1: the agency on the left, the motto on the right.
    out.push_str("<w:tr>");
    cell_start(out, LEFT_COLUMN, 1);
    if !heading.governing_body.trim().is_empty() {
        paragraph(
            out,
            Align::Center,
            0,
            0,
            &[(Run::plain(26), &heading.governing_body.to_uppercase())],
        );
    }
    paragraph(
        out,
        Align::Center,
        0,
        0,
        &[(Run::bold(26), &heading.agency.to_uppercase())],
    );
    rule(out, LEFT_COLUMN, LEFT_COLUMN / 3);
    out.push_str("</w:tc>");
    cell_start(out, right, 1);
    let (country, words) = motto(lang);
    paragraph(out, Align::Center, 0, 0, &[(Run::bold(24), country)]);
    paragraph(out, Align::Center, 0, 0, &[(Run::bold(26), words)]);
    rule(out, right, right * 3 / 5);
    out.push_str("</w:tc></w:tr>");
    // Row 2: number and symbol, place and date.
    out.push_str("<w:tr>");
    cell_start(out, LEFT_COLUMN, 1);
    let number = format!(
        "{} {}",
        t(lang, "report_export.number"),
        heading.number_and_symbol
    );
    paragraph(out, Align::Center, 0, 0, &[(Run::plain(26), &number)]);
    out.push_str("</w:tc>");
    cell_start(out, right, 1);
    paragraph(
        out,
        Align::Center,
        0,
        0,
        &[(Run::italic(26), &place_and_date(heading, lang))],
    );
    out.push_str("</w:tc></w:tr></w:tbl>");
    paragraph(out, Align::Center, 0, 0, &[]);
    paragraph(
        out,
        Align::Center,
        0,
        0,
        &[(Run::bold(28), &t(lang, "report_export.kind").to_uppercase())],
    );
    paragraph(out, Align::Center, 0, 0, &[(Run::bold(28), &heading.title)]);
    rule(out, CONTENT, 1400);
}

fn figures_table(out: &mut String, header: &[String; 4], rows: &[TableRow]) {
    let first = CONTENT * 46 / 100;
    let other = (CONTENT - first) / 3;
    let widths = [first, other, other, other];
    table_start(out, &widths, true);
    // The header row repeats on every page the table runs over.
    out.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for (width, title) in widths.iter().zip(header) {
        cell_start(out, *width, 1);
        paragraph(out, Align::Center, 0, 0, &[(Run::bold(24), title)]);
        out.push_str("</w:tc>");
    }
    out.push_str("</w:tr>");
    for row in rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        match row {
            TableRow::Section(name) => {
                cell_start(out, CONTENT, 4);
                paragraph(out, Align::Left, 0, 0, &[(Run::bold(24), name)]);
                out.push_str("</w:tc>");
            }
            TableRow::Figure(cells) => {
                for (index, (width, text)) in widths.iter().zip(cells).enumerate() {
                    cell_start(out, *width, 1);
                    let align = if index == 0 {
                        Align::Left
                    } else {
                        Align::Center
                    };
                    paragraph(out, align, 0, 0, &[(Run::plain(24), text)]);
                    out.push_str("</w:tc>");
                }
            }
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    paragraph(out, Align::Left, 0, 0, &[]);
}

fn signature(out: &mut String, heading: &ReportHeading, lang: Lang) {
    let left = CONTENT * 45 / 100;
    let right = CONTENT - left;
    paragraph(out, Align::Left, 0, 0, &[]);
    table_start(out, &[left, right], false);
    out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
    cell_start(out, left, 1);
    paragraph(
        out,
        Align::Left,
        0,
        0,
        &[(
            Run {
                bold: true,
                italic: true,
                size: 24,
            },
            t(lang, "report_export.recipients"),
        )],
    );
    for recipient in &heading.recipients {
        paragraph(
            out,
            Align::Left,
            0,
            0,
            &[(Run::plain(22), &format!("- {recipient}"))],
        );
    }
    out.push_str("</w:tc>");
    cell_start(out, right, 1);
    for line in &heading.signer_position {
        paragraph(
            out,
            Align::Center,
            0,
            0,
            &[(Run::bold(26), &line.to_uppercase())],
        );
    }
    for _ in 0..4 {
        paragraph(out, Align::Center, 0, 0, &[]);
    }
    paragraph(
        out,
        Align::Center,
        0,
        0,
        &[(Run::bold(26), &heading.signer_name)],
    );
    out.push_str("</w:tc></w:tr></w:tbl>");
}

fn package(
    document: &str,
    media: &Media,
    heading: &ReportHeading,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
    let content_types = format!(
        "{XML}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"png\" ContentType=\"image/png\"/><Default Extension=\"svg\" ContentType=\"image/svg+xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/><Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/></Types>"
    );
    let root_relationships = format!(
        "{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{R}/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>"
    );
    let document_relationships = format!(
        "{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rIdStyles\" Type=\"{R}/styles\" Target=\"styles.xml\"/><Relationship Id=\"rIdSettings\" Type=\"{R}/settings\" Target=\"settings.xml\"/><Relationship Id=\"rIdHeader\" Type=\"{R}/header\" Target=\"header1.xml\"/>{}</Relationships>",
        media.relationships
    );
    let language = match lang {
        Lang::Vi => "vi-VN",
        Lang::En => "en-GB",
    };
    let styles = format!(
        "{XML}<w:styles xmlns:w=\"{W}\"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"{FONT}\" w:hAnsi=\"{FONT}\" w:cs=\"{FONT}\" w:eastAsia=\"{FONT}\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/><w:lang w:val=\"{language}\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"276\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style><w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style></w:styles>"
    );
    let settings = format!(
        "{XML}<w:settings xmlns:w=\"{W}\"><w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>"
    );
    let page_header = format!(
        "{XML}<w:hdr xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:hdr>"
    );
    let core = format!(
        "{XML}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>vanphong</dc:creator><dc:language>{language}</dc:language></cp:coreProperties>",
        escape(&format!("{} {}", t(lang, "report_export.kind"), heading.title))
    );
    let parts: [(&str, &[u8]); 8] = [
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", root_relationships.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        (
            "word/_rels/document.xml.rels",
            document_relationships.as_bytes(),
        ),
        ("word/styles.xml", styles.as_bytes()),
        ("word/settings.xml", settings.as_bytes()),
        ("word/header1.xml", page_header.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
    ];
    let write_error = |e: &dyn std::fmt::Display| ExportError::Write(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in parts {
        zip.start_file(name, deflated)
            .map_err(|e| write_error(&e))?;
        zip.write_all(bytes).map_err(|e| write_error(&e))?;
    }
    for (name, bytes) in &media.files {
        let options = if name.ends_with(".png") {
            stored
        } else {
            deflated
        };
        zip.start_file(name.as_str(), options)
            .map_err(|e| write_error(&e))?;
        zip.write_all(bytes).map_err(|e| write_error(&e))?;
    }
    let cursor = zip.finish().map_err(|e| write_error(&e))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{heading, review};
    use super::*;
    use std::collections::{BTreeSet, HashMap};
    use std::io::Read;

    fn parts(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut parts = HashMap::new();
        for index in 0..archive.len() {
            let mut file = archive.by_index(index).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            parts.insert(file.name().unwrap().into_owned(), content);
        }
        parts
    }

    /// Parses a part with quick-xml: every element must close, every attribute must parse.
    /// Returns the text of its `w:t` elements, paragraph by paragraph, and the element names.
    fn read_xml(xml: &[u8]) -> (Vec<String>, Vec<String>, Vec<(String, String)>) {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_reader(xml);
        let mut paragraphs = Vec::new();
        let mut current = String::new();
        let mut names = Vec::new();
        let mut attributes = Vec::new();
        let mut stack: Vec<String> = Vec::new();
        let mut buffer = Vec::new();
        loop {
            match reader.read_event_into(&mut buffer).unwrap() {
                Event::Start(e) => {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    for attribute in e.attributes() {
                        let attribute = attribute.unwrap();
                        attributes.push((
                            String::from_utf8(attribute.key.as_ref().to_vec()).unwrap(),
                            attribute.unescape_value().unwrap().into_owned(),
                        ));
                    }
                    names.push(name.clone());
                    stack.push(name);
                }
                Event::Empty(e) => {
                    for attribute in e.attributes() {
                        let attribute = attribute.unwrap();
                        attributes.push((
                            String::from_utf8(attribute.key.as_ref().to_vec()).unwrap(),
                            attribute.unescape_value().unwrap().into_owned(),
                        ));
                    }
                    names.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
                }
                Event::End(e) => {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "badly nested");
                    if name == "w:p" {
                        paragraphs.push(std::mem::take(&mut current));
                    }
                }
                Event::Text(text) if stack.last().map(String::as_str) == Some("w:t") => {
                    current.push_str(&text.decode().unwrap());
                }
                Event::GeneralRef(reference) => {
                    let name = String::from_utf8(reference.to_vec()).unwrap();
                    let c = match name.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unknown entity {other}"),
                    };
                    current.push_str(c);
                }
                Event::Eof => break,
                _ => {}
            }
            buffer.clear();
        }
        assert!(stack.is_empty(), "unclosed elements: {stack:?}");
        (paragraphs, names, attributes)
    }

    #[test]
    fn the_docx_is_a_complete_package_with_a_decree_30_layout() {
        let bytes = docx(&review(), &heading(), Lang::Vi).unwrap();
        let parts = parts(&bytes);
        // Every XML part is well-formed.
        for (name, content) in &parts {
            if name.ends_with(".xml") || name.ends_with(".rels") || name.ends_with(".svg") {
                read_xml(content);
            }
        }
        // Every relationship's target exists, and every part has a content type.
        let (_, _, types) = read_xml(&parts["[Content_Types].xml"]);
        let defaults: BTreeSet<String> = types
            .iter()
            .filter(|(k, _)| k == "Extension")
            .map(|(_, v)| v.clone())
            .collect();
        let overrides: BTreeSet<String> = types
            .iter()
            .filter(|(k, _)| k == "PartName")
            .map(|(_, v)| v.trim_start_matches('/').to_owned())
            .collect();
        for name in parts.keys().filter(|n| *n != "[Content_Types].xml") {
            let extension = name.rsplit('.').next().unwrap();
            assert!(
                overrides.contains(name) || defaults.contains(extension),
                "{name} has no content type"
            );
        }
        for (rels, base) in [
            ("_rels/.rels", ""),
            ("word/_rels/document.xml.rels", "word/"),
        ] {
            let (_, _, attributes) = read_xml(&parts[rels]);
            for (_, target) in attributes.iter().filter(|(k, _)| k == "Target") {
                let path = format!("{base}{target}");
                assert!(parts.contains_key(&path), "{rels} points at missing {path}");
            }
        }
        // Every picture the document embeds has a relationship.
        let (paragraphs, names, attributes) = read_xml(&parts["word/document.xml"]);
        let (_, _, relationships) = read_xml(&parts["word/_rels/document.xml.rels"]);
        let ids: BTreeSet<&String> = relationships
            .iter()
            .filter(|(k, _)| k == "Id")
            .map(|(_, v)| v)
            .collect();
        let embeds: Vec<&String> = attributes
            .iter()
            .filter(|(k, _)| k == "r:embed" || k == "r:id")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(embeds.len(), 5, "two charts as PNG and SVG, and the header");
        for id in embeds {
            assert!(ids.contains(id), "{id} has no relationship");
        }
        assert!(parts.contains_key("word/media/chart2.png"));
        assert!(parts["word/media/chart1.svg"].starts_with(b"<svg"));
        // The header table, the motto, the title, the figures, the signature.
        let text = paragraphs.join("\n");
        for expected in [
            "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
            "TỔNG CỤC MÔI TRƯỜNG",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Số: 45/BC-VP",
            "Hà Nội, ngày 05 tháng 01 năm 2021",
            "BÁO CÁO",
            "Tổng kết công tác năm 2020 và triển khai nhiệm vụ năm 2021",
            "18.935",
            "84,2%",
            "tăng 11,3%",
            "Nơi nhận:",
            "- Lưu: VT, VP.",
            "Võ Thịnh Hiền",
        ] {
            assert!(
                text.contains(expected),
                "{expected} is missing from:\n{text}"
            );
        }
        let first_table = names.iter().position(|n| n == "w:tbl").unwrap();
        let first_text = paragraphs.iter().position(|p| !p.is_empty()).unwrap();
        assert!(first_table < 3 && paragraphs[first_text] == "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG");
        assert_eq!(names.iter().filter(|n| *n == "w:tbl").count(), 3);
        assert_eq!(names.iter().filter(|n| *n == "w:drawing").count(), 2);
        // Times New Roman everywhere, 14 pt body, A4 portrait.
        let fonts: BTreeSet<&String> = attributes
            .iter()
            .filter(|(k, _)| k == "w:ascii")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(fonts.into_iter().collect::<Vec<_>>(), ["Times New Roman"]);
        assert!(attributes.contains(&("w:val".into(), "28".into())));
        assert!(attributes.contains(&("w:w".into(), "11906".into())));
        assert!(attributes.contains(&("w:h".into(), "16838".into())));
        let (_, _, styles) = read_xml(&parts["word/styles.xml"]);
        assert!(styles.contains(&("w:ascii".into(), "Times New Roman".into())));
    }

    #[test]
    fn text_with_markup_characters_is_escaped() {
        let mut heading = heading();
        heading.title = "Báo cáo <nhanh> & \"đủ\"".into();
        let bytes = docx(&review(), &heading, Lang::Vi).unwrap();
        let parts = parts(&bytes);
        let (paragraphs, _, _) = read_xml(&parts["word/document.xml"]);
        assert!(paragraphs.iter().any(|p| p == "Báo cáo <nhanh> & \"đủ\""));
    }
}
