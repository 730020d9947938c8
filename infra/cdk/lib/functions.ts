import * as fs from 'fs';
import * as path from 'path';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GSI1, MissiveData } from './data';
import { ALL_CRATES, CANARY_CRATE, Crate, CRATES, DEPLOY_CHECK_CRATE, MissivePropsError, ResolvedProps } from './props';

/** One of the ten crates: the eight functions, the canary and the deploy check. */
export type FunctionCrate = (typeof ALL_CRATES)[number];

/** The alias every caller names (template.yaml's AutoPublishAlias). */
export const LIVE_ALIAS = 'live';

/**
 * One of Missive's functions, with the role only it uses, the log group only it writes to, and
 * its alias `live` on its current version, which every caller names.
 */
export interface MissiveFunction {
  readonly crate: FunctionCrate;
  readonly function: lambda.Function;
  /** `live`, on `function.currentVersion`: what API Gateway, the event sources and the schedule invoke. */
  readonly alias: lambda.Alias;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/** What one function is: template.yaml's AWS::Serverless::Function, Globals merged in. */
interface FunctionSpec {
  readonly crate: FunctionCrate;
  /** The construct id's stem, template.yaml's logical id without "Function" (WsAuthorizer…). */
  readonly name: string;
  readonly description: string;
  /** @default 256 (Globals) */
  readonly memorySize?: number;
  /** @default 10 (Globals) */
  readonly timeoutSeconds?: number;
  /** ReservedConcurrentExecutions; 0 leaves it out (a reservation of 0 would stop the function). */
  readonly reservedConcurrency?: number;
  /** Variables beyond the Globals'. */
  readonly environment?: Record<string, string>;
  /** The role's statements: template.yaml's Policies for this function, in its order. */
  readonly statements: iam.PolicyStatement[];
  /** The queues an event source mapping reads for it (Lambda polls them with its role). */
  readonly consumes?: sqs.IQueue[];
  /**
   * The log group's name; undefined: CloudFormation's (template.yaml names every function's
   * group after the stack but the deploy check's).
   */
  readonly logGroupName?: string;
}

function allow(actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources });
}

