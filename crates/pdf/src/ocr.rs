//! OCR for pages that have no text layer (scans) or a text layer that is garbage.
//!
//! Many plans exist only as scans (the 平成-era plans, 集中改革プラン of 2005–2010, council
//! handouts), so without OCR they are invisible to search. This module finds the pages that
//! need it, gets each page's image, decides whether the page is written vertically, runs
//! Tesseract (`jpn` or `jpn_vert`) and turns its output into page text with the same line
//! joins and heading marks as the text layer.
//!
//! **Why Tesseract's command line and not its C API.** The CLI keeps OCR optional at run time:
//! gyokaku builds and runs on machines without libtesseract or leptonica (no C toolchain, no
//! `-dev` packages, no `unsafe` FFI in a crate that forbids it), and a machine gains OCR by
//! installing the Debian packages, with no rebuild. A process per page also isolates a crash
//! or a runaway page, can be killed at the document's deadline, and parallelises over pages
//! without sharing an engine between threads. What it costs, loading the language model per
//! page (0.24 s measured with `jpn`), is small beside recognising a page at 300 dpi (1–4 s).
//!
//! **The page image.** When a page is one image (a scanner's output), the image is taken from
//! the PDF itself at its own resolution: DCT (JPEG) as it is, Flate-compressed gray, RGB or
//! 1-bit images as PNM, JBIG2 through `jbig2dec`. Anything else (CCITT, JPX, pages with
//! several images or with vector drawings) is rasterised with poppler's `pdftoppm` at
//! [`RASTER_DPI`]. Tesseract binarises (Otsu) and its page segmentation handles a slight skew
//! itself, so no separate deskew or binarisation pass is made.
//!
//! **Columns.** A horizontal page is cut into columns in its image first (`columns`: gutters
//! in the binarised image, as the text layer finds them among glyphs); a page with columns is
//! restacked into one column before Tesseract reads it, since Tesseract's own segmentation
//! misorders a title across two columns and drops characters at gaps inside a column.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use lopdf::{Document, Object, ObjectId};
use serde::{Deserialize, Serialize};

use super::layout;
use super::objects;

mod columns;
use gyokaku_extract_model::{HeadingMark, OcrPage, Page};

/// When pages are read by OCR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum OcrMode {
    /// Pages without a text layer, or whose text layer is garbage.
    #[default]
    Auto,
    /// Never: such pages stay empty, with a warning.
    Never,
    /// Every page, replacing the text layer.
    Always,
}

impl OcrMode {
    pub fn as_str(self) -> &'static str {
        match self {
            OcrMode::Auto => "auto",
            OcrMode::Never => "never",
            OcrMode::Always => "always",
        }
    }
}

/// How OCR runs: when, and how many pages at a time (the batch's `jobs`).
#[derive(Debug, Clone)]
pub struct OcrOptions {
    pub mode: OcrMode,
    /// Tesseract processes at most running at once in this process.
    pub jobs: usize,
}

impl Default for OcrOptions {
    fn default() -> Self {
        OcrOptions {
            mode: OcrMode::Auto,
            jobs: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
        }
    }
}

impl OcrOptions {
    /// What the extraction of a document depends on besides its bytes, for the cache key:
    /// the mode and the engine found on this machine (installing Tesseract later must not
    /// leave a scan's cached empty text in place).
    pub fn cache_tag(&self) -> String {
        match (self.mode, engine()) {
            (OcrMode::Never, _) => "ocr-never".to_owned(),
            (mode, Some(engine)) => format!("ocr-{}-{}", mode.as_str(), engine.version),
            (mode, None) => format!("ocr-{}-none", mode.as_str()),
        }
    }
}

/// Resolution at which pages are rasterised: Tesseract's accuracy on Japanese drops clearly
/// below 300 dpi (the strokes of 画数の多い漢字 merge), and more only costs time.
pub const RASTER_DPI: u32 = 300;
/// Resolution of the small image on which the writing direction is decided: enough to see
/// the gaps between lines, cheap to make.
const DETECT_DPI: u32 = 100;
/// A text layer is garbage when at least this share of its visible characters is U+FFFD or
/// private-use: a few mapped digits or page numbers do not make a broken layer readable.
const GARBAGE_SHARE: f32 = 0.9;
/// The median blank band across columns must be this much wider than across rows for a page
/// to count as vertical: line gaps are 3–10 times the gaps between characters, so a clear
/// margin keeps a page of short horizontal lines from flipping.
const VERTICAL_FACTOR: f32 = 1.5;
/// Below this mean confidence (0–100), the other direction is tried and the better reading
/// kept: reading a page in the wrong direction gives confidences of 30–50, the right one
/// 80–95 on a clean scan.
const RETRY_CONFIDENCE: f32 = 60.0;
/// A blank band across a vertical page at least this share of the page's height separates two
/// tiers (段): tiers are set 1.5–3 em apart, about 2–4 % of a page; the gaps within a line
/// are far narrower.
const TIER_GAP_SHARE: f32 = 0.015;
/// The ink threshold of a gray pixel (0 black – 255 white) in direction detection.
const INK_LEVEL: u8 = 128;
/// A row or column with less ink than this share of the text box's extent counts as blank
/// (specks of scanner noise do not fill a gap).
const BLANK_INK_SHARE: f32 = 0.01;
/// How often a running child process is polled for its exit.
const POLL: Duration = Duration::from_millis(20);

