import CFUSE3
#if canImport(Glibc)
import Glibc
#endif
import JBRCore
import NIOCore

/// Objects and their contents: attributes, open files, reads and writes.
extension MountedFileSystem {
    func getAttributes(_ request: FuseRequest, node: fuse_ino_t) {
        serve(request, "getattr") { [self] in
            request.attributes(try await stat(try gfid(node)), options: options)
        }
    }

    /// chmod, chown, truncate and utimens; a size change is a truncate of its own, the rest one
    /// setattr.
    func setAttributes(_ request: FuseRequest, node: fuse_ino_t, _ wanted: stat, fields: Int32) {
        change(request, "setattr") { [self] in
            let gfid = try gfid(node)
            var latest: FileAttributes?
            if fields & FUSE_SET_ATTR_SIZE != 0 {
                guard wanted.st_size >= 0 else { throw JBRError(.EINVAL, "negative size") }
                latest = try attributes(try await modify(.truncate(gfid: gfid, size: UInt64(wanted.st_size))), of: "truncate")
            }
            var changes = SetAttributes()
            if fields & FUSE_SET_ATTR_MODE != 0 { changes.permissions = Self.permissions(wanted.st_mode) }
            if fields & FUSE_SET_ATTR_UID != 0 { changes.uid = wanted.st_uid }
            if fields & FUSE_SET_ATTR_GID != 0 { changes.gid = wanted.st_gid }
            if fields & FUSE_SET_ATTR_ATIME_NOW != 0 {
                changes.accessTime = .sequencingTime
            } else if fields & FUSE_SET_ATTR_ATIME != 0 {
                changes.accessTime = .exact(Timestamp(wanted.st_atim))
            }
            if fields & FUSE_SET_ATTR_MTIME_NOW != 0 {
                changes.modificationTime = .sequencingTime
            } else if fields & FUSE_SET_ATTR_MTIME != 0 {
                changes.modificationTime = .exact(Timestamp(wanted.st_mtim))
            }
            if !changes.isEmpty {
                latest = try attributes(try await modify(.setattr(gfid: gfid, changes)), of: "setattr")
            }
            if latest == nil { latest = try await stat(gfid) }
            request.attributes(latest!, options: options)
        }
    }

    func readLink(_ request: FuseRequest, node: fuse_ino_t) {
        serve(request, "readlink") { [self] in
            guard case let .linkTarget(target) = try await client.read(.readlink(gfid: try gfid(node))) else {
                throw JBRError(.EIO, "readlink answered with something other than a target")
            }
            request.linkTarget(target)
        }
    }

    func open(_ request: FuseRequest, node: fuse_ino_t, file: fuse_file_info) {
        let writing = file.flags & O_ACCMODE != O_RDONLY || file.flags & O_TRUNC != 0
        guard !(options.readOnly && writing) else { return request.fail(EROFS) }
        serve(request, "open") { [self] in
            let gfid = try gfid(node)
            request.opened(open(gfid, file))
        }
    }

    /// Registers a handle for `gfid` and says how the kernel is to use it.
    func open(_ gfid: GFID, _ file: fuse_file_info) -> fuse_file_info {
        var opened = file
        opened.fh = files.withLock { $0.open(OpenFiles.Handle(gfid: gfid, append: file.flags & O_APPEND != 0)) }
        // Without the page cache every read and write goes to the volume: nothing stale is read.
        opened.direct_io = options.pageCache ? 0 : 1
        opened.keep_cache = 0
        return opened
    }

    func release(_ request: FuseRequest, handle: UInt64) {
        files.withLock { $0.close(handle) }
        request.succeed()
    }

    /// Reads until `size` bytes or the end of the file: the kernel takes a short reply for the
    /// end of the file.
    func read(_ request: FuseRequest, node: fuse_ino_t, size: Int, offset: off_t, handle: UInt64) {
        serve(request, "read") { [self] in
            let gfid = try files.withLock { $0.handle(handle)?.gfid } ?? gfid(node)
            // Usually one answer holds it all, and goes to the kernel as it arrived.
            var collected = ByteBuffer()
            var position = UInt64(max(0, offset))
            while collected.readableBytes < size {
                let wanted = UInt32(min(size - collected.readableBytes, CodecLimits.maxDataBytes))
                guard case .data(var data, let endOfFile) = try await client.read(.read(gfid: gfid, offset: position, length: wanted)) else {
                    throw JBRError(.EIO, "read answered with something other than data")
                }
                let got = data.readableBytes
                position += UInt64(got)
                if collected.readableBytes == 0 { collected = data } else { collected.writeBuffer(&data) }
                if endOfFile || got == 0 { break }
            }
            request.bytes(collected)
        }
    }

    /// A write at the kernel's offset, or, for a handle opened with O_APPEND, at the end of the
    /// file as the leader finds it (appends from several clients never overwrite each other).
    /// `data` is the kernel's buffer copied once; pieces of it go out without another copy.
    func write(_ request: FuseRequest, node: fuse_ino_t, data: ByteBuffer, offset: off_t, handle: UInt64) {
        change(request, "write") { [self] in
            let opened = try files.withLock { $0.handle(handle) } ?? OpenFiles.Handle(gfid: gfid(node), append: false)
            let total = data.readableBytes
            var rest = data
            var position = UInt64(max(0, offset))
            while let piece = rest.readSlice(length: min(rest.readableBytes, CodecLimits.maxDataBytes)), piece.readableBytes > 0 {
                if opened.append {
                    _ = try await modify(.append(gfid: opened.gfid, data: piece))
                } else {
                    _ = try await modify(.write(gfid: opened.gfid, offset: position, data: piece))
                }
                position += UInt64(piece.readableBytes)
            }
            request.written(total)
        }
    }

    /// fallocate(2): reserve (with or without FALLOC_FL_KEEP_SIZE), punch a hole, zero a range.
    func allocate(_ request: FuseRequest, node: fuse_ino_t, mode: Int32, offset: off_t, length: off_t) {
        change(request, "fallocate") { [self] in
            let gfid = try gfid(node)
            guard offset >= 0, length > 0 else { throw JBRError(.EINVAL, "fallocate of a negative or empty range") }
            let start = UInt64(offset), count = UInt64(length)
            let keepSize: Int32 = 0x01, punchHole: Int32 = 0x02, zeroRange: Int32 = 0x10
            switch mode {
            case 0: _ = try await modify(.fallocate(gfid: gfid, offset: start, length: count, keepSize: false))
            case keepSize: _ = try await modify(.fallocate(gfid: gfid, offset: start, length: count, keepSize: true))
            case punchHole | keepSize: _ = try await modify(.discard(gfid: gfid, offset: start, length: count))
            // The volume's zerofill extends the file; with KEEP_SIZE it must not, so that is refused.
            case zeroRange: _ = try await modify(.zerofill(gfid: gfid, offset: start, length: count))
            default: throw JBRError(.EOPNOTSUPP, "fallocate mode \(mode) is not supported")
            }
            request.succeed()
        }
    }

    func fileSystemStatistics(_ request: FuseRequest) {
        serve(request, "statfs") { [self] in
            guard case let .fileSystem(stats) = try await client.read(.statfs) else {
                throw JBRError(.EIO, "statfs answered with something other than statistics")
            }
            request.fileSystem(stats)
        }
    }
}