/** The eight functions, as template.yaml declares them; their roles allow what template.yaml's do. */
function specs(data: MissiveData, webSocketApi: apigwv2.IWebSocketApi, props: ResolvedProps): FunctionSpec[] {
  const { secret, table, filesBucket, fanout, notifications, emails, emailConfigurationSet } = data;
  const tableArn = table.tableArn;
  const indexArn = `${table.tableArn}/index/${GSI1}`;
  const objects = filesBucket.arnForObjects('*');
  const bucketArn = filesBucket.bucketArn;
  const secretArn = secret.secretArn;
  // Tenants' FCM and APNs credentials: one secret each, created on first use by http-api, outside
  // the stack (deleting the stack leaves them).
  const pushSecrets = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${Aws.STACK_NAME}/push/*`;
  const connections = `arn:${Aws.PARTITION}:execute-api:${Aws.REGION}:${Aws.ACCOUNT_ID}:${webSocketApi.apiId}/${props.stageName}/POST/@connections/*`;
  const readWrite = [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:PutItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:Query',
  ];

  return [
    {
      crate: 'ws-authorizer',
      name: 'WsAuthorizer',
      description: '$connect authorizer — verifies the token, provisions the user',
      reservedConcurrency: props.wsAuthorizerReservedConcurrency,
      environment: { MISSIVE_SECRETS_ARN: secretArn },
      statements: [
        allow(['secretsmanager:GetSecretValue'], [secretArn]),
        allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [tableArn]),
      ],
    },
    {
      crate: 'ws-connect',
      name: 'WsConnect',
      description: '$connect — records the connection with its TTL; a first connection queues its presence announcement',
      reservedConcurrency: props.wsConnectDisconnectReservedConcurrency,
      statements: [
        // The tenant's connections quota: its record (its own limit, unless in memory), the
        // earlier slots' counts (BatchGetItem) and the current slot's (UpdateItem); then one
        // UpdateItem of the user's connections item, which answers with all of them.
        allow(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], [tableArn]),
        allow(['sqs:SendMessage'], [fanout.queue.queueArn]),
      ],
    },
    {
      crate: 'ws-disconnect',
      name: 'WsDisconnect',
      description: '$disconnect — forgets the connection; the last one records last seen and queues its presence announcement',
      reservedConcurrency: props.wsConnectDisconnectReservedConcurrency,
      statements: [
        allow(['dynamodb:UpdateItem', 'dynamodb:PutItem'], [tableArn]),
        allow(['sqs:SendMessage'], [fanout.queue.queueArn]),
      ],
    },
    {
      crate: 'ws-message',
      name: 'WsMessage',
      description: 'WebSocket actions — sendMessage, editMessage, deleteMessage, markRead, typing, sync, ping, $default',
      reservedConcurrency: props.wsMessageReservedConcurrency,
      environment: { MISSIVE_FILES_BUCKET: filesBucket.bucketName },
      statements: [
        // A message's attachments are checked against their bytes. ListBucket makes a missing
        // file a 404 rather than a 403.
        allow(['s3:GetObject'], [objects]),
        allow(['s3:ListBucket'], [bucketArn]),
        allow(['sqs:SendMessage'], [fanout.queue.queueArn, notifications.queue.queueArn]),
        allow(readWrite, [tableArn, indexArn]),
        allow(['execute-api:ManageConnections'], [connections]),
      ],
    },
    {
      crate: 'http-api',
      name: 'HttpApi',
      description: 'The REST API under /v1 — one router for every route',
      reservedConcurrency: props.httpApiReservedConcurrency,
      environment: { MISSIVE_SECRETS_ARN: secretArn, MISSIVE_FILES_BUCKET: filesBucket.bucketName },
      statements: [
        allow(['secretsmanager:GetSecretValue'], [secretArn]),
        allow(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:CreateSecret'], [pushSecrets]),
        // Upload forms and download links are signed with this role's credentials.
        allow(['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], [objects]),
        allow(['s3:ListBucket'], [bucketArn]),
        // Jobs, and the admin's queue dashboard and redrive.
        allow(['sqs:SendMessage', 'sqs:GetQueueAttributes'], [fanout.queue.queueArn, notifications.queue.queueArn, emails.queue.queueArn]),
        allow(
          ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'],
          [fanout.deadLetterQueue.queueArn, notifications.deadLetterQueue.queueArn, emails.deadLetterQueue.queueArn],
        ),
        allow(readWrite, [tableArn, indexArn]),
        allow(['execute-api:ManageConnections'], [connections]),
      ],
    },
    {
      crate: 'notify-worker',
      name: 'NotifyWorker',
      description:
        "The fan-out queue's worker (large audiences, read and typing summaries, presence) and the notifications queue's " +
        "(message notifications, pushes to devices, reminders, thumbnails, deleted messages' files)",
      timeoutSeconds: 30,
      // A thumbnail decodes an image of up to 40 megapixels (160 MB; MISSIVE_MAX_IMAGE_PIXELS).
      memorySize: 512,
      environment: { MISSIVE_FILES_BUCKET: filesBucket.bucketName, MISSIVE_SECRETS_ARN: secretArn },
      consumes: [fanout.queue, notifications.queue],
      statements: [
        allow(readWrite.filter((a) => a !== 'dynamodb:ConditionCheckItem'), [tableArn, indexArn]),
        allow(['sqs:ChangeMessageVisibility'], [fanout.queue.queueArn, notifications.queue.queueArn]),
        allow(['secretsmanager:GetSecretValue'], [secretArn]),
        allow(['secretsmanager:GetSecretValue', 'secretsmanager:DeleteSecret'], [pushSecrets]),
        allow(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], [objects]),
        allow(['s3:ListBucket'], [bucketArn]),
        allow(['sqs:SendMessage'], [fanout.queue.queueArn, notifications.queue.queueArn, emails.queue.queueArn]),
        allow(['execute-api:ManageConnections'], [connections]),
      ],
    },
    {
      crate: 'email-worker',
      name: 'EmailWorker',
      description: "The emails queue's worker — renders and sends notification e-mails and digests",
      timeoutSeconds: 30,
      environment: {
        MISSIVE_SES_CONFIGURATION_SET: emailConfigurationSet.configurationSetName,
        // Each tenant sends as its own SES tenant, `{stack}-{tenant}`: its own reputation, paused alone.
        MISSIVE_SES_TENANT_PREFIX: Aws.STACK_NAME,
        MISSIVE_SECRETS_ARN: secretArn,
      },
      consumes: [emails.queue],
      statements: [
        allow(['secretsmanager:GetSecretValue'], [secretArn]),
        // UpdateItem: the tenant's e-mails of the day, counted against its quota.
        allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], [tableArn]),
        allow(['sqs:SendMessage', 'sqs:ChangeMessageVisibility'], [emails.queue.queueArn]),
        // SES v2 SendEmail with a configuration set and a tenant checks the identity, the set and the tenant.
        allow(
          ['ses:SendEmail'],
          [
            `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`,
            `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${emailConfigurationSet.configurationSetName}`,
            `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:tenant/${Aws.STACK_NAME}-*`,
          ],
        ),
        // A tenant's first e-mail makes its SES tenant, with the set and the sender's identity.
        allow(
          ['ses:CreateTenant', 'ses:GetTenant', 'ses:CreateTenantResourceAssociation'],
          [
            `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:tenant/${Aws.STACK_NAME}-*`,
            `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`,
            `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${emailConfigurationSet.configurationSetName}`,
          ],
        ),
      ],
    },
    {
      crate: 'scheduler',
      name: 'Scheduler',
      description: 'Every minute — enqueues the jobs that are due (reminders, digests, deferred e-mails)',
      timeoutSeconds: 30,
      statements: [
        allow(['dynamodb:Query'], [indexArn]),
        allow(['dynamodb:DeleteItem', 'dynamodb:PutItem'], [tableArn]),
        allow(['sqs:SendMessage'], [notifications.queue.queueArn, emails.queue.queueArn]),
      ],
    },
  ];
}

/** The variables every function gets (template.yaml's Globals). */
function globalEnvironment(data: MissiveData, webSocketApi: apigwv2.IWebSocketApi, props: ResolvedProps): Record<string, string> {
  return {
    // The Stack dimension of the functions' embedded metrics (namespace Missive), so that two
    // stacks in one account keep their metrics apart.
    MISSIVE_STACK_NAME: Aws.STACK_NAME,
    MISSIVE_TABLE: data.table.tableName,
    MISSIVE_WS_ENDPOINT: `https://${webSocketApi.apiId}.execute-api.${Aws.REGION}.amazonaws.com/${props.stageName}`,
    MISSIVE_FANOUT_QUEUE_URL: data.fanout.queue.queueUrl,
    MISSIVE_NOTIFICATIONS_QUEUE_URL: data.notifications.queue.queueUrl,
    MISSIVE_EMAILS_QUEUE_URL: data.emails.queue.queueUrl,
    MISSIVE_PUBLIC_URL: props.publicUrl,
    MISSIVE_EMAIL_FROM: props.emailFrom,
    MISSIVE_JWT_ISSUER: props.jwtIssuer,
    MISSIVE_JWT_AUDIENCE: props.jwtAudience,
    MISSIVE_JWKS_URL: props.jwksUrl,
    // Tenants' quotas, for tenants without their own.
    MISSIVE_QUOTA_MESSAGES_PER_MINUTE: String(props.defaultMessagesPerMinute),
    MISSIVE_QUOTA_CONNECTIONS: String(props.defaultConnections),
    MISSIVE_QUOTA_EMAILS_PER_DAY: String(props.defaultEmailsPerDay),
    MISSIVE_QUOTA_UPLOAD_BYTES_PER_DAY: String(props.defaultUploadBytesPerDay),
  };
}

/** The folder of one crate's binary, checked: Code.fromAsset needs it, the deployment its bootstrap. */
function codeDirectory(lambdaDirectory: string, crate: FunctionCrate): string {
  const directory = path.resolve(lambdaDirectory, crate);
  if (!fs.existsSync(path.join(directory, 'bootstrap'))) {
    throw new MissivePropsError(
      `no ${path.join(directory, 'bootstrap')}: build the functions first (cargo lambda build --release --arm64, ` +
        'at the repository root), or point lambdaDirectory at a folder holding <crate>/bootstrap for each of ' +
        ALL_CRATES.join(', '),
    );
  }
  return directory;
}

/**
 * One function: its log group, its role (every statement inline), the function, its current
 * version and the alias `live` on it.
 */
function makeFunction(
  scope: Construct,
  spec: FunctionSpec,
  common: Record<string, string>,
  props: ResolvedProps,
  options: { immutableRole?: boolean } = {},
): MissiveFunction {
  // Kept the retention the environment or logRetentionDays says. The group exists before the
  // function, so no invocation can create it first (without retention); deleted with the stack,
  // as template.yaml's.
  const logGroup = new logs.LogGroup(scope, `${spec.name}LogGroup`, {
    logGroupName: spec.logGroupName,
    retention: props.logRetention as logs.RetentionDays,
    removalPolicy: RemovalPolicy.DESTROY,
  });

  // One role per function, every statement inline and explicit. What SAM adds through managed
  // policies is here narrowed to this function: its own log group (not every log group), X-Ray's
  // two write actions (which take no resource), and Lambda's polling of its own queues only.
  const runtime = [
    allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup.logGroupArn]),
    allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
  ];
  if (spec.consumes?.length) {
    runtime.push(allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], spec.consumes.map((q) => q.queueArn)));
  }
  const role = new iam.Role(scope, `${spec.name}FunctionRole`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: {
      // `minimize: false`: the statements stay as written, whatever the app's feature flags.
      LambdaRuntime: new iam.PolicyDocument({ statements: runtime, minimize: false }),
      Missive: new iam.PolicyDocument({ statements: spec.statements, minimize: false }),
    },
  });

  const reserved = spec.reservedConcurrency ?? 0;
  const fn = new lambda.Function(scope, `${spec.name}Function`, {
    runtime: lambda.Runtime.PROVIDED_AL2023,
    architecture: lambda.Architecture.ARM_64,
    handler: 'bootstrap',
    code: lambda.Code.fromAsset(codeDirectory(props.lambdaDirectory, spec.crate)),
    description: spec.description,
    memorySize: spec.memorySize ?? 256,
    timeout: Duration.seconds(spec.timeoutSeconds ?? 10),
    role: options.immutableRole ? role.withoutPolicyUpdates() : role,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup,
    environment: { ...common, ...spec.environment },
    // A reservation of 0 would stop the function altogether: 0 means none.
    reservedConcurrentExecutions: reserved > 0 ? reserved : undefined,
    // The versions stay when a newer one replaces them (SAM's DeletionPolicy: Retain): a deploy
    // rolled back shifts the alias back to the version before.
    currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
  });
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  // X-Ray: Lambda records a segment per invocation. Set on the resource rather than with the
  // `tracing` prop, which would add its grant to a separate AWS::IAM::Policy; the role above
  // holds it inline.
  cfn.tracingConfig = { mode: lambda.Tracing.ACTIVE };
  // Which binary this function runs, for tools reading the synthesized template.
  cfn.addMetadata('missive:crate', spec.crate);

  // Published as a version (fn.currentVersion: a new one whenever the function changes, kept
  // when replaced, as SAM's) behind the alias `live`, which every caller names; a deploy shifts
  // the alias as the environment says (lib/deploys.ts).
  const alias = fn.addAlias(LIVE_ALIAS);

  return { crate: spec.crate, function: fn, alias, role, logGroup };
}

