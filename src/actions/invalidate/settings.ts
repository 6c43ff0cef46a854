// invalidate's inputs, parsed and validated into one typed settings object before any request.
import { collapsePaths, MAX_FILE_PATHS, normalisePaths } from '../../lib/cloudfront/invalidation-paths.js';
import type { InvalidationRequest } from '../../lib/cloudfront/invalidations.js';
import { InputCollector, InputError } from '../../inputs/errors.js';
import { parseBoolean, parseDuration, parseInteger, parseLines } from '../../inputs/parse.js';
import { parseDistributionIds } from '../../inputs/cloudfront.js';
import { InputReader, type ActionEnvironment, type RawInputs } from '../../inputs/reader.js';
import { actionSpecs } from '../../generated/action-specs.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface InvalidateSettings extends InvalidationRequest {
  /** The paths as given, normalised, before collapsing. */
  requestedPaths: string[];
  maxPaths: number;
  /** `paths` was given but empty (not even `[]`): often a mistyped output name. */
  pathsInputEmpty: boolean;
}

/** A multi-line list, or a JSON array of strings (deploy-static's changed-paths). */
export function parsePaths(raw: string): string[] {
  const form = 'must be paths, one per line or as a JSON array of strings, like /index.html or /assets/*';
  const trimmed = raw.trim();
  let paths: string[];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new InputError('paths', `${form}; this JSON does not parse`, raw);
    }
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new InputError('paths', form, raw);
    paths = parsed.map((p: string) => p.trim()).filter((p) => p !== '');
  } else {
    paths = parseLines(raw);
  }
  for (const p of paths) {
    if (/[\u0000-\u001f\u007f]/.test(p)) throw new InputError('paths', `${form}; control characters are not allowed`, p);
    if (p.slice(0, -1).includes('*')) throw new InputError('paths', `${form}; a * may only end a path`, p);
  }
  return paths;
}

/** The paths in a file (deploy-static's changed-paths-file): a JSON array or one per line. */
function readPathsFile(file: string, cwd: string): string[] {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new InputError(
      'paths-file',
      `must be a readable file of paths (a JSON array or one per line): ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      file,
    );
  }
  try {
    return parsePaths(text);
  } catch (error) {
    if (error instanceof InputError)
      throw new InputError(
        'paths-file',
        `must hold paths as a JSON array or one per line; ${error.expected.replace(/^must be paths, one per line or as a JSON array of strings, like \/index\.html or \/assets\/\*;? ?/, '')}`,
        file,
      );
    throw error;
  }
}

/**
 * The workflow step a run of invalidate is: the same across re-run attempts, different for every other
 * step (GITHUB_JOB is the job's id, GITHUB_ACTION the step's, or the runner's __<action> name for steps
 * without one). A command has none: two commands in one step are two requests.
 */
function stepIdentity(env: ActionEnvironment): InvalidateSettings['run'] {
  const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId, GITHUB_JOB: job, GITHUB_ACTION: step } = env.vars;
  return env.as === 'step' && repository && runId ? { repository, runId, job: job ?? '', step: step ?? '' } : undefined;
}

export function parseInvalidateSettings(raw: RawInputs, env: ActionEnvironment): InvalidateSettings {
  const { cwd } = env;
  const run = stepIdentity(env);
  const inputs = new InputReader('invalidate', raw);
  const c = new InputCollector();
  const distributionIds = c.field(() => parseDistributionIds('distribution-id', inputs.get('distribution-id')));
  // An explicitly empty list (`[]`, or changed-paths of a deploy that changed nothing) means nothing to do.
  const given = raw('paths');
  const pathsFile = inputs.optional('paths-file');
  const paths = c.field(() => {
    if (pathsFile !== undefined) {
      const spec = (actionSpecs.invalidate.inputs as Record<string, { default?: string }>).paths?.default;
      if (given !== undefined && given.trim() !== '' && given.trim() !== spec)
        throw new InputError('paths-file', "replaces 'paths': leave paths at its default when you give a paths-file", pathsFile);
      return readPathsFile(pathsFile, cwd);
    }
    return given !== undefined && given.trim() === '' ? [] : parsePaths(inputs.get('paths'));
  });
  const maxPaths = c.field(() => parseInteger('max-paths', inputs.get('max-paths'), 1, MAX_FILE_PATHS));
  const wait = c.field(() => parseBoolean('wait', inputs.get('wait')));
  const timeoutMs = c.field(() => {
    const ms = parseDuration('timeout', inputs.get('timeout'));
    if (ms < 1000) throw new InputError('timeout', 'must be a duration of at least 1s, such as 90s, 15m or 1h', inputs.get('timeout'));
    return ms;
  });
  const callerReference = c.field(() => {
    const ref = inputs.optional('caller-reference');
    if (ref !== undefined && !/^[\x21-\x7e]{1,128}$/.test(ref))
      throw new InputError('caller-reference', 'must be 1 to 128 printable ASCII characters without spaces', ref);
    return ref;
  });
  const v = c.done({ distributionIds, paths, maxPaths, wait, timeoutMs, callerReference });
  const requestedPaths = normalisePaths(v.paths);
  return {
    distributionIds: v.distributionIds,
    requestedPaths,
    paths: collapsePaths(requestedPaths, v.maxPaths),
    maxPaths: v.maxPaths,
    pathsInputEmpty: pathsFile === undefined && given !== undefined && given.trim() === '',
    wait: v.wait,
    timeoutMs: v.timeoutMs,
    ...(v.callerReference ? { callerReference: v.callerReference } : {}),
    ...(run ? { run } : {}),
  };
}
