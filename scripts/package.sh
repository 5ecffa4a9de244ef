#!/usr/bin/env bash
# Builds the Debian package of registrar (CPack, packaging/): a g++ Release build of the server in
# build-release/ (the build scripts/demo.sh and scripts/test.sh make), then the .deb in dist/.
#   scripts/package.sh [VERSION]     e.g. scripts/package.sh 0.2.0 → dist/registrar_0.2.0-1_amd64.deb
# REGISTRAR_PACKAGE_BUILD=DIR packages an existing build directory instead (no build here; the
# test of the package uses this with the build scripts/test.sh already made).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

version=${1:-}
out=${REGISTRAR_PACKAGE_OUT:-$root/dist}
build=${REGISTRAR_PACKAGE_BUILD:-}
if [ -z "$build" ]; then
  scripts/install-deps.sh
  build="build-release"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREGISTRAR_TESTS=OFF \
    -DREGISTRAR_BENCH=OFF
  cmake --build "$build" --target registrar -j "$(nproc)"
fi
if [ ! -x "$build/src/registrar" ]; then
  echo "package.sh: $build/src/registrar is not built" >&2
  exit 2
fi
# cpack runs the install step of the whole build tree; configure again so that a tree configured
# before packaging existed (cmake/Packaging.cmake) has its CPack files.
cmake "$build" >/dev/null
args=(-G DEB -B "$out" --config "$build/CPackConfig.cmake")
if [ -n "$version" ]; then args+=(-D "CPACK_DEBIAN_PACKAGE_VERSION=$version"); fi
mkdir -p "$out"
cpack "${args[@]}" >"$out/cpack.log" 2>&1 || { cat "$out/cpack.log" >&2; exit 1; }
rm -rf "$out/_CPack_Packages"
deb=$(sed -n 's/.*package: \(.*\.deb\) generated.*/\1/p' "$out/cpack.log" | tail -n 1)
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  cat "$out/cpack.log" >&2
  exit 1
fi
echo "$deb"
