import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../src/ecs/command.js';
import { diffTaskDefinitions, parseTaskDefinition, renderTaskDefinition, RenderError, sameTaskDefinition, TaskDefinitionFileError } from '../../src/ecs/task-definition.js';
import { apiTaskDefinition } from '../../scripts/lib/fake-ecs.mjs';

describe('splitCommand', () => {
  it.each([
    ['npm run migrate', ['npm', 'run', 'migrate']],
    [`sh -c "npx prisma migrate deploy && echo 'done'"`, ['sh', '-c', "npx prisma migrate deploy && echo 'done'"]],
    [`echo 'a b' "c \\"d\\"" e\\ f`, ['echo', 'a b', 'c "d"', 'e f']],
    [`  spaced   out  `, ['spaced', 'out']],
    [`empty '' ""`, ['empty', '', '']],
  ])('%s', (line, words) => expect(splitCommand(line)).toEqual(words));
  it.each([[`echo "unbalanced`, /unbalanced double quote/], [`echo 'x`, /unbalanced single quote/], ['trailing \\', /lone backslash/]])('%s is refused', (line, message) => {
    expect(() => splitCommand(line)).toThrow(message);
  });
});

describe('task definition files', () => {
  const td = apiTaskDefinition();
  it('reads JSON, YAML and describe-task-definition output, dropping read-only fields', () => {
    const described = { taskDefinition: { ...td, taskDefinitionArn: 'arn:x', revision: 3, status: 'ACTIVE', registeredAt: 1, requiresAttributes: [], compatibilities: ['FARGATE'] } };
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
    const out = renderTaskDefinition(base, { images: { api: 'r/api:2' }, environment: { NODE_ENV: 'staging', DSN: 'a=b;c=d' }, environmentContainer: 'api' });
    expect(out.containerDefinitions![0]).toMatchObject({ image: 'r/api:2', environment: [{ name: 'NODE_ENV', value: 'staging' }, { name: 'DSN', value: 'a=b;c=d' }] });
    expect(base.containerDefinitions![0]!.image).toBe('r/api:1');
  });
  it('names the containers there are when one is missing', () => {
    expect(() => renderTaskDefinition(base, { images: { web: 'x' }, environment: {} })).toThrow(RenderError);
    expect(() => renderTaskDefinition(base, { images: { web: 'x' }, environment: {} })).toThrow(/container 'web', which the task definition does not have \(it has: api\)/);
  });
  it('ignores what ECS adds and the order of keys and environment entries', () => {
    const stored = {
      ...structuredClone(base),
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/api:7',
      revision: 7,
      status: 'ACTIVE',
      containerDefinitions: [{ ...base.containerDefinitions![0]!, cpu: 0, essential: true, mountPoints: [], volumesFrom: [], portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' as const }], environment: [...base.containerDefinitions![0]!.environment!].reverse() }],
      volumes: [],
      placementConstraints: [],
    };
    expect(sameTaskDefinition(stored, base)).toBe(true);
    expect(diffTaskDefinitions(stored, renderTaskDefinition(base, { images: { api: 'r/api:2' }, environment: {} }))).toEqual([{ path: 'containerDefinitions[api].image', before: '"r/api:1"', after: '"r/api:2"' }]);
  });
});
