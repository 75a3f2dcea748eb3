#if canImport(Glibc)
import Glibc
#endif
import JBRCore
import NIOCore

/// Appends: bytes written at the end of the file as it is when the entry is applied, so every
/// replica, applying the same entries in the same order, puts them at the same offset.
///
/// Unlike a write, an append cannot simply be redone by a replay: where it wrote depends on the
/// size before it, which the append itself changed. So the offset is decided once and kept: a
/// mark on the file (`IdentityNamespace.appendMarkAttribute`: the entry's index and the size the
/// file has once its bytes are in) is set before the bytes are written, and removed after the
/// stamp. Metadata changes reach the disk in the order they were made (the store's premise, see
/// `MainStore+Stamps`), and a file's size reaches it only with the bytes below it, so after a
/// crash:
/// - no mark and an older stamp: nothing happened; the append runs;
/// - the mark for this entry: its offset is known; the bytes are written there unless the size
///   says they are in, and the entry is stamped;
/// - the stamp: the bytes are in (they were written before it); a mark left behind goes.
extension MainStore {
    func applyAppend(
        _ gfid: GFID, data: ByteBuffer, to file: StoreDescriptor, status: stat, at index: JournalIndex, time: Timestamp
    ) throws(StoreFailure) -> ApplyOutcome {
        let mark = try Self.failing { () throws(StoreError) in try appendMark(of: file) }
        if try Self.failing({ () throws(StoreError) in try identity.stamp(in: file, name: nil, status: status) }) >= index {
            if mark != nil { try Self.failing { () throws(StoreError) in try file.removeXattr(identity.namespace.appendMarkAttribute, of: nil) } }
            return .alreadyApplied
        }
        let length = UInt64(data.readableBytes)
        var marked = mark != nil
        let result = try Self.outcome { () throws(StoreError) in
            // The status was taken just now, when the file was found open.
            let size = UInt64(status.st_size)
            let end: UInt64
            if let mark, mark.index == index {
                end = mark.end
            } else {
                guard size <= UInt64(Int64.max) - length else { throw .refused(.EFBIG, "append to \(gfid): the file would pass the largest file offset") }
                end = size + length
                try setAppendMark(index: index, end: end, on: file)
                marked = true
            }
            if size < end {
                return try write(file, gfid, offset: end - length, data: data, time: time)
            }
            // The bytes went in before a crash; only the answer and the time are left to give.
            return .written(byteCount: UInt32(data.readableBytes), attributes: try modified(file, gfid: gfid, time: time))
        }
        try Self.failing { () throws(StoreError) in
            try identity.setStamp(index, in: file, name: nil, status: status)
            if marked { try file.removeXattr(identity.namespace.appendMarkAttribute, of: nil) }
        }
        return .applied(result)
    }

    private func appendMark(of file: StoreDescriptor) throws(StoreError) -> (index: JournalIndex, end: UInt64)? {
        guard let value = try file.xattr(identity.namespace.appendMarkAttribute, of: nil, maxBytes: 16), value.count == 16 else { return nil }
        func number(_ bytes: ArraySlice<UInt8>) -> UInt64 { bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        return (JournalIndex(number(value[0..<8])), number(value[8..<16]))
    }

    private func setAppendMark(index: JournalIndex, end: UInt64, on file: StoreDescriptor) throws(StoreError) {
        let value = [index.rawValue, end].flatMap { number in (0..<8).map { UInt8(truncatingIfNeeded: number >> (UInt64($0) * 8)) } }
        try file.setXattr(identity.namespace.appendMarkAttribute, value: value, of: nil)
    }
}
