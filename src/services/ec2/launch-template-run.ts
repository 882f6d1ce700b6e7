import type { RequestContext } from '../../aws/gateway/context.js';
import type { RunInstancesRequest, Tag, TagSpecification } from '../../aws/models/generated/ec2.js';
import type { LaunchTemplates } from './launch-templates.js';

/**
 * RunInstances with `LaunchTemplate`: the template version's settings fill what the request
 * leaves out (the request's own values win), and the instances get the
 * `aws:ec2launchtemplate:id` and `:version` tags AWS adds.
 */
export function withLaunchTemplate(templates: LaunchTemplates, input: RunInstancesRequest, ctx: RequestContext): RunInstancesRequest {
  if (!input.LaunchTemplate) return input;
  const rec = templates.find(ctx, input.LaunchTemplate);
  const v = templates.version(rec, input.LaunchTemplate.Version);
  const d = v.data;
  const templateTags = (d.TagSpecifications ?? []).filter((s) => s.ResourceType === 'instance').flatMap((s) => s.Tags ?? []);
  const requestTags = (input.TagSpecifications ?? []).filter((s) => s.ResourceType === 'instance').flatMap((s) => s.Tags ?? []);
  const tags = mergeTags(templateTags, requestTags, [
    { Key: 'aws:ec2launchtemplate:id', Value: rec.id },
    { Key: 'aws:ec2launchtemplate:version', Value: String(v.number) },
  ]);
  const others: TagSpecification[] = (input.TagSpecifications ?? []).filter((s) => s.ResourceType !== 'instance');
  return {
    ...input,
    ImageId: input.ImageId ?? d.ImageId,
    InstanceType: input.InstanceType ?? d.InstanceType,
    KeyName: input.KeyName ?? d.KeyName,
    UserData: input.UserData ?? d.UserData,
    IamInstanceProfile: input.IamInstanceProfile ?? d.IamInstanceProfile,
    SubnetId: input.SubnetId ?? d.NetworkInterfaces?.find((n) => n.SubnetId)?.SubnetId,
    Placement: input.Placement ?? (d.Placement?.AvailabilityZone ? { AvailabilityZone: d.Placement.AvailabilityZone } : undefined),
    TagSpecifications: [...others, { ResourceType: 'instance', Tags: tags }],
  };
}

/** Later lists replace earlier tags with the same key. */
function mergeTags(...lists: Tag[][]): Tag[] {
  const byKey = new Map<string | undefined, Tag>();
  for (const list of lists) for (const t of list) byKey.set(t.Key, t);
  return [...byKey.values()];
}
