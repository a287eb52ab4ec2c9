use highlights_engine::sim::{Burst, Planted, StreamSpec, generate};
use highlights_engine::{Engine, EngineConfig};
fn main() {
    let mut s = StreamSpec::new("huge", 1_793_491_200_000, 402);
    s.viewers = 200_000.0;
    s.duration_s = 6 * 60;
    s.planted = vec![
        Planted { at_s: 150, dur_s: 20, kind: Burst::Conversion, strength: 3.0 },
        Planted { at_s: 280, dur_s: 16, kind: Burst::Engagement, strength: 2.5 },
    ];
    let ev = generate(&s);
    for enter in [6.0f32, 3.0] {
        let mut e = Engine::new(EngineConfig { enter_score: enter, ..Default::default() });
        for x in &ev {
            if let Some(m) = e.push(x) {
                println!("enter {enter}: peak {} score {} {:?}", (m.peak_ms - s.start_ms) / 1000, m.score, m.signals);
            }
        }
    }
}
