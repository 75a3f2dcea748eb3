#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Extended attributes of this descriptor (`name` nil) or of an entry in this directory.
///
/// An entry's attributes are read and written with `getxattrat` and `setxattrat` (Linux 6.13),
/// from this directory's descriptor. Older kernels reach the entry as
/// `/proc/self/fd/<this directory>/<name>` with the `l*xattr` calls: the kernel jumps straight
/// to the directory this descriptor holds. Either way the last component is never followed.
extension StoreDescriptor {
    /// The value of `attribute`, or nil if the object has none. Values longer than `maxBytes`
    /// fail with ERANGE.
    func xattr(_ attribute: [UInt8], of name: [UInt8]?, maxBytes: Int = 65536) throws(StoreError) -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: maxBytes)
        let count = value.withUnsafeMutableBytes { buffer in
            withCName(attribute) { cAttribute in
                onEntry(
                    name, { LinuxCalls.fgetxattr(fd, cAttribute, buffer.baseAddress, buffer.count) },
                    at: { LinuxCalls.getxattrAt(fd, $0, cAttribute, buffer.baseAddress, buffer.count) }
                ) { LinuxCalls.lgetxattr($0, cAttribute, buffer.baseAddress, buffer.count) }
            }
        }
        if count < 0 && errno == ENODATA { return nil }
        guard count >= 0 else { throw failure("getxattr", name, attribute) }
        return Array(value.prefix(count))
    }

    func setXattr(_ attribute: [UInt8], value: [UInt8], of name: [UInt8]?, flags: Int32 = 0) throws(StoreError) {
        try aboutToChange("setxattr", name)
        let result = value.withUnsafeBytes { buffer in
            withCName(attribute) { cAttribute in
                onEntry(
                    name, { LinuxCalls.fsetxattr(fd, cAttribute, buffer.baseAddress, buffer.count, flags) },
                    at: { LinuxCalls.setxattrAt(fd, $0, cAttribute, buffer.baseAddress, buffer.count, flags) }
                ) { LinuxCalls.lsetxattr($0, cAttribute, buffer.baseAddress, buffer.count, flags) }
            }
        }
        guard result == 0 else { throw failure("setxattr", name, attribute) }
    }

    func removeXattr(_ attribute: [UInt8], of name: [UInt8]?) throws(StoreError) {
        try aboutToChange("removexattr", name)
        let result = withCName(attribute) { cAttribute in
            onEntry(name, { LinuxCalls.fremovexattr(fd, cAttribute) }) { LinuxCalls.lremovexattr($0, cAttribute) }
        }
        guard result == 0 else { throw failure("removexattr", name, attribute) }
    }

    /// Every attribute name the object has (XATTR_LIST_MAX bounds the list at 64 KiB).
    func xattrNames(of name: [UInt8]?) throws(StoreError) -> [[UInt8]] {
        var list = [UInt8](repeating: 0, count: 65536)
        let count = list.withUnsafeMutableBytes { buffer in
            let characters = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            return onEntry(name, { LinuxCalls.flistxattr(fd, characters, buffer.count) }) {
                LinuxCalls.llistxattr($0, characters, buffer.count)
            }
        }
        guard count >= 0 else { throw failure("listxattr", name, []) }
        return list.prefix(count).split(separator: 0, omittingEmptySubsequences: true).map(Array.init)
    }

    /// Calls `onSelf` for this descriptor; for entry `name`, `at` with its name (nil if the
    /// kernel lacks the call) or else `onPath` with its `/proc` path.
    private func onEntry<Result>(
        _ name: [UInt8]?, _ onSelf: () -> Result, at: (UnsafePointer<CChar>) -> Result? = { _ in nil }, _ onPath: (UnsafePointer<CChar>) -> Result
    ) -> Result {
        guard let name else { return onSelf() }
        if let result = withCName(name, at) { return result }
        return withCName(Array("/proc/self/fd/\(fd)/".utf8) + name, onPath)
    }

    private func failure(_ call: String, _ name: [UInt8]?, _ attribute: [UInt8]) -> StoreError {
        let code = errno
        let place = name.map(subject) ?? label
        let what = attribute.isEmpty ? place : "\(place) \(String(decoding: attribute, as: UTF8.self))"
        return .system(call: call, subject: what, errno: code)
    }
}