/**
 * An EventBridge Scheduler schedule on a function's alias, as SAM's ScheduleV2 event with
 * OmitName makes it: no fixed name (two stacks coexist in one account), and a role EventBridge
 * Scheduler assumes that may invoke that alias and nothing else (`<Function><Event>Role`). The
 * role is handed to the target without policy updates so that the target adds no second grant
 * of its own.
 */
function scheduleOnAlias(scope: Construct, id: string, target: MissiveFunction, every: Duration, policyName: string): scheduler.Schedule {
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
    inlinePolicies: {
      [policyName]: new iam.PolicyDocument({
        statements: [allow(['lambda:InvokeFunction'], [target.alias.functionArn])],
        minimize: false,
      }),
    },
  });
  return new scheduler.Schedule(scope, id, {
    schedule: scheduler.ScheduleExpression.rate(every),
    target: new schedulerTargets.LambdaInvoke(target.alias, { role: role.withoutPolicyUpdates() }),
  });
}

/** The eight functions and the deploy check: what is made before the APIs. */
export type CoreFunctions = Record<Exclude<FunctionCrate, typeof CANARY_CRATE>, MissiveFunction>;

/**
 * Nine of the functions (the eight and the deploy check; the canary, which names the APIs, is
 * {@link createCanary}'s), each with its own role and log group and its alias `live`, their SQS
 * event sources and the scheduler's schedule, all on the aliases.
 */
