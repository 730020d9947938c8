import { Aws, CfnOutput, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmName, createOperations, InsightRuleName } from './alarms';
import { createApis, createWebSocketApi } from './apis';
import { createData } from './data';
import { createDeploys } from './deploys';
import { createCanary, createFunctions, FunctionCrate, MissiveFunction } from './functions';
import { ALL_CRATES, Crate, MissiveProps, MissivePropsError, resolveProps } from './props';

/** Missive's queues, each with its dead-letter queue. */
export interface MissiveQueues {
  /** Live delivery's background work: large audiences, read and typing summaries, presence. */
  readonly fanout: sqs.Queue;
  readonly fanoutDeadLetter: sqs.Queue;
  /** Notifications, pushes, reminders, thumbnails, deleted messages' files. */
  readonly notifications: sqs.Queue;
  readonly notificationsDeadLetter: sqs.Queue;
  /** Notification e-mails and digests. */
  readonly emails: sqs.Queue;
  readonly emailsDeadLetter: sqs.Queue;
}

/**
 * Missive, the multi-tenant real-time messaging backend: what template.yaml deploys, as one
 * construct. A WebSocket API and an HTTP API on eight Lambda functions (Rust, provided.al2023,
 * arm64), each behind its alias `live` and deployed gradually by CodeDeploy after a ninth
 * function, the deploy check, found the new versions healthy; a tenth, the synthetic canary,
 * going through the public endpoints every five minutes; one DynamoDB table (or an existing
 * one), a files bucket, three job queues with their dead-letter queues, a secret, an SES
 * configuration set, optional custom domains, and the alarms, their two SNS topics (critical,
 * warnings) and a dashboard.
 *
 * One per stack: the log groups, the dashboard, the push secrets' prefix and the functions'
 * metrics are named after the stack, as in template.yaml.
 */
export class Missive extends Construct {
  /**
   * The table (PK/SK, index GSI1, TTL on `ttl`), kept when the stack is deleted; or the existing
   * table named by existingTableName.
   */
  public readonly table: dynamodb.ITable;
  /** Attachments; kept when the stack is deleted. */
  public readonly filesBucket: s3.Bucket;
  public readonly queues: MissiveQueues;
  /** jwtSecret, platformKey and optionally guestSecret, vapidPrivateKey. */
  public readonly secret: secretsmanager.Secret;
  /** The functions, by crate (ws-authorizer, ws-connect, …, scheduler, canary and deploy-check). */
  public readonly functions: Readonly<Record<FunctionCrate, lambda.Function>>;
  /** Each function's alias `live` on its current version, by crate: what every caller invokes. */
  public readonly aliases: Readonly<Record<FunctionCrate, lambda.Alias>>;
  /** Each function's own role, by crate. */
  public readonly roles: Readonly<Record<FunctionCrate, iam.Role>>;
  /** Each function's own log group, by crate. */
  public readonly logGroups: Readonly<Record<FunctionCrate, logs.LogGroup>>;
  /** The CodeDeploy application of the stack's gradual deploys (SAM's ServerlessDeploymentApplication). */
  public readonly deploymentApplication: codedeploy.LambdaApplication;
  /** Each of the eight functions' deployment group, by crate. */
  public readonly deploymentGroups: Readonly<Record<Crate, codedeploy.LambdaDeploymentGroup>>;
  /** The role CodeDeploy acts with (the functions' aliases, the hook's alias, the deploy alarms). */
  public readonly codeDeployRole: iam.Role;
  public readonly webSocketApi: apigwv2.WebSocketApi;
  public readonly webSocketStage: apigwv2.WebSocketStage;
  /** The HTTP API (an OpenAPI body: ANY /{proxy+} → http-api's alias). */
  public readonly httpApi: apigwv2.CfnApi;
  /** The WebSocket API's custom domain (webSocketDomainName), if any. */
  public readonly webSocketDomain?: apigwv2.CfnDomainName;
  /** The HTTP API's custom domain (httpApiDomainName), if any. */
  public readonly httpApiDomain?: apigwv2.CfnDomainName;
  /** `wss://<api>.execute-api.<region>.amazonaws.com/<stage>`: connect with ?token=<token>. */
  public readonly webSocketUrl: string;
  /** `https://<api>.execute-api.<region>.amazonaws.com/<stage>`: routes under /v1. */
  public readonly httpApiUrl: string;
  /** The SES configuration set the email worker sends with. */
  public readonly emailConfigurationSet: ses.ConfigurationSet;
  /** The critical alarms notify this topic (alarmEmail): what pages. */
  public readonly alarmTopic: sns.Topic;
  /** The warnings notify this topic (warningEmail): what needs a person within the day. */
  public readonly warningTopic: sns.Topic;
  /** The alarms, by template.yaml's logical id (the deploy alarms too: `WsConnectDeployAlarm`…). */
  public readonly alarms: Readonly<Record<AlarmName, cloudwatch.Alarm>>;
  /** The Contributor Insights rules ranking tenants (over quota, by messages sent). */
  public readonly insightRules: Readonly<Record<InsightRuleName, cloudwatch.CfnInsightRule>>;
  public readonly dashboard: cloudwatch.CfnDashboard;

