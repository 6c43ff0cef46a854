// The slipway command line: commands (one per action, flags = its action.yml inputs), help, version, exit
// codes. Results go to stdout (text, or one JSON object with --json), logs and progress to stderr.
// Exit codes: 0 done, 1 failed, 2 usage error (nothing was sent). cli/main.ts is the entry the bundle runs.
import { describeError } from '../../lib/aws/errors.js';
import {
  commandHelp,
  describeInputErrors,
  EXIT_CODES,
  generatedExample,
  parseCommandLine,
  suggestion,
  summaryOf,
  UsageError,
} from './args.js';
import { actionSpecs, type ActionName } from '../../generated/action-specs.js';
import { InputError, InputErrors } from '../../inputs/errors.js';
import type { ActionEnvironment } from '../../inputs/reader.js';
import { actions } from '../../actions/index.js';
import { partialReport, type Action, type Report } from '../../actions/definition.js';
import { terminalLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/util/clock.js';
import { ROUTER_FUNCTION_CODE } from '../../generated/router-function.js';

/** One command per action, named as the action; its flags, help and errors come from the action's spec. */
const byName = new Map<string, Action>(actions.map((a) => [a.name, a]));
const commandNames = (Object.keys(actionSpecs) as ActionName[]).filter((name) => byName.has(name));
const isCommand = (name: string | undefined): name is ActionName => commandNames.some((c) => c === name);
const examplesOf = (command: ActionName): readonly string[] => {
  const examples = byName.get(command)?.examples ?? [];
  return examples.length > 0 ? examples : [generatedExample(command)];
};

/** The action a command runs: one of `actions` by the isCommand check before. */
function actionOf(command: ActionName): Action {
  const action = byName.get(command);
  if (!action) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  return action;
}

/** The oldest Node the CLI supports: a runtime dependency (content-type, via @octokit/request) declares >=22, the AWS SDK drops 20. */
export const MINIMUM_NODE = 22;

function usage(): string {
  const width = Math.max(...commandNames.map((c) => c.length));
  return [
    'Usage: slipway <command> [flags]',
    '',
    'Ship web products to AWS from a laptop or any CI: the same code as the Slipway GitHub Actions.',
    '',
    'Commands:',
    ...commandNames.map((c) => `  ${c.padEnd(width)}  ${summaryOf(c)}`),
    '',
    'Flags:',
    "  -h, --help     this help; 'slipway <command> --help' lists a command's flags, with an example",
    '  --version      print the version',
    '',
    'AWS credentials, region and endpoint come from the usual AWS environment variables and profiles.',
    '',
    'Exit codes:',
    ...EXIT_CODES.map((c) => `  ${c}`),
  ].join('\n');
}

const definedEntries = (outputs: Report['outputs']): [string, string][] =>
  Object.entries(outputs).filter((e): e is [string, string] => e[1] !== undefined);

/** Output values that are JSON (counts, path lists) as JSON, the rest as strings. */
function typedOutputs(outputs: Report['outputs']): Record<string, unknown> {
  return Object.fromEntries(
    definedEntries(outputs).map(([name, value]) => {
      try {
        const parsed: unknown = JSON.parse(value);
        return [name, typeof parsed === 'string' ? value : parsed];
      } catch {
        return [name, value];
      }
    }),
  );
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

function printResult(io: Io, command: ActionName, json: boolean, result: Report | undefined, error?: string): void {
  if (json) {
    io.out(
      JSON.stringify({
        command,
        ok: error === undefined,
        ...(error === undefined ? {} : { error }),
        outputs: typedOutputs(result?.outputs ?? {}),
      }),
    );
    return;
  }
  if (!result) return;
  io.out(`\n${result.summary}`);
  for (const [name, value] of definedEntries(result.outputs)) io.out(`${name}=${value}`);
}

function warnOnOldNode(io: Io): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MINIMUM_NODE) return;
  // One line of ours instead of the AWS SDK's seven-line NodeVersionSupportWarning on every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  io.err(
    `warning: Node ${process.versions.node} is not supported (end of life); slipway supports Node ${MINIMUM_NODE} and later. Continuing.`,
  );
}

async function runCommand(io: Io, command: ActionName, argv: readonly string[]): Promise<number> {
  const line = parseCommandLine(command, argv);
  if (line.help) {
    io.out(commandHelp(command, examplesOf(command)));
    return 0;
  }
  warnOnOldNode(io);
  const env: ActionEnvironment = { vars: process.env, cwd: process.cwd(), as: 'command' };
  const log = terminalLogger({ verbose: line.verbose });
  try {
    const run = actionOf(command).prepare(line.inputs, env);
    log.debug(`settings: ${run.logged}`);
    printResult(io, command, line.json, await run.run({ log, clock: systemClock, env }));
    return 0;
  } catch (error) {
    if (error instanceof InputError || error instanceof InputErrors) {
      // Found before any request: a usage error, in the words of the command line.
      throw new UsageError(describeInputErrors(command, error), command);
    }
    const message = describeError(error);
    printResult(io, command, line.json, partialReport(error), message);
    io.err(`error: ${message}`);
    return 1;
  }
}

/** The whole command line; returns the exit code. */
export async function main(argv: readonly string[], version: string, io: Io): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '-h' || first === '--help') {
      io.out(usage());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.out(version);
      return 0;
    }
    if (first === 'help') {
      if (rest[0] === undefined) io.out(usage());
      else if (isCommand(rest[0])) io.out(commandHelp(rest[0], examplesOf(rest[0])));
      else throw new UsageError(`unknown command ${JSON.stringify(rest[0])}${suggestion(rest[0], commandNames)}`);
      return 0;
    }
    if (!isCommand(first)) {
      const what = first.startsWith('-')
        ? `unknown flag ${first}${suggestion(first.replace(/^-+/, ''), ['help', 'version'], '--')}`
        : `unknown command ${JSON.stringify(first)}${suggestion(first, commandNames)}`;
      throw new UsageError(what);
    }
    // `slipway router code` prints the function for Terraform / CDK; `slipway router setup|status …` is --command.
    if (first === 'router' && rest[0] === 'code') {
      // Byte for byte what setup publishes (it ends with its own newline, which out() adds).
      io.out(ROUTER_FUNCTION_CODE.replace(/\n$/, ''));
      return 0;
    }
    if (first === 'router' && (rest[0] === 'setup' || rest[0] === 'status'))
      return await runCommand(io, first, ['--command', rest[0], ...rest.slice(1)]);
    return await runCommand(io, first, rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    for (const text of error.message.split('\n')) io.err(`slipway: ${text}`);
    io.err(
      error.command ? `Run 'slipway ${error.command} --help' for its flags and an example.` : "Run 'slipway --help' for the commands.",
    );
    return 2;
  }
}
