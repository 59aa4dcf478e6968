// The "check a person" screen, as a person sees it. Specs talk to this object, not to
// selectors: the data-testid contract lives here only.
import { expect, type Locator, type Page } from '@playwright/test';
import type { Person } from '../people';

export class CheckPersonPage {
  readonly heading: Locator;
  readonly languageToggle: Locator;
  readonly nikInput: Locator;
  readonly nameInput: Locator;
  readonly birthDateInput: Locator;
  readonly sexSelect: Locator;
  /** Segment and occupation: radio buttons, each named `segment-CODE` / `category-CODE`. */
  readonly segmentChoices: Locator;
  readonly categoryChoices: Locator;
  readonly issueList: Locator;
  readonly issues: Locator;
  readonly nikInfo: Locator;
  readonly nikBirthDate: Locator;
  readonly nikSex: Locator;
  readonly nikRegion: Locator;
  readonly checkButton: Locator;
  readonly outcome: Locator;
  readonly contribution: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.languageToggle = page.getByTestId('lang-toggle');
    this.nikInput = page.getByTestId('nik-input');
    this.nameInput = page.getByTestId('name-input');
    this.birthDateInput = page.getByTestId('birth-date-input');
    this.sexSelect = page.getByTestId('sex-select');
    this.segmentChoices = page.getByTestId('segment-choices');
    this.categoryChoices = page.getByTestId('category-choices');
    this.issueList = page.getByTestId('issues');
    this.issues = this.issueList.getByTestId('issue');
    this.nikInfo = page.getByTestId('nik-info');
    this.nikBirthDate = this.nikInfo.getByTestId('nik-birth-date');
    this.nikSex = this.nikInfo.getByTestId('nik-sex');
    this.nikRegion = this.nikInfo.getByTestId('nik-region');
    this.checkButton = page.getByTestId('check-button');
    this.outcome = page.getByTestId('outcome');
    this.contribution = this.outcome.getByTestId('contribution');
  }

  /** Opens the app and waits until the WebAssembly has started and drawn the page. */
  async open() {
    await this.page.goto('/#/periksa');
    await expect(this.heading).toHaveText('Lindung');
  }

  /** Types a NIK the way a person does, replacing what was there, then moves on. */
  async enterNik(nik: string) {
    await this.nikInput.fill(nik);
    await this.nikInput.blur();
  }

  /** The problem with this stable code, e.g. `nik.length`. */
  issue(code: string): Locator {
    return this.issues.and(this.page.locator(`[data-code="${code}"]`));
  }

  /** The stable codes of every problem shown, in order. */
  async issueCodes(): Promise<string[]> {
    return this.issues.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-code') ?? ''));
  }

  /** Chooses a segment by its code (`BPU`, `PU`). */
  async chooseSegment(code: string) {
    await this.page.getByTestId(`segment-${code}`).check();
  }

  /** Chooses an occupation by its code (`petani`, `perangkat_desa`, ...). */
  async chooseCategory(code: string) {
    await this.page.getByTestId(`category-${code}`).check();
  }

  /** Copies a whole ID card into the form, field by field. */
  async fillPerson(person: Person) {
    await this.enterNik(person.nik);
    await this.nameInput.fill(person.name);
    await this.birthDateInput.fill(person.birthDate);
    await this.sexSelect.selectOption(person.sex);
    await this.chooseSegment(person.segment);
    await this.chooseCategory(person.category);
  }

  /** Presses "Periksa" (check), which shows every remaining problem. */
  async check() {
    await this.checkButton.click();
  }

  async switchLanguage() {
    await this.languageToggle.click();
  }

  async expectLanguage(lang: 'id' | 'en') {
    await expect(this.page.locator('html')).toHaveAttribute('lang', lang);
    await expect(this.languageToggle).toHaveText(lang === 'id' ? 'English' : 'Bahasa Indonesia');
  }
}
