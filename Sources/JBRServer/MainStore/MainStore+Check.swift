#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

extension MainStore {
    /// Checks the whole store against its invariants and lists every problem found (empty when
    /// it is sound): each name carries a GFID; a GFID names one object; every object's handle
    /// leads to it; every handle belongs to an object in the tree; nothing is left in staging or
    /// pending.
    /// Reads the whole tree: for tests and repair tools, not for the I/O path.
    package func check() throws(StoreFailure) -> [String] {
        do throws(StoreError) {
            var problems: [String] = []
            let seen = try checkTree(&problems)
            try checkIndex(knowing: seen, &problems)
            for name in try staging.entryNames() {
                problems.append("staging holds \(StoreDescriptor.printable(name))")
            }
            for name in try pending.entryNames() {
                problems.append("the removal of \(StoreDescriptor.printable(name))'s handle is still pending")
            }
            return problems
        } catch {
            throw error.asFailure
        }
    }

    /// Walks the tree from the root; returns the inode of every GFID met.
    private func checkTree(_ problems: inout [String]) throws(StoreError) -> [GFID: ino_t] {
        var seen: [GFID: ino_t] = [.root: try brick.status().st_ino]
        var pending: [(directory: StoreDescriptor, gfid: GFID, path: String)] = [(brick, .root, "")]
        while let (directory, directoryGFID, path) = pending.popLast() {
            for bytes in try directory.entryNames() {
                if directoryGFID == .root && bytes == StoreLayout.reservedName { continue }
                let place = path + "/" + StoreDescriptor.printable(bytes)
                guard let name = try? FileName(validating: bytes) else {
                    problems.append("\(place): not a valid name")
                    continue
                }
                guard case let .present(gfid, type, status) = try entry(name, in: directory) else {
                    problems.append("\(place): not part of the volume (no GFID, or a device)")
                    continue
                }
                if let inode = seen[gfid], inode != status.st_ino { problems.append("\(place): GFID \(gfid) is also another object's") }
                seen[gfid] = status.st_ino
                if type == .directory {
                    pending.append((try directory.openDirectory(bytes), gfid, place))
                }
                if let problem = try handleProblem(gfid, type: type, inode: status.st_ino) { problems.append("\(place): \(problem)") }
            }
        }
        return seen
    }

    /// What is wrong with the handle of `gfid`, whose object has inode `inode`.
    private func handleProblem(_ gfid: GFID, type: FileType, inode: ino_t) throws(StoreError) -> String? {
        if type == .directory {
            do throws(StoreError) {
                let resolved = try directory(gfid)
                return try resolved.status().st_ino == inode ? nil : "the handle of \(gfid) leads to another directory"
            } catch {
                return "the handle of directory \(gfid) does not resolve: \(error)"
            }
        }
        guard let (_, status) = try index.handle(gfid) else { return "\(gfid) has no handle" }
        return status.st_ino == inode ? nil : "the handle of \(gfid) is another object"
    }

    /// Every handle in `.jbr/gfid/ab/cd/` must be well named and belong to an object in the tree.
    private func checkIndex(knowing seen: [GFID: ino_t], _ problems: inout [String]) throws(StoreError) {
        for first in try index.root.entryNames() {
            let outer = try index.root.openDirectory(first)
            for second in try outer.entryNames() {
                let bucket = try outer.openDirectory(second)
                for name in try bucket.entryNames() {
                    let place = ".jbr/gfid/\(StoreDescriptor.printable(first))/\(StoreDescriptor.printable(second))/\(StoreDescriptor.printable(name))"
                    guard let gfid = HandlePath.gfid(named: name), HandlePath.buckets(gfid) == (first, second) else {
                        problems.append("\(place): not a handle name")
                        continue
                    }
                    if seen[gfid] == nil { problems.append("\(place): no object in the tree has this GFID") }
                }
            }
        }
    }
}
