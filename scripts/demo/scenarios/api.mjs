// API → ECS: a new image, the migration as a one-off task first, a rolling deployment, /health.
import { awsEnvFor } from '../../../stand-ins/moto.mjs';
import { apiTaskDefinition } from '../../../stand-ins/fake-ecs.mjs';
import { API_REPO } from '../world.mjs';

const OLD_IMAGE = 'registry.example.com/connect2/api:1.4.0';
const NEW_IMAGE = 'registry.example.com/connect2/api:1.5.0';
const DEPLOY = { name: 'api: deploy image 1.5.0 with migration', action: 'ecs-deploy' };

/** @type {import('../harness.mjs').Scenario} */
export default {
  section: 'api',
  title: 'API → ECS (migrate, roll out, check /health)',
  steps: [DEPLOY],
  async run({ step, check, workflowRun, ecs, healthUrl, healthChecks }) {
    ecs.createService('api', ecs.registerTaskDefinition(apiTaskDefinition(OLD_IMAGE)), { desiredCount: 2 });
    ecs.script('api', { kind: 'complete', after: 1 });
    ecs.migration = {
      statuses: ['STOPPED'],
      exitCode: 0,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      logs: [
        '> api@1.5.0 migrate',
        '> node-pg-migrate up',
        'Migrating files: 20250301_add_team_pages',
        '### MIGRATION 20250301_add_team_pages (UP) ###',
        'Migrations complete!',
      ],
    };
    const push = { ...workflowRun(API_REPO, 'push', { ref: 'refs/heads/main', after: 'c3'.repeat(20) }), ...awsEnvFor(ecs.endpoint) };
    const deployed = await step(
      DEPLOY,
      {
        cluster: 'prod',
        service: 'api',
        'container-name': 'api',
        image: NEW_IMAGE,
        'migrate-command': 'npm run migrate',
        'health-check-url': healthUrl,
        timeout: '2m',
      },
      push,
    );
    const order = ecs.calls.map((c) => c.operation);
    const runTask = ecs.ops('RunTask')[0]?.input;
    const overrides = /** @type {{ containerOverrides?: { name?: string, command?: string[] }[] } | undefined} */ (runTask?.overrides);
    const migration = overrides?.containerOverrides?.[0];
    const service = ecs.service('api');
    check(
      'the migration ran as a one-off task of the new revision, before the service changed',
      runTask !== undefined &&
        runTask.taskDefinition === deployed.outputs['task-definition-arn'] &&
        order.indexOf('RunTask') < order.indexOf('UpdateService'),
      `${migration?.name ?? '?'}: ${(migration?.command ?? []).join(' ')}`,
    );
    check(
      'the service runs the new revision, rollout completed, /health answered',
      service.taskDefinition === deployed.outputs['task-definition-arn'] &&
        service.deployments.length === 1 &&
        service.deployments[0]?.rolloutState === 'COMPLETED' &&
        healthChecks() > 0,
      `${service.deployments.map((d) => `${d.id} ${d.rolloutState}`).join(', ')}; ${healthChecks()} health check(s)`,
    );
    return {
      outputs: deployed.outputs,
      migration: {
        taskDefinition: runTask?.taskDefinition,
        container: migration?.name,
        command: migration?.command,
        beforeUpdate: order.indexOf('RunTask') >= 0 && order.indexOf('RunTask') < order.indexOf('UpdateService'),
      },
      service: {
        taskDefinition: service.taskDefinition,
        deployments: service.deployments.map((d) => ({ id: d.id, rolloutState: d.rolloutState, taskDefinition: d.taskDefinition })),
      },
      healthChecks: healthChecks(),
      operations: order,
    };
  },
};
