// The command line's parsing, suggestions and wording, from the action specs.
import { describe, expect, it } from 'vitest';
import {
  commandHelp,
  describeInputErrors,
  generatedExample,
  parseCommandLine,
  suggestion,
  UsageError,
} from '../../src/drivers/cli/args.js';
import { actionSpecs } from '../../src/generated/action-specs.js';
import { InputError, InputErrors } from '../../src/inputs/errors.js';

const parse = (...argv: string[]) => parseCommandLine('deploy-static', argv);

describe('parseCommandLine', () => {
  it('reads --name value, --name=value, repeated flags as lines, and boolean flags', () => {
    const line = parse(
      '--source',
      'dist',
      '--bucket=b',
      '--cache-control',
      '*.js=no-store',
      '--cache-control',
      '*.css=no-cache',
      '--dry-run',
      '--no-delete',
    );
    expect(['source', 'bucket', 'cache-control', 'dry-run', 'delete', 'prefix'].map((n) => line.inputs(n))).toEqual([
      'dist',
      'b',
      '*.js=no-store\n*.css=no-cache',
      'true',
      'false',
      undefined,
    ]);
    expect(line).toMatchObject({ help: false, verbose: false, json: false });
  });

  it('takes the common flags anywhere, and -h/--help wins over everything else', () => {
    expect(parse('--json', '--source', 'dist', '--verbose')).toMatchObject({ json: true, verbose: true });
    expect(parse('--nonsense', '-h').help).toBe(true);
    expect(parse('--help').help).toBe(true);
  });

  it.each([
    [['--dryrun'], /^unknown flag --dryrun for slipway deploy-static; did you mean --dry-run\?$/],
    [['--buckt', 'x'], /did you mean --bucket\?/],
    [['--jsn'], /did you mean --json\?/],
    [['--colour', 'red'], /^unknown flag --colour for slipway deploy-static$/],
    [['dist'], /unexpected argument "dist": slipway deploy-static takes only --flags/],
    [['--bucket'], /flag --bucket needs a value: --bucket <value> or --bucket=<value>/],
    [['--bucket', '--dry-run'], /flag --bucket needs a value/],
    [['--no-bucket'], /unknown flag --no-bucket/],
    [['--no-dry-run=true'], /flag --no-dry-run takes no value/],
    [['--json=yes'], /flag --json takes no value/],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});

describe('suggestion', () => {
  it.each([
    ['deploy-statik', ['deploy-static', 'invalidate'], '; did you mean deploy-static?'],
    ['invalidat', ['deploy-static', 'invalidate'], '; did you mean invalidate?'],
    ['ecs', ['ecs-deploy', 'invalidate'], '; did you mean ecs-deploy?'],
    ['zzz', ['deploy-static', 'invalidate'], ''],
  ])('%s → %j', (word, candidates, want) => {
    expect(suggestion(word, candidates)).toBe(want);
  });
});

describe('describeInputErrors', () => {
  it('names flags as flags, every problem on its own line, other names as they are', () => {
    const error = new InputErrors([
      new InputError('bucket', 'must be an S3 bucket name', 'Bad_B'),
      new InputError('GITHUB_REPOSITORY', 'must be owner/name'),
    ]);
    expect(describeInputErrors('deploy-static', error)).toBe(
      `Flag --bucket must be an S3 bucket name (got "Bad_B").\nInput 'GITHUB_REPOSITORY' must be owner/name.`,
    );
  });
});

describe('help', () => {
  it.each(Object.keys(actionSpecs) as Array<keyof typeof actionSpecs>)(
    '%s: every input as a flag, the common flags, the example, the exit codes',
    (action) => {
      const help = commandHelp(action, [generatedExample(action)]);
      for (const name of Object.keys(actionSpecs[action].inputs)) expect(help).toMatch(new RegExp(`^  --${name}\\b`, 'm'));
      expect(help).toMatch(/^ {2}--json /m);
      expect(help).toContain(`Example:\n  ${generatedExample(action)}`);
      expect(help).toMatch(/^ {2}2 {2}usage error/m);
    },
  );

  it('a generated example gives every required flag', () => {
    expect(generatedExample('deploy-static')).toBe('slipway deploy-static --source <source> --bucket <bucket>');
  });
});
