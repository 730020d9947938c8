import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ALL_CRATES, CRATES, Crate, DEPLOY_ALARMS, FunctionCrate, Missive } from '../lib';
import {
  allStatements,
  placeholderLambdaDirectory,
  readable,
  REQUIRED_PROPS,
  resourceNamed,
  resourcesOfType,
  statementsOf,
  synth,
  Synthesized,
  testApp,
} from './helpers';

const s = synth();

/** Each function as template.yaml declares it (Globals merged in). */
const FUNCTIONS: Record<FunctionCrate, { name: string; memory: number; timeout: number; env: string[] }> = {
  'ws-authorizer': { name: 'WsAuthorizer', memory: 256, timeout: 10, env: ['MISSIVE_SECRETS_ARN'] },
  'ws-connect': { name: 'WsConnect', memory: 256, timeout: 10, env: [] },
  'ws-disconnect': { name: 'WsDisconnect', memory: 256, timeout: 10, env: [] },
  'ws-message': { name: 'WsMessage', memory: 256, timeout: 10, env: ['MISSIVE_FILES_BUCKET'] },
  'http-api': { name: 'HttpApi', memory: 256, timeout: 10, env: ['MISSIVE_SECRETS_ARN', 'MISSIVE_FILES_BUCKET'] },
  'notify-worker': { name: 'NotifyWorker', memory: 512, timeout: 30, env: ['MISSIVE_FILES_BUCKET', 'MISSIVE_SECRETS_ARN'] },
  'email-worker': { name: 'EmailWorker', memory: 256, timeout: 30, env: ['MISSIVE_SES_CONFIGURATION_SET', 'MISSIVE_SES_TENANT_PREFIX', 'MISSIVE_SECRETS_ARN'] },
  scheduler: { name: 'Scheduler', memory: 256, timeout: 30, env: [] },
  canary: { name: 'Canary', memory: 256, timeout: 30, env: ['MISSIVE_SECRETS_ARN', 'MISSIVE_CANARY_HTTP_URL', 'MISSIVE_CANARY_WS_URL'] },
  'deploy-check': {
    name: 'DeployCheck',
    memory: 256,
    timeout: 60,
    env: CRATES.map((crate) => `MISSIVE_CHECK_${crate.toUpperCase().replace(/-/g, '_')}`),
  },
};

/** A function's alias `live`, and its current version, as `readable` writes them. */
const ALIAS = (crate: FunctionCrate) => `\${${FUNCTIONS[crate].name}Function/Aliaslive}`;
const VERSION = (crate: FunctionCrate) => `\${${FUNCTIONS[crate].name}Function/CurrentVersion}`;

const GLOBAL_ENV = {
  MISSIVE_STACK_NAME: '${AWS::StackName}',
  MISSIVE_TABLE: '${Table}',
  MISSIVE_WS_ENDPOINT: 'https://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com/prod',
  MISSIVE_FANOUT_QUEUE_URL: '${FanoutQueue}',
  MISSIVE_NOTIFICATIONS_QUEUE_URL: '${NotificationsQueue}',
  MISSIVE_EMAILS_QUEUE_URL: '${EmailsQueue}',
  MISSIVE_PUBLIC_URL: 'https://missive.example',
  MISSIVE_EMAIL_FROM: 'noreply@missive.example',
  MISSIVE_JWT_ISSUER: '',
  MISSIVE_JWT_AUDIENCE: '',
  MISSIVE_JWKS_URL: '',
  MISSIVE_QUOTA_MESSAGES_PER_MINUTE: '60000',
  MISSIVE_QUOTA_CONNECTIONS: '100000',
  MISSIVE_QUOTA_EMAILS_PER_DAY: '100000',
  MISSIVE_QUOTA_UPLOAD_BYTES_PER_DAY: '10000000000',
};

const ENV_VALUES: Record<string, string> = {
  MISSIVE_SECRETS_ARN: '${Secrets}',
  MISSIVE_FILES_BUCKET: '${FilesBucket}',
  MISSIVE_SES_CONFIGURATION_SET: '${EmailConfigurationSet}',
  MISSIVE_SES_TENANT_PREFIX: '${AWS::StackName}',
  // The canary: the stages' public URLs.
  MISSIVE_CANARY_HTTP_URL: 'https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com/prod',
  MISSIVE_CANARY_WS_URL: 'wss://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com/prod',
  // The deploy check: each function's name (its deployment names the version).
  ...Object.fromEntries(CRATES.map((crate) => [`MISSIVE_CHECK_${crate.toUpperCase().replace(/-/g, '_')}`, `\${${FUNCTIONS[crate].name}Function}`])),
};

