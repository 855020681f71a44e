/// The operator-set versions a model imports, with the tolerances real exports need: duplicate imports are
/// merged (highest wins) and a missing default-domain import is assumed (XGBoost files have none).
struct OpsetTable: Sendable {
    static let standardDomain = ""
    static let mlDomain = "ai.onnx.ml"
    /// This runtime's own operators (`ai.modelyard:Attention`, which `BertEncoder` writes).
    static let modelyardDomain = "ai.modelyard"
    /// Assumed when the file imports no default domain but uses a standard operator.
    static let assumedStandardVersion = 17
    static let assumedMLVersion = 3
    static let supportedStandard = 7...22
    static let supportedML = 1...5

    private(set) var versions: [String: Int] = [:]

    init(_ imports: [Onnx_OperatorSetIdProto]) throws {
        for entry in imports {
            let domain = entry.domain == "ai.onnx" ? "" : entry.domain
            guard let version = Int(exactly: entry.version), version >= 1 else {
                throw ModelRuntimeError.invalidModel("opset import for domain '\(domain)' has version \(entry.version)")
            }
            versions[domain] = max(versions[domain] ?? 0, version)
        }
        if let v = versions[Self.standardDomain], !Self.supportedStandard.contains(v) {
            throw ModelRuntimeError(
                .unsupportedVersion,
                "default-domain opset \(v) is not supported (supported \(Self.supportedStandard.lowerBound)"
                    + "...\(Self.supportedStandard.upperBound))")
        }
        if let v = versions[Self.mlDomain], !Self.supportedML.contains(v) {
            throw ModelRuntimeError(
                .unsupportedVersion,
                "ai.onnx.ml opset \(v) is not supported (supported \(Self.supportedML.lowerBound)"
                    + "...\(Self.supportedML.upperBound))")
        }
    }

    /// The version in force for a normalised domain.
    func version(for domain: String) -> Int {
        versions[domain] ?? (domain == Self.mlDomain ? Self.assumedMLVersion : domain == Self.modelyardDomain ? 1 : Self.assumedStandardVersion)
    }

    /// Maps `ai.onnx` to the default domain and refuses domains this runtime has no operators for.
    func normalise(_ domain: String, node: Onnx_NodeProto) throws -> String {
        let d = domain == "ai.onnx" ? "" : domain
        guard d == Self.standardDomain || d == Self.mlDomain || d == Self.modelyardDomain else {
            throw ModelRuntimeError(
                .unsupportedOperator,
                "\(NodeLabel.make(node, domain: d)): domain '\(d)' is not supported (custom operator or "
                    + "model-local function)")
        }
        return d
    }
}
