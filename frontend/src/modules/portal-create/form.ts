// The portal create panel's form, as pure functions: what the requester may
// pick (from `portal.form`), what they typed, the errors as they type, and the
// form data `view.submit` gets. The snapshot is exactly what
// aigis_core::snapshot::Snapshot::parse ingests: `{toolId | newTool{name,url},
// purpose, durationDays}` and nothing else.

import type { PortalForm, RequestableTool } from '../../generated/api';

export type Mode = 'catalog' | 'new';

export interface FormState {
  mode: Mode;
  toolId: string;
  newName: string;
  newUrl: string;
  purpose: string;
  /** As typed (a number input's text). */
  duration: string;
}

export type FieldKey = 'toolId' | 'newTool.name' | 'newTool.url' | 'purpose' | 'durationDays';
export type Errors = Partial<Record<FieldKey, string>>;

export interface Snapshot {
  toolId?: string;
  newTool?: { name: string; url: string };
  purpose: string;
  durationDays: number;
}

/** JSM's form data for a request-create property panel: `{fields: [{key, value}], isValid}`. */
export interface FormData {
  fields: { key: string; value: Snapshot }[];
  isValid: boolean;
}

/** The labels the panel shows, also used to name a field in an error. */
export const LABELS: Record<FieldKey, string> = {
  toolId: 'AI tool',
  'newTool.name': 'Tool name',
  'newTool.url': 'Tool website',
  purpose: 'Purpose',
  durationDays: 'Duration (days)',
};

/** The backend's limits for a new tool (aigis_core::snapshot). */
export const NEW_TOOL_NAME = { min: 2, max: 120 };
export const URL_MAX = 500;

const chars = (s: string) => Array.from(s.trim()).length;

export function selectedTool(form: PortalForm, state: FormState): RequestableTool | undefined {
  return state.mode === 'catalog' ? form.tools.find((t) => t.id === state.toolId) : undefined;
}

/** The durations allowed now: the form's bounds, narrowed by the tool's (and its risk's) maximum. */
export function durationBounds(form: PortalForm, state: FormState): { min: number; max: number } {
  const tool = selectedTool(form, state);
  const max = tool ? Math.min(form.duration.max, tool.maxDurationDays, tool.riskMaxDays) : form.duration.max;
  return { min: form.duration.min, max: Math.max(form.duration.min, max) };
}

/** The first state: the first tool (or a new tool when there is none), its default duration. */
export function initialState(form: PortalForm): FormState {
  const first = form.tools[0];
  const mode: Mode = first || !form.newToolAllowed ? 'catalog' : 'new';
  const state: FormState = { mode, toolId: first?.id ?? '', newName: '', newUrl: '', purpose: '', duration: '' };
  return { ...state, duration: String(defaultDuration(form, state)) };
}

/** The tool's default duration within the bounds (the longest allowed for a new tool, capped at 30). */
export function defaultDuration(form: PortalForm, state: FormState): number {
  const { min, max } = durationBounds(form, state);
  const tool = selectedTool(form, state);
  const want = tool ? tool.defaultDurationDays : Math.min(30, max);
  return Math.min(max, Math.max(min, want));
}

/** An https URL with a host name, no spaces, at most 500 characters (as the backend checks it). */
export function isHttpsUrl(url: string): boolean {
  if (url.length > URL_MAX || /[\s\p{Cc}]/u.test(url) || !url.startsWith('https://')) return false;
  const host = url.slice('https://'.length).split(/[/?#]/)[0];
  return host.includes('.') && !host.startsWith('.') && !host.endsWith('.') && /^[A-Za-z0-9.:-]+$/.test(host);
}

/** The catalog id a new tool gets (aigis_core::snapshot::new_tool_id). */
export function newToolId(name: string): string {
  let slug = '';
  for (const c of name.trim().toLowerCase()) {
    if (/^[a-z0-9]$/.test(c)) slug += c;
    else if (slug !== '' && !slug.endsWith('-')) slug += '-';
  }
  slug = slug.replace(/-+$/, '');
  return `new-${slug}`.slice(0, 64).replace(/-+$/, '');
}

/** Every field's error, in plain words; empty when the form is valid. */
export function validate(form: PortalForm, state: FormState): Errors {
  const errors: Errors = {};
  if (state.mode === 'catalog') {
    if (!selectedTool(form, state)) errors.toolId = 'Choose an approved tool.';
  } else {
    const n = chars(state.newName);
    if (n < NEW_TOOL_NAME.min || n > NEW_TOOL_NAME.max) {
      errors['newTool.name'] = `Give the tool's name, ${NEW_TOOL_NAME.min} to ${NEW_TOOL_NAME.max} characters.`;
    } else if (newToolId(state.newName).length <= 'new-'.length) {
      errors['newTool.name'] = 'The name needs letters or digits.';
    }
    if (!isHttpsUrl(state.newUrl.trim())) errors['newTool.url'] = 'Give the tool website as an https:// address, such as https://example.com.';
  }
  const p = chars(state.purpose);
  if (p < form.purpose.minChars) {
    errors.purpose = `Say why you need it: at least ${form.purpose.minChars} characters (${p} so far).`;
  } else if (p > form.purpose.maxChars) {
    errors.purpose = `Keep it to ${form.purpose.maxChars} characters (${p} now).`;
  }
  const { min, max } = durationBounds(form, state);
  const d = state.duration.trim();
  const days = /^\d+$/.test(d) ? Number(d) : NaN;
  if (!Number.isInteger(days) || days < min || days > max) {
    const tool = selectedTool(form, state);
    errors.durationDays = tool
      ? `Choose ${min} to ${max} days: ${tool.name} may be granted for at most ${max} day${max === 1 ? '' : 's'}.`
      : `Choose a whole number of days from ${min} to ${max}.`;
  }
  return errors;
}

/** The snapshot when the form is valid, else null. */
export function snapshotOf(form: PortalForm, state: FormState): Snapshot | null {
  if (Object.keys(validate(form, state)).length > 0) return null;
  const base = { purpose: state.purpose.trim(), durationDays: Number(state.duration.trim()) };
  if (state.mode === 'catalog') return { toolId: state.toolId, ...base };
  return { newTool: { name: state.newName.trim(), url: state.newUrl.trim() }, ...base };
}

/**
 * What `view.submit` gets after each change. Outside the governed portal and
 * request types the panel asks nothing and must not hold the request up:
 * no fields, valid.
 */
export function formData(form: PortalForm | null, state: FormState | null): FormData {
  if (!form || !form.governed) return { fields: [], isValid: true };
  const snapshot = state ? snapshotOf(form, state) : null;
  if (!snapshot) return { fields: [], isValid: false };
  return { fields: [{ key: form.propertyKey, value: snapshot }], isValid: true };
}
