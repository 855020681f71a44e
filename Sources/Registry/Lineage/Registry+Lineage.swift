public import RegistryCore

extension Registry {
    /// Parents, children, all ancestors and descendants (across models), datasets and source of a version.
    /// - Parameter limit: most ancestors (and most descendants) walked; each is one read, so a page that shows a
    ///   few passes a small limit.
    public func lineage(_ model: ModelName, _ selector: VersionSelector, limit: Int = 10_000) async throws -> Lineage {
        let version = try await store.version(model, selector)
        let store = self.store
        let children = try await store.children(of: version.key)
        let ancestors = try await LineageWalker.walk(from: version.key, limit: limit) { key in
            try await store.version(key.model, .version(key.version)).parents
        }
        let descendants = try await LineageWalker.walk(from: version.key, limit: limit) { key in
            try await store.children(of: key)
        }
        return Lineage(
            model: model, version: version.version, parents: version.parents, children: children,
            ancestors: ancestors, descendants: descendants, datasets: version.datasets, runID: version.runID,
            gitCommit: version.gitCommit, sourceURI: version.sourceURI)
    }

    /// The model's versions as a tree of parent/child edges.
    public func tree(_ model: ModelName) async throws -> VersionTree {
        VersionTree.make(model: model, versions: try await allVersions(model))
    }
}
