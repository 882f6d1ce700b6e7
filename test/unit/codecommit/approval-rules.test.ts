import { describe, expect, it } from 'vitest';
import { globMatch, parseRuleContent, poolMemberMatches, ruleSatisfied, templateApplies } from '../../../src/services/codecommit/approval-rules.js';

const rule = (statements: object[], extra: object = {}) => JSON.stringify({ Version: '2018-11-08', Statements: statements, ...extra });

describe('approval rule content', () => {
  it.each([
    ['the user guide example', rule([{ Type: 'Approvers', NumberOfApprovalsNeeded: 2, ApprovalPoolMembers: ['CodeCommitApprovers:123456789012:Nikhil_Jayashankar', 'arn:aws:sts::123456789012:assumed-role/CodeCommitReview/*'] }]), true],
    ['a template with destination references', rule([{ Type: 'Approvers', NumberOfApprovalsNeeded: 1 }], { DestinationReferences: ['refs/heads/main'] }), true],
    ['not JSON', '{"Version":', false],
    ['another version', JSON.stringify({ Version: '2020-01-01', Statements: [{ Type: 'Approvers', NumberOfApprovalsNeeded: 1 }] }), false],
    ['no statements', rule([]), false],
    ['zero approvals', rule([{ Type: 'Approvers', NumberOfApprovalsNeeded: 0 }]), false],
    ['an unknown statement type', rule([{ Type: 'Reviewers', NumberOfApprovalsNeeded: 1 }]), false],
    ['a pool that is not a list', rule([{ Type: 'Approvers', NumberOfApprovalsNeeded: 1, ApprovalPoolMembers: 'x' }]), false],
  ])('%s is valid: %s', (_name, text, valid) => {
    expect(parseRuleContent(text) !== undefined).toBe(valid);
  });
});

describe('approval pool members (the CodeCommit user guide examples)', () => {
  it.each([
    ['CodeCommitApprovers:123456789012:Mary_Major', 'arn:aws:iam::123456789012:user/Mary_Major', true],
    ['CodeCommitApprovers:123456789012:Mary_Major', 'arn:aws:sts::123456789012:federated-user/Mary_Major', true],
    ['CodeCommitApprovers:123456789012:Mary_Major', 'arn:aws:sts::123456789012:assumed-role/CodeCommitReview/Mary_Major', false],
    ['CodeCommitApprovers:123456789012:*Mary_Major', 'arn:aws:sts::123456789012:assumed-role/CodeCommitReview/Mary_Major', true],
    ['CodeCommitApprovers:123456789012:CodeCommitReview/*', 'arn:aws:sts::123456789012:assumed-role/CodeCommitReview/Li_Juan', true],
    ['CodeCommitApprovers:123456789012:Mary_Major', 'arn:aws:iam::111111111111:user/Mary_Major', false],
    ['arn:aws:sts::123456789012:assumed-role/CodeCommitReview/*', 'arn:aws:sts::123456789012:assumed-role/CodeCommitReview/Mary_Major', true],
    ['arn:aws:sts::123456789012:assumed-role/CodeCommitReview/*', 'arn:aws:sts::123456789012:assumed-role/Admin/Mary_Major', false],
    ['arn:aws:iam::123456789012:user/Mary_Major', 'arn:aws:iam::123456789012:user/Mary_Major', true],
  ])('%s counts %s: %s', (member, arn, expected) => {
    expect(poolMemberMatches(member, arn)).toBe(expected);
  });

  it('matches globs with * only, anchored, and literal elsewhere', () => {
    expect(globMatch('a*c', 'abbbc')).toBe(true);
    expect(globMatch('a.c', 'abc')).toBe(false);
    expect(globMatch('a*', 'ba')).toBe(false);
  });

  it('counts distinct approvers from the pool toward each statement', () => {
    const content = parseRuleContent(rule([{ Type: 'Approvers', NumberOfApprovalsNeeded: 2, ApprovalPoolMembers: ['CodeCommitApprovers:123456789012:*'] }]))!;
    expect(ruleSatisfied(content, ['arn:aws:iam::123456789012:user/a'])).toBe(false);
    expect(ruleSatisfied(content, ['arn:aws:iam::123456789012:user/a', 'arn:aws:iam::999999999999:user/b'])).toBe(false);
    expect(ruleSatisfied(content, ['arn:aws:iam::123456789012:user/a', 'arn:aws:iam::123456789012:user/b'])).toBe(true);
    const anyone = parseRuleContent(rule([{ Type: 'Approvers', NumberOfApprovalsNeeded: 1 }]))!;
    expect(ruleSatisfied(anyone, [])).toBe(false);
    expect(ruleSatisfied(anyone, ['arn:aws:iam::123456789012:user/x'])).toBe(true);
  });

  it('applies templates to the destination references they name', () => {
    const scoped = parseRuleContent(rule([{ Type: 'Approvers', NumberOfApprovalsNeeded: 1 }], { DestinationReferences: ['refs/heads/main'] }))!;
    expect(templateApplies(scoped, 'refs/heads/main')).toBe(true);
    expect(templateApplies(scoped, 'refs/heads/dev')).toBe(false);
    expect(templateApplies(parseRuleContent(rule([{ Type: 'Approvers', NumberOfApprovalsNeeded: 1 }]))!, 'refs/heads/dev')).toBe(true);
  });
});
