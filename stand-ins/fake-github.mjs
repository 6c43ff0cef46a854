// A local stand-in for the GitHub REST API, for the tests and the demo: the part of it the preview
// actions use (pull requests, issue comments, deployments and their statuses, /user), reached by
// Octokit through GITHUB_API_URL / baseUrl. It checks tokens, records every request, paginates
// exactly as GitHub does (Link headers with absolute URLs) and can inject faults.
import { createServer } from 'node:http';
import { Faults } from './faults.mjs';

/**
 * @typedef {object} Identity who a token acts as
 * @property {string} login
 * @property {string} type 'User' or 'Bot'
 * @property {number} [id]
 * @property {boolean} [installation] an installation token (GITHUB_TOKEN): /user is forbidden to it
 */

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path the path, without the query
 * @property {Record<string, string>} query
 * @property {unknown} body the parsed JSON body, undefined when there is none
 * @property {string | undefined} authorization the Authorization header as sent
 * @property {number} [status] the status answered
 * @property {number} [fault] the status an injected fault answered instead of serving the request
 */

/**
 * @typedef {object} Pull
 * @property {number} number
 * @property {'open' | 'closed'} state
 * @property {boolean} merged
 * @property {string} title
 * @property {string} updated_at
 * @property {string} created_at
 * @property {{ sha: string, ref: string, repo: { full_name: string } | null }} head
 * @property {{ ref: string, repo: { full_name: string } }} base
 * @property {string} html_url
 */

/**
 * @typedef {object} Comment
 * @property {number} id
 * @property {number} issue_number
 * @property {string} body
 * @property {{ login: string, type: string }} user
 * @property {string} created_at
 * @property {string} updated_at
 * @property {string} html_url
 */

/**
 * @typedef {object} Deployment
 * @property {number} id
 * @property {string} sha
 * @property {string} ref
 * @property {string} task
 * @property {unknown} payload
 * @property {string} environment
 * @property {string} original_environment
 * @property {boolean} transient_environment
 * @property {boolean} production_environment
 * @property {boolean} auto_merge
 * @property {string[] | undefined} required_contexts
 * @property {string | null} description
 * @property {{ login: string, type: string }} creator
 * @property {string} created_at
 * @property {string} updated_at
 */

/**
 * @typedef {object} DeploymentStatus
 * @property {number} id
 * @property {number} deployment_id
 * @property {string} state
 * @property {string} environment
 * @property {string} environment_url
 * @property {string} log_url
 * @property {string} description
 * @property {{ login: string, type: string }} creator
 * @property {string} created_at
 * @property {string} updated_at
 */

/**
 * @typedef {object} RepoState one repository's data (keyed by its lower-cased owner/repo)
 * @property {string} fullName
 * @property {Map<number, Pull>} pulls
 * @property {Comment[]} comments all issues' comments, oldest first
 * @property {Deployment[]} deployments oldest first
 * @property {Map<number, DeploymentStatus[]>} statuses per deployment id, oldest first
 */

/**
 * @typedef {object} PullSeed
 * @property {number} number
 * @property {'open' | 'closed'} [state] default open
 * @property {string} headSha
 * @property {string} [title] default `PR #<number>`
 * @property {string} [updatedAt] default now
 * @property {boolean} [merged] default false
 * @property {string | null} [headRepo] owner/repo of the head; default the repository itself (a fork: another; null: a deleted fork)
 * @property {string} [headRef] default `feature-<number>`
 * @property {string} [baseRef] default main
 */

/**
 * @typedef {object} FakeGitHub
 * @property {string} url base URL, http://127.0.0.1:PORT (no trailing slash)
 * @property {RecordedRequest[]} requests every request, in order
 * @property {Map<string, RepoState>} state per lower-cased owner/repo
 * @property {(repo: string, pull: PullSeed) => Pull} addPull
 * @property {(repo: string, number: number, patch: Partial<PullSeed>) => Pull} setPull
 * @property {(repo: string, number: number, comment: { body: string, login?: string, type?: string, createdAt?: string }) => Comment} addComment seeds a comment by anyone (default login someone, type User)
 * @property {(repo: string, number: number) => Comment[]} comments an issue's comments, oldest first
 * @property {(repo: string) => Deployment[]} deployments oldest first
 * @property {(repo: string, deploymentId: number) => DeploymentStatus[]} statusesOf oldest first
 * @property {Faults<{ method: string, path: string }>} faults status faults only (stand-ins/faults.mjs); a RegExp match is tested against `METHOD /path`
 * @property {() => void} reset clears the state, the requests, the fault and the id counters
 * @property {() => Promise<void>} close
 */

