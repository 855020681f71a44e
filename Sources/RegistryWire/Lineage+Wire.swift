public import Foundation
public import RegistryCore

extension Lineage: Codable {
    enum CodingKeys: String, CodingKey {
        case model, version, parents, children, ancestors, descendants, datasets
        case runID = "run_id"
        case gitCommit = "git_commit"
        case sourceURI = "source_uri"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(ModelName.self, forKey: .model),
            version: try c.decode(SemanticVersion.self, forKey: .version),
            parents: try c.decode([VersionKey].self, forKey: .parents),
            children: try c.decode([VersionKey].self, forKey: .children),
            ancestors: try c.decode([Lineage.Relative].self, forKey: .ancestors),
            descendants: try c.decode([Lineage.Relative].self, forKey: .descendants),
            datasets: try c.decode([DatasetRef].self, forKey: .datasets),
            runID: try c.decodeIfPresent(String.self, forKey: .runID),
            gitCommit: try c.decodeIfPresent(String.self, forKey: .gitCommit),
            sourceURI: try c.decodeIfPresent(String.self, forKey: .sourceURI))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(parents, forKey: .parents)
        try c.encode(children, forKey: .children)
        try c.encode(ancestors, forKey: .ancestors)
        try c.encode(descendants, forKey: .descendants)
        try c.encode(datasets, forKey: .datasets)
        try c.encodeIfPresent(runID, forKey: .runID)
        try c.encodeIfPresent(gitCommit, forKey: .gitCommit)
        try c.encodeIfPresent(sourceURI, forKey: .sourceURI)
    }
}

extension DatasetRef: Codable {
    enum CodingKeys: String, CodingKey {
        case name, uri, sha256, rows, role
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            uri: try c.decode(String.self, forKey: .uri),
            sha256: try c.decodeIfPresent(String.self, forKey: .sha256),
            rows: try c.decodeIfPresent(Int64.self, forKey: .rows),
            role: try c.decodeIfPresent(String.self, forKey: .role))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(uri, forKey: .uri)
        try c.encodeIfPresent(sha256, forKey: .sha256)
        try c.encodeIfPresent(rows, forKey: .rows)
        try c.encodeIfPresent(role, forKey: .role)
    }
}

extension VersionKey: Codable {
    enum CodingKeys: String, CodingKey {
        case model, version
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(ModelName.self, forKey: .model),
            version: try c.decode(SemanticVersion.self, forKey: .version))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
    }
}

extension Lineage.Relative: Codable {
    enum CodingKeys: String, CodingKey {
        case model, version, depth
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            key: VersionKey(
                model: try c.decode(ModelName.self, forKey: .model),
                version: try c.decode(SemanticVersion.self, forKey: .version)),
            depth: try c.decode(Int.self, forKey: .depth))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(depth, forKey: .depth)
    }
}

extension VersionTree: Codable {
    enum CodingKeys: String, CodingKey {
        case model, roots, nodes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(ModelName.self, forKey: .model),
            roots: try c.decode([SemanticVersion].self, forKey: .roots),
            nodes: try c.decode([VersionTree.Node].self, forKey: .nodes))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(roots, forKey: .roots)
        try c.encode(nodes, forKey: .nodes)
    }
}

extension VersionTree.Node: Codable {
    enum CodingKeys: String, CodingKey {
        case version, status, parents, children
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            version: try c.decode(SemanticVersion.self, forKey: .version),
            status: try c.decode(VersionStatus.self, forKey: .status),
            parents: try c.decode([VersionKey].self, forKey: .parents),
            children: try c.decode([SemanticVersion].self, forKey: .children))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(parents, forKey: .parents)
        try c.encode(children, forKey: .children)
    }
}
