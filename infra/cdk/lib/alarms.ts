import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { GSI1, MissiveData } from './data';
import { DeployAlarmName } from './deploys';
import { FunctionCrate, MissiveFunction } from './functions';
import { Crate, CRATES, ResolvedProps } from './props';

/** The alarms, by template.yaml's logical id: the operations' and the functions' deploy alarms. */
export type AlarmName = OperationsAlarmName | DeployAlarmName;

/**
 * The alarms that notify a topic (template.yaml's "operations" and the canary's), by logical id:
 * critical ones the alarm topic, warnings the warning topic ({@link ALARM_SEVERITY}).
 */
export type OperationsAlarmName =
  | 'FunctionErrorsAlarm'
  | 'FunctionThrottlesAlarm'
  | 'HttpApi5xxAlarm'
  | 'WebSocketIntegrationErrorsAlarm'
  | 'FanoutQueueAgeAlarm'
  | 'NotificationsQueueAgeAlarm'
  | 'EmailsQueueAgeAlarm'
  | 'SocketActionsFailedAlarm'
  | 'DurationNearTimeoutAlarm'
  | 'ConcurrencyNearQuotaAlarm'
  | 'WebSocketClientErrorsAlarm'
  | 'SesBounceRateAlarm'
  | 'SesComplaintRateAlarm'
  | 'AckLatencyAlarm'
  | 'DeliveryLatencyAlarm'
  | 'FanoutDeadLetterAlarm'
  | 'NotificationsDeadLetterAlarm'
  | 'EmailsDeadLetterAlarm'
  | 'TableThrottlesAlarm'
  | 'EmailsFailedAlarm'
  | 'EmailsPausedAlarm'
  | 'CanaryFailedAlarm';

/**
 * Who an alarm notifies: `critical`, the alarm topic (people's messages are failing or late now:
 * page); `warning`, the warning topic (a person within the day: dead letters, failed e-mails,
 * capacity running out, latency creeping up). docs/operations.md says which alarm is which.
 */
export type AlarmSeverity = 'critical' | 'warning';

/** Each alarm's severity, as template.yaml routes it (AlarmTopic or WarningTopic). */
export const ALARM_SEVERITY: Readonly<Record<OperationsAlarmName, AlarmSeverity>> = {
  FunctionErrorsAlarm: 'critical',
  FunctionThrottlesAlarm: 'critical',
  HttpApi5xxAlarm: 'critical',
  WebSocketIntegrationErrorsAlarm: 'critical',
  FanoutQueueAgeAlarm: 'critical',
  NotificationsQueueAgeAlarm: 'critical',
  EmailsQueueAgeAlarm: 'critical',
  SocketActionsFailedAlarm: 'critical',
  DurationNearTimeoutAlarm: 'warning',
  ConcurrencyNearQuotaAlarm: 'warning',
  WebSocketClientErrorsAlarm: 'warning',
  SesBounceRateAlarm: 'critical',
  SesComplaintRateAlarm: 'critical',
  AckLatencyAlarm: 'critical',
  DeliveryLatencyAlarm: 'warning',
  FanoutDeadLetterAlarm: 'warning',
  NotificationsDeadLetterAlarm: 'warning',
  EmailsDeadLetterAlarm: 'warning',
  TableThrottlesAlarm: 'critical',
  EmailsFailedAlarm: 'warning',
  EmailsPausedAlarm: 'warning',
  CanaryFailedAlarm: 'critical',
};

/** The Contributor Insights rules, by template.yaml's logical id. */
export type InsightRuleName = 'TenantsOverQuotaRule' | 'TenantsMessagesRule';

export interface MissiveOperations {
  /** The critical alarms' topic (AlarmEmail). */
  readonly alarmTopic: sns.Topic;
  /** The warnings' topic (WarningEmail). */
  readonly warningTopic: sns.Topic;
  readonly alarms: Record<OperationsAlarmName, cloudwatch.Alarm>;
  readonly insightRules: Record<InsightRuleName, cloudwatch.CfnInsightRule>;
  readonly dashboard: cloudwatch.CfnDashboard;
}

interface Apis {
  readonly webSocketApi: apigwv2.IWebSocketApi;
  /** The HTTP API's id (a Ref of its AWS::ApiGatewayV2::Api). */
  readonly httpApiId: string;
}

function metric(
  namespace: string,
  metricName: string,
  dimensionsMap: Record<string, string>,
  statistic: string,
  periodSeconds: number,
): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic, period: Duration.seconds(periodSeconds) });
}

/** A metric-math expression; `id` is template.yaml's for the one an alarm returns (the L2 numbers it expr_1). */
interface Expression {
  readonly id: string;
  readonly expression: cloudwatch.MathExpression;
}

function math(
  id: string,
  expression: string,
  periodSeconds: number,
  usingMetrics: Record<string, cloudwatch.IMetric>,
  label?: string,
): Expression {
  return { id, expression: new cloudwatch.MathExpression({ expression, label, period: Duration.seconds(periodSeconds), usingMetrics }) };
}

