//! Printable tables as PDF: the registers of Decree 30/2020 and any other book that is
//! printed and bound. A4 landscape, a header with the agency and the title on the first
//! page and a running header on the others, the column headers repeated on every page,
//! cell text wrapped to its column, and "page N of M" at the foot.
//!
//! Text is set in Liberation Serif (metric-compatible with Times New Roman, the face
//! official documents use, and complete for Vietnamese), compiled into the binary and
//! subset into each file, so nothing depends on the fonts of the machine.
//!
//! The font and its text shaping (`Face`) are shared with the report exports
//! (`report_export::pdf`), which lay out a Decree 30 report in A4 portrait.

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use std::collections::HashMap;

pub(crate) static REGULAR: &[u8] = include_bytes!("../assets/fonts/LiberationSerif-Regular.ttf");
pub(crate) static BOLD: &[u8] = include_bytes!("../assets/fonts/LiberationSerif-Bold.ttf");

/// A4 landscape, in points.
const PAGE_WIDTH: f32 = 841.89;
const PAGE_HEIGHT: f32 = 595.28;
/// 20 mm on the left leaves room for binding the book; 12 mm elsewhere.
const MARGIN_LEFT: f32 = 56.7;
const MARGIN_RIGHT: f32 = 34.0;
const MARGIN_TOP: f32 = 34.0;
/// The footer with the page number sits inside the bottom margin.
const MARGIN_BOTTOM: f32 = 42.0;
const BODY_SIZE: f32 = 9.0;
const HEAD_SIZE: f32 = 8.5;
const NUMBER_SIZE: f32 = 7.5;
const LINE_FACTOR: f32 = 1.22;
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.5;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
}

/// A column: its title, its share of the table's width, and how its cells are aligned.
#[derive(Clone, Debug)]
pub struct Column {
    pub title: String,
    pub width: f32,
    pub align: Align,
}

/// A table to print. Cells may hold several paragraphs separated by `\n`.
#[derive(Clone, Debug, Default)]
pub struct TableReport {
    /// The agency's name, at the top left of the first page.
    pub agency: String,
    /// The book's title, centred in capitals.
    pub title: String,
    /// Lines under the title: the period, a filter, a note.
    pub subtitle: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// Shown in the table when there are no rows.
    pub empty_text: String,
    /// The page label with `{page}` and `{pages}`, e.g. `Trang {page}/{pages}`.
    pub page_label: String,
    /// Small text at the bottom left of every page (when and by whom it was made).
    pub footer: String,
    /// The language of the text, recorded in the file (`vi`, `en`).
    pub language: String,
}

/// Renders the table. Pure computation: call it on a blocking thread for large tables.
pub fn render(report: &TableReport) -> Result<Vec<u8>, PdfError> {
    let mut regular = Face::new(REGULAR)?;
    let mut bold = Face::new(BOLD)?;
    let layout = Layout::new(report, &mut regular, &mut bold);
    let pages = layout.paginate(report, &mut regular);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(report.title.clone())
            .language(report.language.clone())
            .creator("vanphong".into()),
    );
    let total = pages.len();
    for (index, slices) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut painter = Painter {
            surface: &mut surface,
            regular: &mut regular,
            bold: &mut bold,
        };
        painter.page(report, &layout, index, total, slices);
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

/// A font for measuring and for drawing. Plain text (every Vietnamese letter in NFC has a
/// glyph of its own) maps character to glyph directly, which is fast for large books;
/// text with combining marks or characters the font lacks goes through the shaper.
pub(crate) struct Face {
    pub(crate) font: Font,
    face: rustybuzz::Face<'static>,
    units_per_em: f32,
    simple: HashMap<char, Option<(u16, f32)>>,
}

impl Face {
    pub(crate) fn new(data: &'static [u8]) -> Result<Self, PdfError> {
        let font = Font::new(data.into(), 0).ok_or(PdfError::Font)?;
        let face = rustybuzz::Face::from_slice(data, 0).ok_or(PdfError::Font)?;
        let units_per_em = f32::from(face.units_per_em() as u16);
        Ok(Self {
            font,
            face,
            units_per_em,
            simple: HashMap::new(),
        })
    }

