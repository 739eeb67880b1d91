"""Accounts and what hangs on them: users and roles (``users.py``), API keys (``keys.py``), applications for
有条件开放 data (``applications.py``) and the grants they give (``grants.py``), who is asking (``principals.py``)
and the append-only audit log (``audit.py``).

The access policy itself stays in ``catalog/access.py``: a principal made here carries the ids of the datasets
it holds a live grant on, and the policy reads only that. The grant set is loaded per request, never cached, so a
revoked or expired grant stops working with the next request.
"""
