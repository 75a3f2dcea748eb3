import JBRCore

/// Reads one record from bytes: validates the header, the stored body's checksum and length,
/// and decompresses. Pure; used by recovery, range reads and logdump alike.
public enum RecordReader {
    public enum Outcome: Hashable, Sendable {
        case record(RecordHeader, JournalRecord)
        /// Nothing but zeros: never-written (preallocated) space.
        case zeroed
        /// The header is whole but the body runs past the end of the available bytes.
        case incompleteBody(RecordHeader, available: Int)
        /// The header or body is damaged; `reason` says which check failed.
        case damaged(reason: String)
    }

    /// Reads the record starting at the beginning of `bytes`.
    public static func read(_ bytes: UnsafeRawBufferPointer, decompress: Bool = true) -> Outcome {
        switch RecordHeader.parse(bytes) {
        case .zeroed:
            return .zeroed
        case let .invalid(reason):
            return .damaged(reason: reason)
        case let .valid(header):
            guard header.originalLength <= JournalLimits.maxBodyBytes,
                header.recordSize <= JournalLimits.maxRecordBytes
            else { return .damaged(reason: "body of \(header.originalLength) bytes over the format limit") }
            let available = bytes.count - RecordHeader.encodedSize
            guard Int(header.storedLength) <= available else { return .incompleteBody(header, available: available) }
            let stored = UnsafeRawBufferPointer(rebasing: bytes[RecordHeader.encodedSize..<header.recordSize])
            guard CRC32C.checksum(stored) == header.bodyChecksum else { return .damaged(reason: "body checksum mismatch at \(header.position)") }
            let body: [UInt8]
            switch header.codec {
            case .raw:
                body = Array(stored)
            case .lz4 where decompress:
                guard let expanded = try? LZ4Block.decompress(Array(stored), originalBytes: Int(header.originalLength)) else {
                    return .damaged(reason: "lz4 body of \(header.position) does not expand to \(header.originalLength) bytes")
                }
                body = expanded
            case .lz4:
                body = []
            }
            return .record(header, JournalRecord(position: header.position, type: header.type, body: body))
        }
    }
}
