// .ci/site-tools/short-imports.mjs, which .ci/build-site runs on the real
// WASM and its glue (every other test here loads that result), on small
// modules made here: what it renames, what it leaves, and that it refuses a
// glue it cannot rename safely.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tool = join(__dirname, '..', '..', '.ci', 'site-tools', 'short-imports.mjs');

const leb = (n: number) => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const str = (s: string) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];

/** A module importing `funcs` from the glue, a memory and a function from
 * the split loader, and calling every glue import from its export `run`. */
function module(funcs: string[]): Buffer {
  const types = section(1, [1, 0x60, 0, 0]);
  const imports = section(2, [
    ...leb(funcs.length + 2),
    ...funcs.flatMap((f) => [...str('./belfry_bg.js'), ...str(f), 0, 0]),
    ...str('./__wasm_split.js'), ...str('__wasm_split_load_x'), 0, 0,
    ...str('__wasm_split'), ...str('memory'), 2, 0, 1,
  ]);
  const functions = section(3, [1, 0]);
  const exports = section(7, [1, ...str('run'), 0, ...leb(funcs.length + 1)]);
  const body = [0, ...funcs.flatMap((_, i) => [0x10, ...leb(i)]), 0x0b];
  const code = section(10, [1, ...leb(body.length), ...body]);
  return Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...types, ...imports, ...functions, ...exports, ...code]);
}

function run(wasm: Buffer, js: string) {
  const dir = mkdtempSync(join(tmpdir(), 'short-imports-'));
  const [w, j] = [join(dir, 'm.wasm'), join(dir, 'm.js')];
  writeFileSync(w, wasm);
  writeFileSync(j, js);
  let status = 0;
  let stderr = '';
  try {
    execFileSync('node', [tool, w, j], { stdio: 'pipe' });
  } catch (e: any) {
    status = e.status;
    stderr = String(e.stderr);
  }
  return { status, stderr, wasm: readFileSync(w), js: readFileSync(j, 'utf8') };
}

const names = ['__wbg_log_0123456789abcdef', '__wbg_now_fedcba9876543210', '__wbindgen_throw'];

test('the glue imports get short names in the module and the glue alike, and the result still runs', async () => {
  const glue = `const seen=[];export const imports={"./belfry_bg.js":{${names
    .map((n, i) => `${n}:function(){seen.push(${i})}`).join(',')}}};export{seen};`;
  const out = run(module(names), glue);
  expect(out.status, out.stderr).toBe(0);
  for (const n of names) expect(out.js).not.toContain(n);

  const compiled = new WebAssembly.Module(out.wasm);
  const imported = WebAssembly.Module.imports(compiled);
  const fromGlue = imported.filter((i) => i.module === './belfry_bg.js').map((i) => i.name);
  expect(fromGlue).toEqual(['$0', '$1', '$2']);
  // What is not the glue's is left as it is.
  expect(imported.filter((i) => i.module !== './belfry_bg.js').map((i) => i.name))
    .toEqual(['__wasm_split_load_x', 'memory']);

  // The renamed glue still fits its module: each import calls its own function.
  const glueModule = await import(`data:text/javascript,${encodeURIComponent(out.js)}`);
  const instance = new WebAssembly.Instance(compiled, {
    ...glueModule.imports,
    './__wasm_split.js': { __wasm_split_load_x: () => {} },
    __wasm_split: { memory: new WebAssembly.Memory({ initial: 1 }) },
  });
  (instance.exports.run as () => void)();
  expect(glueModule.seen).toEqual([0, 1, 2]);
});

test('a glue where a name is not exactly once as a key stops the build and changes nothing', () => {
  const wasm = module(names);
  const twice = `x={${names.map((n) => `${n}:1`).join(',')}};y={${names[1]}:2};`;
  const out = run(wasm, twice);
  expect(out.status).toBe(1);
  expect(out.stderr).toContain(`${names[1]} is in`);
  expect(out.stderr).toContain('2 times as a key');
  expect(out.wasm.equals(wasm)).toBe(true);
  expect(out.js).toBe(twice);

  const missing = `x={${names[0]}:1,${names[2]}:1};`;
  const gone = run(wasm, missing);
  expect(gone.status).toBe(1);
  expect(gone.stderr).toContain(`${names[1]} is in`);
  expect(gone.stderr).toContain('0 times');
  expect(gone.js).toBe(missing);
});
