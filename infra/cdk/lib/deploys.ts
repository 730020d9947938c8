import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CoreFunctions, LIVE_ALIAS } from './functions';
import { Crate, CRATES, DEPLOY_CHECK_CRATE, DeploymentType, ResolvedProps } from './props';

/** A function's deploy alarm, by template.yaml's logical id (WsConnectDeployAlarm…). */
export type DeployAlarmName =
  | 'WsAuthorizerDeployAlarm'
  | 'WsConnectDeployAlarm'
  | 'WsDisconnectDeployAlarm'
  | 'WsMessageDeployAlarm'
  | 'HttpApiDeployAlarm'
  | 'NotifyWorkerDeployAlarm'
  | 'EmailWorkerDeployAlarm'
  | 'SchedulerDeployAlarm';

/**
 * When a function's newest version is failing (template.yaml's `<Name>DeployAlarm`): its share
 * of failed invocations through the alias in a minute, with at least this many invocations.
 */
interface DeployAlarmSpec {
  readonly name: DeployAlarmName;
  /** The share of failed invocations that rolls a deploy back (0.05: 5%). */
  readonly share: number;
  /** Fewer invocations in the minute say nothing. */
  readonly minimumInvocations: number;
  /** Why this threshold, when it is not the request path's 5% of 10. */
  readonly why?: string;
}

/** The deploy alarms' thresholds, function by function, as template.yaml sets them. */
export const DEPLOY_ALARMS: Readonly<Record<Crate, DeployAlarmSpec>> = {
  'ws-authorizer': {
    name: 'WsAuthorizerDeployAlarm',
    share: 0.5,
    minimumInvocations: 10,
    why: 'a rejected token is an error too: half of them failing is what a broken authorizer looks like',
  },
  'ws-connect': { name: 'WsConnectDeployAlarm', share: 0.05, minimumInvocations: 10 },
  'ws-disconnect': { name: 'WsDisconnectDeployAlarm', share: 0.05, minimumInvocations: 10 },
  'ws-message': { name: 'WsMessageDeployAlarm', share: 0.05, minimumInvocations: 10 },
  'http-api': { name: 'HttpApiDeployAlarm', share: 0.05, minimumInvocations: 10 },
  'notify-worker': { name: 'NotifyWorkerDeployAlarm', share: 0.2, minimumInvocations: 3 },
  'email-worker': { name: 'EmailWorkerDeployAlarm', share: 0.2, minimumInvocations: 3 },
  scheduler: { name: 'SchedulerDeployAlarm', share: 1, minimumInvocations: 1, why: 'it runs once a minute: a failed run in a minute' },
};

/** CodeDeploy's predefined configuration for each deployment type. */
const DEPLOYMENT_CONFIGS: Record<DeploymentType, codedeploy.ILambdaDeploymentConfig> = {
  AllAtOnce: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
  Linear10PercentEvery1Minute: codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
  Canary10Percent5Minutes: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
};

export interface MissiveDeploys {
  /** The role CodeDeploy acts with: the functions' aliases, the hook's alias, the deploy alarms. */
  readonly codeDeployRole: iam.Role;
  readonly deploymentGroups: Record<Crate, codedeploy.LambdaDeploymentGroup>;
  readonly deployAlarms: Record<DeployAlarmName, cloudwatch.Alarm>;
}

/**
 * Gradual deploys (template.yaml's DeploymentPreference of each function, docs/deployment.md,
 * "Gradual deploys"): a CodeDeploy deployment group per function, in the one application, that
 * shifts its alias `live` to the new version as the environment says, after the pre-traffic hook
 * (the deploy check's alias) found every new version healthy, and rolls back when the
 * function's deploy alarm fires.
 */
