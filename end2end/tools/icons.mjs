// Renders the app icons in public/ from their SVG sources with Debian's
// Chromium: `make icons`. The PNGs are committed; run this after changing
// public/favicon.svg or public/icon-maskable.svg.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const publicDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "public");
const icons = [
  // [source, size, output]
  ["favicon.svg", 192, "icon-192.png"],
  ["favicon.svg", 512, "icon-512.png"],
  ["icon-maskable.svg", 192, "icon-maskable-192.png"],
  ["icon-maskable.svg", 512, "icon-maskable-512.png"],
  ["icon-maskable.svg", 180, "apple-touch-icon.png"],
  ["badge.svg", 96, "badge-96.png"],
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const page = await browser.newPage();
for (const [source, size, output] of icons) {
  const svg = readFileSync(join(publicDir, source), "utf8");
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">` +
      `<img style="display:block;width:${size}px;height:${size}px" ` +
      `src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}"></body></html>`,
  );
  await page.screenshot({ path: join(publicDir, output), omitBackground: true });
  console.log(`${output} (${size}×${size})`);
}
await browser.close();
