import { uuid } from '../../core/ids.js';
import { parseRuleContent } from './approval-rules.js';
import type { CodeCommit, Ops } from './context.js';
import { sha256 } from './ops-pull-requests.js';
import { ruleView, type PullRequests } from './pull-requests.js';
import type { ApprovalRuleRecord, PullRequestRecord } from './store.js';
import { ccError } from './validation.js';

const MAX_RULES = 25;
const MAX_APPROVALS = 200;

function checkRuleContent(content: string | undefined): string {
  if (!content) throw ccError('ApprovalRuleContentRequiredException', 'The content for the approval rule is empty. You must provide some content for an approval rule. The content cannot be null.');
  if (!parseRuleContent(content)) throw ccError('InvalidApprovalRuleContentException', 'The content for the approval rule is not valid.');
  return content;
}

function ruleNamed(pr: PullRequestRecord, name: string | undefined): ApprovalRuleRecord {
  if (!name) throw ccError('ApprovalRuleNameRequiredException', 'An approval rule name is required, but was not specified.');
  const rule = pr.approvalRules.find((r) => r.name === name);
  if (!rule) throw ccError('ApprovalRuleDoesNotExistException', `The specified approval rule does not exist: ${name}`);
  return rule;
}

function checkRevision(pr: PullRequestRecord, revisionId: string | undefined): void {
  if (!revisionId) throw ccError('RevisionIdRequiredException', 'A revision ID is required, but was not provided.');
  if (!/^[0-9a-f]{64}$/.test(revisionId)) throw ccError('InvalidRevisionIdException', `The revision ID is not valid: ${revisionId}. Use GetPullRequest to determine the value.`);
  if (revisionId !== pr.revisionId) throw ccError('RevisionNotCurrentException', 'The revision ID provided in the request does not match the current revision ID. Use GetPullRequest to retrieve the current revision ID.');
}

function ruleMetadata(rule: ApprovalRuleRecord) {
  return { approvalRuleEventMetadata: { approvalRuleName: rule.name, approvalRuleId: rule.id, approvalRuleContent: rule.content } };
}

function ruleFields(rule: ApprovalRuleRecord) {
  return { approvalRuleContentSha256: rule.sha256, approvalRuleId: rule.id, approvalRuleName: rule.name };
}

