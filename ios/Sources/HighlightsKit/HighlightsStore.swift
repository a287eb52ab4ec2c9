import Foundation
@_exported import HighlightsBindings

/// The Highlights feature for one signed-in seller, the Swift way: observable screen state on the
/// main actor, async/await for sync, `close()` tied to the view's lifetime.
///
/// All logic lives in the Rust core; this class only forwards taps and publishes states.
@MainActor
public final class HighlightsStore: ObservableObject {
    /// Every screen's state; SwiftUI views read the part they render.
    @Published public private(set) var state: ViewState

    private let app: HighlightsApp
    private var subscription: UInt64 = 0

    /// Opens the core for `sellerId`, caching in `dbPath`, syncing with `baseURL`. `token` is asked
    /// before every request; return nil when signed out.
    public init(dbPath: String, sellerId: String, baseURL: String, token: @escaping @Sendable () -> String?) throws {
        app = try HighlightsApp(dbPath: dbPath, sellerId: sellerId, baseUrl: baseURL, tokens: Tokens(token))
        state = try app.view()
        subscription = try app.subscribe(observer: Relay(self))
    }

    /// Forwards a seller event; throws `HighlightsError.Input` when the core refuses it.
    public func send(_ event: Event) throws {
        try app.dispatch(event: event)
        // The observer's copy arrives a main-actor hop later; the tapping view needs it now.
        receive(try app.view())
    }

    /// Pushes queued actions and pulls changes; cancelling the Task cancels the sync.
    @discardableResult
    public func sync() async throws -> SyncReport {
        let report = try await app.sync()
        receive(try app.view())
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
        app.unsubscribe(subscription: subscription)
        await app.shutdown()
    }

    fileprivate func receive(_ newState: ViewState) {
        if newState != state { state = newState }
    }
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
