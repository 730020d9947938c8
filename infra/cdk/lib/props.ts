import * as path from 'path';
import { SecretValue, Token } from 'aws-cdk-lib';

/**
 * The eight function crates of `functions/`, in the order template.yaml declares them.
 * `cargo lambda build --release --arm64` puts each binary at `target/lambda/<crate>/bootstrap`.
 */
export const CRATES = [
  'ws-authorizer',
  'ws-connect',
  'ws-disconnect',
  'ws-message',
  'http-api',
  'notify-worker',
  'email-worker',
  'scheduler',
] as const;

/** One of the eight function crates. */
export type Crate = (typeof CRATES)[number];

/**
 * `functions/canary`: the synthetic canary, every five minutes through the public endpoints
 * (template.yaml's CanaryFunction). Behind its alias `live`, shifted at once (no deployment group).
 */
export const CANARY_CRATE = 'canary';

/**
 * `functions/deploy-check`: the pre-traffic hook CodeDeploy runs before it shifts any of the eight
 * functions' alias `live` to a new version (template.yaml's DeployCheckFunction).
 */
export const DEPLOY_CHECK_CRATE = 'deploy-check';

/**
 * Every crate the construct deploys, in template.yaml's order: the eight functions, the canary and
 * the deploy check.
 */
export const ALL_CRATES = [...CRATES, CANARY_CRATE, DEPLOY_CHECK_CRATE] as const;

/**
 * The values of template.yaml's LogRetentionDays parameter: 0 (the environment's, see
 * {@link ENVIRONMENT_SETTINGS}) or one of CloudWatch Logs' retention periods.
 */
