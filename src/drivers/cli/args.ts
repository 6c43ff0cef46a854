// The slipway command line, driven by the actions' specs: each command's flags are its action.yml inputs
// (`--dry-run`, `--cache-control 'a=b'` repeated for several lines, `--flag=value`, `--no-delete` for a
// boolean), plus the common flags below. Usage problems are UsageErrors: the CLI prints them on stderr and
// exits 2 without sending a request.
import { editDistance } from '../../inputs/parse.js';
import { actionSpecs, type ActionName } from '../../generated/action-specs.js';
import { InputErrors, type InputError } from '../../inputs/errors.js';
import type { RawInputs } from '../../inputs/reader.js';

interface InputSpec {
  description: string;
  required: boolean;
  default?: string;
}

/** A mistake on the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help to point at, when there is one. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags every command takes besides its inputs. */
export const COMMON_FLAGS: Record<string, string> = {
  help: 'show this help (also -h)',
  verbose: 'one line per uploaded file, and debug lines',
  json: 'print the result as one JSON object on stdout (logs stay on stderr)',
};

export interface CommandLine {
  inputs: RawInputs;
  help: boolean;
  verbose: boolean;
  json: boolean;
}

const inputsOf = (action: ActionName): Record<string, InputSpec> => actionSpecs[action].inputs;
const isBoolean = (spec: InputSpec | undefined): boolean => spec?.default === 'true' || spec?.default === 'false';

/** `--name value`, `--name=value`, `--bool`, `--no-bool`, and the common flags; anything else is a UsageError. */
export function parseCommandLine(action: ActionName, argv: readonly string[]): CommandLine {
  const inputs = inputsOf(action);
  const values = new Map<string, string[]>();
  const line: Omit<CommandLine, 'inputs'> = { help: argv.includes('-h') || argv.includes('--help'), verbose: false, json: false };
  if (line.help) return { ...line, inputs: () => undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: slipway ${action} takes only --flags`, action);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (name === 'verbose' || name === 'json') {
      if (inline !== undefined) throw new UsageError(`flag --${name} takes no value`, action);
      line[name] = true;
      continue;
    }
    const negated = name.startsWith('no-') && isBoolean(inputs[name.slice(3)]) && !(name in inputs);
    const input = negated ? name.slice(3) : name;
    if (!(input in inputs))
      throw new UsageError(
        `unknown flag --${name} for slipway ${action}${suggestion(name, [...Object.keys(inputs), ...Object.keys(COMMON_FLAGS)], '--')}`,
        action,
      );
    let value: string;
    if (negated) {
      if (inline !== undefined) throw new UsageError(`flag --${name} takes no value`, action);
      value = 'false';
    } else if (inline !== undefined) value = inline;
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i]!;
    else if (isBoolean(inputs[input])) value = 'true';
    else throw new UsageError(`flag --${name} needs a value: --${name} <value> or --${name}=<value>`, action);
    values.set(input, [...(values.get(input) ?? []), value]);
  }
  return { ...line, inputs: (name) => values.get(name)?.join('\n') };
}

/** The closest candidate, as ", did you mean --x?", or '' when none is close. */
export function suggestion(word: string, candidates: readonly string[], prefix = ''): string {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  const close =
    best && (best.distance <= Math.max(1, Math.floor(word.length / 3)) || best.name.startsWith(word) || word.startsWith(best.name));
  return close ? `; did you mean ${prefix}${best!.name}?` : '';
}

/**
 * An input error in the words of the command line: "Flag --bucket must be …" where the action's log says
 * "Input 'bucket' must be …". Names that are not flags of the command stay as they are.
 */
export function describeInputErrors(action: ActionName, error: InputError | InputErrors): string {
  const errors = error instanceof InputErrors ? error.errors : [error];
  const inputs = inputsOf(action);
  return errors
    .map((e) => {
      if (!(e.input in inputs)) return e.message;
      return `Flag --${e.input} ${e.expected}${e.got === undefined ? '' : ` (got ${JSON.stringify(e.got)})`}.`;
    })
    .join('\n');
}

/** The first sentence of an action's description, for the command list. */
export function summaryOf(action: ActionName): string {
  const text = actionSpecs[action].description.replace(/\s+/g, ' ').trim();
  return /^.*?[.:](?=\s|$)/.exec(text)?.[0].replace(/[.:]$/, '') ?? text;
}

/** An example built from the spec when the command has no written one: every required flag with a placeholder. */
export function generatedExample(action: ActionName): string {
  const required = Object.entries(inputsOf(action)).filter(([, s]) => s.required && s.default === undefined);
  return [`slipway ${action}`, ...required.map(([name]) => `--${name} <${name}>`)].join(' ');
}

const wrap = (text: string, width: number, indent: string): string[] => {
  const lines: string[] = [];
  let current = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (current && current.length + word.length + 1 > width) {
      lines.push(indent + current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(indent + current);
  return lines;
};

export const EXIT_CODES = [
  '0  done',
  '1  the operation failed (the summary says what was and was not done)',
  '2  usage error: unknown command or flag, missing or malformed value; nothing was sent',
];

/** `slipway <command> --help`: the flags from action.yml, the common flags, examples and exit codes. */
export function commandHelp(action: ActionName, examples: readonly string[]): string {
  const inputs = inputsOf(action);
  const required = Object.entries(inputs)
    .filter(([, s]) => s.required && s.default === undefined)
    .map(([n]) => `--${n} <${n}>`);
  const lines = [
    `Usage: slipway ${action} ${[...required, '[flags]'].join(' ')}`,
    '',
    ...wrap(actionSpecs[action].description, 100, ''),
    '',
    `Flags (the inputs of actions/${action}/action.yml):`,
  ];
  for (const [name, spec] of Object.entries(inputs)) {
    const flag = isBoolean(spec) ? `--${name}, --no-${name}` : `--${name} <value>`;
    const note = spec.required && spec.default === undefined ? ' (required)' : spec.default ? ` (default: ${spec.default})` : '';
    lines.push(`  ${flag}${note}`, ...wrap(spec.description, 96, '      '));
  }
  lines.push('', 'Common flags:', ...Object.entries(COMMON_FLAGS).map(([n, d]) => `  --${n.padEnd(9)} ${d}`));
  lines.push('', examples.length > 1 ? 'Examples:' : 'Example:', ...examples.map((e) => `  ${e}`));
  lines.push('', 'Exit codes:', ...EXIT_CODES.map((c) => `  ${c}`));
  return lines.join('\n');
}
