// Removes the code of Leptos's async hydration from Belfry's WASM modules:
// each function named `…::hydrate_async` (or a closure of one) keeps its
// signature and gets the body `unreachable`; wasm-opt then drops what only
// those bodies called. The technique is wasm-snip's.
//
// Why it is dead: Belfry hydrates the whole page at once
// (`leptos::mount::hydrate_body`, after fetching a split-out page's code,
// src/lib.rs) and has no lazy routes. In Leptos 0.8.23 and tachys 0.2.19,
// `hydrate_async` is called only from other `hydrate_async` functions and
// from `hydrate_from_async` (behind `hydrate_lazy`) and leptos_router's lazy
// routes. It stays in the WASM only because every type-erased view
// (`AnyView`) stores a pointer to its own, which nothing then reads.
//
// Guards, each failing the build rather than shipping a trap:
// - a module with one of those starting points (`hydrate_from_async`,
//   `hydrate_lazy`, any `leptos_router` function) is refused;
// - the audit holds for the versions above: with others in Cargo.lock the
//   build stops and asks for the audit to be redone.
//
// Names must be in the module, mangled the legacy way (`_ZN…E`, whose path
// leaves out generic arguments): .ci/build-site asks rustc for that. A
// module without such names is left as it is, with a note.
//
//   node snip-async-hydration.mjs MODULE.wasm...
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { readModule, writeModule } from './wasm-io.mjs';

const AUDITED = { leptos: '0.8.23', tachys: '0.2.19' };
const STARTS = new Set(['hydrate_from_async', 'hydrate_lazy']);
const CLOSURE = '$u7b$$u7b$closure$u7d$$u7d$';

/** The path segments of a legacy-mangled name, without the hash, or null. */
export function segments(name) {
  if (!name.startsWith('_ZN') || !name.endsWith('E')) return null;
  const out = [];
  let i = 3;
  while (i < name.length - 1) {
    const digits = /^\d+/.exec(name.slice(i));
    if (!digits) return null;
    i += digits[0].length;
    const len = Number(digits[0]);
    out.push(name.slice(i, i + len).replace(/^_(?=\$)/, ''));
    i += len;
  }
  if (i !== name.length - 1) return null;
  if (out.length && /^h[0-9a-f]{16}$/.test(out[out.length - 1])) out.pop();
  return out;
}

/** Whether the function is async hydration itself: `hydrate_async`, or
 *  its closures (the async body). Helpers it defines are not. */
export function isAsyncHydration(segs) {
  const at = segs.lastIndexOf('hydrate_async');
  return at >= 0 && segs.slice(at + 1).every((s) => s === CLOSURE);
}

export function startsAsyncHydration(segs) {
  return segs[0] === 'leptos_router' || segs.some((s) => STARTS.has(s));
}

function lockedVersions(lockFile) {
  const lock = fs.readFileSync(lockFile, 'utf8');
  const found = {};
  for (const m of lock.matchAll(/\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"/g)) {
    if (m[1] in AUDITED) (found[m[1]] ??= []).push(m[2]);
  }
  return found;
}

function snip(file) {
  const mod = readModule(file);
  let named = 0;
  const dead = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const fn = mod.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(fn);
    if (info.module) continue;
    const segs = segments(info.name);
    if (!segs) continue;
    named += 1;
    if (startsAsyncHydration(segs)) {
      throw new Error(`${path.basename(file)}: ${segs.join('::')} starts async hydration; the snip would make it trap`);
    }
    if (isAsyncHydration(segs)) dead.push(fn);
  }
  if (named === 0) {
    console.log(`snip-async-hydration: ${path.basename(file)} has no legacy-mangled names; left as it is`);
    mod.dispose();
    return;
  }
  for (const fn of dead) binaryen.Function.setBody(fn, mod.unreachable());
  writeModule(mod, file);
  console.log(`snip-async-hydration: ${path.basename(file)}: ${dead.length} functions snipped`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const versions = lockedVersions(path.join(here, '../../Cargo.lock'));
  for (const [name, version] of Object.entries(AUDITED)) {
    const locked = versions[name] ?? [];
    if (locked.length !== 1 || locked[0] !== version) {
      console.error(`snip-async-hydration: Cargo.lock has ${name} ${locked.join(', ') || 'nowhere'}, audited was ${version}.`);
      console.error(`Check who calls hydrate_async in the new version, then update AUDITED in ${path.relative(process.cwd(), fileURLToPath(import.meta.url))}.`);
      process.exit(1);
    }
  }
  try {
    for (const file of process.argv.slice(2)) snip(file);
  } catch (e) {
    console.error(`snip-async-hydration: ${e.message}`);
    process.exit(1);
  }
}
