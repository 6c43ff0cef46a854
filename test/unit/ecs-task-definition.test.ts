import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../src/lib/ecs/command.js';
import {
  diffTaskDefinitions,
  parseTaskDefinition,
  renderTaskDefinition,
  RenderError,
  sameTaskDefinition,
  TaskDefinitionFileError,
} from '../../src/lib/ecs/task-definition.js';
import { apiTaskDefinition, FakeEcs } from '../../stand-ins/fake-ecs.mjs';

describe('splitCommand', () => {
  it.each([
    ['npm run migrate', ['npm', 'run', 'migrate']],
    [`sh -c "npx prisma migrate deploy && echo 'done'"`, ['sh', '-c', "npx prisma migrate deploy && echo 'done'"]],
    [`echo 'a b' "c \\"d\\"" e\\ f`, ['echo', 'a b', 'c "d"', 'e f']],
    [`  spaced   out  `, ['spaced', 'out']],
    [`empty '' ""`, ['empty', '', '']],
  ])('%s', (line, words) => expect(splitCommand(line)).toEqual(words));
  it.each([
    [`echo "unbalanced`, /unbalanced double quote/],
    [`echo 'x`, /unbalanced single quote/],
    ['trailing \\', /lone backslash/],
  ])('%s is refused', (line, message) => {
    expect(() => splitCommand(line)).toThrow(message);
  });
});

describe('task definition files', () => {
  const td = apiTaskDefinition();
  it('reads JSON, YAML and describe-task-definition output, dropping read-only fields', () => {
    const described = {
      taskDefinition: {
        ...td,
        taskDefinitionArn: 'arn:x',
        revision: 3,
        status: 'ACTIVE',
        registeredAt: 1,
        requiresAttributes: [],
        compatibilities: ['FARGATE'],
      },
    };
    const fromJson = parseTaskDefinition(JSON.stringify(described), 'td.json');
    expect(fromJson).not.toHaveProperty('revision');
    expect(fromJson).not.toHaveProperty('taskDefinitionArn');
    const yaml = `family: api\ncontainerDefinitions:\n  - name: api\n    image: x:1\n`;
    expect(parseTaskDefinition(yaml, 'td.yaml')).toEqual({ family: 'api', containerDefinitions: [{ name: 'api', image: 'x:1' }] });
  });
  it.each([
    ['{ not json', 'td.json', /is not valid JSON/],
    ['[1,2]', 'td.json', /must hold a task definition object/],
    ['{"containerDefinitions": [{"name": "a"}]}', 'td.json', /has no 'family'/],
    ['{"family": "a", "containerDefinitions": []}', 'td.json', /has no 'containerDefinitions'/],
    ['{"family": "a", "containerDefinitions": [{"image": "x"}]}', 'td.json', /container definition without a name/],
  ])('%s is refused', (text, name, message) => {
    expect(() => parseTaskDefinition(text, name)).toThrow(TaskDefinitionFileError);
    expect(() => parseTaskDefinition(text, name)).toThrow(message);
  });
});

describe('render and compare', () => {
  const base = parseTaskDefinition(JSON.stringify(apiTaskDefinition('r/api:1')), 'td.json');
  it('sets images per container and upserts environment, keeping = in values', () => {
    const out = renderTaskDefinition(base, {
      images: { api: 'r/api:2' },
      environment: { NODE_ENV: 'staging', DSN: 'a=b;c=d' },
      environmentContainer: 'api',
    });
    expect(out.containerDefinitions![0]).toMatchObject({
      image: 'r/api:2',
      environment: [
        { name: 'NODE_ENV', value: 'staging' },
        { name: 'DSN', value: 'a=b;c=d' },
      ],
    });
    expect(base.containerDefinitions![0]!.image).toBe('r/api:1');
  });
  it('names the containers there are when one is missing', () => {
    expect(() => renderTaskDefinition(base, { images: { web: 'x' }, environment: {} })).toThrow(RenderError);
    expect(() => renderTaskDefinition(base, { images: { web: 'x' }, environment: {} })).toThrow(
      /container 'web', which the task definition does not have \(it has: api\)/,
    );
  });
  it('ignores what ECS adds and the order of keys and environment entries', () => {
    const stored = {
      ...structuredClone(base),
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/api:7',
      revision: 7,
      status: 'ACTIVE',
      containerDefinitions: [
        {
          ...base.containerDefinitions![0]!,
          cpu: 0,
          essential: true,
          mountPoints: [],
          volumesFrom: [],
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' as const }],
          environment: [...base.containerDefinitions![0]!.environment!].reverse(),
        },
      ],
      volumes: [],
      placementConstraints: [],
    };
    expect(sameTaskDefinition(stored, base)).toBe(true);
    expect(diffTaskDefinitions(stored, renderTaskDefinition(base, { images: { api: 'r/api:2' }, environment: {} }))).toEqual([
      { path: 'containerDefinitions[api].image', before: '"r/api:1"', after: '"r/api:2"' },
    ]);
  });
});