/** Approval rules on pull requests, approvals, their evaluation and overrides. */
export function approvalOperations(cc: CodeCommit, prs: PullRequests): Ops {
  const now = () => cc.deps.clock.now();

  return {
    async CreatePullRequestApprovalRule(input, ctx) {
      const pr = prs.getOpen(ctx, input.pullRequestId);
      if (!input.approvalRuleName) throw ccError('ApprovalRuleNameRequiredException', 'An approval rule name is required, but was not specified.');
      const content = checkRuleContent(input.approvalRuleContent);
      if (pr.approvalRules.some((r) => r.name === input.approvalRuleName)) throw ccError('ApprovalRuleNameAlreadyExistsException', `An approval rule with the name ${input.approvalRuleName} already exists on this pull request.`);
      if (pr.approvalRules.length >= MAX_RULES) throw ccError('NumberOfRulesExceededException', `The pull request already has the maximum number of approval rules (${MAX_RULES}).`);
      const rule: ApprovalRuleRecord = { id: uuid(), name: input.approvalRuleName, content, sha256: sha256(content), creationDate: now(), lastModifiedDate: now(), lastModifiedUser: ctx.principal.arn };
      pr.approvalRules.push(rule);
      prs.log(ctx, pr, 'PULL_REQUEST_APPROVAL_RULE_CREATED', ctx.principal.arn, ruleMetadata(rule), { event: 'pullRequestApprovalRuleCreated', extra: ruleFields(rule) });
      prs.save(ctx, pr);
      return { approvalRule: ruleView(rule) };
    },

    async UpdatePullRequestApprovalRuleContent(input, ctx) {
      const pr = prs.getOpen(ctx, input.pullRequestId);
      const rule = ruleNamed(pr, input.approvalRuleName);
      if (rule.template) throw ccError('CannotModifyApprovalRuleFromTemplateException', 'The approval rule cannot be modified for the pull request because it was created by an approval rule template and applied to the pull request automatically.');
      if (input.existingRuleContentSha256 && input.existingRuleContentSha256 !== rule.sha256) throw ccError('InvalidRuleContentSha256Exception', 'The SHA-256 hash signature for the rule content is not valid.');
      const content = checkRuleContent(input.newRuleContent);
      Object.assign(rule, { content, sha256: sha256(content), lastModifiedDate: now(), lastModifiedUser: ctx.principal.arn });
      prs.log(ctx, pr, 'PULL_REQUEST_APPROVAL_RULE_UPDATED', ctx.principal.arn, ruleMetadata(rule), { event: 'pullRequestApprovalRuleUpdated', extra: ruleFields(rule) });
      prs.save(ctx, pr);
      return { approvalRule: ruleView(rule) };
    },

    async DeletePullRequestApprovalRule(input, ctx) {
      const pr = prs.getOpen(ctx, input.pullRequestId);
      if (!input.approvalRuleName) throw ccError('ApprovalRuleNameRequiredException', 'An approval rule name is required, but was not specified.');
      const rule = pr.approvalRules.find((r) => r.name === input.approvalRuleName);
      if (!rule) return { approvalRuleId: '' };
      if (rule.template) throw ccError('CannotDeleteApprovalRuleFromTemplateException', 'The approval rule cannot be deleted from the pull request because it was created by an approval rule template and applied to the pull request automatically.');
      pr.approvalRules = pr.approvalRules.filter((r) => r !== rule);
      prs.log(ctx, pr, 'PULL_REQUEST_APPROVAL_RULE_DELETED', ctx.principal.arn, ruleMetadata(rule), { event: 'pullRequestApprovalRuleDeleted', extra: ruleFields(rule) });
      prs.save(ctx, pr);
      return { approvalRuleId: rule.id };
    },

    async UpdatePullRequestApprovalState(input, ctx) {
      const pr = prs.getOpen(ctx, input.pullRequestId);
      checkRevision(pr, input.revisionId);
      if (!input.approvalState) throw ccError('ApprovalStateRequiredException', 'An approval state is required, but was not specified.');
      const user = ctx.principal.arn;
      if (user === pr.authorArn) throw ccError('PullRequestCannotBeApprovedByAuthorException', 'The approval cannot be applied because the user approving the pull request matches the user who created the pull request. You cannot approve a pull request that you created.');
      const others = pr.approvals.filter((a) => !(a.revisionId === pr.revisionId && a.userArn === user));
      if (input.approvalState === 'APPROVE' && others.filter((a) => a.revisionId === pr.revisionId && a.state === 'APPROVE').length >= MAX_APPROVALS) {
        throw ccError('MaximumNumberOfApprovalsExceededException', `The number of approvals required for the approval rule exceeds the maximum number allowed (${MAX_APPROVALS}).`);
      }
      pr.approvals = [...others, { revisionId: pr.revisionId, userArn: user, state: input.approvalState }];
      prs.log(ctx, pr, 'PULL_REQUEST_APPROVAL_STATE_CHANGED', user, { approvalStateChangedEventMetadata: { revisionId: pr.revisionId, approvalStatus: input.approvalState } }, {
        event: 'pullRequestApprovalStateChanged',
        extra: { approvalStatus: input.approvalState },
      });
      prs.save(ctx, pr);
      return {};
    },

    async GetPullRequestApprovalStates(input, ctx) {
      const pr = prs.get(ctx, input.pullRequestId);
      if (!input.revisionId) throw ccError('RevisionIdRequiredException', 'A revision ID is required, but was not provided.');
      return { approvals: pr.approvals.filter((a) => a.revisionId === input.revisionId).map((a) => ({ userArn: a.userArn, approvalState: a.state })) };
    },

    async EvaluatePullRequestApprovalRules(input, ctx) {
      const pr = prs.get(ctx, input.pullRequestId);
      checkRevision(pr, input.revisionId);
      return { evaluation: prs.evaluate(pr) };
    },

    async GetPullRequestOverrideState(input, ctx) {
      const pr = prs.get(ctx, input.pullRequestId);
      if (!input.revisionId) throw ccError('RevisionIdRequiredException', 'A revision ID is required, but was not provided.');
      const overridden = pr.override?.revisionId === input.revisionId;
      return { overridden, overrider: overridden ? pr.override!.overrider : undefined };
    },

    async OverridePullRequestApprovalRules(input, ctx) {
      const pr = prs.getOpen(ctx, input.pullRequestId);
      checkRevision(pr, input.revisionId);
      if (!input.overrideStatus) throw ccError('OverrideStatusRequiredException', 'An override status is required, but no value was provided. Valid values include OVERRIDE and REVOKE.');
      const active = pr.override?.revisionId === pr.revisionId;
      if (input.overrideStatus === 'OVERRIDE') {
        if (active) throw ccError('OverrideAlreadySetException', 'The pull request has already had its approval rules set to override.');
        pr.override = { revisionId: pr.revisionId, overrider: ctx.principal.arn };
      } else {
        pr.override = undefined;
      }
      prs.log(ctx, pr, 'PULL_REQUEST_APPROVAL_RULE_OVERRIDDEN', ctx.principal.arn, { approvalRuleOverriddenEventMetadata: { revisionId: pr.revisionId, overrideStatus: input.overrideStatus } }, {
        event: 'pullRequestApprovalRuleOverridden',
        extra: { overrideStatus: input.overrideStatus },
      });
      prs.save(ctx, pr);
      return {};
    },
  };
}
