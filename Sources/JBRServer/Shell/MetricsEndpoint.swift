import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP endpoint: `GET /metrics` answers the exporter's text (Prometheus exposition
/// format); anything else is 404, and other methods 405.
final class MetricsEndpoint: Sendable {
    let channel: any Channel

    static func bind(host: String, port: Int, export: @escaping @Sendable () -> [UInt8]) async throws -> MetricsEndpoint {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(export: export))
                }
            }
            .bind(host: host, port: port).get()
        return MetricsEndpoint(channel: channel)
    }

    private init(channel: any Channel) { self.channel = channel }

    var port: Int? { channel.localAddress?.port }

    func close() async { try? await channel.close() }
}

final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let export: @Sendable () -> [UInt8]
    private var request: HTTPRequestHead?

    init(export: @escaping @Sendable () -> [UInt8]) { self.export = export }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            let (status, body): (HTTPResponseStatus, [UInt8])
            if head.method != .GET {
                (status, body) = (.methodNotAllowed, Array("only GET\n".utf8))
            } else if head.uri.split(separator: "?").first != "/metrics" {
                (status, body) = (.notFound, Array("see /metrics\n".utf8))
            } else {
                (status, body) = (.ok, export())
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4" : "text/plain")
            headers.add(name: "Content-Length", value: "\(body.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

@available(*, unavailable)
extension MetricsHTTPHandler: Sendable {}
