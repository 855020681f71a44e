/// A model with the versions people ask about first: its newest, its best, and what each environment serves.
public struct ModelDetails: Sendable, Equatable {
    public var model: RegisteredModel
    public var latest: ModelVersion?
    public var best: BestVersion?
    public var deployed: [AliasPointer]

    public init(model: RegisteredModel, latest: ModelVersion?, best: BestVersion?, deployed: [AliasPointer]) {
        self.model = model
        self.latest = latest
        self.best = best
        self.deployed = deployed
    }
}