/**
 * The alarms' two SNS topics, the alarms and the dashboard (template.yaml's "operations"), and
 * the canary's alarm. What each alarm means and what to do: docs/operations.md.
 */
export function createOperations(
  scope: Construct,
  data: MissiveData,
  functions: Record<FunctionCrate, MissiveFunction>,
  apis: Apis,
  props: ResolvedProps,
): MissiveOperations {
  // Two severities, each alarm notifying its topic when it fires and when it recovers.
  // SNS sends a subscribed address a confirmation e-mail first.
  const alarmTopic = new sns.Topic(scope, 'AlarmTopic', { displayName: 'Missive alarms' });
  if (props.alarmEmail !== '') {
    alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
  }
  const warningTopic = new sns.Topic(scope, 'WarningTopic', { displayName: 'Missive warnings' });
  if (props.warningEmail !== '') {
    warningTopic.addSubscription(new subscriptions.EmailSubscription(props.warningEmail));
  }
  const notify: Record<AlarmSeverity, actions.SnsAction> = {
    critical: new actions.SnsAction(alarmTopic),
    warning: new actions.SnsAction(warningTopic),
  };

  const { table, fanout, notifications, emails } = data;
  const webSocketApiId = apis.webSocketApi.apiId;
  const stack = { Stack: Aws.STACK_NAME };
  const functionName = (crate: Crate) => functions[crate].function.functionName;

  // One of the eight functions' metrics as <prefix>1…<prefix>8 (all invocations, whatever the
  // version), summed with missing points as 0.
  const sumOfFunctions = (id: string, metricName: string, prefix: string, label?: string) =>
    math(
      id,
      `SUM([${CRATES.map((_, i) => `FILL(${prefix}${i + 1},0)`).join(', ')}])`,
      300,
      Object.fromEntries(
        CRATES.map((crate, i) => [`${prefix}${i + 1}`, metric('AWS/Lambda', metricName, { FunctionName: functionName(crate) }, 'Sum', 300)]),
      ),
      label,
    );

  // Thresholds are defaults to tune. TreatMissingData is notBreaching throughout: these metrics
  // are published only when something happens, so no data means nothing went wrong.
  const alarm = (
    id: OperationsAlarmName,
    description: string,
    watched: cloudwatch.Metric | Expression,
    threshold: number,
    evaluationPeriods: number,
    options: {
      datapointsToAlarm?: number;
      comparison?: cloudwatch.ComparisonOperator;
      treatMissingData?: cloudwatch.TreatMissingData;
    } = {},
  ) => {
    const created = new cloudwatch.Alarm(scope, id, {
      alarmDescription: description,
      metric: watched instanceof cloudwatch.Metric ? watched : watched.expression,
      threshold,
      evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm,
      comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (!(watched instanceof cloudwatch.Metric)) {
      // The expression the alarm returns comes first; template.yaml's id for it.
      (created.node.defaultChild as cloudwatch.CfnAlarm).addPropertyOverride('Metrics.0.Id', watched.id);
    }
    created.addAlarmAction(notify[ALARM_SEVERITY[id]]);
    created.addOkAction(notify[ALARM_SEVERITY[id]]);
    return created;
  };

  const deadLetterAlarm = (id: OperationsAlarmName, queue: typeof fanout, description: string) =>
    alarm(
      id,
      description,
      metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: queue.deadLetterQueue.queueName }, 'Maximum', 300),
      0,
      1,
      { comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );

  // The WebSocket stage's API Gateway metrics (ApiId and Stage).
  const webSocketStage = { ApiId: webSocketApiId, Stage: props.stageName };

  const alarms: Record<OperationsAlarmName, cloudwatch.Alarm> = {
    FunctionErrorsAlarm: alarm(
      'FunctionErrorsAlarm',
      'Missive functions failed at least 5 invocations in 5 minutes (panics, timeouts, failed cold starts; handled ' +
        'errors are responses, not failures). A count, not a rate: with each function\'s invocations beside its ' +
        'errors the alarm would read 16 metrics, and an alarm reads at most 10. See which function on the ' +
        'dashboard\'s "Lambda errors per function", then its log group. Runbook: docs/operations.md#function-errors',
      sumOfFunctions('errors', 'Errors', 'f', 'Errors, all functions'),
      5,
      1,
    ),
    FunctionThrottlesAlarm: alarm(
      'FunctionThrottlesAlarm',
      'Lambda refused at least 10 invocations of Missive functions in 5 minutes for lack of concurrency: clients got ' +
        "errors, or jobs waited. Check the account's concurrency quota and what else uses it. " +
        'Runbook: docs/operations.md#function-throttles',
      sumOfFunctions('throttles', 'Throttles', 'f', 'Throttles, all functions'),
      10,
      1,
    ),
    HttpApi5xxAlarm: alarm(
      'HttpApi5xxAlarm',
      'The REST API answered at least 10 server errors (5xx) in 5 minutes, and at least 1 % of its requests. Look at ' +
        "the http-api function's errors and logs and at the access log's status and integrationError. " +
        'Runbook: docs/operations.md#http-api-5xx',
      math(
        'failing',
        'IF(FILL(errors,0) >= 10 AND FILL(errors,0) >= 0.01 * requests, 1, 0)',
        300,
        {
          errors: metric('AWS/ApiGateway', '5xx', { ApiId: apis.httpApiId }, 'Sum', 300),
          requests: metric('AWS/ApiGateway', 'Count', { ApiId: apis.httpApiId }, 'Sum', 300),
        },
        '5xx at least 10 and at least 1 % of requests (1 = yes)',
      ),
      1,
      1,
    ),
    WebSocketIntegrationErrorsAlarm: alarm(
      'WebSocketIntegrationErrorsAlarm',
      'At least 10 WebSocket requests in 5 minutes got a 4xx/5xx from their function ($connect, $disconnect or an ' +
        "action). Look at the access log's routeKey, integrationStatus and integrationError, then that function's " +
        'logs. Runbook: docs/operations.md#websocket-integration-errors',
      metric('AWS/ApiGateway', 'IntegrationError', { ApiId: webSocketApiId }, 'Sum', 300),
      10,
      1,
    ),
    // Live delivery: a fan-out job waits a second at most when all is well; two minutes means
    // members of large groups get their messages late.
    FanoutQueueAgeAlarm: alarm(
      'FanoutQueueAgeAlarm',
      'The oldest job on the fan-out queue is over 2 minutes old: large groups get their messages, read and typing ' +
        "summaries late. notify-worker is throttled (its FanoutWorkerMaxConcurrency, the account's concurrency) or " +
        'failing. Runbook: docs/operations.md#queue-age',
      metric('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: fanout.queue.queueName }, 'Maximum', 60),
      120,
      2,
    ),
    // 30 minutes: twice SQS's longest delay (15 minutes), so that delayed jobs and retries waiting
    // for their backoff do not trip it.
    NotificationsQueueAgeAlarm: alarm(
      'NotificationsQueueAgeAlarm',
      'The oldest job on the notifications queue is over 30 minutes old: notify-worker is not keeping up, or keeps ' +
        'failing. Check its errors, throttles and logs. Runbook: docs/operations.md#queue-age',
      metric('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: notifications.queue.queueName }, 'Maximum', 300),
      1800,
      1,
    ),
    EmailsQueueAgeAlarm: alarm(
      'EmailsQueueAgeAlarm',
      'The oldest job on the emails queue is over 30 minutes old: email-worker is not keeping up (its concurrency ' +
        "cap, SES's sending rate) or keeps failing. Check its errors and logs and SES's sending quota. " +
        'Runbook: docs/operations.md#queue-age',
      metric('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: emails.queue.queueName }, 'Maximum', 300),
      1800,
      1,
    ),
    // ws-message answers API Gateway 200 when an action fails (the client gets an `error` frame),
    // so neither Lambda nor API Gateway counts it: Missive counts it itself. A rate of
    // ws-message's invocations (each a frame), so that a busy stack's few failures page no one.
    SocketActionsFailedAlarm: alarm(
      'SocketActionsFailedAlarm',
      "At least 5 socket actions (sends, edits, reads, syncs) failed on Missive's side in 5 minutes, and at least " +
        "1 % of ws-message's invocations, two periods running: people's messages are refused with `internal` or " +
        "`unavailable`. Find the errors in ws-message's log. Runbook: docs/operations.md#socket-actions-failed",
      math(
        'failing',
        'IF(FILL(failed,0) >= 5 AND FILL(failed,0) >= 0.01 * FILL(frames,0), 1, 0)',
        300,
        {
          failed: metric('Missive', 'ActionsFailed', stack, 'Sum', 300),
          frames: metric('AWS/Lambda', 'Invocations', { FunctionName: functionName('ws-message') }, 'Sum', 300),
        },
        'actions failed at least 5 and at least 1 % of frames (1 = yes)',
      ),
      1,
      2,
      { datapointsToAlarm: 2 },
    ),
    // Warnings: capacity and quality running out before anyone notices.
    // Each function's p99 duration as a share of its own timeout; the largest of the eight.
    DurationNearTimeoutAlarm: alarm(
      'DurationNearTimeoutAlarm',
      "A function's p99 duration reached 80 % of its timeout in 5 minutes (10 s for the request path, 30 s for the " +
        'workers and the scheduler): a little slower and its invocations time out. ' +
        'Runbook: docs/operations.md#duration-near-timeout',
      math(
        'nearest',
        `MAX([${CRATES.map((crate, i) => `FILL(d${i + 1},0) / ${functions[crate].function.timeout!.toMilliseconds()}`).join(', ')}])`,
        300,
        Object.fromEntries(
          CRATES.map((crate, i) => [`d${i + 1}`, metric('AWS/Lambda', 'Duration', { FunctionName: functionName(crate) }, 'p99', 300)]),
        ),
        "the largest share of its timeout a function's p99 duration took",
      ),
      0.8,
      2,
      { datapointsToAlarm: 2 },
    ),
    // The whole account's concurrency (no dimension), against the quota the operator states.
    ConcurrencyNearQuotaAlarm: alarm(
      'ConcurrencyNearQuotaAlarm',
      "The account's Lambda functions ran at 80 % of its concurrency quota (AccountConcurrencyQuota) at some minute, " +
        "three minutes in five: past it, every function of the account is throttled, this stack's request path " +
        'first unless it reserves concurrency. Runbook: docs/operations.md#concurrency-near-the-quota',
      math(
        'share',
        `FILL(running,0) / ${props.accountConcurrencyQuota}`,
        60,
        { running: metric('AWS/Lambda', 'ConcurrentExecutions', {}, 'Maximum', 60) },
        "share of the account's concurrency quota in use",
      ),
      0.8,
      5,
      { datapointsToAlarm: 3 },
    ),
    // Refusals before any function (429s, the authorizer's), as a share of connects and frames,
    // once there are 100 of them in the period.
    WebSocketClientErrorsAlarm: alarm(
      'WebSocketClientErrorsAlarm',
      "At least 5 % of the WebSocket API's connects and frames were refused in 5 minutes, two periods running " +
        '(ClientError: throttled with 429 by the stage or the account, or refused by the authorizer): a reconnect ' +
        'storm, a throttle too low, or expired tokens. Runbook: docs/operations.md#websocket-client-errors',
      math(
        'refused',
        'IF(FILL(requests,0) >= 100, FILL(errors,0) / requests, 0)',
        300,
        {
          errors: metric('AWS/ApiGateway', 'ClientError', webSocketStage, 'Sum', 300),
          requests: math('requests', 'FILL(connects,0) + FILL(frames,0)', 300, {
            connects: metric('AWS/ApiGateway', 'ConnectCount', webSocketStage, 'Sum', 300),
            frames: metric('AWS/ApiGateway', 'MessageCount', webSocketStage, 'Sum', 300),
          }).expression,
        },
        'share of connects and frames refused',
      ),
      0.05,
      2,
      { datapointsToAlarm: 2 },
    ),
    // SES judges the whole account's sending: at a 5 % bounce rate or 0.1 % complaint rate it puts
    // the account under review; at 10 % / 0.5 % it may pause sending, every tenant's e-mails with it.
    SesBounceRateAlarm: alarm(
      'SesBounceRateAlarm',
      "The account's SES bounce rate reached 5 %, where SES reviews the account (at 10 % it may pause its sending). " +
        'Runbook: docs/operations.md#ses-reputation',
      metric('AWS/SES', 'Reputation.BounceRate', {}, 'Maximum', 3600),
      0.05,
      1,
    ),
    SesComplaintRateAlarm: alarm(
      'SesComplaintRateAlarm',
      "The account's SES complaint rate reached 0.1 %, where SES reviews the account (at 0.5 % it may pause its " +
        'sending). Runbook: docs/operations.md#ses-reputation',
      metric('AWS/SES', 'Reputation.ComplaintRate', {}, 'Maximum', 3600),
      0.001,
      1,
    ),
    // The functions' embedded metrics, in milliseconds.
    AckLatencyAlarm: alarm(
      'AckLatencyAlarm',
      "Senders waited more than a second for their ack (p99 of AckLatency, from API Gateway's arrival of the frame) " +
        'three minutes in five. Runbook: docs/operations.md#latency',
      metric('Missive', 'AckLatency', stack, 'p99', 60),
      1000,
      5,
      { datapointsToAlarm: 3 },
    ),
    DeliveryLatencyAlarm: alarm(
      'DeliveryLatencyAlarm',
      "Events reached their recipients' connections more than 5 s after they were made (p99 of DeliveryLatency: a " +
        "large group's fan-out queue included) three minutes in five. Runbook: docs/operations.md#latency",
      metric('Missive', 'DeliveryLatency', stack, 'p99', 60),
      5000,
      5,
      { datapointsToAlarm: 3 },
    ),
    // A dead-lettered job needs a person: look at GET /v1/admin/queues, fix, redrive.
    FanoutDeadLetterAlarm: deadLetterAlarm(
      'FanoutDeadLetterAlarm',
      fanout,
      'Jobs of the fan-out queue were dead-lettered (5 failed attempts): some members of a large group missed live ' +
        "events (sync still brings them). Find why in notify-worker's logs, fix, then redrive: " +
        'POST /v1/admin/queues/fanout/redrive. Runbook: docs/operations.md#dead-letters',
    ),
    NotificationsDeadLetterAlarm: deadLetterAlarm(
      'NotificationsDeadLetterAlarm',
      notifications,
      "Jobs of the notifications queue were dead-lettered (5 failed attempts). Find why in notify-worker's logs, fix, " +
        'then redrive: POST /v1/admin/queues/notifications/redrive. Runbook: docs/operations.md#dead-letters',
    ),
    EmailsDeadLetterAlarm: deadLetterAlarm(
      'EmailsDeadLetterAlarm',
      emails,
      "Jobs of the emails queue were dead-lettered (5 failed attempts). Find why in email-worker's logs, fix, then " +
        'redrive: POST /v1/admin/queues/emails/redrive. Runbook: docs/operations.md#dead-letters',
    ),
    TableThrottlesAlarm: alarm(
      'TableThrottlesAlarm',
      'DynamoDB throttled reads or writes of the table or its index GSI1 in at least 3 of the last 5 minutes (the ' +
        "SDK retries, but requests slow down or fail). Check the dashboard's throttles by operation; look for a hot " +
        'key or a sudden surge. Runbook: docs/operations.md#dynamodb-throttles',
      math(
        'throttles',
        'SUM([FILL(tr,0), FILL(tw,0), FILL(ir,0), FILL(iw,0)])',
        60,
        {
          tr: metric('AWS/DynamoDB', 'ReadThrottleEvents', { TableName: table.tableName }, 'Sum', 60),
          tw: metric('AWS/DynamoDB', 'WriteThrottleEvents', { TableName: table.tableName }, 'Sum', 60),
          ir: metric('AWS/DynamoDB', 'ReadThrottleEvents', { TableName: table.tableName, GlobalSecondaryIndexName: GSI1 }, 'Sum', 60),
          iw: metric('AWS/DynamoDB', 'WriteThrottleEvents', { TableName: table.tableName, GlobalSecondaryIndexName: GSI1 }, 'Sum', 60),
        },
        'Throttle events, table and GSI1',
      ),
      1,
      5,
      { datapointsToAlarm: 3 },
    ),
    // The email worker's embedded metric (namespace Missive, dimension Stack).
    EmailsFailedAlarm: alarm(
      'EmailsFailedAlarm',
      "At least 5 e-mail sends failed in 15 minutes (SES refused or errored). Check email-worker's logs, SES's " +
        "sending quota and the sender identities' verification. Runbook: docs/operations.md#e-mails-failed",
      metric('Missive', 'EmailsFailed', stack, 'Sum', 900),
      5,
      1,
    ),
    // SES paused a tenant's sending (its own reputation, as each tenant sends as its SES tenant; or
    // the whole account's): its e-mails wait, an hour at a time; the other tenants' go on.
    EmailsPausedAlarm: alarm(
      'EmailsPausedAlarm',
      "SES held back at least one e-mail in 15 minutes because it paused the tenant's sending (the tenant's bounces " +
        'or complaints; the logs\' "tenant" says whose). Its e-mails wait and are tried again every hour; other ' +
        "tenants' are sent. Runbook: docs/operations.md#a-tenants-e-mails-paused",
      metric('Missive', 'EmailsPaused', stack, 'Sum', 900),
      1,
      1,
    ),
    // The canary writes CanaryFailures 0 or 1 each run; a run missing in a period counts as failed
    // (once the canary has run at all), and no data at all means it stopped: breaching.
    CanaryFailedAlarm: alarm(
      'CanaryFailedAlarm',
      'The synthetic canary failed (or did not run) twice in 15 minutes: a message sent over one socket did not ' +
        'reach another of the same conversation within 10 s, as users would see it. Its log says which step. ' +
        'Runbook: docs/operations.md#canary-failed',
      math(
        'failing',
        'FILL(failures, 1)',
        300,
        { failures: metric('Missive', 'CanaryFailures', stack, 'Sum', 300) },
        'canary runs failed or missing',
      ),
      1,
      3,
      { datapointsToAlarm: 2, treatMissingData: cloudwatch.TreatMissingData.BREACHING },
    ),
  };

  // Which tenants: the counts carry the tenant as a property, never a dimension (each value would
  // be a billed metric). These Contributor Insights rules rank tenants by their refused uses
  // (quota_exceeded) and by the messages they send, from the functions' log lines; an alarm can
  // watch a rule's top contributor (INSIGHT_RULE_METRIC). Runbook:
  // docs/operations.md#a-noisy-tenant. (aws-cloudwatch has no L2 for these rules.)
  const insightRule = (id: InsightRuleName, name: string, logGroups: Crate[], keys: string[], valueOf: string) =>
    new cloudwatch.CfnInsightRule(scope, id, {
      ruleName: `${Aws.STACK_NAME}-${name}`,
      ruleState: 'ENABLED',
      ruleBody: Stack.of(scope).toJsonString({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: logGroups.map((crate) => functions[crate].logGroup.logGroupName),
        LogFormat: 'JSON',
        Contribution: { Keys: keys, ValueOf: valueOf, Filters: [{ Match: valueOf, GreaterThan: 0 }] },
        AggregateOn: 'Sum',
      }),
    });
  const insightRules: Record<InsightRuleName, cloudwatch.CfnInsightRule> = {
    TenantsOverQuotaRule: insightRule(
      'TenantsOverQuotaRule',
      'tenants-over-quota',
      ['ws-connect', 'ws-message', 'http-api', 'notify-worker', 'email-worker'],
      ['$.tenant', '$.Quota'],
      '$.QuotaExceeded',
    ),
    TenantsMessagesRule: insightRule(
      'TenantsMessagesRule',
      'tenants-messages',
      ['ws-message', 'http-api', 'notify-worker'],
      ['$.tenant'],
      '$.MessagesSent',
    ),
  };

  const dashboard = new cloudwatch.CfnDashboard(scope, 'Dashboard', {
    // Dashboards are global to the account, hence the region in the name.
    dashboardName: `${Aws.STACK_NAME}-${Aws.REGION}`,
    dashboardBody: Stack.of(scope).toJsonString(dashboardBody(data, functions, apis, alarms, insightRules)),
  });

  return { alarmTopic, warningTopic, alarms, insightRules, dashboard };
}

type MetricLine = (string | Record<string, unknown>)[];

/**
 * template.yaml's dashboard, widget for widget (docs/operations.md describes each). Built as an
 * object and serialized by the stack, so that every name in it is a reference.
 */
function dashboardBody(
  data: MissiveData,
  functions: Record<FunctionCrate, MissiveFunction>,
  apis: Apis,
  alarms: Record<OperationsAlarmName, cloudwatch.Alarm>,
  insightRules: Record<InsightRuleName, cloudwatch.CfnInsightRule>,
): Record<string, unknown> {
  const region = Aws.REGION;
  const stackName = Aws.STACK_NAME;
  const table = data.table.tableName;
  const webSocketApi = apis.webSocketApi.apiId;
  const httpApi = apis.httpApiId;
  const configurationSet = data.emailConfigurationSet.configurationSetName;

  const graph = (
    position: [x: number, y: number, width: number, height: number],
    title: string,
    stat: string,
    period: number,
    metrics: MetricLine[],
    extra: Record<string, unknown> = {},
  ) => {
    const [x, y, width, height] = position;
    return { type: 'metric', x, y, width, height, properties: { title, view: 'timeSeries', region, stat, period, ...extra, metrics } };
  };
  // A Contributor Insights rule's top contributors.
  const topContributors = (position: [x: number, y: number, width: number, height: number], title: string, rule: cloudwatch.CfnInsightRule) => {
    const [x, y, width, height] = position;
    return {
      type: 'metric',
      x,
      y,
      width,
      height,
      properties: { title, view: 'timeSeries', region, period: 300, insightRule: { maxContributorCount: 10, orderBy: 'Sum', ruleName: rule.attrRuleName } },
    };
  };
  const missive = (...names: string[]): MetricLine[] => names.map((name) => ['Missive', name, 'Stack', stackName]);
  const perFunction = (metricName: string, stat?: string): MetricLine[] =>
    CRATES.map((crate) => [
      'AWS/Lambda',
      metricName,
      'FunctionName',
      functions[crate].function.functionName,
      stat ? { label: crate, stat } : { label: crate },
    ]);
  const queues = (metricName: string, deadLetters = false): MetricLine[] =>
    (
      [
        ['fanout', data.fanout],
        ['notifications', data.notifications],
        ['emails', data.emails],
      ] as const
    ).map(([label, q]) => [
      'AWS/SQS',
      metricName,
      'QueueName',
      (deadLetters ? q.deadLetterQueue : q.queue).queueName,
      { label: deadLetters ? `${label} DLQ` : label },
    ]);

  // The alarms that notify a topic, critical and warnings (the deploy alarms page no one and are
  // not on the dashboard).
  const widgetAlarms: OperationsAlarmName[] = [
    'FunctionErrorsAlarm',
    'FunctionThrottlesAlarm',
    'HttpApi5xxAlarm',
    'WebSocketIntegrationErrorsAlarm',
    'FanoutQueueAgeAlarm',
    'NotificationsQueueAgeAlarm',
    'EmailsQueueAgeAlarm',
    'FanoutDeadLetterAlarm',
    'NotificationsDeadLetterAlarm',
    'EmailsDeadLetterAlarm',
    'TableThrottlesAlarm',
    'EmailsFailedAlarm',
    'EmailsPausedAlarm',
    'SocketActionsFailedAlarm',
    'DurationNearTimeoutAlarm',
    'ConcurrencyNearQuotaAlarm',
    'WebSocketClientErrorsAlarm',
    'SesBounceRateAlarm',
    'SesComplaintRateAlarm',
    'AckLatencyAlarm',
    'DeliveryLatencyAlarm',
    'CanaryFailedAlarm',
  ];

  return {
    start: '-PT6H',
    widgets: [
      {
        type: 'text',
        x: 0,
        y: 0,
        width: 24,
        height: 2,
        properties: {
          markdown:
            `## Missive — ${stackName}\nWhat each graph means and what to do when an alarm fires: \`docs/operations.md\` in the ` +
            'repository. Counts are per minute unless a title says otherwise; the Missive graphs are the functions\' embedded ' +
            'metrics (namespace `Missive`, dimension `Stack`).',
        },
      },
      {
        type: 'alarm',
        x: 0,
        y: 2,
        width: 24,
        height: 3,
        properties: { title: 'Alarms', alarms: widgetAlarms.map((name) => alarms[name].alarmArn) },
      },
      graph([0, 5, 8, 6], 'Messages sent, deliveries, sync requests', 'Sum', 60, missive('MessagesSent', 'Deliveries', 'SyncRequests')),
      graph(
        [8, 5, 8, 6],
        'Notifications created; e-mails, pushes and webhooks sent and failed; devices removed',
        'Sum',
        60,
        missive(
          'NotificationsCreated',
          'EmailsSent',
          'EmailsFailed',
          'EmailsPaused',
          'PushesSent',
          'PushesFailed',
          'DevicesRemoved',
          'WebhooksDelivered',
          'WebhooksFailed',
        ),
      ),
      graph(
        [16, 5, 8, 6],
        'Stale connections removed, rate-limited frames, job and AWS call retries',
        'Sum',
        60,
        missive('StaleConnectionsRemoved', 'RateLimitedFrames', 'JobRetries', 'TransientRetries'),
      ),
      graph([0, 11, 8, 6], 'Lambda errors per function', 'Sum', 60, perFunction('Errors')),
      graph([8, 11, 8, 6], 'Lambda throttles per function', 'Sum', 60, perFunction('Throttles')),
      graph([16, 11, 8, 6], 'Lambda invocations per function', 'Sum', 60, perFunction('Invocations')),
      graph([0, 17, 12, 6], 'Lambda duration p50 (ms)', 'p50', 60, perFunction('Duration', 'p50')),
      graph([12, 17, 12, 6], 'Lambda duration p99 (ms)', 'p99', 60, perFunction('Duration', 'p99')),
      graph([0, 23, 8, 6], 'WebSocket API: connects and messages', 'Sum', 60, [
        ['AWS/ApiGateway', 'ConnectCount', 'ApiId', webSocketApi, { label: 'connects' }],
        ['AWS/ApiGateway', 'MessageCount', 'ApiId', webSocketApi, { label: 'messages, both ways' }],
      ]),
      graph([8, 23, 8, 6], 'WebSocket API: errors', 'Sum', 60, [
        ['AWS/ApiGateway', 'IntegrationError', 'ApiId', webSocketApi, { label: 'integration errors (4xx/5xx from a function)' }],
        ['AWS/ApiGateway', 'ClientError', 'ApiId', webSocketApi, { label: 'client errors (4xx before a function)' }],
        ['AWS/ApiGateway', 'ExecutionError', 'ApiId', webSocketApi, { label: 'execution errors (calling a function failed)' }],
      ]),
      graph([16, 23, 8, 6], 'HTTP API: requests, 4xx, 5xx', 'Sum', 60, [
        ['AWS/ApiGateway', 'Count', 'ApiId', httpApi, { label: 'requests' }],
        ['AWS/ApiGateway', '4xx', 'ApiId', httpApi, { label: '4xx' }],
        ['AWS/ApiGateway', '5xx', 'ApiId', httpApi, { label: '5xx' }],
      ]),
      graph([0, 29, 12, 6], 'HTTP API latency (ms)', 'p99', 60, [
        ['AWS/ApiGateway', 'Latency', 'ApiId', httpApi, { label: 'p50', stat: 'p50' }],
        ['AWS/ApiGateway', 'Latency', 'ApiId', httpApi, { label: 'p99', stat: 'p99' }],
        ['AWS/ApiGateway', 'IntegrationLatency', 'ApiId', httpApi, { label: 'function p99', stat: 'p99' }],
      ]),
      graph([12, 29, 12, 6], 'WebSocket API integration latency (ms)', 'p99', 60, [
        ['AWS/ApiGateway', 'IntegrationLatency', 'ApiId', webSocketApi, { label: 'p50', stat: 'p50' }],
        ['AWS/ApiGateway', 'IntegrationLatency', 'ApiId', webSocketApi, { label: 'p99', stat: 'p99' }],
      ]),
      graph([0, 35, 8, 6], 'Queues: jobs waiting (visible)', 'Maximum', 60, queues('ApproximateNumberOfMessagesVisible')),
      graph([8, 35, 8, 6], 'Queues: age of the oldest job (s)', 'Maximum', 60, queues('ApproximateAgeOfOldestMessage'), {
        annotations: { horizontal: [{ label: 'alarm', value: 1800 }] },
      }),
      graph(
        [16, 35, 8, 6],
        'Dead-letter queues: jobs waiting for a person',
        'Maximum',
        60,
        queues('ApproximateNumberOfMessagesVisible', true),
      ),
      graph([0, 41, 12, 6], 'DynamoDB throttles', 'Sum', 60, [
        [
          {
            expression: `SEARCH('{AWS/DynamoDB,TableName,Operation} MetricName="ThrottledRequests" TableName="${table}"', 'Sum', 60)`,
            id: 'throttled',
            label: 'throttled requests:',
          },
        ],
        ['AWS/DynamoDB', 'ReadThrottleEvents', 'TableName', table, { label: 'read events, table' }],
        ['AWS/DynamoDB', 'WriteThrottleEvents', 'TableName', table, { label: 'write events, table' }],
        ['AWS/DynamoDB', 'ReadThrottleEvents', 'TableName', table, 'GlobalSecondaryIndexName', GSI1, { label: 'read events, GSI1' }],
        ['AWS/DynamoDB', 'WriteThrottleEvents', 'TableName', table, 'GlobalSecondaryIndexName', GSI1, { label: 'write events, GSI1' }],
      ]),
      graph([12, 41, 12, 6], 'DynamoDB consumed capacity units (per minute)', 'Sum', 60, [
        ['AWS/DynamoDB', 'ConsumedReadCapacityUnits', 'TableName', table, { label: 'read' }],
        ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', table, { label: 'write' }],
      ]),
      graph([0, 47, 12, 6], "SES: this stack's e-mails", 'Sum', 60, [
        ['AWS/SES', 'Send', 'ses:configuration-set', configurationSet, { label: 'sent' }],
        ['AWS/SES', 'Delivery', 'ses:configuration-set', configurationSet, { label: 'delivered' }],
        ['AWS/SES', 'Bounce', 'ses:configuration-set', configurationSet, { label: 'bounced' }],
        ['AWS/SES', 'Complaint', 'ses:configuration-set', configurationSet, { label: 'complaints' }],
        ['AWS/SES', 'Reject', 'ses:configuration-set', configurationSet, { label: 'rejected' }],
      ]),
      graph([12, 47, 12, 6], 'SES reputation, whole account (fraction)', 'Maximum', 3600, [
        ['AWS/SES', 'Reputation.BounceRate', { label: 'bounce rate' }],
        ['AWS/SES', 'Reputation.ComplaintRate', { label: 'complaint rate' }],
      ]),
      graph(
        [0, 53, 24, 6],
        "Files: bytes attached to messages and deleted with them (per hour; each tenant's in the log lines)",
        'Sum',
        3600,
        missive('FileBytesAttached', 'FileBytesDeleted'),
      ),
      graph(
        [0, 59, 24, 6],
        "Moderation: messages blocked and masked, pre-send hook failures (each tenant's in the log lines)",
        'Sum',
        300,
        missive('MessagesBlocked', 'MessagesMasked', 'PreSendHookFailures'),
      ),
      graph([0, 65, 12, 6], "Socket actions failed on Missive's side, in all and by code (internal, unavailable)", 'Sum', 300, [
        ['Missive', 'ActionsFailed', 'Stack', stackName],
        ['Missive', 'ActionsFailed', 'Stack', stackName, 'Code', 'internal'],
        ['Missive', 'ActionsFailed', 'Stack', stackName, 'Code', 'unavailable'],
      ]),
      graph(
        [12, 65, 12, 6],
        "Uses refused by tenants' quotas, by quota (which tenants: the TenantsOverQuotaRule Contributor Insights rule)",
        'Sum',
        300,
        ['messagesPerMinute', 'connections', 'emailsPerDay', 'uploadBytesPerDay'].map((quota) => [
          'Missive',
          'QuotaExceeded',
          'Stack',
          stackName,
          'Quota',
          quota,
        ]),
      ),
      topContributors([0, 71, 12, 6], 'Tenants sending the most messages (top 10)', insightRules.TenantsMessagesRule),
      topContributors([12, 71, 12, 6], 'Tenants refused the most by their quotas (top 10)', insightRules.TenantsOverQuotaRule),
      // Each line its own statistic (no widget-wide one); the canary's failures on the right axis.
      {
        type: 'metric',
        x: 0,
        y: 77,
        width: 24,
        height: 6,
        properties: {
          title:
            "Ack latency (a sendMessage's arrival to its ack), delivery latency (an event's creation to its push) and the " +
            "canary's (socket to socket), ms; canary failures (right)",
          view: 'timeSeries',
          region,
          period: 60,
          metrics: [
            ['Missive', 'AckLatency', 'Stack', stackName, { stat: 'p50', label: 'ack p50' }],
            ['Missive', 'AckLatency', 'Stack', stackName, { stat: 'p99', label: 'ack p99' }],
            ['Missive', 'DeliveryLatency', 'Stack', stackName, { stat: 'p50', label: 'delivery p50' }],
            ['Missive', 'DeliveryLatency', 'Stack', stackName, { stat: 'p99', label: 'delivery p99' }],
            ['Missive', 'CanaryLatency', 'Stack', stackName, { stat: 'Maximum', label: 'canary (socket to socket)' }],
            ['Missive', 'CanaryFailures', 'Stack', stackName, { stat: 'Sum', label: 'canary runs failed', yAxis: 'right' }],
          ],
        },
      },
    ],
  };
}
