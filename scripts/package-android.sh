#!/usr/bin/env bash
# Workstation packaging for Android (needs the Android SDK + NDK, ANDROID_NDK_HOME set):
# builds the core for the Android ABIs with cargo-ndk into jniLibs, then the AAR with Gradle.
# Output: android/highlights/build/outputs/aar/highlights-release.aar
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${ANDROID_NDK_HOME:-}" ]]; then
  echo "package-android: ANDROID_NDK_HOME is not set; install the NDK (sdkmanager 'ndk;27.2.12479018')" >&2
  exit 1
fi
command -v cargo-ndk >/dev/null || cargo install cargo-ndk --locked
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o android/highlights/src/main/jniLibs \
  build --profile mobile -p highlights-ffi --no-default-features --locked  # OkHttpTransport carries the requests
# The Gradle build regenerates the android=true bindings (bindings/uniffi-android.toml) itself.
(cd android && gradle :highlights:assembleRelease :app:assembleDebug)
echo "AAR: android/highlights/build/outputs/aar/highlights-release.aar"
