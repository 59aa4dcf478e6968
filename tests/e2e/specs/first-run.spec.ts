// A new phone asks who the agent is before anything else, where the agent
// already is: on Home, and on the registration form if they went there first.
import { test, expect } from '../fixtures';
import { RosterApp } from '../pages/roster-app';
import { village } from '../people';

test('the first run asks for the agent on Home, and the answer is kept', async ({ page }) => {
  const app = new RosterApp(page);
  await app.goto('#/');
  const ask = page.getByTestId('agent-missing');
  await expect(ask).toContainText('Isi nama dan ID petugas dulu');
  await page.getByTestId('first-agent-save').click();
  await expect(page.getByTestId('first-agent-problem')).toHaveText('Nama dan ID petugas wajib diisi.');
  await page.getByTestId('first-agent-name').fill('Petugas Uji');
  await page.getByTestId('first-agent-id').fill('PRS-0001');
  await page.getByTestId('first-agent-save').click();
  await expect(ask).toHaveCount(0);

  await page.reload();
  await expect(page.getByTestId('no-villages')).toBeVisible();
  await expect(page.getByTestId('agent-missing')).toHaveCount(0);
  await app.goto('#/pengaturan');
  await expect(app.settings.agentName).toHaveValue('Petugas Uji');
  await expect(app.settings.agentId).toHaveValue('PRS-0001');
});

test('the registration form asks for the agent too, above the form', async ({ page }) => {
  const app = new RosterApp(page);
  // An agent who adds a village first and goes straight to the form.
  await app.addVillage(village.code, village.name);
  await app.openRegister(village.code);
  await expect(page.getByTestId('agent-missing')).toBeVisible();
  await page.getByTestId('first-agent-name').fill('Petugas Baru');
  await page.getByTestId('first-agent-id').fill('PRS-0002');
  await page.getByTestId('first-agent-save').click();
  await expect(page.getByTestId('agent-missing')).toHaveCount(0);
  await expect(app.form.nikInput).toBeVisible();
});
