// (f) pull_request_target never checks out the PR's code.
import { isScalar } from 'yaml';
import type { Scalar } from 'yaml';
import {
  get,
  lineOf,
  ownTriggers,
  plain,
  steps,
  str,
  triggersOf,
  withMap,
  withValue,
  type CheckContext,
  type Finding,
  type Workflow,
} from '../lib.js';

const PR_CODE = /github\s*\.\s*event\s*\.\s*pull_request\b|github\s*\.\s*head_ref\b|refs\/pull\//;
const GIT_FETCH = /\bgit\s+(?:[\w-]+\s+)*?(?:fetch|checkout|switch|pull|worktree\s+add|reset)\b|\bgh\s+pr\s+checkout\b/;

function envVars(node: unknown): Array<[string, string]> {
  const v = plain(get(node, 'env'));
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).map(([k, val]) => [k, String(val)]);
}

export function checkPrTargetCheckout(wf: Workflow, ctx: CheckContext): Finding[] {
  if (!triggersOf(ctx, wf).has('pull_request_target')) return [];
  const via = ownTriggers(wf).has('pull_request_target') ? '' : ' (called from a pull_request_target workflow)';
  const findings: Finding[] = [];
  for (const s of steps(wf)) {
    const uses = str(get(s.step, 'uses'));
    if (uses !== undefined && (uses.split('@')[0] ?? '') === 'actions/checkout') {
      for (const key of ['ref', 'repository']) {
        const value = withValue(s.step, key);
        if (typeof value === 'string' && PR_CODE.test(value)) {
          findings.push({
            check: 'prt-checkout',
            file: wf.name,
            line: lineOf(wf, get(withMap(s.step), key)),
            message: `pull_request_target${via}: job ${s.jobId} checks out the PR's code (${key}: ${value})`,
          });
        }
      }
    }
    const run = str(get(s.step, 'run'));
    if (run === undefined) continue;
    // Variables that carry the PR's ref or sha into the script.
    const tainted = [...envVars(wf.doc.contents), ...envVars(s.job), ...envVars(s.step)].filter(([, v]) => PR_CODE.test(v)).map(([k]) => k);
    const taintedRef = tainted.length
      ? new RegExp(`\\$\\{?(?:${tainted.map((t) => t.replace(/[^\w]/g, '\\$&')).join('|')})\\b`)
      : undefined;
    const start = lineOf(wf, get(s.step, 'run'));
    const block = isScalar(get(s.step, 'run')) && (get(s.step, 'run') as Scalar).type === 'BLOCK_LITERAL';
    run.split('\n').forEach((text, i) => {
      if (!GIT_FETCH.test(text)) return;
      if (/\bgh\s+pr\s+checkout\b/.test(text) || PR_CODE.test(text) || taintedRef?.test(text)) {
        findings.push({
          check: 'prt-checkout',
          file: wf.name,
          line: block ? start + i + 1 : start,
          message: `pull_request_target${via}: job ${s.jobId} fetches or checks out the PR's code: ${text.trim()}`,
        });
      }
    });
  }
  return findings;
}
