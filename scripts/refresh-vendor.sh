#!/usr/bin/env bash
# Refresh the front-end packages served by Linli itself (no CDN on a government intranet).
# Run by a developer when upgrading a package; the results are committed under static/vendor/.
# Needs Node.js/npm; a user's setup never runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

# name@version  file-inside-package  destination-under-static/vendor
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${PACKAGES[@]}"; do
  read -r spec file dest <<<"$entry"
  pack_dir="$work/$(echo "$spec" | tr '@/' '__')"
  if [ ! -d "$pack_dir" ]; then
    mkdir -p "$pack_dir"
    (cd "$pack_dir" && npm pack --silent "$spec" >/dev/null)
  fi
  tarball=$(ls "$pack_dir"/*.tgz)
  mkdir -p "static/vendor/$(dirname "$dest")"
  tar -xzf "$tarball" -C "$work" "package/$file"
  cp "$work/package/$file" "static/vendor/$dest"
  rm -rf "$work/package"
  echo "$spec $file -> static/vendor/$dest"
done
# Record what is vendored, with checksums, so a review can see exactly what changed.
(cd static/vendor && find . -type f ! -name VERSIONS.txt | sort | xargs sha256sum) > static/vendor/VERSIONS.txt
printf '%s\n' "${PACKAGES[@]}" >> static/vendor/VERSIONS.txt
