#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore
import NIOCore

extension MainStore {
    /// Runs a content operation (write, truncate, fallocate, discard, zerofill). With `time`
    /// nil it only redoes the change to the contents, leaving times alone: how a replay redoes
    /// a content operation whose stamp says it was applied, because a crash can lose written
    /// data whose stamp survived. Redoing a suffix of content operations on contents that
    /// already have them gives the same contents (each sets a range to fixed bytes and the size
    /// to a fixed or larger value).
    func changeContent(_ operation: FileOperation, time: Timestamp?) throws(StoreError) -> OperationReply {
        try changeContent(operation, of: openRegularFile(operation.contentTarget!, writable: true), time: time)
    }

    /// `changeContent` on the operation's file, already open for writing.
    func changeContent(_ operation: FileOperation, of file: StoreDescriptor, time: Timestamp?) throws(StoreError) -> OperationReply {
        // A redo notes the modification time the file has, so `modified` can put it back.
        let modification: Timestamp
        if let time {
            modification = time
        } else {
            modification = Timestamp(try file.status().st_mtim)
        }
        switch operation {
        case let .write(gfid, offset, data): return try write(file, gfid, offset: offset, data: data, time: modification)
        // Appends are applied by `applyAppend`, on the file found open, never redone from here.
        case let .append(gfid, _): throw .refused(.EINVAL, "append to \(gfid): the file has no name left")
        case let .truncate(gfid, size): return try truncate(file, gfid, size: size, time: modification)
        case let .fallocate(gfid, offset, length, keepSize): return try allocate(file, gfid, offset: offset, length: length, keepSize: keepSize, time: modification)
        case let .discard(gfid, offset, length): return try discard(file, gfid, offset: offset, length: length, time: modification)
        case let .zerofill(gfid, offset, length): return try zeroFill(file, gfid, offset: offset, length: length, time: modification)
        default: preconditionFailure("\(operation.name) does not change contents")
        }
    }

    /// Writes `data` at `offset` of regular file `gfid` and sets its modification time to
    /// `time`. Writing the same bytes again leaves the same file.
    func write(_ file: StoreDescriptor, _ gfid: GFID, offset: UInt64, data: ByteBuffer, time: Timestamp) throws(StoreError) -> OperationReply {
        let start = try fileOffset(offset, plus: UInt64(data.readableBytes), "write \(gfid)")
        var failure: StoreError?
        data.withUnsafeReadableBytes { bytes in
            do throws(StoreError) { try file.write(bytes, at: start) } catch { failure = error }
        }
        if let failure { throw failure }
        return .written(byteCount: UInt32(data.readableBytes), attributes: try modified(file, gfid: gfid, time: time))
    }

    /// Sets the size of regular file `gfid`, cutting or extending it with zeros.
    private func truncate(_ file: StoreDescriptor, _ gfid: GFID, size: UInt64, time: Timestamp) throws(StoreError) -> OperationReply {
        let length = try fileOffset(size, plus: 0, "truncate \(gfid)")
        try file.truncate(to: length)
        return .attributes(try modified(file, gfid: gfid, time: time))
    }

    /// Reserves space (`fallocate`); with `keepSize` the size does not grow.
    private func allocate(
        _ file: StoreDescriptor, _ gfid: GFID, offset: UInt64, length: UInt64, keepSize: Bool, time: Timestamp
    ) throws(StoreError) -> OperationReply {
        let (start, count) = try range(offset, length, "fallocate \(gfid)")
        try file.allocate(mode: keepSize ? LinuxCalls.fallocKeepSize : 0, offset: start, length: count)
        return .attributes(try modified(file, gfid: gfid, time: time))
    }

    /// Deallocates a range, which then reads as zeros; the size does not change. Where the file
    /// system cannot punch holes, zeros are written instead: the contents are the same.
    private func discard(_ file: StoreDescriptor, _ gfid: GFID, offset: UInt64, length: UInt64, time: Timestamp) throws(StoreError) -> OperationReply {
        let (start, count) = try range(offset, length, "discard \(gfid)")
        try punchHole(file, offset: start, length: count)
        return .attributes(try modified(file, gfid: gfid, time: time))
    }

    /// Makes a range read as zeros, extending the file if the range ends past it
    /// (FALLOC_FL_ZERO_RANGE, or a hole and a truncate where the file system lacks it).
    private func zeroFill(_ file: StoreDescriptor, _ gfid: GFID, offset: UInt64, length: UInt64, time: Timestamp) throws(StoreError) -> OperationReply {
        let (start, count) = try range(offset, length, "zerofill \(gfid)")
        do throws(StoreError) {
            try file.allocate(mode: LinuxCalls.fallocZeroRange, offset: start, length: count)
        } catch where error.errno == EOPNOTSUPP {
            try punchHole(file, offset: start, length: count)
            if Int64(try file.status().st_size) < start + count { try file.truncate(to: start + count) }
        }
        return .attributes(try modified(file, gfid: gfid, time: time))
    }

