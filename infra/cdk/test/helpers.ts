import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, SecretValue, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { VALIDATE_AGAINST_DEFAULT_RULES } from 'aws-cdk-lib/cx-api';
import { ALL_CRATES, Missive, MissiveProps } from '../lib';

/** The repository's root (build/test → infra/cdk → the repository). */
export const REPOSITORY = path.resolve(__dirname, '..', '..', '..', '..');

let lambdaDirectory: string | undefined;

/**
 * A temporary folder with `<crate>/bootstrap` for each crate (Code.fromAsset needs the folders;
 * no Rust build is needed to synthesize), made once per test process and removed at its exit.
 */
export function placeholderLambdaDirectory(): string {
  if (!lambdaDirectory) {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'missive-cdk-test-'));
    for (const crate of ALL_CRATES) {
      fs.mkdirSync(path.join(directory, crate));
      fs.writeFileSync(path.join(directory, crate, 'bootstrap'), `placeholder for ${crate}\n`);
    }
    process.on('exit', () => fs.rmSync(directory, { recursive: true, force: true }));
    lambdaDirectory = directory;
  }
  return lambdaDirectory;
}

export const REQUIRED_PROPS = {
  jwtSecret: SecretValue.unsafePlainText('test-jwt-secret-0123456789'),
  platformKey: SecretValue.unsafePlainText('test-platform-key-0123456789'),
  publicUrl: 'https://missive.example',
  emailFrom: 'noreply@missive.example',
};

export interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly missive: Missive;
  readonly template: Template;
  /** The template as JSON. */
  readonly json: { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };
  /** Each resource's logical id → its name in the construct (Table, FanoutQueue, WsMessageFunction…). */
  readonly names: Map<string, string>;
}

export interface Resource {
  Type: string;
  UpdatePolicy?: Record<string, any>;
  Properties?: Record<string, any>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
  Condition?: string;
}

/**
 * An App for the tests. CDK's built-in CloudFormation validation (a WASM engine: about 3 s to start
 * in each test process, then a few tenths of a second a synthesis) runs only when the context
 * makes its findings errors (`@aws-cdk/core:validateAgainstDefaultRules`, as cdk.json and the
 * recommended flags do): otherwise it would only report warnings that no test reads. The example
 * app (`npm run synth`, cdk.json's flags) and the recommended-flags parity test still run it, and
 * fail on its errors.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context, builtinCloudFormationValidation: context[VALIDATE_AGAINST_DEFAULT_RULES] === true });
}

const synthesized = new Map<string, Synthesized>();

/**
 * What identifies a synthesis: its props and context when they are plain values (strings,
 * numbers, booleans, lists, plain objects; a prop given as undefined included), else undefined
 * (a SecretValue, a token: synthesized anew).
 */
function synthesisKey(props: Partial<MissiveProps>, context: Record<string, unknown>): string | undefined {
  let plain = true;
  const key = JSON.stringify({ props, context }, function (this: Record<string, unknown>, name: string, value: unknown) {
    // The value before its toJSON (a SecretValue writes itself "<unresolved-token>").
    const original = this[name];
    if (original === undefined) {
      return '(undefined)';
    }
    const object = original !== null && typeof original === 'object';
    if (Token.isUnresolved(original) || (object && !Array.isArray(original) && Object.getPrototypeOf(original) !== Object.prototype)) {
      plain = false;
    }
    return value;
  });
  return plain ? key : undefined;
}

/**
 * A stack named `Missive` with one Missive construct `Chat`, synthesized; once per test process
 * for the same plain props and context (tests read what is synthesized, none changes it).
 */
export function synth(props: Partial<MissiveProps> = {}, context: Record<string, unknown> = {}): Synthesized {
  const key = synthesisKey(props, context);
  const known = key === undefined ? undefined : synthesized.get(key);
  if (known) {
    return known;
  }
  const made = synthesize(props, context);
  if (key !== undefined) {
    synthesized.set(key, made);
  }
  return made;
}

