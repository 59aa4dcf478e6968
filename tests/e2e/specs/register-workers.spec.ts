// An agent registers workers in a village; what was saved survives a reload.
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { farmer, fisher, villageOfficial, village } from '../people';

test('three registrations survive a reload with their statuses and budget', async ({ page }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);

  await app.register(farmer);
  await app.register(fisher);
  await app.register(villageOfficial);

  await page.reload();
  await app.openVillage(village.code);
  await expect(app.count('funded')).toHaveText('2 / 100');
  await expect(app.count('apparatus')).toHaveText('1');
  expect(await app.statusOf(farmer.name)).toBe('funded');
  expect(await app.statusOf(fisher.name)).toBe('funded');
  expect(await app.statusOf(villageOfficial.name)).toBe('apparatus');
  // 2 x Rp16.800 (BPU, APBD) + Rp5.400 (PU) a month; 12 months of that.
  await expect(page.getByTestId('budget-month')).toHaveText('Rp39.000');
  await expect(page.getByTestId('budget-year')).toHaveText('Rp468.000');
});

test('a duplicate NIK is refused with a link to the existing record', async ({ page }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);
  await app.register(farmer);

  await app.submit({ ...farmer, name: 'Siti Aminah Kedua' });

  await expect(app.saveError).toContainText('NIK ini sudah terdaftar');
  await page.getByTestId('existing-record').click();
  await expect(page.getByTestId('record-name')).toHaveText(farmer.name);
});

test('an invalid NIK cannot be saved', async ({ page }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);

  await app.submit({ ...farmer, nik: '6107014502870000' });

  await expect(app.form.issue('nik.serial_zero')).toBeVisible();
  await expect(app.saved).toHaveCount(0);
  await app.openVillage(village.code);
  await expect(page.getByTestId('worker-row')).toHaveCount(0);
});

test('half a registration comes back after the page is closed', async ({ page, context }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);
  await app.form.enterNik(farmer.nik);
  await app.form.nameInput.fill('Siti Ami');
  await expect(page.getByTestId('draft-state')).toHaveText('Draf tersimpan di HP.');

  await page.close();
  const again = new RosterApp(await context.newPage());
  await again.openRegister(village.code);

  await expect(again.form.nikInput).toHaveValue(farmer.nik);
  await expect(again.form.nameInput).toHaveValue('Siti Ami');
});
