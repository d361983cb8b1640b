// end2end/tools/snip-stream-exports.mjs, which .ci/build-site runs on the
// real main module (every other test here loads that result), on small
// modules made here: which exports lose their bodies, which keep them, and
// that a module able to stream to JS is refused and left as it was.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tool = join(__dirname, '..', 'tools', 'snip-stream-exports.mjs');
const HASH = '58a9338f50bce61c';

async function binaryen() {
  return (await import('binaryen')).default;
}

/** A module exporting functions with these names (each returning 7),
 *  importing the functions named in `imports`. */
async function moduleOf(exports: string[], imports: string[] = []): Promise<Uint8Array> {
  const b = await binaryen();
  const mod = new b.Module();
  for (const base of imports) mod.addFunctionImport(base, '__wbindgen_placeholder__', base, b.none, b.none);
  for (const name of exports) {
    mod.addFunction(name, b.none, b.i32, [], mod.i32.const(7));
    mod.addFunctionExport(name, name);
  }
  b.setDebugInfo(true);
  const bytes = mod.emitBinary();
  mod.dispose();
  return bytes;
}

/** Each defined function's name, and whether its body is now `unreachable`. */
async function snipped(bytes: Uint8Array): Promise<Record<string, boolean>> {
  const b = await binaryen();
  const mod = b.readBinary(bytes);
  const out: Record<string, boolean> = {};
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(mod.getFunctionByIndex(i));
    if (info.module) continue;
    out[info.name] = b.getExpressionId(info.body) === b.UnreachableId;
  }
  mod.dispose();
  return out;
}

function run(bytes: Uint8Array) {
  const file = join(mkdtempSync(join(tmpdir(), 'snip-')), 'm.wasm');
  writeFileSync(file, bytes);
  const result = spawnSync('node', [tool, file], { encoding: 'utf8' });
  return { ...result, after: new Uint8Array(readFileSync(file)) };
}

test("the stream classes' methods lose their bodies; their free functions, descriptors and other exports keep theirs", async () => {
  const names = {
    pull: `intounderlyingsource_pull_${HASH}`,
    byteStart: `intounderlyingbytesource_start_${HASH}`,
    write: `intounderlyingsink_write_${HASH}`,
    free: `__wbg_intounderlyingsource_free_${HASH}`,
    describe: `__wbindgen_describe_intounderlyingsource_pull_${HASH}`,
    hydrate: 'hydrate',
    lookalike: `intounderlyingsourcery_pull_${HASH}`,
  };
  const { status, stdout, stderr, after } = run(await moduleOf(Object.values(names)));
  expect(status, stderr).toBe(0);
  expect(stdout).toContain('3 methods snipped');
  expect(await snipped(after)).toEqual({
    [names.pull]: true,
    [names.byteStart]: true,
    [names.write]: true,
    [names.free]: false,
    [names.describe]: false,
    [names.hydrate]: false,
    [names.lookalike]: false,
  });
});

test('a module that can put one of them behind a JS stream is refused and left as it was', async () => {
  for (const maker of ['source', 'byte_source', 'sink']) {
    const before = await moduleOf(
      [`intounderlyingsource_pull_${HASH}`],
      [`__wbg_new_with_into_underlying_${maker}_2244fa0de8ce1c19`],
    );
    const { status, stderr, after } = run(before);
    expect(status, maker).toBe(1);
    expect(stderr).toContain('can stream to JS');
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
  }
  // The plain stream constructors (not around these classes) are no reason.
  const { status, stdout } = run(await moduleOf(
    [`intounderlyingsink_close_${HASH}`],
    ['__wbg_new_with_underlying_sink_6b48e23fbb6e0960'],
  ));
  expect(status).toBe(0);
  expect(stdout).toContain('1 method snipped');
});
