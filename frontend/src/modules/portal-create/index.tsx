// jiraServiceManagement:portalRequestCreatePropertyPanel (aigis-portal-create):
// the request form's AI tool part, on the JSM portal.
import { view } from '@forge/bridge';
import { invoke } from '../../lib/invoke';
import { mount } from '../../lib/mount';
import type { FormData } from './form';
import { Panel } from './Panel';
import './panel.css';

const load = () => invoke('portal.form', {});
const submit = (data: FormData) => view.submit(data);

void mount(() => <Panel load={load} submit={submit} />);