/// The Tesseract found on this machine with Japanese data.
#[derive(Debug, Clone)]
pub struct Engine {
    /// `tesseract 5.3.0`.
    pub version: String,
    pub vertical: bool,
}

/// The Tesseract on the `PATH` (or `GYOKAKU_TESSERACT`), looked up once per process.
pub fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE.get_or_init(find_engine).as_ref()
}

fn tesseract_command() -> Command {
    let program = std::env::var_os("GYOKAKU_TESSERACT").unwrap_or_else(|| "tesseract".into());
    let mut command = Command::new(program);
    // One thread per process: pages run in parallel instead, and OpenMP threads on top of
    // that only contend for the same cores.
    command.env("OMP_THREAD_LIMIT", "1");
    command
}

fn find_engine() -> Option<Engine> {
    let version = tesseract_command().arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&version.stdout).into_owned()
        + &String::from_utf8_lossy(&version.stderr);
    let version = text.lines().find(|l| l.starts_with("tesseract "))?.trim().to_owned();
    let langs = tesseract_command().arg("--list-langs").output().ok()?;
    let langs = String::from_utf8_lossy(&langs.stdout).into_owned();
    let has = |lang: &str| langs.lines().any(|l| l.trim() == lang);
    has("jpn").then(|| Engine { version, vertical: has("jpn_vert") })
}

fn tool_exists(name: &str) -> bool {
    static FOUND: OnceLock<Mutex<Vec<(String, bool)>>> = OnceLock::new();
    let found = FOUND.get_or_init(|| Mutex::new(Vec::new()));
    let Ok(mut found) = found.lock() else { return false };
    if let Some((_, exists)) = found.iter().find(|(n, _)| n == name) {
        return *exists;
    }
    let exists =
        Command::new(name).arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    found.push((name.to_owned(), exists));
    exists
}

/// The hint added to the warning of a page that needed OCR on a machine without Tesseract.
pub const INSTALL_HINT: &str = "hint: install Tesseract with Japanese data to read scanned \
     pages (Debian: apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert \
     poppler-utils)";

/// Whether a page's text layer needs OCR under `mode`.
pub(crate) fn needs_ocr(mode: OcrMode, text: &str) -> bool {
    match mode {
        OcrMode::Never => false,
        OcrMode::Always => true,
        OcrMode::Auto => is_garbage(text),
    }
}

/// No visible text, or text that is nearly all U+FFFD or private-use characters.
pub fn is_garbage(text: &str) -> bool {
    let visible: Vec<char> = text.chars().filter(|ch| !ch.is_whitespace()).collect();
    if visible.is_empty() {
        return true;
    }
    let bad = visible
        .iter()
        .filter(|&&ch| ch == '\u{FFFD}' || matches!(ch as u32, 0xE000..=0xF8FF | 0xF0000..))
        .count();
    bad as f32 >= GARBAGE_SHARE * visible.len() as f32
}

/// Whether a page draws an image: an image XObject in its resources or in those of the
/// forms it uses (two levels, as scanners and converters nest them), or an inline image.
pub(crate) fn draws_image(doc: &Document, page_id: ObjectId) -> bool {
    fn has_image(doc: &Document, resources: &lopdf::Dictionary, depth: u32) -> bool {
        let Some(xobjects) = objects::get_dict(doc, resources, b"XObject") else { return false };
        xobjects.iter().any(|(_, value)| {
            let Object::Stream(stream) = objects::resolve(doc, value) else { return false };
            match objects::get_name(doc, &stream.dict, b"Subtype") {
                Some("Image") => true,
                Some("Form") if depth > 0 => objects::get_dict(doc, &stream.dict, b"Resources")
                    .is_some_and(|inner| has_image(doc, inner, depth - 1)),
                _ => false,
            }
        })
    }
    let Ok(page) = doc.get_dictionary(page_id) else { return false };
    if inherited_dict(doc, page, b"Resources").is_some_and(|r| has_image(doc, r, 2)) {
        return true;
    }
    let content = doc.get_page_content(page_id);
    content
        .windows(4)
        .any(|w| w[0].is_ascii_whitespace() && &w[1..3] == b"BI" && w[3].is_ascii_whitespace())
}

/// Where a page's image comes from.
#[derive(Debug)]
enum Source {
    /// A file written from the page's only image, with its resolution.
    File { path: PathBuf, dpi: u32 },
    /// Rasterise the page with `pdftoppm`.
    Raster,
}

/// One page to OCR.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) index: usize,
    pub(crate) number: u32,
    source: Source,
}

/// Removes a scratch folder when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs_err::remove_dir_all(&self.0);
    }
}

fn scratch_dir() -> std::io::Result<Scratch> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("gyokaku-ocr-{}-{n}", std::process::id()));
    fs_err::create_dir_all(&dir)?;
    Ok(Scratch(dir))
}

/// The result of OCR for one page.
#[derive(Debug)]
pub(crate) struct PageResult {
    pub(crate) index: usize,
    pub(crate) page: Result<(Page, OcrPage), String>,
}

