//! Record types (TOR) and the TLV tags the protocol reference documents.

use serde::{Deserialize, Serialize};

macro_rules! tors {
    ($($variant:ident = $value:literal, $name:literal;)*) => {
        /// A P3 type of record. Values outside the documented set are kept as `Other`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(into = "u16", from = "u16")]
        pub enum Tor {
            $(#[doc = $name] $variant,)*
            /// A TOR value the reference does not document.
            Other(u16),
        }

        impl Tor {
            /// The numeric value on the wire.
            pub fn value(self) -> u16 {
                match self { $(Tor::$variant => $value,)* Tor::Other(v) => v }
            }
            /// The upper-case name used in logs and JSON output (`UNKNOWN` for others).
            pub fn name(self) -> &'static str {
                match self { $(Tor::$variant => $name,)* Tor::Other(_) => "UNKNOWN" }
            }
        }

        impl From<u16> for Tor {
            fn from(v: u16) -> Self {
                match v { $($value => Tor::$variant,)* other => Tor::Other(other) }
            }
        }
    };
}

tors! {
    Reset = 0x0000, "RESET";
    Passing = 0x0001, "PASSING";
    Status = 0x0002, "STATUS";
    Version = 0x0003, "VERSION";
    Resend = 0x0004, "RESEND";
    ClearPassing = 0x0005, "CLEAR_PASSING";
    ServerSettings = 0x0013, "SERVER_SETTINGS";
    Session = 0x0015, "SESSION";
    NetworkSettings = 0x0016, "NETWORK_SETTINGS";
    Watchdog = 0x0018, "WATCHDOG";
    Ping = 0x0020, "PING";
    GetTime = 0x0024, "GET_TIME";
    GeneralSettings = 0x0028, "GENERAL_SETTINGS";
    Signals = 0x002D, "SIGNALS";
    LoopTrigger = 0x002F, "LOOP_TRIGGER";
    GpsInfo = 0x0030, "GPS_INFO";
    FirstContact = 0x0045, "FIRST_CONTACT";
    Timeline = 0x004A, "TIMELINE";
    Error = 0xFFFF, "ERROR";
}

impl From<Tor> for u16 {
    fn from(t: Tor) -> u16 {
        t.value()
    }
}

/// TLV tags valid in any record.
pub mod general {
    /// Decoder id, u32.
    pub const DECODER_ID: u8 = 0x81;
    /// Controller id, u32.
    pub const CONTROLLER_ID: u8 = 0x83;
    /// Request id, u64.
    pub const REQUEST_ID: u8 = 0x85;
}

/// TLV tags of PASSING records.
pub mod passing {
    /// Monotonic passing number, u32 (gap detection and RESEND).
    pub const PASSING_NUMBER: u8 = 0x01;
    /// Transponder id, u32.
    pub const TRANSPONDER: u8 = 0x03;
    /// Decoder RTC time, u64 µs since the Unix epoch (decoder's configured zone).
    pub const RTC_TIME: u8 = 0x04;
    /// Signal strength, u16.
    pub const STRENGTH: u8 = 0x05;
    /// Hits, u16.
    pub const HITS: u8 = 0x06;
    /// Flags, u16.
    pub const FLAGS: u8 = 0x08;
    /// Transponder code string (rider chips), ASCII.
    pub const TRAN_CODE: u8 = 0x0A;
    /// User flag, u32.
    pub const USER_FLAG: u8 = 0x0E;
    /// Driver id, u8.
    pub const DRIVER_ID: u8 = 0x0F;
    /// GPS-synchronised UTC time, u64 µs since the Unix epoch.
    pub const UTC_TIME: u8 = 0x10;
    /// RTC id, u32.
    pub const RTC_ID: u8 = 0x13;
    /// Sport, u8.
    pub const SPORT: u8 = 0x14;
    /// Transponder voltage, u8.
    pub const VOLTAGE: u8 = 0x30;
    /// Transponder temperature, u8.
    pub const TEMPERATURE: u8 = 0x31;
}

/// TLV tags of STATUS records.
pub mod status {
    /// Loop noise, u16.
    pub const NOISE: u8 = 0x01;
    /// GPS lock, u8 (0/1).
    pub const GPS: u8 = 0x06;
    /// Temperature, i16.
    pub const TEMPERATURE: u8 = 0x07;
    /// Satellites in use, u8.
    pub const SATINUSE: u8 = 0x0A;
    /// Loop triggers, u8.
    pub const LOOP_TRIGGERS: u8 = 0x0B;
    /// Input voltage, u8.
    pub const INPUT_VOLTAGE: u8 = 0x0C;
}

/// TLV tags of RESEND records (also the command a relay sends).
pub mod resend {
    /// First passing number to resend, u32.
    pub const FROM: u8 = 0x01;
    /// Last passing number to resend, u32.
    pub const UNTIL: u8 = 0x02;
}

/// TLV tags of ERROR records.
pub mod error {
    /// Error code, u16.
    pub const CODE: u8 = 0x01;
    /// Description, text.
    pub const DESCRIPTION: u8 = 0x02;
}

/// TLV tags of GET_TIME records.
pub mod get_time {
    /// Decoder RTC time, u64 µs.
    pub const RTC_TIME: u8 = 0x01;
    /// Flags, u16.
    pub const FLAGS: u8 = 0x04;
    /// UTC time, u64 µs.
    pub const UTC_TIME: u8 = 0x05;
}

/// TLV tags of VERSION records (two unverified tag sets exist; both are read).
pub mod version {
    /// Decoder type, u8 (vmindru set).
    pub const DECODER_TYPE: u8 = 0x01;
    /// Description, text (vmindru set).
    pub const DESCRIPTION: u8 = 0x02;
    /// Version, text (vmindru set).
    pub const VERSION: u8 = 0x03;
    /// Release, u32 (vmindru set).
    pub const RELEASE: u8 = 0x04;
    /// Registration, u64 (vmindru set).
    pub const REGISTRATION: u8 = 0x08;
    /// Build number, u16 (vmindru set).
    pub const BUILD_NUMBER: u8 = 0x0A;
    /// Options, u32 (vmindru set).
    pub const OPTIONS: u8 = 0x0C;
    /// Decoder id, u32 (erathe set).
    pub const ALT_DECODER_ID: u8 = 0x20;
    /// Description, text (erathe set).
    pub const ALT_DESCRIPTION: u8 = 0x21;
    /// Version, text (erathe set).
    pub const ALT_VERSION: u8 = 0x22;
    /// Build, u16 (erathe set).
    pub const ALT_BUILD: u8 = 0x23;
}
