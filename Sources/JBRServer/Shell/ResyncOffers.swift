import JBRCore
import NIOCore
import Synchronization

/// The manifests a leader has handed followers for a full resync, one per follower, until the
/// follower stops asking for them (`hold` after its last request).
final class ResyncOffers: Sendable {
    struct Offer {
        var id: UInt64
        var manifest: ByteBuffer
        var lastUsed: ContinuousClock.Instant
    }

    private let offers = Mutex<[ReplicaID: Offer]>([:])
    let hold: Duration

    init(hold: Duration) { self.hold = hold }

    /// Keeps `manifest` for `follower` (replacing an earlier offer) and returns its id.
    func add(_ manifest: ByteBuffer, for follower: ReplicaID) -> UInt64 {
        let id = UInt64.random(in: 1...UInt64.max)
        offers.withLock { offers in
            Self.dropIdle(&offers, hold: hold)
            offers[follower] = Offer(id: id, manifest: manifest, lastUsed: .now)
        }
        return id
    }

    /// Up to `maxBytes` of the manifest from `offset` (empty past its end); nil if `follower`
    /// has no such offer (it lapsed, or a newer one replaced it).
    func page(_ id: UInt64, for follower: ReplicaID, from offset: UInt64, maxBytes: Int) -> ByteBuffer? {
        offers.withLock { offers in
            guard let offer = Self.use(id, for: follower, in: &offers, hold: hold) else { return nil }
            let start = Int(min(offset, UInt64(offer.manifest.readableBytes)))
            let length = min(maxBytes, offer.manifest.readableBytes - start)
            return offer.manifest.getSlice(at: offer.manifest.readerIndex + start, length: length)
        }
    }

    /// Whether `follower` holds offer `id`; keeps it alive if so.
    func use(_ id: UInt64, for follower: ReplicaID) -> Bool {
        offers.withLock { Self.use(id, for: follower, in: &$0, hold: hold) != nil }
    }

    private static func use(_ id: UInt64, for follower: ReplicaID, in offers: inout [ReplicaID: Offer], hold: Duration) -> Offer? {
        dropIdle(&offers, hold: hold)
        guard var offer = offers[follower], offer.id == id else { return nil }
        offer.lastUsed = .now
        offers[follower] = offer
        return offer
    }

    private static func dropIdle(_ offers: inout [ReplicaID: Offer], hold: Duration) {
        let now = ContinuousClock.now
        offers = offers.filter { now - $0.value.lastUsed < hold }
    }
}
