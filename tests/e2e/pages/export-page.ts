// The "Kirim data" screen (src/screens/export.rs), as an agent sees it: what waits
// to be sent, "Buat bundel", the office server's card, and the bundles kept on the
// phone, each with its Download, Share and "mark as received" buttons. Specs talk
// to this object (or to `RosterApp.export`), not to its data-testids.
import path from 'node:path';
import type { Download, Locator, Page } from '@playwright/test';

export class ExportPage {
  /** What waits to be bundled, one line per village: "Sungai Duri 61.07.01.2001: 0 baru · 0 diubah · 1 dihapus". */
  readonly pendingVillages: Locator;
  /** "3 data belum dikirim:", over every village; absent when nothing waits. */
  readonly pendingTotal: Locator;
  /** Said instead of the list when nothing waits to be bundled. */
  readonly nothingPending: Locator;
  /** What the last action said: "Bundel #1 dibuat ...", "Bundel dibagikan.", or what went wrong. */
  readonly message: Locator;
  /** "Buat bundel": disabled while nothing waits (or while the screen is busy). */
  readonly makeBundleButton: Locator;
  /** The office server's state in words; `data-status` is `no-server`, `idle`, `sending` or `failed`. */
  readonly syncStatus: Locator;
  /** "Terakhir tersambung: ...": when the district server was last reached. */
  readonly lastSync: Locator;
  /** "Kirim sekarang": probes the server and sends what waits; only shown when a server is known. */
  readonly sendNowButton: Locator;
  /** Every bundle on the phone, newest first. */
  readonly bundles: Locator;
  /** The device key's kid, under the bundles. */
  readonly kid: Locator;

  constructor(readonly page: Page) {
    this.pendingVillages = page.getByTestId('pending-village');
    this.pendingTotal = page.getByTestId('pending-total');
    this.nothingPending = page.getByTestId('nothing-pending');
    this.message = page.getByTestId('export-message');
    this.makeBundleButton = page.getByTestId('make-bundle');
    this.syncStatus = page.getByTestId('sync-status');
    this.lastSync = page.getByTestId('last-sync');
    this.sendNowButton = page.getByTestId('send-now');
    this.bundles = page.getByTestId('bundle');
    this.kid = page.getByTestId('export-kid');
  }

  /** Opens the screen with the header's "Kirim data" link: no reload, the app keeps running. */
  async open() {
    await this.page.getByTestId('nav-export').click();
  }

  /** Bundle #`sequence`; `data-state` is `made`, `exported` or `delivered`. */
  bundle(sequence: number): Locator {
    return this.bundles.and(this.page.locator(`[data-sequence="${sequence}"]`));
  }

  /** Where a bundle is on its way to the server, in words ("Antre", "Terkirim", "Ditolak: ...");
   * `data-delivery` is `queued`, `sending`, `delivered`, `awaiting`, `conflict` or `refused`.
   * Shown only when a server is known and the bundle was not handed in as a file. */
  delivery(sequence: number): Locator {
    return this.bundle(sequence).getByTestId('delivery');
  }

  /** A bundle handed in as a file, in words: not yet downloaded, downloaded, or received by the office.
   * Shown instead of `delivery`. */
  bundleState(sequence: number): Locator {
    return this.bundle(sequence).getByTestId('bundle-state');
  }

  /** "Unduh": saves the bundle's file (always the same bytes). */
  downloadButton(sequence: number): Locator {
    return this.bundle(sequence).getByTestId('download-bundle');
  }

  /** "Bagikan": hands the file to the Web Share API; only where the browser can share files. */
  shareButton(sequence: number): Locator {
    return this.bundle(sequence).getByTestId('share-bundle');
  }

  /** "Tandai sudah diterima kantor": for a bundle handed in by hand; absent once delivered,
   * or when the server gave its receipt. */
  markDeliveredButton(sequence: number): Locator {
    return this.bundle(sequence).getByTestId('mark-delivered');
  }

  /** Presses "Buat bundel"; returns without waiting for the outcome. */
  async makeBundle() {
    await this.makeBundleButton.click();
  }

  /** Presses "Kirim sekarang"; returns without waiting for the outcome. */
  async sendNow() {
    await this.sendNowButton.click();
  }

  /** Presses a bundle's Download; resolves with the browser's download. */
  async download(sequence: number): Promise<Download> {
    const [file] = await Promise.all([this.page.waitForEvent('download'), this.downloadButton(sequence).click()]);
    return file;
  }

  /** Presses a bundle's Download and saves the file under `dir`; returns its path. */
  async downloadTo(sequence: number, dir: string): Promise<string> {
    const file = await this.download(sequence);
    const target = path.join(dir, `${sequence}-${Date.now()}-${file.suggestedFilename()}`);
    await file.saveAs(target);
    return target;
  }

  /** Presses a bundle's Share; returns without waiting for the outcome. */
  async share(sequence: number) {
    await this.shareButton(sequence).click();
  }

  /** Presses a bundle's "Tandai sudah diterima kantor". */
  async markDelivered(sequence: number) {
    await this.markDeliveredButton(sequence).click();
  }
}
