/// Where a version came from and what came from it.
public struct Lineage: Sendable, Equatable {
    /// A version reached by walking parent (or child) edges, with its distance from the start.
    public struct Relative: Sendable, Equatable {
        public var model: ModelName
        public var version: SemanticVersion
        public var depth: Int

        public init(key: VersionKey, depth: Int) {
            self.model = key.model
            self.version = key.version
            self.depth = depth
        }

        public var key: VersionKey { VersionKey(model: model, version: version) }
    }

    public var model: ModelName
    public var version: SemanticVersion
    public var parents: [VersionKey]
    public var children: [VersionKey]
    public var ancestors: [Relative]
    public var descendants: [Relative]
    public var datasets: [DatasetRef]
    public var runID: String?
    public var gitCommit: String?
    public var sourceURI: String?

    public init(
        model: ModelName, version: SemanticVersion, parents: [VersionKey], children: [VersionKey],
        ancestors: [Relative], descendants: [Relative], datasets: [DatasetRef], runID: String?, gitCommit: String?,
        sourceURI: String?
    ) {
        self.model = model
        self.version = version
        self.parents = parents
        self.children = children
        self.ancestors = ancestors
        self.descendants = descendants
        self.datasets = datasets
        self.runID = runID
        self.gitCommit = gitCommit
        self.sourceURI = sourceURI
    }
}

/// Breadth-first walks over the version DAG.
public enum LineageWalker {
    /// Every version reachable from `start` through `next` (parents or children), nearest first, each once.
    /// Stops after `limit` versions so a huge graph cannot exhaust the server.
    public static func walk(
        from start: VersionKey, limit: Int = 10_000, next: (VersionKey) async throws -> [VersionKey]
    ) async throws -> [Lineage.Relative] {
        var seen: Set<VersionKey> = [start]
        var frontier = [start]
        var result: [Lineage.Relative] = []
        var depth = 0
        while !frontier.isEmpty, result.count < limit {
            depth += 1
            var following: [VersionKey] = []
            for key in frontier {
                for neighbour in try await next(key).sorted() where seen.insert(neighbour).inserted {
                    result.append(Lineage.Relative(key: neighbour, depth: depth))
                    following.append(neighbour)
                    if result.count >= limit { return result }
                }
            }
            frontier = following
        }
        return result
    }
}

/// A model's versions as a tree (a DAG, really): each version with its parents and children inside the model.
public struct VersionTree: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var version: SemanticVersion
        public var status: VersionStatus
        /// All parents, including those of other models.
        public var parents: [VersionKey]
        /// Children within this model.
        public var children: [SemanticVersion]

        public init(
            version: SemanticVersion, status: VersionStatus, parents: [VersionKey], children: [SemanticVersion]
        ) {
            self.version = version
            self.status = status
            self.parents = parents
            self.children = children
        }
    }

    public var model: ModelName
    /// Versions with no parent inside this model.
    public var roots: [SemanticVersion]
    public var nodes: [Node]

    public init(model: ModelName, roots: [SemanticVersion], nodes: [Node]) {
        self.model = model
        self.roots = roots
        self.nodes = nodes
    }

    public static func make(model: ModelName, versions: [ModelVersion]) -> VersionTree {
        let sorted = versions.sorted { $0.version < $1.version }
        var children: [SemanticVersion: [SemanticVersion]] = [:]
        for version in sorted {
            for parent in version.parents where parent.model == model {
                children[parent.version, default: []].append(version.version)
            }
        }
        let known = Set(sorted.map(\.version))
        let nodes = sorted.map { version in
            Node(
                version: version.version, status: version.status, parents: version.parents,
                children: children[version.version, default: []])
        }
        let roots = sorted.filter { version in
            !version.parents.contains { $0.model == model && known.contains($0.version) }
        }.map(\.version)
        return VersionTree(model: model, roots: roots, nodes: nodes)
    }
}
