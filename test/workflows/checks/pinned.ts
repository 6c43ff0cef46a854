// (h) Third-party actions and workflows pinned by full commit SHA, with the version in a comment.
import type { Node } from 'yaml';
import { get, jobs, lineOf, ourActionName, ourWorkflowFile, steps, str, type Finding, type Workflow } from '../lib.js';

/** Every `uses:` of a workflow, steps and job-level calls, with the text after it on its line (its comment). */
export function usesRefs(wf: Workflow): Array<{ uses: string; line: number; comment: string; where: string }> {
  const out: Array<{ uses: string; line: number; comment: string; where: string }> = [];
  const add = (node: Node | undefined, where: string): void => {
    const uses = str(node);
    if (uses === undefined || !node?.range) return;
    const lineEnd = wf.text.indexOf('\n', node.range[1]);
    const rest = wf.text.slice(node.range[1], lineEnd < 0 ? undefined : lineEnd);
    out.push({ uses: uses.trim(), line: lineOf(wf, node), comment: /#\s*(.*)$/.exec(rest)?.[1]?.trim() ?? '', where });
  };
  for (const { id, job } of jobs(wf)) add(get(job, 'uses'), `job ${id}`);
  for (const s of steps(wf)) add(get(s.step, 'uses'), `job ${s.jobId}, step ${s.index + 1}`);
  return out;
}

/** `owner/repo[/path]@ref` of a third-party action or workflow; undefined for ours, local paths and docker images. */
export function thirdParty(uses: string): { action: string; ref: string } | undefined {
  if (uses.startsWith('./') || uses.startsWith('docker://')) return undefined;
  if (ourActionName(uses) !== undefined || ourWorkflowFile(uses) !== undefined) return undefined;
  const at = uses.lastIndexOf('@');
  return at < 0 ? { action: uses, ref: '' } : { action: uses.slice(0, at), ref: uses.slice(at + 1) };
}

export const FULL_SHA = /^[0-9a-f]{40}$/;
const EXACT_VERSION = /^v?\d+\.\d+\.\d+$/;

/**
 * GitHub's security hardening guide: a full-length commit SHA is the only immutable reference to an action
 * (a tag can be moved, a short SHA can collide). The comment keeps the version readable and is what Dependabot
 * updates together with the SHA. Our own actions and workflows are exempt: they are called at the release
 * line's tag (@v0) on purpose, so a caller and the actions it runs come from one release.
 */
export function checkPinned(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const ref of usesRefs(wf)) {
    const third = thirdParty(ref.uses);
    if (!third) continue;
    const fix = `pin it: ${third.action}@<full commit sha> # vX.Y.Z`;
    if (!FULL_SHA.test(third.ref)) {
      findings.push({
        check: 'pinned',
        file: wf.name,
        line: ref.line,
        message: `${ref.uses} (${ref.where}) is not pinned to a full commit SHA; ${fix}`,
      });
    } else if (!EXACT_VERSION.test(ref.comment)) {
      findings.push({
        check: 'pinned',
        file: wf.name,
        line: ref.line,
        message: `${ref.uses} (${ref.where}) has no version comment${ref.comment ? ` (found "# ${ref.comment}")` : ''}; ${fix}`,
      });
    }
  }
  return findings;
}
