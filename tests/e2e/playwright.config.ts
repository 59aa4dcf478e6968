// End-to-end tests: the release build in dist/ (`trunk build --release`), served
// statically on 127.0.0.1:4173, driven through Debian's Chromium. Run all of CI with
// `cargo xtask ci`, or only these with `npx playwright test --config tests/e2e/playwright.config.ts`
// after a release build.
import { defineConfig } from '@playwright/test';
import path from 'node:path';

const port = 4173;
const baseURL = `http://127.0.0.1:${port}`;
const repoRoot = path.resolve(__dirname, '..', '..');
const isCi = !!process.env.CI;

export default defineConfig({
  testDir: path.join(__dirname, 'specs'),
  outputDir: path.join(__dirname, 'test-results'),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: isCi,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // `cargo xtask ci` reads the JSON report for exact counts.
  reporter: [['list'], ['json', { outputFile: path.join(__dirname, 'report', 'results.json') }]],
  use: {
    baseURL,
    timezoneId: 'Asia/Jakarta',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          // Debian's Chromium: Playwright never downloads browsers here.
          executablePath: '/usr/bin/chromium',
          args: [
            '--headless=new',
            '--no-sandbox',
            '--disable-gpu',
            // Without these Chromium keeps calling home on a machine with no network.
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
  webServer: {
    command: `node ${JSON.stringify(path.join(__dirname, 'serve-dist.mjs'))} ${JSON.stringify(path.join(repoRoot, 'dist'))} ${port}`,
    url: `${baseURL}/`,
    reuseExistingServer: !isCi,
    timeout: 15_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
