// The screens other than home, and the home screen's add-village form, are chunks of
// the .wasm fetched when first shown (src/lazy.rs, tools/split.mjs). If a chunk cannot
// be fetched (offline before the service worker saved it), the agent is told, the app
// keeps running, and "Coba lagi" fetches it once the network is back.
import { test, expect } from '../fixtures';
import { SettingsPage } from '../pages/settings-page';

// Chunk requests must reach page.route: no service worker serving them from its cache.
test.use({ serviceWorkers: 'block' });

test('a screen whose code cannot be fetched says so, and loads when tried again', async ({ page, pageErrors }) => {
  const settings = new SettingsPage(page);
  await page.goto('/#/');
  await expect(page.getByTestId('no-villages')).toBeVisible();

  const office = '**/*_split_office.wasm';
  let refused = 0;
  await page.route(office, (route) => {
    refused += 1;
    return route.abort('internetdisconnected');
  });
  await settings.open();
  const missing = page.getByTestId('chunk-missing');
  await expect(missing).toContainText('belum tersimpan di HP');
  expect(refused).toBeGreaterThan(0);
  await expect(settings.agentName).toHaveCount(0);

  // The rest of the app still works: home, and back.
  await page.getByTestId('nav-home').click();
  await expect(page.getByTestId('no-villages')).toBeVisible();
  await settings.open();
  await expect(missing).toBeVisible();

  await page.unroute(office);
  await page.getByTestId('chunk-retry').click();
  await expect(settings.agentName).toBeEditable();
  await expect(missing).toHaveCount(0);

  // The refused fetches are reported in the console (the loader and the browser);
  // nothing else may be.
  const expected = (error: string) => /Failed to fetch|ERR_INTERNET_DISCONNECTED|_split_office\.wasm/.test(error);
  expect(pageErrors.filter(expected).length).toBeGreaterThan(0);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((error) => !expected(error)));
});

test('the add-village form opens on request, and closing it keeps what was typed', async ({ page }) => {
  await page.goto('/#/');
  const open = page.getByTestId('add-village-open');
  const name = page.getByTestId('village-name');
  await expect(open).toHaveAttribute('aria-expanded', 'false');
  await expect(name).toHaveCount(0);

  await open.click();
  await name.fill('Sungai Duri');
  await open.click();
  await expect(open).toHaveAttribute('aria-expanded', 'false');
  await expect(name).toBeHidden();

  await open.click();
  await expect(name).toBeVisible();
  await expect(name).toHaveValue('Sungai Duri');
});
