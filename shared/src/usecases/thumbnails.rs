//! Thumbnails: made in the background once an image is uploaded (S3's event on AWS, the local
//! runtime's upload route locally), at most [`THUMBNAIL_SIZE`] pixels wide and high, as a JPEG
//! encoded anew — nothing of the original's metadata (GPS position, camera) is kept. A message
//! that already carries the image gets its size and `message.updated`.

use std::io::Cursor;
use std::sync::Arc;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits as DecodeLimits, Rgb, RgbImage};

use super::messages::MessagesUseCases;
use crate::config::Limits;
use crate::domain::*;
use crate::ports::{Clock, FileError, FileKey, FileStore, UploadStore};
use crate::AppError;

/// The thumbnails use cases, with the ports they use.
#[derive(Clone)]
pub struct ThumbnailsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) uploads: Arc<dyn UploadStore>,
    pub(crate) files: Arc<dyn FileStore>,
    pub(crate) limits: Limits,
    pub(crate) messages: MessagesUseCases,
}

impl ThumbnailsUseCases {
    /// The `makeThumbnail` job. Nothing for an upload that is gone or not an image Missive
    /// decodes; an image that does not decode, or is larger than `max_image_pixels`, keeps no
    /// thumbnail (and is shown as a file). The image's size is recorded before the upload is
    /// read for its message: see `AttachmentsUseCases::images_made_meanwhile`.
    pub async fn make_thumbnail(&self, tenant: &TenantId, job: &MakeThumbnail) -> Result<(), AppError> {
        let Some(upload) = self.uploads.get_upload(tenant, &job.upload_id).await? else {
            return Ok(());
        };
        if !upload.content_type.has_thumbnail() {
            return Ok(());
        }
        let key = FileKey::upload(tenant, &upload.conversation_id, &upload.id);
        let bytes = match self.files.read(&key, self.limits.max_upload_bytes).await {
            Ok(bytes) => bytes,
            Err(FileError::TooLarge(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let max_pixels = self.limits.max_image_pixels;
        let rendered = tokio::task::spawn_blocking(move || render(&bytes, max_pixels))
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("the thumbnail's rendering stopped: {e}")))?;
        let (image, jpeg) = match rendered {
            Ok(rendered) => rendered,
            Err(why) => {
                tracing::info!(tenant = %tenant, upload = %upload.id, why = %why, "no thumbnail for this image");
                return Ok(());
            }
        };
        self.files.write(&key.thumbnail(), jpeg, "image/jpeg").await?;
        let keep_until = self.clock.now() + UNATTACHED_UPLOAD_TTL;
        self.uploads.put_image(tenant, &upload.id, image, keep_until).await?;
        // Read again now that the size is recorded: a message that took the upload meanwhile
        // is found here, or found the size itself.
        let upload = self.uploads.get_upload(tenant, &upload.id).await?;
        if let Some(message) = upload.as_ref().and_then(|u| u.message_id.as_ref()) {
            self.messages.show_image(tenant, &job.conversation_id, message, (job.upload_id.clone(), image)).await?;
        }
        Ok(())
    }
}

/// The job an upload stored under `key` makes (none for a thumbnail's key, or a stranger's).
pub fn thumbnail_job(key: &str) -> Option<Job> {
    let (tenant, conversation_id, upload_id) = FileKey::upload_of(key)?;
    let id = JobId::of("thumbnail", &[upload_id.as_str()]);
    Some(Job::new(&tenant, id, Task::MakeThumbnail(MakeThumbnail { conversation_id, upload_id })))
}

/// Decodes an image (within `max_pixels`), turns it as its EXIF orientation says, and answers
/// its size as shown with a JPEG of it at most [`THUMBNAIL_SIZE`] pixels wide and high, on
/// white where it was transparent.
fn render(bytes: &[u8], max_pixels: u64) -> Result<(Dimensions, Vec<u8>), String> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let mut limits = DecodeLimits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(4));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(format!("{width}×{height} is more than {max_pixels} pixels"));
    }
    let orientation = decoder.orientation().map_err(|e| e.to_string())?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    image.apply_orientation(orientation);
    let shown = Dimensions { width: image.width(), height: image.height() };
    // `thumbnail` fits the image to the square, growing a smaller one: that one stays as is.
    let fits = image.width() <= THUMBNAIL_SIZE && image.height() <= THUMBNAIL_SIZE;
    let small = if fits { image.to_rgba8() } else { image.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE).to_rgba8() };
    let on_white = RgbImage::from_fn(small.width(), small.height(), |x, y| {
        let [r, g, b, a] = small.get_pixel(x, y).0;
        let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        Rgb([over_white(r), over_white(g), over_white(b)])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&on_white)
        .map_err(|e| e.to_string())?;
    Ok((shown, jpeg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 30, 128]));
        let mut bytes = Vec::new();
        DynamicImage::ImageRgba8(image).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
        bytes
    }

    #[test]
    fn a_thumbnail_fits_in_its_square_and_keeps_the_shape() {
        let (shown, jpeg) = render(&png(1200, 600), 50_000_000).unwrap();
        assert_eq!(shown, Dimensions { width: 1200, height: 600 });
        let thumbnail = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((thumbnail.width(), thumbnail.height()), (320, 160));
        let (_, small) = render(&png(40, 20), 50_000_000).unwrap();
        let small = image::load_from_memory(&small).unwrap();
        assert_eq!((small.width(), small.height()), (40, 20), "a small image is not blown up");
    }

    /// A JPEG whose EXIF says "turn 90° clockwise to show" (orientation 6).
    fn sideways_jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut jpeg = Vec::new();
        let image = RgbImage::from_pixel(width, height, Rgb([10, 120, 200]));
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg).encode_image(&image).unwrap();
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&[1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
        let exif = [b"Exif\0\0".as_slice(), &tiff].concat();
        let length = (exif.len() + 2) as u16;
        let app1 = [&[0xFF, 0xE1], &length.to_be_bytes()[..], &exif].concat();
        [&jpeg[..2], &app1, &jpeg[2..]].concat()
    }

    #[test]
    fn a_photo_is_shown_the_right_way_up_and_its_metadata_is_left_behind() {
        let photo = sideways_jpeg(64, 32);
        assert!(photo.windows(4).any(|w| w == b"Exif"));
        let (shown, jpeg) = render(&photo, 50_000_000).unwrap();
        assert_eq!(shown, Dimensions { width: 32, height: 64 }, "turned as the camera said");
        let thumbnail = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((thumbnail.width(), thumbnail.height()), (32, 64));
        assert!(!jpeg.windows(4).any(|w| w == b"Exif"), "no EXIF (nor GPS) in the thumbnail");
    }

    #[test]
    fn what_does_not_decode_or_is_too_large_gets_no_thumbnail() {
        assert!(render(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR not really", 50_000_000).is_err());
        assert!(render(b"<html>", 50_000_000).is_err());
        assert!(render(&png(100, 100), 9_999).unwrap_err().contains("more than 9999 pixels"));
    }
}
