//! QR codes drawn as SVG, for check-in links and certificates.

/// The QR code of a text as an inline SVG; empty when the text is too long to encode.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).quiet_zone(true).build(),
        Err(_) => String::new(),
    }
}
