// What the router action tells the workflow (outputs) and the reader of the run (summary).
import type { OutputName } from '../../generated/action-specs.js';
import { codeSpan, table } from '../../lib/util/markdown.js';
import type { RouterActionSettings } from './settings.js';
import { CURRENT_VERSION, type SetupResult, type StatusResult } from '../../lib/router/setup.js';

export type RouterOutcome = { command: 'setup'; result: SetupResult } | { command: 'status'; result: StatusResult };

export function routerOutputs(outcome: RouterOutcome): Partial<Record<OutputName<'router'>, string>> {
  if (outcome.command === 'setup') {
    const r = outcome.result;
    return { 'function-arn': r.functionArn, 'store-arn': r.storeArn, version: r.version, current: 'true' };
  }
  const r = outcome.result;
  return {
    'function-arn': r.functionArn,
    'store-arn': r.storeArn,
    version: r.liveVersion,
    current: String(r.current),
    'item-count': String(r.itemCount),
    'store-bytes': String(r.totalBytes),
    ...(r.attached ? { attached: JSON.stringify(r.attached) } : {}),
  };
}

export function routerSummary(settings: RouterActionSettings, outcome: RouterOutcome): string {
  const lines = [`### Router ${codeSpan(settings.name)}: ${outcome.command}`, ''];
  if (outcome.command === 'setup') {
    const r = outcome.result;
    lines.push(
      ...table(
        ['', ''],
        [
          ['key value store', `${codeSpan(r.storeArn)}${r.storeCreated ? ' (created)' : ''}`],
          ['function', codeSpan(r.functionArn)],
          [
            'version',
            `${codeSpan(r.version)}${r.codeChanged ? ' (code updated)' : ''}${r.published ? ', tested and published' : ', already live'}`,
          ],
          ['compute utilization in TestFunction', r.computeUtilization],
          ['hosts written', r.hostsWritten],
          [
            'distribution',
            settings.distributionId
              ? `${codeSpan(settings.distributionId)} ${r.attached ? 'now runs the router (deployed)' : 'already ran the router'}`
              : 'none given',
          ],
        ],
      ),
    );
  } else {
    const r = outcome.result;
    const rows: (string | number)[][] = [
      ['key value store', `${codeSpan(r.storeArn)}: ${r.itemCount} items, ${r.totalBytes} of 5,242,880 bytes`],
      ['function', codeSpan(r.functionArn)],
      [
        'LIVE version',
        `${codeSpan(r.liveVersion)} ${r.current ? '(current)' : `(this release is ${codeSpan(CURRENT_VERSION)}: run setup)`}`,
      ],
    ];
    if (settings.distributionId) {
      const a = r.attached ?? {};
      rows.push([
        `distribution ${codeSpan(settings.distributionId)}`,
        `viewer-request ${a['viewer-request'] ? codeSpan(a['viewer-request']) : 'none'}, viewer-response ${a['viewer-response'] ? codeSpan(a['viewer-response']) : 'none'}`,
      ]);
    }
    lines.push(...table(['', ''], rows));
  }
  return lines.join('\n') + '\n';
}
