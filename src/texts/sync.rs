//! Sending bundles to the office: the sender's state and why a try failed or a bundle was
//! refused. Indonesian, then English.

pub(crate) use super::common::SENDING;

crate::text::texts! {
    NO_SERVER =
        "Tidak ada server kantor: kirim bundel sebagai berkas (unduh atau bagikan)."
        | "No office server: send bundles as files (download or share).";
    READY =
        "Siap mengirim."
        | "Ready to send.";
    SERVER_UNREACHABLE =
        "Server kantor tidak terjangkau. Bundel akan dikirim otomatis saat ada sinyal."
        | "The office server cannot be reached. Bundles will be sent by themselves when there is signal.";
    KEY_NOT_PINNED =
        "Server ini memakai kunci kantor yang berbeda dari yang dipercaya HP ini. Tidak ada yang dikirim. Tanyakan ke kantor kabupaten."
        | "This server uses another office key than the one this phone trusts. Nothing was sent. Ask the district office.";
    NOT_THE_SERVER =
        "Jawaban yang datang bukan dari server kantor (mungkin halaman login wifi). Bundel akan dikirim lagi nanti."
        | "The answer did not come from the office server (perhaps a wifi login page). Bundles will be sent again later.";
    ANSWER_INVALID =
        "Jawaban server kantor tidak sah dan diabaikan. Bundel akan dikirim lagi nanti."
        | "The office server's answer is not valid and was ignored. Bundles will be sent again later.";
    SERVER_TROUBLE =
        "Server kantor sedang bermasalah. Bundel akan dikirim lagi nanti."
        | "The office server has a problem. Bundles will be sent again later.";
    SERVER_BUSY =
        "Server kantor sedang sibuk. Bundel akan dikirim lagi nanti."
        | "The office server is busy. Bundles will be sent again later.";
    SENDING_FAILED =
        "Pengiriman gagal. Bundel akan dikirim lagi nanti."
        | "Sending failed. Bundles will be sent again later.";
    KEY_REVOKED =
        "Kunci perangkat ini dicabut oleh kantor kabupaten."
        | "The district office revoked this device's key.";
    SEQUENCE_CONFLICT =
        "Kantor sudah menerima bundel lain dengan nomor ini. Hubungi kantor kabupaten."
        | "The office already holds another bundle with this number. Contact the district office.";
    BUNDLE_TOO_LARGE =
        "Bundel terlalu besar untuk server kantor. Serahkan sebagai berkas."
        | "The bundle is too large for the office server. Hand it in as a file.";
    CHAIN_BROKEN =
        "Bundel tidak bersambung dengan bundel sebelumnya di kantor. Hubungi kantor kabupaten."
        | "The bundle does not follow the office's previous bundle. Contact the district office.";
    BUNDLE_REFUSED =
        "Kantor menolak bundel ini. Hubungi kantor kabupaten."
        | "The office refused this bundle. Contact the district office.";
}
