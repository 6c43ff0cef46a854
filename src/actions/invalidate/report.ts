// What an invalidate run tells the workflow (outputs) and the person reading the run (summary).
import type { DistributionOutcome } from '../../lib/cloudfront/invalidations.js';
import type { OutputName } from '../../generated/action-specs.js';
import { formatDuration } from '../../lib/util/clock.js';
import type { InvalidateSettings } from './settings.js';
import { boundedList, codeSpan, plural, table } from '../../lib/util/markdown.js';

/** CloudFront's free allowance: the first 1,000 paths a month; a wildcard counts as one. */
export const FREE_PATHS_PER_MONTH = 1000;

export function invalidateOutputs(settings: InvalidateSettings, outcomes: DistributionOutcome[]): Record<OutputName<'invalidate'>, string> {
  const ids: Record<string, string[]> = {};
  for (const o of outcomes) ids[o.distributionId] = o.invalidations.map((i) => i.id);
  return { 'invalidation-ids': JSON.stringify(ids), paths: JSON.stringify(settings.paths) };
}

export function invalidateSummary(settings: InvalidateSettings, outcomes: DistributionOutcome[]): string {
  if (settings.paths.length === 0) {
    return `### CloudFront invalidation\n\nNo paths to invalidate${settings.pathsInputEmpty ? ' (the `paths` input was empty)' : ''}: nothing was submitted.\n`;
  }
  const lines = ['### CloudFront invalidation', ''];
  if (settings.requestedPaths.length > settings.paths.length) {
    lines.push(
      `${plural(settings.requestedPaths.length, 'path')} collapsed to ${settings.paths.length} (max-paths ${settings.maxPaths}).`,
      '',
    );
  }
  const rows = outcomes.map((o) => {
    const ids = o.invalidations.map((i) => `\`${i.id}\``).join(', ') || '—';
    const status =
      o.status === 'failed' ? `failed: ${o.error ?? ''}` : o.status === 'submitted' ? 'submitted (not waited for)' : 'completed';
    return [`\`${o.distributionId}\``, ids, status.replace(/\|/g, '\\|'), formatDuration(o.durationMs)];
  });
  lines.push(...table(['distribution', 'invalidations', 'status', { title: 'time', align: 'right' }], rows));
  lines.push('', `**Paths** (${settings.paths.length}):`, '');
  lines.push(...boundedList(settings.paths, (p) => codeSpan(p)));
  const submitted = outcomes.reduce((n, o) => n + o.invalidations.reduce((m, i) => m + i.paths.length, 0), 0);
  if (submitted > 100) {
    lines.push(
      '',
      `This run submitted ${submitted} paths. CloudFront's first ${FREE_PATHS_PER_MONTH.toLocaleString('en-US')} paths a month are free, each one after that is charged (a wildcard counts as one path); a lower \`max-paths\` collapses more.`,
    );
  }
  return lines.join('\n') + '\n';
}
