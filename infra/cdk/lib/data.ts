import { Aws, Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { checkSecretText, isGiven, ResolvedProps } from './props';

/** A job queue and its dead-letter queue. */
export interface JobQueue {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/** The stateful part of Missive: template.yaml's "secrets", "data", "files" and "queues", and SES. */
export interface MissiveData {
  readonly secret: secretsmanager.Secret;
  /** The construct's table, or the existing one (existingTableName) it uses instead. */
  readonly table: dynamodb.ITable;
  readonly filesBucket: s3.Bucket;
  /** Live delivery's background work (large audiences, read and typing summaries, presence). */
  readonly fanout: JobQueue;
  /** Notifications, pushes, reminders, thumbnails, deleted messages' files. */
  readonly notifications: JobQueue;
  /** Notification e-mails and digests. */
  readonly emails: JobQueue;
  readonly emailConfigurationSet: ses.ConfigurationSet;
}

/** The name of the table's one index (GSI1PK, GSI1SK; every attribute projected). */
export const GSI1 = 'GSI1';

export function createData(scope: Construct, props: ResolvedProps): MissiveData {
  // ---------------------------------------------------------------- secrets
  // Out of the functions' environment: the functions that verify or sign tokens read it once per
  // cold start (MISSIVE_SECRETS_ARN), and only they may.
  const stack = Stack.of(scope);
  const secrets: [string, SecretValue][] = [['platformKey', props.platformKey]];
  if (props.jwtSecret) {
    secrets.unshift(['jwtSecret', props.jwtSecret]);
  }
  for (const [name, value] of secrets) {
    // Unwrapped to be checked, never to be written anywhere but the secret.
    checkSecretText(name, stack.resolve(value.unsafeUnwrap()));
  }
  const description = `Missive ${Aws.STACK_NAME}: jwtSecret, platformKey and optionally guestSecret, vapidPrivateKey`;
  const secret = props.jwtSecret
    ? new secretsmanager.Secret(scope, 'Secrets', {
        description,
        secretObjectValue: { jwtSecret: props.jwtSecret, platformKey: props.platformKey },
      })
    : // No jwtSecret given: Secrets Manager makes one, beside the platform key.
      new secretsmanager.Secret(scope, 'Secrets', {
        description,
        generateSecretString: {
          secretStringTemplate: stack.toJsonString({ platformKey: props.platformKey.unsafeUnwrap() }),
          generateStringKey: 'jwtSecret',
          passwordLength: 64,
          excludePunctuation: true,
        },
      });

  // ---------------------------------------------------------------- data
  // existingTableName (a table restored from point-in-time recovery): the construct makes no
  // table, and everything below names that one (its ARN built from the name, as template.yaml's
  // !Sub arn:…:table/${ExistingTableName}).
  let table: dynamodb.ITable;
  if (isGiven(props.existingTableName)) {
    table = dynamodb.Table.fromTableName(scope, 'Table', props.existingTableName);
  } else {
    const created = new dynamodb.Table(scope, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // SSEEnabled with the AWS-managed KMS key, as template.yaml's SSESpecification.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // In prod, a DeleteTable (console, CLI, a stack replacing it) is refused until turned off.
      deletionProtection: props.settings.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    created.addGlobalSecondaryIndex({
      indexName: GSI1,
      partitionKey: { name: 'GSI1PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'GSI1SK', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    table = created;
  }

  // ---------------------------------------------------------------- queues
  // Jobs are retried through their visibility timeout (backoff set by the worker) and
  // dead-lettered after five receives; the visibility timeout is six times the worker's.
  const jobQueue = (name: string): JobQueue => {
    const deadLetterQueue = new sqs.Queue(scope, `${name}DeadLetterQueue`, {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    const queue = new sqs.Queue(scope, `${name}Queue`, {
      visibilityTimeout: Duration.seconds(180),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
    });
    return { queue, deadLetterQueue };
  };
  const fanout = jobQueue('Fanout');
  const notifications = jobQueue('Notifications');
  const emails = jobQueue('Emails');

  // S3 may tell the notifications queue of the files bucket's uploads. The bucket's ARN cannot be
  // named here (the bucket depends on this policy), so: S3, from this account's buckets.
  const uploadsStored = notifications.queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'UploadsStored',
      effect: iam.Effect.ALLOW,
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [notifications.queue.queueArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );

  // ---------------------------------------------------------------- files
  // Attachments: private and encrypted; browsers reach them only with a form or a link the
  // functions signed for one file, for a few minutes.
  const filesBucket = new s3.Bucket(scope, 'FilesBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    cors: [
      {
        allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.GET],
        allowedOrigins: props.uploadOrigins,
        allowedHeaders: ['*'],
        maxAge: 3000,
      },
    ],
    lifecycleRules: [{ id: 'AbortIncompleteUploads', prefix: '', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  filesBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'TlsOnly',
      effect: iam.Effect.DENY,
      principals: [new iam.StarPrincipal()],
      actions: ['s3:*'],
      resources: [filesBucket.bucketArn, filesBucket.arnForObjects('*')],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
  );
  // Each upload stored is a thumbnail to make (notify-worker). Set on the bucket itself, as
  // template.yaml does: Bucket.addEventNotification would deploy a custom resource (a function
  // and its role) to do the same. S3 checks that it may send to the queue as the notifications
  // are set, hence the dependency on the queue's policy.
  const cfnBucket = filesBucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.notificationConfiguration = {
    queueConfigurations: [{ event: 's3:ObjectCreated:*', queue: notifications.queue.queueArn }],
  };
  if (uploadsStored.policyDependable) {
    cfnBucket.node.addDependency(uploadsStored.policyDependable);
  }

  // ---------------------------------------------------------------- SES
  // The email worker sends every e-mail with this configuration set: SES stops sending to
  // addresses that bounced or complained, and publishes the sending events to CloudWatch
  // (namespace AWS/SES, dimension ses:configuration-set).
  const emailConfigurationSet = new ses.ConfigurationSet(scope, 'EmailConfigurationSet', {
    suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  emailConfigurationSet.addEventDestination('EmailEventsToCloudWatch', {
    configurationSetEventDestinationName: 'cloudwatch-metrics',
    destination: ses.EventDestination.cloudWatchDimensions([
      {
        // ses:configuration-set is a tag SES puts on every message sent with the set.
        name: 'ses:configuration-set',
        source: ses.CloudWatchDimensionSource.MESSAGE_TAG,
        defaultValue: emailConfigurationSet.configurationSetName,
      },
    ]),
    events: [
      ses.EmailSendingEvent.SEND,
      ses.EmailSendingEvent.DELIVERY,
      ses.EmailSendingEvent.BOUNCE,
      ses.EmailSendingEvent.COMPLAINT,
      ses.EmailSendingEvent.REJECT,
    ],
  });

  return { secret, table, filesBucket, fanout, notifications, emails, emailConfigurationSet };
}
