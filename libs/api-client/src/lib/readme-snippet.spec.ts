import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** The README's SPA example compiles against the generated types (a renamed route or field breaks it). */
describe("README's SPA example", () => {
  it('type-checks against the client', () => {
    const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Typed client for the SPA'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    const file = join(__dirname, '__readme-snippet.ts');
    // An ES module (the example awaits at top level) with the lib imported from its source.
    const source = `declare const auth: { accessToken(): string };\n${(code as string).replace(
      "from '@connector-service/api-client'",
      "from '../index'",
    )}\nexport {};`;
    const host = ts.createCompilerHost({});
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => (name === file ? source : readFile(name));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || fileExists(name);
    const program = ts.createProgram(
      [file],
      {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ES2022,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        skipLibCheck: true,
        types: [],
      },
      host,
    );
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });
});
