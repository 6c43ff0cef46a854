// Before changing anything: the timeout must cover what ECS is configured to wait through, and no
// other deployment may be in flight.
import type { Service } from '@aws-sdk/client-ecs';
import { InputError, InputErrors } from '../../inputs/errors.js';
import type { Logger } from '../log/logger.js';
import { formatDuration } from '../util/clock.js';
import { waitFor } from '../util/wait.js';
import type { EcsDeployRequest } from './deploy.js';
import type { DeployRun } from './progress.js';
import { consoleLink, continueCommand, describeStrategy, requiredWaitMs, type Strategy } from './service-deployment.js';

/** The timeout must cover the bakes and steps ECS is configured to wait through: say so before changing anything. */
export function checkTimeoutCovers(request: EcsDeployRequest, strategies: Map<string, Strategy>): void {
  if (!request.wait) return;
  const waitUntil = request.waitUntil ?? 'completed';
  const errors: InputError[] = [];
  for (const [service, s] of strategies) {
    const needed = requiredWaitMs(s, waitUntil);
    if (needed > 0 && request.timeoutMs <= needed) {
      const hint =
        waitUntil === 'completed' && s.bakeMinutes > 0
          ? `, or wait-until: traffic-shifted to stop waiting when the final ${s.bakeMinutes} min bake begins`
          : '';
      errors.push(
        new InputError(
          'timeout',
          `must be longer than the ${formatDuration(needed)} of bake time and steps service ${service} is configured for (${describeStrategy(s)}): give more, such as ${Math.ceil(needed / 60_000) + 10}m${hint}`,
          formatDuration(request.timeoutMs),
        ),
      );
    }
  }
  if (errors.length > 0) throw new InputErrors(errors);
}

/** A dry run tells what the real run would refuse. */
export function warnIfTimeoutShort(request: EcsDeployRequest, strategies: Map<string, Strategy>, log: Logger): void {
  try {
    checkTimeoutCovers(request, strategies);
  } catch (error) {
    if (!(error instanceof InputErrors)) throw error;
    log.warning(`The real run would stop here: ${error.message}`);
  }
}

/** Never supersede a deployment in flight: wait for it (within the timeout), or fail naming it. */
export async function waitForOtherDeployments(run: DeployRun): Promise<void> {
  for (const s of run.services) await waitForDeploymentInFlight(run, s);
}

async function waitForDeploymentInFlight(run: DeployRun, s: Service): Promise<void> {
  const { request, deps, api } = run;
  let what = '';
  const refuse = (why: string) =>
    new Error(
      `Service ${s.serviceName} has another deployment in flight, ${what}, which ${why}. Nothing was changed; see ${consoleLink(s.serviceArn ?? '')}`,
    );
  const clear = await waitFor({
    clock: deps.clock,
    every: 10_000,
    deadline: run.deadline,
    last: 'at-deadline',
    check: async () => {
      const other = (await api.inFlight(request.cluster, s.serviceName!))?.[0];
      if (!other) return true;
      what = `${other.serviceDeploymentArn ?? '?'} (${other.status ?? '?'}, started ${other.startedAt?.toISOString() ?? other.createdAt?.toISOString() ?? '?'})`;
      const [record] = (await api.describe([other.serviceDeploymentArn ?? ''])) ?? [];
      const hook = record?.lifecycleHookDetails?.find((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION');
      if (hook)
        throw refuse(
          `is paused at a PAUSE hook awaiting action (continue it with: ${continueCommand(other.serviceDeploymentArn ?? '', hook.hookId ?? '')}, or roll it back)`,
        );
      return undefined;
    },
    describe: () => deps.log.info(`${s.serviceName}: waiting for the deployment in flight, ${what}, to finish before starting ours`),
  });
  if (!clear) throw refuse(`did not finish within the timeout (${formatDuration(request.timeoutMs)})`);
}
