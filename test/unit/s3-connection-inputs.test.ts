// region, endpoint and force-path-style: the actions that talk to S3 parse them alike, into the
// S3 client's settings, and report every one that is wrong at once.
import { describe, expect, it } from 'vitest';
import { parseDeployStaticSettings } from '../../src/actions/deploy-static/settings.js';
import { parseReleaseSettings } from '../../src/actions/release/settings.js';
import { testEnvironment } from '../support/environment.js';
import { writeSite } from '../support/s3.js';

const site = writeSite({ 'index.html': 'x' });
const env = testEnvironment({ vars: {} });

const ACTIONS = {
  'deploy-static': (inputs: Record<string, string>) =>
    parseDeployStaticSettings((name) => ({ source: site, bucket: 'ok-bucket', ...inputs })[name], env).aws,
  release: (inputs: Record<string, string>) =>
    parseReleaseSettings((name) => ({ bucket: 'web', router: 'web-router', ...inputs })[name], env).aws,
};

describe.each(Object.entries(ACTIONS))('%s', (_name, aws) => {
  it('leaves all three to the SDK when none is given', () => {
    expect(aws({})).toStrictEqual({ region: undefined, endpoint: undefined, forcePathStyle: undefined, concurrency: 16 });
  });

  it('passes the given ones to the S3 client, trimmed', () => {
    expect(aws({ region: ' eu-west-1 ', endpoint: 'http://127.0.0.1:9000\n', 'force-path-style': 'False' })).toStrictEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: false,
      concurrency: 16,
    });
    expect(aws({ 'force-path-style': 'true' }).forcePathStyle).toBe(true);
  });

  it('reports each one that is wrong, in input order, in one error', () => {
    expect(() => aws({ region: 'us-eats-1', endpoint: 'localhost:9000', 'force-path-style': 'on' })).toThrow(
      '3 inputs are invalid: ' +
        'Input \'region\' must be an AWS region such as us-east-1 or eu-west-1; did you mean us-east-1? (got "us-eats-1"). ' +
        'Input \'endpoint\' must be an http:// or https:// URL (got "localhost:9000"). ' +
        'Input \'force-path-style\' must be true or false (got "on").',
    );
  });
});
