// Running one command and measuring it: wall time, peak RSS (from /proc, polled), and the
// requests it sent through the counting proxy.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Peak resident set of a running process, in KiB (VmHWM), or 0 when it is gone. */
function peakRss(/** @type {number} */ pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, proxy?: import('../../stand-ins/aws-proxy.mjs').AwsProxy, cwd?: string }} options
 */
export async function measure(command, args, options = {}) {
  options.proxy?.clear();
  const start = process.hrtime.bigint();
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let rssKiB = 0;
  const timer = setInterval(() => (rssKiB = Math.max(rssKiB, peakRss(child.pid ?? 0))), 20);
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}\n${stdout.slice(-2000)}`);
  const requests = options.proxy?.requests ?? [];
  /** @type {Record<string, number>} */
  const ops = {};
  for (const r of requests) ops[r.operation] = (ops[r.operation] ?? 0) + 1;
  // Bodies of content: the deploy lease (a small PutObject per deploy, its own request) is not one.
  const bodies = requests.filter(
    (r) => (r.operation === 'PutObject' || r.operation === 'UploadPart') && !r.key?.endsWith('.slipway/lease.json'),
  );
  const bytesSent = bodies.reduce((n, r) => n + Number(r.headers['content-length'] ?? 0), 0);
  return { seconds, rssMiB: rssKiB / 1024, requests: requests.length, puts: bodies.length, bytesSent, ops, stdout };
}

/** @param {number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const middle = s[m] ?? NaN;
  return s.length % 2 ? middle : ((s[m - 1] ?? NaN) + middle) / 2;
}

/** Spread as min–max. @param {number[]} xs */
export const spread = (xs) => [Math.min(...xs), Math.max(...xs)];
