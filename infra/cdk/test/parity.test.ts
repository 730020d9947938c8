/**
 * The construct against template.yaml itself, for the same inputs: the parameters and their
 * defaults; the resources (as the SAM transform makes them, conditions evaluated) for the
 * defaults and for each non-default case; the descriptions, the environment, the roles'
 * statements, the deploys, the outputs and the dashboard.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretValue } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ALL_CRATES, ENVIRONMENT_SETTINGS, MISSIVE_DEFAULTS, MissiveProps } from '../lib';
import { readable, REQUIRED_PROPS, resourceNamed, resourcesOfType, Synthesized, synth } from './helpers';
import { countByType, pythonAvailable, PYTHON, samResourceTypes, samTranslatorResourceTypes } from './sam';
import {
  conditionHolds,
  evaluate,
  Evaluation,
  foldedProperty,
  parseFlow,
  propertiesOf,
  readSamTemplate,
  SamResource,
  TEMPLATE_YAML,
} from './template-yaml';

const sam = readSamTemplate();

/** template.yaml's function logical id → crate. */
const SAM_FUNCTIONS: Record<string, string> = {
  WsAuthorizerFunction: 'ws-authorizer',
  WsConnectFunction: 'ws-connect',
  WsDisconnectFunction: 'ws-disconnect',
  WsMessageFunction: 'ws-message',
  HttpApiFunction: 'http-api',
  NotifyWorkerFunction: 'notify-worker',
  EmailWorkerFunction: 'email-worker',
  SchedulerFunction: 'scheduler',
  CanaryFunction: 'canary',
  DeployCheckFunction: 'deploy-check',
};

/** The parameters without a default, as REQUIRED_PROPS gives them to the construct. */
const REQUIRED_PARAMETERS = {
  PlatformKey: 'test-platform-key-0123456789',
  PublicUrl: REQUIRED_PROPS.publicUrl,
  EmailFrom: REQUIRED_PROPS.emailFrom,
};

/**
 * The cases: parameter values given to template.yaml (the others at their defaults), and the same
 * values given to the construct as props. Together they make each of template.yaml's conditions
 * hold and fail (checked below).
 */
const CASES: Record<string, Record<string, string>> = {
  'the defaults': {},
  'alarm and warning e-mails': { AlarmEmail: 'ops@missive.example', WarningEmail: 'team@missive.example' },
  'Environment=dev, stage dev': { Environment: 'dev', StageName: 'dev' },
  'Environment=staging': { Environment: 'staging' },
  'an existing table': { ExistingTableName: 'missive-restored' },
  'custom domains': {
    WebSocketDomainName: 'ws.chat.example.com',
    HttpApiDomainName: 'api.chat.example.com',
    CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0d1b5e4a-7c2f-4a8e-9b3d-2f6c1e8a9b70',
  },
  'the account logs role existing': { ApiGatewayLogsRole: 'existing' },
  'a JWT secret given, logs kept 365 days': { JwtSecret: 'test-jwt-secret-0123456789', LogRetentionDays: '365' },
  'reserved concurrency, a larger account quota': {
    AccountConcurrencyQuota: '3000',
    WsMessageReservedConcurrency: '40',
    WsAuthorizerReservedConcurrency: '10',
    WsConnectDisconnectReservedConcurrency: '20',
    HttpApiReservedConcurrency: '30',
  },
};

/** The props for template.yaml's parameter values: each parameter's prop, typed as the prop is. */
function propsFor(parameters: Record<string, string>): Partial<MissiveProps> {
  // JwtSecret's default is empty: generated, as the construct does without a jwtSecret.
  const props: Record<string, unknown> = { jwtSecret: undefined };
  for (const [name, value] of Object.entries(parameters)) {
    const parameter = sam.parameters.get(name);
    assert.ok(parameter, `no parameter ${name}`);
    const prop = name[0].toLowerCase() + name.slice(1);
    props[prop] =
      name === 'JwtSecret' || name === 'PlatformKey'
        ? SecretValue.unsafePlainText(value)
        : parameter.type === 'Number'
          ? Number(value)
          : parameter.type === 'CommaDelimitedList'
            ? value.split(',')
            : value;
  }
  return props;
}

