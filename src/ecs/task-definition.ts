// Task definitions: read from a file (JSON or YAML, plain or as `describe-task-definition`
// prints it), rendered with new images and environment, compared and diffed without the fields
// ECS adds on its own.
import type { ContainerDefinition, KeyValuePair, RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { parse as parseYaml } from 'yaml';

export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput;

/** What DescribeTaskDefinition returns that RegisterTaskDefinition does not take. */
const READ_ONLY = ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'deregisteredAt'] as const;

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
    throw new TaskDefinitionFileError(`is not valid ${name.endsWith('.json') ? 'JSON' : 'JSON or YAML'}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (data && typeof data === 'object' && 'taskDefinition' in data) data = data.taskDefinition;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new TaskDefinitionFileError('must hold a task definition object');
  const td = data as Record<string, unknown>;
  if (typeof td.family !== 'string' || td.family === '') throw new TaskDefinitionFileError("has no 'family'");
  const containers = td.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) throw new TaskDefinitionFileError("has no 'containerDefinitions'");
  for (const c of containers as unknown[]) {
    if (!c || typeof c !== 'object' || typeof (c as { name?: unknown }).name !== 'string') throw new TaskDefinitionFileError('has a container definition without a name');
  }
  return toRegisterInput(td);
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
  if (!found) throw new RenderError(`Input '${input}' names container '${name}', which the task definition does not have (it has: ${containerNames(td).join(', ')}).`);
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

const isEmpty = (v: unknown) => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Drops empty values, and the defaults ECS fills in for fields a file may leave out. */
function clean(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => clean(v)).filter((v) => !isEmpty(v));
    // Order does not matter in these lists; ECS may return them in another order.
    if (['environment', 'secrets', 'environmentFiles', 'ulimits', 'systemControls'].includes(key)) {
      return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
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
  return value;
}

/** The task definition as ECS would store it, for comparison: read-only fields and ECS defaults removed. */
export function normaliseTaskDefinition(td: TaskDefinitionInput | TaskDefinition): Record<string, unknown> {
  const copy = structuredClone<TaskDefinitionInput>(toRegisterInput(td));
  delete copy.tags;
  for (const c of copy.containerDefinitions ?? []) {
    if (c.essential === true) delete c.essential;
    if (c.cpu === 0) delete c.cpu;
    for (const p of c.portMappings ?? []) {
      if (p.protocol === 'tcp') delete p.protocol;
      if (p.hostPort === p.containerPort && (copy.networkMode === 'awsvpc' || copy.networkMode === undefined)) delete p.hostPort;
    }
  }
  return clean(copy) as Record<string, unknown>;
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
  return paths.filter((p) => a.get(p) !== b.get(p)).map((path) => ({ path, ...(a.has(path) ? { before: a.get(path) } : {}), ...(b.has(path) ? { after: b.get(path) } : {}) }));
}

/** Equal once read-only fields and ECS defaults are dropped, whatever the order of keys and of named list items. */
export const sameTaskDefinition = (a: TaskDefinitionInput | TaskDefinition, b: TaskDefinitionInput): boolean => diffTaskDefinitions(a, b).length === 0;

export const formatDiff = (lines: DiffLine[]): string[] =>
  lines.map((l) => (l.before === undefined ? `+ ${l.path}: ${l.after}` : l.after === undefined ? `- ${l.path}: ${l.before}` : `~ ${l.path}: ${l.before} → ${l.after}`));
