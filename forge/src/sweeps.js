// Forge scheduled triggers (the sweeps), served by the sweeps component.
import './jspi.js';
import { scheduledTrigger, $init } from './gen/sweeps/aigis_sweeps.js';
import { invocation, serial, componentFailure } from './invocation.js';

const gate = serial();

/** A scheduled handler: returns the sweep's JSON summary, parsed. */
const handle = (exportName) => (event, context) =>
  gate(() =>
    invocation(`sweeps.${exportName}`, async () => {
      await $init;
      let out;
      try {
        out = await scheduledTrigger.onSchedule(exportName, JSON.stringify(event ?? {}), JSON.stringify(context ?? {}));
      } catch (e) {
        throw componentFailure(e);
      }
      return JSON.parse(out);
    }),
  );

/** The hourly job runner (function job-runner). */
export const jobRunner = handle('jobRunner');

/** The daily analytics rollups (function analytics). */
export const analytics = handle('analytics');

/** The hourly escalation of approvals past their SLA (function escalation). */
export const escalation = handle('escalation');

/** The daily recertification sweep (function recertification). */
export const recertification = handle('recertification');

/** The daily audit retention sweep (function retention). */
export const retention = handle('retention');
