// What a deploy-static run tells the workflow (outputs) and the person reading the run (summary).
import type { OutputName } from '../generated/action-specs.js';
import { describeSource, type SyncResult } from '../s3-sync/sync.js';
import { codeSpan, escapeMarkdown } from '../util/markdown.js';
import type { DeployStaticSettings } from './settings.js';

export function deployStaticOutputs(result: SyncResult): Record<OutputName<'deploy-static'>, string> {
  return {
    uploaded: String(result.uploaded),
    skipped: String(result.skipped),
    deleted: String(result.deleted),
    'bytes-uploaded': String(result.bytesUploaded),
    'changed-paths': JSON.stringify(result.changedPaths),
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const MAX_LISTED = 50;

/** A bullet list of at most MAX_LISTED lines; `item` formats one entry. */
function list<T>(items: T[], item: (x: T) => string = (x) => codeSpan(String(x))): string[] {
  const shown = items.slice(0, MAX_LISTED).map((x) => `- ${item(x)}`);
  if (items.length > MAX_LISTED) shown.push(`- … and ${items.length - MAX_LISTED} more`);
  return shown;
}

/** The job summary, as Markdown. */
export function deployStaticSummary(settings: DeployStaticSettings, result: SyncResult): string {
  const target = `s3://${settings.bucket}/${settings.prefix}`;
  const verb = settings.source.kind === 's3' ? 'copied server-side' : 'uploaded';
  const lines = [
    `### ${result.dryRun ? 'Dry run: ' : ''}${codeSpan(describeSource(settings.source))} → ${codeSpan(target)}`,
    '',
    ...(result.dryRun ? ['_Dry run: nothing was changed. The figures are what a real run would do._', ''] : []),
    `| ${verb} | headers updated | skipped | deleted | kept | bytes | time |`,
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${result.uploaded} | ${result.headersUpdated} | ${result.skipped} | ${result.deleted} | ${result.plan.kept.length} | ${formatBytes(result.bytesUploaded)} | ${(result.durationMs / 1000).toFixed(1)} s |`,
    '',
  ];
  const stale = result.plan.kept.filter((k) => k.reason === 'stale asset');
  if (stale.length > 0) {
    lines.push(`<details><summary>${stale.length} immutable assets left the source and stay for open pages until their grace period ends</summary>`, '');
    lines.push(...list(stale, (k) => `${codeSpan(k.key)} until ${k.until ?? ''}`), '', '</details>', '');
  }
  lines.push(result.changedPaths.length === 0 ? 'No cached path became stale: nothing to invalidate.' : `**Changed paths** (${result.changedPaths.length}, to invalidate):`, '');
  lines.push(...list(result.changedPaths));
  if (result.leftOut.length > 0) {
    lines.push('', `<details><summary>${result.leftOut.length} file${result.leftOut.length === 1 ? '' : 's'} left out</summary>`, '', ...list(result.leftOut, (l) => `${codeSpan(l.key)} (${escapeMarkdown(l.reason)})`), '', '</details>');
  }
  return lines.join('\n') + '\n';
}
