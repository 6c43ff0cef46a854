// Every check, one module each (this folder); the shared parsing is ../lib.ts.
import type { CheckContext, CheckName, Finding, Workflow } from '../lib.js';
import { checkActionlint } from './actionlint.js';
import { checkShellcheck } from './shellcheck.js';
import { checkInputs } from './inputs.js';
import { checkUntrusted } from './untrusted.js';
import { checkPermissions } from './permissions.js';
import { checkPrTargetCheckout } from './prt-checkout.js';
import { checkWorkflowRun } from './workflow-run.js';
import { checkPinned } from './pinned.js';
import { checkNodeRuntime } from './node-runtime.js';

export { checkActionlint } from './actionlint.js';
export { EXPRESSION_PLACEHOLDER, checkShellcheck } from './shellcheck.js';
export { checkInputs } from './inputs.js';
export { checkUntrusted } from './untrusted.js';
export {
  OUR_ACTION_PERMISSIONS,
  PERMISSION_TABLE,
  RUN_PERMISSIONS,
  checkPermissions,
  neededPermissions,
  type Level,
  type Permissions,
} from './permissions.js';
export { checkPrTargetCheckout } from './prt-checkout.js';
export { checkWorkflowRun } from './workflow-run.js';
export { checkPinned, thirdParty } from './pinned.js';
export { ACTION_RUNTIMES, actionRuntime, checkNodeRuntime } from './node-runtime.js';

export const SYNC_CHECKS = {
  shellcheck: (wf: Workflow) => checkShellcheck(wf),
  inputs: checkInputs,
  untrusted: (wf: Workflow) => checkUntrusted(wf),
  permissions: checkPermissions,
  'prt-checkout': checkPrTargetCheckout,
  'workflow-run': checkWorkflowRun,
  pinned: (wf: Workflow) => checkPinned(wf),
  'node-runtime': (wf: Workflow) => checkNodeRuntime(wf),
} satisfies Record<Exclude<CheckName, 'actionlint'>, (wf: Workflow, ctx: CheckContext) => Finding[]>;

/** Every check on one workflow, but those in `skip` (checks whose tool is not installed here). */
export async function checkAll(wf: Workflow, ctx: CheckContext, skip: ReadonlySet<CheckName> = new Set()): Promise<Finding[]> {
  const findings = await checkActionlint(wf);
  for (const [name, check] of Object.entries(SYNC_CHECKS) as [keyof typeof SYNC_CHECKS, (w: Workflow, c: CheckContext) => Finding[]][]) {
    if (!skip.has(name)) findings.push(...check(wf, ctx));
  }
  return findings;
}
