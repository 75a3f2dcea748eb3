/// Why a parsed graph does not describe a usable brick or client: a volume or option is missing,
/// of the wrong type, or holds a value out of range. Names the volume and option at fault.
public struct VolfileConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var volume: String?
    public var option: String?
    public var message: String

    public init(volume: String? = nil, option: String? = nil, _ message: String) {
        self.volume = volume
        self.option = option
        self.message = message
    }

    public var description: String {
        var place: [String] = []
        if let volume { place.append("volume '\(volume)'") }
        if let option { place.append("option '\(option)'") }
        return place.isEmpty ? message : "\(place.joined(separator: ", ")): \(message)"
    }
}
