import Foundation
import JBRCore

/// A description of everything a brick's store holds outside `.jbr/`, one line per object,
/// sorted: path, type, permissions, owner, size, link count, content checksum, symlink target
/// and every extended attribute. Two bricks that applied the same committed prefix give the
/// same text. Times are left out: a write stamps the applying brick's own clock.
public enum BrickTreeDigest {
    public static func describe(brick root: String) throws -> [String] {
        var lines: [String] = []
        try walk(root, relative: "", into: &lines)
        return lines.sorted()
    }

    private static func walk(_ directory: String, relative: String, into lines: inout [String]) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where !(relative.isEmpty && name == ".jbr") {
            let path = directory + "/" + name
            let shown = relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { throw JBRError(.EIO, "lstat \(path): errno \(errno)") }
            var line = "\(shown) mode \(String(info.st_mode, radix: 8)) owner \(info.st_uid):\(info.st_gid) links \(info.st_nlink)"
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                line += " directory"
            case S_IFLNK:
                line += " symlink -> \(try FileManager.default.destinationOfSymbolicLink(atPath: path))"
            case S_IFREG:
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                let checksum = data.withUnsafeBytes { CRC32C.checksum($0) }
                line += " size \(info.st_size) crc \(String(checksum, radix: 16))"
            default:
                line += " size \(info.st_size) rdev \(info.st_rdev)"
            }
            line += " xattrs " + extendedAttributes(path).map { "\($0)=\($1)" }.joined(separator: ",")
            lines.append(line)
            if info.st_mode & S_IFMT == S_IFDIR { try walk(path, relative: shown, into: &lines) }
        }
    }

    /// name → hex value, sorted by name; symlinks' own attributes (never followed).
    private static func extendedAttributes(_ path: String) -> [(String, String)] {
        let size = LinuxCalls.llistxattr(path, nil, 0)
        guard size > 0 else { return [] }
        var names = [CChar](repeating: 0, count: size)
        let got = LinuxCalls.llistxattr(path, &names, size)
        guard got > 0 else { return [] }
        let list = names[..<got].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return list.sorted().map { name in
            let length = LinuxCalls.lgetxattr(path, name, nil, 0)
            var value = [UInt8](repeating: 0, count: max(0, length))
            if length > 0 { _ = LinuxCalls.lgetxattr(path, name, &value, length) }
            return (name, value.map { String($0, radix: 16) }.joined(separator: "."))
        }
    }
}
