//! `aigis verify` and `aigis verify-proof`: offline checks of evidence
//! packs and inclusion proofs. They read only the files named on the
//! command line (no state directory, no network).

use aigis_core::pack::{self, SiteKey, VerifyOptions};
use aigis_core::tlog;
use anyhow::{Context, Result, anyhow};
use serde::Deserialize;
use serde_json::json;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// A verifier key given inline, or the path of a file holding one.
fn verifier_key(arg: &str) -> Result<String> {
    let p = Path::new(arg);
    if !arg.contains('+') && p.is_file() {
        let s = String::from_utf8(read(p)?).context("the trusted key file is not UTF-8")?;
        return Ok(s.trim().to_owned());
    }
    Ok(arg.trim().to_owned())
}

pub struct VerifyArgs<'a> {
    pub pack: &'a Path,
    pub key: Option<&'a Path>,
    pub key_id: Option<&'a str>,
    pub previous: Option<&'a Path>,
    pub trusted_key: Option<&'a str>,
    pub json: bool,
}

/// `aigis verify PACK.zip`: prints the report; exit 0 only if it holds.
pub fn verify(a: VerifyArgs<'_>) -> Result<ExitCode> {
    let zip = read(a.pack)?;
    let site_key = match a.key {
        Some(p) => {
            // The site key as kept in secret storage: its text is the key.
            let text = read(p)?;
            let trimmed = String::from_utf8_lossy(&text).trim().as_bytes().to_vec();
            Some(SiteKey {
                key_id: a.key_id.map(str::to_owned),
                key: trimmed,
            })
        }
        None => None,
    };
    let opts = VerifyOptions {
        site_key,
        previous: a.previous.map(read).transpose()?,
        trusted_key: a.trusted_key.map(verifier_key).transpose()?,
    };
    let report = pack::verify(&zip, &opts);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    if let Some(f) = &report.failure {
        eprintln!(
            "aigis verify: {} FAILED in {} [{}]: {}",
            a.pack.display(),
            f.file,
            f.rule,
            f.message
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProofFile {
    seq: u64,
    /// `seq - 1`, when given (as `aigis audit prove` prints it).
    #[serde(default)]
    leaf_index: Option<u64>,
    leaf_hash: String,
    tree_size: u64,
    root_hash: String,
    proof: Vec<String>,
    #[serde(default)]
    checkpoint: Option<String>,
    #[serde(default)]
    verifier_key: Option<String>,
}

/// `aigis verify-proof [FILE]`: checks an inclusion proof (JSON from FILE
/// or stdin) and, when given, the checkpoint it is anchored to.
pub fn verify_proof(file: Option<&Path>, trusted_key: Option<&str>) -> Result<ExitCode> {
    let raw = match file {
        Some(p) if p != Path::new("-") => read(p)?,
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(16 * 1024 * 1024)
                .read_to_end(&mut buf)
                .context("reading stdin")?;
            buf
        }
    };
    let p: ProofFile = serde_json::from_slice(&raw).context("not an inclusion proof JSON")?;
    let outcome = check_proof(&p, trusted_key);
    let ok = outcome.is_ok();
    println!(
        "{}",
        json!({
            "ok": ok,
            "seq": p.seq,
            "treeSize": p.tree_size,
            "rootHash": p.root_hash,
            "checkpointVerified": ok && p.checkpoint.is_some(),
            "error": outcome.as_ref().err().map(|e| format!("{e:#}")),
        })
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check_proof(p: &ProofFile, trusted_key: Option<&str>) -> Result<()> {
    let index = p
        .seq
        .checked_sub(1)
        .ok_or_else(|| anyhow!("seq starts at 1"))?;
    if p.leaf_index.is_some_and(|i| i != index) {
        return Err(anyhow!("leafIndex must be seq - 1"));
    }
    let leaf = tlog::from_hex(&p.leaf_hash).context("leafHash")?;
    let root = tlog::from_hex(&p.root_hash).context("rootHash")?;
    let proof = p
        .proof
        .iter()
        .map(|h| tlog::from_hex(h))
        .collect::<Result<Vec<_>, _>>()
        .context("proof")?;
    tlog::verify_inclusion(&proof, index, p.tree_size, leaf, root)
        .context("the inclusion proof does not verify")?;
    if let Some(note) = &p.checkpoint {
        let vkey = match (trusted_key, &p.verifier_key) {
            (Some(t), Some(v)) if verifier_key(t)? != *v => {
                return Err(anyhow!("the proof's verifier key is not the trusted key"));
            }
            (Some(t), _) => verifier_key(t)?,
            (None, Some(v)) => v.clone(),
            (None, None) => {
                return Err(anyhow!("a checkpoint needs a verifierKey or --trusted-key"));
            }
        };
        let cp = tlog::open_checkpoint(note, &vkey, None).context("checkpoint")?;
        if cp.size != p.tree_size || cp.root != root {
            return Err(anyhow!(
                "the checkpoint (size {}) does not vouch for treeSize {} and rootHash",
                cp.size,
                p.tree_size
            ));
        }
    }
    Ok(())
}
