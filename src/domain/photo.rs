//! Photos taken in the field: what is accepted, and what is kept.
//!
//! A phone's photo carries EXIF — the GPS position where it was taken, the
//! phone's make, model and serial number, the time. None of that may leave
//! the station with a photo of a martyr's widow's kitchen. Rather than edit
//! EXIF out (and trust that every maker's segments were found), the photo is
//! decoded to pixels and encoded anew: what is stored is a fresh JPEG that
//! never held anything but pixels. Its size is bounded on the way.
//!
//! A decompression bomb (a small file that claims 100 000 × 100 000 pixels)
//! is refused from its header, before a single pixel is decoded, and the
//! decoder itself runs under an allocation limit.

use super::validation::Problem;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use serde::{Deserialize, Serialize};
use std::io::Cursor;
use utoipa::ToSchema;

/// The largest photo file taken in (phones write 3–8 MB).
pub const MAX_FILE_BYTES: usize = 12 * 1024 * 1024;
/// The largest picture decoded: 50 megapixels (a 50-MP phone's full size).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Neither side may be longer than this, whatever the pixel count.
pub const MAX_SIDE: u32 = 12_000;
/// The decoder's own ceiling on what it may allocate.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;
/// The kept photo's longer side: sharp on a phone, half an A4 page in print.
pub const KEPT_SIDE: u32 = 1600;
/// The thumbnail's longer side.
pub const THUMB_SIDE: u32 = 320;
const KEPT_QUALITY: u8 = 82;
const THUMB_QUALITY: u8 = 72;
/// Photos one activity, visit or need may hold: the ledger prints up to six,
/// and nine is what a phone's share sheet sends at once.
pub const MAX_PER_SUBJECT: i64 = 9;

/// What a photo belongs to. A grid case is a need filed in a grid, so its
/// photos are the need's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum PhotoSubject {
    Activity,
    CareVisit,
    Need,
}

impl PhotoSubject {
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoSubject::Activity => "activity",
            PhotoSubject::CareVisit => "care_visit",
            PhotoSubject::Need => "need",
        }
    }

    pub fn parse(s: &str) -> Option<PhotoSubject> {
        match s {
            "activity" => Some(PhotoSubject::Activity),
            "care_visit" => Some(PhotoSubject::CareVisit),
            "need" => Some(PhotoSubject::Need),
            _ => None,
        }
    }
}

/// A photo as it is kept: a re-encoded JPEG and its thumbnail, both without metadata.
#[derive(Debug, Clone)]
pub struct Processed {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
}

fn problem(zh: &str, en: &str) -> Problem {
    Problem::new("photo", zh, en)
}

fn too_large() -> Problem {
    problem(
        "照片尺寸过大（不超过5000万像素），请用手机相机的普通模式拍摄",
        "The picture is too large (at most 50 megapixels)",
    )
}

/// Whether a picture of this size may be decoded at all.
pub fn dimensions_allowed(width: u32, height: u32) -> Result<(), Problem> {
    if width == 0 || height == 0 {
        return Err(problem("照片是空的", "The picture is empty"));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_large());
    }
    Ok(())
}

/// Reads a photo as sent and makes the copy that is kept. CPU-bound: callers
/// run it off the async threads (`spawn_blocking`).
pub fn process(bytes: &[u8]) -> Result<Processed, Problem> {
    if bytes.is_empty() {
        return Err(problem("没有选择照片", "No photo was sent"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(problem("照片不能超过12 MB", "A photo must be at most 12 MB"));
    }
    let format = image::guess_format(bytes).ok().filter(|f| matches!(f, ImageFormat::Jpeg | ImageFormat::Png));
    let Some(format) = format else {
        return Err(problem("只能上传 JPEG 或 PNG 格式的照片", "Only JPEG or PNG pictures are taken"));
    };
    let unreadable = || problem("照片无法读取，文件可能已损坏", "The picture cannot be read; the file may be damaged");
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    // a header past the limits is refused as too large, before any pixel
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(),
        _ => unreadable(),
    })?;
    // the header's claim, checked before anything is decoded
    let (w, h) = decoder.dimensions();
    dimensions_allowed(w, h)?;
    // the EXIF orientation is the one thing worth reading: a phone held
    // upright stores its picture sideways and says so there
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| unreadable())?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let kept = shrink(img, KEPT_SIDE);
    let thumb = shrink(kept.clone(), THUMB_SIDE);
    let (width, height) = (kept.width(), kept.height());
    Ok(Processed { jpeg: encode(&kept, KEPT_QUALITY)?, width, height, thumb: encode(&thumb, THUMB_QUALITY)? })
}

/// The picture with its longer side at most `side`, never enlarged.
fn shrink(img: DynamicImage, side: u32) -> DynamicImage {
    if img.width().max(img.height()) <= side {
        img
    } else {
        img.resize(side, side, image::imageops::FilterType::Triangle)
    }
}

/// A plain JPEG of the pixels alone (a JFIF header, no EXIF, no comments).
fn encode(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, Problem> {
    // JPEG has no alpha: a PNG with transparency is laid on white
    let rgb = img.to_rgb8();
    let mut out = Vec::with_capacity(256 * 1024);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|_| problem("照片无法保存", "The picture could not be saved"))?;
    Ok(out)
}

/// Whether a JPEG carries an EXIF segment (APP1 "Exif"), for tests and checks.
pub fn has_exif(jpeg: &[u8]) -> bool {
    jpeg.windows(6).any(|w| w == b"Exif\0\0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out).encode_image(&img).expect("encode");
        out
    }

    #[test]
    fn a_large_photo_is_shrunk_with_a_thumbnail() {
        let p = process(&jpeg(2400, 1200)).expect("processed");
        assert_eq!((p.width, p.height), (1600, 800));
        let t = image::load_from_memory(&p.thumb).expect("thumb");
        assert_eq!((t.width(), t.height()), (320, 160));
    }

    #[test]
    fn a_small_photo_keeps_its_size() {
        let p = process(&jpeg(640, 480)).expect("processed");
        assert_eq!((p.width, p.height), (640, 480));
    }

    #[test]
    fn what_is_not_a_picture_is_refused() {
        let e = process(b"GIF89a not really").expect_err("refused");
        assert_eq!(e.field, "photo");
        assert!(e.zh.contains("JPEG"));
        assert!(process(&[]).is_err());
    }

    #[test]
    fn a_claimed_giant_is_refused_from_its_header() {
        assert!(dimensions_allowed(8000, 6000).is_ok());
        assert!(dimensions_allowed(100_000, 100_000).is_err());
        assert!(dimensions_allowed(12_001, 10).is_err());
        assert!(dimensions_allowed(0, 10).is_err());
    }
}
