#!/usr/bin/env bash
# Packages the seller's desktop app (android/desktop: the Compose screens on the real core) as an
# installable Debian package with jpackage: the app's jars, the core's native library (stripped),
# Skiko's native library, and a jlink runtime image holding only the modules the app uses.
#   scripts/package-desktop.sh              → target/desktop/auto-live-highlights_<version>_amd64.deb
#   scripts/package-desktop.sh --app-image  → target/desktop/auto-live-highlights/ (no .deb; quicker)
#   scripts/package-desktop.sh --dry-run    → the app image with the debug core, then its launcher's
#                                              --self-check (headless: runtime, core library, strings);
#                                              what CI runs
# HIGHLIGHTS_PROFILE=debug packages the debug core (for a quick check; ship the release one).
# scripts/desktop-installed-test.sh installs the .deb into a temporary root and uses it under Xvfb.
# The same steps make an MSI or DMG on those systems: build highlights-ffi there (a .dll or .dylib),
# take that OS's skiko-awt-runtime jar, run jlink with that JDK, and call jpackage with --type msi
# (Windows, needs WiX 3) or --type dmg (macOS, then sign it); jpackage cannot cross-package.
set -euo pipefail
cd "$(dirname "$0")/.."

type=deb
dry_run=
profile=${HIGHLIGHTS_PROFILE:-release}
case ${1:-} in
  --app-image) type=app-image ;;
  --dry-run) type=app-image dry_run=1 profile=debug ;;
  "") ;;
  *) echo "usage: scripts/package-desktop.sh [--app-image | --dry-run]" >&2; exit 2 ;;
esac
for tool in cargo mvn jlink jpackage jdeps; do
  command -v "$tool" >/dev/null || { echo "package-desktop: $tool is missing (sudo apt-get install maven openjdk-17-jdk-headless)" >&2; exit 1; }
done
if [[ $type == deb ]]; then
  for tool in fakeroot dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "package-desktop: $tool is missing (sudo apt-get install fakeroot dpkg-dev)" >&2; exit 1; }
  done
fi

name=auto-live-highlights
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
out=target/desktop
rm -rf "$out" && mkdir -p "$out/input"

flags=(--locked)
[[ $profile == release ]] && flags+=(--release)
cargo build -p highlights-ffi "${flags[@]}"
lib=target/$profile/libhighlights_ffi.so
gen=android/target/generated-sources/uniffi
rm -rf "$gen"
cargo run -q -p uniffi-bindgen --locked -- generate --library "$lib" --language kotlin --no-format --out-dir "$gen"
(cd android/desktop && mvn -B -ntp -q clean compile dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt)

# The app's own classes as one jar, every dependency beside it; Skiko's native library unpacked
# (so a first start does not copy 30 MB into the home folder) and its runtime jar left out.
jar --create --file "$out/input/highlights-desktop.jar" -C android/desktop/target/classes .
tr ':' '\n' <android/desktop/target/classpath.txt | while read -r dep; do
  [[ -z $dep ]] && continue
  # Test libraries that reach the runtime classpath through the UI-test artifacts stay out.
  case $(basename "$dep") in junit-* | opentest4j-* | apiguardian-* | kotlin-test-* | kotlinx-coroutines-test-* | ui-test-*) continue ;; esac
  if [[ $(basename "$dep") == skiko-awt-runtime-linux-x64-*.jar ]]; then
    abs=$(realpath "$dep")
    (cd "$out/input" && jar --extract --file "$abs" libskiko-linux-x64.so)
  else
    cp "$dep" "$out/input/"
  fi
done
[[ -f $out/input/libskiko-linux-x64.so ]] || { echo "package-desktop: Skiko's Linux library not found on the classpath" >&2; exit 1; }
strip --strip-unneeded -o "$out/input/libhighlights_ffi.so" "$lib"

# Only the modules the jars use, plus the locale data the screens format dates and money with.
modules=$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps "$out"/input/*.jar)
jlink --add-modules "$modules,jdk.localedata" --include-locales=en,id --strip-debug \
  --no-header-files --no-man-pages --generate-cds-archive --compress=2 --output "$out/runtime"
# The class-data archive for heaps over 32 GB: this app never has one.
rm -f "$out/runtime/lib/server/classes_nocoops.jsa"

args=(--type "$type" --dest "$out" --name "$name" --app-version "$version"
  --input "$out/input" --main-jar highlights-desktop.jar --main-class live.highlights.desktop.MainKt
  --runtime-image "$out/runtime" --icon android/desktop/src/main/resources/icons/auto-live-highlights.png
  --java-options '-Djna.library.path=$APPDIR' --java-options '-Dskiko.library.path=$APPDIR'
  --description "Auto LIVE Highlights: a seller's highlights of their shoppable LIVEs")
if [[ $type == deb ]]; then
  # The preview plays videos through ffmpeg: a dependency of the package, not of the build.
  args+=(--linux-package-deps ffmpeg --linux-shortcut --linux-menu-group AudioVideo --linux-app-category video
    --linux-deb-maintainer "sellers-desktop@example.invalid")
fi
jpackage "${args[@]}"
if [[ -n $dry_run ]]; then
  # Headless: the packaged runtime starts, finds the core library and the strings, opens a cache.
  "$out/$name/bin/$name" --self-check
  echo "package-desktop: dry run passed ($(du -sh "$out/$name" | cut -f1) app image with the debug core; the .deb is the same plus dpkg-deb)"
  exit 0
fi
ls -l "$out"/*.deb 2>/dev/null || ls -d "$out/$name"
