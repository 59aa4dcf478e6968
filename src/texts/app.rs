//! The app's frame (header, footer, banners) and the messages of its storage, device key and
//! loading: Indonesian, then English.

pub(crate) use super::common::{MY_VILLAGES, TRY_AGAIN};

crate::text::texts! {
    LOADING_DATA =
        "Memuat data…"
        | "Loading data…";
    OTHER_LANGUAGE_TAG =
        "en"
        | "id";
    OTHER_LANGUAGE =
        "English"
        | "Bahasa Indonesia";
    CHECK_NIK =
        "Periksa NIK"
        | "Check NIK";
    EXPORT =
        "Kirim data"
        | "Export";
    SETTINGS =
        "Pengaturan"
        | "Settings";
    ACTIVE_RULES =
        "Aturan yang berlaku: "
        | "Active rules: ";
    KEMENDAGRI_REGION_DATA_FROM =
        "Data wilayah Kemendagri dari "
        | "Kemendagri region data from ";
    PART_APP_NOT_SAVED =
        "Bagian aplikasi ini belum tersimpan di HP dan tidak bisa diunduh sekarang. Sambungkan ke internet, lalu coba lagi."
        | "This part of the app is not saved on the phone yet and cannot be downloaded now. Connect to the internet, then try again.";
    LOADING =
        "Memuat…"
        | "Loading…";
    UPDATE_AVAILABLE =
        "Versi baru tersedia."
        | "Update available.";
    RELOAD_WHEN_YOU_NOT =
        "Muat ulang saat tidak sedang mengisi data."
        | "Reload when you are not in the middle of an entry.";
    RELOAD =
        "Muat ulang"
        | "Reload";
    NO_AGENT_YET =
        "Isi nama dan ID petugas di Pengaturan sebelum mendaftarkan."
        | "Enter the agent's name and id in Settings before registering.";
    BROWSER_CANNOT_MAKE_RANDOM =
        "Browser ini tidak dapat membuat nomor acak untuk data baru, jadi tidak ada yang disimpan. Buka aplikasi di Chrome versi terbaru."
        | "This browser cannot make random numbers for a new record, so nothing was saved. Open the app in an up-to-date Chrome.";
    LINDUNG_OPEN_ANOTHER_TAB =
        "Lindung sedang terbuka di tab lain. Tab ini hanya untuk melihat; tutup tab lain untuk menyimpan di sini."
        | "Lindung is open in another tab. This tab can only view; close the other tab to save here.";
    STORAGE_FULL =
        "Memori HP penuh: data BELUM tersimpan, tetapi isian Anda masih ada. Hapus foto/video atau aplikasi yang tidak dipakai, lalu tekan Simpan lagi."
        | "The phone's storage is full: NOT saved yet, but what you typed is kept. Delete unused photos, videos or apps, then press Save again.";
    LINDUNG_UPDATED_ANOTHER_TAB =
        "Lindung diperbarui di tab lain. Muat ulang halaman ini untuk melanjutkan."
        | "Lindung was updated in another tab. Reload this page to continue.";
    OLDER_LINDUNG_STILL_OPEN =
        "Lindung versi lama masih terbuka di tab lain. Tutup tab itu, lalu muat ulang halaman ini."
        | "An older Lindung is still open in another tab. Close that tab, then reload this page.";
    BROWSER_CANNOT_SIGN_DATA =
        "Browser ini tidak dapat menandatangani data (WebCrypto tidak ada). Buka Lindung lewat alamat https."
        | "This browser cannot sign data (no WebCrypto). Open Lindung at its https address.";
    fn storage_unavailable(detail: &str) =
        "Penyimpanan di HP tidak dapat dipakai ({detail}). Jangan gunakan mode penyamaran."
        | "The phone's storage cannot be used ({detail}). Do not use private/incognito mode.";
    fn stored_data_unreadable(detail: &str) =
        "Data tersimpan tidak dapat dibaca: {detail}"
        | "Stored data cannot be read: {detail}";
    fn bundle_sequence_mismatch(sequence: u64) =
        "Bundel nomor {sequence} tidak cocok dengan yang tersimpan. Muat ulang halaman, lalu coba lagi."
        | "Bundle number {sequence} does not match what is stored. Reload the page, then try again.";
    fn could_not_save(detail: &str) =
        "Gagal menyimpan: {detail}. Coba lagi."
        | "Could not save: {detail}. Try again.";
    fn device_key_failed(detail: &str) =
        "Kunci perangkat gagal dipakai: {detail}"
        | "The device key failed: {detail}";
    fn device_key_unreadable(detail: &str) =
        "Kunci perangkat yang tersimpan tidak dapat dibaca: {detail}"
        | "The stored device key cannot be read: {detail}";
    fn records_unshown(count: usize) =
        "{count} data tersimpan tidak dapat ditampilkan (NIK ganda atau desanya hilang). Data itu tetap ada di HP; jangan hapus data aplikasi dan hubungi kantor kabupaten."
        | "{count} stored records cannot be shown (repeated NIK or missing village). They are still on the device; do not clear the app's data, and contact the district office.";
}
