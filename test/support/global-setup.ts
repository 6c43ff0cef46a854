// Before any test: the programs outside npm (test/support/prerequisites.ts) are checked once, and
// one moto_server serves the whole run; every test uses its own bucket names.
import type { TestProject } from 'vitest/node';
import { startMoto } from '../../stand-ins/moto.mjs';
import { checkPrerequisites } from './prerequisites.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // One line per missing optional tool, here and nowhere else; a missing required one (or any, in CI) stops the run.
  for (const line of checkPrerequisites()) console.warn(`prerequisites: ${line}`);
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
