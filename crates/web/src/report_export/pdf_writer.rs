//! The report as PDF: A4 portrait laid out as Decree 30/2020 (Appendix I) lays out a
//! report: the agency header beside the national motto, number and symbol, place and date
//! in italics, BÁO CÁO and its subject, the body in 14 pt justified with indented first
//! lines, the table of figures, the charts drawn as vectors from their SVG, the signature
//! block and the recipients. Page numbers sit in the top margin from the second page on.
//! The font and its shaping are the registers' (`crate::pdf::Face`).

use super::{motto, place_and_date, Block, Body, ExportError, Picture, ReportHeading, TableRow};
use crate::i18n::{t, Lang};
use crate::pdf::{clean, Face, BOLD, REGULAR};
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};
use vanphong_core::report::Review;

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
/// Decree 30: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
const MARGIN_TOP: f32 = 56.7;
const MARGIN_BOTTOM: f32 = 56.7;
const MARGIN_LEFT: f32 = 85.0;
const MARGIN_RIGHT: f32 = 42.5;
const CONTENT: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
const BODY: f32 = 14.0;
const TABLE: f32 = 12.0;
const LINE: f32 = 1.25;
const INDENT: f32 = 28.35;
/// The header's left column (agency); the motto takes the rest.
const LEFT_COLUMN: f32 = 0.4 * CONTENT;
/// Italic is the regular face slanted: Liberation Serif Italic is not embedded.
const SLANT: f32 = -0.21;

/// Renders the review as a Decree 30 report. Pure computation: run it on a blocking thread.
pub fn pdf(review: &Review, heading: &ReportHeading, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let body = Body::new(review, lang)?;
    render(&body, heading, lang)
}

pub(crate) fn render(
    body: &Body,
    heading: &ReportHeading,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    let mut regular = Face::new(REGULAR)?;
    let mut bold = Face::new(BOLD)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "{} {}",
                t(lang, "report_export.kind"),
                heading.title
            ))
            .language(lang.code().into())
            .creator("vanphong".into()),
    );
    // Lay everything out first as positioned items per page, then paint the pages.
    let mut layout = Layout::new(&mut regular, &mut bold);
    layout.header(heading, lang);
    for block in &body.blocks {
        layout.block(block);
    }
    layout.signature(heading, lang);
    let total = layout.pages.len();
    for (index, items) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| ExportError::Write("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut painter = Painter {
            surface: &mut surface,
            regular: &mut regular,
            bold: &mut bold,
        };
        if index > 0 && total > 1 {
            let number = (index + 1).to_string();
            let width = painter.regular.width(&number, 13.0);
            painter.text(
                Style::Regular,
                (PAGE_WIDTH - width) / 2.0,
                MARGIN_TOP / 2.0 + 6.0,
                13.0,
                &number,
            );
        }
        for item in items {
            painter.item(item);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| ExportError::Write(format!("{e:?}")))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Style {
    fn bold(self) -> bool {
        matches!(self, Self::Bold | Self::BoldItalic)
    }
    fn slanted(self) -> bool {
        matches!(self, Self::Italic | Self::BoldItalic)
    }
}

