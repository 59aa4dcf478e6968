// Two tabs open at once: only one writes; the other says so, and takes over
// with fresh data when the first closes. No record is duplicated or lost.
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { farmer, fisher, village } from '../people';

test('a second tab is read-only until the first closes, then saves without duplicates', async ({ page, context }) => {
  const first = new RosterApp(page);
  await first.setAgent();
  await first.addVillage(village.code, village.name);

  const second = new RosterApp(await context.newPage());
  await second.openRegister(village.code);
  await expect(second.page.getByTestId('read-only')).toContainText('terbuka di tab lain');
  await second.submit(farmer);
  await expect(second.saveError).toContainText('terbuka di tab lain');

  await first.openRegister(village.code);
  await first.register(farmer);
  await page.close();

  await expect(second.page.getByTestId('read-only')).toHaveCount(0);
  await second.form.checkButton.click();
  await expect(second.saveError).toContainText('NIK ini sudah terdaftar');
  await second.register(fisher);

  await second.page.reload();
  await second.openVillage(village.code);
  await expect(second.page.getByTestId('worker-row')).toHaveCount(2);
  await expect(second.count('funded')).toHaveText('2 / 100');
});
