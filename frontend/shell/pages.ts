// The shell's pages: the JSM portal (request types, the request form with
// the app's create panel, a request with its detail panel), the issue view
// with the issue panel, and the app's global and admin pages.

import { propertiesFromSubmission } from '../bridge-emulation/host';
import { h, link } from './dom';
import type { Flags } from './flags';
import type { Frames } from './frames';
import { sidebarPages, type Page } from './routes';
import type { Site, UiModule } from './site';

export interface Ctx {
  site: Site;
  frames: Frames;
  flags: Flags;
  go(url: string): void;
}

interface ServiceDesk {
  id: string;
  projectId: string;
  projectKey: string;
  projectName: string;
}
interface RequestType {
  id: string;
  name: string;
  description?: string;
  portalId?: string;
  serviceDeskId: string;
}

function heading(text: string): HTMLHeadingElement {
  return h('h1', { class: 'page-title' }, text);
}

function note(text: string): HTMLParagraphElement {
  return h('p', { class: 'note' }, text);
}

function failure(e: unknown): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, e instanceof Error ? e.message : String(e));
}

/** The service desk behind portal `portalId` and its request types. */
async function portal(ctx: Ctx, portalId: string): Promise<{ desk: ServiceDesk; types: RequestType[] }> {
  const desks = (await ctx.site.jira('GET', '/rest/servicedeskapi/servicedesk')) as { values: ServiceDesk[] };
  for (const desk of desks.values) {
    const types = (await ctx.site.jira('GET', `/rest/servicedeskapi/servicedesk/${desk.id}/requesttype`)) as { values: RequestType[] };
    const mine = types.values.filter((t) => t.portalId === portalId);
    if (mine.length > 0) return { desk, types: mine };
  }
  throw new Error(`There is no help center portal ${portalId}.`);
}

/** The first module of `type` the manifest declares. */
function moduleOf(ctx: Ctx, type: string): UiModule | undefined {
  return ctx.site.modulesOfType(type)[0];
}

async function portalPage(ctx: Ctx, portalId: string): Promise<HTMLElement> {
  const { desk, types } = await portal(ctx, portalId);
  return h(
    'div',
    { class: 'portal' },
    heading(desk.projectName),
    h('p', {}, 'What can we help you with?'),
    h(
      'ul',
      { class: 'request-types' },
      ...types.map((t) =>
        h(
          'li',
          {},
          link(`/servicedesk/customer/portal/${portalId}/create/${t.id}`, t.name),
          t.description ? h('span', { class: 'subtle' }, ` ${t.description}`) : null,
        ),
      ),
    ),
  );
}

async function createPage(ctx: Ctx, portalId: string, typeId: string): Promise<HTMLElement> {
  const { desk, types } = await portal(ctx, portalId);
  const type = types.find((t) => t.id === typeId);
  if (!type) throw new Error(`The portal has no request type ${typeId}.`);
  let submission: unknown;
  const summary = h('input', { id: 'summary', name: 'summary', type: 'text', required: true, autocomplete: 'off' });
  const description = h('textarea', { id: 'description', name: 'description', rows: '4' });
  const status = h('div', { class: 'form-status', role: 'status' });
  const create = h('button', { type: 'submit', class: 'button-primary' }, 'Create');
  const panel = moduleOf(ctx, 'jiraServiceManagement:portalRequestCreatePropertyPanel');
  const frame = panel
    ? ctx.frames.mount(
        panel,
        panel.type,
        { portal: { id: Number(portalId) }, request: { typeId: Number(typeId) } },
        { onSubmit: (p) => (submission = p) },
      )
    : null;
  const form = h(
    'form',
    { class: 'request-form', novalidate: true },
    h('label', { for: 'summary' }, 'Summary'),
    summary,
    h('label', { for: 'description' }, 'Description'),
    description,
    frame ? h('div', { class: 'panel-slot' }, frame) : null,
    status,
    h('div', { class: 'actions' }, create, link(`/servicedesk/customer/portal/${portalId}`, 'Cancel', { class: 'button-subtle' })),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    status.textContent = '';
    if (summary.value.trim() === '') {
      status.textContent = 'Summary: enter a summary.';
      summary.focus();
      return;
    }
    const props = propertiesFromSubmission(submission);
    if (!props.ok) {
      status.textContent = props.reason;
      return;
    }
    create.disabled = true;
    const body: Record<string, unknown> = {
      serviceDeskId: desk.id,
      requestTypeId: type.id,
      requestFieldValues: { summary: summary.value.trim(), ...(description.value.trim() ? { description: description.value } : {}) },
    };
    if (props.properties.length > 0) body.properties = props.properties;
    ctx.site
      .jira('POST', '/rest/servicedeskapi/request', body)
      .then((r) => ctx.go(`/servicedesk/customer/portal/${portalId}/${(r as { issueKey: string }).issueKey}`))
      .catch((err: unknown) => {
        create.disabled = false;
        status.textContent = err instanceof Error ? err.message : String(err);
      });
  });
  return h('div', { class: 'portal' }, link(`/servicedesk/customer/portal/${portalId}`, desk.projectName), heading(type.name), form);
}

