"""acn_magic: SQL over the ActiveCampaign API v3, from Jupyter.

    import acn_magic
    with acn_magic.connect() as session:
        session.sql("select email, firstName from Contacts where email like '%example.org'")
"""
from __future__ import annotations

from acn_magic.errors import AcnError
from acn_magic.session import Session, StatementResult, connect

__version__ = "0.1.0"
__all__ = ["AcnError", "Session", "StatementResult", "connect", "__version__"]
