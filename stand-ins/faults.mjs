// One way to inject faults into every stand-in (the AWS proxy, the fake GitHub, the fake ECS, the
// fake KeyValueStore): each holds a `faults` (a Faults), and answers a request with the fault it
// takes, in its own protocol (an S3 XML error, a GitHub JSON message, an ECS __type, …).
//
//   stand.faults.inject({ match, times, status, code })   the next `times` matching requests fail
//   stand.faults.inject({ match, kind: 'reset' })          (the proxy only: reset, drop-response, delay)
//   stand.faults.plan((request, index) => fault | undefined)   decides per request (seededFaults)
//   stand.faults.clear()
//
// Rules are checked first, oldest first; a request no rule takes goes to the plan.

/**
 * What happens to a request instead of (or besides) being served.
 * status: answered with this HTTP status and error `code` (kind may be left out).
 * reset: the connection is closed before the request reaches the stand-in (it had no effect).
 * drop-response: the request is served and takes effect, then the connection is closed before any
 * response (what a retry must be idempotent against).
 * delay: served `ms` later.
 * @typedef {{ kind?: 'status', status: number, code?: string, message?: string, headers?: Record<string, string> } | { kind: 'reset' } | { kind: 'drop-response' } | { kind: 'delay', ms: number }} Fault
 */

/**
 * Which requests a rule hits: a predicate; a RegExp tested against the stand-in's one-line
 * description of the request (the operation for AWS stand-ins, `METHOD /path` for GitHub); or an
 * object whose every field equals (or, for a RegExp, matches) the request's field.
 * @template R
 * @typedef {((request: R) => boolean) | RegExp | Record<string, unknown>} Match
 */

/**
 * @template R
 * @typedef {Fault & { match?: Match<R>, times?: number }} FaultRule `times` defaults to 1; Infinity: every matching request
 */

/** @param {Fault} fault @returns {'status' | 'reset' | 'drop-response' | 'delay'} */
export const faultKind = (fault) => fault.kind ?? 'status';

/** A short label for a fault, as the stand-ins record it on the request. @param {Fault} fault */
export function faultLabel(fault) {
  return fault.kind === undefined || fault.kind === 'status' ? `${fault.status}${fault.code ? ` ${fault.code}` : ''}` : fault.kind;
}

/** A rule's fault: the rule without its match, times and count. @param {object} rule @returns {Fault} */
function faultOf(rule) {
  /** @type {Record<string, unknown>} */
  const fault = { ...rule };
  for (const name of ['match', 'times', 'left']) delete fault[name];
  return /** @type {Fault} */ (fault);
}

/** @template R */
export class Faults {
  /** @type {(FaultRule<R> & { left: number })[]} */
  #rules = [];
  /** @type {((request: R, index: number) => Fault | undefined) | undefined} */
  #plan;
  #index = 0;
  #describe;
  #kinds;

  /**
   * @param {{ describe: (request: R) => string, kinds?: ('status' | 'reset' | 'drop-response' | 'delay')[] }} options
   * `describe` gives the line a RegExp match is tested against; `kinds` the faults this stand-in can play (default: status only).
   */
  constructor({ describe, kinds = ['status'] }) {
    this.#describe = describe;
    this.#kinds = new Set(kinds);
  }

  /** The next `times` requests `match` accepts (default: any) get `fault`. @param {FaultRule<R>} rule */
  inject(rule) {
    this.#check(faultOf(rule));
    this.#rules.push({ ...rule, left: rule.times ?? 1 });
    return this;
  }

  /** Decides per request, after the rules: a fault, or undefined to serve it. Replaces any earlier plan; `index` counts from here. @param {(request: R, index: number) => Fault | undefined} plan */
  plan(plan) {
    this.#plan = plan;
    this.#index = 0;
    return this;
  }

  /** Drops every rule and the plan. */
  clear() {
    this.#rules = [];
    this.#plan = undefined;
    this.#index = 0;
  }

  /** For the stand-in: the fault this request gets, if any (using up one of its rule's times). @param {R} request @returns {Fault | undefined} */
  take(request) {
    const index = this.#index++;
    const rule = this.#rules.find((r) => r.left > 0 && this.#matches(r.match, request));
    if (rule) {
      rule.left--;
      this.#rules = this.#rules.filter((r) => r.left > 0);
      return faultOf(rule);
    }
    const planned = this.#plan?.(request, index);
    if (planned) this.#check(planned);
    return planned;
  }

  /** @param {Match<R> | undefined} match @param {R} request */
  #matches(match, request) {
    if (match === undefined) return true;
    if (typeof match === 'function') return match(request);
    if (match instanceof RegExp) {
      match.lastIndex = 0;
      return match.test(this.#describe(request));
    }
    const fields = /** @type {Record<string, unknown>} */ (request);
    return Object.entries(match).every(([name, want]) =>
      want instanceof RegExp ? want.test(String(fields[name])) : fields[name] === want,
    );
  }

  /** @param {Fault} fault */
  #check(fault) {
    if (!this.#kinds.has(faultKind(fault)))
      throw new Error(`this stand-in cannot inject a ${faultKind(fault)} fault (it can: ${[...this.#kinds].join(', ')})`);
  }
}
