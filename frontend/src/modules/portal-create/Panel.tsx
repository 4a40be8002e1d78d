import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PortalForm } from '../../generated/api';
import { describeError } from '../../lib/errors';
import { days } from '../../lib/labels';
import {
  LABELS,
  defaultDuration,
  durationBounds,
  formData,
  initialState,
  selectedTool,
  validate,
  type FieldKey,
  type FormData,
  type FormState,
} from './form';

export interface PanelProps {
  /** `portal.form` for this portal and request type. */
  load: () => Promise<PortalForm>;
  /** `view.submit`: called with the form data after every change. */
  submit: (data: FormData) => Promise<void>;
}

const RISK_WORDS: Record<string, string> = { low: 'Low risk', medium: 'Medium risk', high: 'High risk', critical: 'Critical risk' };

function Field({ id, label, error, help, children }: { id: string; label: string; error?: string; help?: ReactNode; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {help ? (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {error ? (
        <p className="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(id: string, error?: string, help?: boolean): string | undefined {
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** The request-create property panel: gated by `portal.form`, validated as the user types, submitted on every change. */
export function Panel({ load, submit }: PanelProps) {
  const [form, setForm] = useState<PortalForm | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const [state, setState] = useState<FormState | null>(null);
  const [touched, setTouched] = useState<Partial<Record<FieldKey, boolean>>>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const base = useId();
  const ids = { tool: `${base}-tool`, name: `${base}-name`, url: `${base}-url`, purpose: `${base}-purpose`, days: `${base}-days` };
  const submitRef = useRef(submit);
  submitRef.current = submit;

  useEffect(() => {
    let live = true;
    load().then(
      (f) => {
        if (!live) return;
        setForm(f);
        setState(f.governed ? initialState(f) : null);
      },
      (e: unknown) => live && setFailed(e),
    );
    return () => {
      live = false;
    };
  }, [load]);

  const errors = useMemo(() => (form && state ? validate(form, state) : {}), [form, state]);

  // Every change (and the first render of the form) is submitted: JSM keeps the last one.
  useEffect(() => {
    if (!form) return;
    submitRef.current(formData(form, state)).then(
      () => setSubmitError(null),
      (e: unknown) => setSubmitError(describeError(e).message),
    );
  }, [form, state]);

  if (failed) {
    const e = describeError(failed);
    return (
      <p className="error" role="alert">
        {e.title}: {e.message}
      </p>
    );
  }
  if (!form) {
    return (
      <p className="note" role="status">
        Loading…
      </p>
    );
  }
  if (!form.governed || !state) {
    return <p className="note">{form.note ?? 'This request type does not ask about AI tools.'}</p>;
  }
  if (form.tools.length === 0 && !form.newToolAllowed) {
    return <p className="note">No AI tools can be requested yet. Ask your Jira administrator to approve some.</p>;
  }

  const change = (patch: Partial<FormState>, field: FieldKey) => {
    setState((s) => {
      if (!s) return s;
      const next = { ...s, ...patch };
      // A new tool choice starts at its default duration unless the requester typed one.
      if ((patch.toolId !== undefined || patch.mode !== undefined) && !touched.durationDays) {
        next.duration = String(defaultDuration(form, next));
      }
      return next;
    });
    setTouched((t) => ({ ...t, [field]: true }));
  };
  const shown = (f: FieldKey) => (touched[f] ? errors[f] : undefined);
  const tool = selectedTool(form, state);
  const bounds = durationBounds(form, state);

  return (
    <form noValidate onSubmit={(e) => e.preventDefault()} aria-label="AI tool access">
      {form.newToolAllowed && form.tools.length > 0 ? (
        <div className="field">
          <fieldset>
            <legend>What do you need?</legend>
            <div className="choices">
              <label>
                <input type="radio" name={`${base}-mode`} checked={state.mode === 'catalog'} onChange={() => change({ mode: 'catalog' }, 'toolId')} />
                An approved tool
              </label>
              <label>
                <input type="radio" name={`${base}-mode`} checked={state.mode === 'new'} onChange={() => change({ mode: 'new' }, 'toolId')} />
                Request a new tool
              </label>
            </div>
          </fieldset>
        </div>
      ) : null}

      {state.mode === 'catalog' ? (
        <Field id={ids.tool} label={LABELS.toolId} error={shown('toolId')}>
          <select
            id={ids.tool}
            className="control"
            value={state.toolId}
            aria-invalid={shown('toolId') ? true : undefined}
            aria-describedby={describedBy(ids.tool, shown('toolId'))}
            onChange={(e) => change({ toolId: e.target.value }, 'toolId')}
          >
            {form.tools.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          {tool ? (
            <div className="tool-card" aria-live="polite">
              <p>
                <span className={`risk risk-${tool.risk}`}>{RISK_WORDS[tool.risk] ?? tool.risk}</span> · {tool.provider} · at most{' '}
                {days(Math.min(tool.maxDurationDays, tool.riskMaxDays))}
              </p>
              {tool.guidance ? <p>{tool.guidance}</p> : null}
            </div>
          ) : null}
        </Field>
      ) : (
        <>
          <Field id={ids.name} label={LABELS['newTool.name']} error={shown('newTool.name')}>
            <input
              id={ids.name}
              className="control"
              value={state.newName}
              autoComplete="off"
              aria-invalid={shown('newTool.name') ? true : undefined}
              aria-describedby={describedBy(ids.name, shown('newTool.name'))}
              onChange={(e) => change({ newName: e.target.value }, 'newTool.name')}
            />
          </Field>
          <Field id={ids.url} label={LABELS['newTool.url']} error={shown('newTool.url')} help="Its https:// address, so the reviewers can assess it.">
            <input
              id={ids.url}
              className="control"
              type="url"
              inputMode="url"
              value={state.newUrl}
              placeholder="https://"
              aria-invalid={shown('newTool.url') ? true : undefined}
              aria-describedby={describedBy(ids.url, shown('newTool.url'), true)}
              onChange={(e) => change({ newUrl: e.target.value }, 'newTool.url')}
            />
          </Field>
        </>
      )}

      <Field
        id={ids.purpose}
        label={LABELS.purpose}
        error={shown('purpose')}
        help={`What you will use it for (${form.purpose.minChars} to ${form.purpose.maxChars} characters).`}
      >
        <textarea
          id={ids.purpose}
          className="control"
          value={state.purpose}
          aria-invalid={shown('purpose') ? true : undefined}
          aria-describedby={describedBy(ids.purpose, shown('purpose'), true)}
          onChange={(e) => change({ purpose: e.target.value }, 'purpose')}
        />
      </Field>

      <Field id={ids.days} label={LABELS.durationDays} error={shown('durationDays')} help={`From ${days(bounds.min)} to ${days(bounds.max)}.`}>
        <input
          id={ids.days}
          className="control days"
          type="number"
          inputMode="numeric"
          min={bounds.min}
          max={bounds.max}
          step={1}
          value={state.duration}
          aria-invalid={shown('durationDays') ? true : undefined}
          aria-describedby={describedBy(ids.days, shown('durationDays'), true)}
          onChange={(e) => change({ duration: e.target.value }, 'durationDays')}
        />
      </Field>
      {submitError ? (
        <p className="error" role="alert">
          {submitError}
        </p>
      ) : null}
    </form>
  );
}
