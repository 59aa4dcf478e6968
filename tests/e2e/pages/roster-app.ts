// The roster side of the app, as a field agent uses it: home, villages, registering,
// a village's roster, a record; the Kirim data and Pengaturan screens are its
// `export` and `settings`. Specs talk to this object.
import { expect, type Locator, type Page } from '@playwright/test';
import type { Person } from '../people';
import { CheckPersonPage } from './check-person-page';
import { ExportPage } from './export-page';
import { openAddVillage, RegionPickerPage } from './region-picker-page';
import { SettingsPage } from './settings-page';

export class RosterApp {
  /** The registration form (and "Periksa NIK"). */
  readonly form: CheckPersonPage;
  /** The "Kirim data" screen. */
  readonly export: ExportPage;
  /** The "Pengaturan" screen. */
  readonly settings: SettingsPage;

  /** `base`: another origin than the config's baseURL, e.g. `http://127.0.0.1:4183`. */
  constructor(
    readonly page: Page,
    readonly base = '',
  ) {
    this.form = new CheckPersonPage(page);
    this.export = new ExportPage(page);
    this.settings = new SettingsPage(page);
  }

  async goto(hash = '#/') {
    await this.page.goto(`${this.base}/${hash}`);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Lindung');
  }

  /** First use: who the agent is. */
  async setAgent(name = 'Petugas Uji', id = 'PRS-0001') {
    await this.goto('#/pengaturan');
    await this.settings.saveAgent(name, id);
    await expect(this.settings.message).toHaveText('Tersimpan.');
  }

  /** Uses another rule pack, pasted as JSON in Settings. */
  async usePack(json: string) {
    await this.goto('#/pengaturan');
    await this.settings.importPack(json);
    await expect(this.settings.message).toHaveText('Tersimpan.');
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

  /** The header's "Desa saya" link: back home without a reload. */
  get homeLink(): Locator {
    return this.page.getByTestId('nav-home');
  }

  /** Home's card on exporting: when data last left the phone and what still waits on it;
   * `data-at-risk` is `true` once the oldest unsent record is older than the rule pack allows. */
  get exportStatus(): Locator {
    return this.page.getByTestId('export-status');
  }

  /** The "Kirim data" link on that card. */
  get exportLink(): Locator {
    return this.page.getByTestId('go-export');
  }

  /** That card's "Terakhir tersambung ke server kantor: ...", once the server was reached. */
  get lastSync(): Locator {
    return this.page.getByTestId('home-last-sync');
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