    /// Regular file `gfid` opened for writing, if it is one and has a name; nil in every other
    /// case (absent, another kind, only its handle left, a damaged handle), which the general
    /// path then reports as it always does.
    ///
    /// Files found this way stay open (`writableFiles`) for the next content operation, which
    /// then only checks that the file still has a name besides its handle; any other operation
    /// that touches the file closes it first.
    func openLiveRegularFile(_ gfid: GFID) throws(StoreError) -> (file: StoreDescriptor, status: stat)? {
        // The times stay unread (`statusWithoutTimes`): this runs before every write.
        if let open = writableFiles[gfid] {
            let status = try open.statusWithoutTimes()
            if status.st_nlink >= 2 { return (open, status) }
            writableFiles[gfid] = nil
        }
        guard !gfid.isNull, gfid != .root, let (bucket, status) = try index.handle(gfid),
            status.st_mode & S_IFMT == S_IFREG, status.st_nlink >= 2
        else { return nil }
        // Checked before opening: opening a FIFO for writing would not return.
        let file = try bucket.open(HandlePath.name(gfid), flags: O_WRONLY, label: "file \(gfid)")
        let opened = try file.statusWithoutTimes()
        guard opened.st_ino == status.st_ino, opened.st_dev == status.st_dev,
            try identity.gfid(in: file, name: nil, status: opened) == gfid
        else { return nil }
        if writableFiles.count >= Self.maxWritableFiles, let victim = writableFiles.keys.randomElement() {
            writableFiles[victim] = nil
        }
        writableFiles[gfid] = file
        return (file, opened)
    }

    /// Opens regular file `gfid`. EISDIR for a directory, EINVAL for any other kind.
    func openRegularFile(_ gfid: GFID, writable: Bool) throws(StoreError) -> StoreDescriptor {
        let object = try object(gfid)
        switch object.type {
        case .regular: break
        case .directory: throw .refused(.EISDIR, "\(gfid) is a directory")
        case .symlink, .fifo, .socket: throw .refused(.EINVAL, "\(gfid) is not a regular file")
        }
        guard let handleName = object.name else { preconditionFailure("a regular file is reached through its handle") }
        return try object.base.open(handleName, flags: writable ? O_WRONLY : O_RDONLY, label: "file \(gfid)")
    }

    private func punchHole(_ file: StoreDescriptor, offset: Int64, length: Int64) throws(StoreError) {
        do throws(StoreError) {
            try file.allocate(mode: LinuxCalls.fallocPunchHole | LinuxCalls.fallocKeepSize, offset: offset, length: length)
        } catch where error.errno == EOPNOTSUPP {
            let size = Int64(try file.status().st_size)
            let zeros = [UInt8](repeating: 0, count: 1 << 16)
            var position = offset
            while position < min(size, offset + length) {
                let count = Int(min(Int64(zeros.count), min(size, offset + length) - position))
                try file.write(count == zeros.count ? zeros : Array(zeros[0..<count]), at: position)
                position += Int64(count)
            }
        }
    }

    /// Sets the modification time of a file just changed to `time` (a redo puts back the time it
    /// had, which the kernel just moved), and returns its attributes, whose change time is
    /// `time` too: the change's own time, the same on every replica. Their times are not read
    /// back (see `statusWithoutTimes`).
    func modified(_ file: StoreDescriptor, gfid: GFID, time: Timestamp) throws(StoreError) -> FileAttributes {
        try file.setTimes(of: nil, access: nil, modification: time)
        var status = try file.statusWithoutTimes()
        status.st_mtim = time.timespec
        status.st_ctim = time.timespec
        return try Self.attributes(status, gfid: gfid, of: file.label)
    }

    /// `offset` as a file offset, refusing (EFBIG) a range ending past what `off_t` holds.
    func fileOffset(_ offset: UInt64, plus length: UInt64, _ operation: String) throws(StoreError) -> Int64 {
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, end <= UInt64(Int64.max) else { throw .refused(.EFBIG, "\(operation): range ends past the largest file offset") }
        return Int64(offset)
    }

    /// A non-empty range (EINVAL when empty, as fallocate says).
    private func range(_ offset: UInt64, _ length: UInt64, _ operation: String) throws(StoreError) -> (Int64, Int64) {
        guard length > 0 else { throw .refused(.EINVAL, "\(operation): empty range") }
        return (try fileOffset(offset, plus: length, operation), Int64(length))
    }
}
