// The release action and CLI command: list, rollback, promote or gc, with their outputs and summary.
import type { OutputName } from '../../generated/action-specs.js';
import { resolveStoreArn } from '../../lib/router/store.js';
import { formatBytes } from '../../lib/util/bytes.js';
import { codeSpan, escapeMarkdown, table } from '../../lib/util/markdown.js';
import type { ReleaseActionSettings } from './settings.js';
import type { ReleaseDeps } from '../../lib/releases/deploy.js';
import { collectGarbage, type GcResult } from '../../lib/releases/gc.js';
import { listReleases, rollback, type ListedRelease, type ReleaseTarget } from '../../lib/releases/manage.js';
import { promote, type PromoteResult } from '../../lib/releases/promote.js';
import { VerificationFailed, type VerifyReport, type WaitResult } from '../../lib/releases/verify.js';
import { propagationLines, verificationFailedSummary, verificationLines } from '../../lib/releases/verify-report.js';
import { orphanLines } from '../../lib/releases/gc-report.js';
import { PartialFailure } from '../../lib/util/partial-failure.js';
import { humanDuration } from '../../lib/util/clock.js';

export interface ReleaseCommandResult {
  outputs: Record<OutputName<'release'>, string>;
  summary: string;
}

const NO_OUTPUTS = { 'release-id': '', 'previous-release-id': '', releases: '', 'deleted-releases': '', 'propagation-ms': '' };

function listSummary(settings: ReleaseActionSettings, releases: ListedRelease[]): string {
  const lines = [`### Releases of site ${codeSpan(settings.site)}`, ''];
  if (releases.length === 0) return [...lines, 'No release staged yet (deploy with `mode: releases`).', ''].join('\n');
  const held = (r: ListedRelease) =>
    r.pointers.length > 0 ? r.pointers.map((p) => codeSpan(p)).join(', ') : r.offSince ? `none since ${r.offSince}` : 'none';
  lines.push(
    ...table(
      [
        'release',
        { title: 'live', align: 'center' },
        'held by',
        'staged',
        'commit',
        { title: 'files', align: 'right' },
        { title: 'bytes', align: 'right' },
        'run',
      ],
      releases.map((r) => [
        codeSpan(r.id),
        r.live ? '**live**' : '',
        held(r),
        r.createdAt,
        codeSpan(r.commit.slice(0, 12)),
        r.files,
        formatBytes(r.bytes),
        escapeMarkdown(r.run),
      ]),
    ),
  );
  return lines.join('\n') + '\n';
}

