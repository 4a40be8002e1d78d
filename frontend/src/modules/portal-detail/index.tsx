// jiraServiceManagement:portalRequestDetailPanel (aigis-portal-detail): the
// requester's view of their AI tool access request on the portal.
import { issueKeyOf } from '../../lib/context';
import { toApiError } from '../../lib/errors';
import { invoke } from '../../lib/invoke';
import { mount } from '../../lib/mount';
import { DetailPanel } from './DetailPanel';
import './panel.css';

/** How long a just-created request may take to be ingested (the issue-created trigger runs after the portal's redirect). */
const INGEST_TRIES = 10;
const INGEST_WAIT_MS = 500;

const load = async (issueKey: string) => {
  for (let i = 1; ; i++) {
    try {
      return await invoke('requests.byIssue', { issueKey });
    } catch (e) {
      if (i >= INGEST_TRIES || toApiError(e).code !== 'not-found') throw e;
      await new Promise((r) => setTimeout(r, INGEST_WAIT_MS));
    }
  }
};

void mount((ctx) => <DetailPanel issueKey={issueKeyOf(ctx)} load={load} />);