/// Reads `pages` (indices into the document's page list, with their ids) by OCR. Returns one
/// result per page that could be attempted; `Err` carries a one-line reason.
pub(crate) fn ocr_pages(
    doc: &Document,
    bytes: &[u8],
    pages: &[(usize, u32, ObjectId)],
    options: &OcrOptions,
    deadline: Instant,
) -> Result<Vec<PageResult>, String> {
    let engine = engine().ok_or_else(|| INSTALL_HINT.to_owned())?;
    let scratch = scratch_dir().map_err(|e| format!("cannot make a scratch folder: {e}"))?;
    let mut jobs = Vec::with_capacity(pages.len());
    for &(index, number, page_id) in pages {
        let source = page_image(doc, page_id, &scratch.0, number).unwrap_or(Source::Raster);
        jobs.push(Job { index, number, source });
    }
    let pdf = scratch.0.join("document.pdf");
    let rasterising = jobs.iter().any(|job| matches!(job.source, Source::Raster));
    if rasterising && !tool_exists("pdftoppm") {
        return Err("OCR needs `pdftoppm` to rasterise pages (Debian: poppler-utils)".into());
    }
    if tool_exists("pdftoppm") {
        // Also for JPEG pages: their direction is seen on a small rendering.
        fs_err::write(&pdf, bytes).map_err(|e| format!("cannot write a scratch copy: {e}"))?;
    }
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(jobs.len()));
    let workers = options.jobs.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let _slot = Slot::acquire(options.jobs);
                    let page = if Instant::now() >= deadline {
                        Err("the document's time limit was reached before OCR".to_owned())
                    } else {
                        run_job(job, engine, &pdf, &scratch.0, deadline)
                    };
                    if let Ok(mut results) = results.lock() {
                        results.push(PageResult { index: job.index, page });
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|r| r.index);
    Ok(results)
}

/// A place among the Tesseract processes allowed to run at once in this process, so that
/// documents extracted in parallel do not multiply the pages run in parallel.
struct Slot;

static RUNNING: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

impl Slot {
    fn acquire(limit: usize) -> Slot {
        if let Ok(mut running) = RUNNING.lock() {
            while *running >= limit.max(1) {
                match FREED.wait(running) {
                    Ok(guard) => running = guard,
                    Err(_) => return Slot,
                }
            }
            *running += 1;
        }
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut running) = RUNNING.lock() {
            *running = running.saturating_sub(1);
        }
        FREED.notify_one();
    }
}

fn run_job(
    job: &Job,
    engine: &Engine,
    pdf: &Path,
    scratch: &Path,
    deadline: Instant,
) -> Result<(Page, OcrPage), String> {
    let (image, dpi) = match &job.source {
        Source::File { path, dpi } => (path.clone(), *dpi),
        Source::Raster => (rasterise(pdf, job.number, RASTER_DPI, scratch, deadline)?, RASTER_DPI),
    };
    let direction = detect_direction(&image, pdf, job.number, scratch, deadline);
    let vertical = direction.unwrap_or(false) && engine.vertical;
    let mut reading = if vertical {
        recognise_vertical(&image, dpi, pdf, job.number, scratch, deadline)?
    } else {
        recognise_horizontal(&image, dpi, job.number, scratch, deadline)?
    };
    if engine.vertical && reading.confidence < RETRY_CONFIDENCE {
        let other = if vertical {
            recognise_horizontal(&image, dpi, job.number, scratch, deadline)?
        } else {
            recognise_vertical(&image, dpi, pdf, job.number, scratch, deadline)?
        };
        if other.confidence > reading.confidence {
            reading = other;
        }
    }
    let page = Page { number: job.number, text: reading.text, headings: reading.headings };
    let mark = OcrPage {
        page: job.number,
        engine: engine.version.clone(),
        language: if reading.vertical { "jpn_vert" } else { "jpn" }.to_owned(),
        mean_confidence: (reading.confidence * 10.0).round() / 10.0,
    };
    Ok((page, mark))
}

