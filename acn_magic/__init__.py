"""acn_magic: SQL over the ActiveCampaign API v3, from Jupyter.

    import acn_magic
    with acn_magic.connect() as session:
        session.sql("select email, firstName from Contacts where email like '%example.org'")
"""
from __future__ import annotations

from acn_magic.errors import AcnError
from acn_magic.session import Session, StatementResult, connect

__version__ = "0.1.0"
__all__ = ["AcnError", "Session", "StatementResult", "connect", "load_ipython_extension", "__version__"]


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext acn_magic`: registers %acn and %%acn, the AcnMagic configurable and SQL tab completion."""
    from acn_magic.magic import AcnMagic, register_completer

    magic = AcnMagic(shell=ipython)
    ipython.register_magics(magic)  # type: ignore[attr-defined]
    configurables = getattr(ipython, "configurables", None)
    if configurables is not None and not any(isinstance(c, AcnMagic) for c in configurables):
        configurables.append(magic)  # makes %config AcnMagic.<option> work
    register_completer(ipython, magic)


def unload_ipython_extension(ipython: object) -> None:
    configurables = getattr(ipython, "configurables", [])
    for magic in [c for c in configurables if type(c).__name__ == "AcnMagic"]:
        magic.close()
        configurables.remove(magic)
