// The client library: finds the leader, routes requests to it, retries with the same request id
// across re-elections. Filled by the replicated I/O path issue.
