#!/usr/bin/env node
/**
 * The example app: one env-agnostic stack, `Missive`, holding the construct.
 *
 * Props come from CDK context (`cdk deploy -c environment=staging -c alarmEmail=ops@example.com`,
 * or cdk.json's "context"), with the construct's defaults. The two secrets never come from
 * context (context ends up in cdk.out and cdk.context.json): they are NoEcho CloudFormation
 * parameters, JwtSecret and PlatformKey, as in template.yaml — JwtSecret unless
 * `-c generateJwtSecret=true`, with which Secrets Manager generates it (template.yaml's empty
 * JwtSecret). publicUrl and emailFrom, which have no default, are parameters too (PublicUrl,
 * EmailFrom) unless context gives them.
 *
 *   cargo lambda build --release --arm64            # at the repository root: target/lambda/<crate>/bootstrap
 *   npx cdk deploy Missive --parameters JwtSecret=... --parameters PlatformKey=... \
 *       --parameters PublicUrl=https://... --parameters EmailFrom=noreply@example.com
 *
 * The binaries' folder: context `lambdaDirectory`, else $MISSIVE_LAMBDA_DIR, else the
 * repository's target/lambda.
 */
import { App, CfnParameter, SecretValue, Stack } from 'aws-cdk-lib';
import { Missive, MissiveProps } from '../lib';

const app = new App();
const stack = new Stack(app, 'Missive', {
  description:
    'Missive — multi-tenant real-time messaging: a WebSocket API and an HTTP API on Lambda, one DynamoDB table (CDK: infra/cdk).',
});

/** A context value as given on the command line (a string) or in cdk.json (any JSON). */
function context(name: string): unknown {
  return app.node.tryGetContext(name);
}

function text(name: string): string | undefined {
  const value = context(name);
  return value === undefined || value === null ? undefined : String(value);
}

function number(name: string): number | undefined {
  const value = context(name);
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) {
    throw new Error(`context ${name}: ${JSON.stringify(value)} is not a number`);
  }
  return parsed;
}

function list(name: string): string[] | undefined {
  const value = context(name);
  if (value === undefined || value === null) {
    return undefined;
  }
  return Array.isArray(value) ? value.map(String) : String(value).split(',').map((v) => v.trim());
}

/** A NoEcho parameter with template.yaml's constraint on JwtSecret and PlatformKey. */
function secretParameter(id: string, description: string): SecretValue {
  const parameter = new CfnParameter(stack, id, {
    type: 'String',
    noEcho: true,
    minLength: 16,
    allowedPattern: '[^"\\\\\\x00-\\x1F]+',
    constraintDescription: 'at least 16 characters, without quotes, backslashes or control characters',
    description,
  });
  return SecretValue.cfnParameter(parameter);
}

/** A context flag: true, or the string "true" from the command line. */
function flag(name: string): boolean {
  const value = context(name);
  return value === true || value === 'true';
}

const props: MissiveProps = {
  environment: text('environment') as MissiveProps['environment'],
  jwtSecret: flag('generateJwtSecret')
    ? undefined
    : secretParameter('JwtSecret', "HS256 secret of the platform's tokens, stored in the stack's secret (key jwtSecret)."),
  platformKey: secretParameter('PlatformKey', "The platform operator's key for /v1/admin/*, stored in the stack's secret (key platformKey)."),
  publicUrl:
    text('publicUrl') ??
    new CfnParameter(stack, 'PublicUrl', {
      type: 'String',
      allowedPattern: 'https://.+',
      description: "The REST API's public base URL, for links in e-mails (MISSIVE_PUBLIC_URL).",
    }).valueAsString,
  emailFrom:
    text('emailFrom') ??
    new CfnParameter(stack, 'EmailFrom', {
      type: 'String',
      minLength: 3,
      description: 'Default sender of e-mails, an SES-verified identity (MISSIVE_EMAIL_FROM).',
    }).valueAsString,
  stageName: text('stageName'),
  jwtIssuer: text('jwtIssuer'),
  jwtAudience: text('jwtAudience'),
  // A parameter unless given in context, as template.yaml's (an identity provider may be
  // set or changed at deploy time; the deployment emulator's tests set it so).
  jwksUrl:
    text('jwksUrl') ??
    new CfnParameter(stack, 'JwksUrl', {
      type: 'String',
      default: '',
      description: "An identity provider's JSON Web Key Set URL: its RS256/ES256 tokens are accepted too (MISSIVE_JWKS_URL).",
    }).valueAsString,
  uploadOrigins: list('uploadOrigins'),
  alarmEmail: text('alarmEmail'),
  warningEmail: text('warningEmail'),
  accountConcurrencyQuota: number('accountConcurrencyQuota'),
  logRetentionDays: number('logRetentionDays'),
  emailWorkerMaxConcurrency: number('emailWorkerMaxConcurrency'),
  fanoutWorkerMaxConcurrency: number('fanoutWorkerMaxConcurrency'),
  notifyWorkerMaxConcurrency: number('notifyWorkerMaxConcurrency'),
  wsMessageReservedConcurrency: number('wsMessageReservedConcurrency'),
  wsAuthorizerReservedConcurrency: number('wsAuthorizerReservedConcurrency'),
  wsConnectDisconnectReservedConcurrency: number('wsConnectDisconnectReservedConcurrency'),
  httpApiReservedConcurrency: number('httpApiReservedConcurrency'),
  webSocketThrottlingBurstLimit: number('webSocketThrottlingBurstLimit'),
  webSocketThrottlingRateLimit: number('webSocketThrottlingRateLimit'),
  httpApiThrottlingBurstLimit: number('httpApiThrottlingBurstLimit'),
  httpApiThrottlingRateLimit: number('httpApiThrottlingRateLimit'),
  defaultMessagesPerMinute: number('defaultMessagesPerMinute'),
  defaultConnections: number('defaultConnections'),
  defaultEmailsPerDay: number('defaultEmailsPerDay'),
  defaultUploadBytesPerDay: number('defaultUploadBytesPerDay'),
  existingTableName: text('existingTableName'),
  webSocketDomainName: text('webSocketDomainName'),
  httpApiDomainName: text('httpApiDomainName'),
  certificateArn: text('certificateArn'),
  apiGatewayLogsRole: text('apiGatewayLogsRole') as MissiveProps['apiGatewayLogsRole'],
  lambdaDirectory: text('lambdaDirectory') ?? (process.env.MISSIVE_LAMBDA_DIR || undefined),
};

new Missive(stack, 'Chat', props);
