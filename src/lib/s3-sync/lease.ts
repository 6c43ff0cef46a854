// One deploy at a time per bucket and prefix, whatever starts them (two workflows, the CLI beside CI):
// a lease object written with S3 conditional writes — If-None-Match: * to take it, If-Match on its
// ETag to renew it or to take over one that expired (S3 user guide, "Conditional writes"), and a
// conditional delete (If-Match on its ETag) to give it back.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorCode, httpStatus, isNotFound, isPreconditionFailed } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import { formatDuration, type Clock } from '../util/clock.js';
import { waitFor } from '../util/wait.js';
import { hostname } from 'node:os';
import { SLIPWAY_FOLDER } from './keys.js';

export const LEASE_KEY = `${SLIPWAY_FOLDER}lease.json`;

export interface LeaseOptions {
  /** How long a lease lasts unless renewed (a deploy that was killed frees the prefix after this). */
  ttlMs: number;
  /** How long to wait for another deploy's lease before giving up. */
  waitMs: number;
  pollMs: number;
}

export const DEFAULT_LEASE: LeaseOptions = { ttlMs: 10 * 60_000, waitMs: 10 * 60_000, pollMs: 5_000 };

interface LeaseRecord {
  owner: string;
  startedAt: string;
  expiresAt: string;
  /** The workflow run and job that holds it: a later attempt of the same job replaces it at once. */
  run?: string;
  /** The machine and process that hold it: a process that is gone there no longer holds anything. */
  host?: string;
  pid?: number;
}

/** Who asks for the lease. */
export interface LeaseHolder {
  owner: string;
  /** The workflow run and job (GitHub never runs two attempts of one job at once). */
  run?: string;
}

