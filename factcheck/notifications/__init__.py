"""Email notifications: who hears about what, when (preferences and digests), and the outbox that
delivers each email once.  A nested app (label ``notifications``) of the checking side."""
