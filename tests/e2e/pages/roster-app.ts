// The roster side of the app, as a field agent uses it: settings, villages,
// registering, a village's roster, a record. Specs talk to this object.
import { expect, type Locator, type Page } from '@playwright/test';
import { CheckPersonPage } from './check-person-page';
import { openAddVillage, RegionPickerPage } from './region-picker-page';

export type Person = {
  nik: string;
  name: string;
  birthDate: string;
  sex: 'M' | 'F';
  segment: 'BPU' | 'PU';
  category: string;
};

export class RosterApp {
  readonly form: CheckPersonPage;

  /** `base`: another origin than the config's baseURL, e.g. `http://127.0.0.1:4183`. */
  constructor(
    readonly page: Page,
    readonly base = '',
  ) {
    this.form = new CheckPersonPage(page);
  }

  async goto(hash = '#/') {
    await this.page.goto(`${this.base}/${hash}`);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Lindung');
  }

  /** First use: who the agent is. */
  async setAgent(name = 'Petugas Uji', id = 'PRS-0001') {
    await this.goto('#/pengaturan');
    await this.page.getByTestId('agent-name').fill(name);
    await this.page.getByTestId('agent-id').fill(id);
    await this.page.getByTestId('save-agent').click();
    await expect(this.page.getByTestId('settings-message')).toHaveText('Tersimpan.');
  }

  /** Uses another rule pack, pasted as JSON in Settings. */
  async usePack(json: string) {
    await this.goto('#/pengaturan');
    await this.page.getByTestId('pack-json').fill(json);
    await this.page.getByTestId('import-pack').click();
    await expect(this.page.getByTestId('settings-message')).toHaveText('Tersimpan.');
  }

  async addVillage(code: string, name: string, area = 'Kec. Sungai Raya, Kab. Bengkayang') {
    await this.goto('#/');
    await openAddVillage(this.page);
    // The form's one code field is the picker's: the village is found in the
    // province's list, which names it; the test's name and area replace those.
    const picker = new RegionPickerPage(this.page);
    await picker.enterCode(code);
    await expect(picker.picked).toHaveAttribute('data-code', code);
    await this.page.getByTestId('village-name').fill(name);
    await this.page.getByTestId('village-area').fill(area);
    await this.page.getByTestId('add-village-button').click();
    await expect(this.page.locator(`[data-testid="village-link"][data-code="${code}"]`)).toBeVisible();
  }

  async openVillage(code: string) {
    await this.goto(`#/desa/${code}`);
    await expect(this.page.getByTestId('village-title')).toBeVisible();
  }

  async openRegister(code: string) {
    await this.goto(`#/desa/${code}/daftar`);
    await expect(this.form.nikInput).toBeVisible();
  }

  /** Fills the form and presses Simpan; returns without waiting for the outcome. */
  async submit(person: Person) {
    await this.form.fillPerson(person);
    await this.form.checkButton.click();
  }

  /** Registers a person and waits for "Tersimpan". */
  async register(person: Person) {
    await this.submit(person);
    await expect(this.saved).toContainText(person.name);
    await expect(this.saved).toContainText('Tersimpan');
  }

  get saved(): Locator {
    return this.page.getByTestId('saved');
  }

  get saveError(): Locator {
    return this.page.getByTestId('save-error');
  }

  /** The roster row of a person, by name. */
  row(name: string): Locator {
    return this.page.getByTestId('worker-row').filter({ hasText: name });
  }

  async statusOf(name: string): Promise<string | null> {
    return this.row(name).locator('[data-status]').getAttribute('data-status');
  }

  count(which: 'funded' | 'waitlisted' | 'apparatus'): Locator {
    return this.page.getByTestId(`count-${which}`).locator('strong');
  }

  /** Removes a record: asks, then confirms; returns what the question said. */
  async removeRecord(name: string, reason: string): Promise<string> {
    await this.row(name).click();
    await expect(this.page.getByTestId('record-name')).toHaveText(name);
    await this.page.getByTestId('remove-reason').fill(reason);
    await this.page.getByTestId('remove-button').click();
    const question = (await this.page.getByTestId('remove-question').textContent()) ?? '';
    await this.page.getByTestId('remove-confirm').click();
    await expect(this.page.getByTestId('record-message')).toBeVisible();
    return question;
  }
}
