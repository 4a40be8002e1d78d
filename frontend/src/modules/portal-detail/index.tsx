// jiraServiceManagement:portalRequestDetailPanel (aigis-portal-detail): the
// requester's view of their AI tool access request on the portal.
import { issueKeyOf } from '../../lib/context';
import { invoke } from '../../lib/invoke';
import { mount } from '../../lib/mount';
import { DetailPanel } from './DetailPanel';
import './panel.css';

const load = (issueKey: string) => invoke('requests.byIssue', { issueKey });

void mount((ctx) => <DetailPanel issueKey={issueKeyOf(ctx)} load={load} />);
