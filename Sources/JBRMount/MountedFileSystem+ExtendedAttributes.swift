import CFUSE3
#if canImport(Glibc)
import Glibc
#endif
import JBRCore

/// setxattr, getxattr, listxattr, removexattr. A caller that passes a zero-sized buffer asks
/// for the size; one whose buffer is too small gets ERANGE.
extension MountedFileSystem {
    func setExtendedAttribute(_ request: FuseRequest, node: fuse_ino_t, name: [UInt8], value: [UInt8], flags: Int32) {
        change(request, "setxattr") { [self] in
            let mode: XattrSetMode
            switch flags {
            case 0: mode = .upsert
            case Int32(XATTR_CREATE): mode = .createOnly
            case Int32(XATTR_REPLACE): mode = .replaceOnly
            default: throw JBRError(.EINVAL, "setxattr flags \(flags)")
            }
            _ = try await modify(.setxattr(gfid: try gfid(node), name: try XattrName(validating: name), value: try XattrValue(validating: value), mode: mode))
            request.succeed()
        }
    }

    func extendedAttribute(_ request: FuseRequest, node: fuse_ino_t, name: [UInt8], size: Int) {
        serve(request, "getxattr") { [self] in
            guard case let .xattrValue(value) = try await client.read(.getxattr(gfid: try gfid(node), name: try XattrName(validating: name))) else {
                throw JBRError(.EIO, "getxattr answered with something other than a value")
            }
            try answer(request, value.bytes, room: size)
        }
    }

    func extendedAttributeNames(_ request: FuseRequest, node: fuse_ino_t, size: Int) {
        serve(request, "listxattr") { [self] in
            guard case let .xattrNames(names) = try await client.read(.listxattr(gfid: try gfid(node))) else {
                throw JBRError(.EIO, "listxattr answered with something other than names")
            }
            try answer(request, names.flatMap { $0.bytes + [0] }, room: size)
        }
    }

    func removeExtendedAttribute(_ request: FuseRequest, node: fuse_ino_t, name: [UInt8]) {
        change(request, "removexattr") { [self] in
            _ = try await modify(.removexattr(gfid: try gfid(node), name: try XattrName(validating: name)))
            request.succeed()
        }
    }

    private func answer(_ request: FuseRequest, _ bytes: [UInt8], room: Int) throws {
        if room == 0 { return request.extendedAttributeSize(bytes.count) }
        guard bytes.count <= room else { throw JBRError(.ERANGE, "\(bytes.count) bytes do not fit in \(room)") }
        request.bytes(bytes[...])
    }
}
