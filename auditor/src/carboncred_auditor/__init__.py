"""carboncred-audit: check a CarbonCred registry's public ledger from outside.

Standalone on purpose (the standard library and ``cryptography``): it shares no code with the
registry, so that a bug or a backdoor there is not repeated here. See docs/AUDITOR.md.
"""

__version__ = "0.1.0"
