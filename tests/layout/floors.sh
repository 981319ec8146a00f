#!/usr/bin/env bash
# The floors only look down: every #include of a lift3d header from src/<floor>/ must name a floor
# that floor may see. base sees nothing of ours but the public headers (include/lift3d/); io and
# core see base (and not each other); pipeline sees io and core; app and api see everything below.
# Usage: floors.sh SOURCE_DIR
set -euo pipefail
src="$1/src"

allowed() {  # allowed <floor> <included floor>
  case "$1:$2" in
    *:lift3d) return 0 ;;  # public headers: errors, sequences, the API
    base:base) return 0 ;;
    io:base | io:io) return 0 ;;
    core:base | core:core) return 0 ;;
    pipeline:base | pipeline:io | pipeline:core | pipeline:pipeline) return 0 ;;
    api:base | api:io | api:core | api:pipeline | api:api) return 0 ;;
    app:base | app:io | app:core | app:pipeline | app:app) return 0 ;;
  esac
  return 1
}

violations=0
checked=0
for dir in "$src"/*/; do
  floor=$(basename "$dir")
  # A floor's files, those of its sub-folders (core/training/) included.
  while IFS= read -r file; do
    while IFS= read -r included; do
      target=${included%%/*}
      checked=$((checked + 1))
      if ! allowed "$floor" "$target"; then
        echo "floor violation: ${file#"$src"/} includes \"$included\""
        violations=$((violations + 1))
      fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
  done < <(find "$dir" -name '*.hpp' -o -name '*.cpp' | sort)
done
# The public headers are installed alone: they may include only each other.
for file in "$1"/include/lift3d/*.hpp; do
  while IFS= read -r included; do
    checked=$((checked + 1))
    if [[ "$included" != lift3d/* ]]; then
      echo "public header include/lift3d/$(basename "$file") includes internal \"$included\""
      violations=$((violations + 1))
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done
((checked > 100)) || { echo "only $checked includes found: is $src the source tree?"; exit 1; }
if ((violations)); then
  echo "$violations include(s) run up a floor"
  exit 1
fi
echo "floors: $checked includes, all looking down"