/// Something placed on a page.
enum Item {
    Text {
        style: Style,
        x: f32,
        baseline: f32,
        size: f32,
        text: String,
    },
    /// A line spread over the full width (justified): every space wider by `extra` points.
    /// One run of glyphs, so the text copies and searches with its spaces.
    Spread {
        style: Style,
        x: f32,
        baseline: f32,
        size: f32,
        text: String,
        extra: f32,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
    Picture {
        picture: Picture,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

struct Layout<'a> {
    regular: &'a mut Face,
    bold: &'a mut Face,
    pages: Vec<Vec<Item>>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(regular: &'a mut Face, bold: &'a mut Face) -> Self {
        Self {
            regular,
            bold,
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
        }
    }

    fn face(&mut self, style: Style) -> &mut Face {
        if style.bold() {
            self.bold
        } else {
            self.regular
        }
    }

    fn width(&mut self, style: Style, text: &str, size: f32) -> f32 {
        self.face(style).width(text, size)
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` fits below the current position.
    fn room_for(&mut self, height: f32) {
        if self.y + height > PAGE_HEIGHT - MARGIN_BOTTOM && self.y > MARGIN_TOP + 1.0 {
            self.new_page();
        }
    }

    /// Lines centred within `left..right`, from `top`; returns the bottom.
    fn centred(
        &mut self,
        style: Style,
        size: f32,
        text: &str,
        left: f32,
        right: f32,
        top: f32,
    ) -> f32 {
        let lines = self.face(style).wrap(&clean(text), size, right - left);
        let mut y = top;
        for line in lines {
            let width = self.width(style, &line, size);
            self.push(Item::Text {
                style,
                x: left + ((right - left) - width).max(0.0) / 2.0,
                baseline: y + size * 0.95,
                size,
                text: line,
            });
            y += size * LINE;
        }
        y
    }

    /// A short rule centred under a block that ends at `y`, `share` of `width` long.
    fn rule(&mut self, left: f32, right: f32, y: f32, length: f32) {
        let middle = (left + right) / 2.0;
        self.push(Item::Line {
            from: (middle - length / 2.0, y + 4.0),
            to: (middle + length / 2.0, y + 4.0),
            width: 0.6,
        });
    }

    fn header(&mut self, heading: &ReportHeading, lang: Lang) {
        let left = MARGIN_LEFT;
        let split = MARGIN_LEFT + LEFT_COLUMN;
        let right = PAGE_WIDTH - MARGIN_RIGHT;
        let top = self.y;
        // Left: the governing body, then the agency in bold, underlined.
        let mut y = top;
        if !heading.governing_body.trim().is_empty() {
            y = self.centred(
                Style::Regular,
                12.5,
                &heading.governing_body.to_uppercase(),
                left,
                split,
                y,
            );
        }
        let agency = heading.agency.to_uppercase();
        y = self.centred(Style::Bold, 12.5, &agency, left, split, y);
        let agency_width = self
            .width(Style::Bold, &agency, 12.5)
            .min(split - left)
            .max(40.0);
        self.rule(left, split, y, agency_width / 2.5);
        let left_bottom = y + 8.0;
        // Right: the national motto, its second line underlined end to end.
        let (country, words) = motto(lang);
        let mut y = self.centred(Style::Bold, 12.0, country, split, right, top);
        y = self.centred(Style::Bold, 13.0, words, split, right, y);
        let words_width = self.width(Style::Bold, words, 13.0).min(right - split);
        self.rule(split, right, y, words_width);
        let right_bottom = y + 8.0;
        let y = left_bottom.max(right_bottom) + 4.0;
        // Number and symbol on the left, place and date in italics on the right.
        let number = format!(
            "{} {}",
            t(lang, "report_export.number"),
            heading.number_and_symbol
        );
        let a = self.centred(Style::Regular, 13.0, &number, left, split, y);
        let date = place_and_date(heading, lang);
        let b = self.centred(Style::Italic, 13.0, &date, split, right, y);
        self.y = a.max(b) + 18.0;
        // BÁO CÁO and the subject, centred in bold, with a short rule under them.
        let y = self.centred(
            Style::Bold,
            14.0,
            &t(lang, "report_export.kind").to_uppercase(),
            left,
            right,
            self.y,
        );
        let y = self.centred(
            Style::Bold,
            14.0,
            &heading.title,
            left + 20.0,
            right - 20.0,
            y,
        );
        self.rule(left, right, y, 90.0);
        self.y = y + 18.0;
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading(text) => {
                self.room_for(3.0 * BODY * LINE);
                self.y += 4.0;
                self.paragraph(Style::Bold, BODY, text, INDENT, false);
            }
            Block::Paragraph(text) => {
                self.paragraph(Style::Regular, BODY, text, INDENT, true);
                self.y += 4.0;
            }
            Block::Table { header, rows } => self.table(header, rows),
            Block::Chart(picture) => {
                let (w, h) = picture.size();
                let width = CONTENT;
                let height = width * h / w;
                self.room_for(height + 8.0);
                self.push(Item::Picture {
                    picture: picture.clone(),
                    x: MARGIN_LEFT,
                    y: self.y + 4.0,
                    width,
                    height,
                });
                self.y += height + 12.0;
            }
        }
    }

    /// Greedy line breaking at spaces, the first line narrower by `indent`.
    fn break_lines(
        &mut self,
        style: Style,
        size: f32,
        text: &str,
        first: f32,
        rest: f32,
    ) -> Vec<Vec<String>> {
        let space = self.width(style, " ", size);
        let mut lines: Vec<Vec<String>> = Vec::new();
        let mut line: Vec<String> = Vec::new();
        let mut width = 0.0;
        for word in text.split_whitespace() {
            let max = if lines.is_empty() { first } else { rest };
            let word_width = self.width(style, word, size);
            let glue = if line.is_empty() { 0.0 } else { space };
            if !line.is_empty() && width + glue + word_width > max {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
                line.push(word.to_owned());
                width += word_width;
                continue;
            }
            line.push(word.to_owned());
            width += glue + word_width;
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn paragraph(&mut self, style: Style, size: f32, text: &str, indent: f32, justify: bool) {
        let text = clean(text);
        for (paragraph_index, paragraph) in text.split('\n').enumerate() {
            if paragraph_index > 0 {
                self.y += 2.0;
            }
            let lines = self.break_lines(style, size, paragraph, CONTENT - indent, CONTENT);
            let count = lines.len();
            for (index, words) in lines.into_iter().enumerate() {
                self.room_for(size * LINE);
                let x = MARGIN_LEFT + if index == 0 { indent } else { 0.0 };
                let available = PAGE_WIDTH - MARGIN_RIGHT - x;
                let baseline = self.y + size * 0.95;
                let widths: Vec<f32> = words
                    .iter()
                    .map(|word| self.width(style, word, size))
                    .collect();
                let natural: f32 = widths.iter().sum();
                let last = index + 1 == count;
                if justify && !last && words.len() > 1 {
                    let space = self.width(style, " ", size);
                    let gaps = (words.len() - 1) as f32;
                    let extra = ((available - natural) / gaps - space).max(0.0);
                    self.push(Item::Spread {
                        style,
                        x,
                        baseline,
                        size,
                        text: words.join(" "),
                        extra,
                    });
                } else {
                    self.push(Item::Text {
                        style,
                        x,
                        baseline,
                        size,
                        text: words.join(" "),
                    });
                }
                self.y += size * LINE;
            }
        }
    }

    fn table(&mut self, header: &[String; 4], rows: &[TableRow]) {
        const SHARES: [f32; 4] = [0.44, 0.16, 0.16, 0.24];
        const PAD: f32 = 3.0;
        let mut edges = vec![MARGIN_LEFT];
        for share in SHARES {
            let last = edges[edges.len() - 1];
            edges.push(last + CONTENT * share);
        }
        let right = edges[4];
        let cells_of = |layout: &mut Self, style: Style, cells: &[String]| -> Vec<Vec<String>> {
            cells
                .iter()
                .enumerate()
                .map(|(c, text)| {
                    let width = edges[c + 1] - edges[c] - 2.0 * PAD;
                    layout.face(style).wrap(&clean(text), TABLE, width)
                })
                .collect()
        };
        let header_cells = cells_of(self, Style::Bold, header);
        let header_height = row_height(&header_cells);
        let draw_header = |layout: &mut Self| {
            let top = layout.y;
            layout.row(Style::Bold, &edges, &header_cells, true);
            layout.grid_row(&edges, top, layout.y);
        };
        self.room_for(header_height * 2.0);
        draw_header(self);
        for row in rows {
            let (style, cells) = match row {
                TableRow::Section(name) => (Style::Bold, vec![vec![name.clone()]]),
                TableRow::Figure(cells) => (Style::Regular, cells_of(self, Style::Regular, cells)),
            };
            let cells = if let TableRow::Section(name) = row {
                let lines = self.face(Style::Bold).wrap(
                    &clean(name),
                    TABLE,
                    right - MARGIN_LEFT - 2.0 * PAD,
                );
                vec![lines]
            } else {
                cells
            };
            let height = row_height(&cells);
            if self.y + height > PAGE_HEIGHT - MARGIN_BOTTOM {
                self.new_page();
                draw_header(self);
            }
            let top = self.y;
            if cells.len() == 1 {
                let spanning = [MARGIN_LEFT, right];
                self.row(style, &spanning, &cells, false);
                self.grid_row(&spanning, top, self.y);
            } else {
                self.row(style, &edges, &cells, false);
                self.grid_row(&edges, top, self.y);
            }
        }
        self.y += 10.0;

        fn row_height(cells: &[Vec<String>]) -> f32 {
            cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * TABLE * LINE + 2.0 * PAD
        }
    }

    /// One table row at the current position: the first column on the left, the others
    /// centred (numbers), or every cell centred for the header.
    fn row(&mut self, style: Style, edges: &[f32], cells: &[Vec<String>], centre_all: bool) {
        const PAD: f32 = 3.0;
        let top = self.y + PAD;
        let mut bottom = top;
        for (c, lines) in cells.iter().enumerate() {
            let (left, right) = (edges[c] + PAD, edges[c + 1] - PAD);
            let mut y = top;
            for line in lines {
                let width = self.width(style, line, TABLE);
                let x = if c == 0 && !centre_all {
                    left
                } else {
                    left + ((right - left) - width).max(0.0) / 2.0
                };
                self.push(Item::Text {
                    style,
                    x,
                    baseline: y + TABLE * 0.95,
                    size: TABLE,
                    text: line.clone(),
                });
                y += TABLE * LINE;
            }
            bottom = bottom.max(y);
        }
        self.y = bottom.max(top + TABLE * LINE) + PAD;
    }

    fn grid_row(&mut self, edges: &[f32], top: f32, bottom: f32) {
        let left = edges[0];
        let right = edges[edges.len() - 1];
        for y in [top, bottom] {
            self.push(Item::Line {
                from: (left, y),
                to: (right, y),
                width: 0.5,
            });
        }
        for x in edges {
            self.push(Item::Line {
                from: (*x, top),
                to: (*x, bottom),
                width: 0.5,
            });
        }
    }

    fn signature(&mut self, heading: &ReportHeading, lang: Lang) {
        let split = MARGIN_LEFT + CONTENT * 0.45;
        let right = PAGE_WIDTH - MARGIN_RIGHT;
        let signer_height = (heading.signer_position.len() as f32 + 1.0) * 13.0 * LINE + 70.0;
        let recipients_height = (heading.recipients.len() as f32 + 1.0) * 11.0 * LINE;
        self.room_for(signer_height.max(recipients_height) + 12.0);
        let top = self.y + 8.0;
        // Left: "Nơi nhận:" in bold italics, then the recipients in 11 pt.
        let mut y = top;
        let label = t(lang, "report_export.recipients");
        self.push(Item::Text {
            style: Style::BoldItalic,
            x: MARGIN_LEFT,
            baseline: y + 12.0 * 0.95,
            size: 12.0,
            text: label.into(),
        });
        y += 12.0 * LINE;
        for recipient in &heading.recipients {
            let lines =
                self.regular
                    .wrap(&clean(&format!("- {recipient}")), 11.0, split - MARGIN_LEFT);
            for line in lines {
                self.push(Item::Text {
                    style: Style::Regular,
                    x: MARGIN_LEFT,
                    baseline: y + 11.0 * 0.95,
                    size: 11.0,
                    text: line,
                });
                y += 11.0 * LINE;
            }
        }
        // Right: the position in bold capitals, room for the signature, the name.
        let mut z = top;
        for line in &heading.signer_position {
            z = self.centred(Style::Bold, 13.0, &line.to_uppercase(), split, right, z);
        }
        z += 70.0;
        z = self.centred(Style::Bold, 13.0, &heading.signer_name, split, right, z);
        self.y = y.max(z);
    }
}

struct Painter<'a, 'b> {
    surface: &'a mut Surface<'b>,
    regular: &'a mut Face,
    bold: &'a mut Face,
}

impl Painter<'_, '_> {
    fn text(&mut self, style: Style, x: f32, baseline: f32, size: f32, text: &str) {
        self.spread(style, x, baseline, size, text, 0.0);
    }

    fn spread(&mut self, style: Style, x: f32, baseline: f32, size: f32, text: &str, extra: f32) {
        if text.is_empty() {
            return;
        }
        let face = if style.bold() {
            &mut *self.bold
        } else {
            &mut *self.regular
        };
        let mut glyphs = face.glyphs(text);
        if extra > 0.0 {
            for glyph in &mut glyphs {
                if text.get(glyph.text_range.clone()) == Some(" ") {
                    glyph.x_advance += extra / size;
                }
            }
        }
        let font = face.font.clone();
        if style.slanted() {
            self.surface
                .push_transform(&Transform::from_row(1.0, 0.0, SLANT, 1.0, x, baseline));
            self.surface
                .draw_glyphs(Point::from_xy(0.0, 0.0), &glyphs, font, text, size, false);
            self.surface.pop();
        } else {
            self.surface.draw_glyphs(
                Point::from_xy(x, baseline),
                &glyphs,
                font,
                text,
                size,
                false,
            );
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Text {
                style,
                x,
                baseline,
                size,
                text,
            } => self.text(*style, *x, *baseline, *size, text),
            Item::Spread {
                style,
                x,
                baseline,
                size,
                text,
                extra,
            } => self.spread(*style, *x, *baseline, *size, text, *extra),
            Item::Line { from, to, width } => {
                let mut path = PathBuilder::new();
                path.move_to(from.0, from.1);
                path.line_to(to.0, to.1);
                let Some(path) = path.finish() else { return };
                self.surface.set_fill(None);
                self.surface.set_stroke(Some(Stroke {
                    width: *width,
                    ..Stroke::default()
                }));
                self.surface.draw_path(&path);
                self.surface.set_stroke(None);
            }
            Item::Picture {
                picture,
                x,
                y,
                width,
                height,
            } => {
                let Some(size) = Size::from_wh(*width, *height) else {
                    return;
                };
                self.surface
                    .push_transform(&Transform::from_translate(*x, *y));
                self.surface
                    .draw_svg(&picture.tree, size, SvgSettings::default());
                self.surface.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{heading, review};
    use super::*;

    fn text_of(bytes: &[u8]) -> (usize, String) {
        let document = lopdf::Document::load_mem(bytes).unwrap();
        let pages: Vec<u32> = document.get_pages().keys().copied().collect();
        (pages.len(), document.extract_text(&pages).unwrap())
    }

    #[test]
    fn the_pdf_is_a_decree_30_report_with_the_figures_and_the_charts() {
        let bytes = pdf(&review(), &heading(), Lang::Vi).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let (pages, text) = text_of(&bytes);
        assert!(pages >= 2, "{pages} pages");
        for expected in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
            "TỔNG CỤC MÔI TRƯỜNG",
            "Số: 45/BC-VP",
            "Hà Nội, ngày 05 tháng 01 năm 2021",
            "BÁO CÁO",
            "Tổng kết công tác năm 2020",
            "18.935",
            "17.020",
            "tăng 11,3%",
            "84,2%",
            "Nơi nhận:",
            "PHÓ CHÁNH VĂN PHÒNG",
            "Võ Thịnh Hiền",
        ] {
            let found = text.contains(expected)
                || text
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(expected);
            assert!(found, "{expected} is missing from:\n{text}");
        }
        // The charts' own text, drawn from their SVG as selectable text (glyph by glyph,
        // so a text extractor sees the letters apart).
        let letters: String = text.split_whitespace().collect();
        for expected in ["Đồng Nai", "Thừa Thiên Huế", "Tiếp nhận", "T12", "41"] {
            let expected: String = expected.split_whitespace().collect();
            assert!(
                letters.contains(&expected),
                "{expected} is missing from the charts"
            );
        }
    }
}