/// The page's only image, written to a file Tesseract can read, when the page is one image.
fn page_image(doc: &Document, page_id: ObjectId, dir: &Path, number: u32) -> Option<Source> {
    let page = doc.get_dictionary(page_id).ok()?;
    let resources = inherited_dict(doc, page, b"Resources")?;
    let xobjects = objects::get_dict(doc, resources, b"XObject")?;
    let mut images = Vec::new();
    for (_, value) in xobjects.iter() {
        let Object::Stream(stream) = objects::resolve(doc, value) else { return None };
        match objects::get_name(doc, &stream.dict, b"Subtype") {
            Some("Image") => images.push(stream),
            // A form may draw more than the image: rasterise.
            _ => return None,
        }
    }
    let [stream] = images.as_slice() else { return None };
    let dict = &stream.dict;
    let width = objects::get_number(doc, dict, b"Width")? as u32;
    let height = objects::get_number(doc, dict, b"Height")? as u32;
    let media = inherited(doc, page, b"MediaBox").and_then(|o| o.as_array().ok())?;
    let media: Vec<f32> = media.iter().filter_map(|o| objects::number(doc, o)).collect();
    let page_width = media.get(2)? - media.first()?;
    let page_height = media.get(3)? - media.get(1)?;
    let rotated = matches!(
        inherited(doc, page, b"Rotate").and_then(|o| o.as_i64().ok()).unwrap_or(0).rem_euclid(360),
        90 | 270
    );
    if rotated || page_width <= 0.0 || page_height <= 0.0 {
        return None;
    }
    let dpi = (width as f32 / (page_width / 72.0)).round().max(1.0) as u32;
    let filters: Vec<String> = match objects::get(doc, dict, b"Filter") {
        Some(Object::Name(name)) => vec![String::from_utf8_lossy(name).into_owned()],
        Some(Object::Array(items)) => items
            .iter()
            .filter_map(|i| match objects::resolve(doc, i) {
                Object::Name(name) => Some(String::from_utf8_lossy(name).into_owned()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let bits = objects::get_number(doc, dict, b"BitsPerComponent").unwrap_or(8.0) as u32;
    let components = color_components(doc, dict)?;
    let path = |ext: &str| dir.join(format!("page-{number}.{ext}"));
    match filters.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["DCTDecode"] if components != 4 => {
            let file = path("jpg");
            fs_err::write(&file, &stream.content).ok()?;
            Some(Source::File { path: file, dpi })
        }
        ["JBIG2Decode"] => {
            let file = jbig2_image(doc, stream, dir, number)?;
            Some(Source::File { path: file, dpi })
        }
        [] | ["FlateDecode"] => {
            let data = stream.decompressed_content().ok().unwrap_or_else(|| stream.content.clone());
            let decode_inverted = objects::get_array(doc, dict, b"Decode")
                .and_then(|d| d.first().and_then(|o| objects::number(doc, o)))
                .is_some_and(|first| first > 0.5);
            let pnm = pnm_bytes(&data, width, height, bits, components, decode_inverted)?;
            let file = path("pnm");
            fs_err::write(&file, pnm).ok()?;
            Some(Source::File { path: file, dpi })
        }
        _ => None,
    }
}

use super::inherited;

fn inherited_dict<'a>(
    doc: &'a Document,
    page: &'a lopdf::Dictionary,
    key: &[u8],
) -> Option<&'a lopdf::Dictionary> {
    match inherited(doc, page, key)? {
        Object::Dictionary(dict) => Some(dict),
        _ => None,
    }
}

/// Components of an image's colour space when it is gray or RGB (an ICC profile counts by
/// its `/N`); other spaces (indexed, CMYK, separations) are rasterised instead.
fn color_components(doc: &Document, dict: &lopdf::Dictionary) -> Option<u32> {
    if objects::get(doc, dict, b"ImageMask").and_then(|o| o.as_bool().ok()) == Some(true) {
        return Some(1);
    }
    match objects::get(doc, dict, b"ColorSpace")? {
        Object::Name(name) => match name.as_slice() {
            b"DeviceGray" | b"G" => Some(1),
            b"DeviceRGB" | b"RGB" => Some(3),
            b"DeviceCMYK" | b"CMYK" => Some(4),
            _ => None,
        },
        Object::Array(items) => {
            let kind = items.first().map(|o| objects::resolve(doc, o))?;
            let Object::Name(kind) = kind else { return None };
            if kind.as_slice() != b"ICCBased" {
                return None;
            }
            let Object::Stream(profile) = objects::resolve(doc, items.get(1)?) else {
                return None;
            };
            let n = objects::get_number(doc, &profile.dict, b"N")? as u32;
            matches!(n, 1 | 3).then_some(n)
        }
        _ => None,
    }
}

/// Raw samples as a PNM file: PBM for 1-bit gray (PDF's 0 is black unless `Decode` is
/// inverted; PBM's 1 is black), PGM for 8-bit gray, PPM for 8-bit RGB.
fn pnm_bytes(
    data: &[u8],
    width: u32,
    height: u32,
    bits: u32,
    components: u32,
    inverted: bool,
) -> Option<Vec<u8>> {
    let (w, h) = (width as usize, height as usize);
    let (magic, row_bytes) = match (bits, components) {
        (1, 1) => ("P4", w.div_ceil(8)),
        (8, 1) => ("P5", w),
        (8, 3) => ("P6", 3 * w),
        _ => return None,
    };
    let body = data.get(..row_bytes.checked_mul(h)?)?;
    let mut out = format!("{magic}\n{width} {height}\n").into_bytes();
    if magic != "P4" {
        out.extend_from_slice(b"255\n");
    }
    let flip = (magic == "P4") != inverted;
    if flip {
        out.extend(body.iter().map(|b| !b));
    } else {
        out.extend_from_slice(body);
    }
    Some(out)
}

fn jbig2_image(doc: &Document, stream: &lopdf::Stream, dir: &Path, number: u32) -> Option<PathBuf> {
    if !tool_exists("jbig2dec") {
        return None;
    }
    let page_file = dir.join(format!("page-{number}.jb2"));
    fs_err::write(&page_file, &stream.content).ok()?;
    let out = dir.join(format!("page-{number}.pbm"));
    let mut command = Command::new("jbig2dec");
    command.arg("-e").arg("-t").arg("pbm").arg("-o").arg(&out);
    let globals = objects::get_dict(doc, &stream.dict, b"DecodeParms")
        .and_then(|parms| objects::get_stream(doc, parms, b"JBIG2Globals"));
    if let Some(globals) = globals {
        let globals_file = dir.join(format!("page-{number}.jb2g"));
        let bytes = globals.decompressed_content().unwrap_or_else(|_| globals.content.clone());
        fs_err::write(&globals_file, bytes).ok()?;
        command.arg(globals_file);
    }
    command.arg(&page_file).stdout(Stdio::null()).stderr(Stdio::null());
    let status = command.status().ok()?;
    (status.success() && out.is_file()).then_some(out)
}

/// Runs a command to its end or the deadline, returning its standard output.
fn run_until(mut command: Command, deadline: Instant, what: &str) -> Result<Vec<u8>, String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_end(&mut bytes);
        }
        bytes
    });
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let bytes = reader.join().unwrap_or_default();
                return if status.success() {
                    Ok(bytes)
                } else {
                    Err(format!("{what} failed ({status})"))
                };
            }
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} stopped at the document's time limit"));
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => return Err(format!("{what}: {e}")),
        }
    }
}

