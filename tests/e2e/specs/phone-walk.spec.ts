// Every screen at 360 px with realistic data, in both languages: a village whose
// funded slots are all taken, with a waitlist and two long names (one a single
// unbroken word), the budget of those workers, a record, the forms, and a bundle.
// On each: no sideways scroll, no control under 44 px or with its label cut, and
// no stable code on screen (tests/e2e/phone.ts).
//
// The village's rows are made natively with the core (`cargo xtask ci` writes
// them to $LINDUNG_FULL_VILLAGE: xtask/src/bench/workers.rs) and put into the
// app's database with the roster bench's `seed`.
import { readFileSync } from 'node:fs';
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { expectFitsPhone, phone } from '../phone';
// @ts-expect-error: a plain JavaScript module of the benches, without types.
import { seed } from '../../bench/common.mjs';

test.use({ viewport: phone });

type Plan = {
  db: { name: string; version: number };
  village: string;
  long_names: string[];
  rows: Record<string, unknown[]>;
};

function plan(): Plan {
  const path = process.env.LINDUNG_FULL_VILLAGE;
  if (!path) throw new Error('LINDUNG_FULL_VILLAGE is not set: run the e2e tests with `cargo xtask ci`');
  return JSON.parse(readFileSync(path, 'utf8')) as Plan;
}

test('every screen fits a 360 px phone with a full village, in both languages', async ({ page }) => {
  test.setTimeout(120_000);
  const full = plan();
  const app = new RosterApp(page);
  // The app makes its database first; then the village goes in.
  await app.goto('#/');
  await expect(page.getByTestId('agent-missing')).toBeVisible();
  // The roster bench's seeding, in one transaction (tests/bench/common.mjs).
  await page.evaluate(seed, { db: full.db, rowsJson: JSON.stringify(full.rows) });
  await page.reload();
  await expect(page.getByTestId('agent-missing')).toHaveCount(0);

  for (const lang of ['id', 'en'] as const) {
    if (lang === 'en') {
      await page.getByTestId('lang-toggle').click();
      await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    }
    await app.goto('#/');
    await expect(page.getByTestId('village-link')).toHaveCount(1);
    await expectFitsPhone(page, `${lang}: home`);
    await page.getByTestId('add-village-open').click();
    await expect(page.getByTestId('region-province')).toBeVisible();
    await expectFitsPhone(page, `${lang}: adding a village`);

    await app.goto(`#/desa/${full.village}`);
    // Every funded slot taken, and a waitlist.
    await expect(page.getByTestId('count-waitlisted')).not.toHaveText(/^0\b/);
    await expect(page.getByTestId('budget')).toBeVisible();
    await expect(page.getByTestId('worker-row').first()).toBeVisible();
    await expectFitsPhone(page, `${lang}: the full village, its roster and budget`);

    // The long names, each with its status badge inside the screen.
    for (const name of full.long_names) {
      await page.getByTestId('roster-search').fill(name.split(' ')[0]);
      const row = page.getByTestId('worker-row').filter({ hasText: name });
      await expect(row).toHaveCount(1);
      await expectFitsPhone(page, `${lang}: roster row of ${name}`);
      await row.click();
      await expect(page.getByTestId('record-name')).toHaveText(name);
      await expectFitsPhone(page, `${lang}: record of ${name}`);
      await page.getByTestId('edit-link').click();
      await expect(app.form.nikInput).toBeVisible();
      await expectFitsPhone(page, `${lang}: editing ${name}`);
      await app.goto(`#/desa/${full.village}`);
    }

    await app.openRegister(full.village);
    await expectFitsPhone(page, `${lang}: the registration form`);
    await app.goto('#/periksa');
    await expectFitsPhone(page, `${lang}: checking a NIK`);
    await app.goto('#/pengaturan');
    await expectFitsPhone(page, `${lang}: settings`);
    await app.goto('#/kirim');
    if (lang === 'id') {
      await page.getByTestId('make-bundle').click();
    }
    await expect(page.locator('[data-testid="bundle"][data-sequence="1"]')).toBeVisible();
    await expectFitsPhone(page, `${lang}: sending data, with a bundle`);
  }
});
