// rclone as a peer: `rclone sync --checksum` configured from environment variables against the
// bench's endpoint (no config file). rclone refuses a custom CA bundle on a plain-HTTP endpoint
// (LoadCustomCABundleError), so AWS_CA_BUNDLE is left out of its environment.
import { spawnSync } from 'node:child_process';

export const RCLONE_INSTALL = 'apt-get install rclone';
export const hasRclone = () => spawnSync('rclone', ['version']).status === 0;
export const RCLONE_FLAGS = ['--checksum', '--transfers', '16', '--checkers', '16', '--fast-list'];

/** The command, arguments and environment that make `bucket` mirror `dir` with rclone. */
export function rcloneSync(
  /** @type {string} */ dir,
  /** @type {string} */ bucket,
  /** @type {NodeJS.ProcessEnv} */ env,
  /** @type {string} */ endpoint,
) {
  const rest = { ...env };
  delete rest.AWS_CA_BUNDLE;
  return {
    command: 'rclone',
    args: ['sync', dir, `bench:${bucket}`, ...RCLONE_FLAGS],
    env: {
      ...rest,
      RCLONE_CONFIG_BENCH_TYPE: 's3',
      RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
      RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
      RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? 'testing',
      RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? 'testing',
      RCLONE_CONFIG_BENCH_REGION: env.AWS_REGION ?? 'us-east-1',
      RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
    },
  };
}
