// swift-tools-version:5.9
// The Swift shell of Auto LIVE Highlights. `scripts/package-ios.sh` builds the Rust core into
// Frameworks/HighlightsCoreFFI.xcframework and generates Sources/HighlightsBindings; then
// `swift test` (macOS) runs the XCTest journeys against the real server.
import PackageDescription

let package = Package(
    name: "Highlights",
    defaultLocalization: "en",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "HighlightsKit", targets: ["HighlightsKit"]),
        .library(name: "HighlightsUI", targets: ["HighlightsUI"]),
    ],
    targets: [
        // The Rust core as static libraries plus the C headers of its FFI (highlights_*FFI modules).
        .binaryTarget(name: "HighlightsCoreFFI", path: "Frameworks/HighlightsCoreFFI.xcframework"),
        // uniffi-generated Swift (generated, not committed): one module for all three crates.
        .target(name: "HighlightsBindings", dependencies: ["HighlightsCoreFFI"], path: "Sources/HighlightsBindings"),
        .target(name: "HighlightsKit", dependencies: ["HighlightsBindings"]),
        // Localizable.strings (en, id) are generated from the Android app's strings.xml.
        .target(name: "HighlightsUI", dependencies: ["HighlightsKit"], resources: [.process("Resources")]),
        .testTarget(name: "HighlightsKitTests", dependencies: ["HighlightsKit"]),
    ]
)
