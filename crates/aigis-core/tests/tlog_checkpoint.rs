//! C2SP signed-note checkpoints: sign, open, and refuse every altered or
//! foreign note with an error (never a panic).

use aigis_core::tlog::{
    self, Hash, LogSigner, TlogError, open_checkpoint, open_checkpoint_bytes, parse_verifier_key,
    verify_raw,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

const ORIGIN: &str = "aigis.test/audit";

fn signer(seed: u8) -> LogSigner {
    LogSigner::from_seed(ORIGIN, &[seed; 32]).unwrap()
}

fn root() -> Hash {
    tlog::leaf_hash(b"root")
}

fn note() -> (LogSigner, String) {
    let s = signer(7);
    let n = s.sign_checkpoint(ORIGIN, 42, root()).unwrap();
    (s, n)
}

fn checkpoint_err(r: Result<tlog::Checkpoint, TlogError>) -> String {
    match r {
        Err(TlogError::Checkpoint(msg)) => msg,
        other => panic!("expected a checkpoint error, got {other:?}"),
    }
}

/// The body lines and the signature lines of a note.
fn split(note: &str) -> (&str, &str) {
    note.split_once("\n\n").unwrap()
}

#[test]
fn round_trip() {
    let (s, n) = note();
    // C2SP tlog-checkpoint: origin, decimal size, base64 root, blank line,
    // then one signature line "— <name> base64(keyid || signature)".
    let (body, sigs) = split(&n);
    assert_eq!(body, format!("{ORIGIN}\n42\n{}", tlog::b64(&root())));
    assert!(sigs.starts_with(&format!("\u{2014} {ORIGIN} ")));
    assert_eq!(sigs.lines().count(), 1);
    let raw = B64
        .decode(sigs.trim_end().rsplit(' ').next().unwrap())
        .unwrap();
    assert_eq!(raw.len(), 4 + 64, "key id and an Ed25519 signature");
    assert_eq!(hex4(&raw[..4]), s.key_id());

    let cp = open_checkpoint(&n, &s.verifier_key(), Some(ORIGIN)).unwrap();
    assert_eq!(
        cp,
        tlog::Checkpoint {
            origin: ORIGIN.into(),
            size: 42,
            root: root(),
        }
    );
    assert_eq!(open_checkpoint(&n, &s.verifier_key(), None).unwrap(), cp);
    assert_eq!(
        open_checkpoint_bytes(n.as_bytes(), &s.verifier_key(), Some(ORIGIN)).unwrap(),
        cp
    );
    // Deterministic: Ed25519 signatures do not depend on randomness.
    assert_eq!(s.sign_checkpoint(ORIGIN, 42, root()).unwrap(), n);
    // Sizes at the edges of the format.
    for size in [0, 1, u64::MAX] {
        let n = s.sign_checkpoint(ORIGIN, size, root()).unwrap();
        let cp = open_checkpoint(&n, &s.verifier_key(), Some(ORIGIN)).unwrap();
        assert_eq!(cp.size, size);
    }
}

fn hex4(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn verifier_key_has_the_c2sp_shape() {
    let s = signer(7);
    let vkey = s.verifier_key();
    let parts: Vec<&str> = vkey.split('+').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], ORIGIN);
    assert_eq!(parts[1], s.key_id());
    let key = B64.decode(parts[2]).unwrap();
    assert_eq!(key[0], 0x01, "algorithm byte: Ed25519");
    assert_eq!(&key[1..], &s.public_key());
    assert_eq!(
        parse_verifier_key(&vkey).unwrap(),
        (ORIGIN.to_owned(), s.key_id())
    );
}

#[test]
fn extra_signatures_by_unknown_keys_are_ignored() {
    let (s, n) = note();
    let (body, ours) = split(&n);
    // A cosignature by another key (another name) before and after ours.
    let other = LogSigner::from_seed("witness.example", &[9; 32]).unwrap();
    let theirs = other
        .sign_checkpoint(ORIGIN, 42, root())
        .unwrap()
        .split_once("\n\n")
        .unwrap()
        .1
        .to_owned();
    for sigs in [format!("{theirs}{ours}"), format!("{ours}{theirs}")] {
        let both = format!("{body}\n\n{sigs}");
        let cp = open_checkpoint(&both, &s.verifier_key(), Some(ORIGIN)).unwrap();
        assert_eq!(cp.size, 42);
    }
    // The same signature line twice counts once.
    let twice = format!("{body}\n\n{ours}{ours}");
    open_checkpoint(&twice, &s.verifier_key(), Some(ORIGIN)).unwrap();
    // Only unknown signatures: refused.
    let only_theirs = format!("{body}\n\n{theirs}");
    let msg = checkpoint_err(open_checkpoint(&only_theirs, &s.verifier_key(), None));
    assert!(msg.contains("signature"), "{msg}");
    // A signature line under our name with an unknown key id: unknown key.
    let raw = B64
        .decode(ours.trim_end().rsplit(' ').next().unwrap())
        .unwrap();
    let mut other_id = raw.clone();
    other_id[0] ^= 0xff;
    let line = format!("\u{2014} {ORIGIN} {}\n", B64.encode(&other_id));
    let n2 = format!("{body}\n\n{line}");
    assert!(open_checkpoint(&n2, &s.verifier_key(), None).is_err());
    let n3 = format!("{body}\n\n{line}{ours}");
    open_checkpoint(&n3, &s.verifier_key(), None).unwrap();
}