// template.yaml's Policies, in its !Sub notation, function by function.
const TABLE = '${Table.Arn}';
const GSI1 = '${Table.Arn}/index/GSI1';
const SECRET = '${Secrets}';
const OBJECTS = '${FilesBucket.Arn}/*';
const BUCKET = '${FilesBucket.Arn}';
const FANOUT = '${FanoutQueue.Arn}';
const NOTIFICATIONS = '${NotificationsQueue.Arn}';
const EMAILS = '${EmailsQueue.Arn}';
const PUSH = 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${AWS::StackName}/push/*';
const CONNECTIONS = 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/prod/POST/@connections/*';
const READ_WRITE = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:Query',
];
type Statement = [actions: string[], resources: string[]];
const SAM_POLICIES: Record<FunctionCrate, Statement[]> = {
  'ws-authorizer': [
    [['secretsmanager:GetSecretValue'], [SECRET]],
    [['dynamodb:GetItem', 'dynamodb:PutItem'], [TABLE]],
  ],
  'ws-connect': [
    [['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], [TABLE]],
    [['sqs:SendMessage'], [FANOUT]],
  ],
  'ws-disconnect': [
    [['dynamodb:UpdateItem', 'dynamodb:PutItem'], [TABLE]],
    [['sqs:SendMessage'], [FANOUT]],
  ],
  'ws-message': [
    [['s3:GetObject'], [OBJECTS]],
    [['s3:ListBucket'], [BUCKET]],
    [['sqs:SendMessage'], [FANOUT, NOTIFICATIONS]],
    [READ_WRITE, [TABLE, GSI1]],
    [['execute-api:ManageConnections'], [CONNECTIONS]],
  ],
  'http-api': [
    [['secretsmanager:GetSecretValue'], [SECRET]],
    [['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:CreateSecret'], [PUSH]],
    [['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], [OBJECTS]],
    [['s3:ListBucket'], [BUCKET]],
    [['sqs:SendMessage', 'sqs:GetQueueAttributes'], [FANOUT, NOTIFICATIONS, EMAILS]],
    [
      ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'],
      ['${FanoutDeadLetterQueue.Arn}', '${NotificationsDeadLetterQueue.Arn}', '${EmailsDeadLetterQueue.Arn}'],
    ],
    [READ_WRITE, [TABLE, GSI1]],
    [['execute-api:ManageConnections'], [CONNECTIONS]],
  ],
  'notify-worker': [
    [READ_WRITE.filter((a) => a !== 'dynamodb:ConditionCheckItem'), [TABLE, GSI1]],
    [['sqs:ChangeMessageVisibility'], [FANOUT, NOTIFICATIONS]],
    [['secretsmanager:GetSecretValue'], [SECRET]],
    [['secretsmanager:GetSecretValue', 'secretsmanager:DeleteSecret'], [PUSH]],
    [['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], [OBJECTS]],
    [['s3:ListBucket'], [BUCKET]],
    [['sqs:SendMessage'], [FANOUT, NOTIFICATIONS, EMAILS]],
    [['execute-api:ManageConnections'], [CONNECTIONS]],
  ],
  'email-worker': [
    [['secretsmanager:GetSecretValue'], [SECRET]],
    [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], [TABLE]],
    [['sqs:SendMessage', 'sqs:ChangeMessageVisibility'], [EMAILS]],
    [
      ['ses:SendEmail'],
      [
        'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*',
        'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${EmailConfigurationSet}',
        'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:tenant/${AWS::StackName}-*',
      ],
    ],
    [
      ['ses:CreateTenant', 'ses:GetTenant', 'ses:CreateTenantResourceAssociation'],
      [
        'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:tenant/${AWS::StackName}-*',
        'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*',
        'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${EmailConfigurationSet}',
      ],
    ],
  ],
  scheduler: [
    [['dynamodb:Query'], [GSI1]],
    [['dynamodb:DeleteItem', 'dynamodb:PutItem'], [TABLE]],
    [['sqs:SendMessage'], [NOTIFICATIONS, EMAILS]],
  ],
  // Signs its own tokens and makes its tenant: the platform's secrets, and nothing else.
  canary: [[['secretsmanager:GetSecretValue'], [SECRET]]],
  'deploy-check': [
    [['lambda:InvokeFunction'], CRATES.map((crate) => `\${${FUNCTIONS[crate].name}Function.Arn}:*`)],
    [
      ['codedeploy:ListDeploymentTargets', 'codedeploy:GetDeploymentTarget', 'codedeploy:PutLifecycleEventHookExecutionStatus'],
      ['arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:${DeploymentApplication}/*'],
    ],
  ],
};

/** What SAM grants through managed policies, narrowed to each function (see lib/functions.ts). */
function runtimeStatements(crate: FunctionCrate): Statement[] {
  const statements: Statement[] = [
    [['logs:CreateLogStream', 'logs:PutLogEvents'], [`\${${FUNCTIONS[crate].name}LogGroup.Arn}`]],
    [['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']],
  ];
  const polled = { 'notify-worker': [FANOUT, NOTIFICATIONS], 'email-worker': [EMAILS] } as Partial<Record<FunctionCrate, string[]>>;
  if (polled[crate]) {
    statements.push([['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], polled[crate]!]);
  }
  return statements;
}

describe('data', () => {
  it('has the table with its keys, GSI1, TTL, PITR, SSE, kept on deletion, protected from deletion in prod', () => {
    s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
          { AttributeName: 'GSI1PK', AttributeType: 'S' },
          { AttributeName: 'GSI1SK', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'GSI1',
            KeySchema: [
              { AttributeName: 'GSI1PK', KeyType: 'HASH' },
              { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
    for (const environment of ['dev', 'staging'] as const) {
      synth({ environment }).template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    }
  });

  it('uses an existing table when named: no table, and every role, variable, alarm and graph names it', () => {
    const existing = synth({ existingTableName: 'missive-restored' });
    existing.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    const arn = 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/missive-restored';
    const text = JSON.stringify(readable(existing, existing.json));
    assert.ok(!/\$\{Table[.}]/.test(text), 'nothing names a table of the stack');
    for (const crate of ALL_CRATES) {
      const fn = resourceNamed(existing, `${FUNCTIONS[crate].name}Function`);
      assert.equal(fn.Properties?.Environment.Variables.MISSIVE_TABLE, 'missive-restored', crate);
    }
    const scheduler = statementsOf(existing, resourceNamed(existing, 'SchedulerFunctionRole'));
    assert.deepEqual(scheduler.find((st) => st.actions.includes('dynamodb:Query'))?.resources, [`${arn}/index/GSI1`]);
    const message = statementsOf(existing, resourceNamed(existing, 'WsMessageFunctionRole'));
    assert.deepEqual(message.find((st) => st.actions.includes('dynamodb:ConditionCheckItem'))?.resources, [arn, `${arn}/index/GSI1`]);
    const throttles = readable(existing, resourceNamed(existing, 'TableThrottlesAlarm').Properties?.Metrics) as any[];
    assert.deepEqual(throttles[1].MetricStat.Metric.Dimensions, [{ Name: 'TableName', Value: 'missive-restored' }]);
    assert.match(readable(existing, resourceNamed(existing, 'Dashboard').Properties?.DashboardBody), /TableName=\\"missive-restored\\"/);
    assert.equal(existing.json.Outputs?.TableName.Value, 'missive-restored');
  });

  it('has the files bucket, private, encrypted, kept, telling the notifications queue of uploads', () => {
    const bucket = resourceNamed(s, 'FilesBucket');
    assert.equal(bucket.DeletionPolicy, 'Retain');
    assert.equal(bucket.UpdateReplacePolicy, 'Retain');
    assert.deepEqual(readable(s, bucket.Properties), {
      NotificationConfiguration: { QueueConfigurations: [{ Event: 's3:ObjectCreated:*', Queue: '${NotificationsQueue.Arn}' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      CorsConfiguration: { CorsRules: [{ AllowedMethods: ['POST', 'GET'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], MaxAge: 3000 }] },
      LifecycleConfiguration: {
        Rules: [{ Id: 'AbortIncompleteUploads', Status: 'Enabled', Prefix: '', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
      },
    });
    // S3 checks that it may send to the queue as the notifications are set.
    assert.deepEqual(bucket.DependsOn?.map((id) => s.names.get(id)), ['NotificationsQueue/Policy']);
    assert.deepEqual(readable(s, resourceNamed(s, 'FilesBucket/Policy').Properties), {
      Bucket: '${FilesBucket}',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: ['${FilesBucket.Arn}', '${FilesBucket.Arn}/*'],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
  });

  it('has the upload origins as the bucket CORS rule', () => {
    const origins = synth({ uploadOrigins: ['https://app.example', 'https://admin.example'] });
    assert.deepEqual(resourceNamed(origins, 'FilesBucket').Properties?.CorsConfiguration.CorsRules[0].AllowedOrigins, [
      'https://app.example',
      'https://admin.example',
    ]);
  });

  it('has three queues, each with its dead-letter queue, redrive after 5 receives, 180 s visibility', () => {
    const queues = resourcesOfType(s, 'AWS::SQS::Queue');
    assert.deepEqual([...queues.keys()].sort(), [
      'EmailsDeadLetterQueue',
      'EmailsQueue',
      'FanoutDeadLetterQueue',
      'FanoutQueue',
      'NotificationsDeadLetterQueue',
      'NotificationsQueue',
    ]);
    for (const name of ['Fanout', 'Notifications', 'Emails']) {
      assert.deepEqual(readable(s, queues.get(`${name}Queue`)!.Properties), {
        VisibilityTimeout: 180,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: `\${${name}DeadLetterQueue.Arn}`, maxReceiveCount: 5 },
      });
      assert.deepEqual(queues.get(`${name}DeadLetterQueue`)!.Properties, { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
    }
  });

  it('lets S3 of this account send to the notifications queue, and nothing else', () => {
    s.template.resourceCountIs('AWS::SQS::QueuePolicy', 1);
    assert.deepEqual(readable(s, resourceNamed(s, 'NotificationsQueue/Policy').Properties), {
      Queues: ['${NotificationsQueue}'],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'UploadsStored',
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: '${NotificationsQueue.Arn}',
            Condition: { StringEquals: { 'aws:SourceAccount': '${AWS::AccountId}' } },
          },
        ],
      },
    });
  });

  it('generates the JWT secret when none is given, beside the platform key', () => {
    const generated = synth({ jwtSecret: undefined });
    const secret = resourceNamed(generated, 'Secrets').Properties!;
    assert.equal(secret.SecretString, undefined);
    assert.deepEqual(secret.GenerateSecretString, {
      SecretStringTemplate: '{"platformKey":"test-platform-key-0123456789"}',
      GenerateStringKey: 'jwtSecret',
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
  });

  it('keeps the secrets in the secret, out of every function environment', () => {
    const secret = resourceNamed(s, 'Secrets');
    assert.equal(secret.Properties?.SecretString, '{"jwtSecret":"test-jwt-secret-0123456789","platformKey":"test-platform-key-0123456789"}');
    assert.equal(
      readable(s, secret.Properties?.Description),
      'Missive ${AWS::StackName}: jwtSecret, platformKey and optionally guestSecret, vapidPrivateKey',
    );
    for (const fn of resourcesOfType(s, 'AWS::Lambda::Function').values()) {
      const environment = JSON.stringify(fn.Properties?.Environment);
      assert.ok(!environment.includes('test-jwt-secret') && !environment.includes('test-platform-key'));
    }
  });

  it('has the SES configuration set, suppressing bounces and complaints, publishing events to CloudWatch', () => {
    assert.deepEqual(resourceNamed(s, 'EmailConfigurationSet').Properties, { SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] } });
    assert.deepEqual(readable(s, resourceNamed(s, 'EmailConfigurationSet/EmailEventsToCloudWatch').Properties), {
      ConfigurationSetName: '${EmailConfigurationSet}',
      EventDestination: {
        Name: 'cloudwatch-metrics',
        Enabled: true,
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'reject'],
        CloudWatchDestination: {
          DimensionConfigurations: [
            { DimensionName: 'ses:configuration-set', DimensionValueSource: 'messageTag', DefaultDimensionValue: '${EmailConfigurationSet}' },
          ],
        },
      },
    });
  });
});

describe('functions', () => {
  it('has the ten functions: provided.al2023, arm64, bootstrap, traced, JSON logs to their own group', () => {
    const functions = resourcesOfType(s, 'AWS::Lambda::Function');
    assert.equal(functions.size, 10);
    for (const crate of ALL_CRATES) {
      const { name, memory, timeout } = FUNCTIONS[crate];
      const fn = functions.get(`${name}Function`);
      assert.ok(fn, `${name}Function`);
      assert.equal(fn.Metadata?.['missive:crate'], crate);
      const p = fn.Properties!;
      assert.equal(p.Runtime, 'provided.al2023');
      assert.deepEqual(p.Architectures, ['arm64']);
      assert.equal(p.Handler, 'bootstrap');
      assert.equal(p.MemorySize, memory, `${crate} memory`);
      assert.equal(p.Timeout, timeout, `${crate} timeout`);
      assert.deepEqual(p.TracingConfig, { Mode: 'Active' });
      assert.deepEqual(readable(s, p.LoggingConfig), { LogFormat: 'JSON', LogGroup: `\${${name}LogGroup}` });
      assert.equal(readable(s, p.Role), `\${${name}FunctionRole.Arn}`);
      assert.equal(p.ReservedConcurrentExecutions, undefined, `${crate}: no reservation by default`);
      assert.ok(p.Code.S3Key, `${crate}: code from an asset`);
    }
  });

  it('gives each function the Globals environment and its own variables', () => {
    const functions = resourcesOfType(s, 'AWS::Lambda::Function');
    for (const crate of ALL_CRATES) {
      const { name, env } = FUNCTIONS[crate];
      const expected = { ...GLOBAL_ENV, ...Object.fromEntries(env.map((v) => [v, ENV_VALUES[v]])) };
      assert.deepEqual(readable(s, functions.get(`${name}Function`)!.Properties?.Environment.Variables), expected, crate);
    }
  });

  it('reserves concurrency only when asked, ws-connect and ws-disconnect alike', () => {
    const reserved = synth({
      wsMessageReservedConcurrency: 40,
      wsAuthorizerReservedConcurrency: 10,
      wsConnectDisconnectReservedConcurrency: 20,
      httpApiReservedConcurrency: 30,
    });
    const functions = resourcesOfType(reserved, 'AWS::Lambda::Function');
    const reservation = (name: string) => functions.get(`${name}Function`)!.Properties?.ReservedConcurrentExecutions;
    assert.equal(reservation('WsMessage'), 40);
    assert.equal(reservation('WsAuthorizer'), 10);
    assert.equal(reservation('WsConnect'), 20);
    assert.equal(reservation('WsDisconnect'), 20);
    assert.equal(reservation('HttpApi'), 30);
    for (const worker of ['NotifyWorker', 'EmailWorker', 'Scheduler', 'Canary', 'DeployCheck']) {
      assert.equal(reservation(worker), undefined);
    }
  });

  it('puts the optional settings in every environment', () => {
    const set = synth({
      jwtIssuer: 'https://idp.example/',
      jwtAudience: 'missive',
      jwksUrl: 'https://idp.example/jwks.json',
      stageName: 'dev',
      defaultMessagesPerMinute: 600,
      defaultConnections: 100,
      defaultEmailsPerDay: 50,
      defaultUploadBytesPerDay: 1_000_000,
    });
    for (const fn of resourcesOfType(set, 'AWS::Lambda::Function').values()) {
      const variables = readable(set, fn.Properties?.Environment.Variables);
      assert.equal(variables.MISSIVE_JWT_ISSUER, 'https://idp.example/');
      assert.equal(variables.MISSIVE_JWT_AUDIENCE, 'missive');
      assert.equal(variables.MISSIVE_JWKS_URL, 'https://idp.example/jwks.json');
      assert.equal(variables.MISSIVE_WS_ENDPOINT, 'https://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com/dev');
      assert.equal(variables.MISSIVE_QUOTA_MESSAGES_PER_MINUTE, '600');
      assert.equal(variables.MISSIVE_QUOTA_CONNECTIONS, '100');
      assert.equal(variables.MISSIVE_QUOTA_EMAILS_PER_DAY, '50');
      assert.equal(variables.MISSIVE_QUOTA_UPLOAD_BYTES_PER_DAY, '1000000');
    }
  });

  it("has a log group per function and per API, kept the environment's retention or logRetentionDays, deleted with the stack", () => {
    const groups = resourcesOfType(s, 'AWS::Logs::LogGroup');
    const expected = new Map<string, string | undefined>([
      ...CRATES.map((crate) => [`${FUNCTIONS[crate].name}LogGroup`, `/aws/lambda/\${AWS::StackName}/${crate}`] as [string, string]),
      // template.yaml's CanaryLogGroup and DeployCheckLogGroup have no LogGroupName: CloudFormation names them.
      ['CanaryLogGroup', undefined],
      ['DeployCheckLogGroup', undefined],
      ['WebSocketAccessLogGroup', '/aws/apigateway/${AWS::StackName}/websocket-access'],
      ['HttpApiAccessLogGroup', '/aws/apigateway/${AWS::StackName}/http-access'],
    ]);
    assert.deepEqual([...groups.keys()].sort(), [...expected.keys()].sort());
    for (const [name, group] of groups) {
      // prod (the default environment) keeps them 90 days.
      const logGroupName = expected.get(name);
      assert.deepEqual(readable(s, group.Properties), { ...(logGroupName ? { LogGroupName: logGroupName } : {}), RetentionInDays: 90 });
      assert.notEqual(group.DeletionPolicy, 'Retain', name);
    }
    for (const [props, days] of [
      [{ environment: 'dev' }, 7],
      [{ environment: 'staging' }, 30],
      [{ environment: 'dev', logRetentionDays: 365 }, 365],
      [{ logRetentionDays: 1 }, 1],
    ] as const) {
      const retention = new Set([...resourcesOfType(synth(props), 'AWS::Logs::LogGroup').values()].map((g) => g.Properties?.RetentionInDays));
      assert.deepEqual([...retention], [days], JSON.stringify(props));
    }
  });

  it('reads the queues with MaximumConcurrency and ReportBatchItemFailures', () => {
    const mappings = resourcesOfType(s, 'AWS::Lambda::EventSourceMapping');
    // On the alias: Lambda polls for the alias `live`, whatever version it points at.
    const expected = {
      'NotifyWorkerFunction/Fanout': [ALIAS('notify-worker'), '${FanoutQueue.Arn}', 50],
      'NotifyWorkerFunction/Jobs': [ALIAS('notify-worker'), '${NotificationsQueue.Arn}', 50],
      'EmailWorkerFunction/Jobs': [ALIAS('email-worker'), '${EmailsQueue.Arn}', 5],
    };
    assert.deepEqual([...mappings.keys()].sort(), Object.keys(expected).sort());
    for (const [name, [fn, queue, concurrency]] of Object.entries(expected)) {
      assert.deepEqual(readable(s, mappings.get(name)!.Properties), {
        FunctionName: fn,
        EventSourceArn: queue,
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: concurrency },
      });
    }
    const tuned = synth({ fanoutWorkerMaxConcurrency: 20, notifyWorkerMaxConcurrency: 30, emailWorkerMaxConcurrency: 2 });
    const concurrency = (name: string) => resourcesOfType(tuned, 'AWS::Lambda::EventSourceMapping').get(name)!.Properties?.ScalingConfig;
    assert.deepEqual(concurrency('NotifyWorkerFunction/Fanout'), { MaximumConcurrency: 20 });
    assert.deepEqual(concurrency('NotifyWorkerFunction/Jobs'), { MaximumConcurrency: 30 });
    assert.deepEqual(concurrency('EmailWorkerFunction/Jobs'), { MaximumConcurrency: 2 });
  });

  for (const [crate, schedule, rate] of [
    ['scheduler', 'SchedulerFunctionEveryMinute', 'rate(1 minute)'],
    ['canary', 'CanaryFunctionEveryFiveMinutes', 'rate(5 minutes)'],
  ] as const) {
    it(`runs the ${crate} alias at ${rate}, with no fixed name, through a role that may invoke it only`, () => {
      const p = readable(s, resourceNamed(s, schedule).Properties);
      assert.equal(p.ScheduleExpression, rate);
      assert.equal(p.Name, undefined);
      assert.deepEqual(p.FlexibleTimeWindow, { Mode: 'OFF' });
      assert.equal(p.Target.Arn, ALIAS(crate));
      assert.equal(p.Target.RoleArn, `\${${schedule}Role.Arn}`);
      const role = resourceNamed(s, `${schedule}Role`);
      assert.deepEqual(role.Properties?.AssumeRolePolicyDocument.Statement, [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' } },
      ]);
      assert.equal(role.Properties?.ManagedPolicyArns, undefined);
      assert.deepEqual(statementsOf(s, role), [{ effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [ALIAS(crate)] }]);
    });
  }

  it('goes through the public endpoints with the canary, and is no part of the gradual deploys', () => {
    // No deployment group, and neither the deploy check nor CodeDeploy names it.
    assert.ok(![...resourcesOfType(s, 'AWS::CodeDeploy::DeploymentGroup').keys()].some((name) => name.startsWith('Canary')));
    for (const name of ['DeployCheckFunction', 'DeployCheckFunctionRole', 'CodeDeployRole']) {
      assert.ok(!JSON.stringify(readable(s, resourceNamed(s, name).Properties)).includes('Canary'), name);
    }
    assert.equal(s.stack.resolve(s.missive.aliases.canary.aliasName), 'live');
    const schedules = resourcesOfType(s, 'AWS::Scheduler::Schedule');
    assert.deepEqual([...schedules.keys()].sort(), ['CanaryFunctionEveryFiveMinutes', 'SchedulerFunctionEveryMinute']);
  });
});

describe('IAM', () => {
  it('gives each function a role of its own, trusted by Lambda only', () => {
    const roles = new Set(ALL_CRATES.map((crate) => readable(s, resourceNamed(s, `${FUNCTIONS[crate].name}Function`).Properties?.Role)));
    assert.equal(roles.size, 10);
    for (const crate of ALL_CRATES) {
      const role = resourceNamed(s, `${FUNCTIONS[crate].name}FunctionRole`);
      assert.deepEqual(role.Properties?.AssumeRolePolicyDocument.Statement, [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      assert.equal(role.Properties?.ManagedPolicyArns, undefined, `${crate}: no managed policy`);
    }
  });

  for (const crate of ALL_CRATES) {
    it(`allows ${crate} exactly what template.yaml's policies allow it (and its logs, traces, queues)`, () => {
      const role = resourceNamed(s, `${FUNCTIONS[crate].name}FunctionRole`);
      const expected = [...runtimeStatements(crate), ...SAM_POLICIES[crate]].map(([actions, resources]) => ({ effect: 'Allow', actions, resources }));
      assert.deepEqual(statementsOf(s, role), expected);
    });
  }

  it('has no policy besides the roles and the two resource policies', () => {
    s.template.resourceCountIs('AWS::IAM::Policy', 0);
    s.template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  it('grants no Action "*", and Resource "*" only to X-Ray', () => {
    const statements = allStatements(s);
    assert.ok(statements.length > 50);
    for (const { where, statement } of statements) {
      const actions = ([] as string[]).concat(statement.Action ?? statement.NotAction ?? []);
      assert.ok(!actions.some((a) => a === '*'), `${where}: Action *`);
      if (statement.Effect === 'Allow') {
        assert.ok(!actions.some((a) => a.endsWith(':*')), `${where}: ${actions}`);
        const resources = ([] as unknown[]).concat(statement.Resource ?? []);
        if (resources.some((r) => r === '*')) {
          assert.deepEqual(actions, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], where);
        }
      }
      assert.equal(statement.NotAction, undefined, where);
      assert.equal(statement.NotResource, undefined, where);
    }
  });

  it('makes the account API Gateway logs role only when asked, and keeps it', () => {
    const role = resourceNamed(s, 'ApiGatewayCloudWatchRole');
    assert.equal(role.DeletionPolicy, 'Retain');
    assert.deepEqual(readable(s, role.Properties?.ManagedPolicyArns), [
      'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    ]);
    const account = resourceNamed(s, 'ApiGatewayAccount');
    assert.equal(account.DeletionPolicy, 'Retain');
    assert.equal(readable(s, account.Properties?.CloudWatchRoleArn), '${ApiGatewayCloudWatchRole.Arn}');

    const existing = synth({ apiGatewayLogsRole: 'existing' });
    existing.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    // The ten functions', the two schedules', CodeDeploy's.
    existing.template.resourceCountIs('AWS::IAM::Role', 13);
    assert.ok(!(resourceNamed(existing, 'WebSocketStage').DependsOn ?? []).some((id) => existing.names.get(id) === 'ApiGatewayAccount'));
  });
});

describe('WebSocket API', () => {
  it('selects routes on $request.body.action', () => {
    assert.deepEqual(readable(s, resourceNamed(s, 'WebSocketApi').Properties), {
      Name: '${AWS::StackName}-ws',
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('authorizes $connect with ws-authorizer on ?token=', () => {
    s.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    assert.deepEqual(readable(s, resourceNamed(s, 'WebSocketApi/WebSocketAuthorizer').Properties), {
      ApiId: '${WebSocketApi}',
      Name: 'token',
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
      AuthorizerUri: `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/${ALIAS('ws-authorizer')}/invocations`,
    });
  });

  it('routes $connect, $disconnect, $default, sendMessage and ping, through three integrations', () => {
    const integrations = new Map(
      [...resourcesOfType(s, 'AWS::ApiGatewayV2::Integration')].map(([name, integration]) => {
        const p = readable(s, integration.Properties);
        assert.equal(p.IntegrationType, 'AWS_PROXY');
        assert.equal(p.ApiId, '${WebSocketApi}');
        return [`integrations/\${${name}}`, /functions\/\$\{(\w+)Function\/Aliaslive\}\/invocations$/.exec(p.IntegrationUri)![1]];
      }),
    );
    assert.equal(integrations.size, 3);
    const routes = Object.fromEntries(
      [...resourcesOfType(s, 'AWS::ApiGatewayV2::Route').values()].map((route) => {
        const p = readable(s, route.Properties);
        return [p.RouteKey, [integrations.get(p.Target), p.AuthorizationType, p.AuthorizerId]];
      }),
    );
    assert.deepEqual(routes, {
      $connect: ['WsConnect', 'CUSTOM', '${WebSocketApi/WebSocketAuthorizer}'],
      $disconnect: ['WsDisconnect', 'NONE', undefined],
      $default: ['WsMessage', 'NONE', undefined],
      sendMessage: ['WsMessage', 'NONE', undefined],
      ping: ['WsMessage', 'NONE', undefined],
    });
  });

  it("lets API Gateway invoke each function's alias from its routes or authorizer only", () => {
    const permissions = [...resourcesOfType(s, 'AWS::Lambda::Permission').values()].map((p) => readable(s, p.Properties));
    const api = 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:';
    assert.deepEqual(
      permissions.map((p) => [p.FunctionName, p.SourceArn]).sort(),
      [
        [ALIAS('http-api'), `${api}\${HttpApi}/*/*/*`],
        [ALIAS('ws-authorizer'), `${api}\${WebSocketApi}/authorizers/\${WebSocketApi/WebSocketAuthorizer}`],
        [ALIAS('ws-connect'), `${api}\${WebSocketApi}/*/$connect`],
        [ALIAS('ws-disconnect'), `${api}\${WebSocketApi}/*/$disconnect`],
        [ALIAS('ws-message'), `${api}\${WebSocketApi}/*/*`],
      ].sort(),
    );
    for (const p of permissions) {
      assert.equal(p.Action, 'lambda:InvokeFunction');
      assert.equal(p.Principal, 'apigateway.amazonaws.com');
    }
  });

  it('deploys to its stage with throttling, metrics and access logs, after the routes and the logs role', () => {
    const stage = resourceNamed(s, 'WebSocketStage');
    const p = readable(s, stage.Properties);
    assert.equal(p.ApiId, '${WebSocketApi}');
    assert.equal(p.StageName, 'prod');
    assert.equal(p.AutoDeploy, true);
    assert.deepEqual(p.DefaultRouteSettings, { DetailedMetricsEnabled: true, ThrottlingBurstLimit: 500, ThrottlingRateLimit: 1000 });
    assert.equal(p.AccessLogSettings.DestinationArn, '${WebSocketAccessLogGroup.Arn}');
    const format = JSON.parse(p.AccessLogSettings.Format);
    assert.equal(format.routeKey, '$context.routeKey');
    assert.ok(!p.AccessLogSettings.Format.includes('querystring'), 'the token must not be logged');
    const dependsOn = new Set((stage.DependsOn ?? []).map((id) => s.names.get(id)));
    for (const route of ['$connect', '$disconnect', '$default', 'sendMessage', 'ping']) {
      assert.ok(dependsOn.has(`WebSocketApi/${route}-Route`), route);
    }
    assert.ok(dependsOn.has('ApiGatewayAccount'));

    const throttled = synth({ webSocketThrottlingBurstLimit: 50, webSocketThrottlingRateLimit: 100, stageName: 'dev' });
    assert.deepEqual(resourceNamed(throttled, 'WebSocketStage').Properties?.DefaultRouteSettings, {
      DetailedMetricsEnabled: true,
      ThrottlingBurstLimit: 50,
      ThrottlingRateLimit: 100,
    });
    assert.equal(resourceNamed(throttled, 'WebSocketStage').Properties?.StageName, 'dev');
  });
});

describe('HTTP API', () => {
  it("sends ANY /{proxy+} to http-api's alias with payload format 2.0", () => {
    const body = readable(s, resourceNamed(s, 'HttpApi').Properties?.Body);
    assert.deepEqual(body.paths, {
      '/{proxy+}': {
        'x-amazon-apigateway-any-method': {
          'x-amazon-apigateway-integration': {
            httpMethod: 'POST',
            type: 'aws_proxy',
            uri: `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/${ALIAS('http-api')}/invocations`,
            payloadFormatVersion: '2.0',
          },
          responses: {},
          parameters: [{ required: true, name: 'proxy+', in: 'path' }],
        },
      },
    });
    assert.equal(body.openapi, '3.0.1');
  });

  it('deploys to its one stage with throttling, metrics and access logs', () => {
    const stages = [...resourcesOfType(s, 'AWS::ApiGatewayV2::Stage').values()].filter((st) => readable(s, st.Properties?.ApiId) === '${HttpApi}');
    assert.equal(stages.length, 1);
    const p = readable(s, stages[0].Properties);
    assert.equal(p.StageName, 'prod');
    assert.equal(p.AutoDeploy, true);
    assert.deepEqual(p.DefaultRouteSettings, { DetailedMetricsEnabled: true, ThrottlingBurstLimit: 500, ThrottlingRateLimit: 1000 });
    assert.equal(p.AccessLogSettings.DestinationArn, '${HttpApiAccessLogGroup.Arn}');
    assert.equal(JSON.parse(p.AccessLogSettings.Format).path, '$context.path');

    const throttled = synth({ httpApiThrottlingBurstLimit: 5, httpApiThrottlingRateLimit: 10 });
    assert.deepEqual(resourceNamed(throttled, 'HttpApiStage').Properties?.DefaultRouteSettings, {
      DetailedMetricsEnabled: true,
      ThrottlingBurstLimit: 5,
      ThrottlingRateLimit: 10,
    });
  });
});

describe('operations', () => {
  const CRITICAL = '${AlarmTopic}';
  const WARNING = '${WarningTopic}';
  // threshold, comparison, evaluation periods, datapoints to alarm, the topic notified.
  const ALARMS: Record<string, [number, string, number, number | undefined, string]> = {
    FunctionErrorsAlarm: [5, 'GreaterThanOrEqualToThreshold', 1, undefined, CRITICAL],
    FunctionThrottlesAlarm: [10, 'GreaterThanOrEqualToThreshold', 1, undefined, CRITICAL],
    HttpApi5xxAlarm: [1, 'GreaterThanOrEqualToThreshold', 1, undefined, CRITICAL],
    WebSocketIntegrationErrorsAlarm: [10, 'GreaterThanOrEqualToThreshold', 1, undefined, CRITICAL],
    FanoutQueueAgeAlarm: [120, 'GreaterThanOrEqualToThreshold', 2, undefined, CRITICAL],
    NotificationsQueueAgeAlarm: [1800, 'GreaterThanOrEqualToThreshold', 1, undefined, CRITICAL],
    EmailsQueueAgeAlarm: [1800, 'GreaterThanOrEqualToThreshold', 1, undefined, CRITICAL],
    SocketActionsFailedAlarm: [1, 'GreaterThanOrEqualToThreshold', 2, 2, CRITICAL],
    DurationNearTimeoutAlarm: [0.8, 'GreaterThanOrEqualToThreshold', 2, 2, WARNING],
    ConcurrencyNearQuotaAlarm: [0.8, 'GreaterThanOrEqualToThreshold', 5, 3, WARNING],
    WebSocketClientErrorsAlarm: [0.05, 'GreaterThanOrEqualToThreshold', 2, 2, WARNING],
    SesBounceRateAlarm: [0.05, 'GreaterThanOrEqualToThreshold', 1, undefined, CRITICAL],
    SesComplaintRateAlarm: [0.001, 'GreaterThanOrEqualToThreshold', 1, undefined, CRITICAL],
    AckLatencyAlarm: [1000, 'GreaterThanOrEqualToThreshold', 5, 3, CRITICAL],
    DeliveryLatencyAlarm: [5000, 'GreaterThanOrEqualToThreshold', 5, 3, WARNING],
    FanoutDeadLetterAlarm: [0, 'GreaterThanThreshold', 1, undefined, WARNING],
    NotificationsDeadLetterAlarm: [0, 'GreaterThanThreshold', 1, undefined, WARNING],
    EmailsDeadLetterAlarm: [0, 'GreaterThanThreshold', 1, undefined, WARNING],
    TableThrottlesAlarm: [1, 'GreaterThanOrEqualToThreshold', 5, 3, CRITICAL],
    EmailsFailedAlarm: [5, 'GreaterThanOrEqualToThreshold', 1, undefined, WARNING],
    EmailsPausedAlarm: [1, 'GreaterThanOrEqualToThreshold', 1, undefined, WARNING],
    CanaryFailedAlarm: [1, 'GreaterThanOrEqualToThreshold', 3, 2, CRITICAL],
  };

  /**
   * An alarm's metric math by id (the order of the list does not matter to CloudWatch): an
   * expression as [its text, its label, whether it is returned], a metric as [namespace, name,
   * dimensions in name order, period, statistic].
   */
  const mathOf = (x: Synthesized, alarm: string) =>
    Object.fromEntries(
      (readable(x, resourceNamed(x, alarm).Properties?.Metrics) as any[]).map((m) => [
        m.Id,
        m.Expression !== undefined
          ? [m.Expression, m.Label, m.ReturnData]
          : [
              m.MetricStat.Metric.Namespace,
              m.MetricStat.Metric.MetricName,
              Object.fromEntries((m.MetricStat.Metric.Dimensions ?? []).map((d: any) => [d.Name, d.Value]).sort()),
              m.MetricStat.Period,
              m.MetricStat.Stat,
              m.ReturnData,
            ],
      ]),
    );
  const perFunction = (prefix: string, metricName: string, stat = 'Sum') =>
    Object.fromEntries(
      CRATES.map((crate, i) => [`${prefix}${i + 1}`, ['AWS/Lambda', metricName, { FunctionName: `\${${FUNCTIONS[crate].name}Function}` }, 300, stat, false]]),
    );
  const sum = (prefix: string) => `SUM([${CRATES.map((_, i) => `FILL(${prefix}${i + 1},0)`).join(', ')}])`;
  const STACK = { Stack: '${AWS::StackName}' };

  it('has every alarm, notifying its topic (critical or warning) when it fires and when it recovers (the deploy alarms page no one)', () => {
    const alarms = resourcesOfType(s, 'AWS::CloudWatch::Alarm');
    const deployAlarms = CRATES.map((crate) => DEPLOY_ALARMS[crate].name);
    assert.deepEqual([...alarms.keys()].sort(), [...Object.keys(ALARMS), ...deployAlarms].sort());
    for (const name of deployAlarms) {
      const p = readable(s, alarms.get(name)!.Properties);
      assert.equal(p.AlarmActions, undefined, name);
      assert.equal(p.OKActions, undefined, name);
      assert.match(p.AlarmDescription, /Runbook: docs\/operations\.md#a-deploy-rolled-back$/, name);
    }
    for (const [name, [threshold, comparison, periods, datapoints, topic]] of Object.entries(ALARMS)) {
      const p = readable(s, alarms.get(name)!.Properties);
      assert.equal(p.Threshold, threshold, name);
      assert.equal(p.ComparisonOperator, comparison, name);
      assert.equal(p.EvaluationPeriods, periods, name);
      assert.equal(p.DatapointsToAlarm, datapoints, name);
      // No data means nothing went wrong — but for the canary, which writes every run: it stopped.
      assert.equal(p.TreatMissingData, name === 'CanaryFailedAlarm' ? 'breaching' : 'notBreaching', name);
      assert.deepEqual(p.AlarmActions, [topic], name);
      assert.deepEqual(p.OKActions, [topic], name);
      assert.match(p.AlarmDescription, /Runbook: docs\/operations\.md#[a-z0-9-]+$/, name);
      assert.equal(s.missive.alarms[name as keyof typeof s.missive.alarms].node.id, name);
    }
  });

  it("sums the eight functions' failed invocations and their throttles (9 queries: an alarm reads 10 at most)", () => {
    assert.deepEqual(mathOf(s, 'FunctionErrorsAlarm'), {
      errors: [sum('f'), 'Errors, all functions', true],
      ...perFunction('f', 'Errors'),
    });
    assert.deepEqual(mathOf(s, 'FunctionThrottlesAlarm'), {
      throttles: [sum('f'), 'Throttles, all functions', true],
      ...perFunction('f', 'Throttles'),
    });
  });

  it("alarms on socket actions failed as a share of ws-message's invocations", () => {
    assert.deepEqual(mathOf(s, 'SocketActionsFailedAlarm'), {
      failing: [
        'IF(FILL(failed,0) >= 5 AND FILL(failed,0) >= 0.01 * FILL(frames,0), 1, 0)',
        'actions failed at least 5 and at least 1 % of frames (1 = yes)',
        true,
      ],
      failed: ['Missive', 'ActionsFailed', STACK, 300, 'Sum', false],
      frames: ['AWS/Lambda', 'Invocations', { FunctionName: '${WsMessageFunction}' }, 300, 'Sum', false],
    });
  });

  it("warns when a function's p99 duration nears its own timeout", () => {
    const shares = CRATES.map((crate, i) => `FILL(d${i + 1},0) / ${FUNCTIONS[crate].timeout * 1000}`);
    assert.deepEqual(mathOf(s, 'DurationNearTimeoutAlarm'), {
      nearest: [`MAX([${shares.join(', ')}])`, "the largest share of its timeout a function's p99 duration took", true],
      ...perFunction('d', 'Duration', 'p99'),
    });
    // 10 s for the request path, 30 s for the workers and the scheduler.
    assert.match(shares.join(', '), /^(FILL\(d[1-5],0\) \/ 10000, ){5}(FILL\(d[6-8],0\) \/ 30000(, )?){3}$/);
  });

  it("warns at 80 % of the account's concurrency quota, as accountConcurrencyQuota says", () => {
    const running = ['AWS/Lambda', 'ConcurrentExecutions', {}, 60, 'Maximum', false];
    const label = "share of the account's concurrency quota in use";
    assert.deepEqual(mathOf(s, 'ConcurrencyNearQuotaAlarm'), { share: ['FILL(running,0) / 1000', label, true], running });
    const larger = synth({ accountConcurrencyQuota: 3000 });
    assert.deepEqual(mathOf(larger, 'ConcurrencyNearQuotaAlarm'), { share: ['FILL(running,0) / 3000', label, true], running });
    // The account's, not a function's: no dimension.
    assert.equal(readable(s, resourceNamed(s, 'ConcurrencyNearQuotaAlarm').Properties?.Metrics)[1].MetricStat.Metric.Dimensions, undefined);
  });

  it("warns when the WebSocket stage refuses 5 % of connects and frames, 100 of them at least", () => {
    const stage = { ApiId: '${WebSocketApi}', Stage: 'prod' };
    assert.deepEqual(mathOf(s, 'WebSocketClientErrorsAlarm'), {
      refused: ['IF(FILL(requests,0) >= 100, FILL(errors,0) / requests, 0)', 'share of connects and frames refused', true],
      requests: ['FILL(connects,0) + FILL(frames,0)', undefined, false],
      errors: ['AWS/ApiGateway', 'ClientError', stage, 300, 'Sum', false],
      connects: ['AWS/ApiGateway', 'ConnectCount', stage, 300, 'Sum', false],
      frames: ['AWS/ApiGateway', 'MessageCount', stage, 300, 'Sum', false],
    });
    const dev = synth({ stageName: 'dev' });
    assert.equal(mathOf(dev, 'WebSocketClientErrorsAlarm').errors[2].Stage, 'dev');
  });

  it("pages on the account's SES reputation, the ack latency and the canary; warns on the delivery latency", () => {
    const single = (alarm: string) => {
      const p = readable(s, resourceNamed(s, alarm).Properties);
      return [p.Namespace, p.MetricName, p.Dimensions, p.Statistic ?? p.ExtendedStatistic, p.Period];
    };
    // The whole account's sending: no dimension.
    assert.deepEqual(single('SesBounceRateAlarm'), ['AWS/SES', 'Reputation.BounceRate', undefined, 'Maximum', 3600]);
    assert.deepEqual(single('SesComplaintRateAlarm'), ['AWS/SES', 'Reputation.ComplaintRate', undefined, 'Maximum', 3600]);
    const stack = [{ Name: 'Stack', Value: '${AWS::StackName}' }];
    assert.deepEqual(single('AckLatencyAlarm'), ['Missive', 'AckLatency', stack, 'p99', 60]);
    assert.deepEqual(single('DeliveryLatencyAlarm'), ['Missive', 'DeliveryLatency', stack, 'p99', 60]);
    // A run missing counts as failed.
    assert.deepEqual(mathOf(s, 'CanaryFailedAlarm'), {
      failing: ['FILL(failures, 1)', 'canary runs failed or missing', true],
      failures: ['Missive', 'CanaryFailures', STACK, 300, 'Sum', false],
    });
  });

  it('watches each queue and dead-letter queue, and the table with its index', () => {
    const dimension = (alarm: string) => readable(s, resourceNamed(s, alarm).Properties?.Dimensions);
    assert.deepEqual(dimension('FanoutQueueAgeAlarm'), [{ Name: 'QueueName', Value: '${FanoutQueue.QueueName}' }]);
    assert.deepEqual(dimension('EmailsDeadLetterAlarm'), [{ Name: 'QueueName', Value: '${EmailsDeadLetterQueue.QueueName}' }]);
    assert.deepEqual(dimension('EmailsFailedAlarm'), [{ Name: 'Stack', Value: '${AWS::StackName}' }]);
    assert.deepEqual(mathOf(s, 'TableThrottlesAlarm'), {
      throttles: ['SUM([FILL(tr,0), FILL(tw,0), FILL(ir,0), FILL(iw,0)])', 'Throttle events, table and GSI1', true],
      tr: ['AWS/DynamoDB', 'ReadThrottleEvents', { TableName: '${Table}' }, 60, 'Sum', false],
      tw: ['AWS/DynamoDB', 'WriteThrottleEvents', { TableName: '${Table}' }, 60, 'Sum', false],
      ir: ['AWS/DynamoDB', 'ReadThrottleEvents', { TableName: '${Table}', GlobalSecondaryIndexName: 'GSI1' }, 60, 'Sum', false],
      iw: ['AWS/DynamoDB', 'WriteThrottleEvents', { TableName: '${Table}', GlobalSecondaryIndexName: 'GSI1' }, 60, 'Sum', false],
    });
  });

  it('has two topics, critical and warnings, and subscribes each e-mail only when given, to its topic', () => {
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
    assert.deepEqual(resourceNamed(s, 'AlarmTopic').Properties, { DisplayName: 'Missive alarms' });
    assert.deepEqual(resourceNamed(s, 'WarningTopic').Properties, { DisplayName: 'Missive warnings' });
    for (const [props, expected] of [
      [{ alarmEmail: 'ops@missive.example' }, [['ops@missive.example', CRITICAL]]],
      [{ warningEmail: 'team@missive.example' }, [['team@missive.example', WARNING]]],
    ] as const) {
      const subscribed = synth(props);
      const subscriptions = [...resourcesOfType(subscribed, 'AWS::SNS::Subscription').values()].map((r) => readable(subscribed, r.Properties));
      assert.deepEqual(
        subscriptions.map((p) => [p.Endpoint, p.TopicArn, p.Protocol]).sort(),
        expected.map(([endpoint, topic]) => [endpoint, topic, 'email']),
        JSON.stringify(props),
      );
    }
  });

  it('ranks tenants with two Contributor Insights rules over the functions log groups', () => {
    const rules = resourcesOfType(s, 'AWS::CloudWatch::InsightRule');
    assert.deepEqual([...rules.keys()].sort(), ['TenantsMessagesRule', 'TenantsOverQuotaRule']);
    const overQuota = readable(s, rules.get('TenantsOverQuotaRule')!.Properties);
    assert.equal(overQuota.RuleName, '${AWS::StackName}-tenants-over-quota');
    assert.equal(overQuota.RuleState, 'ENABLED');
    assert.deepEqual(JSON.parse(overQuota.RuleBody).LogGroupNames, [
      '${WsConnectLogGroup}',
      '${WsMessageLogGroup}',
      '${HttpApiLogGroup}',
      '${NotifyWorkerLogGroup}',
      '${EmailWorkerLogGroup}',
    ]);
  });

  it('names the dashboard after the stack and the region', () => {
    assert.equal(readable(s, resourceNamed(s, 'Dashboard').Properties?.DashboardName), '${AWS::StackName}-${AWS::Region}');
  });
});

describe('gradual deploys', () => {
  it('publishes each function as a version, kept when replaced, behind the alias live', () => {
    s.template.resourceCountIs('AWS::Lambda::Version', 10);
    s.template.resourceCountIs('AWS::Lambda::Alias', 10);
    for (const crate of ALL_CRATES) {
      const { name } = FUNCTIONS[crate];
      const version = resourceNamed(s, `${name}Function/CurrentVersion`);
      assert.equal(readable(s, version.Properties?.FunctionName), `\${${name}Function}`);
      assert.equal(version.DeletionPolicy, 'Retain', crate);
      const alias = readable(s, resourceNamed(s, `${name}Function/Aliaslive`).Properties);
      assert.deepEqual(alias, { Name: 'live', FunctionName: `\${${name}Function}`, FunctionVersion: `${VERSION(crate).slice(0, -1)}.Version}` });
    }
  });

  it('has every caller name the alias, never the function ($LATEST)', () => {
    const callers = ['AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Authorizer', 'AWS::ApiGatewayV2::Api', 'AWS::Lambda::Permission', 'AWS::Lambda::EventSourceMapping', 'AWS::Scheduler::Schedule'];
    let aliases = 0;
    for (const type of callers) {
      for (const [name, resource] of resourcesOfType(s, type)) {
        const text = JSON.stringify(readable(s, resource.Properties));
        assert.ok(!/\$\{\w+Function(\.Arn)?\}/.test(text), `${name} names a function, not its alias: ${text}`);
        aliases += (text.match(/Function\/Aliaslive\}/g) ?? []).length;
      }
    }
    // 3 integrations, the authorizer, the HTTP API's body, 5 permissions, 3 mappings, the two schedules.
    assert.equal(aliases, 15);
    const scheduleRole = statementsOf(s, resourceNamed(s, 'SchedulerFunctionEveryMinuteRole'));
    assert.deepEqual(scheduleRole[0].resources, [ALIAS('scheduler')]);
    const canaryRole = statementsOf(s, resourceNamed(s, 'CanaryFunctionEveryFiveMinutesRole'));
    assert.deepEqual(canaryRole[0].resources, [ALIAS('canary')]);
  });

  it("shifts each alias with CodeDeploy as the environment says, after the deploy check's alias, rolled back by the function's alarm", () => {
    s.template.resourceCountIs('AWS::CodeDeploy::Application', 1);
    assert.deepEqual(resourceNamed(s, 'DeploymentApplication').Properties, { ComputePlatform: 'Lambda' });
    for (const [environment, config] of [
      [undefined, 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
      ['prod', 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
      ['staging', 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'],
      ['dev', 'CodeDeployDefault.LambdaAllAtOnce'],
    ] as const) {
      const x = environment ? synth({ environment }) : s;
      const groups = resourcesOfType(x, 'AWS::CodeDeploy::DeploymentGroup');
      assert.deepEqual([...groups.keys()].sort(), CRATES.map((crate) => `${FUNCTIONS[crate].name}FunctionDeploymentGroup`).sort());
      for (const crate of CRATES) {
        const { name } = FUNCTIONS[crate];
        const group = readable(x, groups.get(`${name}FunctionDeploymentGroup`)!.Properties);
        assert.deepEqual(group, {
          ApplicationName: '${DeploymentApplication}',
          DeploymentConfigName: config,
          DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
          ServiceRoleArn: '${CodeDeployRole.Arn}',
          AlarmConfiguration: { Enabled: true, Alarms: [{ Name: `\${${DEPLOY_ALARMS[crate].name}}` }] },
          AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
        });
        assert.deepEqual(readable(x, resourceNamed(x, `${name}Function/Aliaslive`).UpdatePolicy), {
          CodeDeployLambdaAliasUpdate: {
            ApplicationName: '${DeploymentApplication}',
            DeploymentGroupName: `\${${name}FunctionDeploymentGroup}`,
            BeforeAllowTrafficHook: ALIAS('deploy-check'),
          },
        });
      }
      // The hook itself is shifted at once: it is what decides whether the others' shift. So is
      // the canary (no canary deploy for the canary itself).
      assert.equal(resourceNamed(x, 'DeployCheckFunction/Aliaslive').UpdatePolicy, undefined);
      assert.equal(resourceNamed(x, 'CanaryFunction/Aliaslive').UpdatePolicy, undefined);
    }
  });

  it("watches the share of failed invocations of each function's newest version in a minute", () => {
    const expected: Record<Crate, [threshold: number, minimum: number]> = {
      'ws-authorizer': [0.5, 10],
      'ws-connect': [0.05, 10],
      'ws-disconnect': [0.05, 10],
      'ws-message': [0.05, 10],
      'http-api': [0.05, 10],
      'notify-worker': [0.2, 3],
      'email-worker': [0.2, 3],
      scheduler: [1, 1],
    };
    for (const crate of CRATES) {
      const [threshold, minimum] = expected[crate];
      const fn = `\${${FUNCTIONS[crate].name}Function}`;
      const p = readable(s, resourceNamed(s, DEPLOY_ALARMS[crate].name).Properties);
      assert.equal(p.Threshold, threshold, crate);
      assert.equal(p.EvaluationPeriods, 1);
      assert.equal(p.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
      assert.equal(p.TreatMissingData, 'notBreaching');
      const metric = (id: string, metricName: string) => ({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: metricName,
            // The newest version's only: a canary's failures are not diluted by the old version's traffic.
            Dimensions: [
              { Name: 'ExecutedVersion', Value: `\${${FUNCTIONS[crate].name}Function/CurrentVersion.Version}` },
              { Name: 'FunctionName', Value: fn },
              { Name: 'Resource', Value: `${fn}:live` },
            ],
          },
          Period: 60,
          Stat: 'Sum',
        },
      });
      assert.deepEqual(p.Metrics, [
        { Id: 'failing', Label: `${crate}'s share of failed invocations`, Expression: `IF(invocations >= ${minimum}, errors / invocations, 0)`, ReturnData: true },
        metric('errors', 'Errors'),
        metric('invocations', 'Invocations'),
      ]);
    }
  });

  it("lets CodeDeploy move the functions' aliases, invoke the hook's alias and read the deploy alarms, nothing else", () => {
    const role = resourceNamed(s, 'CodeDeployRole');
    assert.deepEqual(role.Properties?.AssumeRolePolicyDocument.Statement, [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codedeploy.amazonaws.com' } },
    ]);
    // No managed policy (the L2 deployment group would attach AWSCodeDeployRoleForLambdaLimited).
    assert.equal(role.Properties?.ManagedPolicyArns, undefined);
    assert.deepEqual(role.Properties?.Policies.map((p: any) => p.PolicyName), ['gradual-deploys']);
    assert.deepEqual(statementsOf(s, role), [
      {
        effect: 'Allow',
        actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
        resources: CRATES.flatMap((crate) => [`\${${FUNCTIONS[crate].name}Function.Arn}`, `\${${FUNCTIONS[crate].name}Function.Arn}:*`]),
      },
      { effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [ALIAS('deploy-check')] },
      { effect: 'Allow', actions: ['cloudwatch:DescribeAlarms'], resources: CRATES.map((crate) => `\${${DEPLOY_ALARMS[crate].name}.Arn}`) },
    ]);
  });
});

describe('custom domains', () => {
  const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0d1b5e4a-7c2f-4a8e-9b3d-2f6c1e8a9b70';

  it('has none unless asked', () => {
    s.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    s.template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
  });

  it("maps each domain to its API's stage at its root, regional, TLS 1.2, and outputs where to point its DNS", () => {
    const d = synth({ webSocketDomainName: 'ws.chat.example.com', httpApiDomainName: 'api.chat.example.com', certificateArn });
    for (const [domain, name, api, stage] of [
      ['WebSocketDomain', 'ws.chat.example.com', '${WebSocketApi}', '${WebSocketStage}'],
      ['HttpApiDomain', 'api.chat.example.com', '${HttpApi}', '${HttpApiStage}'],
    ]) {
      assert.deepEqual(readable(d, resourceNamed(d, domain).Properties), {
        DomainName: name,
        DomainNameConfigurations: [{ CertificateArn: certificateArn, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
      });
      assert.deepEqual(readable(d, resourceNamed(d, `${domain}Mapping`).Properties), { DomainName: `\${${domain}}`, ApiId: api, Stage: stage });
      assert.equal(readable(d, d.json.Outputs?.[`${domain}Target`].Value), `\${${domain}.RegionalDomainName}`);
    }
    const one = synth({ httpApiDomainName: 'api.chat.example.com', certificateArn });
    assert.deepEqual([...resourcesOfType(one, 'AWS::ApiGatewayV2::DomainName').keys()], ['HttpApiDomain']);
    assert.ok(!('WebSocketDomainTarget' in (one.json.Outputs ?? {})));
  });
});

describe('the construct', () => {
  it('exposes its parts', () => {
    const m = s.missive;
    for (const parts of [m.functions, m.aliases, m.roles, m.logGroups]) {
      assert.deepEqual(Object.keys(parts), [...ALL_CRATES]);
    }
    assert.deepEqual(Object.keys(m.deploymentGroups), [...CRATES]);
    assert.equal(s.stack.resolve(m.aliases['http-api'].aliasName), 'live');
    assert.ok(m.deploymentApplication && m.codeDeployRole);
    assert.equal(m.webSocketDomain, undefined);
    assert.equal(m.httpApiDomain, undefined);
    assert.equal(s.stack.resolve(m.table.tableName).Ref, [...s.names].find(([, n]) => n === 'Table')![0]);
    assert.ok(m.queues.fanout && m.queues.notificationsDeadLetter && m.queues.emails);
    assert.equal(readable(s, s.stack.resolve(m.webSocketUrl)), 'wss://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com/prod');
    assert.equal(readable(s, s.stack.resolve(m.httpApiUrl)), 'https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com/prod');
    assert.equal(Object.keys(m.alarms).length, 30);
    assert.ok(m.alarmTopic && m.warningTopic);
  });

  it('lets an app add permissions to a function role, as a policy of its own', () => {
    const stack = new Stack(testApp(), 'Extended');
    const missive = new Missive(stack, 'Chat', { ...REQUIRED_PROPS, lambdaDirectory: placeholderLambdaDirectory() });
    missive.functions['http-api'].addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:123456789012:other'] }),
    );
    // The deploy check's function holds its role without policy updates: through the role itself.
    missive.roles['deploy-check'].addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:123456789012:other'] }),
    );
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 2);
  });
});
