/**
 * Just enough of a reader of the repository's template.yaml (the SAM template, the source of truth
 * this construct follows) for the parity tests: its parameters and their defaults, its mappings
 * and conditions (evaluated for given parameter values), its resources' types, conditions,
 * descriptions, environment variable names and properties, its outputs and the dashboard's body. Line-based: it relies on template.yaml's layout (two-space indentation, one key per line,
 * short-form intrinsics such as `!If [CreateTable, !GetAtt Table.Arn, !Sub "…"]` on one line), and
 * fails loudly when that layout changes.
 *
 * MISSIVE_TEMPLATE_YAML=<file> reads another copy instead (e.g. `git show HEAD:template.yaml`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPOSITORY } from './helpers';

/** The template the parity tests read. */
export const TEMPLATE_YAML = process.env.MISSIVE_TEMPLATE_YAML
  ? path.resolve(process.env.MISSIVE_TEMPLATE_YAML)
  : path.join(REPOSITORY, 'template.yaml');

export interface SamParameter {
  readonly type: string;
  readonly default?: string;
}

export interface SamResource {
  readonly type: string;
  readonly condition?: string;
  /** Its one-line Properties.Description, or its folded AlarmDescription. */
  readonly description?: string;
  /** The MISSIVE_* variables its Environment sets. */
  readonly variables: string[];
  /** Its lines, as written. */
  readonly lines: string[];
}

export interface SamOutput {
  readonly condition?: string;
  readonly lines: string[];
}

export interface SamTemplate {
  readonly parameters: Map<string, SamParameter>;
  /** Mapping → top-level key → second-level key → value, as written. */
  readonly mappings: Map<string, Map<string, Map<string, string>>>;
  /** Condition → its expression. */
  readonly conditions: Map<string, Intrinsic>;
  readonly resources: Map<string, SamResource>;
  readonly globalVariables: string[];
  /** Globals' Function section, parsed as a resource's Properties are (its Environment.Variables…). */
  readonly functionGlobals: { [key: string]: Intrinsic };
  readonly outputs: Map<string, SamOutput>;
  /** The dashboard's body, the text of its `!Sub` block. */
  readonly dashboardBody: string;
  /** The variables of the dashboard's `!Sub [body, {variables}]`, as expressions. */
  readonly dashboardVariables: Map<string, Intrinsic>;
}

// ---------------------------------------------------------------------- short-form intrinsics
/** A YAML flow value with CloudFormation's short-form tags. */
export type Intrinsic = string | number | boolean | { tag: string; value: Intrinsic } | Intrinsic[] | { [key: string]: Intrinsic };

function isTagged(value: Intrinsic): value is { tag: string; value: Intrinsic } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as any).tag === 'string' && 'value' in value;
}

/** A plain (unquoted) scalar as YAML reads it: a number, a boolean or a string. */
function plain(scalar: string): Intrinsic {
  if (/^-?\d+(\.\d+)?$/.test(scalar)) return Number(scalar);
  if (scalar === 'true' || scalar === 'false') return scalar === 'true';
  return scalar;
}

/** Parses one flow value: `!Equals [!Ref X, ""]`, `[a, b]`, `{ Name: x, Value: !Ref Y }`, `"…"`, a plain scalar. */
export function parseFlow(text: string): Intrinsic {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`template.yaml: ${why} at ${i} in ${JSON.stringify(text)}`);
  };
  const spaces = () => {
    while (i < text.length && text[i] === ' ') i++;
  };
  const value = (stops: string): Intrinsic => {
    spaces();
    if (text[i] === '!') {
      const tag = /^!([A-Za-z]+)/.exec(text.slice(i));
      if (!tag) fail('a tag');
      i += tag![0].length;
      return { tag: tag![1], value: value(stops) };
    }
    if (text[i] === '[') {
      i++;
      const items: Intrinsic[] = [];
      spaces();
      while (text[i] !== ']') {
        items.push(value(',]'));
        spaces();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail('"," or "]"');
        spaces();
      }
      i++;
      return items;
    }
    if (text[i] === '{') {
      i++;
      const map: { [key: string]: Intrinsic } = {};
      spaces();
      while (text[i] !== '}') {
        const key = /^([A-Za-z0-9_:.-]+):\s/.exec(text.slice(i));
        if (!key) fail('a key');
        i += key![0].length;
        map[key![1]] = value(',}');
        spaces();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail('"," or "}"');
        spaces();
      }
      i++;
      return map;
    }
    if (text[i] === '"' || text[i] === "'") {
      const quote = text[i++];
      let out = '';
      while (i < text.length && text[i] !== quote) {
        if (quote === '"' && text[i] === '\\') {
          const next = text[i + 1];
          out += next === 'n' ? '\n' : next;
          i += 2;
        } else if (quote === "'" && text[i] === "'" && text[i + 1] === "'") {
          out += "'";
          i += 2;
        } else {
          out += text[i++];
        }
      }
      if (text[i] !== quote) fail('a closing quote');
      i++;
      return out;
    }
    const start = i;
    while (i < text.length && !stops.includes(text[i])) i++;
    return plain(text.slice(start, i).trim());
  };
  const result = value('');
  spaces();
  if (i < text.length && !text.slice(i).trimStart().startsWith('#')) fail('the end');
  return result;
}

