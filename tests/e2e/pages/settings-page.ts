// The "Pengaturan" screen (src/screens/settings.rs), as an agent sees it: who the
// agent is and the language, the device key to enrol, the office server, storage,
// and the rule pack in use. Specs talk to this object (or to `RosterApp.settings`),
// not to its data-testids.
import type { Locator, Page } from '@playwright/test';

export class SettingsPage {
  /** What the last Simpan said: "Tersimpan." or what is wrong (every problem of a refused rule pack). */
  readonly message: Locator;
  /** "Nama petugas". */
  readonly agentName: Locator;
  /** "ID petugas" (e.g. a Perisai number). */
  readonly agentId: Locator;
  /** "Bahasa": Bahasa Indonesia (`id`) or English (`en`); saved with the agent. */
  readonly language: Locator;
  /** Simpan of the agent's card: name, id and language. */
  readonly saveAgentButton: Locator;
  /** The device key's kid (43 base64url characters), to enrol at the district office. */
  readonly kid: Locator;
  /** The same kid as a QR code, for the office's phone to scan. */
  readonly kidQr: Locator;
  /** Said instead of the kid when the device key cannot be made or read. */
  readonly keyError: Locator;
  /** "Alamat server": the district office's server; empty when the office only takes files. */
  readonly serverUrl: Locator;
  /** "Buat dan kirim bundel otomatis saat ada sinyal". */
  readonly autoSend: Locator;
  /** The trusted office key ("Kunci kantor yang dipercaya: ..."), pinned on first contact,
   * or "Belum tersambung ke server kantor." */
  readonly districtKid: Locator;
  /** Simpan of the office server's card: address and auto-send. */
  readonly saveServerButton: Locator;
  /** "Lupakan kunci kantor": the next server reached is trusted; only shown while a key is pinned. */
  readonly forgetDistrictButton: Locator;
  /** How much of the phone's storage Lindung uses, or that the browser does not say. */
  readonly storageSpace: Locator;
  /** The rule pack in use: id, version, title, regulation, funded slots, ages. */
  readonly packInfo: Locator;
  /** The rule pack's version, e.g. `2026.1.0`. */
  readonly packVersion: Locator;
  /** "Kuota didanai per desa": the rule pack's funded slots per village. */
  readonly packSlots: Locator;
  /** Rules taken from the office, newest first: "<date>: lindung-default 2026.1.0 → ... (PRS-0001)". */
  readonly packSwitches: Locator;
  /** "Pakai aturan lain": a rule pack's JSON, pasted. */
  readonly packJson: Locator;
  /** "Pakai aturan ini": checks the pasted pack and uses it. */
  readonly importPackButton: Locator;

  constructor(readonly page: Page) {
    this.message = page.getByTestId('settings-message');
    this.agentName = page.getByTestId('agent-name');
    this.agentId = page.getByTestId('agent-id');
    this.language = page.getByTestId('settings-lang');
    this.saveAgentButton = page.getByTestId('save-agent');
    this.kid = page.getByTestId('kid');
    this.kidQr = page.getByTestId('kid-qr');
    this.keyError = page.getByTestId('key-error');
    this.serverUrl = page.getByTestId('server-url');
    this.autoSend = page.getByTestId('auto-send');
    this.districtKid = page.getByTestId('district-kid');
    this.saveServerButton = page.getByTestId('save-server');
    this.forgetDistrictButton = page.getByTestId('forget-district');
    this.storageSpace = page.getByTestId('storage-space');
    this.packInfo = page.getByTestId('pack-info');
    this.packVersion = page.getByTestId('pack-version');
    this.packSlots = page.getByTestId('pack-slots');
    this.packSwitches = page.getByTestId('pack-switch');
    this.packJson = page.getByTestId('pack-json');
    this.importPackButton = page.getByTestId('import-pack');
  }

  /** Opens the screen with the header's "Pengaturan" link: no reload, the app keeps running. */
  async open() {
    await this.page.getByTestId('nav-settings').click();
  }

  /** Types who the agent is and presses Simpan; returns without waiting for `message`. */
  async saveAgent(name: string, id: string) {
    await this.agentName.fill(name);
    await this.agentId.fill(id);
    await this.saveAgentButton.click();
  }

  /** Chooses the language in the agent's card (Simpan keeps it). */
  async chooseLanguage(lang: 'id' | 'en') {
    await this.language.selectOption(lang);
  }

  /** The device key's kid as shown, once there is one. */
  async deviceKid(): Promise<string> {
    return ((await this.kid.textContent()) ?? '').trim();
  }

  /** Pastes a rule pack's JSON and presses "Pakai aturan ini"; returns without waiting for `message`. */
  async importPack(json: string) {
    await this.packJson.fill(json);
    await this.importPackButton.click();
  }

  /** Types the office server's address, sets auto-send when given, and presses Simpan;
   * returns without waiting for `message`. */
  async saveServer(url: string, autoSend?: boolean) {
    await this.serverUrl.fill(url);
    if (autoSend !== undefined) await this.autoSend.setChecked(autoSend);
    await this.saveServerButton.click();
  }
}
