// The slipway command line: commands (one per action, flags = its action.yml inputs), help, version, exit
// codes. Results go to stdout (text, or one JSON object with --json), logs and progress to stderr.
// Exit codes: 0 done, 1 failed, 2 usage error (nothing was sent). cli/main.ts is the entry the bundle runs.
import { createS3Client } from '../../lib/aws/s3-client.js';
import { describeError } from '../../lib/aws/errors.js';
import { commandHelp, describeInputErrors, EXIT_CODES, generatedExample, parseCommandLine, suggestion, summaryOf, UsageError } from './args.js';
import { actionSpecs, type ActionName } from '../../generated/action-specs.js';
import { InputError, InputErrors } from '../../inputs/errors.js';
import type { RawInputs } from '../../inputs/reader.js';
import { deployStaticOutputs, deployStaticSummary } from '../../actions/deploy-static/report.js';
import { parseDeployStaticSettings } from '../../actions/deploy-static/settings.js';
import { createCloudFrontClient } from '../../lib/aws/cloudfront-client.js';
import { createEcsClients } from '../../lib/aws/ecs-clients.js';
import { deployToEcs, type EcsDeployResult } from '../../lib/ecs/deploy.js';
import { ecsDeployOutputs, ecsDeploySummary } from '../../actions/ecs-deploy/report.js';
import { parseEcsDeploySettings } from '../../actions/ecs-deploy/settings.js';
import { invalidate, type DistributionOutcome } from '../../lib/cloudfront/invalidations.js';
import { invalidateOutputs, invalidateSummary } from '../../actions/invalidate/report.js';
import { parseInvalidateSettings } from '../../actions/invalidate/settings.js';
import { terminalLogger, type Logger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/util/clock.js';
import { syncSite } from '../../lib/s3-sync/sync.js';
import { runContextFrom } from '../../lib/github/event.js';
import { prPreviewOutputs, prPreviewSummary } from '../../actions/pr-preview/report.js';
import { createPrPreviewClients, runPrPreview, type PrPreviewOutcome } from '../../actions/pr-preview/run.js';
import { parsePrPreviewSettings } from '../../actions/pr-preview/settings.js';
import { ROUTER_FUNCTION_CODE } from '../../generated/router-function.js';
import { deployWithRouter } from '../../lib/router/routed-deploy.js';
import { deployRelease } from '../../lib/releases/deploy.js';
import { releaseOutputs, releaseSummary } from '../../actions/deploy-static/release-report.js';
import { parseReleaseSettings } from '../../actions/release/settings.js';
import { runReleaseCommand } from '../../actions/release/command.js';
import { routedSummary } from '../../actions/deploy-static/router-report.js';
import { routerOutputs, routerSummary, type RouterOutcome } from '../../actions/router/report.js';
import { parseRouterSettings } from '../../actions/router/settings.js';
import { routerStatus, setupRouter } from '../../lib/router/setup.js';
import { createKvsClient } from '../../lib/router/store.js';
import { SyncFailed } from '../../lib/s3-sync/sync.js';
import { PartialFailure } from '../../lib/util/partial-failure.js';

/** What a command hands back to print: the job summary's text and the action's outputs. */
interface CommandResult {
  summary: string;
  outputs: Record<string, string>;
}

/** A command that failed after doing part of its work: the error, and the result to report anyway. */
class CommandFailed extends Error {
  constructor(
    readonly result: CommandResult,
    options: { cause: unknown },
  ) {
    super(describeError(options.cause), options);
  }
}

interface Command {
  run(inputs: RawInputs, log: Logger): Promise<CommandResult>;
  examples: string[];
}

/** Runs `work`; a failure that carries a partial result becomes a CommandFailed with that result. */
async function reporting<T>(work: Promise<T>, report: (value: T) => CommandResult, partial: (error: unknown) => T | undefined): Promise<CommandResult> {
  try {
    return report(await work);
  } catch (error) {
    const value = partial(error);
    throw value === undefined ? error : new CommandFailed(report(value), { cause: error });
  }
}

/**
 * One command per action that has a runner here; its flags, help and errors come from the action's spec. An
 * action without an entry is simply not a command (yet).
 */
const COMMANDS: Partial<Record<ActionName, Command>> = {
  'deploy-static': {
    run: async (inputs, log) => {
      const settings = parseDeployStaticSettings(inputs);
      const client = createS3Client(settings.aws);
      const deps = { s3: client, kvs: createKvsClient(), cloudfront: createCloudFrontClient(), log };
      if (settings.mode === 'releases' && settings.routing) {
        const released = await deployRelease(settings, settings.routing, deps, settings.owner ? { run: settings.owner } : {});
        return { summary: releaseSummary(settings.routing.site, released), outputs: releaseOutputs(released) };
      }
      return reporting(
        deployWithRouter(settings, settings.routing, deps, () => syncSite(settings, { client, log })),
        ({ sync, routed }) => ({ summary: deployStaticSummary(settings, sync) + routedSummary(settings.routing, routed), outputs: deployStaticOutputs(sync) }),
        (error) => (error instanceof SyncFailed ? { sync: error.result, routed: undefined } : undefined),
      );
    },
    examples: [
      'slipway deploy-static --source dist --bucket my-site-staging --dry-run',
      "slipway deploy-static --source dist --bucket my-site --prefix web --cache-control '*.png=public, max-age=86400'",
    ],
  },
  invalidate: {
    run: (inputs, log) => {
      const settings = parseInvalidateSettings(inputs);
      return reporting(
        invalidate(settings, { client: createCloudFrontClient(), log, clock: systemClock }),
        (outcomes) => ({ summary: invalidateSummary(settings, outcomes), outputs: invalidateOutputs(settings, outcomes) }),
        (error) => (error instanceof PartialFailure ? (error.result as DistributionOutcome[]) : undefined),
      );
    },
    examples: ["slipway invalidate --distribution-id E2QWRUHAPOMQZL --paths /index.html --paths '/assets/*'"],
  },
  'ecs-deploy': {
    run: (inputs, log) => {
      const settings = parseEcsDeploySettings(inputs);
      return reporting(
        deployToEcs(settings, { clients: createEcsClients(), clock: systemClock, log }),
        (result) => ({ summary: ecsDeploySummary(settings, result), outputs: ecsDeployOutputs(result) }),
        (error) => (error instanceof PartialFailure ? (error.result as EcsDeployResult) : undefined),
      );
    },
    examples: ['slipway ecs-deploy --cluster staging --service api --container-name api --image api:1.4.2 --dry-run'],
  },
  'pr-preview': {
    run: (inputs, log) => {
      // As gh does: the token from the environment when no flag gives one.
      const raw: RawInputs = (name) => inputs(name) ?? (name === 'github-token' ? (process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN) : undefined);
      const settings = parsePrPreviewSettings(raw, runContextFrom(process.env));
      return reporting(
        runPrPreview(settings, createPrPreviewClients(settings), log),
        (outcome) => ({ summary: prPreviewSummary(settings, outcome), outputs: prPreviewOutputs(settings, outcome) }),
        (error) => (error instanceof PartialFailure ? (error.result as PrPreviewOutcome) : undefined),
      );
    },
    examples: ['GITHUB_REPOSITORY=acme/web GITHUB_TOKEN=$(gh auth token) slipway pr-preview --command sweep --domain preview.example.com --bucket example-previews --distribution-id E2QWRUHAPOMQZL --dry-run'],
  },
  router: {
    run: async (inputs, log) => {
      const settings = parseRouterSettings(inputs);
      const deps = { cloudfront: createCloudFrontClient(), kvs: createKvsClient(), log, clock: systemClock };
      const outcome: RouterOutcome = settings.command === 'setup' ? { command: 'setup', result: await setupRouter(settings, deps) } : { command: 'status', result: await routerStatus(settings, deps) };
      return { summary: routerSummary(settings, outcome), outputs: routerOutputs(outcome) };
    },
    examples: [
      'slipway router --command setup --distribution-id E2QWRUHAPOMQZL --hosts www.example.com=production',
      'slipway router status',
      'slipway router code > router.js   # the function, for Terraform or CDK',
    ],
  },
  release: {
    run: async (inputs, log) => {
      const settings = parseReleaseSettings(inputs);
      return runReleaseCommand(settings, { s3: createS3Client(settings.aws), kvs: createKvsClient(), cloudfront: createCloudFrontClient(), log });
    },
    examples: ['slipway release --bucket example-web --router web-router --site web', 'slipway release --command rollback --bucket example-web --router web-router --site web'],
  },
};

const commandNames = (Object.keys(actionSpecs) as ActionName[]).filter((name) => COMMANDS[name] !== undefined);
const isCommand = (name: string | undefined): name is ActionName => commandNames.some((c) => c === name);
const examplesOf = (command: ActionName): string[] => COMMANDS[command]?.examples ?? [generatedExample(command)];

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

/** Output values that are JSON (counts, path lists) as JSON, the rest as strings. */
function typedOutputs(outputs: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, value]) => {
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

function printResult(io: Io, command: ActionName, json: boolean, result: CommandResult | undefined, error?: string): void {
  if (json) {
    io.out(JSON.stringify({ command, ok: error === undefined, ...(error === undefined ? {} : { error }), outputs: typedOutputs(result?.outputs ?? {}) }));
    return;
  }
  if (!result) return;
  io.out(`\n${result.summary}`);
  for (const [name, value] of Object.entries(result.outputs)) io.out(`${name}=${value}`);
}

function warnOnOldNode(io: Io): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MINIMUM_NODE) return;
  // One line of ours instead of the AWS SDK's seven-line NodeVersionSupportWarning on every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  io.err(`warning: Node ${process.versions.node} is not supported (end of life); slipway supports Node ${MINIMUM_NODE} and later. Continuing.`);
}