function gcSummary(settings: ReleaseActionSettings, r: GcResult): string {
  const verb = r.dryRun ? 'would delete' : 'deleted';
  const lines = [`### ${r.dryRun ? 'Dry run: g' : 'G'}arbage collection in ${codeSpan(`s3://${settings.bucket}/${settings.prefix}`)}`, ''];
  lines.push(
    `Kept: every release a pointer holds, the newest ${settings.keepReleases} of each site, and the others until ${humanDuration(settings.staleGraceMs)} after they left their last pointer.`,
    '',
  );
  if (r.releases.length > 0) {
    const why = {
      held: 'held by a pointer',
      newest: `one of the newest ${settings.keepReleases}`,
      grace: 'in its grace period',
      delete: verb,
    } as const;
    lines.push(
      ...table(
        ['release', 'site', 'staged', 'held by', 'off pointers since', 'decision'],
        r.releases.map((x) => [
          codeSpan(x.id),
          codeSpan(x.site),
          x.createdAt,
          x.heldBy.map((p) => codeSpan(p)).join(', '),
          x.offSince,
          `${why[x.decision]}${x.deletableAt ? ` until ${x.deletableAt}` : ''}`,
        ]),
      ),
    );
    lines.push('');
  }
  if (!r.dryRun)
    lines.push(
      `${r.deleted.length} releases deleted: ${r.objectsDeleted} objects (${r.poolObjectsDeleted} of them shared pool files no kept release uses), ${r.tableKeysDeleted} routing keys.`,
    );
  if (r.spared.length > 0) lines.push('', `Spared (a pointer took them while gc ran): ${r.spared.map((id) => codeSpan(id)).join(', ')}.`);
  const orphans = orphanLines(r);
  if (orphans.length > 0) lines.push('', ...orphans);
  return lines.join('\n') + '\n';
}

/** What the CDN showed of a switch: the target verified before it, the edges serving it after. */
function cdnLines(id: string, r: { verification?: VerifyReport; propagation?: WaitResult }): string[] {
  const lines = r.verification ? ['', ...verificationLines(r.verification)] : ['', 'Not verified through the CDN (`verify: false`).', ''];
  if (r.propagation) lines.push(...propagationLines(id, r.propagation));
  return lines;
}

const propagationMs = (p: WaitResult | undefined) => (p?.served ? String(p.ms) : '');

/** A switch whose target failed verification: nothing switched, the summary lists every problem. */
function unverified(error: VerificationFailed, site: string): PartialFailure<ReleaseCommandResult> {
  const advice =
    'The live release is unchanged. Roll back or promote to another release (`release-id`, see `command: list`), or deploy a fixed build; to switch without these checks, set `verify: false`.';
  return new PartialFailure(
    error.message,
    { outputs: NO_OUTPUTS, summary: verificationFailedSummary(site, error.id, error.report, advice) },
    { cause: error },
  );
}

function promoteSummary(settings: ReleaseActionSettings, r: PromoteResult): string {
  const to = settings.to!;
  if (!r.switched) return `### Site ${codeSpan(to.site)} already serves release ${codeSpan(r.id)}: nothing switched.\n`;
  const how =
    r.mode === 'pointer'
      ? `One write of the router's pointer: ${codeSpan(to.site)} now links to the very routing table and objects ${codeSpan(settings.from)} serves. Nothing uploaded or copied, nothing invalidated.`
      : `Copied server-side to ${codeSpan(`s3://${to.bucket}/${to.prefix}`)} first (${r.copied} release files, ${r.poolCopied} pool files; ${r.poolReused} pool files already there), then one write of the pointer. Nothing invalidated.`;
  return [
    `### Release ${codeSpan(r.id)} promoted from ${codeSpan(settings.from)} to ${codeSpan(to.site)}`,
    '',
    how,
    ...cdnLines(r.id, r),
    `Before: ${r.previous ? codeSpan(r.previous) : 'none'} (one rollback away).`,
    '',
  ].join('\n');
}

export async function runReleaseCommand(settings: ReleaseActionSettings, deps: ReleaseDeps): Promise<ReleaseCommandResult> {
  const verify = { verify: settings.verify, ...(settings.verifyUrl ? { verifyUrl: settings.verifyUrl } : {}) };
  const storeArn = await resolveStoreArn(settings.router, deps.cloudfront);
  const target: ReleaseTarget = { bucket: settings.bucket, prefix: settings.prefix, site: settings.site, storeArn };
  if (settings.command === 'list') {
    const releases = await listReleases(target, deps);
    return {
      outputs: { ...NO_OUTPUTS, 'release-id': releases.find((r) => r.live)?.id ?? '', releases: JSON.stringify(releases) },
      summary: listSummary(settings, releases),
    };
  }
  if (settings.command === 'gc') {
    const store = { s3: deps.s3, bucket: settings.bucket, prefix: settings.prefix, log: deps.log };
    const result = await collectGarbage(store, deps.kvs, storeArn, {
      keep: settings.keepReleases,
      graceMs: settings.staleGraceMs,
      dryRun: settings.dryRun,
    });
    const deleted = result.dryRun ? result.releases.filter((r) => r.decision === 'delete').map((r) => r.id) : result.deleted;
    return {
      outputs: { ...NO_OUTPUTS, releases: JSON.stringify(result.releases), 'deleted-releases': JSON.stringify(deleted) },
      summary: gcSummary(settings, result),
    };
  }
  if (settings.command === 'promote') {
    const to = settings.to!;
    const toArn = to.router === settings.router ? storeArn : await resolveStoreArn(to.router, deps.cloudfront);
    const result = await promote(
      { ...target, site: settings.from },
      { bucket: to.bucket, prefix: to.prefix, site: to.site, storeArn: toArn },
      deps,
      settings.releaseId,
      { ...verify, ...(settings.toUrl ? { toUrl: settings.toUrl } : {}) },
    ).catch((error: unknown) => {
      throw error instanceof VerificationFailed ? unverified(error, to.site) : error;
    });
    return {
      outputs: {
        ...NO_OUTPUTS,
        'release-id': result.id,
        'previous-release-id': result.previous,
        'propagation-ms': propagationMs(result.propagation),
      },
      summary: promoteSummary(settings, result),
    };
  }
  const result = await deps.log
    .group(`Roll site ${settings.site} back`, () => rollback(target, deps, settings.releaseId, verify))
    .catch((error: unknown) => {
      throw error instanceof VerificationFailed ? unverified(error, settings.site) : error;
    });
  const summary =
    result.from === result.to
      ? `### Release ${codeSpan(result.to)} of site ${codeSpan(settings.site)} was already live: nothing switched.\n`
      : [
          `### Site ${codeSpan(settings.site)} rolled back to ${codeSpan(result.to)}`,
          '',
          `One write of the router's live pointer (was ${result.from ? codeSpan(result.from) : 'none'}): nothing uploaded, nothing invalidated${result.restoredTable ? "; the release's routing table was written back from its record first" : ''}.`,
          ...cdnLines(result.to, result),
        ].join('\n');
  return {
    outputs: {
      ...NO_OUTPUTS,
      'release-id': result.to,
      'previous-release-id': result.from,
      'propagation-ms': propagationMs(result.propagation),
    },
    summary,
  };
}
