/// One `volume … end-volume` block: a translator instance of GlusterFS's graph.
public struct VolfileVolume: Hashable, Sendable {
    public var name: String
    /// The translator type, e.g. `storage/posix`, `protocol/client`.
    public var type: String
    public var options: VolfileOptions
    /// Children, in the order written; each must be defined earlier in the file.
    public var subvolumes: [String]
    /// The line of `volume NAME` when the volume came from text. Where it was, not what it is:
    /// it takes no part in equality or hashing, so a graph equals its written-and-reread self.
    public var line: Int?

    public init(
        name: String, type: String, options: VolfileOptions = [:], subvolumes: [String] = [], line: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.options = options
        self.subvolumes = subvolumes
        self.line = line
    }

    public static func == (a: VolfileVolume, b: VolfileVolume) -> Bool {
        a.name == b.name && a.type == b.type && a.options == b.options && a.subvolumes == b.subvolumes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(type)
        hasher.combine(options)
        hasher.combine(subvolumes)
    }
}
