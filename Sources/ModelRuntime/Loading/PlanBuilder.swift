/// Accumulates steps while a graph is planned, then resolves names to slots and computes last-use moves.
struct PlanBuilder {
    private(set) var constants: [Tensor] = []
    var constantIndex: [String: Int] = [:]
    private var slotIndex: [String: Int] = [:]
    private var pending: [(kernel: any Kernel, inputs: [String], outputs: [String], label: String, fusion: FusionInfo?)] =
        []

    mutating func addConstant(_ value: Tensor) -> Int {
        constants.append(value)
        return constants.count - 1
    }

    /// The slot holding a run-time value, created on first use.
    mutating func slot(for name: String) -> Int {
        if let s = slotIndex[name] { return s }
        let s = slotIndex.count
        slotIndex[name] = s
        return s
    }

    func ref(for name: String) -> ValueRef? {
        if let c = constantIndex[name] { return .constant(c) }
        if let s = slotIndex[name] { return .slot(s) }
        return nil
    }

    mutating func addStep(kernel: any Kernel, inputs: [String], outputs: [String], label: String, fusion: FusionInfo?) {
        for name in outputs where !name.isEmpty { _ = slot(for: name) }
        pending.append((kernel, inputs, outputs, label, fusion))
    }

    /// Resolves names and marks, for each slot, the last step that reads it (that step receives the value by move).
    func finish(inputSlots: [Int], outputRefs: [ValueRef]) -> ExecutionPlan {
        var steps: [PlanStep] = []
        var lastRead: [Int: (step: Int, position: Int)] = [:]
        var read = Set<Int>()
        for (stepIndex, step) in pending.enumerated() {
            var refs: [ValueRef?] = []
            for (position, name) in step.inputs.enumerated() {
                let ref = name.isEmpty ? nil : self.ref(for: name)
                refs.append(ref)
                if case .slot(let s)? = ref {
                    lastRead[s] = (stepIndex, position)
                    read.insert(s)
                }
            }
            steps.append(
                PlanStep(
                    kernel: step.kernel, inputs: refs, moves: Array(repeating: false, count: refs.count),
                    outputs: step.outputs.map { $0.isEmpty ? -1 : (slotIndex[$0] ?? -1) }, label: step.label,
                    fusion: step.fusion))
        }
        var kept = Set<Int>()
        for case .slot(let s) in outputRefs { kept.insert(s) }
        for (slot, last) in lastRead where !kept.contains(slot) {
            steps[last.step].moves[last.position] = true
        }
        // Outputs nobody reads are dropped as soon as they are produced.
        for i in steps.indices {
            steps[i].outputs = steps[i].outputs.map { s in s >= 0 && (read.contains(s) || kept.contains(s)) ? s : -1 }
        }
        return ExecutionPlan(
            constants: constants, steps: steps, slotCount: slotIndex.count, inputSlots: inputSlots,
            outputRefs: outputRefs)
    }
}