/** What an expression is evaluated against: parameter values, conditions, how resources are written. */
export interface Evaluation {
  readonly sam: SamTemplate;
  /** Parameter values given (the others take their defaults). */
  readonly parameters: Record<string, string>;
  /** How `!Ref X` / `!GetAtt X.Y` of a resource is written: `${X}` / `${X.Y}` by default. */
  readonly rename?: (reference: string) => string;
}

export function parameterValue(e: Evaluation, name: string): string {
  if (name in e.parameters) {
    return e.parameters[name];
  }
  const parameter = e.sam.parameters.get(name);
  if (!parameter) {
    throw new Error(`template.yaml: no parameter ${name}`);
  }
  if (parameter.default === undefined) {
    throw new Error(`parameter ${name} has no default: give it`);
  }
  return parameter.default;
}

export function conditionHolds(e: Evaluation, name: string): boolean {
  const expression = e.sam.conditions.get(name);
  if (expression === undefined) {
    throw new Error(`template.yaml: no condition ${name}`);
  }
  const value = evaluate(e, expression);
  if (typeof value !== 'boolean') {
    throw new Error(`condition ${name} is not a boolean`);
  }
  return value;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** An expression's value: a boolean, a string (references written `${Name}`), a list or a map. */
export function evaluate(e: Evaluation, expression: Intrinsic): any {
  const rename = e.rename ?? ((r: string) => r);
  const reference = (name: string) => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (e.sam.parameters.has(name)) return parameterValue(e, name);
    return `\${${name.startsWith('AWS::') ? name : rename(name)}}`;
  };
  if (typeof expression !== 'object') {
    return expression;
  }
  if (Array.isArray(expression)) {
    return expression.map((item) => evaluate(e, item)).filter((item) => item !== NO_VALUE);
  }
  if (!isTagged(expression)) {
    return Object.fromEntries(Object.entries(expression).map(([k, v]) => [k, evaluate(e, v)]).filter(([, v]) => v !== NO_VALUE));
  }
  const { tag, value } = expression;
  const args = () => (value as Intrinsic[]).map((v) => evaluate(e, v));
  switch (tag) {
    case 'Ref':
      return reference(value as string);
    case 'GetAtt':
      return `\${${rename(value as string)}}`;
    case 'Sub': {
      if (typeof value !== 'string') {
        throw new Error('!Sub with variables: not read here');
      }
      return value.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
        const resolved = name.includes('.') ? `\${${rename(name)}}` : reference(name);
        return resolved as string;
      });
    }
    case 'If': {
      const [condition, ifTrue, ifFalse] = value as Intrinsic[];
      return evaluate(e, conditionHolds(e, condition as string) ? ifTrue : ifFalse);
    }
    case 'Equals': {
      const [a, b] = args();
      return String(a) === String(b);
    }
    case 'Not':
      return !args()[0];
    case 'And':
      return args().every(Boolean);
    case 'Or':
      return args().some(Boolean);
    case 'Condition':
      return conditionHolds(e, value as string);
    case 'FindInMap': {
      const [map, key, attribute] = args();
      const found = e.sam.mappings.get(map)?.get(key)?.get(attribute);
      if (found === undefined) {
        throw new Error(`template.yaml: no mapping ${map}.${key}.${attribute}`);
      }
      return found;
    }
    default:
      throw new Error(`template.yaml: !${tag} is not read here`);
  }
}

// ---------------------------------------------------------------------- layout
function sections(lines: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    const top = /^([A-Za-z]+):/.exec(line);
    if (top) {
      current = [];
      found.set(top[1], current);
    } else if (current) {
      current.push(line);
    }
  }
  return found;
}

