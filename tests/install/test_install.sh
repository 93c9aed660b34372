#!/usr/bin/env bash
# cmake --install into a prefix, then the installed binary run from another directory with the
# source and build trees hidden (a tmpfs mounted over them in a private mount namespace), as on
# a compute node that sees only the install: it must start (run paths), load its SentencePiece
# shim from lib/conceptlens/ relative to itself (an ALBERT extraction, whose file must equal the
# build tree's byte for byte), and plan the installed demo job with its bundled data and models.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR. Exit 77 (ctest: skipped) with the reason where
# mount namespaces are not allowed.
set -euo pipefail
build=$(realpath "$1")
source_dir=$(realpath "$2")
fail() { echo "FAILED: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ] || ! unshare --mount true 2>/dev/null; then
  echo "SKIPPED: install test: needs root and mount namespaces (unshare --mount) to hide the build tree"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/conceptlens-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$work" in "$source_dir"/* | "$build"/*) fail "the scratch folder $work must lie outside the trees it hides" ;; esac
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
for file in bin/conceptlens lib/conceptlens/libconceptlens_spm_shim.so share/conceptlens/jobs/demo.toml \
            share/conceptlens/jobs/nightly.toml share/conceptlens/jobs/slurm/nightly.sbatch \
            share/conceptlens/jobs/slurm/demo.sbatch share/conceptlens/jobs/models/tiny-bert/model.safetensors; do
  [ -e "$prefix/$file" ] || fail "cmake --install did not install $file"
done
[ -x "$prefix/share/conceptlens/jobs/slurm/demo.sbatch" ] || fail "the batch scripts are not executable"
echo "installed $(find "$prefix" -type f | wc -l) files into $prefix"

# inputs outside the hidden trees; the build tree's own result to compare with
cp -r "$source_dir/tests/data/hf/models/albert" "$work/albert"
head -n 4 "$source_dir/tests/data/hf/sentences.txt" >"$work/sentences.txt"
"$build/mpi/conceptlens" extract --model "$work/albert" --corpus "$work/sentences.txt" --out "$work/build-tree.h5" \
  >"$work/build-tree.log" 2>&1 || { cat "$work/build-tree.log"; fail "extraction by the build tree's binary"; }

mkdir "$work/elsewhere"
cat >"$work/installed.sh" <<SCRIPT
set -euo pipefail
mount -t tmpfs none "$source_dir"
[ -e "$build" ] && mount -t tmpfs none "$build"
cd "$work/elsewhere"
"$prefix/bin/conceptlens" --version
"$prefix/bin/conceptlens" extract --model "$work/albert" --corpus "$work/sentences.txt" --out installed.h5
"$prefix/bin/conceptlens" sweep "$prefix/share/conceptlens/jobs/demo.toml" --out demo --dry-run
SCRIPT
unshare --mount --propagation private bash "$work/installed.sh" >"$work/installed.log" 2>&1 ||
  { cat "$work/installed.log"; fail "the installed binary, with the source and build trees hidden"; }
grep -q "^0\.[0-9]" "$work/installed.log" || { cat "$work/installed.log"; fail "--version"; }
cmp "$work/build-tree.h5" "$work/elsewhere/installed.h5" || fail "the installed binary's ALBERT extraction differs from the build tree's"
grep -q "57 stages, 0 complete, 57 to run" "$work/installed.log" || { cat "$work/installed.log"; fail "the installed demo job"; }
echo "installed binary: starts, loads its SentencePiece shim (ALBERT extraction byte-identical), plans the installed demo"
