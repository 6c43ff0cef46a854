// pr-preview's inputs and event: which command, which PR, which commit, before any request.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/lib/github/event.js';
import { InputErrors } from '../../src/inputs/errors.js';
import { removedComment } from '../../src/lib/preview/comment.js';
import { codeSpan, escapeMarkdown } from '../../src/lib/util/markdown.js';
import { numberOfBucket } from '../../src/lib/preview/naming.js';
import { parsePrPreviewSettings } from '../../src/actions/pr-preview/settings.js';
import { testEnvironment } from '../support/environment.js';

const dir = mkdtempSync(`${tmpdir()}/slipway-src-`);
const base: Record<string, string> = {
  source: dir,
  domain: 'preview.example.com',
  bucket: 'previews',
  'distribution-id': 'E2QWRUHAPOMQZL',
  'github-token': 't',
};
const context = (extra: Partial<RunContext> = {}): RunContext => ({
  repo: { owner: 'acme', repo: 'web' },
  eventName: 'pull_request',
  action: 'synchronize',
  pullNumber: 7,
  headSha: 'a'.repeat(40),
  serverUrl: 'https://github.com',
  ...extra,
});
const parse = (inputs: Record<string, string> = {}, ctx: RunContext = context()) =>
  parsePrPreviewSettings((n) => ({ ...base, ...inputs })[n], testEnvironment(), ctx);

describe('pr-preview settings', () => {
  it('auto: cleanup on a closed pull_request or pull_request_target, deploy otherwise', () => {
    expect(parse().command).toBe('deploy');
    expect(parse({}, context({ action: 'closed' })).command).toBe('cleanup');
    expect(parse({}, context({ eventName: 'pull_request_target', action: 'closed' })).command).toBe('cleanup');
    expect(parse({}, context({ eventName: 'workflow_run', action: 'closed' })).command).toBe('deploy');
    expect(parse({ command: 'sweep' }, context({ action: 'closed' })).command).toBe('sweep');
  });

  it('takes the PR and its head from the event, unguarded; an explicit head-sha is a guard', () => {
    expect(parse()).toMatchObject({ number: 7, headSha: 'a'.repeat(40), guardHeadSha: false });
    expect(parse({ 'head-sha': 'B'.repeat(40) })).toMatchObject({ headSha: 'b'.repeat(40), guardHeadSha: true });
  });

  it("a pr-number input replaces the event's PR, and then the event's head is not used", () => {
    const s = parse({ 'pr-number': '12' });
    expect(s.number).toBe(12);
    expect(s.headSha).toBeUndefined();
  });

  it('sweep needs no PR and no source', () => {
    const s = parse({ command: 'sweep', source: '' }, context({ eventName: 'schedule', pullNumber: undefined, headSha: undefined }));
    expect(s.number).toBeUndefined();
    expect(s.sourceDir).toBeUndefined();
  });

  it('reports every bad input at once', () => {
    let error: unknown;
    try {
      parse({ domain: 'http://x', comment: 'flase', 'pr-number': '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputErrors);
    expect((error as InputErrors).errors.map((e) => e.input)).toEqual(['domain', 'pr-number', 'comment']);
  });

  it('an expression default (github.token) is unset outside the runner', () => {
    expect(() => parsePrPreviewSettings((n) => ({ ...base, 'github-token': undefined })[n], testEnvironment(), context())).toThrow(
      /Input 'github-token' is required/,
    );
  });

  it('without GITHUB_REPOSITORY it says so', () => {
    expect(() => parse({}, context({ repo: undefined }))).toThrow(/GITHUB_REPOSITORY/);
  });
});

describe('preview names', () => {
  it('reads PR numbers back from bucket names, and nothing else', () => {
    expect(numberOfBucket('pr-12-acme-web', 'pr-{number}-acme-web')).toBe(12);
    expect(numberOfBucket('pr-x-acme-web', 'pr-{number}-acme-web')).toBeUndefined();
    expect(numberOfBucket('pr-12-acme-web-2', 'pr-{number}-acme-web')).toBeUndefined();
  });

  it('escapes outside text in the comment', () => {
    expect(escapeMarkdown('<img src=x onerror=alert(1)> [link](http://evil) *b*')).toBe(
      '&lt;img src=x onerror=alert\\(1\\)&gt; \\[link\\]\\(http://evil\\) \\*b\\*',
    );
    expect(removedComment({ number: 3, why: '<script>', at: '2026-11-22T00:00:00Z' })).not.toContain('<script>');
  });

  it('puts any name in a code span that holds it verbatim, table-safe', () => {
    expect(codeSpan('assets/app.js')).toBe('`assets/app.js`');
    expect(codeSpan('a`b.html')).toBe('``a`b.html``');
    expect(codeSpan('`x``')).toBe('``` `x`` ```');
    expect(codeSpan('a|b\nc')).toBe('`a\\|b c`');
  });
});
