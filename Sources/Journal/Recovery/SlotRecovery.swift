/// What recovery knows about the slot where its scan of the journal stands.
public struct SlotFacts: Hashable, Sendable, CustomStringConvertible {
    public enum Header: Hashable, Sendable, CaseIterable {
        /// Checksum, magic, version and fields are all good.
        case valid
        /// All zero: preallocated space never written.
        case zeroed
        /// Anything else: torn or damaged.
        case damaged
    }

    public var header: Header
    /// The whole stored body is within the file (meaningful when the header is valid).
    public var bodyComplete: Bool
    /// The stored body matches its checksum and decompresses (meaningful when complete).
    public var bodyValid: Bool
    /// Its volume id is this journal's, its index is the previous record's + 1 (or the
    /// segment's first index) and its term is not below the previous record's.
    public var followsPrevious: Bool
    /// A valid record of a *later* write batch lies somewhere after this slot. A batch is
    /// durable before the next is written, so such a record proves this slot had been synced.
    public var laterBatchFollows: Bool

    public init(header: Header, bodyComplete: Bool, bodyValid: Bool, followsPrevious: Bool, laterBatchFollows: Bool) {
        self.header = header
        self.bodyComplete = bodyComplete
        self.bodyValid = bodyValid
        self.followsPrevious = followsPrevious
        self.laterBatchFollows = laterBatchFollows
    }

    /// Every combination, for the table's totality test.
    public static var allCombinations: [SlotFacts] {
        var all: [SlotFacts] = []
        for header in Header.allCases {
            for bits in 0..<16 {
                all.append(SlotFacts(
                    header: header, bodyComplete: bits & 1 != 0, bodyValid: bits & 2 != 0,
                    followsPrevious: bits & 4 != 0, laterBatchFollows: bits & 8 != 0))
            }
        }
        return all
    }

    public var description: String {
        "header=\(header) bodyComplete=\(bodyComplete) bodyValid=\(bodyValid) follows=\(followsPrevious) laterBatch=\(laterBatchFollows)"
    }
}

public enum SlotDecision: Hashable, Sendable {
    /// A whole record in its place: keep it and read on.
    case intact
    /// Never-written space and nothing after: the journal ends here.
    case cleanEnd
    /// A write that a crash cut short, never acknowledged: cut the journal back to here.
    case truncateTornTail
    /// Damage to data that had been made durable, or a record out of place: the brick must not
    /// start on this journal until the range is repaired (from a peer).
    case corruption
}

/// The decision table of journal recovery, after TigerBeetle's `recovery_cases`: each row is a
/// pattern over the facts (nil = any value), and exactly one row matches every combination
/// (tested), so no case is decided by the order of `if`s.
public enum SlotRecovery {
    struct Row: Sendable {
        var header: SlotFacts.Header
        var bodyComplete: Bool?
        var bodyValid: Bool?
        var followsPrevious: Bool?
        var laterBatchFollows: Bool?
        var decision: SlotDecision

        func matches(_ facts: SlotFacts) -> Bool {
            header == facts.header
                && (bodyComplete.map { $0 == facts.bodyComplete } ?? true)
                && (bodyValid.map { $0 == facts.bodyValid } ?? true)
                && (followsPrevious.map { $0 == facts.followsPrevious } ?? true)
                && (laterBatchFollows.map { $0 == facts.laterBatchFollows } ?? true)
        }
    }

    static let rows: [Row] = [
        // A whole record: intact if it is the next one, else something wrote it in the wrong place.
        Row(header: .valid, bodyComplete: true, bodyValid: true, followsPrevious: true, laterBatchFollows: nil, decision: .intact),
        Row(header: .valid, bodyComplete: true, bodyValid: true, followsPrevious: false, laterBatchFollows: nil, decision: .corruption),
        // A good header whose body is cut or damaged: torn unless a later batch proves it was synced.
        Row(header: .valid, bodyComplete: false, bodyValid: nil, followsPrevious: nil, laterBatchFollows: false, decision: .truncateTornTail),
        Row(header: .valid, bodyComplete: true, bodyValid: false, followsPrevious: nil, laterBatchFollows: false, decision: .truncateTornTail),
        Row(header: .valid, bodyComplete: false, bodyValid: nil, followsPrevious: nil, laterBatchFollows: true, decision: .corruption),
        Row(header: .valid, bodyComplete: true, bodyValid: false, followsPrevious: nil, laterBatchFollows: true, decision: .corruption),
        // A damaged header: the same rule.
        Row(header: .damaged, bodyComplete: nil, bodyValid: nil, followsPrevious: nil, laterBatchFollows: false, decision: .truncateTornTail),
        Row(header: .damaged, bodyComplete: nil, bodyValid: nil, followsPrevious: nil, laterBatchFollows: true, decision: .corruption),
        // Zeros: the end, unless durable records follow the hole.
        Row(header: .zeroed, bodyComplete: nil, bodyValid: nil, followsPrevious: nil, laterBatchFollows: false, decision: .cleanEnd),
        Row(header: .zeroed, bodyComplete: nil, bodyValid: nil, followsPrevious: nil, laterBatchFollows: true, decision: .corruption),
    ]

    static func matchingRows(_ facts: SlotFacts) -> [Row] { rows.filter { $0.matches(facts) } }

    public static func decide(_ facts: SlotFacts) -> SlotDecision {
        let matching = matchingRows(facts)
        precondition(matching.count == 1, "recovery table has \(matching.count) rows for \(facts)")
        return matching[0].decision
    }
}
