/// Where a step reads a value: a load-time constant, or a slot filled during the run.
enum ValueRef: Sendable, Equatable {
    case constant(Int)
    case slot(Int)
}

/// One node of a planned graph.
struct PlanStep: Sendable {
    var kernel: any Kernel
    /// One per node input; `nil` for omitted optional inputs.
    var inputs: [ValueRef?]
    /// `true` where this step is the last reader of a slot, so the value is moved into the kernel.
    var moves: [Bool]
    /// Slot per node output; -1 when the output is never read.
    var outputs: [Int]
    /// `node 'name' (domain:Op)`, for error messages.
    var label: String
    /// Facts planning optimisations use; not read at run time.
    var fusion: FusionInfo? = nil
}

/// A graph planned once at load: topologically ordered steps over numbered slots, constants folded,
/// each value released (or moved into its last reader) as soon as it is dead. Immutable and `Sendable`:
/// every run keeps its own slot array, so runs may proceed concurrently.
struct ExecutionPlan: Sendable {
    var constants: [Tensor]
    var steps: [PlanStep]
    var slotCount: Int
    /// Slot of each graph input, in signature order.
    var inputSlots: [Int]
    /// Where each graph output is read from, in signature order.
    var outputRefs: [ValueRef]

    /// Runs the plan on positional inputs (already validated against the signature).
    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        var slots = [Tensor?](repeating: nil, count: slotCount)
        for (slot, value) in zip(inputSlots, inputs) where slot >= 0 {
            slots[slot] = value
        }
        var args = [Tensor?]()
        // Steps are read in place (not copied out of the array), which saves retaining and releasing four
        // arrays and the kernel per step: it shows on plans of thousands of small steps.
        try steps.withUnsafeBufferPointer { steps in
            for step in steps.indices {
                args.removeAll(keepingCapacity: true)
                for (i, ref) in steps[step].inputs.enumerated() {
                    switch ref {
                    case nil:
                        args.append(nil)
                    case .constant(let c)?:
                        args.append(constants[c])
                    case .slot(let s)?:
                        args.append(steps[step].moves[i] ? slots[s].take() : slots[s])
                    }
                }
                let results = try steps[step].kernel.run(&args)
                let outputs = steps[step].outputs
                guard results.count >= outputs.count else {
                    throw ModelRuntimeError.invalidInput("\(steps[step].label) produced \(results.count) outputs")
                }
                for (slot, value) in zip(outputs, results) where slot >= 0 {
                    slots[slot] = value
                }
            }
        }
        return try outputRefs.map { ref in
            switch ref {
            case .constant(let c): return constants[c]
            case .slot(let s):
                guard let value = slots[s] else {
                    throw ModelRuntimeError.invalidInput("output slot \(s) was not computed")
                }
                return value
            }
        }
    }
}
