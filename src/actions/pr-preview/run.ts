// The one entry the action and the CLI share: settings in, the command's outcome out.
import { Route53Client } from '@aws-sdk/client-route-53';
import { createCloudFrontClient } from '../../lib/aws/cloudfront-client.js';
import { createS3Client } from '../../lib/aws/s3-client.js';
import { createGitHubClient } from '../../lib/github/client.js';
import type { Logger } from '../../lib/log/logger.js';
import { cleanupPreview, deployPreview, sweepPreviews, type CleanupOutcome, type DeployOutcome, type PreviewFailed, type SweepOutcome } from '../../lib/preview/preview.js';
import { openPreview, type PreviewClients } from '../../lib/preview/strategies/index.js';
import { systemClock } from '../../lib/util/clock.js';
import type { PrPreviewSettings } from './settings.js';

export type PrPreviewOutcome =
  | { command: 'deploy'; deploy: DeployOutcome }
  | { command: 'cleanup'; cleanup: CleanupOutcome }
  | { command: 'sweep'; sweep: SweepOutcome };

/** What a failed command did before it failed, for the outputs and the summary. */
export function failedOutcome(command: PrPreviewSettings['command'], error: PreviewFailed): PrPreviewOutcome {
  switch (command) {
    case 'deploy':
      return { command, deploy: error.outcome };
    case 'cleanup':
      return { command, cleanup: error.outcome as CleanupOutcome };
    case 'sweep':
      return { command, sweep: error.outcome as SweepOutcome };
  }
}

export type PrPreviewClients = PreviewClients;

export function createPrPreviewClients(settings: PrPreviewSettings): PrPreviewClients {
  return {
    s3: createS3Client({ concurrency: settings.concurrency }),
    cloudfront: createCloudFrontClient(),
    route53: new Route53Client({ region: 'us-east-1', maxAttempts: 8 }),
    github: createGitHubClient(settings.githubToken),
    clock: systemClock,
  };
}

/** The settings are the request: its strategy opened over the clients, then the command. */
export async function runPrPreview(settings: PrPreviewSettings, clients: PrPreviewClients, log: Logger): Promise<PrPreviewOutcome> {
  const deps = await openPreview(settings, clients, log);
  switch (settings.command) {
    case 'deploy':
      return { command: 'deploy', deploy: await deployPreview(settings, deps) };
    case 'cleanup':
      return { command: 'cleanup', cleanup: await cleanupPreview(settings, deps) };
    case 'sweep':
      return { command: 'sweep', sweep: await sweepPreviews(settings, deps) };
  }
}
