//! The Kirim data screen: bundles, their delivery, download and share. Indonesian, then
//! English.

pub(crate) use super::common::{EXPORT_DATA, SENDING};

crate::text::texts! {
    DATA_LEAVES_PHONE_SIGNED =
        "Data dikirim sebagai bundel bertanda tangan: berkas yang diserahkan ke kantor kabupaten (unduh, atau bagikan lewat WhatsApp). Setiap bundel memuat semua perubahan sejak bundel sebelumnya."
        | "Data leaves the phone as a signed bundle: a file you hand to the district office (download it, or share it e.g. on WhatsApp). Each bundle carries every change since the previous one.";
    MAKE_BUNDLE =
        "Buat bundel"
        | "Make bundle";
    SEND_OFFICE_SERVER =
        "Kirim ke server kantor"
        | "Send to the office server";
    LAST_REACHED =
        "Terakhir tersambung: "
        | "Last reached: ";
    BUNDLES_SENT_THEMSELVES_WHEN =
        "Bundel dikirim otomatis saat ada sinyal. Bundel baru dianggap terkirim setelah kantor menjawab dengan tanda terima bertanda tangan."
        | "Bundles are sent by themselves when there is signal. A bundle counts as sent only once the office answers with a signed receipt.";
    SEND_NOW =
        "Kirim sekarang"
        | "Send now";
    BUNDLES_PHONE =
        "Bundel di HP ini"
        | "Bundles on this phone";
    NO_BUNDLES_YET =
        "Belum ada bundel."
        | "No bundles yet.";
    DEVICE_KEY =
        "Kunci perangkat: "
        | "Device key: ";
    ENROL_DISTRICT_OFFICE =
        "daftarkan di kantor kabupaten"
        | "enrol it at the district office";
    NOT_YET_DOWNLOADED_SHARED =
        "Belum diunduh/dibagikan"
        | "Not yet downloaded/shared";
    DOWNLOADED_SHARED_NOT_YET =
        "Sudah diunduh/dibagikan, belum diterima kantor"
        | "Downloaded/shared, not yet received by the office";
    RECEIVED_DISTRICT_OFFICE =
        "Diterima kantor kabupaten"
        | "Received by the district office";
    QUEUED_WAITING_SENT =
        "Antre: menunggu dikirim"
        | "Queued: waiting to be sent";
    SENT_WAITING_OFFICE_APPROVE =
        "Terkirim · menunggu persetujuan kantor untuk HP ini"
        | "Sent · waiting for the office to approve this phone";
    NO_DATA_PHONE_YET =
        "Belum ada data di HP ini. Daftarkan pekerja dulu, lalu kirim."
        | "No data on this phone yet. Register workers first, then export.";
    EVERYTHING_ALREADY_BUNDLE_NOTHING =
        "Semua data sudah ada di bundel. Tidak ada yang perlu dikirim."
        | "Everything is already in a bundle. Nothing to send.";
    BUNDLE_SHARED =
        "Bundel dibagikan."
        | "Bundle shared.";
    BROWSER_CANNOT_SHARE_FILES =
        "Browser ini tidak dapat membagikan berkas. Pakai Unduh."
        | "This browser cannot share files. Use Download.";
    DOWNLOAD =
        "Unduh"
        | "Download";
    SHARE =
        "Bagikan"
        | "Share";
    MARK_RECEIVED_OFFICE =
        "Tandai sudah diterima kantor"
        | "Mark as received by the office";
    fn village_changes(new: u32, changed: u32, removed: u32) =
        "{new} baru · {changed} diubah · {removed} dihapus"
        | "{new} new · {changed} changed · {removed} removed";
    fn held_back(records: usize) =
        " · {records} data ditahan kantor" | " · {records} records held back by the office";
    fn delivered(at: &str, held_back: &str) =
        "Terkirim, diterima kantor {at}{held_back}" | "Sent, received by the office {at}{held_back}";
    fn conflict(reason: &str) = "Konflik: {reason}" | "Conflict: {reason}";
    fn refused(reason: &str) = "Ditolak: {reason}" | "Refused: {reason}";
    fn bundle_made(sequence: u64) =
        "Bundel #{sequence} dibuat dan tersimpan di HP. Unduh atau bagikan, lalu serahkan ke kantor kabupaten."
        | "Bundle #{sequence} was made and saved on the phone. Download or share it, then hand it to the district office.";
    fn bundle_made_more_waiting(sequence: u64, left: u32) =
        "Bundel #{sequence} dibuat dan tersimpan di HP; bundel sudah sebesar yang diterima kantor kabupaten. {left} data lagi menunggu: tekan Buat bundel lagi."
        | "Bundle #{sequence} was made and saved on the phone, as large as the district office accepts. {left} more records are waiting: press Make bundle again.";
    fn not_yet_sent(records: u32) = "{records} data belum dikirim:" | "{records} records not yet sent:";
    fn download_failed(detail: &str) = "Unduhan gagal: {detail}" | "The download failed: {detail}";
    fn downloaded(name: &str) =
        "{name} diunduh (folder Download)." | "{name} was downloaded (Downloads folder).";
    fn sharing_failed(detail: &str) = "Gagal membagikan: {detail}" | "Sharing failed: {detail}";
    fn bundle_number(sequence: u64) = "Bundel #{sequence}" | "Bundle #{sequence}";
    fn records(count: u32) = "{count} data" | "{count} records";
}