/** The blocks of a section: each key at two spaces' indentation, with its lines. */
function blocks(lines: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    const key = /^ {2}([A-Za-z0-9]+):\s*$/.exec(line);
    if (key) {
      current = [];
      found.set(key[1], current);
    } else if (current && (line.startsWith('    ') || line.trim() === '' || line.trim().startsWith('#'))) {
      current.push(line);
    } else if (line.startsWith('  ') && !line.trim().startsWith('#')) {
      throw new Error(`template.yaml: unexpected line ${JSON.stringify(line)}`);
    }
  }
  return found;
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return /^(["']).*\1$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}

const indentation = (line: string) => line.length - line.trimStart().length;

/** A folded (`>`) scalar's value: its more-indented lines joined by spaces. */
function folded(lines: string[], index: number): string {
  const keyIndentation = indentation(lines[index]);
  const parts: string[] = [];
  for (let i = index + 1; i < lines.length && (lines[i].trim() === '' || indentation(lines[i]) > keyIndentation); i++) {
    parts.push(lines[i].trim());
  }
  return parts.join(' ').trim();
}

/** A property written as a folded scalar (`Key: >`, `Key: !Sub >-`…), its value as YAML reads it (without a final newline). */
export function foldedProperty(resource: SamResource, key: string): string | undefined {
  const index = resource.lines.findIndex((l) => new RegExp(`^ {6}${key}: (!Sub )?>-?\\s*$`).test(l));
  return index < 0 ? undefined : folded(resource.lines, index);
}

/** A one-line property at a given indentation (`      Threshold: 0.05`), parsed. */
export function property(resource: SamResource, key: string, indent = 6): Intrinsic | undefined {
  const line = resource.lines.find((l) => new RegExp(`^ {${indent}}${key}: \\S`).test(l));
  return line === undefined ? undefined : parseFlow(line.slice(indent + key.length + 2));
}

/**
 * A block value (a map of `key: value` lines, a list of `- …` items, nested by indentation, flow
 * values and folded scalars inside), from the line after `key:` on; returns it and where it ends.
 */
function block(lines: string[], from: number): [Intrinsic, number] {
  let i = from;
  const skip = () => {
    while (i < lines.length && (lines[i].trim() === '' || lines[i].trim().startsWith('#'))) i++;
  };
  skip();
  if (i >= lines.length) return ['', i];
  const indent = indentation(lines[i]);
  const map = (first: string | undefined, at: number): { [key: string]: Intrinsic } => {
    // `first`: an item's first line with its "- " taken away; then the lines at `at`.
    const out: { [key: string]: Intrinsic } = {};
    let line = first;
    for (;;) {
      if (line === undefined) {
        skip();
        if (i >= lines.length || indentation(lines[i]) !== at || lines[i].trimStart().startsWith('- ')) break;
        line = lines[i++].trim();
      }
      const entry = /^([A-Za-z0-9_]+):(?: (.*))?$/.exec(line);
      if (!entry) throw new Error(`template.yaml: unexpected line ${JSON.stringify(line)}`);
      const rest = entry[2]?.trim() ?? '';
      const tagOnly = /^!([A-Za-z]+)$/.exec(rest);
      if (rest === '' || tagOnly) {
        // `Key:` or `Key: !If` over a block (the tag's arguments as a list below).
        const [value, next] = block(lines, i);
        out[entry[1]] = tagOnly ? { tag: tagOnly[1], value } : value;
        i = next;
      } else if (/^(!Sub )?>-?$/.test(rest)) {
        out[entry[1]] = folded(lines, i - 1);
        while (i < lines.length && (lines[i].trim() === '' || indentation(lines[i]) > at)) i++;
      } else {
        out[entry[1]] = parseFlow(rest);
      }
      line = undefined;
    }
    return out;
  };
  if (lines[i].trimStart().startsWith('- ')) {
    const items: Intrinsic[] = [];
    while (i < lines.length && indentation(lines[i]) === indent && lines[i].trimStart().startsWith('- ')) {
      const content = lines[i++].trim().slice(2);
      items.push(/^[A-Za-z0-9_]+:( |$)/.test(content) ? map(content, indent + 2) : parseFlow(content));
      skip();
    }
    return [items, i];
  }
  return [map(undefined, indent), i];
}

/** A resource's Properties, parsed (`!Sub` blocks with variables excepted: read them by hand). */
export function propertiesOf(resource: SamResource): { [key: string]: Intrinsic } {
  const start = resource.lines.findIndex((l) => /^ {4}Properties:\s*$/.test(l));
  if (start < 0) return {};
  return block(resource.lines, start + 1)[0] as { [key: string]: Intrinsic };
}

/** Globals' `Function:` block (its keys at four spaces' indentation). */
function functionGlobals(lines: string[]): { [key: string]: Intrinsic } {
  const start = lines.findIndex((l) => /^ {2}Function:\s*$/.test(l));
  if (start < 0) {
    throw new Error('template.yaml: no Function in Globals');
  }
  return block(lines, start + 1)[0] as { [key: string]: Intrinsic };
}

export function readSamTemplate(file = TEMPLATE_YAML): SamTemplate {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const top = sections(lines);
  for (const name of ['Parameters', 'Mappings', 'Conditions', 'Globals', 'Resources', 'Outputs']) {
    if (!top.has(name)) {
      throw new Error(`template.yaml: no ${name} section`);
    }
  }

  const parameters = new Map<string, SamParameter>();
  for (const [name, body] of blocks(top.get('Parameters')!)) {
    const type = body.map((l) => /^ {4}Type: (.+)$/.exec(l)?.[1]).find((v) => v !== undefined);
    const defaultValue = body.map((l) => /^ {4}Default: (.*)$/.exec(l)?.[1]).find((v) => v !== undefined);
    parameters.set(name, { type: type!, default: defaultValue === undefined ? undefined : unquote(defaultValue) });
  }

  const mappings = new Map<string, Map<string, Map<string, string>>>();
  for (const [name, body] of blocks(top.get('Mappings')!)) {
    const mapping = new Map<string, Map<string, string>>();
    let current: Map<string, string> | undefined;
    for (const line of body) {
      const key = /^ {4}([A-Za-z0-9]+):\s*$/.exec(line);
      const entry = /^ {6}([A-Za-z0-9]+): (.+)$/.exec(line);
      if (key) {
        current = new Map();
        mapping.set(key[1], current);
      } else if (entry && current) {
        current.set(entry[1], unquote(entry[2]));
      } else if (line.trim() !== '' && !line.trim().startsWith('#')) {
        throw new Error(`template.yaml: unexpected line in Mappings ${JSON.stringify(line)}`);
      }
    }
    mappings.set(name, mapping);
  }

  const conditions = new Map<string, Intrinsic>();
  for (const line of top.get('Conditions')!) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const condition = /^ {2}([A-Za-z0-9]+): (.+)$/.exec(line);
    if (!condition) {
      throw new Error(`template.yaml: unexpected line in Conditions ${JSON.stringify(line)}`);
    }
    conditions.set(condition[1], parseFlow(condition[2]));
  }

  const variablesIn = (body: string[]) => body.map((l) => /^\s+(MISSIVE_[A-Z_]+):/.exec(l)?.[1]).filter((v): v is string => !!v);

  const resources = new Map<string, SamResource>();
  for (const [name, body] of blocks(top.get('Resources')!)) {
    const type = body.map((l) => /^ {4}Type: (.+)$/.exec(l)?.[1]).find((v) => v !== undefined);
    const condition = body.map((l) => /^ {4}Condition: (.+)$/.exec(l)?.[1]).find((v) => v !== undefined);
    let description = body.map((l) => /^ {6}Description: (.+)$/.exec(l)?.[1]).find((v) => v !== undefined);
    const alarmDescription = body.findIndex((l) => /^ {6}AlarmDescription: >\s*$/.test(l));
    if (alarmDescription >= 0) {
      description = folded(body, alarmDescription);
    }
    if (!type) {
      throw new Error(`template.yaml: resource ${name} has no Type`);
    }
    resources.set(name, { type, condition, description, variables: variablesIn(body), lines: body });
  }

  const outputs = new Map<string, SamOutput>();
  for (const [name, body] of blocks(top.get('Outputs')!)) {
    const condition = body.map((l) => /^ {4}Condition: (.+)$/.exec(l)?.[1]).find((v) => v !== undefined);
    outputs.set(name, { condition, lines: body });
  }

  // DashboardBody: !Sub
  //   - |
  //     {…}
  //   - TableName: !If […]
  const dashboard = resources.get('Dashboard')?.lines ?? [];
  const start = dashboard.findIndex((l) => /^ {6}DashboardBody: !Sub\s*$/.test(l));
  if (start < 0 || !/^ {8}- \|\s*$/.test(dashboard[start + 1] ?? '')) {
    throw new Error('template.yaml: no DashboardBody: !Sub [ |, {variables} ] in Dashboard');
  }
  const variablesAt = dashboard.findIndex((l, index) => index > start + 1 && /^ {8}- /.test(l));
  if (variablesAt < 0) {
    throw new Error("template.yaml: the DashboardBody's !Sub has no variables");
  }
  const dashboardBody = dashboard.slice(start + 2, variablesAt).join('\n');
  const dashboardVariables = new Map<string, Intrinsic>();
  for (const line of dashboard.slice(variablesAt)) {
    const variable = /^ {8}[- ] ([A-Za-z0-9]+): (.+)$/.exec(line);
    if (variable) {
      dashboardVariables.set(variable[1], parseFlow(variable[2]));
    } else if (line.trim() !== '') {
      throw new Error(`template.yaml: unexpected line in the dashboard's variables ${JSON.stringify(line)}`);
    }
  }

  return {
    parameters,
    mappings,
    conditions,
    resources,
    globalVariables: variablesIn(top.get('Globals')!),
    functionGlobals: functionGlobals(top.get('Globals')!),
    outputs,
    dashboardBody,
    dashboardVariables,
  };
}
