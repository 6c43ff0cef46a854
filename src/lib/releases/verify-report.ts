// How a verification through the CDN reads in a summary: deploy-static's (a staged release) and the
// release action's (the target of a rollback or a promotion), so both list problems the same way.
import { codeSpan, escapeMarkdown, MAX_LISTED, table } from '../util/markdown.js';
import type { VerifyReport, WaitResult } from './verify.js';

/** What verification checked, and every problem it found (at most MAX_LISTED listed). */
export function verificationLines(v: VerifyReport): string[] {
  const sampled = v.pages < v.pagesTotal ? ` (an even sample of ${v.pagesTotal})` : '';
  const lines = [
    `**Verified through the CDN** (${codeSpan(v.url)}, staged release requested with its token): ${v.pages} HTML entry points${sampled}, ${v.references} files they reference, ${v.redirects} redirects, ${v.headerRules} header rules; ${(v.checkMs / 1000).toFixed(1)} s after ${(v.waitMs / 1000).toFixed(1)} s for the CDN to serve the staged release.`,
    '',
  ];
  if (v.problems.length === 0) return lines;
  const rows = v.problems.slice(0, MAX_LISTED).map((p) => [codeSpan(p.url), escapeMarkdown(p.problem), p.from ? codeSpan(p.from) : '']);
  if (v.problems.length > MAX_LISTED) rows.push([`… and ${v.problems.length - MAX_LISTED} more`, '', '']);
  lines.push(
    `**${v.problems.length} problem${v.problems.length === 1 ? '' : 's'}: nothing was switched, the live release is unchanged.**`,
    '',
    ...table(['URL', 'problem', 'referenced by'], rows),
  );
  return [...lines, ''];
}

const DEPLOY_ADVICE = 'Fix the build or its rules and deploy again; to go live without these checks, set `verify: false`.';

/** The summary of a switch (a deploy's activation, a rollback, a promotion) whose release failed verification. */
export function verificationFailedSummary(site: string, id: string, v: VerifyReport, advice = DEPLOY_ADVICE): string {
  return [`### Release ${codeSpan(id)} of site ${codeSpan(site)} failed verification`, '', ...verificationLines(v), advice, ''].join('\n');
}

/** How long after the pointer write every edge reached served release `id` (or that it did not yet). */
export function propagationLines(id: string, p: WaitResult): string[] {
  if (p.served)
    return [
      `**Served everywhere** ${(p.ms / 1000).toFixed(1)} s after the pointer write: every edge this runner reached (${
        Object.keys(p.pops)
          .filter(Boolean)
          .map((x) => codeSpan(x))
          .join(', ') || 'one'
      }) answers ${codeSpan(id)}.`,
      '',
    ];
  return [
    `**Not yet served everywhere** after ${(p.ms / 1000).toFixed(1)} s: the release is live in the store, but the CDN still answered ${escapeMarkdown(p.lastOther ?? 'something else')}.`,
    '',
  ];
}
