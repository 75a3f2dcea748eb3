import CFUSE3
#if canImport(Glibc)
import Glibc
#endif
import JBRCore
import NIOCore

/// One request from the kernel, answered exactly once, from whichever thread finishes it
/// (libfuse's replies may come from any thread; each is one write to /dev/fuse).
struct FuseRequest: @unchecked Sendable {
    let request: fuse_req_t

    init(_ request: fuse_req_t) { self.request = request }

    /// Who is asking: the owner a new object gets.
    var caller: Owner {
        guard let context = fuse_req_ctx(request) else { return Owner(uid: 0, gid: 0) }
        return Owner(uid: context.pointee.uid, gid: context.pointee.gid)
    }

    func fail(_ errorNumber: Int32) {
        _ = fuse_reply_err(request, errorNumber)
    }

    /// Success for requests that answer nothing (unlink, flush, release …): error 0.
    func succeed() {
        _ = fuse_reply_err(request, 0)
    }

    /// For `forget`, which the kernel does not wait for.
    func none() {
        fuse_reply_none(request)
    }

    func entry(node: UInt64, _ attributes: FileAttributes, options: MountOptions) {
        var parameters = Self.entryParameters(node: node, attributes, options: options)
        _ = fuse_reply_entry(request, &parameters)
    }

    func created(node: UInt64, _ attributes: FileAttributes, options: MountOptions, file: fuse_file_info) {
        var parameters = Self.entryParameters(node: node, attributes, options: options)
        var file = file
        _ = fuse_reply_create(request, &parameters, &file)
    }

    func attributes(_ attributes: FileAttributes, options: MountOptions) {
        var buffer = attributes.statBuffer()
        _ = fuse_reply_attr(request, &buffer, options.attributeTimeout)
    }

    func opened(_ file: fuse_file_info) {
        var file = file
        _ = fuse_reply_open(request, &file)
    }

    func written(_ count: Int) {
        _ = fuse_reply_write(request, count)
    }

    func bytes(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { reply($0) }
    }

    /// A read's data, straight from the buffer the volume's answer arrived in.
    func bytes(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { reply($0) }
    }

    private func reply(_ buffer: UnsafeRawBufferPointer) {
        _ = fuse_reply_buf(request, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count)
    }

    /// A target's bytes as they are (not necessarily UTF-8); it holds no NUL.
    func linkTarget(_ target: SymlinkTarget) {
        (target.bytes + [0]).withUnsafeBytes { buffer in
            _ = fuse_reply_readlink(request, buffer.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
    }

    func fileSystem(_ stats: FileSystemStats) {
        var buffer = stats.statvfsBuffer()
        _ = fuse_reply_statfs(request, &buffer)
    }

    /// The size an extended attribute (or the list of names) needs, for a caller that asked
    /// with a zero-sized buffer.
    func extendedAttributeSize(_ count: Int) {
        _ = fuse_reply_xattr(request, count)
    }

    static func entryParameters(node: UInt64, _ attributes: FileAttributes, options: MountOptions) -> fuse_entry_param {
        var parameters = fuse_entry_param()
        parameters.ino = fuse_ino_t(node)
        parameters.generation = 0
        parameters.attr = attributes.statBuffer()
        parameters.attr_timeout = options.attributeTimeout
        parameters.entry_timeout = options.entryTimeout
        return parameters
    }
}
