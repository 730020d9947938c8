import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CfnParameter, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_LAMBDA_DIRECTORY, Missive, MissiveProps, MissivePropsError } from '../lib';
import { placeholderLambdaDirectory, readable, REPOSITORY, REQUIRED_PROPS, resourceNamed, synth, testApp } from './helpers';

function build(props: Partial<MissiveProps>): void {
  const stack = new Stack(testApp(), 'Missive');
  new Missive(stack, 'Chat', { ...REQUIRED_PROPS, lambdaDirectory: placeholderLambdaDirectory(), ...props } as MissiveProps);
}

describe('props', () => {
  it('refuses what template.yaml\'s parameter constraints refuse', () => {
    const refused: [Partial<MissiveProps>, RegExp][] = [
      [{ environment: 'qa' as 'dev' }, /environment "qa": must be one of dev, staging, prod/],
      [{ stageName: 'Prod' }, /stageName/],
      [{ stageName: '' }, /stageName/],
      [{ publicUrl: 'http://missive.example' }, /publicUrl/],
      [{ emailFrom: 'a@' }, /emailFrom/],
      [{ accountConcurrencyQuota: 9 }, /accountConcurrencyQuota 9: must be a whole number, at least 10/],
      [{ accountConcurrencyQuota: 1000.5 }, /accountConcurrencyQuota/],
      [{ warningEmail: 42 as unknown as string }, /warningEmail must be a string/],
      [{ logRetentionDays: 31 }, /logRetentionDays 31/],
      [{ logRetentionDays: -1 }, /logRetentionDays -1/],
      [{ existingTableName: 'not a table name' }, /existingTableName/],
      [{ webSocketDomainName: 'ws.chat.example.com' }, /webSocketDomainName needs certificateArn/],
      [{ httpApiDomainName: 'api.chat.example.com' }, /httpApiDomainName needs certificateArn/],
      [{ platformKey: undefined }, /platformKey is required/],
      [{ emailWorkerMaxConcurrency: 1 }, /emailWorkerMaxConcurrency/],
      [{ fanoutWorkerMaxConcurrency: 1001 }, /fanoutWorkerMaxConcurrency/],
      [{ notifyWorkerMaxConcurrency: 2.5 }, /notifyWorkerMaxConcurrency/],
      [{ wsMessageReservedConcurrency: -1 }, /wsMessageReservedConcurrency/],
      [{ webSocketThrottlingBurstLimit: 0 }, /webSocketThrottlingBurstLimit/],
      [{ httpApiThrottlingRateLimit: 0 }, /httpApiThrottlingRateLimit/],
      [{ apiGatewayLogsRole: 'maybe' as 'create' }, /apiGatewayLogsRole/],
      [{ uploadOrigins: [] }, /uploadOrigins/],
      [{ jwtSecret: SecretValue.unsafePlainText('too-short') }, /jwtSecret/],
      [{ platformKey: SecretValue.unsafePlainText('with "quotes" inside it') }, /platformKey/],
    ];
    for (const [props, message] of refused) {
      assert.throws(() => build(props), (e: Error) => e instanceof MissivePropsError && message.test(e.message), JSON.stringify(props));
    }
  });

  it('takes the environment\'s retention for logRetentionDays 0, and accepts every retention CloudWatch Logs has', () => {
    for (const days of [0, 1, 3653]) {
      build({ logRetentionDays: days });
    }
  });

  it('accepts CloudFormation parameters for the strings, left for CloudFormation to check', () => {
    const stack = new Stack(testApp(), 'Missive');
    const secret = new CfnParameter(stack, 'JwtSecret', { noEcho: true });
    const key = new CfnParameter(stack, 'PlatformKey', { noEcho: true });
    const publicUrl = new CfnParameter(stack, 'PublicUrl');
    new Missive(stack, 'Chat', {
      ...REQUIRED_PROPS,
      jwtSecret: SecretValue.cfnParameter(secret),
      platformKey: SecretValue.cfnParameter(key),
      publicUrl: publicUrl.valueAsString,
      lambdaDirectory: placeholderLambdaDirectory(),
    });
    const json = Template.fromStack(stack).toJSON();
    const secretResource = Object.values(json.Resources as Record<string, any>).find((r) => r.Type === 'AWS::SecretsManager::Secret');
    assert.deepEqual(secretResource.Properties.SecretString, {
      'Fn::Join': ['', ['{"jwtSecret":"', { Ref: 'JwtSecret' }, '","platformKey":"', { Ref: 'PlatformKey' }, '"}']],
    });
    assert.ok(!JSON.stringify(json).includes('test-jwt-secret'));
  });

  it('takes an existing table named by a CloudFormation parameter as given', () => {
    const stack = new Stack(testApp(), 'Missive');
    const table = new CfnParameter(stack, 'ExistingTableName');
    new Missive(stack, 'Chat', { ...REQUIRED_PROPS, existingTableName: table.valueAsString, lambdaDirectory: placeholderLambdaDirectory() });
    const json = Template.fromStack(stack).toJSON();
    assert.ok(!Object.values(json.Resources as Record<string, any>).some((r) => r.Type === 'AWS::DynamoDB::Table'));
    assert.deepEqual(json.Outputs.TableName.Value, { Ref: 'ExistingTableName' });
  });

  it('accepts secrets from Secrets Manager (dynamic references)', () => {
    const s = synth({
      jwtSecret: SecretValue.secretsManager('missive/bootstrap', { jsonField: 'jwtSecret' }),
      platformKey: SecretValue.secretsManager('missive/bootstrap', { jsonField: 'platformKey' }),
    });
    assert.match(JSON.stringify(resourceNamed(s, 'Secrets').Properties?.SecretString), /\{\{resolve:secretsmanager:missive\/bootstrap:SecretString:jwtSecret::\}\}/);
  });

  it('needs numbers known at synthesis', () => {
    const stack = new Stack(testApp(), 'Missive');
    const count = new CfnParameter(stack, 'Count', { type: 'Number' });
    assert.throws(
      () => new Missive(stack, 'Chat', { ...REQUIRED_PROPS, lambdaDirectory: placeholderLambdaDirectory(), httpApiReservedConcurrency: count.valueAsNumber }),
      /httpApiReservedConcurrency must be a number known at synthesis/,
    );
  });

  it('says how to build the binaries when one is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'missive-cdk-empty-'));
    try {
      assert.throws(() => build({ lambdaDirectory: empty }), /bootstrap: build the functions first \(cargo lambda build --release --arm64/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('looks for the binaries in the repository target/lambda by default', () => {
    assert.equal(DEFAULT_LAMBDA_DIRECTORY, path.join(REPOSITORY, 'target', 'lambda'));
    assert.ok(fs.existsSync(path.join(REPOSITORY, 'functions', 'ws-authorizer', 'Cargo.toml')));
  });

  it('is one per stack', () => {
    const stack = new Stack(testApp(), 'Missive');
    new Missive(stack, 'Chat', { ...REQUIRED_PROPS, lambdaDirectory: placeholderLambdaDirectory() });
    assert.throws(
      () => new Missive(stack, 'Other', { ...REQUIRED_PROPS, lambdaDirectory: placeholderLambdaDirectory() }),
      /one Missive per stack/,
    );
  });

  it('uses each function own binary folder', () => {
    const s = synth();
    const assets = new Set<string>();
    for (const crate of ['WsAuthorizer', 'HttpApi', 'Scheduler', 'DeployCheck']) {
      assets.add(readable(s, resourceNamed(s, `${crate}Function`).Properties?.Code.S3Key));
    }
    assert.equal(assets.size, 4, 'four different placeholder binaries, four assets');
  });
});