    /// The glyph and advance (in ems) of a character that needs no shaping.
    fn simple_glyph(&mut self, c: char) -> Option<(u16, f32)> {
        if let Some(known) = self.simple.get(&c) {
            return *known;
        }
        let found = if is_combining(c) {
            None
        } else {
            self.face.glyph_index(c).and_then(|id| {
                self.face
                    .glyph_hor_advance(id)
                    .map(|advance| (id.0, f32::from(advance) / self.units_per_em))
            })
        };
        self.simple.insert(c, found);
        found
    }

    pub(crate) fn glyphs(&mut self, text: &str) -> Vec<KrillaGlyph> {
        let mut out = Vec::with_capacity(text.len());
        for (at, c) in text.char_indices() {
            let Some((id, advance)) = self.simple_glyph(c) else {
                return self.shaped(text);
            };
            out.push(KrillaGlyph::new(
                GlyphId::new(u32::from(id)),
                advance,
                0.0,
                0.0,
                0.0,
                at..at + c.len_utf8(),
                None,
            ));
        }
        out
    }

    fn shaped(&self, text: &str) -> Vec<KrillaGlyph> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&self.face, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, position)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // A cluster runs to the start of the next cluster (or the end of the text).
            let end = infos[i + 1..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|&next| next != start)
                .unwrap_or(text.len());
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                position.x_advance as f32 / self.units_per_em,
                position.x_offset as f32 / self.units_per_em,
                position.y_offset as f32 / self.units_per_em,
                position.y_advance as f32 / self.units_per_em,
                start..end.max(start),
                None,
            ));
        }
        glyphs
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&mut self, text: &str, size: f32) -> f32 {
        let mut ems = 0.0;
        for c in text.chars() {
            match self.simple_glyph(c) {
                Some((_, advance)) => ems += advance,
                None => return self.shaped(text).iter().map(|g| g.x_advance).sum::<f32>() * size,
            }
        }
        ems * size
    }

    /// Breaks `text` into lines no wider than `max` at `size`: at spaces, after '/', '-'
    /// and ',' inside long words, and between characters when nothing else fits.
    pub(crate) fn wrap(&mut self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let space = self.width(" ", size);
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut width = 0.0;
            for word in paragraph.split_whitespace() {
                let mut first = true;
                for piece in pieces(word) {
                    let glue = if first && !line.is_empty() {
                        space
                    } else {
                        0.0
                    };
                    first = false;
                    let piece_width = self.width(piece, size);
                    if width + glue + piece_width <= max {
                        if glue > 0.0 {
                            line.push(' ');
                        }
                        line.push_str(piece);
                        width += glue + piece_width;
                        continue;
                    }
                    if !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        width = 0.0;
                    }
                    if piece_width <= max {
                        line.push_str(piece);
                        width = piece_width;
                        continue;
                    }
                    // A piece wider than the column: break it between characters,
                    // keeping combining marks with their letter.
                    for c in piece.chars() {
                        let char_width = self.width(c.encode_utf8(&mut [0; 4]), size);
                        if width + char_width > max && !line.is_empty() && !is_combining(c) {
                            lines.push(std::mem::take(&mut line));
                            width = 0.0;
                        }
                        line.push(c);
                        width += char_width;
                    }
                }
            }
            if !line.is_empty() {
                lines.push(line);
            }
        }
        lines
    }
}

