import { describe, expect, it } from 'vitest';
import type { RepositoryTrigger } from '../../../src/aws/models/generated/codecommit.js';
import { javaDate, referenceEvent, triggerMatches, triggerMessage, type RefChange } from '../../../src/services/codecommit/events.js';
import type { RepositoryRecord } from '../../../src/services/codecommit/store.js';

const repo: RepositoryRecord = {
  id: '12345678-1234-5678-abcd-12345678abcd', name: 'MyDemoRepo', accountId: '123456789012', region: 'us-east-2',
  creationDate: 0, lastModifiedDate: 0, tags: {}, triggers: [], triggersConfigurationId: 'config-1',
};
const created: RefChange = { ref: 'refs/heads/myBranch', newCommit: 'c1' };
const updated: RefChange = { ref: 'refs/heads/main', oldCommit: 'c0', newCommit: 'c1' };
const deleted: RefChange = { ref: 'refs/heads/old', oldCommit: 'c0' };
const tag: RefChange = { ref: 'refs/tags/v1', newCommit: 'c1' };

describe('CodeCommit Repository State Change events', () => {
  it('carries the payload of the AWS referenceCreated example', () => {
    expect(referenceEvent(repo, created, 'arn:aws:iam::123456789012:user/Mary_Major')).toEqual({
      source: 'aws.codecommit',
      detailType: 'CodeCommit Repository State Change',
      resources: ['arn:aws:codecommit:us-east-2:123456789012:MyDemoRepo'],
      detail: {
        callerUserArn: 'arn:aws:iam::123456789012:user/Mary_Major', event: 'referenceCreated', repositoryName: 'MyDemoRepo', repositoryId: repo.id,
        referenceType: 'branch', referenceName: 'myBranch', referenceFullName: 'refs/heads/myBranch', commitId: 'c1',
      },
    });
  });

  it('has oldCommitId and no commitId for a deletion, and the tag type for tags', () => {
    const d = referenceEvent(repo, deleted, 'x').detail;
    expect(d).toMatchObject({ event: 'referenceDeleted', oldCommitId: 'c0' });
    expect(d).not.toHaveProperty('commitId');
    expect(referenceEvent(repo, tag, 'x').detail).toMatchObject({ referenceType: 'tag', referenceName: 'v1' });
  });

  it('writes dates as Java does', () => {
    expect(javaDate(Date.UTC(2019, 10, 6, 19, 2, 14))).toBe('Wed Nov 06 19:02:14 UTC 2019');
  });
});

describe('repository triggers', () => {
  const trigger = (events: RepositoryTrigger['events'], branches: string[] = []): RepositoryTrigger => ({ name: 't', destinationArn: 'arn:aws:sns:us-east-2:123456789012:t', events, branches });

  it.each([
    [['all'], [], created, true],
    [['createReference'], [], created, true],
    [['createReference'], [], updated, false],
    [['updateReference'], [], updated, true],
    [['deleteReference'], [], deleted, true],
    [['all'], ['main'], updated, true],
    [['all'], ['main'], created, false],
    [['all'], ['main'], tag, false],
  ] as const)('events %j on branches %j fire for %j: %s', (events, branches, change, expected) => {
    expect(triggerMatches(trigger([...events], [...branches]), change)).toBe(expected);
  });

  it('sends one record listing the changed references', () => {
    const message = triggerMessage({ repo, trigger: { ...trigger(['all']), customData: 'ci' }, changes: [created, deleted], callerUserArn: 'arn:aws:iam::123456789012:user/x', eventId: 'e1', time: Date.UTC(2017, 8, 8, 17, 44, 27, 615) });
    expect(message.Records).toEqual([{
      awsRegion: 'us-east-2', codecommit: { references: [{ commit: 'c1', ref: 'refs/heads/myBranch', created: true }, { commit: 'c0', ref: 'refs/heads/old', deleted: true }] },
      customData: 'ci', eventId: 'e1', eventName: 'ReferenceChanges', eventPartNumber: 1, eventSource: 'aws:codecommit',
      eventSourceARN: 'arn:aws:codecommit:us-east-2:123456789012:MyDemoRepo', eventTime: '2017-09-08T17:44:27.615+0000', eventTotalParts: 1,
      eventTriggerConfigId: 'config-1', eventTriggerName: 't', eventVersion: '1.0', userIdentityARN: 'arn:aws:iam::123456789012:user/x',
    }]);
  });
});
