/**
 * What the SAM transform makes of template.yaml, resource type by resource type, for given
 * parameter values: emulated here from template.yaml's lines (always), and checked against the
 * real transform (samtranslator, through tests/deployed/harness/template.py) when the
 * repository's Python environment is there.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPOSITORY } from './helpers';
import { conditionHolds, SamTemplate, TEMPLATE_YAML } from './template-yaml';

export function countByType(types: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of types) {
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The resources CloudFormation creates from template.yaml with these parameters (the others at
 * their defaults), by type: the SAM transform's output (per function: the function, its role
 * unless it names one, with AutoPublishAlias a version and an alias, with a DeploymentPreference
 * a deployment group — one CodeDeploy application for all, and a CodeDeploy role unless each
 * names one —, the events' mappings, permission and schedule; the HttpApi's API and stage), then
 * only the resources whose Condition holds.
 */
export function samResourceTypes(sam: SamTemplate, parameters: Record<string, string>): Record<string, number> {
  const e = { sam, parameters };
  const types: string[] = [];
  let deploymentPreferences = 0;
  let withoutDeployRole = 0;
  for (const [name, resource] of sam.resources) {
    if (resource.condition && !conditionHolds(e, resource.condition)) {
      continue;
    }
    const has = (pattern: RegExp) => resource.lines.some((l) => pattern.test(l));
    switch (resource.type) {
      case 'AWS::Serverless::Function': {
        types.push('AWS::Lambda::Function');
        if (!has(/^ {6}Role: /)) {
          types.push('AWS::IAM::Role');
        }
        if (has(/^ {6}AutoPublishAlias: /)) {
          types.push('AWS::Lambda::Version', 'AWS::Lambda::Alias');
        }
        const preference = resource.lines.findIndex((l) => /^ {6}DeploymentPreference:\s*$/.test(l));
        if (preference >= 0) {
          if (!has(/^ {6}AutoPublishAlias: /)) {
            throw new Error(`${name}: a DeploymentPreference needs AutoPublishAlias`);
          }
          types.push('AWS::CodeDeploy::DeploymentGroup');
          deploymentPreferences++;
          const end = resource.lines.findIndex((l, i) => i > preference && /^ {6}\S/.test(l));
          if (!resource.lines.slice(preference, end < 0 ? undefined : end).some((l) => /^ {8}Role: /.test(l))) {
            withoutDeployRole++;
          }
        }
        const body = resource.lines.join('\n');
        for (const event of body.matchAll(/^ {10}Type: (\w+)$/gm)) {
          switch (event[1]) {
            case 'SQS':
              types.push('AWS::Lambda::EventSourceMapping');
              break;
            case 'HttpApi':
              types.push('AWS::Lambda::Permission');
              break;
            case 'ScheduleV2':
              types.push('AWS::Scheduler::Schedule', 'AWS::IAM::Role');
              break;
            default:
              throw new Error(`an event of type ${event[1]}: add it here`);
          }
        }
        break;
      }
      case 'AWS::Serverless::HttpApi':
        types.push('AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Stage');
        break;
      default:
        if (resource.type.startsWith('AWS::Serverless::')) {
          throw new Error(`${resource.type}: add it here`);
        }
        types.push(resource.type);
    }
  }
  if (deploymentPreferences > 0) {
    types.push('AWS::CodeDeploy::Application'); // ServerlessDeploymentApplication
  }
  if (withoutDeployRole > 0) {
    types.push('AWS::IAM::Role'); // CodeDeployServiceRole
  }
  return countByType(types);
}

/** The repository's Python environment (scripts/test makes it), or MISSIVE_PYTHON. */
export const PYTHON = process.env.MISSIVE_PYTHON ?? path.join(REPOSITORY, '.venv', 'bin', 'python');

export function pythonAvailable(): boolean {
  return fs.existsSync(PYTHON);
}

// template.yaml decoded (cfn-lint), SAM-transformed (samtranslator) with the case's parameters,
// then its resources counted by type where their Condition holds (the harness's Stack, which
// evaluates conditions as CloudFormation does).
const TRANSFORM = `
import collections, json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "tests/deployed")
from pathlib import Path
from harness.template import Stack, decode, sam_transform

REQUIRED = {"PlatformKey": "platform-key-0123456789", "PublicUrl": "https://missive.example", "EmailFrom": "noreply@missive.example"}
request = json.loads(sys.argv[1])
template = decode(Path(request["template"]))
answer = {}
for name, parameters in request["cases"].items():
    given = dict(REQUIRED, **parameters)
    transformed, _ = sam_transform(template, given, "eu-west-1")
    stack = Stack(transformed, given, "eu-west-1", "Missive")
    types = [r["Type"] for logical, r in transformed["Resources"].items() if stack.exists(logical)]
    answer[name] = dict(sorted(collections.Counter(types).items()))
print(json.dumps(answer))
`;

/**
 * The real SAM transform's resource counts by type, case by case (one Python process for all).
 * Started at once and answered when asked: the Python process (seconds) runs while the tests
 * synthesize the construct. Never rejects before it is awaited.
 */
export function samTranslatorResourceTypes(cases: Record<string, Record<string, string>>): () => Promise<Record<string, Record<string, number>>> {
  const outcome = new Promise<{ counts?: Record<string, Record<string, number>>; error?: Error }>((resolve) => {
    // The request as an argument, not on stdin: a pipe is written only when the event loop turns,
    // which synchronous synthesis does not let it do; the answer (a few kilobytes) fits in the
    // pipe's buffer until it is read.
    const child = spawn(PYTHON, ['-c', TRANSFORM, JSON.stringify({ template: TEMPLATE_YAML, cases })], {
      cwd: REPOSITORY,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const failed = (why: string) =>
      resolve({ error: new Error(`${PYTHON} (the SAM transform) failed: ${why}\n${Buffer.concat(stderr).toString('utf8')}`) });
    child.on('error', (e) => failed(String(e)));
    child.on('close', (status) => {
      if (status !== 0) {
        failed(`exit status ${status}`);
        return;
      }
      try {
        resolve({ counts: JSON.parse(Buffer.concat(stdout).toString('utf8')) });
      } catch (e) {
        failed(`its answer is not JSON: ${e}`);
      }
    });
  });
  return async () => {
    const { counts, error } = await outcome;
    if (error) {
      throw error;
    }
    return counts!;
  };
}
