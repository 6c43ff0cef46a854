// Starts a private moto_server (the local AWS endpoint) on a free 127.0.0.1 port, for the tests,
// the demo and the benchmarks.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** The one command that installs moto_server (named in the README's quick start). */
export const MOTO_INSTALL = "python3 -m pip install 'moto[server]>=5,<6'";

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ env?: Record<string, string> }} [options]
 * @returns {Promise<{ endpoint: string, stop: () => Promise<void> }>}
 */
export async function startMoto(options = {}) {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  /** @type {Error | undefined} */
  let spawnError;
  child.on('error', (error) => {
    spawnError = error;
  });
  child.stderr?.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError) {
      const missing = /** @type {NodeJS.ErrnoException} */ (spawnError).code === 'ENOENT';
      throw new Error(
        missing
          ? `moto_server is not installed: it is the local AWS endpoint of the tests and of npm run demo. Install it with: ${MOTO_INSTALL}`
          : `moto_server could not be started: ${spawnError.message}`,
      );
    }
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}. Is moto installed? ${MOTO_INSTALL}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Environment that points the AWS SDK (and the AWS CLI) at a local endpoint with dummy credentials. */
export function awsEnvFor(/** @type {string} */ endpoint) {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
