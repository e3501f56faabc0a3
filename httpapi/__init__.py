"""The HTTP API's plumbing that both apps use and neither owns: API-key authentication, permissions and
throttling, idempotent POSTs, the domain errors and the one error body, cursor pagination, the JSON
parser, the body-size limit and the schema class.  It may use editorial's API keys (models and
services); it never imports factcheck, an app's interfaces, or config.  See docs/architecture.md."""
