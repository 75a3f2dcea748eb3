import JBRCore

/// A client of the simulated set, as `VolumeClient` behaves: one operation at a time, sent to
/// the brick it believes leads; on "not leader" it follows the hint, on any other failure or
/// silence it tries the next brick, always with the same request id, until its deadline.
struct SimulatedClient {
    enum Operation: Equatable {
        case write(RequestID)
        case read
    }

    struct Pending {
        var operation: Operation
        var invokedAt: Int64
        var deadline: Int64
        var target: ReplicaID
        /// The newest attempt's token.
        var token = ClientToken(0)
    }

    let id: ClientID
    var sequence: UInt64 = 0
    var believedLeader: ReplicaID
    var pending: Pending?

    init(number: Int, firstTarget: ReplicaID) {
        id = ClientID(UUID128(high: 0xC11E_4700_0000_0000 | UInt64(number), low: UInt64(number) &* 0x9E37_79B9))
        believedLeader = firstTarget
    }

    mutating func nextRequest() -> RequestID {
        sequence += 1
        return RequestID(client: id, sequence: sequence)
    }
}

/// The writes the clients saw acknowledged, for the checks.
struct ClientHistory {
    /// In completion order; `index` is the committed entry that carries the request.
    var acknowledged: [(request: RequestID, index: JournalIndex)] = []
    /// The highest index among writes acknowledged up to each acknowledgement, for reads.
    var acknowledgedThrough: [(completedAt: Int64, index: JournalIndex)] = []

    mutating func acknowledge(_ request: RequestID, index: JournalIndex, completedAt: Int64) {
        acknowledged.append((request, index))
        let highest = max(index, acknowledgedThrough.last?.index ?? .zero)
        acknowledgedThrough.append((completedAt, highest))
    }

    /// The highest index of a write acknowledged before `time`: a read invoked then must see it.
    func acknowledgedIndex(before time: Int64) -> JournalIndex {
        var low = 0
        var high = acknowledgedThrough.count
        while low < high {
            let middle = (low + high) / 2
            if acknowledgedThrough[middle].completedAt < time { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? .zero : acknowledgedThrough[low - 1].index
    }
}
