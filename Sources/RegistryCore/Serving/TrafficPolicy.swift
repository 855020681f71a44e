import Foundation

/// How an environment's traffic is shared: canary (or A/B) versions each take a percentage, the version the
/// environment's alias points at takes the rest, and an optional shadow receives a copy of every request whose
/// answer is recorded and never returned.
///
/// Shares are relative to the alias: deploying a canary version promotes it (its share entry no longer applies).
public struct TrafficPolicy: Sendable, Equatable {
    public struct Share: Sendable, Equatable {
        public var version: SemanticVersion
        /// Percent of requests, 1...99.
        public var percent: Int

        public init(version: SemanticVersion, percent: Int) {
            self.version = version
            self.percent = percent
        }
    }

    public var shares: [Share]
    public var shadow: SemanticVersion?

    public init(shares: [Share] = [], shadow: SemanticVersion? = nil) {
        self.shares = shares
        self.shadow = shadow
    }

    /// No shares and no shadow: all traffic to the alias's version.
    public var isEmpty: Bool { shares.isEmpty && shadow == nil }

    /// Checks the shares: each 1–99 %, together at most 99 % (the alias keeps at least 1 %), no version twice, and
    /// the shadow not also taking a share.
    public func validate() throws {
        var seen: Set<SemanticVersion> = []
        for share in shares {
            guard (1...99).contains(share.percent) else {
                throw RegistryError.invalidArgument(
                    "the share of \(share.version) is \(share.percent) %; give each version 1 to 99 %")
            }
            guard seen.insert(share.version).inserted else {
                throw RegistryError.invalidArgument("version \(share.version) has two shares; give it one")
            }
        }
        let total = shares.reduce(0) { $0 + $1.percent }
        guard total <= 99 else {
            throw RegistryError.invalidArgument(
                "the shares add up to \(total) %; they may take at most 99 %, the rest goes to the deployed version")
        }
        if let shadow, seen.contains(shadow) {
            throw RegistryError.invalidArgument("version \(shadow) cannot both take a share and shadow; choose one")
        }
    }

    /// The split for an alias pointing at `primary`: (version, percent) with the primary's remainder last. A share
    /// of the primary itself (after a promotion) folds into the remainder.
    public func split(primary: SemanticVersion) -> [(version: SemanticVersion, percent: Int)] {
        let others = shares.filter { $0.version != primary }
        let taken = others.reduce(0) { $0 + $1.percent }
        return others.map { ($0.version, $0.percent) } + [(primary, 100 - taken)]
    }
}
