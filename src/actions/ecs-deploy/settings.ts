// ecs-deploy's inputs, parsed and validated into one typed settings object before any request.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CommandSyntaxError, splitCommand } from '../../lib/ecs/command.js';
import type { EcsDeployRequest } from '../../lib/ecs/deploy.js';
import { parseTaskDefinition, TaskDefinitionFileError } from '../../lib/ecs/task-definition.js';
import { InputCollector, InputError } from '../../inputs/errors.js';
import { parseBoolean, parseDuration, parseEndpoint, parseInteger, parseLines } from '../../inputs/parse.js';
import { InputReader, type ActionEnvironment, type RawInputs } from '../../inputs/reader.js';

export type EcsDeploySettings = EcsDeployRequest;

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:(cluster|service)\/[A-Za-z0-9_/-]+$/;
/** registry/repository[:tag][@digest], no spaces. */
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

const parseName = (input: string, raw: string, what: string) => {
  const v = raw.trim();
  if (!NAME.test(v) && !ARN.test(v)) throw new InputError(input, `must be ${what} name (letters, digits, - and _, up to 255) or ARN`, raw);
  return v;
};

const parseImage = (input: string, raw: string) => {
  const v = raw.trim();
  if (!IMAGE.test(v))
    throw new InputError(
      input,
      'must be an image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2 or api@sha256:…',
      raw,
    );
  return v;
};

/** Multi-line NAME=VALUE; the first `=` separates, so values may contain `=`. */
function parsePairs(
  input: string,
  raw: string,
  form: string,
  checkKey: (k: string) => boolean,
  checkValue: (v: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of parseLines(raw)) {
    const eq = line.indexOf('=');
    const key = line.slice(0, eq).trim();
    if (eq <= 0 || !checkKey(key)) throw new InputError(input, form, line);
    out[key] = checkValue(line.slice(eq + 1).trim());
  }
  return out;
}

