// Command-line flags for an action, named exactly as its action.yml inputs: `--dry-run`,
// `--cache-control 'a=b'` (repeat a flag for several lines), `--flag=value`.
import { actionSpecs, type ActionName } from '../generated/action-specs.js';
import { InputError } from '../inputs/errors.js';
import type { RawInputs } from '../inputs/reader.js';

export function parseFlags(action: ActionName, argv: readonly string[]): RawInputs {
  const inputs = actionSpecs[action].inputs as Record<string, { default?: string }>;
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new InputError('command line', `takes --name value flags named after the inputs of ${action}`, arg);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!(name in inputs)) throw new InputError('command line', `has no flag --${name} for ${action}; run 'slipway ${action} --help'`, arg);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i]!;
    else if (inputs[name]?.default === 'true' || inputs[name]?.default === 'false') value = 'true';
    else throw new InputError(name, 'needs a value on the command line', arg);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return (name) => values.get(name)?.join('\n');
}

export function usage(action: ActionName): string {
  const spec = actionSpecs[action];
  const lines = [`slipway ${action} [flags]`, '', spec.description, ''];
  for (const [name, input] of Object.entries(spec.inputs as Record<string, { description: string; required: boolean; default?: string }>)) {
    const note = input.required ? ' (required)' : input.default ? ` (default ${input.default})` : '';
    lines.push(`  --${name}${note}`, `      ${input.description}`);
  }
  return lines.join('\n');
}
