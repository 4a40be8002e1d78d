// jira:issuePanel (aigis-issue-panel): the AI access request of the issue in view.
import { issueKeyOf } from '../../lib/context';
import { invoke } from '../../lib/invoke';
import { mount } from '../../lib/mount';
import type { ActionCall } from './rules';
import { IssuePanel } from './IssuePanel';
import './panel.css';

const load = (issueKey: string) => invoke('requests.byIssue', { issueKey });
// Each call's key and args pair as the generated table says (ActionCall is a union of them).
const send = (call: ActionCall) => (invoke as (k: string, a: unknown) => Promise<unknown>)(call.key, call.args);

void mount((ctx) => <IssuePanel issueKey={issueKeyOf(ctx)} load={load} send={send} />);