async function runCommand(io: Io, command: ActionName, argv: readonly string[]): Promise<number> {
  const line = parseCommandLine(command, argv);
  if (line.help) {
    io.out(commandHelp(command, examplesOf(command)));
    return 0;
  }
  warnOnOldNode(io);
  try {
    const result = await COMMANDS[command]!.run(line.inputs, terminalLogger({ verbose: line.verbose }));
    printResult(io, command, line.json, result);
    return 0;
  } catch (error) {
    if (error instanceof InputError || error instanceof InputErrors) {
      // Found before any request: a usage error, in the words of the command line.
      throw new UsageError(describeInputErrors(command, error), command);
    }
    const message = describeError(error);
    printResult(io, command, line.json, error instanceof CommandFailed ? error.result : undefined, message);
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
      const what = first.startsWith('-') ? `unknown flag ${first}${suggestion(first.replace(/^-+/, ''), ['help', 'version'], '--')}` : `unknown command ${JSON.stringify(first)}${suggestion(first, commandNames)}`;
      throw new UsageError(what);
    }
    // `slipway router code` prints the function for Terraform / CDK; `slipway router setup|status …` is --command.
    if (first === 'router' && rest[0] === 'code') {
      // Byte for byte what setup publishes (it ends with its own newline, which out() adds).
      io.out(ROUTER_FUNCTION_CODE.replace(/\n$/, ''));
      return 0;
    }
    if (first === 'router' && (rest[0] === 'setup' || rest[0] === 'status')) return await runCommand(io, first, ['--command', rest[0], ...rest.slice(1)]);
    return await runCommand(io, first, rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    for (const text of error.message.split('\n')) io.err(`slipway: ${text}`);
    io.err(error.command ? `Run 'slipway ${error.command} --help' for its flags and an example.` : "Run 'slipway --help' for the commands.");
    return 2;
  }
}
