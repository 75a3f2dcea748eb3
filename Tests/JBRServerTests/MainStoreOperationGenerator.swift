import JBRCore
import NIOCore

/// Random file operations for the property tests, drawn from a seeded generator and biased
/// towards what makes trouble: a few names reused everywhere (collisions, replacement), GFIDs
/// that existed once or never, operations on the wrong kind of object, `.jbr` at the root.
struct MainStoreOperationGenerator {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private static let names = ["a", "b", "c", "d", "e"].map(storeName)
    private static let xattrNames = ["user.colour", "user.size", "trusted.note", "user.jbr.gfid", "trusted.gfid", "os2.name"].map { try! XattrName($0) }
    private static let targets = ["/etc/passwd", "../../outside", "a", "../b/c"].map { try! SymlinkTarget($0) }

    /// GFIDs handed out so far (so removed objects' GFIDs come back as stale ones).
    private var issued: [GFID] = [.root]

    mutating func next(_ model: MainStoreModel) -> FileOperation {
        let entries = model.entries
        let objects = Array(model.objects.keys).sorted()
        let directories = objects.filter { model.objects[$0]!.type == .directory }
        switch pick(100) {
        case 0..<12: return .create(location(directories), gfid: newGFID(), permissions: permissions(), owner: owner(), exclusive: chance(2))
        case 12..<22: return .mkdir(location(directories), gfid: newGFID(), permissions: permissions() | 0o700, owner: owner())
        case 22..<25: return .mknod(location(directories), gfid: newGFID(), type: chance(2) ? .fifo : .socket, permissions: permissions(), owner: owner())
        case 25..<30: return .symlink(location(directories), gfid: newGFID(), target: Self.targets[pick(Self.targets.count)], owner: owner())
        case 30..<35: return .link(gfid: someGFID(objects), to: location(directories))
        case 35..<42:
            guard let (place, gfid) = element(entries) else { return .unlink(location(directories), gfid: newGFID()) }
            return .unlink(place, gfid: chance(8) ? someGFID(objects) : gfid)
        case 42..<47:
            guard let (place, gfid) = element(entries) else { return .rmdir(location(directories), gfid: newGFID()) }
            return .rmdir(place, gfid: gfid)
        case 47..<57:
            guard let (place, gfid) = element(entries) else { return .rename(gfid: newGFID(), from: location(directories), to: location(directories), noReplace: false) }
            return .rename(gfid: chance(10) ? someGFID(objects) : gfid, from: place, to: location(directories), noReplace: chance(4))
        case 57..<63:
            let data = ByteBuffer(bytes: (0..<pick(3000)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            return .write(gfid: someGFID(objects), offset: UInt64(pick(9000)), data: data)
        case 63..<67:
            return .append(gfid: someGFID(objects), data: ByteBuffer(bytes: (0..<pick(600)).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
        case 67..<71: return .truncate(gfid: someGFID(objects), size: UInt64(pick(12000)))
        case 71..<74: return .fallocate(gfid: someGFID(objects), offset: UInt64(pick(9000)), length: UInt64(pick(9000)), keepSize: chance(2))
        case 74..<77: return .discard(gfid: someGFID(objects), offset: UInt64(pick(9000)), length: UInt64(pick(6000)))
        case 77..<80: return .zerofill(gfid: someGFID(objects), offset: UInt64(pick(9000)), length: UInt64(pick(6000)))
        case 80..<88: return .setattr(gfid: someGFID(objects), attributeChanges())
        case 88..<96:
            let value = try! XattrValue(validating: (0..<pick(40)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            let mode = XattrSetMode.allCases[pick(XattrSetMode.allCases.count)]
            return .setxattr(gfid: someGFID(objects), name: Self.xattrNames[pick(Self.xattrNames.count)], value: value, mode: mode)
        default: return .removexattr(gfid: someGFID(objects), name: Self.xattrNames[pick(Self.xattrNames.count)])
        }
    }

    enum Repetition { case none, sameEntry, newEntry }

    /// Whether to apply the last operation again: the same entry (as a replay does) or the same
    /// operation as a new entry (as a retry that was not deduplicated would); one in four each.
    mutating func repetition() -> Repetition {
        switch pick(8) {
        case 0, 1: .sameEntry
        case 2, 3: .newEntry
        default: .none
        }
    }

    private mutating func pick(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
    private mutating func chance(_ oneIn: Int) -> Bool { pick(oneIn) == 0 }

    private mutating func element<Element>(_ elements: [Element]) -> Element? {
        elements.isEmpty ? nil : elements[pick(elements.count)]
    }

    private mutating func newGFID() -> GFID {
        let gfid = GFID.random(using: &random)
        issued.append(gfid)
        return gfid
    }

    /// Mostly a live object; sometimes one that is gone, a never-issued one, or the null GFID.
    private mutating func someGFID(_ live: [GFID]) -> GFID {
        switch pick(20) {
        case 0: return issued[pick(issued.count)]
        case 1: return GFID.random(using: &random)
        case 2: return .null
        default: return live[pick(live.count)]
        }
    }

    private mutating func location(_ directories: [GFID]) -> EntryLocation {
        if chance(60) { return storeLocation(.root, ".jbr") }
        let parent = chance(15) ? someGFID(directories) : directories[pick(directories.count)]
        return EntryLocation(parent: parent, name: Self.names[pick(Self.names.count)])
    }

    /// Permission bits without set-id bits (chown's clearing of those is the kernel's, and not
    /// modelled); the matrix tests cover them.
    private mutating func permissions() -> UInt16 { UInt16(pick(0o1000)) | (chance(8) ? 0o1000 : 0) }

    private mutating func owner() -> Owner { Owner(uid: UInt32(pick(3)) * 1000, gid: UInt32(pick(3)) * 100) }

    private mutating func attributeChanges() -> SetAttributes {
        SetAttributes(
            permissions: chance(2) ? permissions() : nil, uid: chance(3) ? UInt32(pick(3)) * 1000 : nil,
            gid: chance(3) ? UInt32(pick(3)) * 100 : nil, accessTime: chance(3) ? .sequencingTime : nil,
            modificationTime: chance(2) ? (chance(2) ? .sequencingTime : .exact(Timestamp(seconds: Int64(pick(1 << 30)), nanoseconds: UInt32(pick(1_000_000_000))))) : nil)
    }
}
