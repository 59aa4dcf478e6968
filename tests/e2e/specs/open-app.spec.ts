// A person opens the app for the first time.
import { test, expect } from '../fixtures';

test('the app opens in Bahasa Indonesia, ready to check a person', async ({ checkPerson }) => {
  await checkPerson.open();

  await checkPerson.expectLanguage('id');
  await expect(checkPerson.nikInput).toBeVisible();
  await expect(checkPerson.nikInput).toBeEditable();
});
