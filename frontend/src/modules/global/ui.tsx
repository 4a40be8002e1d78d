// Small pieces the page screens share: issue keys as links (opened through
// the bridge's router), status lozenges, flags, people by display name.

import Button from '@atlaskit/button/new';
import Lozenge from '@atlaskit/lozenge';
import { Text } from '@atlaskit/primitives';
import { router, showFlag } from '@forge/bridge';
import React, { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { tone } from '../../lib/labels';
import { NameCache } from './names';
import { call } from './rpc';

type LozengeAppearance = 'success' | 'removed' | 'moved' | 'default' | 'inprogress' | 'new';

const APPEARANCE: Record<ReturnType<typeof tone>, LozengeAppearance> = {
  success: 'success',
  danger: 'removed',
  warning: 'moved',
  info: 'inprogress',
  neutral: 'default',
};

export function Status({ value, label }: { value: string; label: string }): React.JSX.Element {
  return <Lozenge appearance={APPEARANCE[tone(value)]}>{label}</Lozenge>;
}

/** An issue key that opens the issue in Jira (a new tab on Forge, the shell's issue page locally). */
export function IssueLink({ issueKey }: { issueKey: string }): React.JSX.Element {
  if (!issueKey) return <>—</>;
  return (
    <Button appearance="subtle" spacing="compact" onClick={() => void router.open({ target: 'issue', issueKey })}>
      {issueKey}
    </Button>
  );
}

let flagId = 0;

export function flag(appearance: 'success' | 'error' | 'warning' | 'info', title: string, description?: string): void {
  flagId += 1;
  showFlag({ id: `aigis-${flagId}`, title, description, type: appearance, appearance, isAutoDismiss: appearance === 'success' });
}

/** Display names of accounts, resolved in bulk by the page; the id until known. */
export type NameOf = (accountId: string) => string;

interface Names {
  nameOf: NameOf;
  want: (ids: Iterable<string>) => void;
}

const NamesContext = createContext<Names>({ nameOf: (id) => id, want: () => undefined });

/** Holds the page's name cache; re-renders its children when names arrive. */
export function NamesProvider({ children }: { children: React.ReactNode }): React.JSX.Element {
  const cache = useMemo(() => new NameCache((accountIds) => call('directory.users', { accountIds })), []);
  const [version, setVersion] = useState(0);
  useEffect(() => cache.subscribe(() => setVersion((v) => v + 1)), [cache]);
  const value = useMemo<Names>(
    () => ({ nameOf: (id) => cache.nameOf(id), want: (ids) => void cache.want(ids) }),
    // A new value each time names arrive, so users of the context re-render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cache, version],
  );
  return <NamesContext.Provider value={value}>{children}</NamesContext.Provider>;
}

export function useNameOf(): NameOf {
  return useContext(NamesContext).nameOf;
}

/** Resolves the accounts of the rows a table shows: pass it as the table's `onRows`. */
export function useWantNames<T>(accounts: (row: T) => (string | null | undefined)[]): (rows: T[]) => void {
  const { want } = useContext(NamesContext);
  return (rows) => want(rows.flatMap(accounts).filter((a): a is string => !!a));
}

export function Person({ accountId }: { accountId: string | null | undefined }): React.JSX.Element {
  const nameOf = useNameOf();
  return <Text>{accountId ? nameOf(accountId) : '—'}</Text>;
}

const toolLists = new Map<boolean, Promise<Map<string, string>>>();

/** Tool names by id, from the catalog (loaded once per page; `all` for admins, who see retired tools too). */
export function useToolNames(all = false): (toolId: string) => string {
  const [names, setNames] = useState<Map<string, string> | null>(null);
  useEffect(() => {
    let live = true;
    let p = toolLists.get(all);
    if (!p) {
      p = call('catalog.list', all ? { all: true } : {}).then(
        (r) => new Map(r.tools.map((t) => [t.id, t.name])),
        () => new Map<string, string>(),
      );
      toolLists.set(all, p);
    }
    void p.then((m) => live && setNames(m));
    return () => {
      live = false;
    };
  }, [all]);
  return (id) => names?.get(id) ?? id;
}
