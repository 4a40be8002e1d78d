import { router } from '@forge/bridge';
import type { MouseEvent } from 'react';

/** The Jira path of an issue. */
export function issuePath(issueKey: string): string {
  return `/browse/${encodeURIComponent(issueKey)}`;
}

/** An issue key as a link that opens the issue through the bridge's router (Forge forbids direct navigation). */
export function IssueLink({ issueKey }: { issueKey: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    void router.navigate(issuePath(issueKey)).catch(() => undefined);
  };
  return (
    <a href={issuePath(issueKey)} onClick={onClick}>
      {issueKey}
    </a>
  );
}
