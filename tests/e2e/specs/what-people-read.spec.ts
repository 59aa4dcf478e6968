// What people read: names found without their accents, occupations and
// changed fields by their names (never a stable code such as `umkm` or
// `birth_date`), on screen and on the printed roster.
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { farmer, village, type Person } from '../people';

/** A made-up trader whose name has accents (a valid, unreal NIK). */
const trader: Person = {
  nik: '6107010707880007',
  name: 'Ñoño Pérez',
  birthDate: '1988-07-07',
  sex: 'M',
  segment: 'BPU',
  category: 'umkm',
};

test('a name is found without its accents, and occupations and changes read as names', async ({ page }) => {
  // The print dialog is not what this test looks at.
  await page.addInitScript(() => {
    window.print = () => {};
  });
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);
  await app.register(farmer);
  await app.register(trader);

  await app.openVillage(village.code);
  await page.getByTestId('roster-search').fill('nono perez');
  await expect(page.getByTestId('worker-row')).toHaveCount(1);
  await expect(app.row(trader.name)).toContainText('Pelaku UMKM / pedagang kecil');

  // A change of occupation: the history names the field, in Indonesian.
  await app.row(trader.name).click();
  await page.getByTestId('edit-link').click();
  await app.form.chooseCategory('pengemudi');
  await page.getByTestId('reason-input').fill('Salah pilih pekerjaan');
  await app.form.checkButton.click();
  // Saved, the edit goes back to the record.
  await expect(page.getByTestId('record-name')).toHaveText(trader.name);
  const history = page.getByTestId('history-entry').first();
  await expect(history).toContainText('Diubah (Pekerjaan)');
  await expect(history).not.toContainText('category');

  // The printed roster names occupations, not their codes.
  await app.openVillage(village.code);
  await page.getByTestId('print-roster').click();
  const printed = page.locator('.print-table');
  await expect(printed).toContainText('Pengemudi / ojek');
  await expect(printed).toContainText('Petani / pekebun (termasuk sawit)');
  for (const code of ['pengemudi', 'petani', 'umkm']) {
    await expect(printed.locator('td', { hasText: new RegExp(`^${code}$`) })).toHaveCount(0);
  }
});
