// slipway: the actions' library from a laptop. Flags are the actions' inputs; AWS credentials,
// region and endpoint come from the usual AWS environment variables and profiles.
import { createS3Client } from '../src/aws/s3-client.js';
import { describeError } from '../src/aws/errors.js';
import { parseFlags, usage } from '../src/cli/args.js';
import { deployStaticOutputs, deployStaticSummary } from '../src/deploy-static/report.js';
import { parseDeployStaticSettings } from '../src/deploy-static/settings.js';
import { createCloudFrontClient } from '../src/aws/cloudfront-client.js';
import { createEcsClients } from '../src/aws/ecs-clients.js';
import { deployToEcs, EcsDeployFailed } from '../src/ecs/deploy.js';
import { ecsDeployOutputs, ecsDeploySummary } from '../src/ecs-deploy/report.js';
import { parseEcsDeploySettings } from '../src/ecs-deploy/settings.js';
import { invalidate, InvalidationFailed } from '../src/cloudfront/invalidations.js';
import { invalidateOutputs, invalidateSummary } from '../src/invalidate/report.js';
import { parseInvalidateSettings } from '../src/invalidate/settings.js';
import { consoleLogger } from '../src/log/logger.js';
import { systemClock } from '../src/util/clock.js';
import { syncSite } from '../src/s3-sync/sync.js';
import { deployWithRouter } from '../src/router/deploy-static.js';
import { routedSummary } from '../src/router/report.js';
import { createKvsClient } from '../src/router/store.js';
import { ROUTER_FUNCTION_CODE } from '../src/generated/router-function.js';
import { routerOutputs, routerSummary, type RouterOutcome } from '../src/router/action-report.js';
import { parseRouterSettings } from '../src/router/settings.js';
import { routerStatus, setupRouter } from '../src/router/setup.js';
import { runContextFrom } from '../src/github/event.js';
import { PreviewFailed } from '../src/preview/preview.js';
import { prPreviewOutputs, prPreviewSummary } from '../src/pr-preview/report.js';
import { createPrPreviewClients, failedOutcome, runPrPreview, type PrPreviewOutcome } from '../src/pr-preview/run.js';
import { parsePrPreviewSettings } from '../src/pr-preview/settings.js';

const COMMANDS = {
  'deploy-static': async (argv: string[], verbose: boolean) => {
    const settings = parseDeployStaticSettings(parseFlags('deploy-static', argv));
    const client = createS3Client(settings.aws);
    const log = consoleLogger({ verbose });
    const { sync: result, routed } = await deployWithRouter(settings, settings.routing, { s3: client, kvs: createKvsClient(), cloudfront: createCloudFrontClient(), log }, () => syncSite(settings, { client, log }));
    console.log('');
    console.log(deployStaticSummary(settings, result) + routedSummary(settings.routing, routed));
    for (const [name, value] of Object.entries(deployStaticOutputs(result))) console.log(`${name}=${value}`);
  },
  invalidate: async (argv: string[], verbose: boolean) => {
    const settings = parseInvalidateSettings(parseFlags('invalidate', argv));
    const print = (outcomes: Parameters<typeof invalidateSummary>[1]) => {
      console.log('');
      console.log(invalidateSummary(settings, outcomes));
      for (const [name, value] of Object.entries(invalidateOutputs(settings, outcomes))) console.log(`${name}=${value}`);
    };
    try {
      print(await invalidate(settings, { client: createCloudFrontClient(), log: consoleLogger({ verbose }), clock: systemClock }));
    } catch (error) {
      if (error instanceof InvalidationFailed) print(error.outcomes);
      throw error;
    }
  },
  'ecs-deploy': async (argv: string[], verbose: boolean) => {
    const settings = parseEcsDeploySettings(parseFlags('ecs-deploy', argv));
    const print = (result: Parameters<typeof ecsDeploySummary>[1]) => {
      console.log('');
      console.log(ecsDeploySummary(settings, result));
      for (const [name, value] of Object.entries(ecsDeployOutputs(result))) console.log(`${name}=${value}`);
    };
    try {
      print(await deployToEcs(settings, { clients: createEcsClients(), clock: systemClock, log: consoleLogger({ verbose }) }));
    } catch (error) {
      if (error instanceof EcsDeployFailed) print(error.result);
      throw error;
    }
  },
  'pr-preview': async (argv: string[], verbose: boolean) => {
    const flags = parseFlags('pr-preview', argv);
    // As gh does: the token from the environment when no flag gives one.
    const raw = (name: string) => flags(name) ?? (name === 'github-token' ? (process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN) : undefined);
    const settings = parsePrPreviewSettings(raw, runContextFrom(process.env));
    const print = (outcome: PrPreviewOutcome) => {
      console.log('');
      console.log(prPreviewSummary(settings, outcome));
      for (const [name, value] of Object.entries(prPreviewOutputs(settings, outcome))) console.log(`${name}=${value}`);
    };
    try {
      print(await runPrPreview(settings, createPrPreviewClients(settings), consoleLogger({ verbose })));
    } catch (error) {
      if (error instanceof PreviewFailed) print(failedOutcome(settings.command, error));
      throw error;
    }
  },
  // `slipway router code` prints the function for Terraform / CDK; `slipway router setup|status …` runs the action.
  router: async (argv: string[], verbose: boolean) => {
    if (argv[0] === 'code') return void process.stdout.write(ROUTER_FUNCTION_CODE);
    const settings = parseRouterSettings(parseFlags('router', argv[0] === 'setup' || argv[0] === 'status' ? ['--command', argv[0], ...argv.slice(1)] : argv));
    const deps = { cloudfront: createCloudFrontClient(), kvs: createKvsClient(), log: consoleLogger({ verbose }), clock: systemClock };
    const outcome: RouterOutcome = settings.command === 'setup' ? { command: 'setup', result: await setupRouter(settings, deps) } : { command: 'status', result: await routerStatus(settings, deps) };
    console.log('');
    console.log(routerSummary(settings, outcome));
    for (const [name, value] of Object.entries(routerOutputs(outcome))) console.log(`${name}=${value}`);
  },
} as const;

type Command = keyof typeof COMMANDS;
const isCommand = (name: string | undefined): name is Command => name !== undefined && name in COMMANDS;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!isCommand(command)) {
    console.log(['usage: slipway <command> [flags]', '', 'commands:', ...Object.keys(COMMANDS).map((c) => `  ${c}`), '', "'slipway <command> --help' lists a command's flags."].join('\n'));
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(usage(command));
    return 0;
  }
  const verbose = rest.includes('--verbose');
  try {
    await COMMANDS[command](rest.filter((a) => a !== '--verbose'), verbose);
    return 0;
  } catch (error) {
    console.error(`error: ${describeError(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
