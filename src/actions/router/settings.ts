// The router action's inputs (and the CLI's router flags), parsed into one typed settings object.
import { InputCollector, InputError } from '../../inputs/errors.js';
import { parseDuration, parseLines } from '../../inputs/parse.js';
import { parseOneDistributionId } from '../../inputs/cloudfront.js';
import { InputReader, type ActionEnvironment, type RawInputs } from '../../inputs/reader.js';
import type { RouterSettings } from '../../lib/router/setup.js';
import { parseSite } from '../../inputs/router.js';
import { ROUTER_NAME } from '../../lib/router/names.js';
import type { HostRule } from '../../lib/router/table.js';

export interface RouterActionSettings extends RouterSettings {
  command: 'setup' | 'status';
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTS_FORM =
  'must hold lines HOST=SITE (serve a site) or HOST->OTHER-HOST (301 redirect), with lower-case host names such as www.example.com';

function parseHost(raw: string, line: string): string {
  const host = raw.trim().toLowerCase();
  if (!HOST.test(host)) throw new InputError('hosts', `${HOSTS_FORM}; ${JSON.stringify(raw.trim())} is not a host name`, line);
  return host;
}

export function parseHosts(raw: string): HostRule[] {
  const rules: HostRule[] = [];
  for (const line of parseLines(raw)) {
    const arrow = line.indexOf('->');
    const equals = line.indexOf('=');
    let rule: HostRule;
    if (arrow > 0) rule = { host: parseHost(line.slice(0, arrow), line), redirectTo: parseHost(line.slice(arrow + 2), line) };
    else if (equals > 0) rule = { host: parseHost(line.slice(0, equals), line), site: parseSite('hosts', line.slice(equals + 1).trim()) };
    else throw new InputError('hosts', HOSTS_FORM, line);
    if ('redirectTo' in rule && rule.redirectTo === rule.host) throw new InputError('hosts', 'must not redirect a host to itself', line);
    if (rules.some((r) => r.host === rule.host)) throw new InputError('hosts', 'names a host twice', line);
    rules.push(rule);
  }
  return rules;
}

/** The router reads nothing from the environment but its inputs. */
export function parseRouterSettings(raw: RawInputs, _env: ActionEnvironment): RouterActionSettings {
  const inputs = new InputReader('router', raw);
  const c = new InputCollector();
  const command = c.field(() => {
    const value = inputs.get('command').trim();
    if (value !== 'setup' && value !== 'status') throw new InputError('command', 'must be setup or status', value);
    return value;
  });
  const name = c.field(() => {
    const value = inputs.required('name', 'the router name');
    if (!ROUTER_NAME.test(value))
      throw new InputError(
        'name',
        'must be 1 to 64 letters, digits, - and _ (the name of its CloudFront Function and key value store)',
        value,
      );
    return value;
  });
  const distributionId = c.field(() => {
    const value = inputs.optional('distribution-id');
    if (value === undefined) return undefined;
    return parseOneDistributionId('distribution-id', value, 'takes one distribution id');
  });
  const hosts = c.field(() => parseHosts(inputs.get('hosts')));
  const timeoutMs = c.field(() => parseDuration('timeout', inputs.get('timeout')));
  const v = c.done({ command, name, distributionId, hosts, timeoutMs });
  return {
    command: v.command,
    name: v.name,
    hosts: v.hosts,
    timeoutMs: v.timeoutMs,
    ...(v.distributionId ? { distributionId: v.distributionId } : {}),
  };
}
