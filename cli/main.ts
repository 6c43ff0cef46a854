// The entry of the slipway bundle (cli/dist/index.js, run by bin/slipway.js): the command line is in
// src/drivers/cli/main.ts; this only connects it to the process.
import pkg from '../package.json' with { type: 'json' };
import { main } from '../src/drivers/cli/main.js';

const line = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(`${text}\n`);

process.exitCode = await main(process.argv.slice(2), pkg.version, { out: line(process.stdout), err: line(process.stderr) });