describe('compared on meaning, with what ECS fills in accounted for', () => {
  // What a user writes: no enableFaultInjection, no health-check timings, units in words,
  // integers as strings, no protocol or hostPort, no empty lists.
  const file = {
    family: 'api',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '1 vCPU',
    memory: '1 GB',
    containerDefinitions: [
      {
        name: 'api',
        image: 'r/api:1',
        portMappings: [{ containerPort: '8080' }],
        healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'] },
        environment: [{ name: 'RETRIES', value: '3' }],
      },
    ],
  };
  // What DescribeTaskDefinition returns for it (the scripted ECS stores it as ECS does).
  const stored = () => {
    const fake = new FakeEcs();
    return fake.definition(fake.registerTaskDefinition(structuredClone(file)))!;
  };

  it('ECS stores the defaults it fills in', () => {
    expect(stored()).toMatchObject({
      enableFaultInjection: false,
      cpu: '1024',
      memory: '1024',
      containerDefinitions: [
        { cpu: 0, essential: true, healthCheck: { interval: 30, timeout: 5, retries: 3 }, portMappings: [{ protocol: 'tcp' }] },
      ],
    });
  });

  it('a file without them is the same task definition', () => {
    const parsed = parseTaskDefinition(JSON.stringify(file), 'td.json');
    expect(diffTaskDefinitions(stored(), parsed)).toEqual([]);
    const yaml = `family: api\nnetworkMode: awsvpc\nrequiresCompatibilities: [FARGATE]\ncpu: 1024\nmemory: 1024\ncontainerDefinitions:\n  - name: api\n    image: r/api:1\n    portMappings: [{ containerPort: 8080, hostPort: 8080 }]\n    healthCheck: { command: [CMD-SHELL, 'curl -f http://localhost:8080/health || exit 1'], startPeriod: 0 }\n    environment: [{ name: RETRIES, value: 3 }]\n`;
    expect(diffTaskDefinitions(stored(), parseTaskDefinition(yaml, 'td.yaml'))).toEqual([]);
  });

  it.each([
    [
      'a health-check timing that differs from the default',
      (td: typeof file) => Object.assign(td.containerDefinitions[0]!.healthCheck, { retries: 5 }),
      'containerDefinitions[api].healthCheck.retries',
    ],
    ['fault injection turned on', (td: typeof file) => Object.assign(td, { enableFaultInjection: true }), 'enableFaultInjection'],
    ['more memory', (td: typeof file) => Object.assign(td, { memory: '2 GB' }), 'memory'],
    [
      'an environment value "3" → "3.0" (text, not a number)',
      (td: typeof file) => Object.assign(td.containerDefinitions[0]!.environment[0]!, { value: '3.0' }),
      'containerDefinitions[api].environment[RETRIES].value',
    ],
  ])('%s is a change', (_name, change, path) => {
    const td = structuredClone(file);
    change(td);
    expect(diffTaskDefinitions(stored(), parseTaskDefinition(JSON.stringify(td), 'td.json')).map((d) => d.path)).toEqual([path]);
  });

  it('describe-task-definition output keeps its tags', () => {
    const parsed = parseTaskDefinition(JSON.stringify({ taskDefinition: file, tags: [{ key: 'team', value: 'api' }] }), 'td.json');
    expect(parsed.tags).toEqual([{ key: 'team', value: 'api' }]);
  });
});
