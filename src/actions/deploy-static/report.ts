// What a deploy-static run tells the workflow (outputs) and the person reading the run (summary).
import { boundedPathList } from '../../lib/cloudfront/invalidation-paths.js';
import type { OutputName } from '../../generated/action-specs.js';
import { describeSource, type SyncResult } from '../../lib/s3-sync/sync.js';
import { formatBytes } from '../../lib/util/bytes.js';
import { boundedList as list, codeSpan, escapeMarkdown, plural, table, type Column } from '../../lib/util/markdown.js';
import type { DeployStaticSettings } from './settings.js';

/**
 * The outputs. A dry run changes nothing, so it reports no changed paths: a pipeline that runs it
 * and then invalidates submits nothing. `changedPathsFile` holds the full list (written by the caller).
 */
export function deployStaticOutputs(result: SyncResult, changedPathsFile = ''): Record<OutputName<'deploy-static'>, string> {
  return {
    uploaded: String(result.uploaded),
    skipped: String(result.skipped),
    deleted: String(result.deleted),
    'bytes-uploaded': String(result.bytesUploaded),
    'changed-paths': JSON.stringify(result.dryRun ? [] : boundedPathList(result.changedPaths)),
    'changed-paths-file': result.dryRun ? '' : changedPathsFile,
    'release-id': '',
    'previous-release-id': '',
    'deleted-releases': '',
    url: '',
    'propagation-ms': '',
  };
}

/** The job summary, as Markdown. */
export function deployStaticSummary(settings: DeployStaticSettings, result: SyncResult): string {
  const target = `s3://${settings.bucket}/${settings.prefix}`;
  const verb = settings.source.kind === 's3' ? 'copied server-side' : 'uploaded';
  const lines = [
    `### ${result.dryRun ? 'Dry run: ' : ''}${codeSpan(describeSource(settings.source))} → ${codeSpan(target)}`,
    '',
    ...(result.dryRun
      ? [
          '_Dry run: nothing was changed. The figures are what a real run would do; the changed-paths output is empty, so nothing downstream invalidates._',
          '',
        ]
      : []),
    `Framework: **${result.framework.name}** (${escapeMarkdown(result.framework.reason)}).`,
    '',
    ...table(
      [verb, 'headers updated', 'skipped', 'deleted', 'kept', 'bytes', 'time'].map((title): Column => ({ title, align: 'right' })),
      [
        [
          result.uploaded,
          result.headersUpdated,
          result.skipped,
          result.deleted,
          result.plan.kept.length,
          formatBytes(result.bytesUploaded),
          `${(result.durationMs / 1000).toFixed(1)} s`,
        ],
      ],
    ),
    '',
  ];
  if (result.warnings.length > 0) lines.push('**Warnings**', '', ...list(result.warnings, (w) => escapeMarkdown(w)), '');
  const notOurs = result.plan.kept.filter((k) => k.reason === 'not written by Slipway');
  if (notOurs.length > 0) {
    lines.push(
      `**${plural(notOurs.length, 'object')} under the prefix ${notOurs.length === 1 ? 'was' : 'were'} not written by Slipway and ${notOurs.length === 1 ? 'was' : 'were'} left alone** (a first deploy here, or its record is gone). To remove ${notOurs.length === 1 ? 'it' : 'them'}, deploy once with \`delete: all\`; to keep ${notOurs.length === 1 ? 'it' : 'them'} for good, add a \`keep\` glob.`,
      '',
      ...list(notOurs, (k) => codeSpan(k.key, { inTable: false })),
      '',
    );
  }
  const stale = result.plan.kept.filter((k) => k.reason === 'stale asset');
  if (stale.length > 0) {
    lines.push(
      `<details><summary>${plural(stale.length, 'immutable asset')} left the source and stay for open pages until their grace period ends</summary>`,
      '',
    );
    lines.push(...list(stale, (k) => `${codeSpan(k.key, { inTable: false })} until ${k.until ?? ''}`), '', '</details>', '');
  }
  const verbPaths = result.dryRun ? 'would become stale (not reported in changed-paths: dry run)' : 'to invalidate';
  lines.push(
    result.changedPaths.length === 0
      ? 'No cached path became stale: nothing to invalidate.'
      : `**Changed paths** (${result.changedPaths.length}, ${verbPaths}):`,
    '',
  );
  lines.push(...list(result.changedPaths));
  if (result.leftOut.length > 0) {
    lines.push(
      '',
      `<details><summary>${plural(result.leftOut.length, 'file')} left out</summary>`,
      '',
      ...list(result.leftOut, (l) => `${codeSpan(l.key, { inTable: false })} (${escapeMarkdown(l.reason)})`),
      '',
      '</details>',
    );
  }
  return lines.join('\n') + '\n';
}
