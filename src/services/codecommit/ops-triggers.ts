import type { RepositoryTrigger } from '../../aws/models/generated/codecommit.js';
import { parseArn } from '../../core/arn.js';
import { uuid } from '../../core/ids.js';
import { repoFor } from './access.js';
import type { CodeCommit, Ops } from './context.js';
import { triggerMessage } from './events.js';
import { resolveCommit } from './objects.js';
import type { RepositoryRecord } from './store.js';
import { ccError, isValidRefName } from './validation.js';

const MAX_TRIGGERS = 10;
const MAX_BRANCHES = 100;

/** Checks triggers as PutRepositoryTriggers and TestRepositoryTriggers do. */
export function checkTriggers(repo: RepositoryRecord, triggers: RepositoryTrigger[] | undefined): RepositoryTrigger[] {
  if (!triggers) throw ccError('RepositoryTriggersListRequiredException', 'The list of triggers for the repository is required, but was not specified.');
  if (triggers.length > MAX_TRIGGERS) throw ccError('MaximumRepositoryTriggersExceededException', `The number of triggers allowed for the repository was exceeded (${MAX_TRIGGERS}).`);
  const names = new Set<string>();
  for (const t of triggers) {
    if (!t.name) throw ccError('RepositoryTriggerNameRequiredException', 'A name for the trigger is required, but was not specified.');
    if (names.has(t.name) || t.name.length > 100) throw ccError('InvalidRepositoryTriggerNameException', `The name of the trigger is not valid: ${t.name}. Trigger names must be unique within a repository.`);
    names.add(t.name);
    if (!t.destinationArn) throw ccError('RepositoryTriggerDestinationArnRequiredException', 'A destination ARN for the target service for the trigger is required, but was not specified.');
    const arn = parseArn(t.destinationArn);
    if (!arn || (arn.service !== 'sns' && arn.service !== 'lambda') || !/^\d{12}$/.test(arn.accountId)) {
      throw ccError('InvalidRepositoryTriggerDestinationArnException', `The Amazon Resource Name (ARN) for the trigger is not valid for the specified destination: ${t.destinationArn}. It must be an Amazon SNS topic or an AWS Lambda function.`);
    }
    if (arn.region !== repo.region) throw ccError('InvalidRepositoryTriggerRegionException', `The region for the trigger target (${arn.region}) does not match the region for the repository (${repo.region}).`);
    if (!t.events?.length) throw ccError('RepositoryTriggerEventsListRequiredException', 'At least one event for the trigger is required, but was not specified.');
    if (t.events.includes('all') && t.events.length > 1) throw ccError('InvalidRepositoryTriggerEventsException', 'The event "all" cannot be used with any other values.');
    if (t.branches === undefined) throw ccError('RepositoryTriggerBranchNameListRequiredException', 'At least one branch name is required, but was not specified in the trigger configuration. To apply the trigger to all branches, use an empty list.');
    if (t.branches.length > MAX_BRANCHES) throw ccError('MaximumBranchesExceededException', `The number of branches for the trigger was exceeded (${MAX_BRANCHES}).`);
    for (const b of t.branches) if (!isValidRefName(b)) throw ccError('InvalidRepositoryTriggerBranchNameException', `One or more branch names specified for the trigger is not valid: ${b}`);
    if (t.customData !== undefined && t.customData.length > 1000) throw ccError('InvalidRepositoryTriggerCustomDataException', 'The custom data provided for the trigger is not valid: it is longer than 1000 characters.');
  }
  return triggers.map((t) => ({ name: t.name, destinationArn: t.destinationArn, customData: t.customData, branches: [...(t.branches ?? [])], events: [...t.events] }));
}

export function triggerOperations(cc: CodeCommit): Ops {
  return {
    async PutRepositoryTriggers(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const triggers = checkTriggers(repo, input.triggers);
      const triggersConfigurationId = uuid();
      cc.repos.save({ ...repo, triggers, triggersConfigurationId, lastModifiedDate: cc.deps.clock.now() });
      return { configurationId: triggersConfigurationId };
    },

    async GetRepositoryTriggers(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      return { configurationId: repo.triggersConfigurationId, triggers: repo.triggers };
    },

    /** Sends each trigger a test message now, and says which deliveries worked. */
    async TestRepositoryTriggers(input, ctx) {
      const repo = repoFor(cc, ctx, input.repositoryName);
      const triggers = checkTriggers(repo, input.triggers);
      const dir = cc.repos.dir(repo);
      const successfulExecutions: string[] = [];
      const failedExecutions: { trigger: string; failureMessage: string }[] = [];
      for (const trigger of triggers) {
        const branch = trigger.branches?.[0] ?? repo.defaultBranch;
        const commit = branch ? await resolveCommit(dir, `refs/heads/${branch}`) : undefined;
        const changes = branch && commit ? [{ ref: `refs/heads/${branch}`, oldCommit: commit, newCommit: commit }] : [];
        const message = triggerMessage({ repo, trigger, changes, callerUserArn: ctx.principal.arn, eventId: uuid(), time: cc.deps.clock.now(), eventName: 'TriggerEventTest' });
        const result = await cc.notifier.deliver(trigger.destinationArn, JSON.stringify(message));
        if (result.ok) successfulExecutions.push(trigger.name);
        else failedExecutions.push({ trigger: trigger.name, failureMessage: result.message });
      }
      return { successfulExecutions, failedExecutions };
    },
  };
}
