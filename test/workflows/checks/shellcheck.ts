// (b) shellcheck on the run: scripts.
import { spawnSync } from 'node:child_process';
import { isScalar } from 'yaml';
import type { YAMLMap } from 'yaml';
import { get, steps, str, type Finding, type Workflow } from '../lib.js';

export const EXPRESSION_PLACEHOLDER = 'GHA_EXPR';
export const EXPRESSION = /\$\{\{[\s\S]*?\}\}/g;
// "This expression is constant" and friends are artefacts of a placeholder word standing in for ${{ }}: they
// are ignored on lines that hold the placeholder, and reported anywhere else.
const PLACEHOLDER_ARTEFACTS = new Set(['SC2050', 'SC2157', 'SC2193', 'SC2194', 'SC2078']);

let shellcheckFoundOn: string | undefined;

function requireShellcheck(): void {
  const searchPath = process.env.PATH ?? '';
  if (shellcheckFoundOn === searchPath) return;
  const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'shellcheck is not installed, and the workflow tests need it to check run: scripts. Install it: ' +
        'apt-get update && apt-get install -y shellcheck (Debian/Ubuntu; .ci/run does this), or brew install shellcheck.',
    );
  }
  shellcheckFoundOn = searchPath;
}

function defaultShell(wf: Workflow, job: YAMLMap): string | undefined {
  const fromDefaults = (node: unknown): string | undefined => str(get(get(get(node, 'defaults'), 'run'), 'shell'));
  return fromDefaults(job) ?? fromDefaults(wf.doc.contents);
}

/** The shellcheck dialect for a step's shell, or undefined when it is not a POSIX shell. */
function dialect(shell: string): 'bash' | 'sh' | undefined {
  const program = shell.trim().split(/\s+/)[0] ?? '';
  if (program === 'bash') return 'bash';
  if (program === 'sh') return 'sh';
  return undefined;
}

export function checkShellcheck(wf: Workflow): Finding[] {
  requireShellcheck();
  const findings: Finding[] = [];
  for (const s of steps(wf)) {
    const runNode = get(s.step, 'run');
    if (!isScalar(runNode) || typeof runNode.value !== 'string') continue;
    const shell = str(get(s.step, 'shell')) ?? defaultShell(wf, s.job) ?? 'bash';
    const kind = dialect(shell);
    if (!kind) continue;
    // What the runner runs: `bash --noprofile --norc -eo pipefail {0}` (or `sh -e {0}`).
    const header = kind === 'bash' ? ['#!/usr/bin/env bash', 'set -eo pipefail'] : ['#!/bin/sh', 'set -e'];
    const body = runNode.value.replace(EXPRESSION, EXPRESSION_PLACEHOLDER);
    const bodyLines = body.split('\n');
    const result = spawnSync('shellcheck', ['-s', kind, '-f', 'gcc', '-'], { input: [...header, body].join('\n'), encoding: 'utf8' });
    if (result.error) throw result.error;
    if (result.status !== 0 && !result.stdout.trim()) {
      throw new Error(`shellcheck failed (exit ${result.status}) on ${wf.name} job ${s.jobId}: ${result.stderr}`);
    }
    const start = wf.lines.linePos(runNode.range?.[0] ?? 0);
    for (const out of result.stdout.split('\n')) {
      const m = /^-:(\d+):(\d+): (\w+): (.*) \[(SC\d+)\]$/.exec(out);
      if (!m) continue;
      const scriptLine = Number(m[1]) - header.length;
      const code = m[5] ?? '';
      const text = bodyLines[scriptLine - 1] ?? '';
      if (PLACEHOLDER_ARTEFACTS.has(code) && text.includes(EXPRESSION_PLACEHOLDER)) continue;
      // A literal block (run: |) maps line for line; other scalar styles map to where the scalar starts.
      let line = start.line;
      let column: number | undefined;
      if (runNode.type === 'BLOCK_LITERAL') {
        line = start.line + Math.max(scriptLine, 1);
        // The block's indentation: the YAML line's leading spaces minus the script line's own.
        const yamlLine = wf.text.split('\n')[line - 1] ?? '';
        const original = runNode.value.split('\n')[scriptLine - 1] ?? '';
        column = Number(m[2]) + (yamlLine.length - yamlLine.trimStart().length) - (original.length - original.trimStart().length);
      }
      findings.push({
        check: 'shellcheck',
        file: wf.name,
        line,
        ...(column === undefined ? {} : { column }),
        message: `${m[3]}: ${m[4]} [${code}] (job ${s.jobId})`,
      });
    }
  }
  return findings;
}
