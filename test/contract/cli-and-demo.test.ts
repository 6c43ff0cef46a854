// The quick start's promises: `npm run demo` works on its own, and the slipway CLI runs the same
// library as the action.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { bucketState, motoEndpoint, newBucket, writeSite } from '../support/s3.js';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

describe('slipway CLI', () => {
  it('deploys with flags named after the inputs', async () => {
    const bucket = await newBucket();
    const site = writeSite({ 'index.html': 'hi', 'assets/a.js': 'a' });
    const { stdout } = await exec(
      process.execPath,
      ['bin/slipway.js', 'deploy-static', '--source', site, '--bucket', bucket, '--prefix', 'web', '--cache-control', '*.js=no-store'],
      {
        cwd: root,
        env: { ...process.env, ...awsEnvFor(motoEndpoint()) },
      },
    );
    expect(stdout).toContain('uploaded=2');
    const state = await bucketState(bucket);
    expect(state.get('web/assets/a.js')?.cacheControl).toBe('no-store');
  });

  it('rejects an unknown flag, naming it, as a usage error (exit 2)', async () => {
    const attempt = exec(process.execPath, ['bin/slipway.js', 'deploy-static', '--sorce', 'x'], { cwd: root });
    await expect(attempt).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown flag --sorce for slipway deploy-static; did you mean --source\?/) as unknown,
    });
  });
});

