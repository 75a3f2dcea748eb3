/// Runs simulations by seed, and shrinks a failing one to the fewest faults that still break
/// the same invariant (removing one fault at a time while it does), so its trace is short.
public enum SimulationRunner {
    /// The seed's run, with only the plan's faults at `keptFaults` (all when nil).
    public static func run(seed: UInt64, options: SimulationOptions, keptFaults: [Int]? = nil) -> SimulationOutcome {
        let plan = SimulatedFault.plan(seed: seed, options: options)
        let faults = keptFaults.map { kept in kept.filter(plan.indices.contains).map { plan[$0] } } ?? plan
        var simulation = ReplicaSetSimulation(seed: seed, options: options, faults: faults)
        var outcome = simulation.run()
        outcome.keptFaults = keptFaults
        return outcome
    }

    /// A failing run with as few of its faults as still break the same invariant.
    public static func minimize(_ failing: SimulationOutcome, options: SimulationOptions, maxRuns: Int = 200) -> SimulationOutcome {
        guard let invariant = failing.violation?.invariant else { return failing }
        var kept = failing.keptFaults ?? Array(SimulatedFault.plan(seed: failing.seed, options: options).indices)
        var smallest = failing
        var runs = 0
        var shrunk = true
        while shrunk && runs < maxRuns {
            shrunk = false
            for position in kept.indices.reversed() where runs < maxRuns {
                var candidate = kept
                candidate.remove(at: position)
                runs += 1
                let outcome = run(seed: failing.seed, options: options, keptFaults: candidate)
                if outcome.violation?.invariant == invariant {
                    kept = candidate
                    smallest = outcome
                    shrunk = true
                    break
                }
            }
        }
        return smallest
    }
}
