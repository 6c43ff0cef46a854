// The environment a driver passes to a definition, for tests that call a settings parser directly.
import type { ActionEnvironment } from '../../src/inputs/reader.js';

/** This process's variables and folder, as the CLI passes them; `vars` replaces the variables, `as: 'step'` acts as the runner. */
export function testEnvironment(
  options: { vars?: ActionEnvironment['vars']; as?: ActionEnvironment['as']; cwd?: string } = {},
): ActionEnvironment {
  return { vars: options.vars ?? process.env, cwd: options.cwd ?? process.cwd(), as: options.as ?? 'command' };
}