export function createFunctions(
  scope: Construct,
  data: MissiveData,
  webSocketApi: apigwv2.IWebSocketApi,
  application: codedeploy.ILambdaApplication,
  props: ResolvedProps,
): CoreFunctions {
  const common = globalEnvironment(data, webSocketApi, props);
  const functions = {} as CoreFunctions;
  for (const spec of specs(data, webSocketApi, props)) {
    functions[spec.crate as Crate] = makeFunction(scope, { logGroupName: `/aws/lambda/${Aws.STACK_NAME}/${spec.crate}`, ...spec }, common, props);
  }

  // ---------------------------------------------------------------- deploy check
  // The pre-traffic hook of every deploy (docs/deployment.md, "Gradual deploys"): CodeDeploy
  // invokes it (through its own alias) before it shifts an alias `live`; it reads which function
  // and version its deployment moves to, invokes that version with a probe that changes nothing
  // and tells CodeDeploy Succeeded or Failed. Behind its own alias like every function,
  // published with each deploy but shifted at once: it is what decides whether the others' shift.
  const fns = CRATES.map((crate) => functions[crate].function);
  functions[DEPLOY_CHECK_CRATE] = makeFunction(
    scope,
    {
      crate: DEPLOY_CHECK_CRATE,
      name: 'DeployCheck',
      description: "Pre-traffic hook — invokes the new version its deployment moves to with the function's probe; tells CodeDeploy whether it is healthy",
      timeoutSeconds: 60,
      // Each function's name (!Ref <Function>), to know which probe a deployment's function answers:
      // MISSIVE_CHECK_WS_MESSAGE for ws-message. The deployment names the version.
      environment: Object.fromEntries(CRATES.map((crate, i) => [`MISSIVE_CHECK_${crate.toUpperCase().replace(/-/g, '_')}`, fns[i].functionName])),
      statements: [
        allow(['lambda:InvokeFunction'], fns.map((fn) => `${fn.functionArn}:*`)),
        // Every deployment group of the application (one statement for the eight).
        allow(
          ['codedeploy:ListDeploymentTargets', 'codedeploy:GetDeploymentTarget', 'codedeploy:PutLifecycleEventHookExecutionStatus'],
          [`arn:${Aws.PARTITION}:codedeploy:${Aws.REGION}:${Aws.ACCOUNT_ID}:deploymentgroup:${application.applicationName}/*`],
        ),
      ],
      // template.yaml's DeployCheckLogGroup has no LogGroupName.
      logGroupName: undefined,
    },
    common,
    props,
    // The deployment groups would each grant the hook's role PutLifecycleEventHookExecutionStatus
    // on their own ARN, in an AWS::IAM::Policy of its own: the statement above covers them all.
    { immutableRole: true },
  );

  // ---------------------------------------------------------------- event sources
  // On the alias, as SAM makes them for a function with AutoPublishAlias (FunctionName: the
  // alias's ARN). Not SqsEventSource, whose grant would add a policy resource: the role above
  // already lets Lambda poll these queues.
  const readQueue = (crate: Crate, id: string, queue: sqs.IQueue, maxConcurrency: number) => {
    const { function: fn, alias } = functions[crate];
    const mapping = new lambda.EventSourceMapping(fn, id, {
      target: alias,
      eventSourceArn: queue.queueArn,
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency,
    });
    // The L2 names an alias `<function name>:live`, pieced from its ARN: its ARN says the same.
    (mapping.node.defaultChild as lambda.CfnEventSourceMapping).functionName = alias.functionArn;
  };
  // Two event sources, each capped on its own: live delivery's fan-out never waits behind the
  // notifications' backlog, nor takes more than its share.
  readQueue('notify-worker', 'Fanout', data.fanout.queue, props.fanoutWorkerMaxConcurrency);
  // Capped so that a backlog cannot take the concurrency the request path needs.
  readQueue('notify-worker', 'Jobs', data.notifications.queue, props.notifyWorkerMaxConcurrency);
  // SES limits the sending rate: capping the pollers keeps a burst from turning into throttled
  // sends, retries and dead letters.
  readQueue('email-worker', 'Jobs', data.emails.queue, props.emailWorkerMaxConcurrency);

  // ---------------------------------------------------------------- schedule
  // Every minute, on the alias.
  scheduleOnAlias(scope, 'SchedulerFunctionEveryMinute', functions.scheduler, Duration.minutes(1), 'InvokeScheduler');

  return functions;
}

