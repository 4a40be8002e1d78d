//! The tamper suite: over a thousand seeded mutations of a good pack, every
//! one detected and reported against the right file and rule.

// Compiled for wasm32-unknown-unknown, each `#[test]` is a wasm-bindgen
// test (Node and headless Chromium: `make test-verifier-web`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "pack_common/fixture.rs"]
mod fixture;
#[path = "pack_common/mutate.rs"]
mod mutate;

use aigis_core::pack::{self, Manifest, SiteKey, VerifyOptions, VerifyReport};
use fixture::*;
use mutate::*;
use std::collections::BTreeMap;

#[derive(Default)]
struct Tally {
    tried: usize,
    detected: usize,
    by_category: BTreeMap<String, usize>,
}

impl Tally {
    /// Records one mutation; `want` checks the failure's file and rule.
    fn expect(&mut self, category: &str, r: &VerifyReport, want: impl Fn(&str, &str) -> bool) {
        self.tried += 1;
        *self.by_category.entry(category.to_owned()).or_default() += 1;
        let f = r
            .failure
            .as_ref()
            .unwrap_or_else(|| panic!("{category}: not detected"));
        assert!(!r.ok);
        assert!(
            want(&f.file, &f.rule),
            "{category}: reported {} [{}] {}",
            f.file,
            f.rule,
            f.message
        );
        self.detected += 1;
    }
}

fn verify(z: &[u8]) -> VerifyReport {
    pack::verify(z, &VerifyOptions::default())
}

fn set(entries: &mut Entries, name: &str, bytes: Vec<u8>) {
    entries.iter_mut().find(|(n, _)| n == name).expect(name).1 = bytes;
}

fn get<'a>(entries: &'a Entries, name: &str) -> &'a [u8] {
    &entries.iter().find(|(n, _)| n == name).expect(name).1
}

