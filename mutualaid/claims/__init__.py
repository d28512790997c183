"""Claims, from the counter to the bank: ``flow`` (every move of a claim), ``review`` (what reviewers read),
``documents`` (scans), ``payouts`` (through the payments machinery), ``clock`` (the settlement clock),
``notices`` (what the member is told), ``public`` (the status check without an account) and ``mine`` (what a
member sees of their own claims and cover)."""
