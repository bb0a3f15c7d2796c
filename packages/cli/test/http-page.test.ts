import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHttp, runWithHttp } from './http-helpers.js';

// Debian's `chromium` (scripts/setup.sh installs it): playwright-core drives it, nothing is
// downloaded.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// A test artifact (CI keeps test-results/); `UPDATE_SCREENSHOT=1` also refreshes the README's.
const ARTIFACT = 'test-results/page.png';
const README_SCREENSHOT = fileURLToPath(new URL('../docs/page.png', import.meta.url));

describe('the page at / in a real browser (headless Chromium)', () => {
  let run: RunningHttp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} not found: install Debian's chromium (bash scripts/setup.sh)`);
    run = await runWithHttp(`version: "2.2"
pipelines:
  - id: shop
    description: fake users and orders, logged
    connectors:
      - id: generator
        type: source
        plugin: builtin:generator
        settings:
          rate: "40"
          collections.users.format.options.id: int
          collections.users.format.options.name: string
          collections.orders.format.options.id: int
          collections.orders.format.options.total: int
          collections.orders.weight: "3"
      - { id: log, type: destination, plugin: builtin:log, settings: { level: debug } }
`);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });

  afterAll(async () => {
    await browser?.close();
    expect(await run?.stop()).toBe(0);
  });

  it('shows the features matrix and a written count that grows while the pipeline runs', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.setDefaultTimeout(10_000);
    await page.goto(run.url);

    // The features matrix: one row per installed connector, one cell per feature.
    const cell = (plugin: string, feature: string) =>
      page.locator(
        `[data-testid="features-matrix"] tr[data-plugin="${plugin}"] td[data-feature="${feature}"]`,
      );
    await expect.poll(() => cell('builtin:postgres', 'cdc').textContent()).toBe('✓');
    expect(await cell('builtin:postgres', 'snapshot').getAttribute('class')).toBe('yes');
    expect(await cell('builtin:postgres', 'multipleCollections').getAttribute('class')).toBe('yes');
    expect(await cell('builtin:generator', 'cdc').getAttribute('class')).toBe('no');
    expect(await cell('builtin:generator', 'resume').getAttribute('class')).toBe('yes');
    expect(await cell('builtin:log', 'source').getAttribute('class')).toBe('no');
    expect(await cell('builtin:log', 'destination').getAttribute('class')).toBe('yes');
    expect(
      await cell('builtin:kafka', 'destinationMultipleCollections').getAttribute('class'),
    ).toBe('yes');
    // Parameters of each connector are there (collapsed).
    expect(
      await page
        .locator('details[data-connector="builtin:postgres"] code', { hasText: 'logrepl.slotName' })
        .count(),
    ).toBeGreaterThan(0);

    // The live part: the pipeline's written count grows without reloading the page.
    const card = page.locator('[data-testid="pipeline-shop"]');
    await expect.poll(() => card.locator('[data-testid="status"]').textContent()).toBe('running');
    const written = async () =>
      Number(
        ((await card.locator('[data-testid="written"]').textContent()) ?? '').replace(/,/g, ''),
      );
    await expect.poll(written, { timeout: 15_000 }).toBeGreaterThan(0);
    const first = await written();
    await expect.poll(written, { timeout: 15_000 }).toBeGreaterThan(first);
    // Per collection, both generated collections.
    await expect
      .poll(() => card.locator('[data-testid="collections"] td:first-child').allTextContents())
      .toEqual(['orders', 'users']);
    expect(await page.locator('#ready').textContent()).toBe('ready');

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    if (process.env.UPDATE_SCREENSHOT === '1') {
      // The README's: what fits one screen (pipelines and the features matrix).
      await mkdir(dirname(README_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: README_SCREENSHOT });
    }
    expect(errors).toEqual([]);
  });
});
