//! Heatmap of a theme matrix (rows × themes), as SVG or PNG, with Japanese labels.
//!
//! Theme labels are written top-down one character at a time (縦書き), which reads naturally
//! in Japanese and needs no rotated text. SVG names the font family and lets the viewer
//! render it, so it needs no font file. PNG rasterises the glyphs itself and therefore needs a
//! Japanese font: `GYOKAKU_FONT`, else IPA Gothic from `fonts-ipafont-gothic`, else the subset
//! of IPA Gothic embedded in the binary (`assets/fonts/`, IPA Font License), so PNGs work on
//! a fresh machine too.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use thiserror::Error;

use super::aggregate::Matrix;

/// The family name PNG registers its font under.
const FONT_FAMILY: &str = "IPAGothic";
/// The font list SVG asks the viewer for.
const SVG_FONT_FAMILY: &str =
    "IPAGothic, 'IPAexGothic', 'Noto Sans CJK JP', 'Hiragino Sans', sans-serif";
const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
];
/// The font PNG falls back to: IPA Gothic cut to ASCII and JIS X 0208 (1.8 MB; see
/// `assets/fonts/README.md` for its licence and how it is made).
static EMBEDDED_FONT: &[u8] = include_bytes!("../../assets/fonts/GyokakuGothic-Subset.ttf");
const CELL_W: i32 = 34;
const CELL_H: i32 = 26;
const LEFT: i32 = 170;
const LABEL_CHARS: usize = 12;
const CHAR_STEP: i32 = 14;
const TOP: i32 = 40 + CHAR_STEP * LABEL_CHARS as i32;

#[derive(Debug, Error)]
pub enum HeatmapError {
    #[error("cannot draw heatmap `{}`: {reason}", .path.display())]
    Draw { path: PathBuf, reason: String },
    #[error(
        "the Japanese font for PNG heatmap `{}` cannot be loaded (set GYOKAKU_FONT to a TrueType font; SVG needs no font)",
        .path.display()
    )]
    NoFont { path: PathBuf },
    #[error("heatmap `{}` must end in .svg or .png", .path.display())]
    UnknownFormat { path: PathBuf },
}

/// Writes `matrix` as an SVG or PNG heatmap, chosen by the file extension.
pub fn write_heatmap(matrix: &Matrix, path: &Path) -> Result<(), HeatmapError> {
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("svg") => {
            let svg = heatmap_svg(matrix).map_err(|reason| draw_error(path, reason))?;
            fs_err::write(path, svg).map_err(|err| draw_error(path, err.to_string()))
        }
        Some("png") => heatmap_png(matrix, path),
        _ => Err(HeatmapError::UnknownFormat { path: path.to_owned() }),
    }
}

fn draw_error(path: &Path, reason: String) -> HeatmapError {
    HeatmapError::Draw { path: path.to_owned(), reason }
}

fn size_of(matrix: &Matrix) -> (u32, u32) {
    let width = LEFT + CELL_W * matrix.columns.len() as i32 + 20;
    let height = TOP + CELL_H * matrix.rows.len().max(1) as i32 + 50;
    (width.unsigned_abs(), height.unsigned_abs())
}

/// The heatmap as an SVG document.
pub fn heatmap_svg(matrix: &Matrix) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size_of(matrix)).into_drawing_area();
        draw(&root, matrix, SVG_FONT_FAMILY)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The heatmap as a PNG file, drawn with a Japanese font found on this machine.
pub fn heatmap_png(matrix: &Matrix, path: &Path) -> Result<(), HeatmapError> {
    register_japanese_font().ok_or_else(|| HeatmapError::NoFont { path: path.to_owned() })?;
    let root = BitMapBackend::new(path, size_of(matrix)).into_drawing_area();
    draw(&root, matrix, FONT_FAMILY).map_err(|reason| draw_error(path, reason))?;
    root.present().map_err(|e| draw_error(path, e.to_string()))
}

/// What `japanese_font_path` names when no font file is found: the subset built into the
/// binary. A name, not a file.
pub const EMBEDDED_FONT_NAME: &str = "<embedded GyokakuGothic-Subset.ttf>";