async function requestPage(ctx: Ctx, portalId: string, key: string): Promise<HTMLElement> {
  const r = (await ctx.site.jira('GET', `/rest/servicedeskapi/request/${encodeURIComponent(key)}`)) as {
    issueKey: string;
    requestTypeId: string;
    summary?: string;
    currentStatus?: { status?: string };
    requestFieldValues?: { fieldId: string; label: string; value: unknown }[];
  };
  const panel = moduleOf(ctx, 'jiraServiceManagement:portalRequestDetailPanel');
  const fields = (r.requestFieldValues ?? []).filter((f) => f.fieldId !== 'summary');
  return h(
    'div',
    { class: 'portal' },
    link(`/servicedesk/customer/portal/${portalId}`, 'Help center'),
    heading(r.summary ?? r.issueKey),
    h('p', { class: 'subtle' }, `${r.issueKey} · `, h('span', { class: 'status' }, r.currentStatus?.status ?? '')),
    h('dl', { class: 'fields' }, ...fields.flatMap((f) => [h('dt', {}, f.label), h('dd', {}, String(f.value ?? ''))])),
    panel
      ? h(
          'section',
          { class: 'panel-slot', 'aria-label': panel.title ?? panel.key },
          ctx.frames.mount(panel, panel.type, {
            portal: { id: Number(portalId) },
            request: { key: r.issueKey, typeId: Number(r.requestTypeId) },
          }),
        )
      : null,
  );
}

/** Plain text of an ADF document. */
function adfText(node: unknown): string {
  const n = node as { type?: string; text?: string; content?: unknown[] } | null;
  if (!n || typeof n !== 'object') return '';
  if (typeof n.text === 'string') return n.text;
  const inner = (n.content ?? []).map(adfText).join('');
  return n.type === 'paragraph' || n.type === 'heading' ? `${inner}\n` : inner;
}

async function issuePage(ctx: Ctx, key: string): Promise<HTMLElement> {
  const i = (await ctx.site.jira('GET', `/rest/api/3/issue/${encodeURIComponent(key)}`)) as {
    id: string;
    key: string;
    fields: {
      summary?: string;
      description?: unknown;
      status?: { name?: string };
      issuetype?: { name?: string };
      project?: { key?: string; id?: string; name?: string };
      reporter?: { displayName?: string };
    };
  };
  const f = i.fields;
  const panel = moduleOf(ctx, 'jira:issuePanel');
  return h(
    'div',
    { class: 'issue' },
    h('p', { class: 'subtle' }, `${f.project?.name ?? ''} / ${i.key}`),
    heading(f.summary ?? i.key),
    h(
      'dl',
      { class: 'fields' },
      h('dt', {}, 'Status'),
      h('dd', {}, h('span', { class: 'status' }, f.status?.name ?? '')),
      h('dt', {}, 'Type'),
      h('dd', {}, f.issuetype?.name ?? ''),
      h('dt', {}, 'Reporter'),
      h('dd', {}, f.reporter?.displayName ?? ''),
      h('dt', {}, 'Description'),
      h('dd', { class: 'description' }, adfText(f.description).trim() || 'None'),
    ),
    panel
      ? h(
          'section',
          { class: 'panel-slot', 'aria-label': panel.title ?? panel.key },
          h('h2', { class: 'panel-title' }, panel.title ?? panel.key),
          ctx.frames.mount(panel, panel.type, {
            issue: { key: i.key, id: i.id, type: f.issuetype?.name ?? '' },
            project: { key: f.project?.key ?? '', id: f.project?.id ?? '' },
          }),
        )
      : null,
  );
}

