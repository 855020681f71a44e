public import ModelRuntime
public import RegistryCore
public import TextEmbedding

extension ModelPool {
    /// Embeds texts on the selected version, errors mapped as for `predict`.
    public func embed(_ model: LoadedModel, _ texts: [String], promptName: String?, truncate: Bool) throws
        -> (embeddings: Embeddings, seconds: Double)
    {
        try mapped(model) { try model.embed(texts, promptName: promptName, truncate: truncate) }
    }

    /// Runs a prediction or an embedding, turning runtime errors into registry errors with stable codes.
    func mapped<T>(_ model: LoadedModel, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ModelRuntimeError where error.code == .invalidInput {
            throw RegistryError.invalidArgument(error.message)
        } catch let error as ModelRuntimeError where error.code == .tooLarge {
            throw RegistryError.payloadTooLarge(error.message + "; send fewer rows per request")
        } catch let error as ModelRuntimeError {
            // The input fit the signature and the model still failed: the version's fault, so a 5xx, counted against
            // it (repeated, it triggers the automatic rollback). A request that does not fit is refused above, before
            // it runs, and never counts.
            throw RegistryError.unavailable(
                "version \(model.key.version) of '\(model.key.model)' failed on this input: \(error.message)")
        }
    }
}