/// The Japanese font PNG output draws with: a font file on this machine (`GYOKAKU_FONT`,
/// then the usual system paths), else [`EMBEDDED_FONT_NAME`]. Always `Some` since the
/// subset is embedded; kept an `Option` for its callers.
pub fn japanese_font_path() -> Option<PathBuf> {
    system_font_path().or_else(|| Some(PathBuf::from(EMBEDDED_FONT_NAME)))
}

fn system_font_path() -> Option<PathBuf> {
    let from_env = std::env::var_os("GYOKAKU_FONT").map(PathBuf::from);
    from_env.into_iter().chain(FONT_CANDIDATES.iter().map(PathBuf::from)).find(|p| p.is_file())
}

fn register_japanese_font() -> Option<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        let system = system_font_path().and_then(|p| fs_err::read(p).ok());
        if let Some(bytes) = system {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            if plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, bytes).is_ok() {
                return true;
            }
        }
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, EMBEDDED_FONT).is_ok()
    });
    ok.then_some(())
}

/// A short Japanese label: up to the first full-width bracket, at most `LABEL_CHARS` chars.
fn short_label(label: &str) -> String {
    let cut = label.split(['（', '(']).next().unwrap_or(label);
    cut.chars().take(LABEL_CHARS).collect()
}

/// White → green by score; present cells are outlined.
fn cell_colour(score: f64) -> RGBColor {
    let t = score.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * t).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(250.0, 40.0), mix(250.0, 150.0), mix(250.0, 90.0))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    matrix: &Matrix,
    family: &str,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let font = |size: u32| (family, size).into_font().color(&BLACK);
    let title = format!(
        "{} × テーマ ({}@{})",
        match matrix.by {
            super::By::Municipality => "自治体",
            super::By::Document => "文書",
            super::By::Type => "団体区分",
        },
        matrix.taxonomy_name,
        matrix.taxonomy_version
    );
    root.draw(&Text::new(title, (10, 10), font(14))).map_err(err)?;
    for (col, column) in (0i32..).zip(&matrix.columns) {
        let x = LEFT + col * CELL_W + CELL_W / 2 - 6;
        for (i, ch) in (0i32..).zip(short_label(&column.label_ja).chars()) {
            let y = 36 + i * CHAR_STEP;
            root.draw(&Text::new(ch.to_string(), (x, y), font(12))).map_err(err)?;
        }
    }
    for (row_index, row) in (0i32..).zip(&matrix.rows) {
        let y = TOP + row_index * CELL_H;
        let label = match row.year {
            Some(year) => format!("{} ({year})", row.key),
            None => row.key.clone(),
        };
        let label: String = label.chars().take(16).collect();
        root.draw(&Text::new(label, (8, y + 7), font(12))).map_err(err)?;
        for (col, cell) in (0i32..).zip(&row.cells) {
            let x = LEFT + col * CELL_W;
            let area = [(x, y), (x + CELL_W - 2, y + CELL_H - 2)];
            root.draw(&Rectangle::new(area, cell_colour(cell.score).filled())).map_err(err)?;
            if cell.present {
                root.draw(&Rectangle::new(area, BLACK.stroke_width(2))).map_err(err)?;
            }
        }
    }
    let legend_y = TOP + CELL_H * matrix.rows.len().max(1) as i32 + 14;
    let legend = "色: スコア 0→1(白→緑) / 黒枠: 取組として明記 (present)";
    root.draw(&Text::new(legend, (10, legend_y), font(12))).map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_covers_japanese_labels() {
        let face = ttf_parser::Face::parse(EMBEDDED_FONT, 0).expect("the subset parses");
        for ch in
            "芽室町苫小牧市藤枝市所沢市岡崎市 × テーマ 財政健全化 指定管理者 行政評価 ABC 2024"
                .chars()
        {
            assert!(face.glyph_index(ch).is_some(), "{ch} is missing from the subset");
        }
        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
            .and_then(|n| n.to_string());
        // The IPA licence forbids the original's name on a derived font.
        assert!(name.is_some_and(|n| !n.contains("IPA")));
    }
}
