// One moto_server for the whole test run; every test uses its own bucket names.
import type { TestProject } from 'vitest/node';
import { startMoto } from '../../scripts/lib/moto.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
