// Small modules for the snip tools' tests (.ci/site-tools/snip-*.mjs), and
// a tool run on one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function binaryen() {
  return (await import('binaryen')).default;
}

/** A module of functions with these names (each returning 7), the
 *  `exported` ones exported under their names, importing the functions
 *  named in `imports`. */
export async function moduleOf(
  names: string[],
  { exported = false, imports = [] as string[] } = {},
): Promise<Uint8Array> {
  const b = await binaryen();
  const mod = new b.Module();
  for (const base of imports) mod.addFunctionImport(base, '__wbindgen_placeholder__', base, b.none, b.none);
  for (const name of names) {
    mod.addFunction(name, b.none, b.i32, [], mod.i32.const(7));
    if (exported) mod.addFunctionExport(name, name);
  }
  b.setDebugInfo(true);
  const bytes = mod.emitBinary();
  mod.dispose();
  return bytes;
}

/** Each defined function's name, and whether its body is now `unreachable`. */
export async function snipped(bytes: Uint8Array): Promise<Record<string, boolean>> {
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

/** Runs the tool `.ci/site-tools/<name>` on a copy of `bytes`. */
export function runTool(name: string, bytes: Uint8Array) {
  const file = join(mkdtempSync(join(tmpdir(), 'snip-')), 'm.wasm');
  writeFileSync(file, bytes);
  const result = spawnSync('node', [join(__dirname, '..', '..', '.ci', 'site-tools', name), file], { encoding: 'utf8' });
  return { ...result, after: new Uint8Array(readFileSync(file)) };
}
