import Foundation
@_exported import HighlightsBindings

/// The Highlights feature for one signed-in seller, the Swift way: observable screen state
/// published on the main actor, the core's work (SQLite, network) done off it, async/await for
/// everything, `close()` tied to the view's lifetime.
///
/// All logic lives in the Rust core; this class only forwards taps and publishes states.
@MainActor
public final class HighlightsStore: ObservableObject {
    /// Every screen's state; SwiftUI views read the part they render.
    @Published public private(set) var state: ViewState
    /// Why the core refused the seller's last tap, until the seller has read it; the screen stays
    /// as it was. Typed, so that the views word it in the seller's language.
    @Published public private(set) var refusal: Error?

    private let app: HighlightsApp
    private var subscription: UInt64 = 0

    private init(app: HighlightsApp, state: ViewState) {
        self.app = app
        self.state = state
    }

    /// Opens the core for `sellerId`, caching in `dbPath`, syncing with `baseURL`. `token` is asked
    /// before every request; return nil when signed out. Opening reads the cache off the main actor.
    public static func open(
        dbPath: String, sellerId: String, baseURL: String, token: @escaping @Sendable () -> String?
    ) async throws -> HighlightsStore {
        let (app, first) = try await offMain {
            let app = try HighlightsApp(dbPath: dbPath, sellerId: sellerId, baseUrl: baseURL, tokens: Tokens(token))
            return (app, try app.view())
        }
        let store = HighlightsStore(app: app, state: first)
        let relay = Relay(store)
        store.subscription = try await offMain { try app.subscribe(observer: relay) }
        return store
    }

    /// Forwards a seller event; throws `HighlightsError.Input` when the core refuses it.
    public func send(_ event: Event) async throws {
        let app = self.app
        // The observer's copy arrives a main-actor hop later; the tapping view needs it now.
        receive(try await offMain {
            try app.dispatch(event: event)
            return try app.view()
        })
    }

    /// Forwards a tap from a view that cannot wait; a refusal shows as `refusal`, the state stays as it was.
    public func tap(_ event: Event) {
        Task { await self.attempt { try await self.send(event) } }
    }

    /// Runs `work`; its error becomes `refusal`, so no failure is dropped silently.
    public func attempt(_ work: () async throws -> Void) async {
        do {
            try await work()
        } catch is CancellationError {
            // The view went away; nothing to tell.
        } catch {
            refusal = error
        }
    }

    /// The seller read the refusal.
    public func dismissRefusal() { refusal = nil }

    /// Pushes queued actions and pulls changes; cancelling the Task cancels the sync.
    @discardableResult
    public func sync() async throws -> SyncReport {
        let app = self.app
        let report = try await app.sync()
        receive(try await offMain { try app.view() })
        return report
    }

    /// Keeps data fresh while a screen is visible.
    public func startBackgroundSync() throws { try app.startBackgroundSync() }

    /// Pull-to-refresh.
    public func refresh() { app.refreshNow() }

    /// Abandons the background sync in flight.
    public func cancelSync() { app.cancelSync() }

    /// Stops sync; the store is unusable afterwards.
    public func close() async {
        let (app, subscription) = (self.app, self.subscription)
        await offMain { app.unsubscribe(subscription: subscription) }
        await app.shutdown()
    }

    fileprivate func receive(_ newState: ViewState) {
        if newState != state { state = newState }
    }
}

/// Runs blocking core work on a background thread, never on the main actor.
private func offMain<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await Task.detached(priority: .userInitiated, operation: work).value
}

/// Like the throwing `offMain`, for work that cannot fail.
private func offMain<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await Task.detached(priority: .userInitiated, operation: work).value
}

/// Hops every state from the core's thread to the main actor.
private final class Relay: StateObserver, @unchecked Sendable {
    private weak var store: HighlightsStore?

    init(_ store: HighlightsStore) { self.store = store }

    func onState(state: ViewState) throws {
        Task { @MainActor [weak store] in store?.receive(state) }
    }
}

private final class Tokens: TokenProvider, @unchecked Sendable {
    private let provide: @Sendable () -> String?

    init(_ provide: @escaping @Sendable () -> String?) { self.provide = provide }

    func token() throws -> String {
        guard let token = provide() else { throw ShellError.Failed(reason: "signed out") }
        return token
    }
}