/** Where the canary goes, as a user's client would: the stages' public URLs. */
export interface CanaryEndpoints {
  /** `https://<api>.execute-api.<region>.amazonaws.com/<stage>` (MISSIVE_CANARY_HTTP_URL). */
  readonly httpApiUrl: string;
  /** `wss://<api>.execute-api.<region>.amazonaws.com/<stage>` (MISSIVE_CANARY_WS_URL). */
  readonly webSocketUrl: string;
}

/**
 * The synthetic canary (template.yaml's CanaryFunction, functions/canary): what a user does, every
 * five minutes, through the public endpoints — two sockets of the tenant missive-canary, a message
 * from one to the other, timed (CanaryFailures, CanaryLatency; CanaryFailedAlarm pages when it
 * fails). Behind its alias `live` like every function, shifted at once: no deployment group, no
 * canary deploy for the canary itself. Made after the APIs, whose URLs it is given.
 */
export function createCanary(
  scope: Construct,
  data: MissiveData,
  webSocketApi: apigwv2.IWebSocketApi,
  endpoints: CanaryEndpoints,
  props: ResolvedProps,
): MissiveFunction {
  const canary = makeFunction(
    scope,
    {
      crate: CANARY_CRATE,
      name: 'Canary',
      description: 'Every five minutes — two sockets of the canary tenant, one message from one to the other, timed',
      timeoutSeconds: 30,
      environment: {
        // Signs its own tokens and makes its tenant: the platform's secrets.
        MISSIVE_SECRETS_ARN: data.secret.secretArn,
        MISSIVE_CANARY_HTTP_URL: endpoints.httpApiUrl,
        MISSIVE_CANARY_WS_URL: endpoints.webSocketUrl,
      },
      statements: [allow(['secretsmanager:GetSecretValue'], [data.secret.secretArn])],
      // template.yaml's CanaryLogGroup has no LogGroupName.
      logGroupName: undefined,
    },
    globalEnvironment(data, webSocketApi, props),
    props,
  );
  // Every five minutes, on the alias.
  scheduleOnAlias(scope, 'CanaryFunctionEveryFiveMinutes', canary, Duration.minutes(5), 'InvokeCanary');
  return canary;
}
