// Adding a village on Home: one code field (the picker's), a clear result with
// the new village in view, and a village already added refused with a message.
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { openAddVillage, RegionPickerPage } from '../pages/region-picker-page';

const link = (code: string) => `[data-testid="village-link"][data-code="${code}"]`;

test('a typed code and Tambah add the village, which is shown and in view', async ({ page }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  await app.goto('#/');
  await openAddVillage(page);
  const picker = new RegionPickerPage(page);
  // Typed without dots, and Tambah pressed at once: the province's list loads,
  // the village is found in it, and added under its listed name.
  await picker.codeInput.fill('6107012001');
  await page.getByTestId('add-village-button').click();

  const added = page.getByTestId('village-added');
  await expect(added).toHaveText('Sungai Duri ditambahkan. Buka desa ini untuk mendaftarkan pekerja.');
  await expect(added).toBeInViewport();
  const row = page.locator(link('61.07.01.2001'));
  await expect(row).toBeFocused();
  await expect(row).toContainText('61.07.01.2001 · Kec. Sungai Raya, Kabupaten Bengkayang');
  // The form closed: the agent's next step is the village itself.
  await expect(page.getByTestId('add-village')).toBeHidden();
  await expect(page.getByTestId('add-village-open')).toHaveAttribute('aria-expanded', 'false');
});

test('a village already added is refused with its name, and nothing changes', async ({ page }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  await app.addVillage('61.07.01.2001', 'Sungai Duri');

  await openAddVillage(page);
  const picker = new RegionPickerPage(page);
  await picker.enterCode('61-07-01-2001');
  await expect(picker.picked).toHaveAttribute('data-code', '61.07.01.2001');
  await page.getByTestId('village-name').fill('Duri Baru');
  await page.getByTestId('add-village-button').click();

  await expect(page.getByTestId('village-error')).toHaveText('Sungai Duri (61.07.01.2001) sudah ada di daftar desa Anda.');
  await page.reload();
  await expect(page.locator('[data-testid="village-link"]')).toHaveCount(1);
  await expect(page.locator(link('61.07.01.2001'))).toContainText('Sungai Duri');
});

test('Tambah with no village says what to do, and a wrong code says why', async ({ page }) => {
  const app = new RosterApp(page);
  await app.setAgent();
  await app.goto('#/');
  await openAddVillage(page);
  await page.getByTestId('add-village-button').click();
  await expect(page.getByTestId('village-error')).toHaveText('Pilih desa dari daftar, atau ketik kode desanya.');

  const picker = new RegionPickerPage(page);
  await picker.codeInput.fill('61.07.01.4001');
  await page.getByTestId('add-village-button').click();
  await expect(picker.codeError).toHaveAttribute('data-code', 'region.code_format');
  await expect(picker.codeError).toContainText('Kode desa terdiri dari 10 angka');
  await expect(page.locator('[data-testid="village-link"]')).toHaveCount(0);
});
