// (d) No untrusted expression inside a run: script.
import { isScalar } from 'yaml';
import { get, lineOf, steps, type Finding, type Workflow } from '../lib.js';
import { EXPRESSION } from './shellcheck.js';

const UNTRUSTED: Array<[RegExp, string]> = [
  [/\bgithub\s*(?:\.\s*event\b|\[\s*['"]event['"]\s*\])/, 'github.event.*'],
  [/\bgithub\s*(?:\.\s*head_ref\b|\[\s*['"]head_ref['"]\s*\])/, 'github.head_ref'],
  [/(?<![\w.-])inputs\s*[.[]/, 'inputs.*'],
];

export function checkUntrusted(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const s of steps(wf)) {
    const runNode = get(s.step, 'run');
    if (!isScalar(runNode) || typeof runNode.value !== 'string') continue;
    const start = lineOf(wf, runNode);
    const scriptLines = runNode.value.split('\n');
    scriptLines.forEach((text, i) => {
      for (const expr of text.match(EXPRESSION) ?? []) {
        for (const [pattern, what] of UNTRUSTED) {
          if (pattern.test(expr)) {
            findings.push({
              check: 'untrusted',
              file: wf.name,
              line: runNode.type === 'BLOCK_LITERAL' ? start + i + 1 : start,
              message: `${expr} (${what}) is expanded into a run: script (job ${s.jobId}); pass it through env: and use the variable`,
            });
          }
        }
      }
    });
  }
  return findings;
}
