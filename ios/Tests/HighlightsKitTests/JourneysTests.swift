import XCTest
@testable import HighlightsKit

/// The seller journeys against the real server, mirroring android's JourneysTest.
/// Needs HIGHLIGHTS_SERVER_BIN (target/debug/highlights-server); scripts/swift-checks.sh sets it.
@MainActor
final class JourneysTests: XCTestCase {
    private var server: Process!
    private var dataDir: URL!
    private var url = ""

    override func setUp() async throws {
        let bin = try XCTUnwrap(ProcessInfo.processInfo.environment["HIGHLIGHTS_SERVER_BIN"])
        dataDir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let port = Int.random(in: 20_000..<60_000)
        url = "http://127.0.0.1:\(port)"
        server = Process()
        server.executableURL = URL(fileURLWithPath: bin)
        server.arguments = ["serve", "--addr", "127.0.0.1:\(port)", "--data", dataDir.path, "--replaying"]
        try server.run()
        for _ in 0..<200 {
            if let (_, resp) = try? await URLSession.shared.data(from: URL(string: url + "/healthz")!),
               (resp as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("server did not start")
    }

    override func tearDown() async throws {
        server.terminate()
        server.waitUntilExit()
    }

    private func admin(_ args: String...) throws -> String {
        let p = Process()
        p.executableURL = server.executableURL
        p.arguments = ["admin", "--data", dataDir.path] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func store(_ seller: String, token: String) async throws -> HighlightsStore {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".db")
        return try await HighlightsStore.open(dbPath: db.path, sellerId: seller, baseURL: url, token: { token })
    }

    func testToggleJourneyGoesThroughOnboarding() async throws {
        let token = try admin("create-seller", "ios-toggle")
        let s = try await store("ios-toggle", token: token)
        try await s.sync()
        // Synced once and online: the screens leave their loading and never-synced states.
        XCTAssertTrue(s.state.sync.attempted)
        XCTAssertFalse(s.state.sync.syncing)
        XCTAssertNotNil(s.state.sync.lastUpdatedMs)
        try await s.send(.openHighlights)
        XCTAssertEqual(s.state.highlights.limits?.maxPostsPerLive, 20)
        try await s.send(.setToggle(on: true))
        XCTAssertEqual(s.state.onboarding?.origin, .toggle)
        try await s.send(.confirmOnboarding)
        XCTAssertTrue(s.state.highlights.on)
        XCTAssertEqual(s.state.screen, .module)
        let report = try await s.sync()
        XCTAssertEqual(report.push.delivered, 2)
        await s.close()
    }

    func testPopupShowsForTheExperimentAndXStartsTheCooldown() async throws {
        let token = try admin("create-seller", "ios-popup")
        _ = try admin("pin-experiments", "ios-popup", "--popup", "true")
        let s = try await store("ios-popup", token: token)
        try await s.sync()
        try await s.send(.shoppingBagTapped)
        XCTAssertEqual(s.state.popup?.maxPostsPerLive, 20)
        try await s.send(.popupDismiss)
        try await s.send(.shoppingBagTapped)
        XCTAssertNil(s.state.popup)
        await s.close()
    }

    func testModulePagesRecordingsAndCreatesAVideo() async throws {
        let token = try admin("create-seller", "ios-module")
        let service = try admin("service-token")
        let t0: Int64 = 1_793_491_200_000
        var events: [String] = []
        for i in 0..<60 {
            let id = String(format: "ios-module-%03d", i), start = t0 + Int64(i) * 3_600_000
            events.append(#"{"ts_ms":\#(start),"live_id":"\#(id)","type":"live_start"}"#)
            events.append(#"{"ts_ms":\#(start + 1000),"live_id":"\#(id)","type":"product_pin","product_id":"sku-1"}"#)
            events.append(#"{"ts_ms":\#(start + 1_800_000),"live_id":"\#(id)","type":"live_end"}"#)
        }
        var req = URLRequest(url: URL(string: url + "/v1/ingest/events")!)
        req.httpMethod = "POST"
        req.setValue("Bearer \(service)", forHTTPHeaderField: "Authorization")
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = Data(#"{"seller_id":"ios-module","events":[\#(events.joined(separator: ","))]}"#.utf8)
        _ = try await URLSession.shared.data(for: req)

        let s = try await store("ios-module", token: token)
        try await s.sync()
        try await s.send(.openModule)
        XCTAssertEqual(s.state.module.recordings.count, 50)
        XCTAssertTrue(s.state.module.hasMore)
        try await s.send(.loadMoreRecordings)
        XCTAssertEqual(s.state.module.recordings.count, 60)
        let rec = s.state.module.recordings[0]
        try await s.send(.openRecording(recordingId: rec.id))
        // No recording arrived for these LIVEs: the clip editor's timeline has no frames yet.
        let board = try await s.recordingStoryboard(recordingId: rec.id)
        XCTAssertTrue(board.strips.isEmpty)
        XCTAssertEqual(s.state.module.currency.count, 3)
        try await s.send(.createVideo(recordingId: rec.id, startMs: rec.startedAtMs + 60_000, endMs: rec.startedAtMs + 80_000, productId: "sku-1"))
        XCTAssertEqual(s.state.recording?.highlights.first?.badge, .pending)
        try await s.sync()
        XCTAssertEqual(s.state.recording?.highlights.first?.badge, .posted)
        await s.close()
    }

    func testErrorsArriveAsSwiftErrors() async throws {
        let token = try admin("create-seller", "ios-errors")
        let s = try await store("ios-errors", token: token)
        do {
            try await s.send(.openRecording(recordingId: "nope"))
            XCTFail("an unknown recording was opened")
        } catch HighlightsError.Input(let problem, _) {
            XCTAssertEqual(problem, .unknownRecording)
        }
        let signedOut = try await store("ios-errors", token: "hlt_wrong")
        do {
            try await signedOut.sync()
            XCTFail("sync with a wrong token succeeded")
        } catch HighlightsError.Auth {
        }
        await s.close()
        await signedOut.close()
    }
}
