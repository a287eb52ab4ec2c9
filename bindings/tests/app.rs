//! The adapter as a shell sees it: typed errors, observers, and a drop from any thread.

use std::sync::{Arc, Mutex};

use highlights_core::{Event, ViewState};
use highlights_ffi::{HighlightsApp, HighlightsError, InputProblem, ShellError, StateObserver, TokenProvider};

struct NoToken;

impl TokenProvider for NoToken {
    fn token(&self) -> Result<String, ShellError> {
        Err(ShellError::Failed { reason: "signed out".into() })
    }
}

#[derive(Default)]
struct Seen(Mutex<Vec<ViewState>>);

impl StateObserver for Seen {
    fn on_state(&self, state: ViewState) -> Result<(), ShellError> {
        self.0.lock().unwrap().push(state);
        // A throwing observer must not break the core.
        Err(ShellError::Failed { reason: "observer threw".into() })
    }
}

fn app(dir: &tempfile::TempDir) -> Arc<HighlightsApp> {
    let db = dir.path().join("h.db").to_string_lossy().into_owned();
    HighlightsApp::new(db, "seller-a".into(), "http://127.0.0.1:9".into(), Arc::new(NoToken), None).unwrap()
}

#[test]
fn errors_are_typed_and_observers_fire() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir);
    let seen = Arc::new(Seen::default());
    let id = app.subscribe(seen.clone()).unwrap();
    app.dispatch(Event::OpenHighlights).unwrap();
    let err = app.dispatch(Event::OpenRecording { recording_id: String::new() }).unwrap_err();
    assert!(matches!(err, HighlightsError::Input { problem: InputProblem::InvalidId, .. }));
    app.unsubscribe(id);
    assert_eq!(seen.0.lock().unwrap().len(), 2, "current state, then one change; the failed event published nothing");
    let err = HighlightsApp::new(String::new(), String::new(), String::new(), Arc::new(NoToken), None).err().unwrap();
    assert!(matches!(err, HighlightsError::Input { problem: InputProblem::InvalidId, .. }));
}

#[tokio::test]
async fn sync_without_a_token_is_an_auth_error_and_dropping_inside_async_code_is_safe() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir);
    assert!(matches!(app.sync().await, Err(HighlightsError::Auth { .. })));
    app.start_background_sync().unwrap();
    app.refresh_now();
    app.cancel_sync();
    app.shutdown().await;
    assert!(matches!(app.sync().await, Err(HighlightsError::Cancelled)), "after shutdown");
    drop(app);
    let again = self::app(&dir);
    drop(again);
}
