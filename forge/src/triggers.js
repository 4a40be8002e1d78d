// Forge product-event triggers, served by the triggers component.
import './jspi.js';
import { productTrigger, $init } from './gen/triggers/aigis_triggers.js';
import { invocation, serial, componentFailure } from './invocation.js';

const gate = serial();

const handle = (exportName) => (event, context) =>
  gate(() =>
    invocation(`triggers.${exportName}`, async () => {
      await $init;
      try {
        await productTrigger.onEvent(exportName, JSON.stringify(event ?? {}), JSON.stringify(context ?? {}));
      } catch (e) {
        throw componentFailure(e);
      }
    }),
  );

/** `avi:jira:created:issue` (function on-issue-created). */
export const onIssueCreated = handle('onIssueCreated');
