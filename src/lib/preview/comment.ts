// The sticky comment's text. Everything in it is either validated by the inputs (domain, numbers,
// commit ids) or escaped, so nothing from outside can change the Markdown around it.
import type { SyncResult } from '../s3-sync/sync.js';
import type { PreviewSite } from './store.js';
import { escapeMarkdown, table } from '../util/markdown.js';

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
const runLink = (runUrl: string | undefined) => (runUrl ? ` · [run](${runUrl})` : '');

export function deployedComment(d: {
  site: PreviewSite;
  headSha: string;
  commitUrl: string;
  deployedAt: string;
  runUrl?: string;
  sync: SyncResult;
}): string {
  const commit = `[\`${d.headSha.slice(0, 7)}\`](${d.commitUrl})`;
  const changes = `${d.sync.uploaded} uploaded, ${d.sync.headersUpdated} headers updated, ${d.sync.deleted} deleted, ${d.sync.skipped} unchanged`;
  return [
    '### Preview ready',
    '',
    ...table(
      ['', ''],
      [
        ['**URL**', d.site.url],
        ['**Commit**', commit],
        ['**Deployed**', when(d.deployedAt)],
        ['**Files**', changes],
      ],
    ),
    '',
    `<sub>Updated on every push by Slipway pr-preview${runLink(d.runUrl)}. Removed when the pull request closes.</sub>`,
  ].join('\n');
}

export function removedComment(d: { number: number; why: string; at: string; runUrl?: string }): string {
  return [
    '### Preview removed',
    '',
    `The preview of #${d.number} was removed at ${when(d.at)}: ${escapeMarkdown(d.why)}.`,
    '',
    `<sub>Slipway pr-preview${runLink(d.runUrl)}. Reopening the pull request and pushing deploys it again.</sub>`,
  ].join('\n');
}
