import Foundation
@_exported import HighlightsBindings

/// The core's state of the Highlights screen, under a name HighlightsUI can use: there
/// `HighlightsScreen` is the SwiftUI screen itself.
public typealias HighlightsScreenState = HighlightsScreen

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
    // Media bytes by URL: thumbnails and storyboards are asked for by every card that shows them.
    private let mediaCache: NSCache<NSString, NSData> = {
        let cache = NSCache<NSString, NSData>()
        cache.totalCostLimit = 64 << 20
        return cache
    }()
    private var mediaInFlight: [String: Task<Data, Error>] = [:]

    private init(app: HighlightsApp, state: ViewState) {
        self.app = app
        self.state = state
    }

    /// Opens the core for `sellerId`, caching in `dbPath`, syncing with `baseURL` through iOS's own
    /// network stack (the library has none of its own). `token` is asked before every request;
    /// return nil when signed out. Opening reads the cache off the main actor.
    public static func open(
        dbPath: String, sellerId: String, baseURL: String, transport: HttpTransport = URLSessionTransport.shared,
        token: @escaping @Sendable () -> String?
    ) async throws -> HighlightsStore {
        let (app, first) = try await offMain {
            let app = try HighlightsApp(
                dbPath: dbPath, sellerId: sellerId, baseUrl: baseURL, tokens: Tokens(token), transport: transport)
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

    /// The bytes of a media URL from the view (thumbnail, storyboard, video), fetched by the core
    /// with the seller's token when the URL is on the API's host; kept in memory by URL, and one
    /// fetch per URL at a time however many views ask. Throws `HighlightsError`.
    public func media(url: String) async throws -> Data {
        if let hit = mediaCache.object(forKey: url as NSString) { return hit as Data }
        if let running = mediaInFlight[url] { return try await running.value }
        let app = self.app
        let fetch = Task { try await app.media(url: url) }
        mediaInFlight[url] = fetch
        defer { mediaInFlight[url] = nil }
        let data = try await fetch.value
        mediaCache.setObject(data as NSData, forKey: url as NSString, cost: data.count)
        return data
    }

    /// The recording's frames so far, strip by strip in time order (empty before any video
    /// arrived), for the clip editor's timeline. Throws `HighlightsError`.
    public func recordingStoryboard(recordingId: String) async throws -> RecordingStoryboard {
        try await app.recordingStoryboard(recordingId: recordingId)
    }

    /// Dismisses the "scheduled" and "posted" notifications of a recording (every recording when
    /// nil): after a "remove all" they would say something no longer true.
    public func dismissPostNotifications(recordingId: String?) async throws {
        let stale = state.notifications.filter { n in
            (recordingId == nil || n.recordingId == recordingId) && (n.kind == .scheduled || n.kind == .posted)
        }
        for n in stale { try await send(.dismissNotification(id: n.id)) }
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
