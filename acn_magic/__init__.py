"""acn_magic: SQL over the ActiveCampaign API v3, from Jupyter."""
from __future__ import annotations

__version__ = "0.1.0"
