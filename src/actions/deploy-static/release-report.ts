// What deploy-static tells the workflow and the reader in mode releases.
import type { OutputName } from '../../generated/action-specs.js';
import { formatBytes } from '../../lib/util/bytes.js';
import { codeSpan, table, type Column } from '../../lib/util/markdown.js';
import type { ReleaseDeployResult } from '../../lib/releases/deploy.js';
import { propagationLines, verificationLines } from '../../lib/releases/verify-report.js';
import { gcAfterDeployLines } from '../../lib/releases/gc-report.js';

export function releaseOutputs(r: ReleaseDeployResult): Record<OutputName<'deploy-static'>, string> {
  const s = r.stage;
  return {
    uploaded: String(s?.uploaded ?? 0),
    skipped: String(s ? s.copied + s.poolReused : 0),
    // The deploy itself deletes nothing; the gc after its switch may.
    deleted: String(r.gc ? r.gc.objectsDeleted + r.gc.orphans.objectsDeleted : 0),
    'deleted-releases': r.gc ? JSON.stringify(r.gc.deleted) : '',
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
  if (r.propagation) lines.push(...propagationLines(r.id, r.propagation));
  if (!r.dryRun) lines.push(...gcAfterDeployLines(r.gc));
  lines.push(
    'No changed paths: in releases mode nothing needs invalidating (every release is served under its own cache keys, and pool files never change), so `changed-paths` is empty.',
  );
  if (r.url) lines.push('', `URL: ${r.url}`);
  return lines.join('\n') + '\n';
}
