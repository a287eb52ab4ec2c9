#!/usr/bin/env bash
# Workstation packaging for iOS (macOS with Xcode): builds the core for device, simulator and macOS,
# generates the Swift bindings, and assembles ios/Frameworks/HighlightsCoreFFI.xcframework.
# Then `cd ios && swift test` runs the XCTest journeys on macOS, and apps add the Swift package.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "$(uname)" != Darwin ]] || ! command -v xcodebuild >/dev/null; then
  echo "package-ios: needs macOS with Xcode (xcodebuild)" >&2
  exit 1
fi
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
  # URLSessionTransport carries the requests: no TLS stack of its own.
  cargo build --profile mobile -p highlights-ffi --no-default-features --target "$t" --locked
done
lib=libhighlights_ffi.a
out=target/xcframework
rm -rf "$out" ios/Frameworks/HighlightsCoreFFI.xcframework
mkdir -p "$out/ios" "$out/sim" "$out/macos" "$out/headers"
cp "target/aarch64-apple-ios/mobile/$lib" "$out/ios/"
lipo -create target/aarch64-apple-ios-sim/mobile/$lib target/x86_64-apple-ios/mobile/$lib -output "$out/sim/$lib"
lipo -create target/aarch64-apple-darwin/mobile/$lib target/x86_64-apple-darwin/mobile/$lib -output "$out/macos/$lib"

cargo run -q -p uniffi-bindgen --locked -- generate --library "target/aarch64-apple-darwin/mobile/libhighlights_ffi.dylib" \
  --language swift --out-dir "$out/gen"
cp "$out"/gen/*.swift ios/Sources/HighlightsBindings/
cp "$out"/gen/*.h "$out/headers/"
cat "$out"/gen/*.modulemap > "$out/headers/module.modulemap"

xcodebuild -create-xcframework \
  -library "$out/ios/$lib" -headers "$out/headers" \
  -library "$out/sim/$lib" -headers "$out/headers" \
  -library "$out/macos/$lib" -headers "$out/headers" \
  -output ios/Frameworks/HighlightsCoreFFI.xcframework
echo "XCFramework: ios/Frameworks/HighlightsCoreFFI.xcframework"
