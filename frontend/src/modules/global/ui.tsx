// Small pieces the page screens share: issue keys as links (opened through
// the bridge's router), status lozenges, flags, people by display name.

import Button from '@atlaskit/button/new';
import Lozenge from '@atlaskit/lozenge';
import { router, showFlag } from '@forge/bridge';
import React, { createContext, useContext } from 'react';
import { tone } from '../../format';

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

export const NamesContext = createContext<NameOf>((id) => id);

export function useNameOf(): NameOf {
  return useContext(NamesContext);
}

export function Person({ accountId }: { accountId: string | null | undefined }): React.JSX.Element {
  const nameOf = useNameOf();
  return <>{accountId ? nameOf(accountId) : '—'}</>;
}
