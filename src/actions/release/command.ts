// The release action and CLI command: list or rollback, with their outputs and summary.
import type { OutputName } from '../../generated/action-specs.js';
import { resolveStoreArn } from '../../lib/router/store.js';
import { formatBytes } from '../../lib/util/bytes.js';
import { codeSpan, escapeMarkdown } from '../../lib/util/markdown.js';
import type { ReleaseActionSettings } from './settings.js';
import type { ReleaseDeps } from '../../lib/releases/deploy.js';
import { listReleases, rollback, type ListedRelease, type ReleaseTarget } from '../../lib/releases/manage.js';

export interface ReleaseCommandResult {
  outputs: Record<OutputName<'release'>, string>;
  summary: string;
}

function listSummary(settings: ReleaseActionSettings, releases: ListedRelease[]): string {
  const lines = [`### Releases of site ${codeSpan(settings.site)}`, ''];
  if (releases.length === 0) return [...lines, 'No release staged yet (deploy with `mode: releases`).', ''].join('\n');
  lines.push('| release | live | staged | commit | files | bytes | run |', '|---|:-:|---|---|---:|---:|---|');
  for (const r of releases) lines.push(`| ${codeSpan(r.id)} | ${r.live ? '**live**' : ''} | ${r.createdAt} | ${codeSpan(r.commit.slice(0, 12))} | ${r.files} | ${formatBytes(r.bytes)} | ${escapeMarkdown(r.run)} |`);
  return lines.join('\n') + '\n';
}

export async function runReleaseCommand(settings: ReleaseActionSettings, deps: ReleaseDeps): Promise<ReleaseCommandResult> {
  const target: ReleaseTarget = { bucket: settings.bucket, prefix: settings.prefix, site: settings.site, storeArn: await resolveStoreArn(settings.router, deps.cloudfront) };
  if (settings.command === 'list') {
    const releases = await listReleases(target, deps);
    return { outputs: { 'release-id': releases.find((r) => r.live)?.id ?? '', 'previous-release-id': '', releases: JSON.stringify(releases) }, summary: listSummary(settings, releases) };
  }
  const result = await deps.log.group(`Roll site ${settings.site} back`, () => rollback(target, deps, settings.releaseId));
  const summary = result.from === result.to
    ? `### Release ${codeSpan(result.to)} of site ${codeSpan(settings.site)} was already live: nothing switched.\n`
    : `### Site ${codeSpan(settings.site)} rolled back to ${codeSpan(result.to)}\n\nOne write of the router's live pointer (was ${result.from ? codeSpan(result.from) : 'none'}): nothing uploaded, nothing invalidated${result.restoredTable ? "; the release's routing table was written back from its record first" : ''}.\n`;
  return { outputs: { 'release-id': result.to, 'previous-release-id': result.from, releases: '' }, summary };
}
