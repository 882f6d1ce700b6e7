import type { RequestContext } from '../../aws/gateway/context.js';
import type { AutoscalingOperations, LaunchConfiguration } from '../../aws/models/generated/autoscaling.js';
import { ServiceError } from '../../core/errors.js';
import { uuid } from '../../core/ids.js';
import { paginate } from '../common/paging.js';
import type { AsgContext } from './context.js';
import type { LaunchConfigRecord } from './store.js';
import { validationError } from './validation.js';

/** Launch configurations: the older, immutable way to say what a group launches. */
export function launchConfigOperations(c: AsgContext): Partial<AutoscalingOperations<RequestContext>> {
  return {
    async CreateLaunchConfiguration(input, ctx) {
      const name = input.LaunchConfigurationName;
      if (c.store.configs.has(ctx, name)) throw new ServiceError('AlreadyExistsFault', `Launch Configuration by this name already exists - A launch configuration already exists with the name ${name}`);
      let imageId = input.ImageId;
      let instanceType = input.InstanceType;
      if (input.InstanceId) {
        const inst = await c.fleet.describeInstance(ctx, input.InstanceId);
        imageId ??= inst?.ImageId;
        instanceType ??= inst?.InstanceType;
      }
      if (!imageId) throw validationError('Valid requests must contain either the ImageId or the InstanceId parameter.');
      if (!instanceType) throw validationError('Valid requests must contain either the InstanceType or the InstanceId parameter.');
      const rec: LaunchConfigRecord = {
        name, arn: `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:launchConfiguration:${uuid()}:launchConfigurationName/${name}`,
        createdTime: new Date(c.clock.now()).toISOString(), imageId, instanceType, keyName: input.KeyName, securityGroups: input.SecurityGroups ?? [],
        userData: input.UserData, iamInstanceProfile: input.IamInstanceProfile, associatePublicIpAddress: input.AssociatePublicIpAddress,
      };
      c.store.configs.put(ctx, name, rec);
      return {};
    },

    async DescribeLaunchConfigurations(input, ctx) {
      const wanted = input.LaunchConfigurationNames?.length ? new Set(input.LaunchConfigurationNames) : undefined;
      const all = c.store.configs.list(ctx).filter((r) => !wanted || wanted.has(r.name));
      const page = paginate(all, (r) => r.name, input.NextToken, input.MaxRecords ?? 50);
      return { LaunchConfigurations: page.items.map(toConfig), NextToken: page.next };
    },

    async DeleteLaunchConfiguration(input, ctx) {
      const name = input.LaunchConfigurationName;
      if (!c.store.configs.has(ctx, name)) throw validationError(`Launch configuration name not found - Launch configuration ${name} not found`);
      const user = c.store.groups.list(ctx).find((g) => g.launchConfigurationName === name);
      if (user) throw new ServiceError('ResourceInUseFault', `Cannot delete launch configuration ${name} because it is attached to AutoScalingGroup ${user.name}`);
      c.store.configs.delete(ctx, name);
      return {};
    },
  };
}

function toConfig(r: LaunchConfigRecord): LaunchConfiguration {
  return {
    LaunchConfigurationName: r.name, LaunchConfigurationARN: r.arn, ImageId: r.imageId, InstanceType: r.instanceType, KeyName: r.keyName ?? '',
    SecurityGroups: r.securityGroups, UserData: r.userData ?? '', IamInstanceProfile: r.iamInstanceProfile, CreatedTime: new Date(r.createdTime),
    AssociatePublicIpAddress: r.associatePublicIpAddress, KernelId: '', RamdiskId: '', BlockDeviceMappings: [], InstanceMonitoring: { Enabled: true }, EbsOptimized: false,
  };
}