/// Pieces of a word, each ending after a character where a line may break.
fn pieces(word: &str) -> impl Iterator<Item = &str> {
    let mut rest = word;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .char_indices()
            .skip(1)
            .find(|(at, _)| rest[..*at].ends_with(['/', '-', ',', ';']))
            .map(|(at, _)| at)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Replaces tabs, carriage returns and other control characters (but not line breaks)
/// with spaces: they have no glyph.
pub(crate) fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(|c| c.is_control() && c != '\n') {
        text.chars()
            .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

fn line_height(size: f32) -> f32 {
    size * LINE_FACTOR
}

/// A part of a row on one page: lines `from..to` of its cells.
#[derive(Clone, Copy, Debug)]
struct Slice {
    row: usize,
    from: usize,
    to: usize,
}

/// The geometry shared by every page.
struct Layout {
    /// Left edge of each column, and the table's right edge last.
    edges: Vec<f32>,
    head_lines: Vec<Vec<String>>,
    head_height: f32,
    first_header_height: f32,
    running_header_height: f32,
    agency_lines: Vec<String>,
    title_lines: Vec<String>,
    subtitle_lines: Vec<String>,
}

const AGENCY_SIZE: f32 = 10.0;
const TITLE_SIZE: f32 = 14.0;
const SUBTITLE_SIZE: f32 = 10.0;
const RUNNING_SIZE: f32 = 8.0;

impl Layout {
    fn new(report: &TableReport, regular: &mut Face, bold: &mut Face) -> Self {
        let content = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
        let total: f32 = report
            .columns
            .iter()
            .map(|c| c.width.max(0.1))
            .sum::<f32>()
            .max(0.1);
        let mut edges = vec![MARGIN_LEFT];
        for column in &report.columns {
            let last = edges[edges.len() - 1];
            edges.push(last + content * column.width.max(0.1) / total);
        }
        let head_lines: Vec<Vec<String>> = report
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let width = edges[i + 1] - edges[i] - 2.0 * PAD_X;
                bold.wrap(&clean(&c.title), HEAD_SIZE, width)
            })
            .collect();
        let most = head_lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let head_height = most as f32 * line_height(HEAD_SIZE)
            + 2.0 * PAD_Y
            + line_height(NUMBER_SIZE)
            + 2.0 * PAD_Y;
        let agency_lines = bold.wrap(
            &clean(&report.agency.to_uppercase()),
            AGENCY_SIZE,
            content * 0.45,
        );
        let title_lines = bold.wrap(
            &clean(&report.title.to_uppercase()),
            TITLE_SIZE,
            content * 0.8,
        );
        let subtitle_lines: Vec<String> = report
            .subtitle
            .iter()
            .flat_map(|s| regular.wrap(&clean(s), SUBTITLE_SIZE, content * 0.9))
            .collect();
        let first_header_height = agency_lines.len() as f32 * line_height(AGENCY_SIZE)
            + 8.0
            + title_lines.len() as f32 * line_height(TITLE_SIZE)
            + subtitle_lines.len() as f32 * line_height(SUBTITLE_SIZE)
            + 10.0;
        let running_header_height = line_height(RUNNING_SIZE) + 6.0;
        Self {
            edges,
            head_lines,
            head_height,
            first_header_height,
            running_header_height,
            agency_lines,
            title_lines,
            subtitle_lines,
        }
    }

    fn header_height(&self, page: usize) -> f32 {
        if page == 0 {
            self.first_header_height
        } else {
            self.running_header_height
        }
    }

    /// Where the first row of a page starts.
    fn body_top(&self, page: usize) -> f32 {
        MARGIN_TOP + self.header_height(page) + self.head_height
    }

    fn body_bottom(&self) -> f32 {
        PAGE_HEIGHT - MARGIN_BOTTOM
    }

    fn cell_width(&self, column: usize) -> f32 {
        self.edges[column + 1] - self.edges[column] - 2.0 * PAD_X
    }

    fn wrap_row(&self, report: &TableReport, face: &mut Face, row: usize) -> Vec<Vec<String>> {
        (0..report.columns.len())
            .map(|c| {
                let text = report.rows[row].get(c).map(String::as_str).unwrap_or("");
                face.wrap(&clean(text), BODY_SIZE, self.cell_width(c))
            })
            .collect()
    }

    /// Splits the rows into pages. A row that does not fit at the bottom of a page moves
    /// to the next; a row taller than a whole page is split between pages.
    fn paginate(&self, report: &TableReport, face: &mut Face) -> Vec<Vec<Slice>> {
        let line = line_height(BODY_SIZE);
        let mut pages: Vec<Vec<Slice>> = vec![Vec::new()];
        let mut y = self.body_top(0);
        for row in 0..report.rows.len() {
            let lines = self
                .wrap_row(report, face, row)
                .iter()
                .map(Vec::len)
                .max()
                .unwrap_or(0)
                .max(1);
            let mut from = 0;
            while from < lines {
                let page = pages.len() - 1;
                let available = self.body_bottom() - y;
                let needed = (lines - from) as f32 * line + 2.0 * PAD_Y;
                if needed <= available {
                    pages[page].push(Slice {
                        row,
                        from,
                        to: lines,
                    });
                    y += needed;
                    break;
                }
                let fits = ((available - 2.0 * PAD_Y) / line).floor().max(0.0) as usize;
                let fresh = self.body_bottom() - self.body_top(page + 1);
                let starts_page = pages[page].is_empty();
                if !starts_page && (fits == 0 || (from == 0 && needed <= fresh)) {
                    pages.push(Vec::new());
                    y = self.body_top(page + 1);
                    continue;
                }
                let to = from + fits.max(1);
                pages[page].push(Slice { row, from, to });
                from = to;
                pages.push(Vec::new());
                y = self.body_top(page + 1);
            }
        }
        if pages.len() > 1 && pages.last().is_some_and(Vec::is_empty) {
            pages.pop();
        }
        pages
    }
}

