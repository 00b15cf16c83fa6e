//! The size report printed after each build: what a learner's browser downloads,
//! raw and gzipped (as a static host would serve it compressed).

use std::path::Path;

use crate::offline::{gzip, Site};
use crate::Failure;

pub fn print(dist: &Path, offline_size: usize) -> Result<(), Failure> {
    let site = Site::read(dist)?;
    let mut js = site.classic_scripts.clone();
    js.push(site.bindings_js.clone());
    let rows = [("wasm", vec![site.wasm.clone()]), ("js", js), ("css", site.stylesheets.clone())];
    println!("{:<6} {:>12} {:>12}  files", "", "raw", "gzip");
    let (mut total_raw, mut total_gzip) = (0, 0);
    for (kind, files) in rows {
        let (mut raw, mut gzipped) = (0, 0);
        for file in &files {
            let bytes = std::fs::read(dist.join(file)).map_err(|e| Failure(format!("{file}: {e}")))?;
            raw += bytes.len();
            gzipped += gzip(&bytes).len();
        }
        total_raw += raw;
        total_gzip += gzipped;
        println!("{kind:<6} {:>12} {:>12}  {}", kib(raw), kib(gzipped), files.join(" "));
    }
    println!("{:<6} {:>12} {:>12}", "total", kib(total_raw), kib(total_gzip));
    println!("offline page dist/{}: {}", crate::offline::OFFLINE_PAGE, kib(offline_size));
    Ok(())
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}
