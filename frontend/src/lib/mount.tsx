// A module's start: read the context, enable the theme, render the module's
// root into #root with the context (and a name book) available to every
// component below it.

import { createContext, StrictMode, useContext, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { getContext, type ModuleContext } from './context';
import { invoke } from './invoke';
import { createNameBook, type NameBook } from './names';
import { enableTheme } from './theme';

export interface ModuleEnv {
  context: ModuleContext;
  names: NameBook;
  /** The instant the module started, for "expires in" labels (ms). */
  now: () => number;
}

const EnvContext = createContext<ModuleEnv | null>(null);

export function EnvProvider({ env, children }: { env: ModuleEnv; children: ReactNode }) {
  return <EnvContext.Provider value={env}>{children}</EnvContext.Provider>;
}

/** The module's environment; components rendered outside a module get a neutral one. */
export function useEnv(): ModuleEnv {
  const env = useContext(EnvContext);
  if (env) return env;
  return FALLBACK;
}

const FALLBACK: ModuleEnv = {
  context: { moduleKey: '', extension: {} },
  names: {
    person: (accountId) => Promise.resolve({ accountId, known: false, active: false }),
    name: () => Promise.resolve('Someone'),
    cached: () => undefined,
  },
  now: () => Date.now(),
};

/** Starts a module: `render` gets the context once it is known. */
export async function mount(render: (ctx: ModuleContext) => ReactNode): Promise<void> {
  const root = document.getElementById('root');
  if (!root) return;
  const context = await getContext();
  await enableTheme(context);
  const env: ModuleEnv = { context, names: createNameBook(invoke), now: () => Date.now() };
  createRoot(root).render(
    <StrictMode>
      <EnvProvider env={env}>{render(context)}</EnvProvider>
    </StrictMode>,
  );
}
