#!/usr/bin/env python3
"""Fails when a Swift file imports a module its target does not declare in Package.swift, when a target depends on
a layer it must not (the one-way flow of DESIGN: the core and the runtime depend on nothing of ours, the HTTP
layer never on a store), or when a store is constructed outside the composition root.

SwiftPM lets a target import any module that a dependency of a dependency brings in, so an undeclared import
compiles today and breaks when that other dependency changes; it also hides the real layering. This reads each
target's dependencies from Package.swift and every `import` of its sources (toolchain modules and imports under
`#if canImport(...)` excepted) and lists what is missing.
Usage: scripts/check-imports.py   (scripts/test.sh runs it)
"""
import glob
import re
import sys

SYSTEM = {"Foundation", "FoundationEssentials", "Testing", "XCTest", "Dispatch", "Glibc", "Musl", "Darwin",
          "Synchronization", "_Concurrency"}
TARGET = re.compile(r'\.(testTarget|executableTarget|target|systemLibrary)\(\s*name:\s*"([^"]+)"')
IMPORT = re.compile(r'\s*(?:@testable\s+|@_exported\s+|public\s+|package\s+|internal\s+)*import\s+'
                    r'(?:struct\s+|enum\s+|class\s+|func\s+)?([A-Za-z0-9_]+)')


def targets(manifest):
    starts = [(m.start(), m.group(1), m.group(2)) for m in TARGET.finditer(manifest)]
    for i, (start, kind, name) in enumerate(starts):
        body = manifest[start:starts[i + 1][0] if i + 1 < len(starts) else len(manifest)]
        body = body.split("swiftSettings")[0]
        path = re.search(r'path:\s*"([^"]+)"', body)
        deps = set(re.findall(r'"([A-Za-z0-9_]+)"', body)) - {name}
        folder = path.group(1) if path else ("Tests/" if kind == "testTarget" else "Sources/") + name
        yield name, kind, deps, folder


def imports(folder):
    found = {}
    for path in glob.glob(folder + "/**/*.swift", recursive=True):
        depth = 0
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            stripped = line.strip()
            if stripped.startswith("#if canImport"):
                depth += 1
            elif stripped.startswith("#endif") and depth:
                depth -= 1
            elif depth == 0:
                match = IMPORT.match(line)
                if match:
                    found.setdefault(match.group(1), f"{path}:{number}")
    return found


OURS = {"RegistryCore", "RegistryWire", "RegistryStore", "Registry", "ModelRuntime", "ScikitLearn", "TextEmbedding", "DriftStatistics", "CModelKernels", "COpenBLAS", "Serving",
        "HTTPServer", "Dashboard", "ModelyardAPI", "ModelyardComposition"}
# What each target may depend on among our own (absent: no rule).
# DriftStatistics is a pure leaf (no I/O, nothing of ours) carved out of the core: the core's drift records hold its
# types, so depending on it keeps every layer as pure as before.
ALLOWED = {
    "RegistryCore": {"DriftStatistics"},
    "RegistryWire": {"RegistryCore"},
    "ModelRuntime": {"CModelKernels", "COpenBLAS"},
    "ScikitLearn": {"ModelRuntime"},
    "TextEmbedding": {"ModelRuntime"},
    "DriftStatistics": set(),
    "ModelyardAPI": {"RegistryCore", "RegistryWire", "DriftStatistics"},
    "Dashboard": {"RegistryCore", "DriftStatistics"},
    "RegistryStore": {"RegistryCore", "RegistryWire", "DriftStatistics"},
    "Registry": {"RegistryCore", "RegistryStore", "DriftStatistics"},
    "HTTPServer": OURS - {"RegistryStore", "ModelyardComposition"},
}
# Store implementations are constructed only here (and in tests, which compose their own servers).
CONSTRUCTORS = re.compile(r"\b(SQLiteRegistryStore|LocalArtifactStore)\(")
COMPOSERS = ("Sources/ModelyardComposition/", "Sources/RegistryStore/")


def main():
    problems = []
    for name, kind, deps, folder in targets(open("Package.swift", encoding="utf-8").read()):
        if kind == "systemLibrary":
            continue
        if name in ALLOWED:
            for dep in sorted((deps & OURS) - ALLOWED[name]):
                problems.append(f"Package.swift: target {name} depends on {dep}, which its layer must not")
        for module, where in sorted(imports(folder).items()):
            if module not in deps and module not in SYSTEM and module != name:
                problems.append(f"{where}: target {name} imports {module}, which Package.swift does not declare")
    for path in glob.glob("Sources/**/*.swift", recursive=True):
        if path.startswith(COMPOSERS):
            continue
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            if CONSTRUCTORS.search(line) and not line.lstrip().startswith("///"):
                problems.append(f"{path}:{number}: a store is constructed outside ModelyardComposition")
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("every import is declared in Package.swift, layers depend one way, stores are built by the composition root")


if __name__ == "__main__":
    main()
