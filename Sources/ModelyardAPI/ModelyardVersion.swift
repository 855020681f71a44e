/// The product's version, reported by the CLI and the inference protocol's server metadata.
public enum ModelyardVersion {
    public static let current = "0.1.0"
}