fn rasterise(
    pdf: &Path,
    number: u32,
    dpi: u32,
    dir: &Path,
    deadline: Instant,
) -> Result<PathBuf, String> {
    let prefix = dir.join(format!("raster-{number}-{dpi}"));
    let mut command = Command::new("pdftoppm");
    command
        .args(["-gray", "-singlefile", "-r", &dpi.to_string()])
        .args(["-f", &number.to_string(), "-l", &number.to_string()])
        .arg(pdf)
        .arg(&prefix);
    run_until(command, deadline, "pdftoppm")?;
    let file = prefix.with_extension("pgm");
    if file.is_file() { Ok(file) } else { Err("pdftoppm wrote no image".to_owned()) }
}

/// Whether the page is written vertically, from the gaps in its image; `None` when no
/// image could be read for it.
fn detect_direction(
    image: &Path,
    pdf: &Path,
    number: u32,
    dir: &Path,
    deadline: Instant,
) -> Option<bool> {
    let gray = match fs_err::read(image).ok().and_then(|bytes| Gray::from_pnm(&bytes)) {
        Some(gray) => gray,
        None => {
            let small = if pdf.is_file() && tool_exists("pdftoppm") {
                rasterise(pdf, number, DETECT_DPI, dir, deadline).ok()?
            } else {
                return None;
            };
            Gray::from_pnm(&fs_err::read(small).ok()?)?
        }
    };
    Some(gray.looks_vertical())
}

