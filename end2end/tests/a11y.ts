// Accessibility and layout checks run in the page: axe-core (npm) for WCAG
// problems, and bounding boxes for controls that must be visible, inside
// the viewport, and not overlapping.
import { expect, Locator, Page } from '@playwright/test';
import * as path from 'path';

const AXE = path.join(__dirname, '../node_modules/axe-core/axe.min.js');

/** Serious and critical axe violations on the page, as readable lines. */
export async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations: any[] = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** Each control is visible, inside the viewport, and overlaps no other. */
export async function expectLaidOut(page: Page, controls: Locator[]) {
  const view = page.viewportSize()!;
  const boxes = [];
  for (const c of controls) {
    await expect(c).toBeVisible();
    const b = (await c.boundingBox())!;
    expect(b.x, `${c} starts inside the viewport`).toBeGreaterThanOrEqual(0);
    expect(b.y).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${c} ends inside the viewport`).toBeLessThanOrEqual(view.width + 0.5);
    expect(b.y + b.height).toBeLessThanOrEqual(view.height + 0.5);
    expect(Math.min(b.width, b.height), `${c} is big enough to tap`).toBeGreaterThanOrEqual(24);
    boxes.push({ c, b });
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const p = boxes[i].b, q = boxes[j].b;
      const apart = p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y;
      expect(apart, `${boxes[i].c} and ${boxes[j].c} do not overlap`).toBe(true);
    }
  }
}

/** Each control lies inside the width (scrolled to, on a long page) and is
 *  big enough to tap, and nothing scrolls sideways. */
export async function expectReachable(page: Page, controls: Locator[]) {
  const width = page.viewportSize()!.width;
  for (const c of controls) {
    await c.scrollIntoViewIfNeeded();
    const b = (await c.boundingBox())!;
    expect(b.x, `${c} starts inside`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${c} ends inside the width`).toBeLessThanOrEqual(width + 0.5);
    expect(Math.min(b.width, b.height), `${c} is big enough to tap`).toBeGreaterThanOrEqual(24);
  }
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide, 'no sideways scrolling').toBeLessThanOrEqual(width);
}
