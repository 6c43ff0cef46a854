// slipway: the actions' library from a laptop. Flags are the actions' inputs; AWS credentials,
// region and endpoint come from the usual AWS environment variables and profiles.
import { createS3Client } from '../src/aws/s3-client.js';
import { describeError } from '../src/aws/errors.js';
import { parseFlags, usage } from '../src/cli/args.js';
import { deployStaticOutputs, deployStaticSummary } from '../src/deploy-static/report.js';
import { parseDeployStaticSettings } from '../src/deploy-static/settings.js';
import { consoleLogger } from '../src/log/logger.js';
import { syncSite } from '../src/s3-sync/sync.js';

const COMMANDS = {
  'deploy-static': async (argv: string[], verbose: boolean) => {
    const settings = parseDeployStaticSettings(parseFlags('deploy-static', argv));
    const result = await syncSite(settings, { client: createS3Client(settings.aws), log: consoleLogger({ verbose }) });
    console.log('');
    console.log(deployStaticSummary(settings, result));
    for (const [name, value] of Object.entries(deployStaticOutputs(result))) console.log(`${name}=${value}`);
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
