import JBRCore

// The human form, for `jbr-server recon --dry-run`: one headline, then one line per replica.

extension ReconciliationOutcome: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .planned(plan): plan.description
        case let .undecided(waitingFor, reason):
            "undecided: \(reason); waiting for \(waitingFor.isEmpty ? "an operator" : waitingFor.map(\.description).joined(separator: ", "))"
        case let .inconsistent(description): "inconsistent: \(description)"
        }
    }
}

extension ReconciliationPlan: CustomStringConvertible {
    public var description: String {
        let headline = "plan: authority \(authority) at \(authorityLast), committed through \(committed)"
        let width = directives.map(\.replica.description.count).max() ?? 0
        return ([headline] + directives.map { "  " + $0.line(idWidth: width) }).joined(separator: "\n")
    }
}

extension ReplicaDirective: CustomStringConvertible {
    public var description: String { line(idWidth: 0) }

    func line(idWidth: Int) -> String {
        let id = replica.description.padding(to: idWidth)
        let position = last.map { "last \($0)" } ?? ""
        switch work {
        case .authority: return "\(id)  authority  \(position)"
        case .inSync: return "\(id)  in sync    \(position)"
        case .pending: return "\(id)  pending    no report"
        case let .repair(actions):
            let agreement = agreesThrough.map { ", agrees through \($0)" } ?? ""
            return "\(id)  repair     \(position)\(agreement): \(actions.map(\.description).joined(separator: "; "))"
        }
    }
}

extension ReconciliationAction: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .truncate(after): "truncate after \(after)"
        case let .replay(from, through, source): "replay \(from)...\(through) from \(source)"
        case let .fullResync(source, thenReplayFrom): "full resync from \(source), then replay from \(thenReplayFrom)"
        }
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
