// Renames the WASM module's imports from its JS glue to short names, in
// both files: wasm-bindgen names each import after its Rust binding plus a
// 16-digit hash (`__wbg_setonmessage_5a885b16bab7b9a9`), written once in
// the WASM and once in the JS, and hashes do not compress. Usage:
//   node short-imports.mjs belfry_bg.wasm belfry.js
// Each name must appear exactly once in the JS, as the key of its function
// in the imports object; anything else stops the build, rather than ship a
// glue that no longer fits its module.
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, jsPath] = process.argv.slice(2);
const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, "utf8");
const GLUE = "./belfry_bg.js";

const fail = (why) => {
  console.error(`short-imports: ${why}`);
  process.exit(1);
};

function readLeb(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

const name = (text) => {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([leb(bytes.length), bytes]);
};

// Where an import's description (after its kind byte) ends; it is
// copied as it is.
function descriptionEnd(buf, kind, at) {
  switch (kind) {
    case 0: // function: a type index
      return readLeb(buf, at)[1];
    case 1: {
      // table: a reference type, then limits
      const flags = buf[at + 1];
      at = readLeb(buf, at + 2)[1];
      return flags & 1 ? readLeb(buf, at)[1] : at;
    }
    case 2: {
      // memory: limits
      const flags = buf[at];
      at = readLeb(buf, at + 1)[1];
      return flags & 1 ? readLeb(buf, at)[1] : at;
    }
    case 3: // global: a value type and mutability
      return at + 2;
    default:
      return fail(`import kind ${kind} is not known`);
  }
}

// Short, distinct, and valid as JS keys: $0, $1, … $z, $10, …
const short = (index) => `$${index.toString(36)}`;

if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a WASM module`);
const parts = [wasm.subarray(0, 8)];
let at = 8;
let renamed = 0;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, body] = readLeb(wasm, at + 1);
  const end = body + size;
  if (id !== 2) {
    parts.push(wasm.subarray(at, end));
    at = end;
    continue;
  }
  let [count, p] = readLeb(wasm, body);
  const entries = [leb(count)];
  for (let i = 0; i < count; i++) {
    const [moduleLength, m] = readLeb(wasm, p);
    const module = wasm.toString("utf8", m, m + moduleLength);
    p = m + moduleLength;
    const [fieldLength, f] = readLeb(wasm, p);
    const field = wasm.toString("utf8", f, f + fieldLength);
    p = f + fieldLength;
    const kind = wasm[p];
    const next = descriptionEnd(wasm, kind, p + 1);
    let newField = field;
    if (module === GLUE) {
      newField = short(renamed++);
      const key = new RegExp(`(?<![\\w$])${field.replace(/\$/g, "\\$")}(?=:)`, "g");
      const found = js.match(key)?.length ?? 0;
      if (found !== 1) fail(`${field} is in ${jsPath} ${found} times as a key, not once`);
      if (js.includes(`${newField}:`)) fail(`${newField} is already a key in ${jsPath}`);
      js = js.replace(key, newField);
    }
    entries.push(name(module), name(newField), wasm.subarray(p, next));
    p = next;
  }
  if (p !== end) fail("the import section did not read to its end");
  const section = Buffer.concat(entries);
  parts.push(Buffer.from([2]), leb(section.length), section);
  at = end;
}
if (renamed === 0) fail(`no imports from ${GLUE} in ${wasmPath}`);
writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(jsPath, js);
console.log(`short-imports: ${renamed} imports renamed`);
