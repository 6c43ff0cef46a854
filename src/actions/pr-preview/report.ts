// What a pr-preview run tells the workflow (outputs) and the person reading the run (summary).
import type { OutputName } from '../../generated/action-specs.js';
import { formatBytes } from '../../lib/util/bytes.js';
import { dedicatedBucket, previewUrl, sharedPrefix } from '../../lib/preview/naming.js';
import { codeSpan as code, escapeMarkdown, plural, table, type Column } from '../../lib/util/markdown.js';
import type { CleanupOutcome, DeployOutcome, SweepOutcome } from '../../lib/preview/preview.js';
import type { PrPreviewOutcome } from './run.js';
import type { PrPreviewSettings } from './settings.js';

type Outputs = Record<OutputName<'pr-preview'>, string>;

function where(settings: PrPreviewSettings, number: number | undefined): Omit<Outputs, 'status'> {
  if (number === undefined) return { url: '', bucket: '', prefix: '', 'distribution-id': '' };
  const s = settings.strategy;
  return s.kind === 'shared'
    ? { url: previewUrl(settings.domain, number), bucket: s.bucket, prefix: sharedPrefix(number), 'distribution-id': s.distributionId }
    : { url: previewUrl(settings.domain, number), bucket: dedicatedBucket(s.bucketTemplate, number), prefix: '', 'distribution-id': '' };
}

export function prPreviewOutputs(settings: PrPreviewSettings, outcome: PrPreviewOutcome): Outputs {
  switch (outcome.command) {
    case 'deploy': {
      const site = outcome.deploy.site;
      const base = where(settings, settings.number);
      return {
        ...base,
        ...(site ? { bucket: site.bucket, prefix: site.prefix, 'distribution-id': site.distributionId } : {}),
        status: outcome.deploy.status,
      };
    }
    case 'cleanup':
      return { ...where(settings, settings.number), status: outcome.cleanup.status };
    case 'sweep':
      return { ...where(settings, undefined), status: outcome.sweep.status };
  }
}

const STATUS_TEXT: Record<string, string> = {
  deployed: 'Preview deployed',
  planned: 'Dry run: nothing was changed',
  skipped: 'Nothing deployed',
  removed: 'Preview removed',
  'already-removed': 'Preview already removed',
  'pending-removal': 'Preview removed, its distribution is still being deleted',
  swept: 'Previews swept',
  failed: 'Failed',
};

function deploySummary(settings: PrPreviewSettings, d: DeployOutcome): string[] {
  const lines = [`### ${STATUS_TEXT[d.status] ?? d.status}: PR #${settings.number ?? ''}`, ''];
  if (d.skippedBecause) return [...lines, `${escapeMarkdown(d.skippedBecause)}.`, ''];
  if (d.site) lines.push(`**${d.site.url}**${d.headSha ? ` from \`${d.headSha.slice(0, 12)}\`` : ''}`, '');
  if (d.sync) {
    lines.push(
      ...table(
        ['uploaded', 'headers updated', 'unchanged', 'deleted', 'bytes'].map((title): Column => ({ title, align: 'right' })),
        [[d.sync.uploaded, d.sync.headersUpdated, d.sync.skipped, d.sync.deleted, formatBytes(d.sync.bytesUploaded)]],
      ),
      '',
    );
  }
  if (d.invalidation)
    lines.push(
      `Invalidated on ${d.invalidation.distributionId}: ${d.invalidation.invalidations.map((i) => `${i.id} (${i.paths.length} paths)`).join(', ')}`,
      '',
    );
  else if (d.sync && !d.sync.dryRun) lines.push('No cached path changed: nothing to invalidate.', '');
  if (d.comment && d.comment.action !== 'none') lines.push(`Comment ${d.comment.action}${d.comment.url ? `: ${d.comment.url}` : ''}`, '');
  if (d.deploymentId !== undefined)
    lines.push(`GitHub deployment ${d.deploymentId} in ${d.environment ?? ''}: ${d.status === 'deployed' ? 'success' : 'failure'}`, '');
  if (d.error) lines.push(`**Error:** ${escapeMarkdown(d.error)}`, '');
  return lines;
}

function cleanupLines(c: CleanupOutcome): string[] {
  // Each step is a sentence: plain text (escaped), not a code span.
  const lines = (c.removal?.steps ?? []).map((s) => `- ${escapeMarkdown(s)}`);
  if (c.removal && !c.removal.found) lines.push('- nothing was left to remove');
  if (c.comment && c.comment.action !== 'none') lines.push(`- comment ${c.comment.action}`);
  if (c.deploymentsDeactivated > 0) lines.push(`- ${plural(c.deploymentsDeactivated, 'deployment')} marked inactive`);
  if (c.error) lines.push(`- **error:** ${escapeMarkdown(c.error)}`);
  return lines;
}

function sweepSummary(settings: PrPreviewSettings, s: SweepOutcome): string[] {
  const lines = [`### ${settings.dryRun ? 'Dry run: previews that would be swept' : (STATUS_TEXT[s.status] ?? s.status)}`, ''];
  if (s.previews.length === 0) return [...lines, 'No preview of this repository was found.', ''];
  const rows = s.previews.map((p) => {
    const decision = p.decision === 'remove' ? (settings.dryRun ? 'would remove' : (p.cleanup?.status ?? 'failed')) : p.decision;
    return [`#${p.number}`, code(p.where), p.pull?.state ?? 'unknown', p.pull?.updatedAt ?? '', `${decision}: ${escapeMarkdown(p.reason)}`];
  });
  lines.push(...table([{ title: 'PR', align: 'right' }, 'where', 'PR state', 'last updated', 'decision'], rows));
  lines.push('');
  for (const p of s.previews.filter((x) => x.cleanup))
    lines.push(`<details><summary>#${p.number}</summary>`, '', ...cleanupLines(p.cleanup!), '', '</details>', '');
  if (s.error) lines.push(`**Error:** ${escapeMarkdown(s.error)}`, '');
  return lines;
}

export function prPreviewSummary(settings: PrPreviewSettings, outcome: PrPreviewOutcome): string {
  switch (outcome.command) {
    case 'deploy':
      return deploySummary(settings, outcome.deploy).join('\n') + '\n';
    case 'cleanup':
      return (
        [
          `### ${STATUS_TEXT[outcome.cleanup.status] ?? outcome.cleanup.status}: PR #${outcome.cleanup.number}`,
          '',
          ...cleanupLines(outcome.cleanup),
          '',
        ].join('\n') + '\n'
      );
    case 'sweep':
      return sweepSummary(settings, outcome.sweep).join('\n') + '\n';
  }
}