/** @type {Record<string, Identity>} */
export const DEFAULT_IDENTITIES = {
  ghs_test: { login: 'github-actions[bot]', type: 'Bot', id: 41898282, installation: true },
  ghp_user: { login: 'octocat', type: 'User', id: 583231 },
};

/** The GITHUB_SHA githubEnvFor gives: a recognisably fake merge commit. */
export const FAKE_MERGE_SHA = 'deadbeef'.repeat(5);

const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

/** GitHub's timestamps: ISO 8601 to the second. */
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

class HttpError extends Error {
  /** @param {number} status @param {Record<string, unknown>} body */
  constructor(status, body) {
    super(String(body.message));
    this.status = status;
    this.body = body;
  }
}

const notFound = () => new HttpError(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
/** @param {string} field */
const missing = (field) =>
  new HttpError(422, {
    message: 'Validation Failed',
    errors: [{ resource: 'Request', field, code: 'missing_field' }],
    documentation_url: 'https://docs.github.com/rest',
  });

/**
 * @param {{ identities?: Record<string, Identity> }} [options]
 * @returns {Promise<FakeGitHub>}
 */
export async function startFakeGitHub(options = {}) {
  const identities = options.identities ?? DEFAULT_IDENTITIES;
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {Map<string, RepoState>} */
  const state = new Map();
  /** @type {Faults<{ method: string, path: string }>} */
  const faults = new Faults({ describe: (r) => `${r.method} ${r.path}` });
  const ids = { comment: 1000, deployment: 5000, status: 9000 };

  /** @param {string} repo owner/repo @returns {RepoState} */
  const repoState = (repo) => {
    const key = repo.toLowerCase();
    let s = state.get(key);
    if (!s) {
      s = { fullName: repo, pulls: new Map(), comments: [], deployments: [], statuses: new Map() };
      state.set(key, s);
    }
    return s;
  };

  /** @param {string} repo @param {number} number */
  const issueUrl = (repo, number) => `https://github.com/${repo}/${repoState(repo).pulls.has(number) ? 'pull' : 'issues'}/${number}`;

  /** @param {string} repo @param {number} number @param {{ body: string, user: { login: string, type: string }, createdAt?: string }} c */
  const createComment = (repo, number, c) => {
    const id = ids.comment++;
    const at = c.createdAt ?? now();
    /** @type {Comment} */
    const comment = {
      id,
      issue_number: number,
      body: c.body,
      user: { ...c.user },
      created_at: at,
      updated_at: at,
      html_url: `${issueUrl(repo, number)}#issuecomment-${id}`,
    };
    repoState(repo).comments.push(comment);
    return comment;
  };

  /** @param {string} repo @param {number} number */
  const findPull = (repo, number) => {
    const pull = repoState(repo).pulls.get(number);
    if (!pull) throw new Error(`fake GitHub: no pull request ${repo}#${number}`);
    return pull;
  };

  /** @param {Pull} pull @param {Partial<PullSeed>} p @param {string} repo */
  const applyPull = (pull, p, repo) => {
    if (p.state !== undefined) pull.state = p.state;
    if (p.merged !== undefined) pull.merged = p.merged;
    if (p.title !== undefined) pull.title = p.title;
    if (p.updatedAt !== undefined) pull.updated_at = p.updatedAt;
    if (p.headSha !== undefined) pull.head.sha = p.headSha;
    if (p.headRef !== undefined) pull.head.ref = p.headRef;
    if (p.baseRef !== undefined) pull.base.ref = p.baseRef;
    if (p.headRepo !== undefined) pull.head.repo = p.headRepo === null ? null : { full_name: p.headRepo };
    pull.html_url = `https://github.com/${repo}/pull/${pull.number}`;
    return pull;
  };

  /** @param {Pull} pull */
  const renderPull = (pull) => ({
    ...pull,
    merged_at: pull.merged ? pull.updated_at : null,
    head: { ...pull.head, repo: pull.head.repo && { ...pull.head.repo } },
    base: { ...pull.base, repo: { ...pull.base.repo } },
  });

  /** @param {string} base @param {string} repo @param {Deployment} d */
  const renderDeployment = (base, repo, d) => ({
    ...d,
    url: `${base}/repos/${repo}/deployments/${d.id}`,
    statuses_url: `${base}/repos/${repo}/deployments/${d.id}/statuses`,
    repository_url: `${base}/repos/${repo}`,
  });

  /** @param {string} base @param {string} repo @param {DeploymentStatus} s */
  const renderStatus = (base, repo, s) => ({
    ...s,
    target_url: s.log_url,
    url: `${base}/repos/${repo}/deployments/${s.deployment_id}/statuses/${s.id}`,
    deployment_url: `${base}/repos/${repo}/deployments/${s.deployment_id}`,
    repository_url: `${base}/repos/${repo}`,
  });

  /**
   * Writes one page of `items` with GitHub's Link header.
   * @param {import('node:http').IncomingMessage} req @param {URL} url @param {unknown[]} items
   * @returns {{ status: number, body: unknown, headers: Record<string, string> }}
   */
  const page = (req, url, items) => {
    const perPageAsked = Number.parseInt(url.searchParams.get('per_page') ?? '', 10);
    const perPage = Number.isFinite(perPageAsked) && perPageAsked > 0 ? Math.min(perPageAsked, 100) : 30;
    const pageAsked = Number.parseInt(url.searchParams.get('page') ?? '', 10);
    const current = Number.isFinite(pageAsked) && pageAsked > 0 ? pageAsked : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    /** @param {number} n */
    const link = (n) => {
      const params = new URLSearchParams(url.searchParams);
      params.set('page', String(n));
      return `<http://${req.headers.host ?? '127.0.0.1'}${url.pathname}?${params.toString()}>`;
    };
    const links = [];
    if (current > 1) links.push(`${link(current - 1)}; rel="prev"`);
    if (current < last) links.push(`${link(current + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (current > 1) links.push(`${link(1)}; rel="first"`);
    /** @type {Record<string, string>} */
    const headers = links.length > 0 ? { link: links.join(', ') } : {};
    return { status: 200, body: items.slice((current - 1) * perPage, current * perPage), headers };
  };

  /**
   * What a route's handler gets: the request, its parsed JSON body (`input`, {} when none), who the
   * token acts as, the path's parameters, and the repository's state.
   * @typedef {object} RouteContext
   * @property {import('node:http').IncomingMessage} req
   * @property {URL} url
   * @property {Record<string, unknown>} input
   * @property {Identity} who
   * @property {{ login: string, type: string }} author
   * @property {string} base this server's URL, for the URLs in answers
   * @property {string} repo owner/repo
   * @property {RepoState} s
   * @property {Record<string, number>} ids the numeric path parameters (:number, :id)
   */
  /** @typedef {{ status: number, body?: unknown, headers?: Record<string, string> }} Answer */

  /** @param {RouteContext} c @returns {Answer} */
  const getUser = ({ who }) => {
    if (who.installation)
      throw new HttpError(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
      });
    return { status: 200, body: { login: who.login, type: who.type, id: who.id } };
  };

  /** @param {RouteContext} c @returns {Answer} */
  const listPulls = ({ req, url, s }) => {
    const wanted = url.searchParams.get('state') ?? 'open';
    const sort = url.searchParams.get('sort') ?? 'created';
    const direction = url.searchParams.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
    const head = url.searchParams.get('head');
    const baseRef = url.searchParams.get('base');
    let pulls = [...s.pulls.values()].filter((p) => wanted === 'all' || p.state === wanted);
    if (head) pulls = pulls.filter((p) => `${p.head.repo?.full_name.split('/')[0] ?? ''}:${p.head.ref}` === head);
    if (baseRef) pulls = pulls.filter((p) => p.base.ref === baseRef);
    pulls.sort((a, b) => (sort === 'updated' ? a.updated_at.localeCompare(b.updated_at) || a.number - b.number : a.number - b.number));
    if (direction === 'desc') pulls.reverse();
    return page(req, url, pulls.map(renderPull));
  };

  /** @param {RouteContext} c @returns {Answer} */
  const getPull = ({ s, ids: { number } }) => {
    const pull = s.pulls.get(number ?? -1);
    if (!pull) throw notFound();
    return { status: 200, body: renderPull(pull) };
  };

  /** @param {RouteContext} c @returns {Answer} */
  const listComments = ({ req, url, s, ids: { number } }) =>
    page(req, url, structuredClone(s.comments.filter((c) => c.issue_number === number)));

  /** @param {RouteContext} c @returns {Answer} */
  const postComment = ({ input, repo, author, ids: { number } }) => {
    if (typeof input.body !== 'string') throw missing('body');
    return { status: 201, body: structuredClone(createComment(repo, number ?? -1, { body: input.body, user: author })) };
  };

  /** The comment of the path, and its index. @param {RouteContext} c */
  const commentOf = ({ s, ids: { id } }) => {
    const index = s.comments.findIndex((c) => c.id === id);
    const comment = s.comments[index];
    if (!comment) throw notFound();
    return { comment, index };
  };

  /** As GitHub: only the author may change or delete a comment. @param {Comment} comment @param {Identity} who */
  const mustBeAuthor = (comment, who) => {
    if (comment.user.login !== who.login) {
      throw new HttpError(403, {
        message: who.installation ? 'Resource not accessible by integration' : 'Must have admin rights to Repository.',
        documentation_url: 'https://docs.github.com/rest/issues/comments',
      });
    }
  };

  /** @param {RouteContext} c @returns {Answer} */
  const getComment = (c) => ({ status: 200, body: structuredClone(commentOf(c).comment) });

  /** @param {RouteContext} c @returns {Answer} */
  const deleteComment = (c) => {
    const { comment, index } = commentOf(c);
    mustBeAuthor(comment, c.who);
    c.s.comments.splice(index, 1);
    return { status: 204 };
  };

  /** @param {RouteContext} c @returns {Answer} */
  const patchComment = (c) => {
    const { comment } = commentOf(c);
    mustBeAuthor(comment, c.who);
    if (typeof c.input.body !== 'string') throw missing('body');
    comment.body = c.input.body;
    comment.updated_at = now();
    return { status: 200, body: structuredClone(comment) };
  };

  /** @param {RouteContext} c @returns {Answer} */
  const postDeployment = ({ input, author, base, repo, s }) => {
    if (typeof input.ref !== 'string' || input.ref === '') throw missing('ref');
    if (typeof input.environment !== 'string' || input.environment === '') throw missing('environment');
    const at = now();
    /** @type {Deployment} */
    const deployment = {
      id: ids.deployment++,
      sha: input.ref,
      ref: input.ref,
      task: typeof input.task === 'string' ? input.task : 'deploy',
      payload: input.payload ?? {},
      environment: input.environment,
      original_environment: input.environment,
      transient_environment: input.transient_environment === true,
      production_environment:
        typeof input.production_environment === 'boolean' ? input.production_environment : input.environment === 'production',
      auto_merge: input.auto_merge !== false,
      required_contexts: Array.isArray(input.required_contexts) ? input.required_contexts.map(String) : undefined,
      description: typeof input.description === 'string' ? input.description : null,
      creator: author,
      created_at: at,
      updated_at: at,
    };
    s.deployments.push(deployment);
    s.statuses.set(deployment.id, []);
    return { status: 201, body: renderDeployment(base, repo, deployment) };
  };

  /** @param {RouteContext} c @returns {Answer} */
  const listDeployments = ({ req, url, base, repo, s }) => {
    const q = url.searchParams;
    const list = [...s.deployments]
      .reverse()
      .filter(
        (d) =>
          (!q.get('environment') || d.environment === q.get('environment')) &&
          (!q.get('ref') || d.ref === q.get('ref')) &&
          (!q.get('sha') || d.sha === q.get('sha')) &&
          (!q.get('task') || d.task === q.get('task')),
      );
    return page(
      req,
      url,
      list.map((d) => renderDeployment(base, repo, d)),
    );
  };

  /** The deployment of the path. @param {RouteContext} c */
  const deploymentOf = ({ s, ids: { id } }) => {
    const deployment = s.deployments.find((d) => d.id === id);
    if (!deployment) throw notFound();
    return deployment;
  };

  /** @param {RouteContext} c @returns {Answer} */
  const getDeployment = (c) => ({ status: 200, body: renderDeployment(c.base, c.repo, deploymentOf(c)) });

  /** @param {RouteContext} c @returns {Answer} */
  const listStatuses = (c) => {
    const statuses = c.s.statuses.get(deploymentOf(c).id) ?? [];
    return page(
      c.req,
      c.url,
      [...statuses].reverse().map((st) => renderStatus(c.base, c.repo, st)),
    );
  };

  /** @param {RouteContext} c @returns {Answer} */
  const postStatus = (c) => {
    const { input, author, s } = c;
    const deployment = deploymentOf(c);
    if (typeof input.state !== 'string' || !DEPLOYMENT_STATES.includes(input.state)) {
      throw new HttpError(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'DeploymentStatus', field: 'state', code: 'invalid' }],
        documentation_url: 'https://docs.github.com/rest/deployments/statuses',
      });
    }
    const str = (/** @type {unknown} */ v) => (typeof v === 'string' ? v : '');
    const at = now();
    /** @param {Deployment} d @param {string} st @param {Record<string, unknown>} fields */
    const addStatus = (d, st, fields) => {
      /** @type {DeploymentStatus} */
      const status = {
        id: ids.status++,
        deployment_id: d.id,
        state: st,
        environment: d.environment,
        environment_url: str(fields.environment_url),
        log_url: str(fields.log_url),
        description: str(fields.description),
        creator: author,
        created_at: at,
        updated_at: at,
      };
      const list = s.statuses.get(d.id) ?? [];
      list.push(status);
      s.statuses.set(d.id, list);
      d.updated_at = at;
      return status;
    };
    const created = addStatus(deployment, input.state, input);
    // As GitHub: a success marks earlier successful deployments of the environment inactive,
    // unless they are transient or production or auto_inactive is false.
    if (input.state === 'success' && input.auto_inactive !== false) {
      for (const d of s.deployments) {
        if (d.id >= deployment.id || d.environment !== deployment.environment || d.transient_environment || d.production_environment)
          continue;
        if ((s.statuses.get(d.id) ?? []).at(-1)?.state === 'success') addStatus(d, 'inactive', {});
      }
    }
    return { status: 201, body: renderStatus(c.base, c.repo, created) };
  };

  /**
   * The REST API's routes this fake serves, as the docs name them. `:number` and `:id` match only
   * digits; `:owner` and `:repo` any segment. Anything else is GitHub's 404.
   * @type {[string, string, (c: RouteContext) => Answer][]}
   */
  const ROUTES = [
    ['GET', '/user', getUser],
    ['GET', '/repos/:owner/:repo/pulls', listPulls],
    ['GET', '/repos/:owner/:repo/pulls/:number', getPull],
    ['GET', '/repos/:owner/:repo/issues/:number/comments', listComments],
    ['POST', '/repos/:owner/:repo/issues/:number/comments', postComment],
    ['GET', '/repos/:owner/:repo/issues/comments/:id', getComment],
    ['PATCH', '/repos/:owner/:repo/issues/comments/:id', patchComment],
    ['DELETE', '/repos/:owner/:repo/issues/comments/:id', deleteComment],
    ['GET', '/repos/:owner/:repo/deployments', listDeployments],
    ['POST', '/repos/:owner/:repo/deployments', postDeployment],
    ['GET', '/repos/:owner/:repo/deployments/:id', getDeployment],
    ['GET', '/repos/:owner/:repo/deployments/:id/statuses', listStatuses],
    ['POST', '/repos/:owner/:repo/deployments/:id/statuses', postStatus],
  ];

  /**
   * The path's parameters when `pattern` matches `segments` (decoded), else undefined.
   * @param {string} pattern @param {string[]} segments @returns {Record<string, string> | undefined}
   */
  const matchPath = (pattern, segments) => {
    const parts = pattern.split('/').slice(1);
    if (parts.length !== segments.length) return undefined;
    /** @type {Record<string, string>} */
    const params = {};
    for (const [i, part] of parts.entries()) {
      const segment = segments[i] ?? '';
      if (!part.startsWith(':')) {
        if (part !== segment) return undefined;
      } else if ((part === ':number' || part === ':id') && !/^\d+$/.test(segment)) {
        return undefined;
      } else {
        params[part.slice(1)] = segment;
      }
    }
    return params;
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {URL} url
   * @param {unknown} body
   * @param {Identity} who
   * @returns {Answer}
   */
  const route = (req, url, body, who) => {
    const method = req.method ?? 'GET';
    const segments = url.pathname
      .split('/')
      .slice(1)
      .map((s) => decodeURIComponent(s));
    for (const [routeMethod, pattern, handler] of ROUTES) {
      const params = routeMethod === method ? matchPath(pattern, segments) : undefined;
      if (!params) continue;
      const repo = `${params.owner ?? ''}/${params.repo ?? ''}`;
      return handler({
        req,
        url,
        input: /** @type {Record<string, unknown>} */ (body && typeof body === 'object' ? body : {}),
        who,
        author: { login: who.login, type: who.type },
        base: `http://${req.headers.host ?? '127.0.0.1'}`,
        repo,
        s: repoState(repo),
        ids: Object.fromEntries(['number', 'id'].filter((k) => params[k] !== undefined).map((k) => [k, Number(params[k])])),
      });
    }
    throw notFound();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-github');
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const raw = Buffer.concat(chunks).toString('utf8');
      /** @type {RecordedRequest} */
      const recorded = {
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: undefined,
        authorization: req.headers.authorization,
      };
      requests.push(recorded);
      /** @param {number} status @param {unknown} [body] @param {Record<string, string>} [headers] */
      const send = (status, body, headers = {}) => {
        recorded.status = status;
        if (body === undefined) {
          res.writeHead(status, headers);
          res.end();
          return;
        }
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(text)),
          ...headers,
        });
        res.end(text);
      };
      let badJson = false;
      if (raw.trim() !== '') {
        try {
          recorded.body = JSON.parse(raw);
        } catch {
          badJson = true;
        }
      }
      const fault = faults.take({ method, path: url.pathname });
      if (fault && (fault.kind === undefined || fault.kind === 'status')) {
        recorded.fault = fault.status;
        send(fault.status, { message: fault.message ?? 'fault injected by the test' }, fault.headers);
        return;
      }
      try {
        if (badJson) throw new HttpError(400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest' });
        const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        if (!auth) throw new HttpError(401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' });
        const who = identities[auth[1] ?? ''];
        if (!who) throw new HttpError(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
        const out = route(req, url, recorded.body, who);
        send(out.status, out.body, out.headers);
      } catch (error) {
        if (error instanceof HttpError) send(error.status, error.body);
        else send(500, { message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    state,
    addPull: (repo, p) => {
      const at = p.updatedAt ?? now();
      /** @type {Pull} */
      const pull = {
        number: p.number,
        state: 'open',
        merged: false,
        title: `PR #${p.number}`,
        updated_at: at,
        created_at: at,
        head: { sha: p.headSha, ref: `feature-${p.number}`, repo: { full_name: repo } },
        base: { ref: 'main', repo: { full_name: repo } },
        html_url: '',
      };
      applyPull(pull, p, repo);
      repoState(repo).pulls.set(p.number, pull);
      return renderPull(pull);
    },
    setPull: (repo, number, patch) => renderPull(applyPull(findPull(repo, number), patch, repo)),
    addComment: (repo, number, c) =>
      structuredClone(
        createComment(repo, number, {
          body: c.body,
          user: { login: c.login ?? 'someone', type: c.type ?? 'User' },
          createdAt: c.createdAt,
        }),
      ),
    comments: (repo, number) => structuredClone(repoState(repo).comments.filter((c) => c.issue_number === number)),
    deployments: (repo) => structuredClone(repoState(repo).deployments),
    statusesOf: (repo, deploymentId) => structuredClone(repoState(repo).statuses.get(deploymentId) ?? []),
    faults,
    reset: () => {
      state.clear();
      requests.length = 0;
      faults.clear();
      Object.assign(ids, { comment: 1000, deployment: 5000, status: 9000 });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The environment an action step sees, pointed at the fake.
 * @param {{ url: string }} fake
 * @param {{ repository: string, eventName?: string, eventPath?: string, token?: string }} options eventName defaults to pull_request, token to ghs_test
 * @returns {Record<string, string>}
 */
export function githubEnvFor(fake, { repository, eventName = 'pull_request', eventPath, token = 'ghs_test' }) {
  return {
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: repository,
    GITHUB_EVENT_NAME: eventName,
    ...(eventPath === undefined ? {} : { GITHUB_EVENT_PATH: eventPath }),
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: FAKE_MERGE_SHA,
    'INPUT_GITHUB-TOKEN': token,
  };
}
