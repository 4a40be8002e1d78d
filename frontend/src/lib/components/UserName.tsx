import { useEffect, useState } from 'react';
import { useEnv } from '../mount';
import { fallbackName } from '../names';

/** A person by display name (fetched in bulk, cached per page load); never the raw account id. */
export function UserName({ accountId, you }: { accountId: string | null | undefined; you?: boolean }) {
  const { names, context } = useEnv();
  const [name, setName] = useState<string | null>(() => (accountId ? (names.cached(accountId)?.displayName ?? null) : null));
  useEffect(() => {
    let live = true;
    if (!accountId) return;
    void names.person(accountId).then(
      (p) => live && setName(fallbackName(p)),
      () => live && setName('Someone'),
    );
    return () => {
      live = false;
    };
  }, [accountId, names]);
  if (!accountId) return <span>—</span>;
  const self = you !== false && context.accountId === accountId;
  return <span data-account-id={accountId}>{name ?? '…'}{self ? ' (you)' : ''}</span>;
}
