/// Typed option access for the configuration views, failing with errors that name the volume and
/// the option.
extension VolfileVolume {
    func failure(_ key: String?, _ message: String) -> VolfileConfigurationError {
        VolfileConfigurationError(volume: name, option: key, message)
    }

    /// - Throws: when this volume's type is not `expected`.
    func requireType(_ expected: String, role: String) throws {
        guard type == expected else {
            throw failure(nil, "expected type \(expected) (\(role)), found \(type)")
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = options[key] else { throw failure(key, "missing") }
        guard !value.isEmpty else { throw failure(key, "must not be empty") }
        return value
    }

    func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int? = nil) throws -> Int {
        guard let text = options[key] else {
            if let fallback { return fallback }
            throw failure(key, "missing")
        }
        guard let value = Int(text), range.contains(value) else {
            throw failure(key, "'\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func size(_ key: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let text = options[key] else { return fallback }
        guard let bytes = VolfileValue.size(text) else {
            throw failure(key, "'\(text)' is not a size (write e.g. 4096, 64KB, 64MB, 1GB)")
        }
        guard range.contains(bytes) else {
            let (low, high) = (VolfileValue.sizeText(range.lowerBound), VolfileValue.sizeText(range.upperBound))
            throw failure(key, "\(text) is outside \(low)...\(high)")
        }
        return bytes
    }

    func port(_ key: String) throws -> Int {
        try integer(key, in: 1...65535)
    }

    func volumeID(_ key: String) throws -> VolumeID {
        let text = try string(key)
        guard let id = VolumeID(parsing: text) else { throw failure(key, "'\(text)' is not a UUID") }
        return id
    }

    func replicaID(_ key: String, count: Int) throws -> ReplicaID {
        ReplicaID(UInt32(try integer(key, in: 0...(count - 1))))
    }

    /// The shared secret: hex, at least `VolfileSecret.minimumBytes` bytes.
    func secret(_ key: String) throws -> [UInt8] {
        let text = try string(key)
        guard let bytes = VolfileValue.bytes(hex: text) else { throw failure(key, "is not hex digits") }
        guard bytes.count >= VolfileSecret.minimumBytes, bytes.count <= VolfileSecret.maximumBytes else {
            let (low, high) = (VolfileSecret.minimumBytes, VolfileSecret.maximumBytes)
            throw failure(key, "is \(bytes.count) bytes; a secret has \(low) to \(high) bytes")
        }
        return bytes
    }

    /// An absolute path: starts with `/`.
    func absolutePath(_ key: String) throws -> String {
        let path = try string(key)
        guard path.hasPrefix("/") else { throw failure(key, "'\(path)' is not an absolute path") }
        return path
    }

    /// `transport-type`, if given, is `tcp` (or GlusterFS's synonym `socket`): the only transport.
    func requireTCPTransport() throws {
        guard let transport = options[VolfileKey.transportType] else { return }
        guard transport == "tcp" || transport == "socket" else {
            throw failure(VolfileKey.transportType, "'\(transport)' is not supported; use tcp")
        }
    }
}
