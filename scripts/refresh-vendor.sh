#!/usr/bin/env bash
# Refresh the front-end packages served by Linli itself (no CDN on a government intranet), and
# the packages only the browser tests use (axe-core), which live under tests/ and are never served.
# Run by a developer when upgrading a package; the results are committed under static/vendor/ and
# tests/browser/vendor/.
# Needs Node.js/npm; a user's setup never runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

# name@version  file-inside-package  destination-under-static/vendor (served by the app)
PACKAGES=(
  "htmx.org@2.0.11 dist/htmx.min.js htmx/htmx.min.js"
  "echarts@6.1.0 dist/echarts.min.js echarts/echarts.min.js"
  "leaflet@1.9.4 dist/leaflet.js leaflet/leaflet.js"
  "leaflet@1.9.4 dist/leaflet.js.map leaflet/leaflet.js.map"
  "leaflet@1.9.4 dist/leaflet.css leaflet/leaflet.css"
  "leaflet@1.9.4 dist/images/layers.png leaflet/images/layers.png"
  "leaflet@1.9.4 dist/images/layers-2x.png leaflet/images/layers-2x.png"
  "leaflet@1.9.4 dist/images/marker-icon.png leaflet/images/marker-icon.png"
  "leaflet@1.9.4 dist/images/marker-icon-2x.png leaflet/images/marker-icon-2x.png"
  "leaflet@1.9.4 dist/images/marker-shadow.png leaflet/images/marker-shadow.png"
)
# name@version  file-inside-package  destination-under-tests/browser/vendor (tests only: the
# accessibility test injects it into pages; nothing under tests/ is served)
TEST_PACKAGES=(
  "axe-core@4.14.1 axe.min.js axe-core/axe.min.js"
  "axe-core@4.14.1 LICENSE axe-core/LICENSE"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# vendor ROOT ENTRY...: unpack each "spec file dest" entry into ROOT/dest, then record in
# ROOT/VERSIONS.txt what is vendored, with checksums, so a review can see exactly what changed.
vendor() {
  local root=$1 entry spec file dest pack_dir tarball
  shift
  for entry in "$@"; do
    read -r spec file dest <<<"$entry"
    pack_dir="$work/$(echo "$spec" | tr '@/' '__')"
    if [ ! -d "$pack_dir" ]; then
      mkdir -p "$pack_dir"
      (cd "$pack_dir" && npm pack --silent "$spec" >/dev/null)
    fi
    tarball=$(ls "$pack_dir"/*.tgz)
    mkdir -p "$root/$(dirname "$dest")"
    tar -xzf "$tarball" -C "$work" "package/$file"
    cp "$work/package/$file" "$root/$dest"
    rm -rf "$work/package"
    echo "$spec $file -> $root/$dest"
  done
  (cd "$root" && find . -type f ! -name VERSIONS.txt | sort | xargs sha256sum) > "$root/VERSIONS.txt"
  printf '%s\n' "$@" >> "$root/VERSIONS.txt"
}

vendor static/vendor "${PACKAGES[@]}"
vendor tests/browser/vendor "${TEST_PACKAGES[@]}"
