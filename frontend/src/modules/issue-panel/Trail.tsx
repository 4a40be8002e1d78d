import Lozenge from '@atlaskit/lozenge';
import { useEffect, useState } from 'react';
import type { TrailEntry } from '../../generated/api';
import { viewerTime } from '../../lib/format';
import { actorLabel, shortHash } from '../../lib/labels';
import { useEnv } from '../../lib/mount';
import { checkProof, type ProofCheck } from '../../lib/proof';
import { UserName } from '../../lib/components/UserName';

function eventWords(action: string): string {
  const spaced = action.replace(/[._]/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Account ids are shown by name; Aigis itself by what it did. */
function Actor({ actor }: { actor: string }) {
  const { context } = useEnv();
  if (actor.startsWith('app:') || actor === 'system') return <span>{actorLabel(actor, context.accountId)}</span>;
  return <UserName accountId={actor} />;
}

function ProofState({ entry }: { entry: TrailEntry }) {
  const [check, setCheck] = useState<ProofCheck | null>(null);
  useEffect(() => {
    let live = true;
    checkProof(entry.proof, entry.event.entryHash).then(
      (c) => live && setCheck(c),
      () => live && setCheck({ ok: false, reason: 'The proof could not be checked here.' }),
    );
    return () => {
      live = false;
    };
  }, [entry]);
  if (!check) return <Lozenge>Checking proof</Lozenge>;
  if (check.ok) return <Lozenge appearance="success">Proof checked</Lozenge>;
  return (
    <span>
      <Lozenge appearance="removed">Proof failed</Lozenge> {check.reason}
    </span>
  );
}

/** The request's audit trail, oldest first, each event with its inclusion proof checked here. */
export function Trail({ trail }: { trail: TrailEntry[] }) {
  const { context } = useEnv();
  if (trail.length === 0) return <p>No events yet.</p>;
  return (
    <ol className="trail" aria-label="Audit trail">
      {trail.map((t) => (
        <li key={t.event.seq}>
          <p>
            <strong>{eventWords(t.event.action)}</strong> by <Actor actor={t.event.actor} /> · {viewerTime(t.event.at, context.timezone)}
            {t.event.govVersion != null ? ` · governance v${t.event.govVersion}` : ''}
          </p>
          <p className="meta">
            Event {t.event.seq} · entry {shortHash(t.event.entryHash)} · in the log of {t.proof.treeSize} events (root{' '}
            {shortHash(t.proof.rootHash)}) <ProofState entry={t} />
          </p>
        </li>
      ))}
    </ol>
  );
}
