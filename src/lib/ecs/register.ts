// The new revision: registered, then (when asked) its migration run — both before any service changes.
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { runMigration } from './migration.js';
import { mark, type DeployRun, type Failure, type Progress } from './progress.js';
import { targetContainer } from './render.js';
import type { TaskDefinitionInput } from './task-definition.js';

export async function register(run: DeployRun, progress: Progress, rendered: TaskDefinitionInput): Promise<void> {
  const registered = await run.deps.clients.ecs.send(new RegisterTaskDefinitionCommand(rendered));
  progress.definition = registered.taskDefinition;
  progress.result.taskDefinitionArn = progress.definition?.taskDefinitionArn ?? '';
  mark(
    run,
    progress,
    `registered ${progress.result.taskDefinitionArn}${rendered.tags?.length ? ` with ${rendered.tags.length} tag${rendered.tags.length === 1 ? '' : 's'}` : ''}`,
  );
}

/** Runs the migration on the new revision; a failure, which leaves the services untouched, when it did not exit 0. */
export async function migrate(
  run: DeployRun,
  progress: Progress,
  rendered: TaskDefinitionInput,
  migration: { command: string[]; container?: string },
): Promise<Failure | undefined> {
  const { request, deps } = run;
  const { result } = progress;
  const container = migration.container ?? targetContainer(rendered, request.containerName, "'migrate-command'");
  mark(run, progress, `migration started in ${container}`);
  const outcome = await runMigration(
    {
      cluster: request.cluster,
      taskDefinitionArn: result.taskDefinitionArn,
      definition: progress.definition,
      container,
      command: migration.command,
      service: run.services[0]!,
      deadline: run.deadline,
    },
    deps.clients,
    deps.clock,
    deps.log,
  );
  (outcome.ok ? result.migrationLog : result.diagnostics).push(...outcome.details);
  mark(run, progress, outcome.summary);
  return outcome.ok ? undefined : { failure: `Migration failed: ${outcome.summary}. The service was not changed.`, status: 'failed' };
}
