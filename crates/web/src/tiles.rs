//! An optional map tile layer for the hotline map, set by the operator of the server: an
//! XYZ URL template (`https://tiles.example.org/{z}/{x}/{y}.png`) and the attribution its
//! licence asks for. The tiles are drawn as images inside the server-drawn SVG map, under
//! the points, so the map needs no script; when the tile server cannot be reached the
//! points still show on the plain background.

/// A tile server the map may draw from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileLayer {
    template: String,
    origin: String,
    pub attribution: String,
}

impl TileLayer {
    /// Checks the template: an absolute http(s) URL with `{z}`, `{x}` and `{y}`, and no
    /// characters that could break out of an attribute or the security policy.
    pub fn parse(template: &str, attribution: &str) -> Result<Self, String> {
        let template = template.trim();
        let rest = template
            .strip_prefix("https://")
            .or_else(|| template.strip_prefix("http://"))
            .ok_or("the tile URL must start with https:// or http://")?;
        for part in ["{z}", "{x}", "{y}"] {
            if !template.contains(part) {
                return Err(format!("the tile URL must contain {part}"));
            }
        }
        if template
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>;,\\`".contains(c))
        {
            return Err("the tile URL contains characters a URL cannot have".into());
        }
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() || host.contains('{') {
            return Err("the tile URL must name its server without placeholders".into());
        }
        let scheme_len = template.len() - rest.len();
        Ok(Self {
            origin: format!("{}{host}", &template[..scheme_len]),
            template: template.to_owned(),
            attribution: attribution.trim().to_owned(),
        })
    }

    /// The address of one tile.
    pub fn url(&self, z: u32, x: u32, y: u32) -> String {
        self.template
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string())
    }

    /// `https://tiles.example.org`: what the content security policy must allow for images.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// The zoom level of the tiles: all of Vietnam in about 360 × 720 pixels.
pub const ZOOM: u32 = 6;
const TILE: f64 = 256.0;

/// Web Mercator pixel coordinates at [`ZOOM`].
pub fn project(latitude: f64, longitude: f64) -> (f64, f64) {
    let world = TILE * f64::from(1u32 << ZOOM);
    let x = (longitude + 180.0) / 360.0 * world;
    let sin = latitude.to_radians().sin();
    let y = (0.5 - ((1.0 + sin) / (1.0 - sin)).ln() / (4.0 * std::f64::consts::PI)) * world;
    (x, y)
}

/// The tiles covering the pixel box from `(left, top)` to `(right, bottom)`: their x, y and
/// top-left pixel.
pub fn covering(left: f64, top: f64, right: f64, bottom: f64) -> Vec<(u32, u32, f64, f64)> {
    let index = |v: f64| (v / TILE).floor().max(0.0) as u32;
    let mut tiles = Vec::new();
    for y in index(top)..=index(bottom) {
        for x in index(left)..=index(right) {
            tiles.push((x, y, f64::from(x) * TILE, f64::from(y) * TILE));
        }
    }
    tiles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_need_a_server_and_the_three_placeholders() {
        let layer = TileLayer::parse(
            " https://tiles.example.org:8443/osm/{z}/{x}/{y}.png ",
            "© OpenStreetMap",
        )
        .unwrap();
        assert_eq!(layer.origin(), "https://tiles.example.org:8443");
        assert_eq!(
            layer.url(6, 50, 27),
            "https://tiles.example.org:8443/osm/6/50/27.png"
        );
        for bad in [
            "tiles.example.org/{z}/{x}/{y}.png",
            "https://tiles.example.org/{z}/{x}.png",
            "ftp://tiles.example.org/{z}/{x}/{y}.png",
            "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
            "https://tiles.example.org/{z}/{x}/{y}.png\"><script>",
            "https://tiles.example.org/{z}/{x}/{y}.png; script-src *",
        ] {
            assert!(TileLayer::parse(bad, "").is_err(), "{bad}");
        }
    }

    #[test]
    fn vietnam_falls_on_a_handful_of_tiles_at_zoom_six() {
        // Hà Nội and Hồ Chí Minh City, checked against the usual slippy-map tile formula.
        let (x, y) = project(21.0278, 105.8342);
        assert_eq!(((x / 256.0) as u32, (y / 256.0) as u32), (50, 28));
        let (x, y) = project(10.7769, 106.7009);
        assert_eq!(((x / 256.0) as u32, (y / 256.0) as u32), (50, 30));
        let (left, top) = project(23.5, 102.0);
        let (right, bottom) = project(8.0, 110.0);
        let tiles = covering(left, top, right, bottom);
        assert_eq!(tiles.len(), 8, "{tiles:?}");
        assert_eq!(tiles[0], (50, 27, 12800.0, 6912.0));
    }
}
