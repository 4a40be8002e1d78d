//! `--previous`: the new pack extends the older one.

use super::*;

/// Checks the pack `new` (verified) extends the older pack `old`.
pub(super) fn link(
    old: &[u8],
    new: &Verified,
    opts: &VerifyOptions,
    report: &mut VerifyReport,
) -> Check<()> {
    let inner = VerifyOptions {
        site_key: opts.site_key.clone(),
        previous: None,
        trusted_key: None,
    };
    let mut old_report = VerifyReport::default();
    let old = check(old, &inner, &mut old_report).map_err(|f| Failure {
        file: format!("previous/{}", f.file),
        message: format!("the previous pack does not verify: {}", f.message),
        ..f
    })?;
    let (om, nm) = (&old.manifest, &new.manifest);
    if om.scope.origin != nm.scope.origin {
        return Err(fail(
            MANIFEST,
            "link.origin",
            format!(
                "the previous pack is of log {:?}, this one of {:?}",
                om.scope.origin, nm.scope.origin
            ),
        ));
    }
    let (old_size, new_size) = (om.checkpoint.size, nm.checkpoint.size);
    if old_size > new_size {
        return Err(fail(
            MANIFEST,
            "link.rollback",
            format!(
                "this pack's log ({new_size}) is shorter than the previous pack's ({old_size})"
            ),
        )
        .seq(new_size));
    }
    let old_root = old.root_at(old_size);
    let named = nm
        .previous
        .as_ref()
        .is_some_and(|p| p.checkpoint.note == om.checkpoint.note);
    let recomputed = new
        .root_at(old_size)
        .filter(|_| old_size >= new.base && old_size > 0);
    match (named, recomputed) {
        // The consistency proof in this pack's manifest verified already.
        (true, _) => {}
        (false, Some(r)) if Some(r) == old_root => {}
        (false, Some(_)) => {
            return Err(fail(
                MANIFEST,
                "link.fork",
                format!("the log at size {old_size} differs from the previous pack's: a fork"),
            )
            .seq(old_size));
        }
        (false, None) => {
            if let Some(p) = &nm.previous
                && p.checkpoint.size == old_size
            {
                return Err(fail(
                    MANIFEST,
                    "link.fork",
                    format!(
                        "the previous checkpoint at size {old_size} is not the previous pack's"
                    ),
                )
                .seq(old_size));
            }
            return Err(fail(
                MANIFEST,
                "link.unlinked",
                format!(
                    "this pack neither names the previous pack's checkpoint ({old_size}) nor covers it"
                ),
            ));
        }
    }
    // Key continuity.
    if old.current.key_id != new.current.key_id {
        let kept = nm
            .keys
            .iter()
            .any(|k| k.key_id == old.current.key_id && k.verifier_key == old.current.verifier_key);
        let introduced = new.events.iter().any(|e| {
            e.seq == new.current.introduced_at_seq
                && e.seq > old_size
                && is_key_event(e, &new.current.key_id, &new.current.verifier_key)
        });
        if !kept || !introduced {
            return Err(fail(
                MANIFEST,
                "link.key",
                format!(
                    "the signing key changed from {} to {} without a key rotation event in the log",
                    old.current.key_id, new.current.key_id
                ),
            ));
        }
    }
    report.previous = Some(format!(
        "extends the previous pack: checkpoint {old_size} -> {new_size}"
    ));
    Ok(())
}
