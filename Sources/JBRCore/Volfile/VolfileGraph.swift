/// A translator graph: the volumes of one volfile in definition order.
///
/// Invariants (checked by `init(volumes:)`, so every graph value obeys them): at least one volume;
/// names non-empty and unique; every volume has a non-empty type and at least one option or
/// subvolume; option keys non-empty; every subvolume is defined earlier, is not the volume itself
/// and is listed once. Hence the graph is acyclic and the **last** volume is the top, as in
/// GlusterFS. A volume may have several parents (a DAG).
public struct VolfileGraph: Hashable, Sendable {
    public private(set) var volumes: [VolfileVolume]
    private var indexByName: [String: Int]

    public init(volumes: [VolfileVolume]) throws {
        guard !volumes.isEmpty else { throw VolfileError(line: nil, "a volfile graph needs at least one volume") }
        var indexByName: [String: Int] = [:]
        for (index, volume) in volumes.enumerated() {
            try Self.check(volume, definedBefore: indexByName)
            indexByName[volume.name] = index
        }
        self.volumes = volumes
        self.indexByName = indexByName
    }

    /// The graph's entry point: the last volume defined.
    public var top: VolfileVolume {
        guard let last = volumes.last else { preconditionFailure("a graph always has a volume") }
        return last
    }

    public func volume(named name: String) -> VolfileVolume? {
        indexByName[name].map { volumes[$0] }
    }

    /// The volumes `name` lists as subvolumes, in the order listed; empty for an unknown name.
    public func children(of name: String) -> [VolfileVolume] {
        volume(named: name)?.subvolumes.compactMap { volume(named: $0) } ?? []
    }

    /// The volumes listing `name` as a subvolume, in definition order.
    public func parents(of name: String) -> [VolfileVolume] {
        volumes.filter { $0.subvolumes.contains(name) }
    }

    public static func == (a: VolfileGraph, b: VolfileGraph) -> Bool { a.volumes == b.volumes }
    public func hash(into hasher: inout Hasher) { hasher.combine(volumes) }

    private static func check(_ volume: VolfileVolume, definedBefore: [String: Int]) throws {
        func fail(_ message: String) -> VolfileError { VolfileError(line: volume.line, message) }
        guard !volume.name.isEmpty else { throw fail("a volume name must not be empty") }
        let name = "volume '\(volume.name)'"
        guard definedBefore[volume.name] == nil else { throw fail("\(name) defined again") }
        guard !volume.type.isEmpty else { throw fail("\(name) has an empty type") }
        guard !volume.options.isEmpty || !volume.subvolumes.isEmpty else {
            throw fail("\(name) has only a type: an option or subvolumes line is required")
        }
        guard !volume.options.keys.contains("") else { throw fail("\(name) has an option with an empty key") }
        var seen: Set<String> = []
        for child in volume.subvolumes {
            guard child != volume.name else { throw fail("\(name) lists itself as a subvolume") }
            guard definedBefore[child] != nil else {
                throw fail("subvolume '\(child)' of \(name) is not defined before it")
            }
            guard seen.insert(child).inserted else { throw fail("\(name) lists subvolume '\(child)' twice") }
        }
    }
}
