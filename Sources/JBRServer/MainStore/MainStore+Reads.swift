#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore
import NIOCore

extension MainStore {
    /// Serves a read. Errors a POSIX user expects are `.failure` results; `StoreFailure` is
    /// this brick's disk or store in trouble. Entries without a GFID (not part of the volume)
    /// and `.jbr` at the root are invisible: lookup says ENOENT, readdir leaves them out.
    public func read(_ operation: ReadOperation) throws(StoreFailure) -> OperationResult {
        try Self.outcome { () throws(StoreError) -> OperationReply in
            switch operation {
            case let .lookup(location):
                return try lookup(location)
            case let .stat(gfid):
                return .attributes(try attributes(of: object(gfid)))
            case let .read(gfid, offset, length):
                return try readData(gfid, offset: offset, length: length)
            case let .readdir(gfid, cookie, maxEntries):
                return try listDirectory(gfid, cookie: cookie, maxEntries: maxEntries)
            case let .readlink(gfid):
                return try readLink(gfid)
            case let .getxattr(gfid, name):
                return try xattr(gfid, name: name)
            case let .listxattr(gfid):
                return try xattrNames(gfid)
            case .statfs:
                return .fileSystem(try fileSystemStats())
            }
        }
    }

    private func lookup(_ location: EntryLocation) throws(StoreError) -> OperationReply {
        let parent = try directory(location.parent)
        guard !isReserved(location), case let .present(gfid, _, status) = try entry(location.name, in: parent) else {
            throw .refused(.ENOENT, "lookup \(location)")
        }
        return .attributes(try Self.attributes(status, gfid: gfid, of: parent.subject(location.name.bytes)))
    }

    /// Up to `length` bytes from `offset`; `endOfFile` when the read reaches the file's end.
    private func readData(_ gfid: GFID, offset: UInt64, length: UInt32) throws(StoreError) -> OperationReply {
        guard Int(length) <= CodecLimits.maxDataBytes else {
            throw .refused(.EINVAL, "read \(gfid): \(length) bytes is over the limit of \(CodecLimits.maxDataBytes)")
        }
        let start = try fileOffset(offset, plus: UInt64(length), "read \(gfid)")
        let file = try openRegularFile(gfid, writable: false)
        let size = Int64(try file.status().st_size)
        var buffer = ByteBufferAllocator().buffer(capacity: Int(length))
        var failure: StoreError?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Int(length)) { bytes in
            do throws(StoreError) {
                return try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<Int(length)]), at: start)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return .data(buffer, endOfFile: start + Int64(buffer.readableBytes) >= size)
    }

    /// One page of directory `gfid` with attributes, after `cookie` (see `DirectoryPaging`).
    private func listDirectory(_ gfid: GFID, cookie: UInt64, maxEntries: UInt32) throws(StoreError) -> OperationReply {
        guard maxEntries > 0 else { throw .refused(.EINVAL, "readdir \(gfid): a page of 0 entries") }
        let directory = try directory(gfid)
        var names = try directory.entryNames()
        if gfid == .root { names.removeAll { $0 == StoreLayout.reservedName } }
        let page = DirectoryPaging.page(names, after: cookie, limit: min(Int(maxEntries), CodecLimits.maxDirectoryEntries))
        var entries: [DirectoryEntry] = []
        for bytes in page.names {
            guard let name = try? FileName(validating: bytes),
                case let .present(child, _, status) = try entry(name, in: directory),
                let attributes = FileAttributes(status: status, gfid: child)
            else { continue }
            entries.append(DirectoryEntry(name: name, attributes: attributes))
        }
        return .directory(DirectoryPage(entries: entries, nextCookie: page.nextCookie, isLastPage: page.isLast))
    }

    private func readLink(_ gfid: GFID) throws(StoreError) -> OperationReply {
        let object = try object(gfid)
        guard object.type == .symlink, let handleName = object.name else { throw .refused(.EINVAL, "readlink \(gfid): not a symlink") }
        let bytes = try object.base.readLink(handleName)
        guard let target = try? SymlinkTarget(validating: bytes) else { throw .damaged("symlink \(gfid) has an invalid target") }
        return .linkTarget(target)
    }

    private func xattr(_ gfid: GFID, name: XattrName) throws(StoreError) -> OperationReply {
        let object = try object(gfid)
        guard !XattrPolicy.isReserved(name.bytes), let bytes = try object.base.xattr(name.bytes, of: object.name) else {
            throw .refused(.ENODATA, "getxattr \(gfid) \(name)")
        }
        guard let value = try? XattrValue(validating: bytes) else { throw .refused(.E2BIG, "getxattr \(gfid) \(name): value too large") }
        return .xattrValue(value)
    }

    private func xattrNames(_ gfid: GFID) throws(StoreError) -> OperationReply {
        let object = try object(gfid)
        let names = try object.base.xattrNames(of: object.name)
            .filter { !XattrPolicy.isReserved($0) }
            .compactMap { try? XattrName(validating: $0) }
        return .xattrNames(names.sorted())
    }

    private func fileSystemStats() throws(StoreError) -> FileSystemStats {
        let info = try brick.fileSystemStatus()
        return FileSystemStats(
            blockSize: UInt32(truncatingIfNeeded: info.f_frsize), totalBlocks: UInt64(info.f_blocks),
            freeBlocks: UInt64(info.f_bfree), availableBlocks: UInt64(info.f_bavail), totalFiles: UInt64(info.f_files),
            freeFiles: UInt64(info.f_ffree), maxNameLength: UInt32(truncatingIfNeeded: info.f_namemax))
    }
}
