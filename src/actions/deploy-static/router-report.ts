// The router's lines in deploy-static's job summary.
import { codeSpan, escapeMarkdown } from '../../lib/util/markdown.js';
import type { RoutedDeploy } from '../../lib/router/routed-deploy.js';
import type { SiteRouting } from '../../lib/router/site-settings.js';

export function routedSummary(routing: SiteRouting | undefined, routed: RoutedDeploy | undefined): string {
  if (!routing || !routed) return '';
  const { table, write } = routed;
  const c = table.counts;
  const lines = [
    '',
    `#### Router ${codeSpan(routing.router)}, site ${codeSpan(table.site)}`,
    '',
    `${table.layout.mode === 'spa' ? 'Single-page app' : 'Multi-page build'}, trailing slash ${codeSpan(routing.slash)}: ${c.pages} pages, ${c.exactRedirects} exact and ${c.patternRedirects} pattern redirects, ${c.headerRules} header rules.`,
    '',
    write
      ? `Routing table written after the upload: ${write.put} entries put, ${write.deleted} removed, ${write.unchanged} unchanged; the store holds ${write.itemCount} items (${write.totalBytes} bytes)${write.conflicts ? `, after ${write.conflicts} concurrent-write retries` : ''}.`
      : '_Dry run: the routing table was checked, not written._',
  ];
  if (table.notes.length > 0) lines.push('', ...table.notes.map((n) => `- ${escapeMarkdown(n)}`));
  return lines.join('\n') + '\n';
}