function synthesize(props: Partial<MissiveProps>, context: Record<string, unknown>): Synthesized {
  const app = testApp(context);
  const stack = new Stack(app, 'Missive');
  const missive = new Missive(stack, 'Chat', { ...REQUIRED_PROPS, lambdaDirectory: placeholderLambdaDirectory(), ...props });
  const template = Template.fromStack(stack);
  const names = new Map<string, string>();
  for (const child of missive.node.findAll()) {
    if (child instanceof CfnElement) {
      const relative = child.node.path.slice(missive.node.path.length + 1).split('/');
      const parts = relative.filter((p) => p !== 'Resource' && p !== 'Default');
      names.set(stack.resolve(child.logicalId), parts.join('/'));
    }
  }
  return { app, stack, missive, template, json: template.toJSON() as Synthesized['json'], names };
}

/** The resources of a type, by the construct name of each. */
export function resourcesOfType(s: Synthesized, type: string): Map<string, Resource> {
  const found = new Map<string, Resource>();
  for (const [logicalId, resource] of Object.entries(s.json.Resources)) {
    if (resource.Type === type) {
      found.set(s.names.get(logicalId) ?? logicalId, resource);
    }
  }
  return found;
}

export function resourceNamed(s: Synthesized, name: string): Resource {
  for (const [logicalId, resource] of Object.entries(s.json.Resources)) {
    if (s.names.get(logicalId) === name) {
      return resource;
    }
  }
  throw new Error(`no resource ${name}; there are ${[...s.names.values()].join(', ')}`);
}

/**
 * A template value written back as template.yaml would write it in a !Sub: `{Ref: X}` →
 * `${Name}`, `{Fn::GetAtt: [X, Arn]}` → `${Name.Arn}`, `Fn::Join` → the joined string, with each
 * logical id replaced by the construct's name, so that tests can compare with template.yaml.
 */
export function readable(s: Synthesized, value: unknown): any {
  if (Array.isArray(value)) {
    return value.map((v) => readable(s, v));
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0];
      if (key === 'Ref' && typeof argument === 'string') {
        return `\${${s.names.get(argument) ?? argument}}`;
      }
      if (key === 'Fn::GetAtt' && Array.isArray(argument)) {
        return `\${${s.names.get(argument[0]) ?? argument[0]}.${argument[1]}}`;
      }
      if (key === 'Fn::Join' && Array.isArray(argument) && Array.isArray(argument[1])) {
        return (argument[1] as unknown[]).map((part) => readable(s, part)).join(argument[0] as string);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, readable(s, v)]));
  }
  return value;
}

/** A role's statements, readable, as [actions, resources] with single values as lists. */
export function statementsOf(s: Synthesized, role: Resource): { effect: string; actions: string[]; resources: string[] }[] {
  const statements: { effect: string; actions: string[]; resources: string[] }[] = [];
  for (const policy of role.Properties?.Policies ?? []) {
    for (const statement of policy.PolicyDocument.Statement) {
      const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
      statements.push({
        effect: statement.Effect,
        actions: list(statement.Action),
        resources: list(readable(s, statement.Resource)),
      });
    }
  }
  return statements;
}

/** Every IAM statement of the template: roles' inline policies, policy resources, resource policies. */
export function allStatements(s: Synthesized): { where: string; statement: Record<string, any> }[] {
  const found: { where: string; statement: Record<string, any> }[] = [];
  for (const [logicalId, resource] of Object.entries(s.json.Resources)) {
    const documents: unknown[] = [];
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      documents.push(props.AssumeRolePolicyDocument, ...(props.Policies ?? []).map((p: any) => p.PolicyDocument));
    }
    if (props.PolicyDocument) {
      documents.push(props.PolicyDocument);
    }
    for (const document of documents as { Statement: Record<string, any>[] }[]) {
      for (const statement of document.Statement) {
        found.push({ where: s.names.get(logicalId) ?? logicalId, statement });
      }
    }
  }
  return found;
}
