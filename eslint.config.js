import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
    // Only the library is forbidden from knowing about the Actions runtime.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@actions/core'], message: 'The library knows nothing of @actions/core: read inputs and write outputs in actions/<name>/src.' }] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The edge router is CloudFront Functions code (cloudfront-js-2.0): no type check, `catch (e)`
    // (optional catch bindings are not in its language subset), and a handler only CloudFront calls.
    files: ['src/router/edge/**/*.js'],
    rules: { '@typescript-eslint/ban-ts-comment': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
);
