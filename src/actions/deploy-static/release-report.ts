// What deploy-static tells the workflow and the reader in mode releases.
import type { OutputName } from '../../generated/action-specs.js';
import { formatBytes } from '../../lib/util/bytes.js';
import { codeSpan, escapeMarkdown, MAX_LISTED, table, type Column } from '../../lib/util/markdown.js';
import type { ReleaseDeployResult } from '../../lib/releases/deploy.js';
import type { VerifyReport } from '../../lib/releases/verify.js';

export function releaseOutputs(r: ReleaseDeployResult): Record<OutputName<'deploy-static'>, string> {
  const s = r.stage;
  return {
    uploaded: String(s?.uploaded ?? 0),
    skipped: String(s ? s.copied + s.poolReused : 0),
    deleted: '0',
    'bytes-uploaded': String(s?.bytesUploaded ?? 0),
    // Nothing needs invalidating: a release's objects get new cache keys, pool objects never change.
    'changed-paths': '[]',
    'changed-paths-file': '',
    'release-id': r.dryRun ? '' : r.id,
    'previous-release-id': r.dryRun ? '' : r.previousId,
    url: r.url,
    'propagation-ms': r.propagation?.served ? String(r.propagation.ms) : '',
  };
}

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

/** The summary of a deploy whose staged release failed verification. */
export function verificationFailedSummary(site: string, id: string, v: VerifyReport): string {
  return [
    `### Release ${codeSpan(id)} of site ${codeSpan(site)} failed verification`,
    '',
    ...verificationLines(v),
    'Fix the build or its rules and deploy again; to go live without these checks, set `verify: false`.',
    '',
  ].join('\n');
}

export function releaseSummary(site: string, r: ReleaseDeployResult): string {
  const s = r.stage;
  const lines = [
    `### ${r.dryRun ? 'Dry run: ' : ''}Release ${codeSpan(r.id)} of site ${codeSpan(site)}`,
    '',
    r.dryRun
      ? '_Dry run: nothing was staged or switched._'
      : r.switched
        ? `**Live now**: ${codeSpan(r.id)} (before: ${r.previousId ? codeSpan(r.previousId) : 'none'}), switched by one write of the router's live pointer.`
        : `Release ${codeSpan(r.id)} was already live (the same build): nothing switched.`,
    '',
    `Framework: **${r.framework.name}**. ${r.layout.release.length} files in ${codeSpan(`_releases/${r.id}/`)}, ${r.layout.pool.length} immutable files in the shared pool (${r.layout.poolDirs.map((d) => codeSpan(d)).join(', ') || 'none'}).`,
    '',
  ];
  if (s) {
    lines.push(
      ...table(
        ['uploaded', 'copied from an earlier release', 'pool files already there', 'bytes', 'time'].map((title): Column => ({
          title,
          align: 'right',
        })),
        [[s.uploaded, s.copied, s.poolReused, formatBytes(s.bytesUploaded), `${(r.durationMs / 1000).toFixed(1)} s`]],
      ),
      '',
    );
    if (s.reused) lines.push('This exact build was staged before: its record was found, nothing was uploaded.', '');
  }
  if (r.verification) lines.push(...verificationLines(r.verification));
  else if (!r.dryRun) lines.push('Not verified through the CDN (`verify: false`).', '');
  if (r.propagation?.served)
    lines.push(
      `**Served everywhere** ${(r.propagation.ms / 1000).toFixed(1)} s after the pointer write: every edge this runner reached (${
        Object.keys(r.propagation.pops)
          .filter(Boolean)
          .map((p) => codeSpan(p))
          .join(', ') || 'one'
      }) answers ${codeSpan(r.id)}.`,
      '',
    );
  else if (r.propagation)
    lines.push(
      `**Not yet served everywhere** after ${(r.propagation.ms / 1000).toFixed(1)} s: the release is live in the store, but the CDN still answered ${escapeMarkdown(r.propagation.lastOther ?? 'something else')}.`,
      '',
    );
  lines.push(
    'No changed paths: in releases mode nothing needs invalidating (every release is served under its own cache keys, and pool files never change), so `changed-paths` is empty.',
  );
  if (r.url) lines.push('', `URL: ${r.url}`);
  return lines.join('\n') + '\n';
}