describe('npm run demo', () => {
  interface Step {
    section: string;
    name: string;
    action: string;
    exitCode: number | null;
    ran: boolean;
    status: string;
    outputs: Record<string, string>;
  }
  type Objects = Record<string, { etag: string; contentType: string; cacheControl: string }>;
  interface Report {
    ok: boolean;
    totalMs: number;
    steps: Step[];
    checks: { what: string; ok: boolean }[];
    evidence: {
      moto: { endpoint: string; pid?: number };
      staging: { changedPaths: string[]; invalidationPaths: string[] };
      preview: {
        objectsAfterDeploy: number;
        objectsAfterCleanup: number;
        comments: { id: number; body: string }[];
        commentsAfterDeploy: { id: number; body: string }[];
        deployments: { environment: string; statuses: string[] }[];
      };
      production: { staging: Objects; production: Objects; invalidationPaths: string[][] };
      releases: {
        staging: { l: string; b?: string };
        production: { l: string; b?: string };
        ids: { v1: string; v2: string };
        pops: { pop: string; lagMs: number }[];
        steps: Record<
          string,
          { storeWrites: number; verified: { paths: string[]; hosts: string[] }; polled: string[]; propagationMs: string }
        >;
      };
      api: {
        outputs: Record<string, string>;
        migration: { taskDefinition: string; container: string; command: string[]; beforeUpdate: boolean };
        service: { taskDefinition: string; deployments: { rolloutState: string }[] };
        healthChecks: number;
      };
    };
  }

  it('runs the seed pipeline on its own endpoints: every step green, preview up then down, production = staging, API migrated and rolled out; stops its moto', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-demo-test-'));
    const reportFile = join(dir, 'report.json');
    let stdout: string;
    let report: Report;
    try {
      // exec rejects on a non-zero exit (or past the 90-second budget), so getting here means exit 0.
      ({ stdout } = await exec(process.execPath, ['scripts/demo.mjs', '--report', reportFile], { cwd: root, timeout: 90_000 }));
      report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const step = (name: string) => report.steps.find((s) => s.name === name)!;

    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => `${s.action}: ${s.name}`)).toEqual([
      'deploy-static: staging: deploy build 1',
      'invalidate: staging: invalidate',
      'deploy-static: staging: deploy build 2 (one file changed)',
      'invalidate: staging: invalidate changed paths',
      'pr-preview: preview: PR 42 opened',
      'pr-preview: preview: PR 42 closed',
      'deploy-static: production: the release it serves (build 1)',
      'deploy-static: production: promote staging (build 2)',
      'invalidate: production: invalidate',
      'deploy-static: web staging: deploy v1 as a release',
      'deploy-static: web staging: deploy v2 as a release',
      'release: web production: promote staging → production',
      'release: web staging: roll back to v1',
      'ecs-deploy: api: deploy image 1.5.0 with migration',
    ]);
    for (const s of report.steps)
      expect({ step: s.name, ran: s.ran, exitCode: s.exitCode }).toEqual({ step: s.name, ran: true, exitCode: 0 });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(stdout).toMatch(/═══ Report/);
    expect(stdout).toMatch(/all steps succeeded/);

    // Staging: the one-file change of a fresh build uploads one file and invalidates only its paths.
    expect(step('staging: deploy build 1').outputs).toMatchObject({ uploaded: '7', skipped: '0' });
    expect(step('staging: deploy build 2 (one file changed)').outputs).toMatchObject({
      uploaded: '1',
      skipped: '6',
      'changed-paths': '["/about/","/about/index.html"]',
    });
    expect(report.evidence.staging.invalidationPaths).toEqual(['/about/', '/about/index.html']);

    // PR 42: deployed, then removed; one comment throughout, the deployment ends inactive.
    expect(step('preview: PR 42 opened').outputs).toMatchObject({
      status: 'deployed',
      url: 'https://pr-42.app.connect.com',
      prefix: 'pr-42/',
    });
    expect(step('preview: PR 42 closed').outputs.status).toBe('removed');
    const preview = report.evidence.preview;
    expect(preview.objectsAfterDeploy).toBe(7);
    expect(preview.objectsAfterCleanup).toBe(0);
    expect(preview.commentsAfterDeploy).toHaveLength(1);
    expect(preview.commentsAfterDeploy[0]!.body).toContain('https://pr-42.app.connect.com');
    expect(preview.comments).toHaveLength(1);
    expect(preview.comments[0]!.id).toBe(preview.commentsAfterDeploy[0]!.id);
    expect(preview.comments[0]!.body).toContain('Preview removed');
    expect(preview.deployments).toEqual([
      expect.objectContaining({ environment: 'preview/pr-42', statuses: ['in_progress', 'success', 'inactive'] }),
    ]);

    // Production: promoted server-side from staging, the same objects with the same headers.
    const { staging, production } = report.evidence.production;
    expect(Object.keys(staging).sort()).toEqual([
      '.well-known/security.txt',
      'about/index.html',
      'assets/index-4f1c2a.css',
      'assets/index-9b3e7d.js',
      'favicon.svg',
      'index.html',
      'robots.txt',
    ]);
    expect(production).toEqual(staging);
    expect(report.evidence.production.invalidationPaths).toEqual([['/about/', '/about/index.html']]);

    // Releases: staging deployed twice, production promoted by pointer, staging rolled back.
    const releases = report.evidence.releases;
    expect(releases.production).toEqual({ l: `staging~${releases.ids.v2}` });
    expect(releases.staging).toEqual({ l: `staging~${releases.ids.v1}`, b: releases.ids.v2 });
    expect(step('web staging: deploy v2 as a release').outputs).toMatchObject({
      'changed-paths': '[]',
      'previous-release-id': releases.ids.v1,
    });
    // Each switch was verified through the edge stand-in with the release's token (the page and what it
    // references), then waited for on the switched site's host until every POP answered the new id.
    expect(Object.keys(releases.steps)).toEqual(['deploy v1', 'deploy v2', 'promote staging → production', 'roll staging back to v1']);
    for (const [what, s] of Object.entries(releases.steps)) {
      expect(s.verified.hosts, what).toEqual(['staging.connect.com']);
      expect(s.verified.paths, what).toEqual(expect.arrayContaining(['/', '/assets/style-D4f5g6h7.css', '/manifest.webmanifest']));
      expect(s.propagationMs, what).toMatch(/^\d+$/);
      const host = what.startsWith('promote') ? 'www.connect.com' : 'staging.connect.com';
      expect(s.polled.sort(), what).toEqual(releases.pops.map((p) => `${host} at ${p.pop}`).sort());
    }

    // API: the migration ran as a task of the new revision before the service moved; the rollout completed.
    const api = report.evidence.api;
    expect(api.outputs).toMatchObject({
      status: 'completed',
      'task-definition-arn': expect.stringMatching(/task-definition\/api:2$/) as unknown,
      'previous-task-definition-arn': expect.stringMatching(/task-definition\/api:1$/) as unknown,
    });
    expect(api.migration).toEqual({
      taskDefinition: api.outputs['task-definition-arn'],
      container: 'api',
      command: ['npm', 'run', 'migrate'],
      beforeUpdate: true,
    });
    expect(api.service.taskDefinition).toBe(api.outputs['task-definition-arn']);
    expect(api.service.deployments.map((d) => d.rolloutState)).toEqual(['COMPLETED']);
    expect(api.healthChecks).toBeGreaterThan(0);

    // Its moto_server is gone: neither its pid nor a moto_server on its port is left.
    const { pid, endpoint } = report.evidence.moto;
    const port = new URL(endpoint).port;
    const { stdout: ps } = await exec('ps', ['-eo', 'pid=,args=']);
    expect(ps.split('\n').filter((l) => /moto_server/.test(l) && new RegExp(`-p ${port}(\\s|$)`).test(l))).toEqual([]);
    if (process.platform === 'linux') {
      expect(pid).toEqual(expect.any(Number));
      expect(() => process.kill(pid!, 0)).toThrow(/ESRCH/);
    }
  }, 120_000);
});