export const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** What the stack is for (template.yaml's Environment parameter). */
export type MissiveEnvironment = 'dev' | 'staging' | 'prod';

/** How CodeDeploy shifts an alias to a new version (SAM's DeploymentPreference Type). */
export type DeploymentType = 'AllAtOnce' | 'Linear10PercentEvery1Minute' | 'Canary10Percent5Minutes';

/** What an environment decides. */
export interface EnvironmentSettings {
  /** How a deploy shifts each function's alias `live` to its new version. */
  readonly deploymentType: DeploymentType;
  /** The table's DeletionProtectionEnabled. */
  readonly deletionProtection: boolean;
  /** The log groups' retention when logRetentionDays is 0. */
  readonly logRetentionDays: number;
}

/** template.yaml's EnvironmentSettings mapping. */
export const ENVIRONMENT_SETTINGS: Readonly<Record<MissiveEnvironment, EnvironmentSettings>> = {
  dev: { deploymentType: 'AllAtOnce', deletionProtection: false, logRetentionDays: 7 },
  staging: { deploymentType: 'Linear10PercentEvery1Minute', deletionProtection: false, logRetentionDays: 30 },
  // 10% of the traffic for 5 minutes, then all of it, unless the function's alarm fires.
  prod: { deploymentType: 'Canary10Percent5Minutes', deletionProtection: true, logRetentionDays: 90 },
};

/**
 * Where the construct looks for the functions' binaries by default: `target/lambda` of the
 * repository this package lives in (infra/cdk/build/lib → the repository's root).
 */
export const DEFAULT_LAMBDA_DIRECTORY = path.resolve(__dirname, '..', '..', '..', '..', 'target', 'lambda');

/**
 * The props of {@link Missive}: template.yaml's Parameters, one prop each (same defaults), plus
 * where the functions' binaries are.
 */
export interface MissiveProps {
  /**
   * What this stack is for (Environment): how deploys shift traffic (dev all at once, staging
   * linearly, prod by a canary), the table's deletion protection (prod), the logs' retention
   * unless logRetentionDays says otherwise ({@link ENVIRONMENT_SETTINGS}).
   * @default 'prod'
   */
  readonly environment?: MissiveEnvironment;

  /**
   * The stages' name, in both APIs' URLs (StageName).
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * HS256 secret of the platform's tokens (JwtSecret): at least 16 characters, without quotes,
   * backslashes or control characters. Stored in the construct's Secrets Manager secret (key
   * `jwtSecret`), never in a function's environment. Pass `SecretValue.cfnParameter(...)` of a
   * NoEcho parameter (as bin/missive.ts does) or `SecretValue.secretsManager(...)`: a
   * `SecretValue.unsafePlainText(...)` is written into the synthesized template.
   * @default none: Secrets Manager generates one (64 characters, GenerateSecretString), read it
   * from the secret (SecretsArn output)
   */
  readonly jwtSecret?: SecretValue;

  /**
   * The platform operator's key for /v1/admin/* (PlatformKey), same rules as `jwtSecret`
   * (key `platformKey` of the secret).
   */
  readonly platformKey: SecretValue;

  /**
   * When set, tokens' iss must match (JwtIssuer, MISSIVE_JWT_ISSUER).
   * @default ''
   */
  readonly jwtIssuer?: string;

  /**
   * When set, tokens' aud must match (JwtAudience, MISSIVE_JWT_AUDIENCE).
   * @default ''
   */
  readonly jwtAudience?: string;

  /**
   * When set, an identity provider's RS256/ES256 tokens are accepted too, verified with the keys
   * published at this URL (JwksUrl, MISSIVE_JWKS_URL).
   * @default ''
   */
  readonly jwksUrl?: string;

  /**
   * The REST API's public base URL, for links in e-mails (PublicUrl, MISSIVE_PUBLIC_URL):
   * `https://...`, a custom domain or the HttpApiUrl output after a first deployment.
   */
  readonly publicUrl: string;

  /** Default sender of e-mails, an SES-verified identity (EmailFrom, MISSIVE_EMAIL_FROM). */
  readonly emailFrom: string;

  /**
   * The web origins whose pages upload files straight to the files bucket (UploadOrigins: its
   * CORS rule).
   * @default ['*']
   */
  readonly uploadOrigins?: string[];

  /**
   * When set, this address is subscribed to the critical alarms' SNS topic (AlarmEmail, the
   * AlarmTopicArn output: what pages); empty: no subscriber.
   * @default ''
   */
  readonly alarmEmail?: string;

  /**
   * When set, this address is subscribed to the warnings' SNS topic (WarningEmail, the
   * WarningTopicArn output: what needs a person within the day, not at night); empty: no
   * subscriber.
   * @default ''
   */
  readonly warningEmail?: string;

  /**
   * The account's Lambda concurrent executions quota in this region (AccountConcurrencyQuota,
   * `aws lambda get-account-settings`): ConcurrencyNearQuotaAlarm warns at 80% of it. At least 10.
   * @default 1000
   */
  readonly accountConcurrencyQuota?: number;

  /**
   * Days CloudWatch Logs keeps the functions' logs and the APIs' access logs
   * (LogRetentionDays): one of {@link LOG_RETENTION_DAYS}; 0: the environment's (dev 7,
   * staging 30, prod 90).
   * @default 0
   */
  readonly logRetentionDays?: number;

  /**
   * At most this many email-worker instances at once (EmailWorkerMaxConcurrency: its SQS event
   * source's MaximumConcurrency, 2 to 1000).
   * @default 5
   */
  readonly emailWorkerMaxConcurrency?: number;

  /**
   * At most this many notify-worker instances at once on the fan-out queue
   * (FanoutWorkerMaxConcurrency, 2 to 1000).
   * @default 50
   */
  readonly fanoutWorkerMaxConcurrency?: number;

  /**
   * At most this many notify-worker instances at once on the notifications queue
   * (NotifyWorkerMaxConcurrency, 2 to 1000).
   * @default 50
   */
  readonly notifyWorkerMaxConcurrency?: number;

  /**
   * Concurrency reserved for ws-message, also its ceiling (WsMessageReservedConcurrency);
   * 0: none.
   * @default 0
   */
  readonly wsMessageReservedConcurrency?: number;

  /**
   * Concurrency reserved for ws-authorizer, also its ceiling (WsAuthorizerReservedConcurrency);
   * 0: none.
   * @default 0
   */
  readonly wsAuthorizerReservedConcurrency?: number;

  /**
   * Concurrency reserved for ws-connect and for ws-disconnect, this much each
   * (WsConnectDisconnectReservedConcurrency); 0: none.
   * @default 0
   */
  readonly wsConnectDisconnectReservedConcurrency?: number;

  /**
   * Concurrency reserved for http-api, also its ceiling (HttpApiReservedConcurrency); 0: none.
   * @default 0
   */
  readonly httpApiReservedConcurrency?: number;

  /**
   * The WebSocket stage's burst (WebSocketThrottlingBurstLimit).
   * @default 500
   */
  readonly webSocketThrottlingBurstLimit?: number;

  /**
   * The WebSocket stage's steady rate, requests per second (WebSocketThrottlingRateLimit).
   * @default 1000
   */
  readonly webSocketThrottlingRateLimit?: number;

  /**
   * The HTTP API stage's burst (HttpApiThrottlingBurstLimit).
   * @default 500
   */
  readonly httpApiThrottlingBurstLimit?: number;

  /**
   * The HTTP API stage's steady rate, requests per second (HttpApiThrottlingRateLimit).
   * @default 1000
   */
  readonly httpApiThrottlingRateLimit?: number;

  /**
   * A tenant's messages per minute (members', bots' and hooks' together), unless it has its own
   * (DefaultMessagesPerMinute, MISSIVE_QUOTA_MESSAGES_PER_MINUTE). Tenants' own quotas are set
   * through the admin API (docs/operations.md, "Quotas").
   * @default 60000
   */
  readonly defaultMessagesPerMinute?: number;

  /**
   * A tenant's WebSocket connections open at once, unless it has its own (DefaultConnections,
   * MISSIVE_QUOTA_CONNECTIONS).
   * @default 100000
   */
  readonly defaultConnections?: number;

  /**
   * A tenant's e-mails per day (UTC; more wait for the next day), unless it has its own
   * (DefaultEmailsPerDay, MISSIVE_QUOTA_EMAILS_PER_DAY).
   * @default 100000
   */
  readonly defaultEmailsPerDay?: number;

  /**
   * A tenant's bytes of uploads per day (UTC), unless it has its own (DefaultUploadBytesPerDay,
   * MISSIVE_QUOTA_UPLOAD_BYTES_PER_DAY).
   * @default 10000000000
   */
  readonly defaultUploadBytesPerDay?: number;

  /**
   * Empty: the construct makes its table. Otherwise the name of a table in this account and
   * region to use instead (ExistingTableName), e.g. one restored from point-in-time recovery
   * (docs/operations.md, "Restoring the table"): the construct neither makes nor deletes it, and
   * the roles, the environment, the alarms and the dashboard name it.
   * @default ''
   */
  readonly existingTableName?: string;

  /**
   * Optional custom domain of the WebSocket API, e.g. ws.chat.example.com (WebSocketDomainName):
   * a regional domain name (TLS 1.2) mapped to the stage at its root; needs certificateArn.
   * Point its DNS at the WebSocketDomainTarget output.
   * @default ''
   */
  readonly webSocketDomainName?: string;

  /**
   * Optional custom domain of the HTTP API, e.g. api.chat.example.com (HttpApiDomainName); needs
   * certificateArn. Point its DNS at the HttpApiDomainTarget output.
   * @default ''
   */
  readonly httpApiDomainName?: string;

  /**
   * An ACM certificate of the stack's region covering the custom domains (CertificateArn).
   * @default ''
   */
  readonly certificateArn?: string;

  /**
   * WebSocket access logs need the account's API Gateway CloudWatch Logs role, one per account
   * and region (ApiGatewayLogsRole). `create` makes a role and sets it (both kept when the stack
   * is deleted); `existing` when the account already has one.
   * @default 'create'
   */
  readonly apiGatewayLogsRole?: 'create' | 'existing';

  /**
   * The folder holding each function's binary as `<crate>/bootstrap`, where
   * `cargo lambda build --release --arm64` puts them.
   * @default DEFAULT_LAMBDA_DIRECTORY, the repository's `target/lambda`
   */
  readonly lambdaDirectory?: string;
}

/** The defaults of the optional props: template.yaml's parameter defaults. */
export const MISSIVE_DEFAULTS = {
  environment: 'prod',
  stageName: 'prod',
  jwtIssuer: '',
  jwtAudience: '',
  jwksUrl: '',
  uploadOrigins: ['*'],
  alarmEmail: '',
  warningEmail: '',
  accountConcurrencyQuota: 1000,
  logRetentionDays: 0,
  emailWorkerMaxConcurrency: 5,
  fanoutWorkerMaxConcurrency: 50,
  notifyWorkerMaxConcurrency: 50,
  wsMessageReservedConcurrency: 0,
  wsAuthorizerReservedConcurrency: 0,
  wsConnectDisconnectReservedConcurrency: 0,
  httpApiReservedConcurrency: 0,
  webSocketThrottlingBurstLimit: 500,
  webSocketThrottlingRateLimit: 1000,
  httpApiThrottlingBurstLimit: 500,
  httpApiThrottlingRateLimit: 1000,
  defaultMessagesPerMinute: 60000,
  defaultConnections: 100000,
  defaultEmailsPerDay: 100000,
  defaultUploadBytesPerDay: 10_000_000_000,
  existingTableName: '',
  webSocketDomainName: '',
  httpApiDomainName: '',
  certificateArn: '',
  apiGatewayLogsRole: 'create',
} as const satisfies Partial<MissiveProps>;

/**
 * The props with every default filled in and every constraint checked; `jwtSecret` stays
 * optional (none: generated), `settings` and `logRetention` are what the environment decides.
 */
export type ResolvedProps = Required<Omit<MissiveProps, 'jwtSecret'>> & {
  readonly jwtSecret?: SecretValue;
  /** ENVIRONMENT_SETTINGS of `environment`. */
  readonly settings: EnvironmentSettings;
  /** The log groups' retention: logRetentionDays, or the environment's when it is 0. */
  readonly logRetention: number;
};

/** A string prop that decides whether something is made: given when not empty, or a token. */
export function isGiven(value: string): boolean {
  return Token.isUnresolved(value) || value !== '';
}

/** Raised for props that template.yaml's parameter constraints would refuse. */
export class MissivePropsError extends Error {
  constructor(message: string) {
    super(`Missive: ${message}`);
    this.name = 'MissivePropsError';
  }
}

function checkString(name: string, value: string, check: (v: string) => boolean, rule: string): void {
  if (typeof value !== 'string') {
    throw new MissivePropsError(`${name} must be a string`);
  }
  // A token (a CloudFormation parameter, a reference) is checked by CloudFormation, not here.
  if (!Token.isUnresolved(value) && !check(value)) {
    throw new MissivePropsError(`${name} ${JSON.stringify(value)}: ${rule}`);
  }
}

function checkNumber(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  // Numbers decide what is synthesized (0 leaves ReservedConcurrentExecutions out): they must be
  // known at synthesis.
  if (typeof value !== 'number' || Token.isUnresolved(value)) {
    throw new MissivePropsError(`${name} must be a number known at synthesis`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`;
    throw new MissivePropsError(`${name} ${value}: must be a whole number, ${range}`);
  }
}

/** Fills in the defaults and checks each prop as CloudFormation checks template.yaml's parameters. */
export function resolveProps(props: MissiveProps): ResolvedProps {
  if (!props.platformKey) {
    throw new MissivePropsError('platformKey is required (SecretValue)');
  }
  const given = {
    ...MISSIVE_DEFAULTS,
    lambdaDirectory: DEFAULT_LAMBDA_DIRECTORY,
    ...(Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as MissiveProps),
    uploadOrigins: props.uploadOrigins ?? [...MISSIVE_DEFAULTS.uploadOrigins],
  };
  // The environment decides what is synthesized (the deployment type, deletion protection,
  // retention): it must be known at synthesis.
  if (typeof given.environment !== 'string' || !Object.keys(ENVIRONMENT_SETTINGS).includes(given.environment)) {
    throw new MissivePropsError(`environment ${JSON.stringify(given.environment)}: must be one of ${Object.keys(ENVIRONMENT_SETTINGS).join(', ')}`);
  }
  const settings = ENVIRONMENT_SETTINGS[given.environment];
  const resolved: ResolvedProps = {
    ...given,
    settings,
    logRetention: given.logRetentionDays === 0 ? settings.logRetentionDays : given.logRetentionDays,
  };

  checkString('stageName', resolved.stageName, (v) => /^[a-z0-9]+$/.test(v), 'must match [a-z0-9]+');
  checkString('publicUrl', resolved.publicUrl, (v) => /^https:\/\/.+$/s.test(v), 'must match https://.+');
  checkString('emailFrom', resolved.emailFrom, (v) => v.length >= 3, 'must be at least 3 characters');
  for (const name of ['jwtIssuer', 'jwtAudience', 'jwksUrl', 'alarmEmail', 'warningEmail', 'webSocketDomainName', 'httpApiDomainName', 'certificateArn'] as const) {
    checkString(name, resolved[name], () => true, '');
  }
  checkString('existingTableName', resolved.existingTableName, (v) => /^[a-zA-Z0-9_.-]*$/.test(v), 'must match [a-zA-Z0-9_.-]*');
  // A domain without its certificate would fail at deployment (template.yaml: "needs CertificateArn").
  for (const name of ['webSocketDomainName', 'httpApiDomainName'] as const) {
    if (isGiven(resolved[name]) && !isGiven(resolved.certificateArn)) {
      throw new MissivePropsError(`${name} needs certificateArn (an ACM certificate of the stack's region covering it)`);
    }
  }
  if (!Array.isArray(resolved.uploadOrigins) || (!Token.isUnresolved(resolved.uploadOrigins) && resolved.uploadOrigins.length === 0)) {
    throw new MissivePropsError('uploadOrigins must be a non-empty list of origins');
  }
  checkNumber('accountConcurrencyQuota', resolved.accountConcurrencyQuota, 10);
  checkNumber('logRetentionDays', resolved.logRetentionDays, 0, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(resolved.logRetentionDays)) {
    throw new MissivePropsError(`logRetentionDays ${resolved.logRetentionDays}: must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  checkNumber('emailWorkerMaxConcurrency', resolved.emailWorkerMaxConcurrency, 2, 1000);
  checkNumber('fanoutWorkerMaxConcurrency', resolved.fanoutWorkerMaxConcurrency, 2, 1000);
  checkNumber('notifyWorkerMaxConcurrency', resolved.notifyWorkerMaxConcurrency, 2, 1000);
  checkNumber('wsMessageReservedConcurrency', resolved.wsMessageReservedConcurrency, 0);
  checkNumber('wsAuthorizerReservedConcurrency', resolved.wsAuthorizerReservedConcurrency, 0);
  checkNumber('wsConnectDisconnectReservedConcurrency', resolved.wsConnectDisconnectReservedConcurrency, 0);
  checkNumber('httpApiReservedConcurrency', resolved.httpApiReservedConcurrency, 0);
  checkNumber('webSocketThrottlingBurstLimit', resolved.webSocketThrottlingBurstLimit, 1);
  checkNumber('webSocketThrottlingRateLimit', resolved.webSocketThrottlingRateLimit, 1);
  checkNumber('httpApiThrottlingBurstLimit', resolved.httpApiThrottlingBurstLimit, 1);
  checkNumber('httpApiThrottlingRateLimit', resolved.httpApiThrottlingRateLimit, 1);
  checkNumber('defaultMessagesPerMinute', resolved.defaultMessagesPerMinute, 1);
  checkNumber('defaultConnections', resolved.defaultConnections, 1);
  checkNumber('defaultEmailsPerDay', resolved.defaultEmailsPerDay, 1);
  checkNumber('defaultUploadBytesPerDay', resolved.defaultUploadBytesPerDay, 1);
  if (resolved.apiGatewayLogsRole !== 'create' && resolved.apiGatewayLogsRole !== 'existing') {
    throw new MissivePropsError(`apiGatewayLogsRole ${JSON.stringify(resolved.apiGatewayLogsRole)}: must be 'create' or 'existing'`);
  }
  if (typeof resolved.lambdaDirectory !== 'string' || resolved.lambdaDirectory === '') {
    throw new MissivePropsError('lambdaDirectory must be a path');
  }
  return resolved;
}

/**
 * template.yaml's constraint on JwtSecret (when given) and PlatformKey, checked on a secret known
 * at synthesis (a plain-text SecretValue); a reference is left to CloudFormation or Secrets
 * Manager.
 */
export function checkSecretText(name: string, value: unknown): void {
  // A reference (`{{resolve:...}}`, a parameter) is known at deployment only.
  if (typeof value !== 'string' || value.startsWith('{{resolve:')) {
    return;
  }
  if (value.length < 16 || !/^[^"\\\x00-\x1F]+$/.test(value)) {
    throw new MissivePropsError(`${name}: at least 16 characters, without quotes, backslashes or control characters`);
  }
}