/// An 8-bit gray image (0 black).
#[derive(Debug)]
pub(crate) struct Gray {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Gray {
    /// Reads a PNM file (see `from_pnm`) or a gray or RGB JPEG (a DCT page image).
    pub(crate) fn from_image(bytes: &[u8]) -> Option<Gray> {
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            return Gray::from_pnm(bytes);
        }
        let mut decoder = jpeg_decoder::Decoder::new(bytes);
        let data = decoder.decode().ok()?;
        let info = decoder.info()?;
        let (width, height) = (usize::from(info.width), usize::from(info.height));
        let pixels: Vec<u8> = match info.pixel_format {
            jpeg_decoder::PixelFormat::L8 => data,
            jpeg_decoder::PixelFormat::RGB24 => data
                .chunks_exact(3)
                .map(|p| ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3) as u8)
                .collect(),
            _ => return None,
        };
        (pixels.len() == width.checked_mul(height)?).then_some(Gray { width, height, pixels })
    }

    /// Reads binary PBM (P4), PGM (P5) or PPM (P6) with a maximum value of 255.
    pub(crate) fn from_pnm(bytes: &[u8]) -> Option<Gray> {
        let mut fields = Vec::new();
        let mut at = 0;
        let wanted = if bytes.starts_with(b"P4") { 3 } else { 4 };
        while fields.len() < wanted {
            while bytes.get(at)?.is_ascii_whitespace() {
                at += 1;
            }
            if bytes.get(at) == Some(&b'#') {
                while *bytes.get(at)? != b'\n' {
                    at += 1;
                }
                continue;
            }
            let start = at;
            while !bytes.get(at)?.is_ascii_whitespace() {
                at += 1;
            }
            fields.push(std::str::from_utf8(&bytes[start..at]).ok()?.to_owned());
        }
        at += 1;
        let width: usize = fields[1].parse().ok()?;
        let height: usize = fields[2].parse().ok()?;
        let body = bytes.get(at..)?;
        let pixels = match fields[0].as_str() {
            "P4" => {
                let row = width.div_ceil(8);
                let body = body.get(..row.checked_mul(height)?)?;
                let mut pixels = Vec::with_capacity(width * height);
                for y in 0..height {
                    for x in 0..width {
                        let bit = body[y * row + x / 8] >> (7 - x % 8) & 1;
                        pixels.push(if bit == 1 { 0 } else { 255 });
                    }
                }
                pixels
            }
            "P5" if fields[3] == "255" => body.get(..width.checked_mul(height)?)?.to_vec(),
            "P6" if fields[3] == "255" => body
                .get(..width.checked_mul(height)?.checked_mul(3)?)?
                .chunks_exact(3)
                .map(|p| ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3) as u8)
                .collect(),
            _ => return None,
        };
        Some(Gray { width, height, pixels })
    }

    /// The tiers of a vertical page, as row ranges: cut at blank bands across the whole
    /// page at least [`TIER_GAP_SHARE`] of its height; one range for a page of one tier.
    pub(crate) fn tiers(&self) -> Vec<(usize, usize)> {
        let limit = (BLANK_INK_SHARE * self.width as f32) as usize;
        let ink: Vec<usize> = (0..self.height)
            .map(|y| {
                self.pixels[y * self.width..(y + 1) * self.width]
                    .iter()
                    .filter(|&&p| p < INK_LEVEL)
                    .count()
            })
            .collect();
        let min_gap = ((TIER_GAP_SHARE * self.height as f32) as usize).max(1);
        let mut tiers = Vec::new();
        let (mut start, mut blank) = (None::<usize>, 0usize);
        for (y, &count) in ink.iter().enumerate() {
            if count > limit {
                if start.is_none() {
                    start = Some(y);
                } else if blank >= min_gap {
                    if let Some(s) = start {
                        tiers.push((s, y - blank));
                    }
                    start = Some(y);
                }
                blank = 0;
            } else {
                blank += 1;
            }
        }
        if let Some(s) = start {
            tiers.push((s, self.height - blank));
        }
        // A margin around each tier, as Tesseract likes (half the gap, within the page).
        let pad = min_gap / 2;
        let tiers: Vec<(usize, usize)> = tiers
            .into_iter()
            .map(|(top, bottom)| (top.saturating_sub(pad), (bottom + pad).min(self.height)))
            .collect();
        if tiers.is_empty() { vec![(0, self.height)] } else { tiers }
    }

    /// Rows `top..bottom` as a PGM file.
    pub(crate) fn pgm_rows(&self, top: usize, bottom: usize) -> Vec<u8> {
        let bottom = bottom.min(self.height);
        let top = top.min(bottom);
        let mut out = format!("P5\n{} {}\n255\n", self.width, bottom - top).into_bytes();
        out.extend_from_slice(&self.pixels[top * self.width..bottom * self.width]);
        out
    }

    /// Vertical text leaves wide blank bands of columns between its lines, horizontal text
    /// wide bands of rows; the gaps between the characters of a line are narrow. So the
    /// direction is the one whose blank bands (runs of blank rows or columns inside the box
    /// of ink) are the wider, by their median length. (Counting blank rows and columns
    /// instead is fooled by grid-aligned characters, whose gaps line up across lines.)
    pub(crate) fn looks_vertical(&self) -> bool {
        let mut columns = vec![0u32; self.width];
        let mut rows = Vec::with_capacity(self.height);
        for row in self.pixels.chunks_exact(self.width.max(1)) {
            let mut ink = 0u32;
            for (column, &pixel) in columns.iter_mut().zip(row) {
                if pixel < INK_LEVEL {
                    ink += 1;
                    *column += 1;
                }
            }
            rows.push(ink);
        }
        let band = |counts: &[u32], extent: usize| -> f32 {
            let inked: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
            let (Some(&first), Some(&last)) = (inked.first(), inked.last()) else { return 0.0 };
            let limit = (BLANK_INK_SHARE * extent as f32) as u32;
            let mut runs = Vec::new();
            let mut run = 0usize;
            for &count in &counts[first..=last] {
                if count <= limit {
                    run += 1;
                } else if run > 0 {
                    runs.push(run as f32);
                    run = 0;
                }
            }
            layout::median(runs).unwrap_or(0.0)
        };
        let row_band = band(&rows, self.width);
        let column_band = band(&columns, self.height);
        tracing::debug!("blank bands: rows {row_band:.1} px, columns {column_band:.1} px");
        column_band > VERTICAL_FACTOR * row_band
    }
}

/// Tesseract's reading of one page.
#[derive(Debug)]
struct Reading {
    text: String,
    headings: Vec<HeadingMark>,
    confidence: f32,
    vertical: bool,
}

/// A vertical page, tier by tier: Tesseract's automatic segmentation (`--psm 3`) drops whole
/// vertical lines, and one vertical block (`--psm 5`) reads each line across all tiers, so the
/// tiers are cut apart at the blank bands that cross the page and each is read as one block.
fn recognise_vertical(
    image: &Path,
    dpi: u32,
    pdf: &Path,
    number: u32,
    scratch: &Path,
    deadline: Instant,
) -> Result<Reading, String> {
    let gray = match fs_err::read(image).ok().and_then(|bytes| Gray::from_pnm(&bytes)) {
        Some(gray) => Some((gray, dpi)),
        None if pdf.is_file() => rasterise(pdf, number, RASTER_DPI, scratch, deadline)
            .ok()
            .and_then(|file| fs_err::read(file).ok())
            .and_then(|bytes| Gray::from_pnm(&bytes))
            .map(|gray| (gray, RASTER_DPI)),
        None => None,
    };
    let Some((gray, gray_dpi)) = gray else {
        return recognise(image, dpi, Psm::VerticalBlock, deadline);
    };
    let tiers = gray.tiers();
    let mut parts = Vec::with_capacity(tiers.len());
    for (i, (top, bottom)) in tiers.into_iter().enumerate() {
        let file = scratch.join(format!("tier-{number}-{i}.pgm"));
        fs_err::write(&file, gray.pgm_rows(top, bottom)).map_err(|e| e.to_string())?;
        parts.push(recognise(&file, gray_dpi, Psm::VerticalBlock, deadline)?);
    }
    let mut text = String::new();
    let mut headings = Vec::new();
    let (mut weighted, mut chars) = (0.0f32, 0usize);
    for part in parts {
        if part.text.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        let base = text.len();
        headings.extend(part.headings.iter().map(|h| HeadingMark { start: h.start + base, ..*h }));
        let n = part.text.chars().count();
        weighted += part.confidence * n as f32;
        chars += n;
        text.push_str(&part.text);
    }
    let confidence = if chars == 0 { 0.0 } else { weighted / chars as f32 };
    Ok(Reading { text, headings, confidence, vertical: true })
}

