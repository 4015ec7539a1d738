import type { Locator, Page } from 'playwright-core';

/**
 * Drags like a person does: press on the source, move a little (the drag starts and the canvas
 * opens its drop slots, which moves things), then find the target where it now is and drop.
 * Chromium turns these mouse moves into HTML5 drag and drop events.
 */
export async function dragAndDrop(page: Page, source: Locator, target: Locator): Promise<void> {
  await source.scrollIntoViewIfNeeded();
  const from = await source.boundingBox();
  if (from === null) throw new Error('the drag source is not visible');
  const x = from.x + from.width / 2;
  const y = from.y + from.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 8, y + 8, { steps: 2 });
  await page.waitForTimeout(50);
  const to = await target.boundingBox();
  if (to === null) throw new Error('the drop target is not visible');
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await page.waitForTimeout(30);
  await page.mouse.up();
}
