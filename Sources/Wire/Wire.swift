// Wire: the one framed protocol of JBR, client ↔ brick and brick ↔ brick alike.
//
//   Framing/     Frame (28-byte header + body), MessageType, FrameDecoder, FrameEncoder
//   Handshake/   ClientHandshake / ServerHandshake (pure state machines) and their handlers:
//                volume id, version negotiation, mutual HMAC proof of the volume secret
//   Auth/        AddressFilter: GlusterFS auth.allow / auth.reject
//   Connection/  the pipeline (WirePipeline), limits (in-flight, idle), error reporting, and the
//                async API: WireServer, WireClient, WireConnection
//
// Limits and timeouts: WireConfiguration.