/// A horizontal page: when its image shows columns (`columns`), the columns stacked into one
/// and read as one column of text (`--psm 4`); else Tesseract's automatic segmentation.
fn recognise_horizontal(
    image: &Path,
    dpi: u32,
    number: u32,
    scratch: &Path,
    deadline: Instant,
) -> Result<Reading, String> {
    let gray = fs_err::read(image).ok().and_then(|bytes| Gray::from_image(&bytes));
    if let Some(gray) = gray
        && let Some((pieces, line)) = columns::column_pieces(&gray)
    {
        tracing::debug!("page {number}: {} pieces in columns", pieces.len());
        let file = scratch.join(format!("columns-{number}.pgm"));
        let stacked = columns::stack(&gray, &pieces, line);
        fs_err::write(&file, stacked.pgm_rows(0, stacked.height)).map_err(|e| e.to_string())?;
        return recognise(&file, dpi, Psm::Column, deadline);
    }
    recognise(image, dpi, Psm::Auto, deadline)
}

/// How Tesseract segments an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Psm {
    /// A horizontal page: automatic segmentation (`--psm 3`).
    Auto,
    /// Horizontal text known to be one column (`--psm 4`, lines of varying size).
    Column,
    /// One block of vertical lines (`--psm 5`, see `recognise_vertical`).
    VerticalBlock,
}

fn recognise(image: &Path, dpi: u32, psm: Psm, deadline: Instant) -> Result<Reading, String> {
    let mut command = tesseract_command();
    command.arg(image).arg("stdout").arg("--dpi").arg(dpi.to_string());
    let vertical = psm == Psm::VerticalBlock;
    let (lang, psm) = match psm {
        Psm::Auto => ("jpn", "3"),
        Psm::Column => ("jpn", "4"),
        Psm::VerticalBlock => ("jpn_vert", "5"),
    };
    command.args(["-l", lang, "--psm", psm]);
    command.arg("tsv");
    let tsv = run_until(command, deadline, "tesseract")?;
    let (text, headings, confidence) = text_of_tsv(&String::from_utf8_lossy(&tsv), vertical);
    Ok(Reading { text, headings, confidence, vertical })
}

/// One line of Tesseract's output: its words and its size across the line.
#[derive(Debug, Default)]
struct OcrLine {
    key: (u32, u32, u32),
    text: String,
    size: f32,
}

