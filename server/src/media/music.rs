//! The background-music library: a few short tracks synthesised by ffmpeg from expressions, so the
//! project ships and downloads no audio.

/// One generated track: a name for logs and an `aevalsrc` expression of `t` (seconds).
pub struct Track {
    /// Name, for logs.
    pub name: &'static str,
    /// Mono sample value at time `t`, in -1..1.
    pub expr: &'static str,
}

/// The library. Each loops naturally (it is periodic in `t`), so any clip length works.
pub const TRACKS: [Track; 3] = [
    Track { name: "pulse", expr: "0.25*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*2*t))" },
    Track { name: "arpeggio", expr: "0.2*sin(2*PI*261.63*pow(2\\,floor(mod(t*4\\,4))*4/12)*t)" },
    Track { name: "pluck", expr: "0.12*(sin(2*PI*196*t)+sin(2*PI*246.94*t)+sin(2*PI*293.66*t))*(1-mod(t*2\\,1))" },
];

/// The track for a highlight: stable per highlight, spread across the library.
pub fn track_for(highlight_id: &str) -> &'static Track {
    let h = highlight_id.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    &TRACKS[h as usize % TRACKS.len()]
}
