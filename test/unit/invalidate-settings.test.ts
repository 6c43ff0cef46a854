import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputErrors } from '../../src/inputs/errors.js';
import { parseInvalidateSettings } from '../../src/actions/invalidate/settings.js';
import { testEnvironment } from '../support/environment.js';

const parse = (inputs: Record<string, string>) =>
  parseInvalidateSettings(
    (name) => inputs[name],
    testEnvironment({ vars: { GITHUB_REPOSITORY: 'acme/web', GITHUB_RUN_ID: '42' }, as: 'step' }),
  );

describe('invalidate settings', () => {
  it('takes defaults from action.yml', () => {
    expect(parse({ 'distribution-id': 'E2QWRUHAPOMQZL' })).toMatchObject({
      distributionIds: ['E2QWRUHAPOMQZL'],
      paths: ['/*'],
      maxPaths: 20,
      wait: true,
      timeoutMs: 15 * 60_000,
      run: { repository: 'acme/web', runId: '42' },
    });
  });
  it('reads several ids, and deploy-static changed-paths as JSON', () => {
    const s = parse({ 'distribution-id': 'E2QWRUHAPOMQZL, E1AAAAAAAAAAAA\nE1AAAAAAAAAAAA', paths: '["/","/index.html","/a b.js"]' });
    expect(s.distributionIds).toEqual(['E2QWRUHAPOMQZL', 'E1AAAAAAAAAAAA']);
    expect(s.paths).toEqual(['/', '/a%20b.js', '/index.html']);
  });
  it('a lower-case id is the id it clearly is', () => {
    expect(parse({ 'distribution-id': 'e2qwruhapomqzl' }).distributionIds).toEqual(['E2QWRUHAPOMQZL']);
  });
  it('reads paths-file (deploy-static changed-paths-file) instead of paths, and refuses both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paths-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify(['/a.js', '/faq%3F.html']));
    expect(parse({ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '/*', 'paths-file': join(dir, 'p.json') }).requestedPaths).toEqual([
      '/a.js',
      '/faq%3F.html',
    ]);
    expect(() => parse({ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '/x', 'paths-file': join(dir, 'p.json') })).toThrow(
      /Input 'paths-file' replaces 'paths'/,
    );
    expect(() => parse({ 'distribution-id': 'E2QWRUHAPOMQZL', 'paths-file': join(dir, 'missing.json') })).toThrow(
      /Input 'paths-file' must be a readable file of paths.*ENOENT/,
    );
  });
  it('an empty JSON list, or an empty input, means nothing to do', () => {
    expect(parse({ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '[]' })).toMatchObject({ paths: [], pathsInputEmpty: false });
    expect(parse({ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '' })).toMatchObject({ paths: [], pathsInputEmpty: true });
  });
  it('collapses above max-paths', () => {
    const paths = Array.from({ length: 30 }, (_, i) => `/assets/c${i}.js`).join('\n');
    expect(parse({ 'distribution-id': 'E2QWRUHAPOMQZL', paths })).toMatchObject({
      paths: ['/assets/*'],
      requestedPaths: expect.any(Array) as unknown,
    });
  });
  it.each([
    [{ 'distribution-id': '' }, /Input 'distribution-id' is required/],
    [{ 'distribution-id': 'arn:aws:cloudfront::1:distribution/E2' }, /Input 'distribution-id' must be/],
    [{ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '["/a", 3]' }, /Input 'paths' must be paths/],
    [{ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '["/a"' }, /Input 'paths' .*does not parse/],
    [{ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '/a/*/b' }, /Input 'paths' .*a \* may only end a path/],
    [{ 'distribution-id': 'E2QWRUHAPOMQZL', 'max-paths': '0' }, /Input 'max-paths' must be a whole number from 1 to 3000/],
    [{ 'distribution-id': 'E2QWRUHAPOMQZL', wait: 'yes' }, /Input 'wait' must be true or false/],
    [{ 'distribution-id': 'E2QWRUHAPOMQZL', timeout: '15 minutes' }, /Input 'timeout' must be a duration/],
    [{ 'distribution-id': 'E2QWRUHAPOMQZL', timeout: '0' }, /Input 'timeout' must be a duration of at least 1s/],
    [{ 'distribution-id': 'E2QWRUHAPOMQZL', 'caller-reference': 'has space' }, /Input 'caller-reference' must be 1 to 128 printable/],
  ])('%j is refused', (inputs, message) => {
    expect(() => parse(inputs as Record<string, string>)).toThrow(InputErrors);
    expect(() => parse(inputs as Record<string, string>)).toThrow(message);
  });
});