struct Painter<'a, 'b> {
    surface: &'a mut Surface<'b>,
    regular: &'a mut Face,
    bold: &'a mut Face,
}

impl Painter<'_, '_> {
    fn text(&mut self, bold: bool, x: f32, baseline: f32, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let face = if bold {
            &mut *self.bold
        } else {
            &mut *self.regular
        };
        let glyphs = face.glyphs(text);
        let font = face.font.clone();
        self.surface.draw_glyphs(
            Point::from_xy(x, baseline),
            &glyphs,
            font,
            text,
            size,
            false,
        );
    }

    fn width(&mut self, bold: bool, text: &str, size: f32) -> f32 {
        if bold {
            self.bold.width(text, size)
        } else {
            self.regular.width(text, size)
        }
    }

    /// Lines of text from `top`, aligned within `left..right`.
    fn lines(
        &mut self,
        bold: bool,
        lines: &[String],
        size: f32,
        left: f32,
        right: f32,
        top: f32,
        align: Align,
    ) {
        for (i, line) in lines.iter().enumerate() {
            let baseline = top + i as f32 * line_height(size) + size * 0.95;
            let x = match align {
                Align::Left => left,
                Align::Center => {
                    left + ((right - left) - self.width(bold, line, size)).max(0.0) / 2.0
                }
            };
            self.text(bold, x, baseline, size, line);
        }
    }