export function createDeploys(
  scope: Construct,
  functions: CoreFunctions,
  application: codedeploy.ILambdaApplication,
  props: ResolvedProps,
): MissiveDeploys {
  // Each function's newest version failing: its share of failed invocations through the alias in
  // a minute (ExecutedVersion: a 10% canary's failures are not diluted by the old version's
  // traffic). During a deploy CodeDeploy rolls it back; it pages no one (no action: the
  // operations alarms do that).
  const deployAlarms = {} as Record<DeployAlarmName, cloudwatch.Alarm>;
  for (const crate of CRATES) {
    const { name, share, minimumInvocations, why } = DEPLOY_ALARMS[crate];
    const fn = functions[crate].function;
    const ofNewestVersion = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: {
          FunctionName: fn.functionName,
          Resource: `${fn.functionName}:${LIVE_ALIAS}`,
          ExecutedVersion: fn.currentVersion.version,
        },
        statistic: 'Sum',
        period: Duration.minutes(1),
      });
    const alarm = new cloudwatch.Alarm(scope, name, {
      alarmDescription:
        `${crate}'s newest version failed ${Math.round(share * 100)}% or more of its invocations through the alias live in a minute ` +
        `(with ${minimumInvocations} at least)${why ? ` (${why})` : ''}. During a deploy, CodeDeploy rolls it back; it pages no one. ` +
        'Runbook: docs/operations.md#a-deploy-rolled-back',
      metric: new cloudwatch.MathExpression({
        expression: `IF(invocations >= ${minimumInvocations}, errors / invocations, 0)`,
        label: `${crate}'s share of failed invocations`,
        period: Duration.minutes(1),
        usingMetrics: { errors: ofNewestVersion('Errors'), invocations: ofNewestVersion('Invocations') },
      }),
      threshold: share,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // template.yaml's id for the expression (the L2 numbers it expr_1).
    (alarm.node.defaultChild as cloudwatch.CfnAlarm).addPropertyOverride('Metrics.0.Id', 'failing');
    deployAlarms[name] = alarm;
  }

  // What CodeDeploy may do, and no more (in place of the managed AWSCodeDeployRoleForLambda,
  // which can invoke only hooks named CodeDeployHook_*, and of the …Limited one the L2 deployment
  // group attaches): move the functions' aliases, run the hook, read the deploy alarms.
  const hook = functions[DEPLOY_CHECK_CRATE].alias;
  const codeDeployRole = new iam.Role(scope, 'CodeDeployRole', {
    assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
    inlinePolicies: {
      'gradual-deploys': new iam.PolicyDocument({
        minimize: false,
        statements: [
          new iam.PolicyStatement({
            actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
            resources: CRATES.flatMap((crate) => [functions[crate].function.functionArn, `${functions[crate].function.functionArn}:*`]),
          }),
          new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [hook.functionArn] }),
          new iam.PolicyStatement({
            actions: ['cloudwatch:DescribeAlarms'],
            resources: CRATES.map((crate) => deployAlarms[DEPLOY_ALARMS[crate].name].alarmArn),
          }),
        ],
      }),
    },
  });

  // The L2 group attaches AWSCodeDeployRoleForLambdaLimited to its role and grants it the hook's
  // invocation: handed the role without policy updates, it adds neither (the role above has
  // both, scoped). The hook's role is immutable too (lib/functions.ts), so the group's grant of
  // PutLifecycleEventHookExecutionStatus adds no policy: the deploy check's own statement covers
  // the application's groups.
  const deploymentConfig = DEPLOYMENT_CONFIGS[props.settings.deploymentType];
  const deploymentGroups = {} as Record<Crate, codedeploy.LambdaDeploymentGroup>;
  for (const crate of CRATES) {
    const { function: fn, alias } = functions[crate];
    const group = new codedeploy.LambdaDeploymentGroup(scope, `${fn.node.id}DeploymentGroup`, {
      application,
      alias,
      deploymentConfig,
      alarms: [deployAlarms[DEPLOY_ALARMS[crate].name]],
      preHook: hook,
      role: codeDeployRole.withoutPolicyUpdates(),
      // SAM's: rolled back when the deployment fails, an alarm fires or someone stops it.
      autoRollback: { failedDeployment: true, deploymentInAlarm: true, stoppedDeployment: true },
    });
    deploymentGroups[crate] = group;
    // The alias's UpdatePolicy (set by the group) names the hook by `<name>:live`, pieced from its
    // ARN; SAM names it by its ARN (Ref of the alias): the same function, the same qualifier.
    const cfnAlias = alias.node.defaultChild as lambda.CfnAlias;
    const update = cfnAlias.cfnOptions.updatePolicy?.codeDeployLambdaAliasUpdate;
    if (update) {
      cfnAlias.cfnOptions.updatePolicy = { codeDeployLambdaAliasUpdate: { ...update, beforeAllowTrafficHook: hook.functionArn } };
    }
  }

  return { codeDeployRole, deploymentGroups, deployAlarms };
}
