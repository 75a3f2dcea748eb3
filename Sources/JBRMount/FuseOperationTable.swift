import CFUSE3
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// libfuse's table of low-level callbacks. Each is a C function: it finds the file system in the
/// session's user data, copies what the kernel passed (the buffers are libfuse's), and hands the
/// request on. Unset entries answer ENOSYS, and the kernel stops asking (locks then stay local to
/// this machine, as on a file system without lock support).
enum FuseOperationTable {
    static func make() -> fuse_lowlevel_ops {
        var table = fuse_lowlevel_ops()
        table.`init` = { _, connection in
            guard let connection else { return }
            // Programs' writes reach the volume as they make them, not later from the kernel's cache.
            connection.pointee.want &= ~UInt32(FUSE_CAP_WRITEBACK_CACHE)
            // One write operation carries up to 1 MiB.
            connection.pointee.max_write = 1 << 20
            if connection.pointee.capable & UInt32(FUSE_CAP_READDIRPLUS) != 0 {
                connection.pointee.want |= UInt32(FUSE_CAP_READDIRPLUS) | UInt32(FUSE_CAP_READDIRPLUS_AUTO)
            }
        }
        table.lookup = { request, parent, name in
            fileSystem(request).lookup(FuseRequest(request!), parent: parent, name: bytes(of: name))
        }
        table.forget = { request, node, count in
            fileSystem(request).forget(node, count: count)
            FuseRequest(request!).none()
        }
        table.forget_multi = { request, count, forgets in
            let mounted = fileSystem(request)
            for forget in UnsafeBufferPointer(start: forgets, count: count) {
                mounted.forget(forget.ino, count: forget.nlookup)
            }
            FuseRequest(request!).none()
        }
        table.getattr = { request, node, _ in
            fileSystem(request).getAttributes(FuseRequest(request!), node: node)
        }
        table.setattr = { request, node, wanted, fields, _ in
            guard let wanted else { return FuseRequest(request!).fail(EINVAL) }
            fileSystem(request).setAttributes(FuseRequest(request!), node: node, wanted.pointee, fields: fields)
        }
        table.readlink = { request, node in
            fileSystem(request).readLink(FuseRequest(request!), node: node)
        }
        table.mknod = { request, parent, name, mode, _ in
            fileSystem(request).makeNode(FuseRequest(request!), parent: parent, name: bytes(of: name), mode: mode)
        }
        table.mkdir = { request, parent, name, mode in
            fileSystem(request).makeDirectory(FuseRequest(request!), parent: parent, name: bytes(of: name), mode: mode)
        }
        table.unlink = { request, parent, name in
            fileSystem(request).unlink(FuseRequest(request!), parent: parent, name: bytes(of: name))
        }
        table.rmdir = { request, parent, name in
            fileSystem(request).removeDirectory(FuseRequest(request!), parent: parent, name: bytes(of: name))
        }
        table.symlink = { request, target, parent, name in
            fileSystem(request).makeSymbolicLink(FuseRequest(request!), parent: parent, name: bytes(of: name), target: bytes(of: target))
        }
        table.rename = { request, parent, name, newParent, newName, flags in
            fileSystem(request).rename(FuseRequest(request!), parent: parent, name: bytes(of: name), newParent: newParent, newName: bytes(of: newName), flags: flags)
        }
        table.link = { request, node, newParent, newName in
            fileSystem(request).link(FuseRequest(request!), node: node, newParent: newParent, newName: bytes(of: newName))
        }
        table.open = { request, node, file in
            guard let file else { return FuseRequest(request!).fail(EINVAL) }
            fileSystem(request).open(FuseRequest(request!), node: node, file: file.pointee)
        }
        table.create = { request, parent, name, mode, file in
            guard let file else { return FuseRequest(request!).fail(EINVAL) }
            fileSystem(request).create(FuseRequest(request!), parent: parent, name: bytes(of: name), mode: mode, file: file.pointee)
        }
        table.read = { request, node, size, offset, file in
            fileSystem(request).read(FuseRequest(request!), node: node, size: size, offset: offset, handle: file?.pointee.fh ?? 0)
        }
        table.write = { request, node, buffer, size, offset, file in
            let data = ByteBuffer(bytes: UnsafeRawBufferPointer(start: buffer, count: buffer == nil ? 0 : size))
            fileSystem(request).write(FuseRequest(request!), node: node, data: data, offset: offset, handle: file?.pointee.fh ?? 0)
        }
        // Every acknowledged write is durable on a majority already: flush and fsync have
        // nothing left to do.
        table.flush = { request, _, _ in FuseRequest(request!).succeed() }
        table.fsync = { request, _, _, _ in FuseRequest(request!).succeed() }
        table.fsyncdir = { request, _, _, _ in FuseRequest(request!).succeed() }
        table.release = { request, _, file in
            fileSystem(request).release(FuseRequest(request!), handle: file?.pointee.fh ?? 0)
        }
        table.opendir = { request, _, file in
            guard let file else { return FuseRequest(request!).fail(EINVAL) }
            FuseRequest(request!).opened(file.pointee)
        }
        table.releasedir = { request, _, _ in FuseRequest(request!).succeed() }
        table.readdir = { request, node, size, offset, _ in
            fileSystem(request).readDirectory(FuseRequest(request!), node: node, size: size, offset: offset, plus: false)
        }
        table.readdirplus = { request, node, size, offset, _ in
            fileSystem(request).readDirectory(FuseRequest(request!), node: node, size: size, offset: offset, plus: true)
        }
        table.statfs = { request, _ in
            fileSystem(request).fileSystemStatistics(FuseRequest(request!))
        }
        table.setxattr = { request, node, name, value, size, flags in
            let data = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
            fileSystem(request).setExtendedAttribute(FuseRequest(request!), node: node, name: bytes(of: name), value: data, flags: flags)
        }
        table.getxattr = { request, node, name, size in
            fileSystem(request).extendedAttribute(FuseRequest(request!), node: node, name: bytes(of: name), size: size)
        }
        table.listxattr = { request, node, size in
            fileSystem(request).extendedAttributeNames(FuseRequest(request!), node: node, size: size)
        }
        table.removexattr = { request, node, name in
            fileSystem(request).removeExtendedAttribute(FuseRequest(request!), node: node, name: bytes(of: name))
        }
        table.fallocate = { request, node, mode, offset, length, _ in
            fileSystem(request).allocate(FuseRequest(request!), node: node, mode: mode, offset: offset, length: length)
        }
        return table
    }

}

/// The file system the session was made with (`FuseMount` keeps it alive meanwhile). A free
/// function: a C callback cannot capture even the enclosing type.
private func fileSystem(_ request: fuse_req_t?) -> MountedFileSystem {
    Unmanaged<MountedFileSystem>.fromOpaque(fuse_req_userdata(request)!).takeUnretainedValue()
}