function appPage(ctx: Ctx, page: Extract<Page, { kind: 'app' }>): HTMLElement {
  const m = ctx.site.module(page.moduleKey);
  if (!m || m.type !== page.moduleType) throw new Error(`The app has no page ${page.moduleKey}.`);
  const groups = sidebarPages(m);
  const nav = h(
    'nav',
    { class: 'sidebar', 'aria-label': m.title ?? m.key },
    h('div', { class: 'sidebar-title' }, m.title ?? m.key),
    ...groups.map((g) =>
      h(
        'div',
        { class: 'sidebar-group' },
        g.header ? h('div', { class: 'sidebar-header' }, g.header) : null,
        h('ul', {}, ...g.pages.map((p) => h('li', {}, link(`${page.base}/${p.route}`, p.title, { 'data-route': p.route })))),
      ),
    ),
  );
  const frame = ctx.frames.mount(m, m.type, {}, { history: { base: page.base } });
  return h('div', { class: groups.length > 0 ? 'app-page with-sidebar' : 'app-page' }, groups.length > 0 ? nav : null, h('div', { class: 'app-content' }, frame));
}

/** The viewer's most recent issues of the service desk projects (none for portal-only users). */
async function recentIssues(ctx: Ctx): Promise<{ key: string; summary: string }[]> {
  try {
    const desks = (await ctx.site.jira('GET', '/rest/servicedeskapi/servicedesk')) as { values?: { projectKey?: string }[] };
    const keys = (desks.values ?? []).flatMap((d) => (d.projectKey ? [d.projectKey] : []));
    if (keys.length === 0) return [];
    const jql = `project in (${keys.join(', ')}) ORDER BY created DESC`;
    const r = (await ctx.site.jira('GET', `/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&fields=summary&maxResults=5`)) as {
      issues?: { key: string; fields?: { summary?: string } }[];
    };
    return (r.issues ?? []).map((i) => ({ key: i.key, summary: i.fields?.summary ?? '' }));
  } catch {
    // A portal-only customer cannot search issues: the home simply lists none.
    return [];
  }
}

async function homePage(ctx: Ctx): Promise<HTMLElement> {
  const apps = ctx.site.info.modules.filter((m) => m.type === 'jira:globalPage' || m.type === 'jira:adminPage');
  const issues = await recentIssues(ctx);
  return h(
    'div',
    { class: 'home' },
    heading('Your work'),
    h(
      'ul',
      { class: 'home-links', 'aria-label': 'Apps and the help center' },
      ...apps.map((m) => h('li', {}, link(ctx.frames.moduleUrl(m.key) ?? '/jira', m.title ?? m.key))),
      h('li', {}, link('/servicedesk/customer/portal/1', 'Help center (the AI Access Portal)')),
    ),
    h('h2', {}, 'Recent issues'),
    issues.length > 0
      ? h('ul', { class: 'home-links', 'aria-label': 'Recent issues' }, ...issues.map((i) => h('li', {}, link(`/browse/${i.key}`, `${i.key} ${i.summary}`))))
      : note('No issues you can see yet: raise a request on the help center.'),
  );
}

/** The content of `page`. */
export async function render(ctx: Ctx, page: Page): Promise<HTMLElement> {
  try {
    switch (page.kind) {
      case 'home':
        return await homePage(ctx);
      case 'portal':
        return await portalPage(ctx, page.portalId);
      case 'create':
        return await createPage(ctx, page.portalId, page.typeId);
      case 'request':
        return await requestPage(ctx, page.portalId, page.issueKey);
      case 'issue':
        return await issuePage(ctx, page.issueKey);
      case 'app':
        return appPage(ctx, page);
      case 'frame':
        return h(
          'div',
          { class: 'panel-slot' },
          ctx.frames.mount({ key: page.moduleKey, resource: page.resource, title: page.moduleKey }, page.moduleType, page.extension),
        );
      default:
        return h('div', {}, heading('Page not found'), note(`Nothing lives at ${page.path}.`));
    }
  } catch (e) {
    return h('div', {}, heading('Something went wrong'), failure(e));
  }
}
