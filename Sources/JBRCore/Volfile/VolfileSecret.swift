/// Bounds on the volume's shared secret (`auth.secret`).
public enum VolfileSecret {
    /// 128 bits: the least that resists guessing.
    public static let minimumBytes = 16
    /// Bounds the work of checking a proof; far above any sensible key.
    public static let maximumBytes = 1024
    /// What volgen generates: 256 bits.
    public static let generatedBytes = 32
}
