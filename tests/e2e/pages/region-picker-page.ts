// The village picker (src/region_picker.rs), as a person sees it: province, regency/city,
// district and village selects, and a field to type a village code. It sits on the home
// screen, in the form that its "Tambah desa" button opens (`openAddVillage`).
import { expect, type Locator, type Page } from '@playwright/test';

export class RegionPickerPage {
  readonly province: Locator;
  readonly regency: Locator;
  readonly district: Locator;
  readonly village: Locator;
  readonly codeInput: Locator;
  readonly pickButton: Locator;
  readonly codeError: Locator;
  /** "Memuat ..." while a province loads; the problem if it cannot be loaded. */
  readonly status: Locator;
  readonly retry: Locator;
  /** The chosen village, one line. */
  readonly picked: Locator;

  constructor(readonly page: Page) {
    this.province = page.getByTestId('region-province');
    this.regency = page.getByTestId('region-regency');
    this.district = page.getByTestId('region-district');
    this.village = page.getByTestId('region-village');
    this.codeInput = page.getByTestId('region-code-input');
    this.pickButton = page.getByTestId('region-pick');
    this.codeError = page.getByTestId('region-code-error');
    this.status = page.getByTestId('region-status');
    this.retry = page.getByTestId('region-retry');
    this.picked = page.getByTestId('region-picked');
  }

  /** Opens the picker (the home screen's "Tambah desa" form) at `base`. */
  async open(base = '/') {
    await this.page.goto(base);
    await openAddVillage(this.page);
    await expect(this.province, 'the RegionPicker on the home screen').toBeVisible();
  }

  /** Chooses a province and waits until its districts and villages are loaded. */
  async chooseProvince(code: string) {
    await this.province.selectOption(code);
    await expect(this.status).toHaveCount(0);
  }

  /** Chooses down to a village with the selects, by code: `61`, `6107`, `610701`, `6107012001`. */
  async choose(village: string) {
    await this.chooseProvince(village.slice(0, 2));
    await this.regency.selectOption(village.slice(0, 4));
    await this.district.selectOption(village.slice(0, 6));
    await this.village.selectOption(village);
  }

  /** Types a village code and presses "Pakai kode". */
  async enterCode(code: string) {
    await this.codeInput.fill(code);
    await this.pickButton.click();
  }

  /** The names the village select offers (without its "Pilih ..." prompt). */
  async villageNames(): Promise<string[]> {
    return this.village.locator('option:not([value=""])').allTextContents();
  }
}

/** Opens the home screen's "Tambah desa" form unless it is open. */
export async function openAddVillage(page: Page) {
  const open = page.getByTestId('add-village-open');
  await expect(open).toBeVisible();
  if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click();
  await expect(open).toHaveAttribute('aria-expanded', 'true');
}
