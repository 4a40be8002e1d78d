//! Reading and writing the pack's zip, with bounds.
//!
//! Writing is deterministic: fixed entry order, fixed timestamps
//! (1980-01-01T00:00:00, the zip epoch), fixed permissions, deflate at the
//! default level. Reading walks the central directory itself as well as
//! through the `zip` crate, so that duplicate names (which the crate folds
//! into one) are seen, and bounds every entry's size.

use super::PackError;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// Most entries a pack may hold.
pub const MAX_ENTRIES: usize = 64;
/// Largest uncompressed entry accepted.
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
/// Largest total uncompressed size accepted.
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;

/// Writes `files` in order into a zip with fixed metadata.
pub fn write_zip(files: &[(&str, &[u8])]) -> Result<Vec<u8>, PackError> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in files {
        w.start_file(*name, opts)
            .map_err(|e| PackError::Zip(format!("{name}: {e}")))?;
        w.write_all(bytes)
            .map_err(|e| PackError::Zip(format!("{name}: {e}")))?;
    }
    let out = w.finish().map_err(|e| PackError::Zip(e.to_string()))?;
    Ok(out.into_inner())
}

/// Why a zip could not be read: the entry at fault (or `None` for the
/// archive itself), the rule broken and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipFault {
    pub entry: Option<String>,
    pub rule: &'static str,
    pub message: String,
}

fn fault(entry: Option<&str>, rule: &'static str, message: impl Into<String>) -> ZipFault {
    ZipFault {
        entry: entry.map(str::to_owned),
        rule,
        message: message.into(),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The entry names of the central directory, raw, in order.
fn central_names(b: &[u8]) -> Result<Vec<Vec<u8>>, ZipFault> {
    const EOCD: u32 = 0x0605_4b50;
    const CDH: u32 = 0x0201_4b50;
    if b.len() < 22 {
        return Err(fault(None, "zip.unreadable", "too short to be a zip"));
    }
    let last = b.len() - 22;
    let lowest = last.saturating_sub(0xffff);
    let eocd = (lowest..=last)
        .rev()
        .find(|&i| u32_at(b, i) == Some(EOCD))
        .ok_or_else(|| fault(None, "zip.unreadable", "no end of central directory record"))?;
    let bad = || fault(None, "zip.unreadable", "truncated end of central directory");
    let total = usize::from(u16_at(b, eocd + 10).ok_or_else(bad)?);
    let offset = u32_at(b, eocd + 16).ok_or_else(bad)?;
    if total == 0xffff || offset == 0xffff_ffff {
        return Err(fault(
            None,
            "zip.unsupported",
            "zip64 archives are not used by packs",
        ));
    }
    if total > MAX_ENTRIES {
        return Err(fault(
            None,
            "zip.too-many-entries",
            format!("{total} entries; a pack holds at most {MAX_ENTRIES}"),
        ));
    }
    let mut at = offset as usize;
    let mut names = Vec::with_capacity(total);
    for i in 0..total {
        let bad = || {
            fault(
                None,
                "zip.unreadable",
                format!("central directory entry {i} is malformed"),
            )
        };
        if u32_at(b, at) != Some(CDH) {
            return Err(bad());
        }
        let n = usize::from(u16_at(b, at + 28).ok_or_else(bad)?);
        let m = usize::from(u16_at(b, at + 30).ok_or_else(bad)?);
        let k = usize::from(u16_at(b, at + 32).ok_or_else(bad)?);
        let start = at.checked_add(46).ok_or_else(bad)?;
        let name = b
            .get(start..start.checked_add(n).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        names.push(name.to_vec());
        at = start.checked_add(n + m + k).ok_or_else(bad)?;
    }
    Ok(names)
}

/// Reads every entry of `zip`: names (unique, in archive order) and
/// contents, each at most [`MAX_ENTRY_BYTES`].
pub fn read_entries(zip: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ZipFault> {
    let raw = central_names(zip)?;
    let mut seen = std::collections::BTreeSet::new();
    for n in &raw {
        let name = String::from_utf8_lossy(n).into_owned();
        if !seen.insert(name.clone()) {
            return Err(fault(
                Some(&name),
                "zip.duplicate",
                format!("{name} appears more than once"),
            ));
        }
    }
    let mut archive = ZipArchive::new(Cursor::new(zip))
        .map_err(|e| fault(None, "zip.unreadable", format!("not a readable zip: {e}")))?;
    if archive.len() != raw.len()
        || (0..raw.len()).any(|i| archive.name_for_index(i).map(str::as_bytes) != Some(&raw[i][..]))
    {
        return Err(fault(
            None,
            "zip.unreadable",
            "the central directory is ambiguous",
        ));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut total = 0u64;
    for i in 0..raw.len() {
        let name = String::from_utf8_lossy(&raw[i]).into_owned();
        let mut f = archive
            .by_index(i)
            .map_err(|e| fault(Some(&name), "zip.entry-unreadable", format!("{name}: {e}")))?;
        if f.encrypted() || f.is_dir() {
            return Err(fault(
                Some(&name),
                "zip.entry-unreadable",
                format!("{name} is encrypted or a directory"),
            ));
        }
        if f.size() > MAX_ENTRY_BYTES {
            return Err(fault(
                Some(&name),
                "zip.entry-too-large",
                format!("{name} declares {} bytes", f.size()),
            ));
        }
        let mut buf = Vec::new();
        (&mut f)
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| fault(Some(&name), "zip.entry-unreadable", format!("{name}: {e}")))?;
        if buf.len() as u64 > MAX_ENTRY_BYTES {
            return Err(fault(
                Some(&name),
                "zip.entry-too-large",
                format!("{name} is over {MAX_ENTRY_BYTES} bytes"),
            ));
        }
        total += buf.len() as u64;
        if total > MAX_TOTAL_BYTES {
            return Err(fault(
                Some(&name),
                "zip.entry-too-large",
                format!("the entries exceed {MAX_TOTAL_BYTES} bytes in all"),
            ));
        }
        out.push((name, buf));
    }
    Ok(out)
}
