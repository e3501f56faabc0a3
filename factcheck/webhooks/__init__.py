"""Webhooks: a newsroom's endpoints, the events Factdesk sends them, signed, and how each delivery went."""
