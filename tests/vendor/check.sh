#!/usr/bin/env bash
# saerl/tests/vendor/check.sh — proves the two ways of vendoring saerl (`make vendor`):
#  1. copying its headers (core/ gridworld/ dqn/ sae/) into a project's third_party/ directory;
#  2. as a Meson subproject (subprojects/saerl), with dependency('saerl').
# Each builds tests/vendor/app.cpp in a fresh directory outside this tree, with -std=c++17
# and -std=c++20, and runs it.
#   bash tests/vendor/check.sh [CXX]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cxx=${1:-g++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== vendoring by copying the headers ($cxx)"
mkdir -p "$work/copy/third_party/saerl"
cp -r "$root/core" "$root/gridworld" "$root/dqn" "$root/sae" "$work/copy/third_party/saerl/"
cp "$root/tests/vendor/app.cpp" "$work/copy/"
for std in c++17 c++20; do
  "$cxx" -std=$std -O2 -Wall -Wextra -Wpedantic -Werror -I"$work/copy/third_party/saerl" "$work/copy/app.cpp" -o "$work/copy/app"
  echo -n "$std: " && "$work/copy/app"
done

echo "== vendoring as a Meson subproject"
if ! command -v meson >/dev/null; then echo "error: meson not found (sudo apt-get install meson ninja-build)" >&2; exit 1; fi
mkdir -p "$work/meson/subprojects"
cp "$root/tests/vendor/app.cpp" "$root/tests/vendor/meson.build" "$work/meson/"
mkdir "$work/meson/subprojects/saerl"
cp -r "$root/core" "$root/gridworld" "$root/dqn" "$root/sae" "$root/meson.build" "$work/meson/subprojects/saerl/"
for std in c++17 c++20; do
  CXX=$cxx meson setup "$work/meson/build-$std" "$work/meson" -Dcpp_std=$std >/dev/null
  meson compile -C "$work/meson/build-$std" >/dev/null
  echo -n "$std: " && "$work/meson/build-$std/app"
done