/// Re-renders a pack from `input`, lets `edit` change the manifest and the
/// data files, and signs the result with `signer`: a consistent, signed
/// pack whose content lies.
fn resign(
    input: &pack::PackInput,
    signer: &aigis_core::tlog::LogSigner,
    edit: impl FnOnce(&mut Manifest, &mut Vec<(&'static str, Vec<u8>)>),
) -> Vec<u8> {
    let (mut m, mut data) = pack::render_files(input).unwrap();
    edit(&mut m, &mut data);
    pack::assemble(m, &data, signer).unwrap()
}

fn data_mut<'a>(data: &'a mut [(&'static str, Vec<u8>)], name: &str) -> &'a mut Vec<u8> {
    &mut data.iter_mut().find(|(n, _)| *n == name).unwrap().1
}

fn text_edit(bytes: &mut Vec<u8>, from: &str, to: &str) {
    let s = String::from_utf8(bytes.clone()).unwrap();
    assert!(s.contains(from), "{from:?} not in {s}");
    *bytes = s.replacen(from, to, 1).into_bytes();
}

#[test]
fn every_tamper_is_detected_and_named() {
    let h = History::new(10, 5, false);
    let last = h.last_commit();
    let zip = h.pack(0, last, None);
    assert!(verify(&zip).ok);
    let base = unzip(&zip);
    let mut t = Tally::default();
    let mut rng = Rng(0x5eed_0001);

    // 1. Content mutations of every file, round robin.
    let mut i = 0;
    while t.tried < 1000 {
        let (name, orig) = base[i % base.len()].clone();
        i += 1;
        let mut bytes = orig.clone();
        let op = mutate_file(&mut rng, &mut bytes);
        if bytes == orig {
            continue;
        }
        let mut e = base.clone();
        set(&mut e, &name, bytes);
        let r = verify(&rezip(&e));
        let data_file = pack::DATA_FILES.contains(&name.as_str());
        t.expect(&format!("{op}:{name}"), &r, |file, rule| {
            file == name && (!data_file || rule == "file.digest" || rule == "file.size")
        });
    }

    // 2. Zip entries: dropped, added, duplicated; the archive truncated.
    for (name, _) in &base {
        let e: Entries = base.iter().filter(|(n, _)| n != name).cloned().collect();
        t.expect("drop-entry", &verify(&rezip(&e)), |f, r| {
            f == name && r == "zip.missing"
        });
        let mut d = base.clone();
        let dup = d.iter().find(|(n, _)| n == name).unwrap().clone();
        d.push(dup);
        t.expect("duplicate-entry", &verify(&stored_zip(&d)), |f, r| {
            f == name && r == "zip.duplicate"
        });
    }
    for extra in [
        "extra.txt",
        "../evil",
        "audit.jsonl.bak",
        "manifest.json/",
        "Requests.csv",
    ] {
        let mut e = base.clone();
        e.push((extra.to_owned(), b"x".to_vec()));
        t.expect("add-entry", &verify(&rezip(&e)), |f, r| {
            f == extra && (r == "zip.unexpected" || r == "zip.entry-unreadable")
        });
    }
    // Entries in another order are the same pack.
    let mut reordered = base.clone();
    reordered.reverse();
    assert!(verify(&rezip(&reordered)).ok);
    assert!(verify(&stored_zip(&base)).ok);
    for _ in 0..40 {
        let cut = rng.below(zip.len());
        t.expect("truncate-zip", &verify(&zip[..cut]), |_, r| {
            r.starts_with("zip.")
        });
    }

    // 3. Keys and key ids.
    for seed in 40..50u8 {
        let other = signer(seed);
        let m = String::from_utf8(get(&base, pack::MANIFEST).to_vec()).unwrap();
        let cur = h.signer_at(1);
        let mut e = base.clone();
        set(
            &mut e,
            pack::MANIFEST,
            m.replace(&cur.verifier_key(), &other.verifier_key())
                .replace(&cur.key_id(), &other.key_id())
                .into_bytes(),
        );
        t.expect("replace-key", &verify(&rezip(&e)), |f, r| {
            f == pack::MANIFEST && r == "dsse.keyid"
        });
        let mut e = base.clone();
        set(&mut e, pack::MANIFEST, {
            let at = m.find("\"keys\":").unwrap();
            let (head, tail) = m.split_at(at);
            let tail = tail.replacen(
                &format!("\"keyId\": \"{}\"", cur.key_id()),
                &format!("\"keyId\": \"{}\"", other.key_id()),
                1,
            );
            format!("{head}{tail}").into_bytes()
        });
        t.expect("replace-key-id", &verify(&rezip(&e)), |f, r| {
            f == pack::MANIFEST && r == "key.invalid"
        });
        let env = String::from_utf8(get(&base, pack::ENVELOPE).to_vec()).unwrap();
        let mut e = base.clone();
        set(
            &mut e,
            pack::ENVELOPE,
            env.replace(&cur.key_id(), &other.key_id()).into_bytes(),
        );
        t.expect("replace-envelope-key-id", &verify(&rezip(&e)), |f, r| {
            f == pack::ENVELOPE && r == "dsse.keyid"
        });
        // A signature by another key over the same statement.
        let mut envelope: pack::DsseEnvelope = serde_json::from_str(&env).unwrap();
        let body = base64_decode(&envelope.payload);
        let sig = other
            .sign_raw(&pack::pae(pack::PAYLOAD_TYPE, &body))
            .unwrap();
        envelope.signatures[0].sig = base64_encode(&sig);
        let mut e = base.clone();
        let mut bytes = serde_json::to_vec_pretty(&envelope).unwrap();
        bytes.push(b'\n');
        set(&mut e, pack::ENVELOPE, bytes);
        t.expect("replace-signature", &verify(&rezip(&e)), |f, r| {
            f == pack::ENVELOPE && r == "dsse.signature"
        });
        // Everything re-signed by another key: the checkpoints still are not.
        let mut input = h.input(0, last, None);
        for k in &mut input.keys {
            k.key_id = other.key_id();
            k.verifier_key = other.verifier_key();
        }
        let forged = resign(&input, &other, |_, _| {});
        t.expect("resign-other-key", &verify(&forged), |f, r| {
            f == pack::MANIFEST && r == "checkpoint.signature"
        });
        // A complete forgery under another key: only a trusted key catches it.
        let fake = History::new(10, seed, false);
        let fz = fake.pack(0, fake.last_commit(), None);
        assert!(verify(&fz).ok);
        let opts = VerifyOptions {
            trusted_key: Some(cur.verifier_key()),
            ..VerifyOptions::default()
        };
        t.expect("forgery-untrusted", &pack::verify(&fz, &opts), |f, r| {
            f == pack::MANIFEST && r == "key.untrusted"
        });
    }

    // 4. An older, consistent but shorter log spliced in.
    for k in 1..last {
        let short_zip = h.pack(0, k, None);
        let short = unzip(&short_zip);
        for name in [pack::AUDIT, pack::CHECKPOINTS] {
            if get(&short, name) == get(&base, name) {
                continue;
            }
            let mut e = base.clone();
            set(&mut e, name, get(&short, name).to_vec());
            t.expect("splice-shorter", &verify(&rezip(&e)), |f, r| {
                f == name && (r == "file.digest" || r == "file.size")
            });
        }
        let mut e = base.clone();
        set(&mut e, pack::MANIFEST, get(&short, pack::MANIFEST).to_vec());
        t.expect("splice-manifest", &verify(&rezip(&e)), |f, r| {
            f == pack::MANIFEST && r == "dsse.subject"
        });
        let mut e = base.clone();
        set(&mut e, pack::MANIFEST, get(&short, pack::MANIFEST).to_vec());
        set(&mut e, pack::ENVELOPE, get(&short, pack::ENVELOPE).to_vec());
        let first_diff = pack::DATA_FILES
            .iter()
            .find(|n| get(&short, n) != get(&base, n))
            .unwrap()
            .to_string();
        t.expect("splice-signed-manifest", &verify(&rezip(&e)), |f, r| {
            f == first_diff && (r == "file.digest" || r == "file.size")
        });
        // The shorter log with the longer checkpoint, re-signed.
        let short_input = h.input(0, k, None);
        let full_input = h.input(0, last, None);
        let z = resign(&full_input, h.signer_at(1), |m, data| {
            *data_mut(data, pack::AUDIT) = get(&short, pack::AUDIT).to_vec();
            m.last_seq = Some(short_input.checkpoint.size);
            m.records
                .insert(pack::AUDIT.into(), short_input.events.len() as u64);
        });
        t.expect("resign-shorter-log", &verify(&z), |f, r| {
            f == pack::MANIFEST && r == "checkpoint.size"
        });
    }

    // 5. Signed but inconsistent content (a lying generator).
    let input = h.input(0, last, None);
    let s = h.signer_at(1);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "decision-rationale",
            resign(&input, s, |_, d| {
                text_edit(
                    data_mut(d, pack::DECISIONS),
                    "not needed, case 2",
                    "approved after all",
                )
            }),
            pack::DECISIONS,
            "fold.field",
        ),
        (
            "decision-flipped",
            resign(&input, s, |_, d| {
                text_edit(data_mut(d, pack::DECISIONS), ",denied,", ",approved,")
            }),
            pack::DECISIONS,
            "fold.field",
        ),
        (
            "grant-for-denied-request",
            resign(&input, s, |_, d| {
                text_edit(data_mut(d, pack::GRANTS), "g-0,10000,", "g-0,10002,")
            }),
            pack::GRANTS,
            "fold.field",
        ),
        (
            "grant-without-event",
            resign(&input, s, |_, d| {
                text_edit(data_mut(d, pack::GRANTS), "g-0,", "g-99,")
            }),
            pack::GRANTS,
            "fold.unproven",
        ),
        (
            "request-requester",
            resign(&input, s, |_, d| {
                text_edit(
                    data_mut(d, pack::REQUESTS),
                    "10001,AI-2,AI,acct-1",
                    "10001,AI-2,AI,acct-6",
                )
            }),
            pack::REQUESTS,
            "fold.field",
        ),
        (
            "request-without-event",
            resign(&input, s, |_, d| {
                text_edit(data_mut(d, pack::REQUESTS), "10001,AI-2", "99999,AI-2")
            }),
            pack::REQUESTS,
            "fold.unproven",
        ),
        (
            "job-grant",
            resign(&input, s, |_, d| {
                text_edit(
                    data_mut(d, pack::JOBS),
                    "j-0,provision,g-0",
                    "j-0,provision,g-1",
                )
            }),
            pack::JOBS,
            "fold.field",
        ),
        (
            "connector-enforce",
            resign(&input, s, |_, d| {
                text_edit(data_mut(d, pack::CONNECTORS), ",true,false,", ",true,true,")
            }),
            pack::CONNECTORS,
            "fold.field",
        ),
        (
            "connector-without-event",
            resign(&input, s, |_, d| {
                text_edit(data_mut(d, pack::CONNECTORS), "\nokta,", "\nokta2,")
            }),
            pack::CONNECTORS,
            "fold.unproven",
        ),
        (
            "reconciliation-resolved",
            resign(&input, s, |_, d| {
                text_edit(data_mut(d, pack::RECONCILIATION), ",open,", ",resolved,")
            }),
            pack::RECONCILIATION,
            "fold.field",
        ),
        (
            "reconciliation-member",
            resign(&input, s, |_, d| {
                text_edit(
                    data_mut(d, pack::RECONCILIATION),
                    ",extra,00u9,",
                    ",extra,00u8,",
                )
            }),
            pack::RECONCILIATION,
            "fold.field",
        ),
        (
            "reconciliation-dropped",
            resign(&input, s, |m, d| {
                m.records.insert(pack::RECONCILIATION.into(), 0);
                let csv = data_mut(d, pack::RECONCILIATION);
                let text = String::from_utf8(csv.clone()).unwrap();
                let header = text.lines().next().unwrap().to_owned();
                *csv = format!("{header}\n").into_bytes();
            }),
            pack::RECONCILIATION,
            "fold.missing",
        ),
        (
            "record-count",
            resign(&input, s, |m, _| {
                m.records.insert(pack::GRANTS.into(), 99);
            }),
            pack::GRANTS,
            "records.count",
        ),
        (
            "event-altered",
            resign(&input, s, |_, d| {
                text_edit(
                    data_mut(d, pack::AUDIT),
                    "\"acct-approver\"",
                    "\"acct-other\"",
                )
            }),
            pack::AUDIT,
            "audit.entry-hash",
        ),
        (
            "prefix-altered",
            resign(&input, s, |m, _| {
                m.prefix.size = 1;
                m.prefix.hashes = vec!["00".repeat(32)];
            }),
            pack::AUDIT,
            "audit.anchor",
        ),
        (
            "checkpoint-fields",
            {
                let mut i2 = input.clone();
                i2.checkpoints.push(h.checkpoint(h.events.len() as u64));
                let mut bad = h.checkpoint(3);
                bad.size = 4;
                i2.checkpoints.push(bad);
                pack::build(&i2, s).unwrap()
            },
            pack::CHECKPOINTS,
            "checkpoints.fields",
        ),
        (
            "checkpoint-out-of-range",
            {
                let mut i2 = h.input(12, last, None);
                i2.checkpoints.insert(0, h.checkpoint(2));
                pack::build(&i2, s).unwrap()
            },
            pack::CHECKPOINTS,
            "checkpoints.range",
        ),
        (
            "older-checkpoint",
            {
                let mut i2 = input.clone();
                i2.checkpoint = h.checkpoint(h.commit_ends[last - 1]);
                pack::build(&i2, s).unwrap()
            },
            pack::MANIFEST,
            "checkpoint.size",
        ),
        (
            "previous-proof",
            {
                let mut i2 = h.input(0, last, Some(h.commit_ends[5]));
                i2.previous.as_mut().unwrap().proof.pop();
                pack::build(&i2, s).unwrap()
            },
            pack::MANIFEST,
            "previous.proof",
        ),
    ];
    for (name, z, file, rule) in cases {
        let r = verify(&z);
        t.expect(name, &r, |f, r| f == file && r == rule);
    }
    let mac = resign(&input, s, |_, d| {
        let audit = data_mut(d, pack::AUDIT);
        let a = String::from_utf8(audit.clone()).unwrap();
        let i = a.find("\"entryMac\":\"").unwrap() + 12;
        let mut b = a.into_bytes();
        b[i] = if b[i] == b'0' { b'1' } else { b'0' };
        *audit = b;
    });
    let opts = VerifyOptions {
        site_key: Some(SiteKey {
            key_id: None,
            key: SITE_KEY.to_vec(),
        }),
        ..VerifyOptions::default()
    };
    assert!(verify(&mac).ok, "entryMac is not checkable without the key");
    t.expect("entry-mac", &pack::verify(&mac, &opts), |f, r| {
        f == pack::AUDIT && r == "audit.mac"
    });

    println!("tamper suite: {} tried, {} detected", t.tried, t.detected);
    for (c, n) in &t.by_category {
        println!("  {c}: {n}");
    }
    assert!(t.tried >= 1000);
    assert_eq!(t.tried, t.detected);
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}
