// Task definitions: read from a file (JSON or YAML, plain or as `describe-task-definition`
// prints it), rendered with new images and environment, compared and diffed without the fields
// ECS adds on its own.
import type { ContainerDefinition, KeyValuePair, RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { parse as parseYaml } from 'yaml';

export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput;

/** What DescribeTaskDefinition returns that RegisterTaskDefinition does not take. */
const READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

export function toRegisterInput(definition: TaskDefinition | Record<string, unknown>): TaskDefinitionInput {
  const copy: Record<string, unknown> = { ...definition };
  for (const key of READ_ONLY) delete copy[key];
  return copy as unknown as TaskDefinitionInput;
}

export class TaskDefinitionFileError extends Error {}

/** Parses a task definition file's text: JSON or YAML; `{ taskDefinition: … }` is unwrapped. */
export function parseTaskDefinition(text: string, name: string): TaskDefinitionInput {
  let data: unknown;
  try {
    data = name.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new TaskDefinitionFileError(
      `is not valid ${name.endsWith('.json') ? 'JSON' : 'JSON or YAML'}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  // describe-task-definition output: { taskDefinition, tags } (tags only with --include TAGS).
  if (data && typeof data === 'object' && 'taskDefinition' in data) {
    const wrapper = data as { taskDefinition: unknown; tags?: unknown };
    data =
      Array.isArray(wrapper.tags) && wrapper.tags.length > 0 && wrapper.taskDefinition && typeof wrapper.taskDefinition === 'object'
        ? { ...wrapper.taskDefinition, tags: wrapper.tags }
        : wrapper.taskDefinition;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new TaskDefinitionFileError('must hold a task definition object');
  const td = data as Record<string, unknown>;
  if (typeof td.family !== 'string' || td.family === '') throw new TaskDefinitionFileError("has no 'family'");
  const containers = td.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) throw new TaskDefinitionFileError("has no 'containerDefinitions'");
  for (const c of containers as unknown[]) {
    if (!c || typeof c !== 'object' || typeof (c as { name?: unknown }).name !== 'string')
      throw new TaskDefinitionFileError('has a container definition without a name');
  }
  return asRegistrable(toRegisterInput(td));
}

/** Task cpu and memory are strings in the API, environment values too; a YAML file may give numbers. */
function asRegistrable(td: TaskDefinitionInput): TaskDefinitionInput {
  const raw = td as unknown as Record<string, unknown>;
  if (typeof raw.cpu === 'number') raw.cpu = String(raw.cpu);
  if (typeof raw.memory === 'number') raw.memory = String(raw.memory);
  for (const c of td.containerDefinitions ?? [])
    for (const e of c.environment ?? []) if (e.value !== undefined && typeof e.value !== 'string') e.value = text(e.value);
  return td;
}

export interface RenderChanges {
  /** Container name → image. */
  images: Record<string, string>;
  /** Upserted into `environmentContainer`'s environment. */
  environment: Record<string, string>;
  environmentContainer?: string;
}

export class RenderError extends Error {}

export const containerNames = (td: TaskDefinitionInput): string[] => (td.containerDefinitions ?? []).map((c) => c.name ?? '');

function container(td: TaskDefinitionInput, name: string, input: string): ContainerDefinition {
  const found = td.containerDefinitions?.find((c) => c.name === name);
  if (!found)
    throw new RenderError(
      `Input '${input}' names container '${name}', which the task definition does not have (it has: ${containerNames(td).join(', ')}).`,
    );
  return found;
}

/** A new task definition with the images and environment applied; the input is not changed. */
export function renderTaskDefinition(base: TaskDefinitionInput, changes: RenderChanges): TaskDefinitionInput {
  const td = structuredClone(base);
  for (const [name, image] of Object.entries(changes.images)) container(td, name, 'images').image = image;
  if (Object.keys(changes.environment).length > 0) {
    const c = container(td, changes.environmentContainer ?? '', 'container-name');
    const env: KeyValuePair[] = [...(c.environment ?? [])];
    for (const [name, value] of Object.entries(changes.environment)) {
      const existing = env.find((e) => e.name === name);
      if (existing) existing.value = value;
      else env.push({ name, value });
    }
    c.environment = env;
  }
  return td;
}

const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Lists whose order ECS does not keep or does not care about. */
const UNORDERED = ['environment', 'secrets', 'environmentFiles', 'ulimits', 'systemControls', 'tags', 'requiresCompatibilities'];

/** Fields ECS types as integers: a file may write them as strings ("8080"), which mean the same. */
const NUMERIC = new Set([
  'cpu',
  'memory',
  'memoryReservation',
  'containerPort',
  'hostPort',
  'interval',
  'timeout',
  'retries',
  'startPeriod',
  'startTimeout',
  'stopTimeout',
  'softLimit',
  'hardLimit',
  'sharedMemorySize',
  'swappiness',
  'maxSwap',
  'sizeInGiB',
]);

/** Drops empty values; integers written as strings compare as the integers they are. */
function clean(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => clean(v)).filter((v) => !isEmpty(v));
    if (UNORDERED.includes(key)) return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return items;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v, k);
      if (!isEmpty(c)) out[k] = c;
    }
    return out;
  }
  if (NUMERIC.has(key) && typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  return value;
}

/** "1 vCPU" → "1024" CPU units, as ECS stores task-level cpu (RegisterTaskDefinition: "1 vCPU or 1 vcpu"). */
export function cpuUnits(v: unknown): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$/i.exec(String(v));
  return m ? String(Math.round(Number(m[1]) * 1024)) : String(v).trim();
}

/** "1 GB" / "1GB" → "1024" MiB, as ECS stores task-level memory. */
export function memoryMiB(v: unknown): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*gb\s*$/i.exec(String(v));
  return m ? String(Math.round(Number(m[1]) * 1024)) : String(v).trim();
}

type Loose = Record<string, unknown>;

/** A scalar as text (objects as JSON, so they never equal a scalar). */
const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

/** Deletes `key` from `o` when it holds the value ECS would fill in for it. */
const dropDefault = (o: Loose | undefined, key: string, value: unknown) => {
  if (o && o[key] !== undefined && text(o[key]) === text(value)) delete o[key];
};

/**
 * The defaults ECS fills in when a field is left out, removed from both sides so a file that
 * leaves them out compares equal to what DescribeTaskDefinition returns (ECS API reference:
 * RegisterTaskDefinition, ContainerDefinition, HealthCheck, PortMapping, EFSVolumeConfiguration,
 * DockerVolumeConfiguration).
 */
function dropEcsDefaults(td: Loose): void {
  dropDefault(td, 'enableFaultInjection', false);
  dropDefault(td, 'networkMode', 'bridge');
  const awsvpc = td.networkMode === 'awsvpc' || td.networkMode === 'host';
  for (const c of (td.containerDefinitions ?? []) as Loose[]) {
    dropDefault(c, 'essential', true);
    dropDefault(c, 'cpu', 0);
    dropDefault(c, 'versionConsistency', 'enabled');
    for (const flag of ['readonlyRootFilesystem', 'privileged', 'interactive', 'pseudoTerminal', 'disableNetworking'])
      dropDefault(c, flag, false);
    for (const p of (c.portMappings ?? []) as Loose[]) {
      dropDefault(p, 'protocol', 'tcp');
      if (awsvpc && p.hostPort !== undefined && text(p.hostPort) === text(p.containerPort)) delete p.hostPort;
    }
    const hc = c.healthCheck as Loose | undefined;
    dropDefault(hc, 'interval', 30);
    dropDefault(hc, 'timeout', 5);
    dropDefault(hc, 'retries', 3);
    dropDefault(hc, 'startPeriod', 0);
  }
  for (const v of (td.volumes ?? []) as Loose[]) {
    const efs = v.efsVolumeConfiguration as Loose | undefined;
    dropDefault(efs, 'rootDirectory', '/');
    dropDefault(efs, 'transitEncryption', 'DISABLED');
    dropDefault(v.dockerVolumeConfiguration as Loose | undefined, 'scope', 'task');
  }
}

/** The task definition as ECS would store it, for comparison: read-only fields and ECS defaults removed, units and number forms made one. */
export function normaliseTaskDefinition(td: TaskDefinitionInput | TaskDefinition): Record<string, unknown> {
  const copy = structuredClone(toRegisterInput(td)) as unknown as Loose;
  if (copy.cpu !== undefined) copy.cpu = cpuUnits(copy.cpu);
  if (copy.memory !== undefined) copy.memory = memoryMiB(copy.memory);
  for (const c of (copy.containerDefinitions ?? []) as Loose[])
    for (const e of (c.environment ?? []) as Loose[]) if (e.value !== undefined) e.value = text(e.value);
  dropEcsDefaults(copy);
  const cleaned = clean(copy) as Loose;
  // Task-level cpu and memory are strings of units in ECS: keep them as such.
  if (copy.cpu !== undefined) cleaned.cpu = copy.cpu;
  if (copy.memory !== undefined) cleaned.memory = copy.memory;
  return cleaned;
}

/** Flattens to `path → JSON value`; containers, environment and secrets are keyed by name. */
function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    const named = value.every((v) => v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string');
    value.forEach((v, i) => flatten(v, `${path}[${named ? (v as { name: string }).name : i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, JSON.stringify(value));
  }
}

export interface DiffLine {
  path: string;
  before?: string;
  after?: string;
}

export function diffTaskDefinitions(before: TaskDefinitionInput | TaskDefinition | undefined, after: TaskDefinitionInput): DiffLine[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  if (before) flatten(normaliseTaskDefinition(before), '', a);
  flatten(normaliseTaskDefinition(after), '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => a.get(p) !== b.get(p))
    .map((path) => ({ path, ...(a.has(path) ? { before: a.get(path) } : {}), ...(b.has(path) ? { after: b.get(path) } : {}) }));
}

/** Equal once read-only fields and ECS defaults are dropped, whatever the order of keys and of named list items. */
export const sameTaskDefinition = (a: TaskDefinitionInput | TaskDefinition, b: TaskDefinitionInput): boolean =>
  diffTaskDefinitions(a, b).length === 0;

export const formatDiff = (lines: DiffLine[]): string[] =>
  lines.map((l) =>
    l.before === undefined
      ? `+ ${l.path}: ${l.after}`
      : l.after === undefined
        ? `- ${l.path}: ${l.before}`
        : `~ ${l.path}: ${l.before} → ${l.after}`,
  );
