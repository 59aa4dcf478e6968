// The `test` every spec uses: Playwright's, plus a check that the page threw no
// uncaught error and logged no console error (a broken wasm-opt, for one, shows up
// only as a `WebAssembly.Table.set()` error in the console).
import { test as base, expect } from '@playwright/test';
import { CheckPersonPage } from './pages/check-person-page';

type Fixtures = {
  pageErrors: string[];
  checkPerson: CheckPersonPage;
};

export const test = base.extend<Fixtures>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
      });
      await use(errors);
      expect(errors, 'errors in the page').toEqual([]);
    },
    { auto: true },
  ],
  checkPerson: async ({ page }, use) => {
    await use(new CheckPersonPage(page));
  },
});

export { expect };
