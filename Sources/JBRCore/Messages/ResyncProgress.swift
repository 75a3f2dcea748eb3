import NIOCore

/// How far a brick's full resync has come: `jbr-client status` shows it on the brick being
/// rebuilt, from the moment it knows it needs one until its store is installed.
public struct ResyncProgress: Hashable, Sendable {
    public enum Phase: UInt8, Hashable, Sendable, CaseIterable {
        /// Needs a resync and waits to hear from a leader (or retries after a failed attempt).
        case waiting = 0
        /// Asked the leader for its tree's manifest; emptying its own store.
        case starting = 1
        /// Rebuilding the tree's objects, links, xattrs and stamps from the manifest.
        case installingTree = 2
        /// Copying the files' bytes from the leader.
        case copyingContents = 3
        /// Resetting the journal to the tree's position and recording it.
        case finishing = 4
    }

    public var phase: Phase
    /// The leader it copies from; nil while it waits for one.
    public var source: ReplicaID?
    /// The position of the leader's tree being copied (zero until the leader offered it).
    public var position: LogPosition
    public var manifestBytesDone: UInt64
    public var manifestBytes: UInt64
    public var contentBytesDone: UInt64
    /// The files' sizes as the manifest gave them (they may have changed since).
    public var contentBytes: UInt64
    /// Attempts started, the current one included; more than one means earlier ones failed.
    public var attempts: UInt32
    /// Time since the current attempt started.
    public var elapsedMilliseconds: UInt64

    public init(phase: Phase, source: ReplicaID? = nil, position: LogPosition = .zero, manifestBytesDone: UInt64 = 0, manifestBytes: UInt64 = 0,
                contentBytesDone: UInt64 = 0, contentBytes: UInt64 = 0, attempts: UInt32 = 0, elapsedMilliseconds: UInt64 = 0) {
        self.phase = phase
        self.source = source
        self.position = position
        self.manifestBytesDone = manifestBytesDone
        self.manifestBytes = manifestBytes
        self.contentBytesDone = contentBytesDone
        self.contentBytes = contentBytes
        self.attempts = attempts
        self.elapsedMilliseconds = elapsedMilliseconds
    }
}

extension ResyncProgress: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(phase.rawValue)
        buffer.writeOptional(source) { $0.write($1) }
        buffer.write(position)
        buffer.writeLittleEndian(manifestBytesDone)
        buffer.writeLittleEndian(manifestBytes)
        buffer.writeLittleEndian(contentBytesDone)
        buffer.writeLittleEndian(contentBytes)
        buffer.writeLittleEndian(attempts)
        buffer.writeLittleEndian(elapsedMilliseconds)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        let raw = try buffer.readLittleEndian(UInt8.self, field: "resync phase")
        guard let phase = Phase(rawValue: raw) else { throw DecodingError(.unknownTag(type: "resync phase", tag: UInt64(raw)), offset: offset) }
        self.init(
            phase: phase,
            source: try buffer.readOptional(field: "resync source") { buffer throws(DecodingError) in try ReplicaID(from: &buffer) },
            position: try LogPosition(from: &buffer),
            manifestBytesDone: try buffer.readLittleEndian(UInt64.self, field: "resync manifest bytes done"),
            manifestBytes: try buffer.readLittleEndian(UInt64.self, field: "resync manifest bytes"),
            contentBytesDone: try buffer.readLittleEndian(UInt64.self, field: "resync content bytes done"),
            contentBytes: try buffer.readLittleEndian(UInt64.self, field: "resync content bytes"),
            attempts: try buffer.readLittleEndian(UInt32.self, field: "resync attempts"),
            elapsedMilliseconds: try buffer.readLittleEndian(UInt64.self, field: "resync elapsed"))
    }
}