  constructor(scope: Construct, id: string, props: MissiveProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const others = stack.node.findAll().filter((c) => c instanceof Missive && c !== this);
    if (others.length > 0) {
      throw new MissivePropsError(
        `one Missive per stack: ${others[0].node.path} is already in ${stack.stackName} (log groups, the dashboard and metrics are named after the stack)`,
      );
    }
    const resolved = resolveProps(props);

    const data = createData(this, resolved);
    this.table = data.table;
    this.filesBucket = data.filesBucket;
    this.secret = data.secret;
    this.emailConfigurationSet = data.emailConfigurationSet;
    this.queues = {
      fanout: data.fanout.queue,
      fanoutDeadLetter: data.fanout.deadLetterQueue,
      notifications: data.notifications.queue,
      notificationsDeadLetter: data.notifications.deadLetterQueue,
      emails: data.emails.queue,
      emailsDeadLetter: data.emails.deadLetterQueue,
    };

    this.webSocketApi = createWebSocketApi(this);
    // One application for the stack's deployment groups (SAM's ServerlessDeploymentApplication).
    this.deploymentApplication = new codedeploy.LambdaApplication(this, 'DeploymentApplication');
    const core = createFunctions(this, data, this.webSocketApi, this.deploymentApplication, resolved);
    const deploys = createDeploys(this, core, this.deploymentApplication, resolved);
    this.deploymentGroups = deploys.deploymentGroups;
    this.codeDeployRole = deploys.codeDeployRole;

    const apis = createApis(this, this.webSocketApi, core, resolved);
    this.webSocketStage = apis.webSocketStage;
    this.httpApi = apis.httpApi;
    this.webSocketDomain = apis.webSocketDomain;
    this.httpApiDomain = apis.httpApiDomain;
    this.webSocketUrl = `wss://${this.webSocketApi.apiId}.execute-api.${Aws.REGION}.amazonaws.com/${resolved.stageName}`;
    this.httpApiUrl = `https://${this.httpApi.ref}.execute-api.${Aws.REGION}.amazonaws.com/${resolved.stageName}`;

    // The canary goes through the stages' public URLs, as a user's client would.
    const canary = createCanary(this, data, this.webSocketApi, { httpApiUrl: this.httpApiUrl, webSocketUrl: this.webSocketUrl }, resolved);
    const functions: Record<FunctionCrate, MissiveFunction> = { ...core, canary };
    const byCrate = <T>(pick: (crate: FunctionCrate) => T) =>
      Object.fromEntries(ALL_CRATES.map((c) => [c, pick(c)])) as Record<FunctionCrate, T>;
    this.functions = byCrate((c) => functions[c].function);
    this.aliases = byCrate((c) => functions[c].alias);
    this.roles = byCrate((c) => functions[c].role);
    this.logGroups = byCrate((c) => functions[c].logGroup);

    const operations = createOperations(this, data, functions, { webSocketApi: this.webSocketApi, httpApiId: this.httpApi.ref }, resolved);
    this.alarmTopic = operations.alarmTopic;
    this.warningTopic = operations.warningTopic;
    this.alarms = { ...operations.alarms, ...deploys.deployAlarms };
    this.insightRules = operations.insightRules;
    this.dashboard = operations.dashboard;

    // template.yaml's Outputs, under the same names (one Missive per stack lets them keep them).
    const output = (name: string, value: string, description?: string) =>
      new CfnOutput(this, name, { value, description }).overrideLogicalId(name);
    output('WarningTopicArn', this.warningTopic.topicArn, "The warnings' SNS topic (the critical alarms' is AlarmTopicArn).");
    if (this.webSocketDomain) {
      output('WebSocketDomainTarget', this.webSocketDomain.attrRegionalDomainName, "Point the WebSocket custom domain's DNS here (a CNAME or an alias record).");
    }
    if (this.httpApiDomain) {
      output('HttpApiDomainTarget', this.httpApiDomain.attrRegionalDomainName, "Point the HTTP API custom domain's DNS here (a CNAME or an alias record).");
    }
    output('WebSocketUrl', this.webSocketUrl, 'Connect with ?token=<token>');
    output('HttpApiUrl', this.httpApiUrl, "The REST API's base URL (routes under /v1)");
    output('TableName', this.table.tableName);
    output(
      'DashboardUrl',
      `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.ref}`,
      'The CloudWatch dashboard (docs/operations.md says what each graph shows)',
    );
    output('AlarmTopicArn', this.alarmTopic.topicArn, 'The critical alarms notify this SNS topic (the warnings WarningTopicArn); subscribe paging to it');
    output(
      'EmailConfigurationSetName',
      this.emailConfigurationSet.configurationSetName,
      'The SES configuration set the email worker sends with (MISSIVE_SES_CONFIGURATION_SET)',
    );
    output(
      'SecretsArn',
      this.secret.secretArn,
      "The stack's secrets (jwtSecret, platformKey, optional guestSecret); rotate with put-secret-value (docs/operations.md)",
    );
  }
}
