// What the steps of one ECS deploy share: the run, which they read, and its progress, which they
// update — the result the report shows, whether the deploy succeeds or fails part-way.
import type { Service, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsDeployDeps, EcsDeployRequest, EcsDeployResult, EcsDeployStatus } from './deploy.js';
import type { ServiceDeploymentApi, Strategy, WaitUntil } from './service-deployment.js';

/** The services as read, and each one's strategy and revision before the deploy. */
export interface ReadServices {
  services: Service[];
  strategies: Map<string, Strategy>;
  /** Each service's task definition before the deploy. */
  previous: Map<string, string>;
}

/** What every step reads; fixed once the services are read. */
export interface DeployRun extends ReadServices {
  request: EcsDeployRequest;
  deps: EcsDeployDeps;
  api: ServiceDeploymentApi;
  waitUntil: WaitUntil;
  /** When the deploy began, on the clock. */
  start: number;
  deadline: number;
}

/** What the steps did so far. */
export interface Progress {
  /** What the outputs and the summary show. */
  result: EcsDeployResult;
  /** The task definition the services move to: the registered one, else the current one. */
  definition: TaskDefinition | undefined;
  /** Services whose PAUSE hook this step answered ROLLBACK, with why. */
  hookRollbacks: Map<string, string>;
  /** Stopped tasks of the new revision, for the report. */
  stoppedTasks: Task[];
}

/** How a failed deploy ends: the message, and the status the result gives. */
export interface Failure {
  failure: string;
  status: EcsDeployStatus;
}

/** An event on the timeline (time since the start), and in the log. */
export function mark(run: DeployRun, progress: Progress, event: string): void {
  progress.result.timeline.push({ atMs: run.deps.clock.now() - run.start, event });
  run.deps.log.info(event);
}

/** The console pages of the services' deployments, for the end of a failure message. */
export function deploymentLinks(result: EcsDeployResult): string {
  const links = Object.values(result.consoleLinks).filter(Boolean);
  return Object.keys(result.serviceDeploymentArns).length > 0 && links.length > 0 ? ` Deployments: ${links.join(' ')}` : '';
}