const synthesized = new Map<string, Synthesized>();
/** The construct synthesized for a case (once). */
function construct(name: string): Synthesized {
  if (!synthesized.has(name)) {
    synthesized.set(name, synth(propsFor(CASES[name])));
  }
  return synthesized.get(name)!;
}

/** How template.yaml's references are named in the construct (`readable` writes the construct's names). */
function rename(reference: string): string {
  return reference
    .replace(/^(\w+)\.Alias$/, '$1/Aliaslive')
    .replace(/^(\w+)\.Version$/, '$1/CurrentVersion')
    .replace(/^(\w+)\.Version\.Version$/, '$1/CurrentVersion.Version')
    .replace(/^ServerlessDeploymentApplication$/, 'DeploymentApplication')
    .replace(/^HttpApi\.Stage$/, 'HttpApiStage');
}

function evaluation(name: string): Evaluation {
  return { sam, parameters: { ...REQUIRED_PARAMETERS, ...CASES[name] }, rename };
}

/**
 * A value as CloudFormation reads it: numbers and booleans as strings (a mapping's "true" is a
 * boolean property's true), an IAM statement's single Action or Resource as a list of one.
 */
function loose(value: unknown, key = ''): unknown {
  if ((key === 'Action' || key === 'Resource') && !Array.isArray(value)) {
    return loose([value]);
  }
  if (Array.isArray(value)) {
    return value.map((v) => loose(v));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, loose(v, k)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** template.yaml's resources that exist in a case (their Condition holds). */
function samResourcesIn(name: string): [string, SamResource][] {
  const e = evaluation(name);
  return [...sam.resources].filter(([, r]) => !r.condition || conditionHolds(e, r.condition));
}

// The real SAM transform of every case, started now: it runs while the construct is synthesized.
const samTranslated = pythonAvailable() ? samTranslatorResourceTypes(CASES) : undefined;

describe('parity with template.yaml', () => {
  it(`reads ${TEMPLATE_YAML}`, () => {
    assert.ok(sam.parameters.size > 0 && sam.resources.size > 0 && sam.outputs.size > 0);
  });

  it('maps each parameter to a prop with the same default', () => {
    const required = ['PlatformKey', 'PublicUrl', 'EmailFrom'];
    // Secrets are SecretValues: JwtSecret's empty default is the prop left out (generated).
    const optionalSecrets = ['JwtSecret'];
    const defaults = MISSIVE_DEFAULTS as Record<string, unknown>;
    const props = new Set(Object.keys(defaults));
    for (const [name, parameter] of sam.parameters) {
      const prop = name[0].toLowerCase() + name.slice(1);
      if (optionalSecrets.includes(name)) {
        assert.equal(parameter.default, '', `${name}: empty by default (generated)`);
        assert.ok(!props.has(prop), `${prop} has no default value: left out, it is generated`);
        continue;
      }
      if (parameter.default === undefined) {
        assert.ok(required.includes(name), `${name} has no default in template.yaml: a required prop`);
        assert.ok(!props.has(prop), `${prop} is required, it has no default`);
        continue;
      }
      assert.ok(props.has(prop), `no prop ${prop} for ${name}`);
      const expected =
        parameter.type === 'Number'
          ? Number(parameter.default)
          : parameter.type === 'CommaDelimitedList'
            ? parameter.default.split(',')
            : parameter.default;
      assert.deepEqual(defaults[prop], expected, name);
      props.delete(prop);
    }
    assert.deepEqual([...props], [], 'props without a parameter');
  });

  it("has the environments of template.yaml's EnvironmentSettings mapping", () => {
    const mapping = sam.mappings.get('EnvironmentSettings')!;
    assert.deepEqual([...mapping.keys()].sort(), Object.keys(ENVIRONMENT_SETTINGS).sort());
    for (const [environment, settings] of mapping) {
      assert.deepEqual(
        {
          deploymentType: settings.get('DeploymentType'),
          deletionProtection: settings.get('DeletionProtection') === 'true',
          logRetentionDays: Number(settings.get('LogRetentionDays')),
        },
        ENVIRONMENT_SETTINGS[environment as keyof typeof ENVIRONMENT_SETTINGS],
        environment,
      );
    }
  });

  it("makes each of template.yaml's conditions hold in one case and not in another", () => {
    for (const condition of sam.conditions.keys()) {
      const outcomes = new Set(Object.keys(CASES).map((name) => conditionHolds(evaluation(name), condition)));
      assert.deepEqual([...outcomes].sort(), [false, true], condition);
    }
  });

  for (const name of Object.keys(CASES)) {
    it(`has the resources of template.yaml once transformed, type by type: ${name}`, () => {
      const s = construct(name);
      const expected = samResourceTypes(sam, CASES[name]);
      assert.deepEqual(countByType(Object.values(s.json.Resources).map((r) => r.Type)), expected);
    });
  }

  it('names the same resources as template.yaml, and leaves out those its conditions leave out', () => {
    for (const name of ['custom domains', 'an existing table', 'alarm and warning e-mails']) {
      const s = construct(name);
      const names = new Set(s.names.values());
      const present = new Set(samResourcesIn(name).map(([id]) => id));
      for (const [id, resource] of sam.resources) {
        if (resource.type === 'AWS::S3::BucketPolicy' || resource.type === 'AWS::SQS::QueuePolicy') {
          continue; // FilesBucket/Policy, NotificationsQueue/Policy
        }
        if (id === 'EmailEventsToCloudWatch') {
          assert.ok(names.has('EmailConfigurationSet/EmailEventsToCloudWatch'));
          continue;
        }
        if (id === 'WebSocketAuthorizer') {
          assert.ok(names.has('WebSocketApi/WebSocketAuthorizer'));
          continue;
        }
        if (/^(Connect|Disconnect|Default|SendMessage|Ping)Route$|Integration$|^Ws\w+Permission$/.test(id)) {
          continue; // routes, integrations, permissions: checked by what they do (missive.test.ts)
        }
        if (resource.type === 'AWS::SNS::Subscription') {
          continue; // named after their address (AlarmTopic/<e-mail>): compared below, by what they subscribe
        }
        assert.equal(names.has(id), present.has(id), `${name}: template.yaml's ${id} (${resource.type})`);
      }
    }
  });

  it('describes each function and alarm as template.yaml does', () => {
    const s = construct('the defaults');
    let described = 0;
    for (const [name, resource] of sam.resources) {
      if (resource.type === 'AWS::Serverless::Function') {
        assert.equal(resourceNamed(s, name).Properties?.Description, resource.description, name);
        described++;
      }
      if (resource.type === 'AWS::CloudWatch::Alarm') {
        assert.equal(resourceNamed(s, name).Properties?.AlarmDescription, resource.description, name);
        described++;
      }
    }
    assert.equal(described, 10 + 30);
  });

  it('gives each function the variables template.yaml gives it (Globals and its own, same values), its timeout and memory', () => {
    for (const name of ['the defaults', 'an existing table', 'Environment=dev, stage dev']) {
      const s = construct(name);
      const e = evaluation(name);
      const globals = evaluate(e, sam.functionGlobals);
      for (const [id, crate] of Object.entries(SAM_FUNCTIONS)) {
        const own = evaluate(e, propertiesOf(sam.resources.get(id)!));
        const fn = resourceNamed(s, id);
        assert.equal(fn.Metadata?.['missive:crate'], crate);
        const expected = { ...globals.Environment.Variables, ...own.Environment?.Variables };
        assert.deepEqual(Object.keys(expected).sort(), [...sam.globalVariables, ...sam.resources.get(id)!.variables].sort(), id);
        assert.deepEqual(loose(readable(s, fn.Properties?.Environment.Variables)), loose(expected), `${name}: ${id}`);
        assert.equal(fn.Properties?.Timeout, Number(own.Timeout ?? globals.Timeout), `${name}: ${id}'s Timeout`);
        assert.equal(fn.Properties?.MemorySize, Number(own.MemorySize ?? globals.MemorySize), `${name}: ${id}'s MemorySize`);
      }
    }
    const functions = [...sam.resources].filter(([, r]) => r.type === 'AWS::Serverless::Function').map(([name]) => name);
    assert.deepEqual(functions.sort(), Object.keys(SAM_FUNCTIONS).sort());
    assert.deepEqual(Object.values(SAM_FUNCTIONS).sort(), [...ALL_CRATES].sort());
  });

  it("gives the deploy check each function's new version, as template.yaml does", () => {
    for (const name of ['the defaults', 'Environment=dev, stage dev']) {
      const s = construct(name);
      const theirs = evaluate(evaluation(name), propertiesOf(sam.resources.get('DeployCheckFunction')!));
      const ours = readable(s, resourceNamed(s, 'DeployCheckFunction').Properties);
      for (const [variable, value] of Object.entries(theirs.Environment.Variables)) {
        assert.equal(ours.Environment.Variables[variable], value, variable);
      }
      assert.equal(ours.Timeout, theirs.Timeout);
    }
  });

  it("allows each function's role, and CodeDeploy's, what template.yaml's allow", () => {
    const statements = (policies: any[]) =>
      policies.flatMap((p) => (p.PolicyDocument ?? p).Statement).map((st: any) => loose({ Effect: st.Effect, Action: st.Action, Resource: st.Resource }));
    for (const name of ['the defaults', 'an existing table']) {
      const s = construct(name);
      const e = evaluation(name);
      for (const id of Object.keys(SAM_FUNCTIONS)) {
        const theirs = evaluate(e, propertiesOf(sam.resources.get(id)!)).Policies;
        const role = readable(s, resourceNamed(s, `${id}Role`).Properties);
        const ours = role.Policies.filter((p: any) => p.PolicyName === 'Missive');
        assert.deepEqual(statements(ours), statements(theirs), `${name}: ${id}`);
      }
      const theirs = loose(evaluate(e, propertiesOf(sam.resources.get('CodeDeployRole')!)));
      assert.deepEqual(loose(readable(s, resourceNamed(s, 'CodeDeployRole').Properties)), theirs, `${name}: CodeDeployRole`);
    }
  });

  it("deploys each function as template.yaml's DeploymentPreference says, in each environment", () => {
    for (const name of ['the defaults', 'Environment=dev, stage dev', 'Environment=staging']) {
      const s = construct(name);
      const e = evaluation(name);
      let groups = 0;
      for (const id of Object.keys(SAM_FUNCTIONS)) {
        const theirs = evaluate(e, propertiesOf(sam.resources.get(id)!));
        assert.equal(theirs.AutoPublishAlias, 'live', id);
        const alias = resourceNamed(s, `${id}/Aliaslive`);
        assert.equal(alias.Properties?.Name, 'live');
        assert.equal(readable(s, alias.Properties?.FunctionVersion), `\${${id}/CurrentVersion.Version}`, id);
        assert.equal(resourceNamed(s, `${id}/CurrentVersion`).DeletionPolicy, 'Retain', id);
        const preference = theirs.DeploymentPreference;
        if (!preference) {
          assert.equal(alias.UpdatePolicy, undefined, `${id}: shifted at once`);
          continue;
        }
        groups++;
        const group = readable(s, resourceNamed(s, `${id}DeploymentGroup`).Properties);
        assert.equal(group.DeploymentConfigName, `CodeDeployDefault.Lambda${preference.Type}`, `${name}: ${id}`);
        assert.equal(group.ServiceRoleArn, preference.Role, id);
        assert.equal(group.ApplicationName, '${DeploymentApplication}');
        assert.deepEqual(group.AlarmConfiguration, { Enabled: true, Alarms: preference.Alarms.map((a: string) => ({ Name: a })) }, id);
        // SAM's: rolled back when the deployment fails, an alarm fires or someone stops it.
        assert.deepEqual([...group.AutoRollbackConfiguration.Events].sort(), ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST']);
        assert.deepEqual(group.DeploymentStyle, { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' });
        assert.deepEqual(readable(s, alias.UpdatePolicy), {
          CodeDeployLambdaAliasUpdate: {
            ApplicationName: '${DeploymentApplication}',
            DeploymentGroupName: `\${${id}DeploymentGroup}`,
            BeforeAllowTrafficHook: preference.Hooks.PreTraffic,
          },
        });
      }
      assert.equal(groups, 8);
    }
  });

  it("has template.yaml's secret, table, log groups, topics, CodeDeploy role and custom domains, property by property", () => {
    const types = [
      'AWS::SecretsManager::Secret',
      'AWS::DynamoDB::Table',
      'AWS::Logs::LogGroup',
      'AWS::SNS::Topic',
      'AWS::ApiGatewayV2::DomainName',
      'AWS::ApiGatewayV2::ApiMapping',
      'AWS::IAM::Role',
    ];
    const compared = new Set<string>();
    for (const name of Object.keys(CASES)) {
      const s = construct(name);
      const e = evaluation(name);
      for (const [id, resource] of samResourcesIn(name)) {
        if (!types.includes(resource.type)) {
          continue;
        }
        const ours = resourceNamed(s, id);
        assert.deepEqual(loose(readable(s, ours.Properties)), loose(evaluate(e, propertiesOf(resource))), `${name}: ${id}`);
        // Kept when the stack goes, when template.yaml says so (the table, the logs role).
        const deletionPolicy = resource.lines.find((l) => l.startsWith('    DeletionPolicy: '));
        if (deletionPolicy) {
          assert.equal(ours.DeletionPolicy, deletionPolicy.split(': ')[1], `${name}: ${id}'s DeletionPolicy`);
        }
        compared.add(id);
      }
    }
    // Every one of them, in some case.
    const expected = [...sam.resources].filter(([, r]) => types.includes(r.type)).map(([id]) => id);
    assert.deepEqual([...compared].sort(), expected.sort());
  });

  it("has template.yaml's alarms, property by property: metric math, thresholds, topics, in every case", () => {
    // The order of an alarm's metrics, and of a metric's dimensions, means nothing to CloudWatch.
    const byName = (a: any, b: any) => String(a.Name).localeCompare(String(b.Name));
    const sortDimensions = (metric: any) => (metric.Dimensions ? { ...metric, Dimensions: [...metric.Dimensions].sort(byName) } : metric);
    const normal = (properties: any) => {
      const p = sortDimensions(properties);
      if (p.Metrics) {
        p.Metrics = p.Metrics.map((m: any) => (m.MetricStat ? { ...m, MetricStat: { ...m.MetricStat, Metric: sortDimensions(m.MetricStat.Metric) } } : m)).sort(
          (a: any, b: any) => String(a.Id).localeCompare(String(b.Id)),
        );
      }
      return loose(p);
    };
    let compared = 0;
    for (const name of Object.keys(CASES)) {
      const s = construct(name);
      const e = evaluation(name);
      const ours = resourcesOfType(s, 'AWS::CloudWatch::Alarm');
      const theirs = samResourcesIn(name).filter(([, r]) => r.type === 'AWS::CloudWatch::Alarm');
      assert.deepEqual([...ours.keys()].sort(), theirs.map(([id]) => id).sort(), name);
      for (const [id, resource] of theirs) {
        assert.deepEqual(normal(readable(s, ours.get(id)!.Properties)), normal(evaluate(e, propertiesOf(resource))), `${name}: ${id}`);
        compared++;
      }
    }
    assert.equal(compared, 30 * Object.keys(CASES).length);
  });

  it('subscribes the e-mails template.yaml subscribes, each to its topic', () => {
    const byEndpoint = (a: any, b: any) => String(a.Endpoint).localeCompare(String(b.Endpoint));
    for (const [name, count] of [
      ['the defaults', 0],
      ['alarm and warning e-mails', 2],
    ] as const) {
      const s = construct(name);
      const e = evaluation(name);
      const theirs = samResourcesIn(name)
        .filter(([, r]) => r.type === 'AWS::SNS::Subscription')
        .map(([, r]) => loose(evaluate(e, propertiesOf(r))));
      const ours = [...resourcesOfType(s, 'AWS::SNS::Subscription').values()].map((r) => loose(readable(s, r.Properties)));
      assert.equal(theirs.length, count, name);
      assert.deepEqual(ours.sort(byEndpoint), theirs.sort(byEndpoint), name);
    }
  });

  it("schedules each function's ScheduleV2 events on its alias, through a role that may invoke it only, as SAM does", () => {
    const s = construct('the defaults');
    let schedules = 0;
    for (const id of Object.keys(SAM_FUNCTIONS)) {
      const theirs = evaluate(evaluation('the defaults'), propertiesOf(sam.resources.get(id)!));
      for (const [event, { Type, Properties }] of Object.entries<any>(theirs.Events ?? {})) {
        if (Type !== 'ScheduleV2') {
          continue;
        }
        schedules++;
        // SAM's names: <Function><Event> and its role <Function><Event>Role.
        const ours = readable(s, resourceNamed(s, `${id}${event}`).Properties);
        assert.equal(ours.ScheduleExpression, Properties.ScheduleExpression, id);
        assert.equal(Properties.OmitName, true, `${id}: a schedule named after its event (no OmitName): add it here`);
        assert.equal(ours.Name, undefined, id);
        assert.equal(theirs.AutoPublishAlias, 'live', id);
        assert.equal(ours.Target.Arn, `\${${id}/Aliaslive}`, id);
        assert.equal(ours.Target.RoleArn, `\${${id}${event}Role.Arn}`, id);
        const role = readable(s, resourceNamed(s, `${id}${event}Role`).Properties);
        assert.deepEqual(loose(role.AssumeRolePolicyDocument.Statement), [
          { Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' } },
        ]);
        assert.deepEqual(loose(role.Policies.flatMap((p: any) => p.PolicyDocument.Statement)), [
          { Action: ['lambda:InvokeFunction'], Effect: 'Allow', Resource: [`\${${id}/Aliaslive}`] },
        ]);
      }
    }
    assert.equal(schedules, 2);
    assert.equal(resourcesOfType(s, 'AWS::Scheduler::Schedule').size, schedules);
  });

  it('has the outputs of template.yaml, under the same names, where its conditions put them', () => {
    for (const name of Object.keys(CASES)) {
      const s = construct(name);
      const e = evaluation(name);
      const expected = [...sam.outputs].filter(([, o]) => !o.condition || conditionHolds(e, o.condition)).map(([output]) => output);
      assert.deepEqual(Object.keys(s.json.Outputs ?? {}), expected, name);
      for (const output of expected) {
        const field = (key: string) => {
          const line = sam.outputs.get(output)!.lines.find((l) => l.startsWith(`    ${key}: `));
          return line === undefined ? undefined : evaluate(e, parseFlow(line.slice(key.length + 6)));
        };
        const ours = readable(s, s.json.Outputs![output]);
        assert.equal(ours.Value, field('Value'), `${name}: ${output}'s Value`);
        assert.equal(ours.Description, field('Description'), `${name}: ${output}'s Description`);
      }
    }
    const domains = construct('custom domains');
    assert.equal(readable(domains, domains.json.Outputs!.WebSocketDomainTarget.Value), '${WebSocketDomain.RegionalDomainName}');
    assert.equal(readable(domains, domains.json.Outputs!.HttpApiDomainTarget.Value), '${HttpApiDomain.RegionalDomainName}');
    assert.equal(construct('an existing table').json.Outputs!.TableName.Value, 'missive-restored');
  });

  it('has the dashboard of template.yaml, widget for widget', () => {
    for (const name of ['the defaults', 'an existing table']) {
      const s = construct(name);
      const ours = JSON.parse(readable(s, resourceNamed(s, 'Dashboard').Properties?.DashboardBody));
      let body = sam.dashboardBody;
      for (const [variable, expression] of sam.dashboardVariables) {
        body = body.split(`\${${variable}}`).join(evaluate(evaluation(name), expression));
      }
      assert.deepEqual(ours, JSON.parse(body), name);
    }
  });

  it('has the Contributor Insights rules of template.yaml', () => {
    const s = construct('the defaults');
    const rules = [...sam.resources].filter(([, r]) => r.type === 'AWS::CloudWatch::InsightRule');
    assert.ok(rules.length > 0);
    for (const [name, resource] of rules) {
      const ours = readable(s, resourceNamed(s, name).Properties);
      assert.deepEqual(JSON.parse(ours.RuleBody), JSON.parse(foldedProperty(resource, 'RuleBody')!), name);
      assert.equal(ours.RuleState, /^ {6}RuleState: (\w+)/m.exec(resource.lines.join('\n'))![1]);
      assert.equal(`!Sub "${ours.RuleName}"`, /^ {6}RuleName: (.+)$/m.exec(resource.lines.join('\n'))![1]);
    }
  });

  it('synthesizes the same template under the feature flags recommended for new apps', () => {
    const props = { alarmEmail: 'ops@missive.example', ...propsFor(CASES['custom domains']) };
    const plain = synth(props);
    const recommended = synth(props, { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS });
    // The versions' logical ids end with a hash of the function, which
    // @aws-cdk/aws-lambda:recognizeLayerVersion computes another way (layers included): the
    // same versions, named differently.
    const strip = (x: Synthesized) =>
      JSON.parse(
        JSON.stringify(x.json, (key, value) => (key === 'S3Key' ? undefined : value)).replace(/(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g, '$1'),
      );
    assert.deepEqual(strip(recommended), strip(plain));
    assert.equal(resourcesOfType(recommended, 'AWS::IAM::Policy').size, 0);
  });
  // Last: the Python process started with the file has had the other tests' time to answer.
  it('counts what the SAM transform itself makes (samtranslator), case by case', async (t) => {
    if (!samTranslated) {
      t.skip(`no ${PYTHON} (scripts/test makes it; MISSIVE_PYTHON names another)`);
      return;
    }
    const translated = await samTranslated();
    for (const [name, parameters] of Object.entries(CASES)) {
      assert.deepEqual(samResourceTypes(sam, parameters), translated[name], name);
    }
    // As of this writing, with the defaults: 137 resources, among them 10 functions with their
    // versions and aliases, 8 deployment groups, 14 roles, 2 schedules, 2 topics, 30 alarms.
    const defaults = translated['the defaults'];
    assert.equal(Object.values(defaults).reduce((a, b) => a + b, 0), 137);
    for (const [type, count] of Object.entries({
      'AWS::Lambda::Function': 10,
      'AWS::Lambda::Version': 10,
      'AWS::Lambda::Alias': 10,
      'AWS::CodeDeploy::DeploymentGroup': 8,
      'AWS::IAM::Role': 14,
      'AWS::Scheduler::Schedule': 2,
      'AWS::SNS::Topic': 2,
      'AWS::CloudWatch::Alarm': 30,
    })) {
      assert.equal(defaults[type], count, type);
    }
  });
});
