import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { readdirSync } from 'node:fs';

// The layers every file under src/ (but the drivers) keeps to.
const LAYER_PATTERNS = [
  {
    group: ['@actions/core'],
    message: 'Only src/drivers/actions-runner.ts talks to the Actions toolkit: definitions return outputs and a summary.',
  },
  { group: ['**/drivers/**'], message: 'Drivers run definitions; nothing below them imports a driver.' },
];
// One folder per action under src/actions; each imports no other's (shared parsers are in src/inputs,
// shared formatting in src/lib/util, the definition type in src/actions/definition.ts).
const ACTION_FOLDERS = readdirSync(new URL('src/actions/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
/** @param {string} name */
const otherActions = (name) => ACTION_FOLDERS.filter((other) => other !== name);

export default tseslint.config(
  // demo/site is a sample build (browser code), not project code.
  { ignores: ['**/dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'demo/site/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.all.json'], tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      // Keys and prefixes are checked for control characters on purpose.
      'no-control-regex': 'off',
      'no-console': 'off',
    },
  },
  {
    // Layers, told by the path: src/lib (domain code) knows nothing of the actions, the drivers or
    // the Actions toolkit; src/actions/<name> (one definition per action) and src/inputs (the input
    // parsers) know nothing of the drivers; only the runner driver talks to @actions/core.
    files: ['src/**/*.ts'],
    ignores: ['src/drivers/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: LAYER_PATTERNS }],
    },
  },
  // (A later block replaces the rule's options for its files, so each repeats the layers.)
  ...ACTION_FOLDERS.map(
    (name) =>
      /** @type {import('eslint').Linter.Config} */ ({
        files: [`src/actions/${name}/**/*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                ...LAYER_PATTERNS,
                {
                  regex: `^(\\.\\./)+(actions/)?(${otherActions(name).join('|')})(/|$)`,
                  message: `src/actions/${name} is one action's adapter: it imports no other action's folder. Shared input parsers live in src/inputs, shared formatting in src/lib/util.`,
                },
              ],
            },
          ],
        },
      }),
  ),
  {
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/core'],
              message: 'src/lib is the domain library: it knows nothing of the Actions runtime (@actions/github is only its Octokit).',
            },
            {
              group: ['**/drivers/**', '**/actions/**'],
              message: 'src/lib is the domain library: it never imports an action definition or a driver.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The edge router is CloudFront Functions code (cloudfront-js-2.0): no type check, `catch (e)`
    // (optional catch bindings are not in its language subset), and a handler only CloudFront calls.
    files: ['src/lib/router/edge/**/*.js'],
    rules: { '@typescript-eslint/ban-ts-comment': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
);
