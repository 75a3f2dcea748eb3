#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore
import NIOCore

/// The leader's side of a full resync: the whole tree as `ResyncStep`s, taken while nothing is
/// applied (the caller holds the store), so the manifest is the tree at one applied position.
/// Only metadata is read here (a few system calls per object); file bytes are fetched later,
/// while the leader serves.
extension MainStore {
    /// The manifest: each step encoded with its length before it (`ByteBuffer.appendStep`).
    ///
    /// - Parameter maxBytes: a tree whose manifest would pass this is refused (EFBIG), not
    ///   half-sent.
    func resyncManifest(maxBytes: Int) throws(StoreFailure) -> ByteBuffer {
        var manifest = ByteBuffer()
        var seen: Set<GFID> = [.root]
        var directories: [GFID] = [.root]
        let rootAttributes = try Self.succeeded(read(.stat(gfid: .root)), "stat of the root") { reply -> FileAttributes? in
            if case let .attributes(attributes) = reply { return attributes }
            return nil
        }
        manifest.appendStep(ResyncStep.operation(.setattr(gfid: .root, SetAttributes(
            permissions: rootAttributes.permissions, uid: rootAttributes.owner.uid, gid: rootAttributes.owner.gid))))
        try describeObject(rootAttributes, into: &manifest)
        var next = 0
        while next < directories.count {
            let directory = directories[next]
            next += 1
            var cookie: UInt64 = 0
            while true {
                let page = try Self.succeeded(read(.readdir(gfid: directory, cookie: cookie, maxEntries: 1024)), "listing \(directory)") { reply -> DirectoryPage? in
                    if case let .directory(page) = reply { return page }
                    return nil
                }
                for entry in page.entries {
                    let attributes = entry.attributes
                    let location = EntryLocation(parent: directory, name: entry.name)
                    if !seen.insert(attributes.gfid).inserted {
                        // A second name of a file already made: a hard link.
                        manifest.appendStep(ResyncStep.operation(.link(gfid: attributes.gfid, to: location)))
                        continue
                    }
                    manifest.appendStep(ResyncStep.operation(try creation(of: attributes, at: location)))
                    try describeObject(attributes, into: &manifest)
                    if attributes.type == .directory { directories.append(attributes.gfid) }
                }
                guard manifest.readableBytes <= maxBytes else {
                    throw StoreFailure(JBRError(.EFBIG, "the brick's manifest passes \(maxBytes) bytes; a full resync of this tree is not supported yet"))
                }
                if page.isLastPage { break }
                cookie = page.nextCookie
            }
        }
        return manifest
    }

    /// The operation that makes the object `attributes` describe at `location`.
    private func creation(of attributes: FileAttributes, at location: EntryLocation) throws(StoreFailure) -> FileOperation {
        let gfid = attributes.gfid
        switch attributes.type {
        case .regular:
            return .create(location, gfid: gfid, permissions: attributes.permissions, owner: attributes.owner, exclusive: true)
        case .directory:
            return .mkdir(location, gfid: gfid, permissions: attributes.permissions, owner: attributes.owner)
        case .fifo:
            return .mknod(location, gfid: gfid, type: .fifo, permissions: attributes.permissions, owner: attributes.owner)
        case .socket:
            return .mknod(location, gfid: gfid, type: .socket, permissions: attributes.permissions, owner: attributes.owner)
        case .symlink:
            let target = try Self.succeeded(read(.readlink(gfid: gfid)), "readlink of \(gfid)") { reply -> SymlinkTarget? in
                if case let .linkTarget(target) = reply { return target }
                return nil
            }
            return .symlink(location, gfid: gfid, target: target, owner: attributes.owner)
        }
    }

    /// The object's xattrs, stamp, times and (a regular file with bytes) its content to fetch.
    private func describeObject(_ attributes: FileAttributes, into manifest: inout ByteBuffer) throws(StoreFailure) {
        let gfid = attributes.gfid
        let names = try Self.succeeded(read(.listxattr(gfid: gfid)), "listxattr of \(gfid)") { reply -> [XattrName]? in
            if case let .xattrNames(names) = reply { return names }
            return nil
        }
        for name in names {
            let value = try Self.succeeded(read(.getxattr(gfid: gfid, name: name)), "getxattr \(name) of \(gfid)") { reply -> XattrValue? in
                if case let .xattrValue(value) = reply { return value }
                return nil
            }
            manifest.appendStep(ResyncStep.operation(.setxattr(gfid: gfid, name: name, value: value, mode: .upsert)))
        }
        let stamp = try Self.failing { () throws(StoreError) in try self.stamp(of: object(gfid)) }
        manifest.appendStep(ResyncStep.stamp(gfid, stamp))
        manifest.appendStep(ResyncStep.times(gfid, access: attributes.accessTime, modification: attributes.modificationTime))
        if attributes.type == .regular && attributes.size > 0 {
            manifest.appendStep(ResyncStep.content(gfid, size: attributes.size))
        }
    }

    /// The reply a read must have given: nothing changes the tree while the manifest is taken,
    /// so any failure is the store's own trouble.
    private static func succeeded<Value>(
        _ result: OperationResult, _ what: String, _ extract: (OperationReply) -> Value?
    ) throws(StoreFailure) -> Value {
        switch result {
        case let .success(reply):
            guard let value = extract(reply) else { throw StoreFailure(JBRError(.EIO, "\(what) gave an unexpected reply")) }
            return value
        case let .failure(error):
            throw StoreFailure(JBRError(.EIO, "\(what) failed while taking a resync manifest: \(error)"))
        }
    }
}

extension ByteBuffer {
    /// Appends a manifest step with its u32 length, so a reader given the manifest in pieces
    /// knows where each step ends.
    mutating func appendStep(_ step: ResyncStep) {
        var encoded = ByteBuffer()
        encoded.write(step)
        writeLengthPrefixed(buffer: encoded)
    }

    /// The next whole step, if this buffer holds one (else nothing is consumed).
    mutating func takeStep() throws(DecodingError) -> ResyncStep? {
        guard let length = getInteger(at: readerIndex, endianness: .little, as: UInt32.self),
            readableBytes >= 4 + Int(length)
        else { return nil }
        var encoded = try readLengthPrefixedBuffer(limit: Int(length), field: "resync step")
        let step = try ResyncStep(from: &encoded)
        try encoded.expectFullyRead()
        return step
    }
}
