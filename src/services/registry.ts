import { autoscaling } from './autoscaling/index.js';
import { cloudwatch } from './cloudwatch/index.js';
import { codebuild } from './codebuild/index.js';
import { codecommit } from './codecommit/index.js';
import { codedeploy } from './codedeploy/index.js';
import { codepipeline } from './codepipeline/index.js';
import { dynamodb } from './dynamodb/index.js';
import { ec2 } from './ec2/index.js';
import { elbv2 } from './elbv2/index.js';
import { events } from './events/index.js';
import { iam } from './iam/index.js';
import { lambda } from './lambda/index.js';
import { logs } from './logs/index.js';
import { s3 } from './s3/index.js';
import { secretsmanager } from './secretsmanager/index.js';
import type { ServiceDefinition } from './service.js';
import { sns } from './sns/index.js';
import { sqs } from './sqs/index.js';
import { ssm } from './ssm/index.js';
import { sts } from './sts/index.js';

/** Every service Slipway runs. */
export const SERVICES: readonly ServiceDefinition[] = [autoscaling, cloudwatch, codebuild, codecommit, codedeploy, codepipeline, dynamodb, ec2, elbv2, events, iam, lambda, logs, s3, secretsmanager, sns, sqs, ssm, sts];