/// Page text from Tesseract's TSV: words joined into lines (no space between Japanese
/// characters), wrapped lines of a paragraph joined, paragraphs on lines of their own,
/// lines clearly taller than the body marked as headings. Returns the mean word confidence.
pub(crate) fn text_of_tsv(tsv: &str, vertical: bool) -> (String, Vec<HeadingMark>, f32) {
    let mut lines: Vec<OcrLine> = Vec::new();
    let (mut confidence_sum, mut words) = (0.0f32, 0usize);
    for row in tsv.lines().skip(1) {
        let cells: Vec<&str> = row.split('\t').collect();
        if cells.len() < 12 {
            continue;
        }
        let number = |i: usize| cells[i].trim().parse::<f32>().unwrap_or(0.0);
        let key = (number(2) as u32, number(3) as u32, number(4) as u32);
        let level = number(0) as u32;
        if level == 4 {
            let size = if vertical { number(8) } else { number(9) };
            lines.push(OcrLine { key, text: String::new(), size });
            continue;
        }
        let word = cells[11].trim();
        if level != 5 || word.is_empty() {
            continue;
        }
        let conf = number(10);
        if conf >= 0.0 {
            confidence_sum += conf;
            words += 1;
        }
        let Some(line) = lines.last_mut().filter(|line| line.key == key) else { continue };
        let joins_cjk = line.text.chars().last().is_some_and(layout::is_cjk)
            || word.chars().next().is_some_and(layout::is_cjk);
        if !line.text.is_empty() && !joins_cjk {
            line.text.push(' ');
        }
        line.text.push_str(word);
    }
    lines.retain(|line| !line.text.is_empty());
    let body = layout::median(lines.iter().map(|l| l.size).collect()).unwrap_or(0.0);
    let mut text = String::new();
    let mut headings = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let level = (body > 0.0).then(|| layout::heading_level(line.size, body)).flatten();
        let same_paragraph = i > 0 && {
            let prev = &lines[i - 1];
            prev.key.0 == line.key.0 && prev.key.1 == line.key.1 && level.is_none()
        };
        if same_paragraph {
            layout::join_wrapped(&mut text, &line.text);
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        if let Some(level) = level {
            headings.push(HeadingMark { start: text.len(), level });
        }
        text.push_str(&line.text);
    }
    let mean = if words == 0 { 0.0 } else { confidence_sum / words as f32 };
    (text, headings, mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_unmapped_layers_are_garbage_and_real_text_is_not() {
        assert!(is_garbage(""));
        assert!(is_garbage(" \n "));
        assert!(is_garbage(
            "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}1"
        ));
        assert!(is_garbage("\u{E001}\u{E002}\u{E003}"));
        assert!(!is_garbage("行政改革大綱\u{FFFD}"));
    }

    #[test]
    fn modes_decide_which_pages_are_read() {
        assert!(!needs_ocr(OcrMode::Never, ""));
        assert!(needs_ocr(OcrMode::Auto, ""));
        assert!(!needs_ocr(OcrMode::Auto, "本文"));
        assert!(needs_ocr(OcrMode::Always, "本文"));
    }

    fn tsv(rows: &[&str]) -> String {
        let header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";
        std::iter::once(header).chain(rows.iter().copied()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn tsv_words_join_into_lines_and_wrapped_lines_into_paragraphs() {
        let tsv = tsv(&[
            "4\t1\t1\t1\t1\t0\t0\t0\t900\t60\t-1\t",
            "5\t1\t1\t1\t1\t1\t0\t0\t100\t60\t90\t第1章",
            "5\t1\t1\t1\t1\t2\t0\t0\t100\t60\t80\t総則",
            "4\t1\t1\t2\t1\t0\t0\t0\t900\t30\t-1\t",
            "5\t1\t1\t2\t1\t1\t0\t0\t100\t30\t95\t行政改革を",
            "5\t1\t1\t2\t1\t2\t0\t0\t100\t30\t95\t進める",
            "4\t1\t1\t2\t2\t0\t0\t0\t900\t30\t-1\t",
            "5\t1\t1\t2\t2\t1\t0\t0\t100\t30\t90\tための計画",
            "4\t1\t1\t3\t1\t0\t0\t0\t900\t30\t-1\t",
            "5\t1\t1\t3\t1\t1\t0\t0\t100\t30\t-1\t ",
            "5\t1\t1\t3\t1\t2\t0\t0\t100\t30\t90\tPDCA",
            "5\t1\t1\t3\t1\t3\t0\t0\t100\t30\t90\tcycle",
        ]);
        let (text, headings, confidence) = text_of_tsv(&tsv, false);
        assert_eq!(text, "第1章総則\n行政改革を進めるための計画\nPDCA cycle");
        assert_eq!(headings, vec![HeadingMark { start: 0, level: 1 }]);
        assert!((confidence - 90.0).abs() < 0.01, "{confidence}");
    }

    #[test]
    fn pnm_images_parse_and_flat_samples_become_pnm() {
        let pgm = pnm_bytes(&[0, 255, 255, 0], 2, 2, 8, 1, false).unwrap_or_default();
        let gray = Gray::from_pnm(&pgm).expect("pgm");
        assert_eq!(gray.pixels, vec![0, 255, 255, 0]);
        // A 1-bit PDF image: 0 is black; PBM: 1 is black.
        let pbm = pnm_bytes(&[0b0100_0000], 2, 1, 1, 1, false).unwrap_or_default();
        let gray = Gray::from_pnm(&pbm).expect("pbm");
        assert_eq!(gray.pixels, vec![0, 255]);
        assert!(pnm_bytes(&[0], 4, 4, 8, 1, false).is_none(), "short data is refused");
    }

    fn striped(width: usize, height: usize, ink: impl Fn(usize, usize) -> bool) -> Gray {
        let pixels = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| if ink(x, y) { 0 } else { 255 })
            .collect();
        Gray { width, height, pixels }
    }

    #[test]
    fn a_vertical_page_is_cut_into_its_tiers() {
        // Two tiers of vertical lines, 40 px apart on a 400 px page.
        let page = striped(100, 400, |x, y| {
            x % 16 < 10 && ((20..180).contains(&y) || (220..380).contains(&y))
        });
        let tiers = page.tiers();
        assert_eq!(tiers.len(), 2, "{tiers:?}");
        assert!(tiers[0].1 <= 220 && tiers[1].0 >= 180, "{tiers:?}");
        let pgm = page.pgm_rows(tiers[1].0, tiers[1].1);
        let tier = Gray::from_pnm(&pgm).expect("pgm");
        assert_eq!(tier.height, tiers[1].1 - tiers[1].0);
    }

    #[test]
    fn gaps_between_lines_tell_the_writing_direction() {
        // Lines of 10 px with 6 px gaps, characters of 9 px with 1 px gaps along the line.
        let horizontal = striped(200, 160, |x, y| y % 16 < 10 && x % 10 < 9);
        let vertical = striped(160, 200, |x, y| x % 16 < 10 && y % 10 < 9);
        assert!(!horizontal.looks_vertical());
        assert!(vertical.looks_vertical());
    }
}
