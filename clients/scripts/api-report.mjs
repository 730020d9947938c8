// The public API of the package in the current directory, as its published types declare it,
// compared with its committed report (api-report.md); `--update` rewrites the report.
//
// For each entry of package.json's `exports`, the declarations of everything the entry's
// `types` file exports (aliases followed), printed by TypeScript without comments and without
// private members, sorted by name. It fails when the report differs (an API change must be
// seen in review: run `npm run api:update` and commit the report), and when an exported
// declaration names a type of this package that no entry exports (a consumer could not name
// it). TypeScript's own compiler API over tsc's declaration output (`npm run build` first): no
// other dependency, where @microsoft/api-extractor would bring its own tree for the same check.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve, sep } from 'node:path';

const root = process.cwd();
const update = process.argv.includes('--update');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ts = createRequire(join(root, 'package.json'))('typescript');
const reportPath = join(root, 'api-report.md');
const dist = resolve(root, 'dist') + sep;

const entries = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object' && target.types)
  .map(([subpath, target]) => ({
    name: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`,
    file: resolve(root, target.types),
  }));
for (const entry of entries) {
  if (!existsSync(entry.file)) fail(`${entry.file} is missing: run \`npm run build\` first`);
}

const program = ts.createProgram(
  entries.map((e) => e.file),
  {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
);
const checker = program.getTypeChecker();
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

const resolveAlias = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
const ours = (declaration) => resolve(declaration.getSourceFile().fileName).startsWith(dist);

// Every symbol some entry exports: what a consumer can name.
const exported = new Set();
const sections = entries.map((entry) => {
  const source = program.getSourceFile(entry.file);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const symbols = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  symbols.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const symbol of symbols) exported.add(resolveAlias(symbol));
  return { entry, symbols };
});

const problems = [];
let report =
  `# API report of ${pkg.name}\n\n` +
  'What each entry exports, from the published `.d.ts` (comments and private members left out).\n' +
  'Written by `npm run api:update` (clients/scripts/api-report.mjs); `npm test` fails when it is not current.\n';
for (const { entry, symbols } of sections) {
  const blocks = [];
  for (const symbol of symbols) {
    const target = resolveAlias(symbol);
    for (const declaration of target.declarations ?? []) {
      const text = print(declaration);
      blocks.push(symbol.name === target.name ? text : `${text}\n// exported as ${symbol.name}`);
      checkReferences(declaration, `${entry.name}: ${symbol.name}`);
    }
  }
  report += `\n## ${entry.name}\n\n\`\`\`ts\n${blocks.join('\n\n')}\n\`\`\`\n`;
}

if (problems.length > 0) fail(`the public API names types no entry exports:\n  ${problems.join('\n  ')}`);

if (update) {
  writeFileSync(reportPath, report);
  console.log(`${reportPath} written`);
} else {
  const committed = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '';
  if (committed !== report) {
    console.error(lineDiff(committed, report));
    fail(
      `the public API of ${pkg.name} is not what api-report.md says (above: - committed, + built). ` +
        'If the change is meant, run `npm run api:update` and commit api-report.md.',
    );
  }
  console.log(`${pkg.name}: the public API matches api-report.md (${entries.map((e) => e.name).join(', ')})`);
}

/** The declaration as TypeScript prints it, without `export`/`declare` and private members. */
function print(declaration) {
  const strip = (context) => (root) => {
    const visit = (node) => {
      const isPrivate =
        ts.isClassElement(node) &&
        ((node.name && ts.isPrivateIdentifier(node.name)) ||
          (ts.canHaveModifiers(node) &&
            ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)));
      if (isPrivate) return undefined;
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(root, visit, context);
  };
  const node = ts.transform(declaration, [strip]).transformed[0];
  // A variable's declaration is the `name: type` inside `const …`: print the statement.
  const shown = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : node;
  const text = printer.printNode(ts.EmitHint.Unspecified, shown, declaration.getSourceFile());
  return text.replace(/^(export )?(declare )?/, '');
}

/** Every type reference of an exported declaration resolves to something a consumer can name. */
function checkReferences(declaration, where) {
  const visit = (node) => {
    if (
      ts.isClassElement(node) &&
      ts.canHaveModifiers(node) &&
      ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)
    )
      return;
    let name;
    if (ts.isTypeReferenceNode(node)) name = node.typeName;
    else if (ts.isExpressionWithTypeArguments(node)) name = node.expression;
    else if (ts.isTypeQueryNode(node)) name = node.exprName;
    if (name) {
      const symbol = checker.getSymbolAtLocation(ts.isQualifiedName(name) ? name.left : name);
      const target = symbol && resolveAlias(symbol);
      const declarations = target?.declarations ?? [];
      const isTypeParameter = declarations.some((d) => ts.isTypeParameterDeclaration(d));
      if (target && !isTypeParameter && declarations.some(ours) && !exported.has(target)) {
        problems.push(`${where} uses ${target.name} (${declarations[0].getSourceFile().fileName.slice(dist.length)})`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(declaration);
}

/** The lines only in one of the two texts, in order (enough to see what changed). */
function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const inA = new Set(a);
  const inB = new Set(b);
  const removed = a.filter((line) => !inB.has(line)).map((line) => `- ${line}`);
  const added = b.filter((line) => !inA.has(line)).map((line) => `+ ${line}`);
  return [...removed, ...added].join('\n');
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
