//! Compresses the static files once, when the program is built: brotli and
//! gzip at their best settings. Done at run time, brotli's best setting left
//! about 17 MB with the allocator for good on a server that only ever serves
//! these few small files (docs/benchmarks.md, issue 17); here it costs the
//! build a second and the server nothing.

use std::io::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=static");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let dir = Path::new(&out).join("static");
    std::fs::create_dir_all(&dir).expect("create OUT_DIR/static");
    for entry in std::fs::read_dir("static").expect("read static/") {
        let path = entry.expect("static/ entry").path();
        if !path.is_file() {
            continue;
        }
        let body = std::fs::read(&path).expect("read a static file");
        let name = path.file_name().and_then(|n| n.to_str()).expect("a file name in UTF-8");
        std::fs::write(dir.join(format!("{name}.br")), brotli(&body)).expect("write .br");
        std::fs::write(dir.join(format!("{name}.gz")), gzip(&body)).expect("write .gz");
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(body).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}

/// A window just large enough for the file: a larger one compresses no better.
fn brotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let window = (usize::BITS - body.len().max(1).leading_zeros()).clamp(10, 22);
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, window);
        w.write_all(body).expect("brotli into memory");
    }
    out
}
