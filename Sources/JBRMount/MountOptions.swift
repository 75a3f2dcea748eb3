/// How a volume is mounted.
public struct MountOptions: Sendable {
    /// Refuse every change (EROFS), and tell the kernel the mount is read-only.
    public var readOnly = false
    /// Seconds the kernel may keep an object's attributes, and a name's lookup, without asking
    /// again. 0 (the default) caches nothing: every client sees every change at once.
    public var attributeTimeout = 0.0
    public var entryTimeout = 0.0
    /// Let the kernel keep file pages between opens and serve reads from them. Off by default:
    /// each read then goes to the volume, so no client reads bytes another has overwritten.
    public var pageCache = false
    /// Let users other than the one who mounted use the mount (as root, always on).
    public var allowOther = false
    /// The name `mount` and `df` show as the source.
    public var sourceName = "jbr"

    public init() {}
}
