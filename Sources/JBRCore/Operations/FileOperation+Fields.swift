/// Operations as name/value pairs, for `logdump`, logs and status: arguments in a stable order,
/// payloads as sizes, never their bytes.
extension FileOperation {
    public var fields: [(name: String, value: String)] {
        switch self {
        case let .create(location, gfid, permissions, owner, exclusive):
            return Self.entry(location) + [("gfid", "\(gfid)"), ("mode", Self.octal(permissions))] + Self.owner(owner) + [("exclusive", "\(exclusive)")]
        case let .mkdir(location, gfid, permissions, owner):
            return Self.entry(location) + [("gfid", "\(gfid)"), ("mode", Self.octal(permissions))] + Self.owner(owner)
        case let .mknod(location, gfid, type, permissions, owner):
            return Self.entry(location) + [("gfid", "\(gfid)"), ("type", type == .fifo ? "fifo" : "socket"), ("mode", Self.octal(permissions))] + Self.owner(owner)
        case let .symlink(location, gfid, target, owner):
            return Self.entry(location) + [("gfid", "\(gfid)"), ("target", target.description)] + Self.owner(owner)
        case let .link(gfid, location):
            return [("gfid", "\(gfid)")] + Self.entry(location, prefix: "new")
        case let .unlink(location, gfid), let .rmdir(location, gfid):
            return Self.entry(location) + [("gfid", "\(gfid)")]
        case let .rename(gfid, from, to, noReplace):
            return [("gfid", "\(gfid)")] + Self.entry(from, prefix: "old") + Self.entry(to, prefix: "new") + [("noreplace", "\(noReplace)")]
        case let .write(gfid, offset, data):
            return [("gfid", "\(gfid)"), ("offset", "\(offset)"), ("data", "<\(data.readableBytes) bytes>")]
        case let .append(gfid, data):
            return [("gfid", "\(gfid)"), ("data", "<\(data.readableBytes) bytes>")]
        case let .truncate(gfid, size):
            return [("gfid", "\(gfid)"), ("size", "\(size)")]
        case let .fallocate(gfid, offset, length, keepSize):
            return [("gfid", "\(gfid)"), ("offset", "\(offset)"), ("length", "\(length)"), ("keep-size", "\(keepSize)")]
        case let .discard(gfid, offset, length), let .zerofill(gfid, offset, length):
            return [("gfid", "\(gfid)"), ("offset", "\(offset)"), ("length", "\(length)")]
        case let .setattr(gfid, attributes):
            var fields = [("gfid", "\(gfid)")]
            if let permissions = attributes.permissions { fields.append(("mode", Self.octal(permissions))) }
            if let uid = attributes.uid { fields.append(("uid", "\(uid)")) }
            if let gid = attributes.gid { fields.append(("gid", "\(gid)")) }
            if let time = attributes.accessTime { fields.append(("atime", Self.time(time))) }
            if let time = attributes.modificationTime { fields.append(("mtime", Self.time(time))) }
            return fields
        case let .setxattr(gfid, name, value, mode):
            return [("gfid", "\(gfid)"), ("name", name.description), ("value", "<\(value.bytes.count) bytes>"), ("flags", "\(mode)")]
        case let .removexattr(gfid, name):
            return [("gfid", "\(gfid)"), ("name", name.description)]
        }
    }

    private static func entry(_ location: EntryLocation, prefix: String = "") -> [(name: String, value: String)] {
        [(prefix.isEmpty ? "parent" : "\(prefix)-parent", "\(location.parent)"), (prefix.isEmpty ? "name" : "\(prefix)-name", location.name.description)]
    }

    private static func owner(_ owner: Owner) -> [(name: String, value: String)] {
        [("uid", "\(owner.uid)"), ("gid", "\(owner.gid)")]
    }

    private static func octal(_ permissions: UInt16) -> String { "0" + String(permissions, radix: 8) }

    private static func time(_ update: TimeUpdate) -> String {
        switch update {
        case .sequencingTime: "sequencing-time"
        case let .exact(timestamp): timestamp.description
        }
    }
}
