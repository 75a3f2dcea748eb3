/// Bounds on what the volfile parser accepts, so hostile input costs bounded memory and time.
///
/// The defaults are far above any real volfile (GlusterFS's largest generated ones are tens of
/// kilobytes with a few dozen volumes) and far below what could exhaust a process.
public struct VolfileLimits: Hashable, Sendable {
    /// Bytes of input. 16 MiB is about a thousand times a large generated volfile.
    public var maxInputBytes: Int = 16 << 20
    /// Volume definitions in one file.
    public var maxVolumes: Int = 4096
    /// Bytes in one word (name, type, option key or value) after unquoting.
    public var maxWordBytes: Int = 64 << 10
    /// Option lines in one volume.
    public var maxOptionsPerVolume: Int = 4096
    /// Names on one volume's `subvolumes` line.
    public var maxSubvolumesPerVolume: Int = 4096

    public init() {}

    public static let `default` = VolfileLimits()
}
