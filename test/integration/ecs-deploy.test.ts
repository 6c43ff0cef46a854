// render → register → update against moto's ECS (which never runs a rollout: wait is off here;
// the rollout paths are tested against the scripted ECS in test/unit/ecs-deploy.test.ts).
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { deployToEcs, type EcsDeployRequest } from '../../src/lib/ecs/deploy.js';
import { parseTaskDefinition } from '../../src/lib/ecs/task-definition.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { systemClock } from '../../src/lib/util/clock.js';
import { apiTaskDefinition } from '../../stand-ins/fake-ecs.mjs';
import { motoEndpoint } from '../support/s3.js';

const config = () => ({ endpoint: motoEndpoint(), region: 'us-east-1' });
let cluster: string;

beforeEach(async () => {
  const ecs = new ECSClient(config());
  cluster = `c-${randomBytes(4).toString('hex')}`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const td = apiTaskDefinition('registry.example.com/api:1.0.0');
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand(parseTaskDefinition(JSON.stringify({ ...td, family: `api-${cluster}` }), 'td.json')),
  );
  const ec2 = new EC2Client(config());
  const subnets = await ec2.send(new DescribeSubnetsCommand({}));
  const groups = await ec2.send(new DescribeSecurityGroupsCommand({}));
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'api',
      taskDefinition: registered.taskDefinition!.taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [subnets.Subnets![0]!.SubnetId!], securityGroups: [groups.SecurityGroups![0]!.GroupId!] },
      },
    }),
  );
});

const deploy = (overrides: Partial<EcsDeployRequest>) =>
  deployToEcs(
    {
      cluster,
      services: ['api'],
      containerName: 'api',
      images: {},
      environment: {},
      wait: false,
      timeoutMs: 60_000,
      rollback: true,
      forceNewDeployment: false,
      dryRun: false,
      ...overrides,
    },
    { clients: { ecs: new ECSClient(config()), logs: new CloudWatchLogsClient(config()) }, clock: systemClock, log: silentLogger },
  );

describe('ecs-deploy against moto', () => {
  it('renders the new image, registers a revision and points the service at it', async () => {
    const result = await deploy({ image: 'registry.example.com/api:2.0.0', environment: { FEATURE_X: 'on' } });
    expect(result.status).toBe('started');
    expect(result.taskDefinitionArn).toMatch(new RegExp(`task-definition/api-${cluster}:2$`));
    const ecs = new ECSClient(config());
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.taskDefinitionArn }))).taskDefinition!;
    expect(td.containerDefinitions![0]).toMatchObject({
      image: 'registry.example.com/api:2.0.0',
      environment: expect.arrayContaining([{ name: 'FEATURE_X', value: 'on' }]) as unknown,
    });
    const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['api'] }))).services![0]!;
    expect(service.taskDefinition).toBe(result.taskDefinitionArn);
  });

  it('sees no change when the rendered definition equals what ECS stored (ECS-added fields ignored)', async () => {
    const result = await deploy({ image: 'registry.example.com/api:1.0.0' });
    expect(result.status).toBe('unchanged');
    expect(result.diff).toEqual([]);
  });

  it('takes the definition from a file, and sees no change when the file matches what runs', async () => {
    const file = parseTaskDefinition(
      JSON.stringify({ taskDefinition: { ...apiTaskDefinition('registry.example.com/api:1.0.0'), family: `api-${cluster}` } }),
      'td.json',
    );
    const same = await deploy({ taskDefinition: file, image: undefined, containerName: undefined });
    expect(same.diff).toEqual([]);
    expect(same.status).toBe('unchanged');
    const changed = await deploy({ taskDefinition: { ...file, memory: '1024' }, image: undefined, containerName: undefined });
    expect(changed.diff).toEqual([{ path: 'memory', before: '"512"', after: '"1024"' }]);
    expect(changed.status).toBe('started');
  });
});
