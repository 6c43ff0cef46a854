// What the triggering event says about the pull request, read from GITHUB_EVENT_PATH. Only numbers,
// commit ids and the event's action are taken from it: nothing that a PR author can write.
import { readFileSync } from 'node:fs';
import { parseRepository, type Repo } from './client.js';

export interface RunContext {
  repo?: Repo;
  eventName: string;
  /** The event's `action` (opened, synchronize, closed, …). */
  action?: string;
  /** The pull request of a pull_request or pull_request_target event. */
  pullNumber?: number;
  /** Its head commit: what the build was made from (not GITHUB_SHA, the merge commit). */
  headSha?: string;
  /** Link to this run's log, for deployment statuses and the comment. */
  runUrl?: string;
  runId?: string;
  /** GITHUB_JOB and GITHUB_ACTION: which job and step of the run this is. */
  job?: string;
  step?: string;
  /** https://github.com, or the GitHub Enterprise server. */
  serverUrl: string;
}

interface EventPayload {
  action?: unknown;
  pull_request?: { number?: unknown; head?: { sha?: unknown } };
}

export function runContextFrom(env: NodeJS.ProcessEnv): RunContext {
  let payload: EventPayload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as EventPayload;
    } catch {
      payload = {};
    }
  }
  const pr = payload.pull_request;
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    ...(env.GITHUB_REPOSITORY ? { repo: parseRepository(env.GITHUB_REPOSITORY) } : {}),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    serverUrl: server,
    ...(typeof payload.action === 'string' ? { action: payload.action } : {}),
    ...(typeof pr?.number === 'number' ? { pullNumber: pr.number } : {}),
    ...(typeof pr?.head?.sha === 'string' ? { headSha: pr.head.sha } : {}),
    ...(env.GITHUB_JOB ? { job: env.GITHUB_JOB } : {}),
    ...(env.GITHUB_ACTION ? { step: env.GITHUB_ACTION } : {}),
    ...(env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? { runUrl: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`, runId: env.GITHUB_RUN_ID }
      : {}),
  };
}
