// The first steps: read the services (their strategies, their current revision), then render the
// new task definition and compare it with the current one. Nothing is changed yet.
import { DescribeTaskDefinitionCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsClients } from '../aws/ecs-clients.js';
import type { Logger } from '../log/logger.js';
import type { EcsDeployDeps, EcsDeployRequest, EcsDeployResult } from './deploy.js';
import { describeServices } from './diagnostics.js';
import type { DeployRun, ReadServices } from './progress.js';
import { promotedImages, type PromotedImage } from './promote.js';
import { consoleLink, describeStrategy, readStrategy, type ServiceDeploymentApi, type Strategy } from './service-deployment.js';
import {
  containerNames,
  diffTaskDefinitions,
  renderTaskDefinition,
  RenderError,
  sameTaskDefinition,
  toRegisterInput,
  type TaskDefinitionInput,
} from './task-definition.js';

/** The services, each on the ECS deployment controller, all on one task definition family unless a file gives the definition. */
export async function readServices(request: EcsDeployRequest, deps: EcsDeployDeps): Promise<ReadServices> {
  const services = await describeServices(deps.clients, request.cluster, request.services);
  const strategies = new Map<string, Strategy>();
  const previous = new Map<string, string>();
  for (const s of services) {
    const controller = s.deploymentController?.type ?? 'ECS';
    if (controller !== 'ECS')
      throw new Error(
        `Service ${s.serviceName} uses the ${controller} deployment controller; ecs-deploy drives ECS-controller deployments (rolling, blue/green, canary, linear) only.`,
      );
    const strategy = readStrategy(s);
    strategies.set(s.serviceName!, strategy);
    deps.log.info(`${s.serviceName}: ${describeStrategy(strategy)}`);
    previous.set(s.serviceName!, s.taskDefinition!);
  }
  if (!request.taskDefinition && new Set(services.map((s) => family(s.taskDefinition))).size > 1) {
    throw new Error(
      `The services run different task definition families (${services.map((s) => `${s.serviceName}: ${family(s.taskDefinition)}`).join(', ')}); give a task-definition file to roll one revision out to all of them.`,
    );
  }
  if (request.testUrl && request.wait && ![...strategies.values()].some((s) => s.pauseStages.length > 0)) {
    deps.log.warning(
      "Input 'test-url' is used while a PAUSE lifecycle hook awaits action, and no service has one: it will not be checked.",
    );
  }
  return { services, strategies, previous };
}

export interface Rendered {
  current: TaskDefinition;
  rendered: TaskDefinitionInput;
  /** The rendered definition equals the current one, and every service runs it. */
  unchanged: boolean;
  /** The result as it stands before anything changes. */
  result: EcsDeployResult;
}

/** The new task definition, compared with the current one; and the result it starts. */
export async function render(run: DeployRun): Promise<Rendered> {
  const { request, deps, services } = run;
  const { clients, log } = deps;
  const firstArn = services[0]!.taskDefinition!;
  const current = await describeTaskDefinition(clients, firstArn);
  const base = baseDefinition(request, current);
  const { images, promoted } = await collectImages(request, base, clients, run.api, log);
  const environmentContainer =
    Object.keys(request.environment).length > 0 ? targetContainer(base, request.containerName, "'environment'") : undefined;
  const rendered = renderTaskDefinition(base, {
    images,
    environment: request.environment,
    ...(environmentContainer ? { environmentContainer } : {}),
  });
  const diff = diffTaskDefinitions(current, rendered);
  const unchanged = sameTaskDefinition(current, rendered) && services.every((s) => s.taskDefinition === firstArn);
  const mainContainer = request.containerName ?? containerNames(rendered)[0]!;
  const result: EcsDeployResult = {
    status: 'unchanged',
    taskDefinitionArn: firstArn,
    previousTaskDefinitionArn: firstArn,
    deploymentIds: {},
    serviceDeploymentArns: {},
    strategies: Object.fromEntries([...run.strategies].map(([s, st]) => [s, describeStrategy(st)])),
    consoleLinks: Object.fromEntries(services.map((s) => [s.serviceName!, consoleLink(s.serviceArn ?? '')])),
    image: rendered.containerDefinitions?.find((c) => c.name === mainContainer)?.image ?? '',
    promoted,
    diff,
    timeline: [],
    ecsSaid: [],
    paused: [],
    diagnostics: [],
    migrationLog: [],
    dryRun: request.dryRun,
  };
  for (const p of promoted)
    log.info(`promote-from: ${p.container} runs ${p.image}${p.digest ? ` = ${p.digest}` : ''}; deploying ${p.deployed}`);
  log.info(
    unchanged
      ? 'The rendered task definition equals the current one.'
      : `Task definition changes:\n${diff.map((d) => `  ${d.path}: ${d.before ?? '(none)'} → ${d.after ?? '(removed)'}`).join('\n')}`,
  );
  return { current, rendered, unchanged, result };
}

/** The task definition with its tags (DescribeTaskDefinition returns tags only with include TAGS). */
async function describeTaskDefinition(clients: EcsClients, arn: string): Promise<TaskDefinition & { tags?: TaskDefinitionInput['tags'] }> {
  const response = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  if (!response.taskDefinition) throw new Error(`ECS returned no task definition for ${arn}`);
  return { ...response.taskDefinition, ...(response.tags?.length ? { tags: response.tags } : {}) };
}

const family = (arn: string | undefined) => arn?.split('/').pop()?.split(':')[0];

/** The service's current definition (tags carried over), or the file's, which keeps the current tags unless it names its own. */
function baseDefinition(request: EcsDeployRequest, current: TaskDefinition & { tags?: TaskDefinitionInput['tags'] }): TaskDefinitionInput {
  const file = request.taskDefinition;
  if (!file) return toRegisterInput(current);
  return current.tags?.length && !file.tags ? { ...file, tags: current.tags } : file;
}

/** Which container gets `image` and `environment`: the named one (which must exist), or the only one. */
export function targetContainer(td: TaskDefinitionInput, name: string | undefined, why: string): string {
  const names = containerNames(td);
  if (name) {
    if (!names.includes(name))
      throw new RenderError(
        `Input 'container-name' names container '${name}', which the task definition does not have (it has: ${names.join(', ')}).`,
      );
    return name;
  }
  if (names.length === 1) return names[0]!;
  throw new RenderError(
    `Input 'container-name' is required with ${why}: the task definition has ${names.length} containers (${names.join(', ')}).`,
  );
}

async function collectImages(
  request: EcsDeployRequest,
  base: TaskDefinitionInput,
  clients: EcsClients,
  api: ServiceDeploymentApi,
  log: Logger,
): Promise<{ images: Record<string, string>; promoted: PromotedImage[] }> {
  const images: Record<string, string> = {};
  const promoted = request.promoteFrom ? await promotedImages(request.promoteFrom, base, clients, api, log) : [];
  for (const p of promoted) images[p.container] = p.deployed;
  if (request.image) images[targetContainer(base, request.containerName, "'image'")] = request.image;
  Object.assign(images, request.images);
  return { images, promoted };
}
