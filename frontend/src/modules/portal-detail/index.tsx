// jiraServiceManagement:portalRequestDetailPanel (aigis-portal-detail): the
// requester's view of their AI tool access request on the portal.
import { issueKeyOf } from '../../lib/context';
import { invoke } from '../../lib/invoke';
import { mount } from '../../lib/mount';
import { DetailPanel } from './DetailPanel';
import { loadOnceIngested } from './ingest';
import './panel.css';

const load = (issueKey: string) =>
  loadOnceIngested(
    () => invoke('requests.byIssue', { issueKey }),
    async () => (await invoke('portal.form', {})).governed,
    { sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => Date.now() },
  );

void mount((ctx) => <DetailPanel issueKey={issueKeyOf(ctx)} load={load} />);
