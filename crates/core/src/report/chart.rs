//! Charts as data, and their one picture: SVG written here, on the server. The page shows
//! this SVG, and the exports embed the same SVG (or a rendering of it), so every copy of a
//! report shows the same picture.

use super::Label;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Vertical bars, one group per category, one bar per series (monthly volumes).
    Columns,
    /// Horizontal bars, for long category names (units, procedures, provinces).
    Bars,
    /// Lines over the categories (rates by month).
    Line,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: Label,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Stable identifier: names the message key of its title (`report.chart.<key>`) and the
    /// sheet of its data table.
    pub key: &'static str,
    pub kind: ChartKind,
    pub categories: Vec<Label>,
    pub series: Vec<Series>,
    /// Values are percentages (axis 0–100).
    pub percent: bool,
}

const PALETTE: [&str; 6] = [
    "#1f5f99", "#d9822b", "#3c8d5a", "#b23a48", "#6b5b95", "#7a7a7a",
];
const WIDTH: f64 = 720.0;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round axis maximum at or above `max`.
fn nice_max(max: f64, percent: bool) -> f64 {
    if percent {
        return 100.0;
    }
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * magnitude >= max {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

fn number(value: f64, percent: bool) -> String {
    if percent {
        format!("{value:.1}%")
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

impl Chart {
    /// The largest value of any series.
    pub fn max_value(&self) -> f64 {
        self.series
            .iter()
            .flat_map(|series| series.values.iter().copied())
            .fold(0.0, f64::max)
    }

    /// The chart as a standalone SVG document. `title` is the translated title and
    /// `translate` turns labels into text in the reader's language.
    pub fn to_svg(&self, title: &str, translate: &dyn Fn(&Label) -> String) -> String {
        let categories: Vec<String> = self.categories.iter().map(translate).collect();
        let names: Vec<String> = self.series.iter().map(|s| translate(&s.label)).collect();
        match self.kind {
            ChartKind::Bars => self.bars_svg(title, &categories, &names),
            ChartKind::Columns | ChartKind::Line => self.columns_svg(title, &categories, &names),
        }
    }

    fn legend(&self, svg: &mut String, names: &[String], y: f64) {
        if names.len() < 2 {
            return;
        }
        let mut x = 60.0;
        for (index, name) in names.iter().enumerate() {
            let colour = PALETTE[index % PALETTE.len()];
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
                y - 9.0,
                x + 14.0,
                y,
                escape(name)
            );
            x += 24.0 + 6.5 * name.chars().count() as f64;
        }
    }

    fn header(title: &str, height: f64) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" font-family=\"Liberation Serif, Times New Roman, serif\"><title>{t}</title><rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/><text x=\"{}\" y=\"20\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\">{t}</text>",
            WIDTH / 2.0,
            t = escape(title)
        )
    }

    fn bars_svg(&self, title: &str, categories: &[String], names: &[String]) -> String {
        let row = 16.0 * self.series.len().max(1) as f64 + 8.0;
        let top = 40.0;
        let height = top + row * categories.len().max(1) as f64 + 40.0;
        let label_width = 230.0;
        let plot = WIDTH - label_width - 70.0;
        let max = nice_max(self.max_value(), self.percent);
        let mut svg = Self::header(title, height);
        for (index, category) in categories.iter().enumerate() {
            let y = top + row * index as f64;
            let shown: String = if category.chars().count() > 38 {
                category.chars().take(37).chain(['…']).collect()
            } else {
                category.clone()
            };
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
                label_width - 6.0,
                y + row / 2.0 + 3.0,
                escape(&shown)
            );
            for (series_index, series) in self.series.iter().enumerate() {
                let value = series.values.get(index).copied().unwrap_or(0.0);
                let bar_y = y + 4.0 + 16.0 * series_index as f64;
                let width = (value / max * plot).max(0.0);
                let colour = PALETTE[series_index % PALETTE.len()];
                // A zero is its number alone: a rectangle without width is invalid SVG.
                if width >= 0.05 {
                    let _ = write!(
                        svg,
                        "<rect x=\"{label_width}\" y=\"{bar_y}\" width=\"{width:.1}\" height=\"13\" fill=\"{colour}\"/>"
                    );
                }
                let _ = write!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\">{}</text>",
                    label_width + width + 4.0,
                    bar_y + 10.0,
                    number(value, self.percent)
                );
            }
        }
        self.legend(&mut svg, names, height - 12.0);
        svg.push_str("</svg>");
        svg
    }

    fn columns_svg(&self, title: &str, categories: &[String], names: &[String]) -> String {
        let height = 300.0;
        let (left, right, top, bottom) = (60.0, 20.0, 36.0, 70.0);
        let plot_w = WIDTH - left - right;
        let plot_h = height - top - bottom;
        let max = nice_max(self.max_value(), self.percent);
        let mut svg = Self::header(title, height);
        for step in 0..=4 {
            let value = max * f64::from(step) / 4.0;
            let y = top + plot_h - plot_h * f64::from(step) / 4.0;
            let _ = write!(
                svg,
                "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#dddddd\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{}</text>",
                left + plot_w,
                left - 4.0,
                y + 3.0,
                number(value, self.percent)
            );
        }
        let slot = plot_w / categories.len().max(1) as f64;
        for (index, category) in categories.iter().enumerate() {
            let x = left + slot * index as f64;
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                x + slot / 2.0,
                top + plot_h + 14.0,
                escape(category)
            );
        }
        let count = self.series.len().max(1) as f64;
        for (series_index, series) in self.series.iter().enumerate() {
            let colour = PALETTE[series_index % PALETTE.len()];
            if self.kind == ChartKind::Line {
                let points: Vec<String> = series
                    .values
                    .iter()
                    .enumerate()
                    .map(|(index, value)| {
                        format!(
                            "{:.1},{:.1}",
                            left + slot * index as f64 + slot / 2.0,
                            top + plot_h - value / max * plot_h
                        )
                    })
                    .collect();
                let _ = write!(
                    svg,
                    "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
                    points.join(" ")
                );
                continue;
            }
            let bar_w = (slot * 0.8 / count).max(1.0);
            for (index, value) in series.values.iter().enumerate() {
                let h = (value / max * plot_h).max(0.0);
                if h < 0.05 {
                    // No column for a zero: a rectangle without height is invalid SVG.
                    continue;
                }
                let x = left + slot * index as f64 + slot * 0.1 + bar_w * series_index as f64;
                let _ = write!(
                    svg,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{}</title></rect>",
                    top + plot_h - h,
                    number(*value, self.percent)
                );
            }
        }
        self.legend(&mut svg, names, height - 16.0);
        svg.push_str("</svg>");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(kind: ChartKind) -> Chart {
        Chart {
            key: "monthly",
            kind,
            categories: vec![Label::Text("T1".into()), Label::Text("<T2>".into())],
            series: vec![Series {
                label: Label::Key("incoming"),
                values: vec![3.0, 7.0],
            }],
            percent: false,
        }
    }

    #[test]
    fn svg_escapes_labels_and_scales_to_the_largest_value() {
        let translate = |label: &Label| match label {
            Label::Key(key) => key.to_string(),
            Label::Text(text) => text.clone(),
        };
        let svg = chart(ChartKind::Columns).to_svg("A & B", &translate);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("A &amp; B"));
        assert!(svg.contains("&lt;T2&gt;"));
        assert!(!svg.contains("<T2>"));
        // 7 rounds up to an axis of 10: the bar of 7 is 70% of the plot height (194 px).
        assert!(svg.contains("height=\"135.8\""), "{svg}");
        let bars = chart(ChartKind::Bars).to_svg("t", &translate);
        assert_eq!(bars.matches("<rect x=\"230\"").count(), 2);
    }

    #[test]
    fn a_zero_draws_no_rectangle_but_keeps_its_number() {
        let translate = |label: &Label| match label {
            Label::Key(key) => key.to_string(),
            Label::Text(text) => text.clone(),
        };
        let mut zero = chart(ChartKind::Bars);
        zero.series[0].values = vec![0.0, 7.0];
        let bars = zero.to_svg("t", &translate);
        assert_eq!(bars.matches("<rect x=\"230\"").count(), 1, "{bars}");
        assert!(!bars.contains("width=\"0.0\""), "{bars}");
        assert!(bars.contains(">0</text>"), "{bars}");
        zero.kind = ChartKind::Columns;
        let columns = zero.to_svg("t", &translate);
        assert!(!columns.contains("height=\"0.0\""), "{columns}");
        assert_eq!(columns.matches("<title>7</title>").count(), 1, "{columns}");
    }

    #[test]
    fn axis_maximum_is_round() {
        assert_eq!(nice_max(7.0, false), 10.0);
        assert_eq!(nice_max(18_935.0, false), 20_000.0);
        assert_eq!(nice_max(0.0, false), 1.0);
        assert_eq!(nice_max(12.0, true), 100.0);
    }
}