    fn fill_rect(&mut self, rect: Option<Rect>, lightness: u8) {
        let Some(rect) = rect else { return };
        let mut path = PathBuilder::new();
        path.push_rect(rect);
        let Some(path) = path.finish() else { return };
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Fill {
            paint: luma::Color::new(lightness).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        self.surface.draw_path(&path);
        self.surface.set_fill(None);
    }

    fn stroke(&mut self, path: PathBuilder, width: f32) {
        let Some(path) = path.finish() else { return };
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke {
            width,
            ..Stroke::default()
        }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
    }

    fn page(
        &mut self,
        report: &TableReport,
        layout: &Layout,
        index: usize,
        total: usize,
        slices: &[Slice],
    ) {
        let left = MARGIN_LEFT;
        let right = PAGE_WIDTH - MARGIN_RIGHT;
        let mut y = MARGIN_TOP;
        if index == 0 {
            // The agency at the top left, underlined as on official forms.
            let agency_right = left + (right - left) * 0.45;
            self.lines(
                true,
                &layout.agency_lines,
                AGENCY_SIZE,
                left,
                agency_right,
                y,
                Align::Center,
            );
            y += layout.agency_lines.len() as f32 * line_height(AGENCY_SIZE);
            if !layout.agency_lines.is_empty() {
                let widest = layout
                    .agency_lines
                    .iter()
                    .map(|l| self.width(true, l, AGENCY_SIZE))
                    .fold(0.0, f32::max);
                let middle = (left + agency_right) / 2.0;
                let half = (widest / 3.0).max(20.0);
                let mut rule = PathBuilder::new();
                rule.move_to(middle - half, y + 3.0);
                rule.line_to(middle + half, y + 3.0);
                self.stroke(rule, 0.6);
            }
            y += 8.0;
            self.lines(
                true,
                &layout.title_lines,
                TITLE_SIZE,
                left,
                right,
                y,
                Align::Center,
            );
            y += layout.title_lines.len() as f32 * line_height(TITLE_SIZE);
            self.lines(
                false,
                &layout.subtitle_lines,
                SUBTITLE_SIZE,
                left,
                right,
                y,
                Align::Center,
            );
        } else {
            let running = format!(
                "{} · {} · {}",
                report.agency,
                report.title,
                report.subtitle.first().map(String::as_str).unwrap_or("")
            );
            let running = clean(&running).into_owned();
            let lines = self.regular.wrap(&running, RUNNING_SIZE, right - left);
            self.lines(
                false,
                &lines[..lines.len().min(1)],
                RUNNING_SIZE,
                left,
                right,
                y,
                Align::Left,
            );
        }
        // The column headers, with the columns' numbers under them as on the decree's forms.
        let head_top = MARGIN_TOP + layout.header_height(index);
        let numbers_top = layout.body_top(index) - line_height(NUMBER_SIZE) - 2.0 * PAD_Y;
        self.fill_rect(
            Rect::from_ltrb(
                left,
                head_top,
                layout.edges[layout.edges.len() - 1],
                numbers_top,
            ),
            228,
        );
        for (c, lines) in layout.head_lines.iter().enumerate() {
            let (l, r) = (layout.edges[c], layout.edges[c + 1]);
            let block = lines.len() as f32 * line_height(HEAD_SIZE);
            let top =
                head_top + PAD_Y + ((numbers_top - head_top - 2.0 * PAD_Y) - block).max(0.0) / 2.0;
            self.lines(
                true,
                lines,
                HEAD_SIZE,
                l + PAD_X,
                r - PAD_X,
                top,
                Align::Center,
            );
            let number = [format!("({})", c + 1)];
            self.lines(
                false,
                &number,
                NUMBER_SIZE,
                l + PAD_X,
                r - PAD_X,
                numbers_top + PAD_Y,
                Align::Center,
            );
        }
        let mut grid = PathBuilder::new();
        let table_right = layout.edges[layout.edges.len() - 1];
        for y in [head_top, numbers_top, layout.body_top(index)] {
            grid.move_to(left, y);
            grid.line_to(table_right, y);
        }
        // The rows.
        let line = line_height(BODY_SIZE);
        let mut y = layout.body_top(index);
        if report.rows.is_empty() {
            let text = [report.empty_text.clone()];
            self.lines(
                false,
                &text,
                BODY_SIZE,
                left + PAD_X,
                table_right - PAD_X,
                y + PAD_Y,
                Align::Center,
            );
            y += line + 2.0 * PAD_Y;
            grid.move_to(left, y);
            grid.line_to(table_right, y);
            for x in [left, table_right] {
                grid.move_to(x, head_top);
                grid.line_to(x, y);
            }
            for (c, _) in layout
                .edges
                .iter()
                .enumerate()
                .skip(1)
                .take(layout.edges.len() - 2)
            {
                grid.move_to(layout.edges[c], head_top);
                grid.line_to(
                    layout.edges[c],
                    numbers_top + line_height(NUMBER_SIZE) + 2.0 * PAD_Y,
                );
            }
        } else {
            for slice in slices {
                let cells = layout.wrap_row(report, self.regular, slice.row);
                for (c, lines) in cells.iter().enumerate() {
                    let from = slice.from.min(lines.len());
                    let to = slice.to.min(lines.len());
                    let align = report.columns[c].align;
                    self.lines(
                        false,
                        &lines[from..to],
                        BODY_SIZE,
                        layout.edges[c] + PAD_X,
                        layout.edges[c + 1] - PAD_X,
                        y + PAD_Y,
                        align,
                    );
                }
                y += (slice.to - slice.from) as f32 * line + 2.0 * PAD_Y;
                grid.move_to(left, y);
                grid.line_to(table_right, y);
            }
            for x in &layout.edges {
                grid.move_to(*x, head_top);
                grid.line_to(*x, y);
            }
        }
        self.stroke(grid, 0.5);
        // The foot: who made it, and the page number.
        let foot = PAGE_HEIGHT - MARGIN_BOTTOM + 16.0;
        let label = report
            .page_label
            .replace("{page}", &(index + 1).to_string())
            .replace("{pages}", &total.to_string());
        self.lines(false, &[label], 9.0, left, right, foot, Align::Center);
        if !report.footer.is_empty() {
            let footer = [clean(&report.footer).into_owned()];
            self.lines(false, &footer, 7.5, left, right, foot + 1.0, Align::Left);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_break_after_slashes_and_dashes() {
        assert_eq!(
            pieces("1756/QĐ-BTNMT").collect::<Vec<_>>(),
            ["1756/", "QĐ-", "BTNMT"]
        );
        assert_eq!(pieces("a").collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn wrapped_lines_fit_their_column() {
        let mut face = Face::new(REGULAR).unwrap();
        let text = "Quyết định phê duyệt kế hoạch kiểm tra việc chấp hành pháp luật về bảo vệ môi trường năm 2026";
        let lines = face.wrap(text, 9.0, 80.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(face.width(line, 9.0) <= 80.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
        let long = face.wrap(
            "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            9.0,
            30.0,
        );
        assert!(long.len() > 3);
    }

    fn report(rows: Vec<Vec<String>>) -> TableReport {
        TableReport {
            agency: "Sở Nông nghiệp và Môi trường".into(),
            title: "Sổ đăng ký văn bản đến".into(),
            subtitle: vec!["Từ ngày 01/11/2026 đến ngày 30/11/2026".into()],
            columns: vec![
                Column {
                    title: "Số đến".into(),
                    width: 1.0,
                    align: Align::Center,
                },
                Column {
                    title: "Trích yếu".into(),
                    width: 2.0,
                    align: Align::Left,
                },
            ],
            rows,
            empty_text: "Không có văn bản nào.".into(),
            page_label: "Trang {page}/{pages}".into(),
            footer: String::new(),
            language: "vi".into(),
        }
    }

    fn text_of(bytes: &[u8]) -> (usize, String) {
        let document = lopdf::Document::load_mem(bytes).unwrap();
        let pages: Vec<u32> = document.get_pages().keys().copied().collect();
        (pages.len(), document.extract_text(&pages).unwrap())
    }

    #[test]
    fn every_vietnamese_letter_survives_a_round_trip() {
        let letters =
            "aàáảãạ ăằắẳẵặ âầấẩẫậ eèéẻẽẹ êềếểễệ iìíỉĩị oòóỏõọ ôồốổỗộ ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ đ";
        let upper = letters.to_uppercase();
        let rows = vec![vec!["01".into(), format!("{letters}\n{upper}")]];
        let (pages, text) = text_of(&render(&report(rows)).unwrap());
        assert_eq!(pages, 1);
        for word in letters.split(' ').chain(upper.split(' ')) {
            assert!(text.contains(word), "{word} in {text}");
        }
        assert!(text.contains("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN") && text.contains("Trang 1/1"));
    }

    #[test]
    fn decomposed_text_goes_through_the_shaper_and_finds_its_glyphs() {
        let mut face = Face::new(REGULAR).unwrap();
        // "Việt" with its tone marks as separate combining characters.
        let glyphs = face.glyphs("Vie\u{0323}\u{0302}t");
        assert!(!glyphs.is_empty());
        assert!(
            glyphs.iter().all(|g| g.glyph_id.to_u32() != 0),
            "no missing glyph"
        );
    }

    #[test]
    fn a_row_taller_than_a_page_continues_on_the_next() {
        let words: Vec<String> = (1..=4000).map(|i| format!("từ{i}")).collect();
        let rows = vec![
            vec!["01".into(), "Dòng đầu".into()],
            vec!["02".into(), words.join(" ")],
            vec!["03".into(), "Dòng cuối".into()],
        ];
        let (pages, text) = text_of(&render(&report(rows)).unwrap());
        assert!(pages >= 3, "{pages} pages");
        let found: std::collections::HashSet<&str> = text.split_whitespace().collect();
        for word in &words {
            assert!(found.contains(word.as_str()), "{word} is missing");
        }
        assert!(text.contains("Dòng cuối") && text.contains(&format!("Trang {pages}/{pages}")));
        assert_eq!(
            text.matches("Trích yếu").count(),
            pages,
            "headers on every page"
        );
    }

    #[test]
    fn an_empty_table_says_so_on_one_page() {
        let (pages, text) = text_of(&render(&report(Vec::new())).unwrap());
        assert_eq!(pages, 1);
        assert!(text.contains("Không có văn bản nào."));
    }
}
