"""The headers of an idempotent POST: the wrapper reads them, the schema documents them."""

IDEMPOTENCY_HEADER = "Idempotency-Key"
#: What an ``Idempotency-Key`` must be, whole: printable ASCII, 1 to 255 characters, not starting with a
#: space (the wrapper answers 400 otherwise, and the schema gives it as the header's pattern).
IDEMPOTENCY_KEY_PATTERN = r"[\x21-\x7e][\x20-\x7e]{0,254}"
REPLAYED_HEADER = "Idempotent-Replayed"
