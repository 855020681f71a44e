#!/usr/bin/env bash
# Regenerates Sources/ModelRuntime/Proto/onnx.pb.swift from proto/onnx.proto.
# Needs protoc (apt-get install protobuf-compiler) and builds protoc-gen-swift 1.39.0 from the local
# swift-protobuf package (this machine serves it from its local mirror) into a throwaway directory (about 4 min). Never run in CI: the output is committed.
# Set PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift to reuse a plugin you already built.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v protoc >/dev/null; then
    apt-get install -y -o DPkg::Lock::Timeout=300 protobuf-compiler
fi
PLUGIN="${PROTOC_GEN_SWIFT:-}"
if [ -z "$PLUGIN" ]; then
    WORK="$(mktemp -d)"
    trap 'rm -rf "$WORK"' EXIT
    git clone --quiet --branch 1.39.0 https://github.com/apple/swift-protobuf.git "$WORK/swift-protobuf"
    nice -n 19 swift build -c release --package-path "$WORK/swift-protobuf" --product protoc-gen-swift >&2
    PLUGIN="$WORK/swift-protobuf/.build/release/protoc-gen-swift"
fi
OUT="$ROOT/Sources/ModelRuntime/Proto"
mkdir -p "$OUT"
protoc --plugin=protoc-gen-swift="$PLUGIN" --swift_out="$OUT" \
    --proto_path="$ROOT/proto" "$ROOT/proto/onnx.proto"
echo "wrote $OUT/onnx.pb.swift"