#[test]
fn wrong_key_name_id_or_key_is_refused() {
    let (s, n) = note();
    // Same key pair, another name: the note's signature line names ORIGIN.
    let renamed = LogSigner::from_seed("aigis.test/other", &[7; 32]).unwrap();
    assert_eq!(renamed.public_key(), s.public_key());
    checkpoint_err(open_checkpoint(&n, &renamed.verifier_key(), None));
    // Same name, another key: another key id, so no known signature.
    checkpoint_err(open_checkpoint(&n, &signer(8).verifier_key(), None));
    // A verifier key whose id does not match its name and key is refused.
    let vkey = s.verifier_key();
    let parts: Vec<&str> = vkey.split('+').collect();
    let bad_id = format!("{}+{}+{}", parts[0], "00000000", parts[2]);
    let msg = checkpoint_err(open_checkpoint(&n, &bad_id, None));
    assert!(msg.contains("verifier key"), "{msg}");
    assert!(parse_verifier_key(&bad_id).is_err());
    // A verifier key claiming our name and id but holding another key.
    let other_pk = B64.encode([&[1u8][..], &signer(8).public_key()].concat());
    let forged = format!("{}+{}+{}", parts[0], parts[1], other_pk);
    checkpoint_err(open_checkpoint(&n, &forged, None));
    // Malformed verifier keys.
    for bad in [
        "",
        "+",
        "name",
        "name+0+AQ==",
        "name+zzzzzzzz+AQ==",
        &format!("{}+{}+!!!", parts[0], parts[1]),
        &format!("{}+{}+", parts[0], parts[1]),
        &format!("bad name+{}+{}", parts[1], parts[2]),
        &format!("{}+{}+{}", parts[0], parts[1], B64.encode([2u8; 33])),
        &format!("{}+{}+{}", parts[0], parts[1], B64.encode([1u8; 12])),
    ] {
        checkpoint_err(open_checkpoint(&n, bad, None));
        assert!(parse_verifier_key(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn altered_body_is_refused() {
    let (s, n) = note();
    let vk = s.verifier_key();
    let r = tlog::b64(&root());
    let other_root = tlog::b64(&tlog::leaf_hash(b"other"));
    for (from, to) in [
        (format!("{ORIGIN}\n"), "aigis.test/audiT\n".to_owned()),
        ("\n42\n".to_owned(), "\n43\n".to_owned()),
        ("\n42\n".to_owned(), "\n042\n".to_owned()),
        ("\n42\n".to_owned(), "\n+42\n".to_owned()),
        (r.clone(), other_root),
        (format!("{r}\n"), format!("{r}\nextension line\n")),
        (format!("{r}\n"), format!("{r}\n\n")),
        (format!("{ORIGIN}\n"), format!("{ORIGIN} \n")),
    ] {
        let altered = n.replacen(&from, &to, 1);
        assert_ne!(altered, n);
        checkpoint_err(open_checkpoint(&altered, &vk, None));
    }
}

#[test]
fn altered_signature_is_refused() {
    let (s, n) = note();
    let vk = s.verifier_key();
    let (body, sig_line) = split(&n);
    let b64 = sig_line.trim_end().rsplit(' ').next().unwrap();
    let raw = B64.decode(b64).unwrap();
    // One bit in every byte of the signature (not the key id).
    for i in 4..raw.len() {
        let mut bad = raw.clone();
        bad[i] ^= 1 << (i % 8);
        let line = format!("\u{2014} {ORIGIN} {}\n", B64.encode(&bad));
        let msg = checkpoint_err(open_checkpoint(&format!("{body}\n\n{line}"), &vk, None));
        assert!(msg.contains("signature"), "{msg}");
    }
    // Truncated, extended, emptied, not base64, wrong dash.
    for line in [
        format!("\u{2014} {ORIGIN} {}\n", B64.encode(&raw[..raw.len() - 1])),
        format!(
            "\u{2014} {ORIGIN} {}\n",
            B64.encode([&raw[..], &[0]].concat())
        ),
        format!("\u{2014} {ORIGIN} {}\n", B64.encode(&raw[..4])),
        format!("\u{2014} {ORIGIN} \n"),
        format!("\u{2014} {ORIGIN} ***\n"),
        format!("- {ORIGIN} {b64}\n"),
        format!("\u{2014} {ORIGIN}{b64}\n"),
        format!("\u{2014}  {ORIGIN} {b64}\n"),
    ] {
        checkpoint_err(open_checkpoint(&format!("{body}\n\n{line}"), &vk, None));
    }
}

#[test]
fn origin_mismatch_is_refused() {
    let (s, n) = note();
    let msg = checkpoint_err(open_checkpoint(
        &n,
        &s.verifier_key(),
        Some("aigis.test/elsewhere"),
    ));
    assert!(msg.contains("origin"), "{msg}");
    // A checkpoint signed by our key for another origin.
    let n2 = s
        .sign_checkpoint("aigis.test/elsewhere", 42, root())
        .unwrap();
    checkpoint_err(open_checkpoint(&n2, &s.verifier_key(), Some(ORIGIN)));
    open_checkpoint(&n2, &s.verifier_key(), Some("aigis.test/elsewhere")).unwrap();
}

/// Found while writing these tests: tlog_tiles' `Checkpoint::new` accepts an
/// origin with a line break, so `sign_checkpoint("x\n999\n<root>", ..)`
/// used to sign a body that opens as size 999 with a root of the caller's
/// choice. `sign_checkpoint` now refuses such origins.
#[test]
fn origins_that_would_inject_body_lines_are_refused() {
    let s = signer(7);
    let forged = format!("{ORIGIN}\n999\n{}", tlog::b64(&tlog::leaf_hash(b"forged")));
    assert!(matches!(
        s.sign_checkpoint(&forged, 42, root()),
        Err(TlogError::Checkpoint(_))
    ));
    for bad in [
        "",
        "a\nb",
        "a\rb",
        "tab\there",
        "nul\0",
        "\u{7f}del",
        "\u{85}nel",
    ] {
        assert!(s.sign_checkpoint(bad, 1, root()).is_err(), "{bad:?}");
    }
    // Non-ASCII but printable origins are fine.
    let n = s.sign_checkpoint("журнал.example/ü", 1, root()).unwrap();
    open_checkpoint(&n, &s.verifier_key(), Some("журнал.example/ü")).unwrap();
}

#[test]
fn malformed_notes_are_refused() {
    let (s, n) = note();
    let vk = s.verifier_key();
    let (body, sigs) = split(&n);
    for bad in [
        String::new(),
        "\n".into(),
        "\n\n".into(),
        body.to_owned(),
        format!("{body}\n"),
        format!("{body}\n\n"),
        format!("{body}\n{sigs}"),
        format!("{body}\n\n{}", sigs.trim_end()),
        format!("{body}\n\n\n{sigs}"),
        n.replace('\n', "\r\n"),
        format!("{n}\n"),
        format!("\n{n}"),
        n.replacen(ORIGIN, &format!("{ORIGIN}\u{1}"), 1),
        "x".repeat(2_000_000),
        format!("{body}\n\n{}", sigs.repeat(101)),
    ] {
        checkpoint_err(open_checkpoint(&bad, &vk, None));
    }
}

#[test]
fn non_utf8_notes_are_refused() {
    let (s, n) = note();
    let vk = s.verifier_key();
    let mut bytes = n.clone().into_bytes();
    bytes[0] = 0xff;
    let msg = checkpoint_err(open_checkpoint_bytes(&bytes, &vk, None));
    assert!(msg.contains("UTF-8"), "{msg}");
    // An overlong encoding of '\n', a lone continuation byte, a truncated
    // multi-byte sequence at the end.
    for bad in [
        n.replacen('\n', "\u{0}", 1)
            .into_bytes()
            .into_iter()
            .map(|b| if b == 0 { 0xc0 } else { b })
            .collect::<Vec<u8>>(),
        [n.as_bytes(), &[0x80]].concat(),
        [n.as_bytes(), &[0xe2, 0x80]].concat(),
    ] {
        checkpoint_err(open_checkpoint_bytes(&bad, &vk, None));
    }
}

#[test]
fn raw_signatures_verify_and_refuse_tampering() {
    let s = signer(7);
    let vk = s.verifier_key();
    let sig = s.sign_raw(b"payload").unwrap();
    assert_eq!(sig.len(), 64);
    verify_raw(&vk, b"payload", &sig).unwrap();
    assert!(verify_raw(&vk, b"payloaD", &sig).is_err());
    assert!(verify_raw(&signer(8).verifier_key(), b"payload", &sig).is_err());
    for bad in [&sig[..63], &[][..], &[sig.as_slice(), &[0]].concat()[..]] {
        assert!(verify_raw(&vk, b"payload", bad).is_err());
    }
    let mut flipped = sig.clone();
    flipped[10] ^= 1;
    assert!(verify_raw(&vk, b"payload", &flipped).is_err());
    assert!(verify_raw("garbage", b"payload", &sig).is_err());
}

#[test]
fn invalid_key_names_are_refused() {
    for bad in ["", "has space", "has+plus", "tab\t", "nl\n"] {
        assert!(matches!(
            LogSigner::from_seed(bad, &[1; 32]),
            Err(TlogError::Checkpoint(_))
        ));
    }
}