/** Is this process gone? Only answerable on the machine it ran on. */
function processGone(record: LeaseRecord): boolean {
  if (record.host !== hostname() || record.pid === undefined || record.pid === process.pid) return false;
  try {
    process.kill(record.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A lease its holder can no longer be using: expired, left by an earlier attempt of this very job, or by a process that is gone. */
function abandoned(record: LeaseRecord, holder: LeaseHolder, now: number): string | undefined {
  if (Date.parse(record.expiresAt) <= now) return `expired at ${record.expiresAt} (a deploy that was cut short)`;
  if (holder.run !== undefined && record.run === holder.run) return 'was left by an earlier attempt of this job';
  if (processGone(record)) return `was left by process ${record.pid} on this machine, which is gone`;
  return undefined;
}

/** Another deploy holds the prefix: who, since when, until when. */
export class LeaseHeld extends Error {
  constructor(where: string, record: LeaseRecord, waitedMs: number) {
    super(
      `Another deploy to ${where} is in progress: ${record.owner}, started ${record.startedAt}, holding it until ${record.expiresAt}. Waited ${formatDuration(waitedMs)}; nothing was changed. Run again once it has finished (or give the workflows one concurrency group).`,
    );
    this.name = 'LeaseHeld';
  }
}

const conflict = (error: unknown) => httpStatus(error) === 409 || errorCode(error) === 'ConditionalRequestConflict';

export class Lease {
  private etag = '';
  private renewal: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly record: LeaseRecord,
    private readonly options: LeaseOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Takes the lease of s3://bucket/prefix, waiting up to options.waitMs for another deploy's. */
  static async acquire(
    client: S3Client,
    bucket: string,
    prefix: string,
    holder: LeaseHolder | string,
    deps: { clock: Clock; log: Logger; options?: LeaseOptions },
  ): Promise<Lease> {
    const options = deps.options ?? DEFAULT_LEASE;
    const who: LeaseHolder = typeof holder === 'string' ? { owner: holder } : holder;
    const where = `s3://${bucket}/${prefix}`;
    const started = deps.clock.now();
    const record: LeaseRecord = {
      owner: who.owner,
      startedAt: new Date(started).toISOString(),
      expiresAt: '',
      ...(who.run ? { run: who.run } : {}),
      host: hostname(),
      pid: process.pid,
    };
    const lease = new Lease(client, bucket, prefix + LEASE_KEY, record, options, deps.clock, deps.log);
    // The other deploy's record while it holds the lease; undefined once the lease is ours.
    let held: LeaseRecord | undefined;
    let said = false;
    const taken = await waitFor({
      clock: deps.clock,
      every: options.pollMs,
      deadline: started + options.waitMs,
      check: async () => {
        held = await lease.take(who, where);
        return held === undefined ? true : undefined;
      },
      describe: () => {
        if (!said) deps.log.info(`Waiting for another deploy to ${where}: ${held!.owner}, started ${held!.startedAt}`);
        said = true;
      },
    });
    if (!taken) throw new LeaseHeld(where, held!, deps.clock.now() - started);
    lease.renewal = setInterval(() => void lease.renew(), Math.max(1000, Math.floor(options.ttlMs / 3)));
    lease.renewal.unref();
    // A cancelled run (the runner sends SIGINT, then SIGTERM) gives the prefix back on its way out.
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const onSignal = () => void lease.release().finally(() => process.exit(code));
      process.once(signal, onSignal);
      lease.signalHandlers.push([signal, onSignal]);
    }
    return lease;
  }

  private readonly signalHandlers: [NodeJS.Signals, () => void][] = [];

  /**
   * One try at taking the lease: undefined when it is ours, else the record of the deploy that holds
   * it. A lease its holder can no longer be using is taken over on its ETag. Losing a race (the lease
   * went between our write and our read, or another deploy took the abandoned one over first) is no
   * reason to wait: the next write settles it at once.
   */
  private async take(who: LeaseHolder, where: string): Promise<LeaseRecord | undefined> {
    for (;;) {
      if (await this.write({ ifNoneMatch: true })) return undefined;
      const current = await this.read();
      if (!current) continue;
      const why = abandoned(current.record, who, this.clock.now());
      if (!why) return current.record;
      this.log.warning(`The deploy lease of ${current.record.owner} on ${where} ${why}: taking it over.`);
      if (await this.write({ ifMatch: current.etag })) return undefined;
    }
  }

  /** Writes the lease with a fresh expiry; false when the condition did not hold (someone else has it). */
  private async write(condition: { ifNoneMatch?: boolean; ifMatch?: string }): Promise<boolean> {
    this.record.expiresAt = new Date(this.clock.now() + this.options.ttlMs).toISOString();
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: JSON.stringify(this.record),
          ContentType: 'application/json',
          CacheControl: 'no-store',
          ...(condition.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
          ...(condition.ifMatch ? { IfMatch: condition.ifMatch } : {}),
        }),
      );
      this.etag = response.ETag ?? '';
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || conflict(error)) return false;
      throw error;
    }
  }

  private async read(): Promise<{ record: LeaseRecord; etag: string } | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      const record = JSON.parse((await response.Body?.transformToString('utf8')) ?? '{}') as Partial<LeaseRecord>;
      const valid =
        typeof record.owner === 'string' &&
        typeof record.expiresAt === 'string' &&
        typeof record.startedAt === 'string' &&
        (record.pid === undefined || typeof record.pid === 'number');
      // An unreadable lease counts as expired now: it cannot say whom it belongs to.
      return {
        record: valid ? (record as LeaseRecord) : { owner: 'an unknown deploy', startedAt: '?', expiresAt: new Date(0).toISOString() },
        etag: response.ETag ?? '',
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async renew(): Promise<void> {
    try {
      if (!(await this.write({ ifMatch: this.etag })))
        this.log.warning(`The deploy lease on s3://${this.bucket}/${this.key} was taken by another deploy.`);
    } catch (error) {
      this.log.debug(`renewing the deploy lease: ${String(error)}`);
    }
  }

  /**
   * Gives the prefix back, only if the lease is still ours: a conditional delete, If-Match on the
   * lease's ETag (S3 user guide, "How to perform conditional deletes"), which fails with 412 when
   * another deploy took it over, and with 404 when it is already gone.
   */
  async release(): Promise<void> {
    clearInterval(this.renewal);
    for (const [signal, handler] of this.signalHandlers.splice(0)) process.removeListener(signal, handler);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key, IfMatch: this.etag })).catch((error: unknown) => {
      if (isPreconditionFailed(error) || conflict(error) || isNotFound(error)) return;
      this.log.warning(
        `Could not release the deploy lease s3://${this.bucket}/${this.key}: ${String(error)}; it expires on its own at ${this.record.expiresAt}.`,
      );
    });
  }
}