export function parseEcsDeploySettings(raw: RawInputs, { cwd }: ActionEnvironment): EcsDeploySettings {
  const inputs = new InputReader('ecs-deploy', raw);
  const c = new InputCollector();
  const cluster = c.field(() => parseName('cluster', inputs.required('cluster', 'the ECS cluster name or ARN'), 'a cluster'));
  const services = c.field(() => {
    const list = parseLines(inputs.required('service', 'one or more ECS service names, one per line')).map((s) =>
      parseName('service', s, 'a service'),
    );
    return [...new Set(list)];
  });
  const taskDefinition = c.field(() => {
    const path = inputs.optional('task-definition');
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(resolve(cwd, path), 'utf8');
    } catch (error) {
      throw new InputError(
        'task-definition',
        `must be a readable task definition file (JSON or YAML): ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
        path,
      );
    }
    try {
      return parseTaskDefinition(text, path);
    } catch (error) {
      if (error instanceof TaskDefinitionFileError)
        throw new InputError(
          'task-definition',
          `must be a task definition file (JSON or YAML) with family and containerDefinitions; this one ${error.message}`,
          path,
        );
      throw error;
    }
  });
  const containerName = c.field(() => {
    const v = inputs.optional('container-name');
    if (v !== undefined && !NAME.test(v)) throw new InputError('container-name', 'must be a container name (letters, digits, - and _)', v);
    return v;
  });
  const image = c.field(() => {
    const v = inputs.optional('image');
    return v === undefined ? undefined : parseImage('image', v);
  });
  const images = c.field(() =>
    parsePairs(
      'images',
      inputs.get('images'),
      'must hold container=image lines',
      (k) => NAME.test(k),
      (v) => parseImage('images', v),
    ),
  );
  const environment = c.field(() =>
    parsePairs(
      'environment',
      inputs.get('environment'),
      'must hold KEY=VALUE lines with KEY made of letters, digits and _',
      (k) => ENV_KEY.test(k),
      (v) => v,
    ),
  );
  const promoteFrom = c.field(() => {
    const v = inputs.optional('promote-from');
    if (v === undefined) return undefined;
    const m = /^([A-Za-z0-9_-]{1,255})\/([A-Za-z0-9_-]{1,255})$/.exec(v);
    if (!m) throw new InputError('promote-from', 'must be cluster/service, such as staging/api', v);
    return { cluster: m[1]!, service: m[2]! };
  });
  const migrate = c.field(() => {
    const line = inputs.optional('migrate-command');
    if (line === undefined) return undefined;
    let command: string[];
    try {
      command = splitCommand(line);
    } catch (error) {
      if (error instanceof CommandSyntaxError)
        throw new InputError('migrate-command', `must be a command line with balanced quotes; this one ${error.message}`, line);
      throw error;
    }
    if (command.length === 0) throw new InputError('migrate-command', 'must be a command line such as: npm run migrate', line);
    const container = inputs.optional('migrate-container');
    if (container !== undefined && !NAME.test(container)) throw new InputError('migrate-container', 'must be a container name', container);
    return { command, ...(container ? { container } : containerName.value ? { container: containerName.value } : {}) };
  });
  const wait = c.field(() => parseBoolean('wait', inputs.get('wait')));
  const timeoutMs = c.field(() => {
    const ms = parseDuration('timeout', inputs.get('timeout'));
    if (ms < 1000) throw new InputError('timeout', 'must be a duration of at least 1s, such as 90s, 15m or 1h', inputs.get('timeout'));
    return ms;
  });
  const waitUntil = c.field(() => {
    const v = inputs.get('wait-until').trim();
    if (v !== 'completed' && v !== 'traffic-shifted') throw new InputError('wait-until', 'must be completed or traffic-shifted', v);
    return v;
  });
  const rollback = c.field(() => parseBoolean('rollback', inputs.get('rollback')));
  const healthCheckUrl = c.field(() => {
    const v = inputs.optional('health-check-url');
    return v === undefined ? undefined : parseEndpoint('health-check-url', v);
  });
  const testUrl = c.field(() => {
    const v = inputs.optional('test-url');
    return v === undefined ? undefined : parseEndpoint('test-url', v);
  });
  const forceNewDeployment = c.field(() => parseBoolean('force-new-deployment', inputs.get('force-new-deployment')));
  const desiredCount = c.field(() => {
    const v = inputs.optional('desired-count');
    return v === undefined ? undefined : parseInteger('desired-count', v, 0, 5000);
  });
  const dryRun = c.field(() => parseBoolean('dry-run', inputs.get('dry-run')));
  const given = { image: image.value, images: Object.keys(images.value ?? {}).length > 0, promoteFrom: promoteFrom.value };
  if (given.promoteFrom && (given.image || given.images))
    c.add(new InputError('promote-from', "takes the images from the other service: leave 'image' and 'images' empty"));
  if (given.image && given.images) c.add(new InputError('image', "and 'images' cannot both be given: use 'images' for several containers"));
  // container-name with nothing to put into it is almost always an empty expression, like image: ${{ needs.build.outputs.imag }}.
  const nothingToDeploy =
    !given.image &&
    !given.images &&
    !given.promoteFrom &&
    Object.keys(environment.value ?? {}).length === 0 &&
    !taskDefinition.value &&
    !forceNewDeployment.value &&
    desiredCount.value === undefined;
  if (containerName.value && nothingToDeploy) {
    c.add(
      new InputError(
        'image',
        `is empty: give the image for container '${containerName.value}' (or images, promote-from, environment, a task-definition file, or force-new-deployment)`,
      ),
    );
  }
  const v = c.done({
    cluster,
    services,
    taskDefinition,
    containerName,
    image,
    images,
    environment,
    promoteFrom,
    migrate,
    wait,
    waitUntil,
    timeoutMs,
    rollback,
    healthCheckUrl,
    testUrl,
    forceNewDeployment,
    desiredCount,
    dryRun,
  });
  return {
    cluster: v.cluster,
    services: v.services,
    ...(v.taskDefinition ? { taskDefinition: v.taskDefinition } : {}),
    ...(v.containerName ? { containerName: v.containerName } : {}),
    ...(v.image ? { image: v.image } : {}),
    images: v.images,
    environment: v.environment,
    ...(v.promoteFrom ? { promoteFrom: v.promoteFrom } : {}),
    ...(v.migrate ? { migrate: v.migrate } : {}),
    wait: v.wait,
    waitUntil: v.waitUntil,
    timeoutMs: v.timeoutMs,
    rollback: v.rollback,
    ...(v.healthCheckUrl ? { healthCheckUrl: v.healthCheckUrl } : {}),
    ...(v.testUrl ? { testUrl: v.testUrl } : {}),
    forceNewDeployment: v.forceNewDeployment,
    ...(v.desiredCount !== undefined ? { desiredCount: v.desiredCount } : {}),
    dryRun: v.dryRun,
  };
}
